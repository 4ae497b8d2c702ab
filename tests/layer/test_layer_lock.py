"""The layer's lock: the whole closure for CPython 3.6, every entry pinned, hashed and named."""

import re
import zipfile

import pytest
from layer_support import LAYER, load_build
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

build = load_build()
LOCK_TEXT = (LAYER / "requirements.lock").read_text(encoding="utf-8")
PINS = build.parse_lock(LOCK_TEXT)
LOCKED = {build.canonical_name(pin.name): pin for pin in PINS}
WHEELS = LAYER / "build" / "wheels"

#: The environment markers of the functions' runtime: CPython 3.6 on x86_64 Linux.
PY36_LINUX = {
    "implementation_name": "cpython",
    "implementation_version": "3.6.15",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "platform_release": "",
    "platform_system": "Linux",
    "platform_version": "",
    "python_full_version": "3.6.15",
    "python_version": "3.6",
    "sys_platform": "linux",
    "extra": "",
}


def requirement_lines(text):
    """Return each requirement of a requirements file, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in joined.splitlines() if line.strip()[:1] not in ("", "#")]


def test_every_entry_is_an_exact_pin_with_a_sha256_hash():
    lines = requirement_lines(LOCK_TEXT)
    assert len(lines) == len(PINS) >= 20
    for line in lines:
        assert re.match(r"^[a-z0-9-]+==[^\s=]+ ", line), line
        assert re.search(r"--hash=sha256:[0-9a-f]{64}\b", line), line
        assert ";" not in line, "a marker in the lock would be evaluated on the host: " + line


def test_each_project_is_locked_once():
    assert len(LOCKED) == len(PINS)


def test_every_top_level_requirement_is_locked_at_its_version():
    for line in requirement_lines((LAYER / "requirements.in").read_text(encoding="utf-8")):
        name, version = line.split("==")
        assert LOCKED[build.canonical_name(name)].version == version


@pytest.mark.parametrize(
    "name, version",
    [
        ("flask", "2.0.3"),
        ("werkzeug", "2.0.3"),
        ("jinja2", "3.0.3"),
        ("markupsafe", "2.0.1"),
        ("itsdangerous", "2.0.1"),
        ("click", "8.0.4"),
        ("greenlet", "2.0.2"),
        ("psycopg2-binary", "2.9.5"),
        ("flask-compress", "1.14"),
        ("jieba", "0.42.1"),
        ("alembic", "1.7.7"),
        ("beautifulsoup4", "4.12.3"),
        ("soupsieve", "2.3.2.post1"),
    ],
)
def test_the_versions_that_still_support_python_36(name, version):
    assert LOCKED[name].version == version


def test_sqlalchemy_is_a_14_release_and_brotli_is_locked():
    assert LOCKED["sqlalchemy"].version.startswith("1.4.")
    assert "brotli" in LOCKED
    assert "zstandard" not in LOCKED  # Flask-Compress 1.15 and later would need it


@pytest.mark.parametrize(
    "name",
    ["dataclasses", "importlib-metadata", "importlib-resources", "zipp", "typing-extensions"],
)
def test_the_back_ports_python_36_needs_are_locked(name):
    assert name in LOCKED


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: pin.name)
def test_each_locked_file_is_for_cpython_36_on_manylinux_x86_64(pin):
    if build.is_sdist(pin):
        name, version = build.parse_sdist_filename(pin.filename)
        assert build.canonical_name(name) in build.PURE_SDISTS
    else:
        name, version, _ = build.parse_wheel_filename(pin.filename)
        assert build.filename_supported(pin.filename)
    assert (build.canonical_name(name), version) == (build.canonical_name(pin.name), pin.version)


@pytest.mark.parametrize("pin", PINS, ids=lambda pin: pin.name)
def test_each_locked_release_admits_python_36(pin):
    assert build.python_admitted(pin.requires_python), pin.requires_python
    assert SpecifierSet(pin.requires_python).contains("3.6.0")


def wheel_requirements(pin):
    with zipfile.ZipFile(str(WHEELS / pin.filename)) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode("utf-8")
    headers = metadata.split("\n\n", 1)[0]
    return [
        Requirement(line.split(":", 1)[1])
        for line in headers.splitlines()
        if line.startswith("Requires-Dist:")
    ]


@pytest.mark.parametrize("pin", [p for p in PINS if not build.is_sdist(p)], ids=lambda p: p.name)
def test_what_each_wheel_requires_on_python_36_is_locked_at_a_matching_version(pin):
    if not (WHEELS / pin.filename).exists():
        pytest.skip("layer/build/wheels has no %s: run python layer/build.py" % pin.filename)
    for requirement in wheel_requirements(pin):
        if requirement.marker and not requirement.marker.evaluate(dict(PY36_LINUX)):
            continue
        locked = LOCKED.get(build.canonical_name(requirement.name))
        assert locked is not None, "%s needs %s, which is not locked" % (pin.name, requirement)
        assert requirement.specifier.contains(locked.version, prereleases=True), (
            "%s needs %s; the lock has %s" % (pin.name, requirement, locked.version)
        )


def test_the_marker_environment_keeps_the_back_ports_a_newer_python_drops():
    marker = Marker('python_version < "3.8"')
    assert marker.evaluate(dict(PY36_LINUX))
    assert not marker.evaluate(dict(PY36_LINUX, python_version="3.11"))
