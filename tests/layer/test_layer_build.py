"""The layer zips: what they hold, where, trimmed, and the same bytes from the same inputs."""

import base64
import hashlib
import os
import shutil
import stat
import struct
import subprocess
import zipfile

import pytest
from layer_support import (
    LAYER,
    elf,
    load_build,
    load_smoke,
    make_sdist,
    make_wheel,
    write_lock,
)

build = load_build()
smoke = load_smoke()

TENCENT = "maimai-probe-layer-py36-tencent.zip"
AWS = "maimai-probe-layer-py36-aws.zip"

PY36_BYTECODE = ("cpython-36", b"\x33\x0d\r\n")  # its cache tag and magic number
JIEBA_PKG_INFO = b"Metadata-Version: 1.1\nName: jieba\nVersion: 0.42.1\n\nDescription\n"


@pytest.fixture
def wheel_dir(tmp_path):
    """Return a folder of fake pinned files: two wheels and a jieba sdist, and their lock."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    files = [
        make_wheel(
            folder,
            "pkg-1.0-cp36-cp36m-manylinux2014_x86_64.whl",
            {
                "pkg/__init__.py": b"VALUE = 1\n",
                "pkg/_speedups.cpython-36m-x86_64-linux-gnu.so": elf(),
                "pkg/__pycache__/__init__.cpython-36.pyc": b"\x33\x0d\r\n",
                "pkg/tests/test_pkg.py": b"def test(): pass\n",
                "pkg/_speedups.c": b"int main;\n",
                "pkg/py38.py": b"if (n := 1):\n    pass\n",  # not valid on 3.6
                "pkg-1.0.data/headers/pkg.h": b"#define PKG\n",
                "pkg-1.0.data/purelib/pkg_extra.py": b"EXTRA = 2\n",
            },
            ">=3.6",
        ),
        make_wheel(folder, "other-2.0-py3-none-any.whl", {"other.py": b"OTHER = 3\n"}),
        make_sdist(
            folder,
            "jieba-0.42.1.tar.gz",
            {
                "PKG-INFO": JIEBA_PKG_INFO,
                "setup.py": b"from distutils.core import setup\nsetup(name='jieba')\n",
                "jieba/__init__.py": b"import os\n",
                "jieba/dict.txt": "舞萌 3 n\n".encode(),
                "jieba/lac_small/model_baseline/crf": b"paddle" * 100,
                "jieba/lac_small/__init__.py": b"",
                "test/test_jieba.py": b"",
            },
        ),
    ]
    write_lock(tmp_path / "lock.txt", files)
    return folder


def build_into(wheel_dir, dist):
    return build.build(str(wheel_dir.parent / "lock.txt"), str(wheel_dir), str(dist), True)


def read(path):
    with open(str(path), "rb") as f:
        return f.read()


def members(path):
    with zipfile.ZipFile(str(path)) as archive:
        return {info.filename: info for info in archive.infolist()}


def test_builds_the_same_bytes_twice_from_the_same_files(wheel_dir, tmp_path):
    first = build_into(wheel_dir, tmp_path / "one")
    # Same files, touched later and listed in another order: the same zips.
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in sorted(os.listdir(str(wheel_dir)), reverse=True):
        shutil.copy(str(wheel_dir / name), str(copy / name))
        os.utime(str(copy / name), (2000000000, 2000000000))
    second = build.build(str(tmp_path / "lock.txt"), str(copy), str(tmp_path / "two"), True)
    for one, two in zip(first, second):
        data = read(one.path)
        assert data == read(two.path)
        assert one.sha256 == two.sha256 == hashlib.sha256(data).hexdigest()
        assert one.size == len(data)
    sums = (tmp_path / "one" / "SHA256SUMS").read_text(encoding="utf-8")
    assert sums == "%s  %s\n%s  %s\n" % (first[0].sha256, TENCENT, first[1].sha256, AWS)


def test_tencent_zip_has_packages_at_the_root_and_aws_under_python(wheel_dir, tmp_path):
    build_into(wheel_dir, tmp_path)
    tencent, aws = members(tmp_path / TENCENT), members(tmp_path / AWS)
    assert "pkg/__init__.py" in tencent and "jieba/dict.txt" in tencent
    assert sorted("python/" + name for name in tencent) == sorted(n for n in aws if n != "python/")
    assert "python/" in aws


def test_entries_are_sorted_with_fixed_times_and_permissions(wheel_dir, tmp_path):
    build_into(wheel_dir, tmp_path)
    with zipfile.ZipFile(str(tmp_path / TENCENT)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    modes = {}
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.create_system == 3
        modes[info.filename] = info.external_attr >> 16
    assert modes["pkg/"] == stat.S_IFDIR | 0o755
    assert modes["pkg/__init__.py"] == stat.S_IFREG | 0o644
    assert modes["pkg/_speedups.cpython-36m-x86_64-linux-gnu.so"] == stat.S_IFREG | 0o755


def test_trims_what_the_app_never_loads(wheel_dir, tmp_path):
    build_into(wheel_dir, tmp_path)
    names = set(members(tmp_path / TENCENT))
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert not any(n.startswith("jieba/lac_small") for n in names)
    assert not any(n.startswith("pkg/tests") for n in names)
    assert "pkg/_speedups.c" not in names
    assert not any(".data/" in n or n.endswith(".h") for n in names)
    assert not any(n.startswith("test/") for n in names)  # the sdist's own tests
    assert {"pkg/__init__.py", "pkg_extra.py", "other.py", "jieba/__init__.py"} <= names


def test_keeps_metadata_with_a_record_of_exactly_what_was_installed(wheel_dir, tmp_path):
    build_into(wheel_dir, tmp_path)
    with zipfile.ZipFile(str(tmp_path / TENCENT)) as archive:
        names = set(archive.namelist())
        record = archive.read("pkg-1.0.dist-info/RECORD").decode("utf-8").splitlines()
        metadata = archive.read("jieba-0.42.1.dist-info/METADATA")
        data = archive.read("pkg/__init__.py")
    assert metadata == JIEBA_PKG_INFO
    assert "jieba-0.42.1.dist-info/RECORD" in names
    listed = {line.split(",")[0] for line in record}
    assert listed == {
        n
        for n in names
        if n.startswith(("pkg/", "pkg_extra", "pkg-1.0.dist")) and not n.endswith("/")
    }
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert "pkg/__init__.py,sha256=%s,%d" % (digest, len(data)) in record


def test_command_prints_each_zip_with_its_size_and_sha256(wheel_dir, tmp_path, capsys):
    lock = str(wheel_dir.parent / "lock.txt")
    args = ["--lock", lock, "--wheel-dir", str(wheel_dir), "--dist-dir", str(tmp_path / "d")]
    assert build.main(args + ["--offline"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    for line, name in zip(out, (TENCENT, AWS)):
        path = tmp_path / "d" / name
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert line.startswith(str(path)) and "%d bytes" % path.stat().st_size in line
        assert line.endswith("sha256 " + sha)


def test_command_refuses_and_explains_a_wrong_wheel(tmp_path, capsys):
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheel = make_wheel(folder, "pkg-1.0-cp311-cp311-manylinux2014_x86_64.whl")
    lock = write_lock(tmp_path / "lock.txt", [wheel])
    args = ["--lock", str(lock), "--wheel-dir", str(folder), "--dist-dir", str(tmp_path / "d")]
    assert build.main(args + ["--offline"]) == 1
    assert "no tag for CPython 3.6" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_the_real_layer_builds_reproducibly_from_the_cached_wheels(tmp_path):
    pins = build.read_lock()
    wheels = LAYER / "build" / "wheels"
    if not all((wheels / pin.filename).exists() for pin in pins):
        pytest.skip("layer/build/wheels is not filled: run python layer/build.py")
    python36 = build.find_python36()  # with its bytecode when CPython 3.6 is at hand
    first, second = (
        build.build(
            wheel_dir=str(wheels), dist_dir=str(tmp_path / d), offline=True, python36=python36
        )
        for d in ("one", "two")
    )
    assert [a.sha256 for a in first] == [a.sha256 for a in second]
    names = set(members(first[0].path))
    if python36 is not None:
        assert "sqlalchemy/orm/__pycache__/session.cpython-36.pyc" in names
    assert "jieba/dict.txt" in names
    assert "psycopg2/_psycopg.cpython-36m-x86_64-linux-gnu.so" in names
    assert not any(n.startswith(("jieba/lac_small", "greenlet/tests", "bs4/tests")) for n in names)
    assert first[0].size < 25 * 1024 * 1024  # SCF and Lambda take 50 MB; keep it lean


def test_entries_carry_the_fixed_time_in_utc_as_well(wheel_dir, tmp_path):
    build_into(wheel_dir, tmp_path)
    assert build.ZIP_MTIME == 315532800  # 1980-01-01 00:00 UTC
    with zipfile.ZipFile(str(tmp_path / TENCENT)) as archive:
        infos = archive.infolist()
    assert all(smoke.entry_mtime(info) == build.ZIP_MTIME for info in infos)
    assert {info.extra for info in infos} == {build.EXTENDED_TIMESTAMP}


def test_unzip_gives_the_fixed_time_in_any_time_zone(wheel_dir, tmp_path):
    unzip = shutil.which("unzip")
    if unzip is None:
        pytest.skip("no unzip on PATH")
    build_into(wheel_dir, tmp_path)
    for zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles"):
        folder = tmp_path / zone.replace("/", "-")
        env = dict(os.environ, TZ=zone)
        subprocess.check_call([unzip, "-q", str(tmp_path / TENCENT), "-d", str(folder)], env=env)
        assert os.stat(str(folder / "pkg" / "__init__.py")).st_mtime == build.ZIP_MTIME


def test_builds_without_bytecode_when_told_to(wheel_dir, tmp_path, capsys):
    lock = str(wheel_dir.parent / "lock.txt")
    args = ["--lock", lock, "--wheel-dir", str(wheel_dir), "--dist-dir", str(tmp_path)]
    assert build.main(args + ["--offline", "--no-bytecode"]) == 0
    assert "no bytecode" in capsys.readouterr().err
    assert not any(n.endswith(".pyc") for n in members(tmp_path / TENCENT))


def test_says_so_loudly_when_no_python36_is_found(wheel_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(build, "find_python", lambda version: None)
    lock = str(wheel_dir.parent / "lock.txt")
    args = ["--lock", lock, "--wheel-dir", str(wheel_dir), "--dist-dir", str(tmp_path)]
    assert build.main(args + ["--offline"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("WITHOUT bytecode") == 2  # before and after the build
    assert len(captured.out.splitlines()) == 2
    assert not any(n.endswith(".pyc") for n in members(tmp_path / TENCENT))


def test_refuses_a_python36_that_is_not_one(wheel_dir, tmp_path, capsys):
    lock = str(wheel_dir.parent / "lock.txt")
    args = ["--lock", lock, "--wheel-dir", str(wheel_dir), "--dist-dir", str(tmp_path / "d")]
    assert build.main(args + ["--offline", "--python36", str(tmp_path / "python3.6")]) == 1
    assert "is not a CPython 3.6" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


# --- bytecode, compiled with a real CPython 3.6 ----------------------------------------------


@pytest.fixture(scope="module")
def python36():
    found = build.find_python36()
    if found is None:
        pytest.skip("no CPython 3.6 (pyenv's or python3.6 on PATH): no bytecode to check")
    return found


def build_with_bytecode(wheel_dir, dist, python36):
    lock = str(wheel_dir.parent / "lock.txt")
    return build.build(lock, str(wheel_dir), str(dist), True, python36=python36)


def test_ships_bytecode_stamped_with_the_entries_time(wheel_dir, tmp_path, python36, capsys):
    build_with_bytecode(wheel_dir, tmp_path, python36)
    assert "pkg/py38.py does not compile on 3.6" in capsys.readouterr().err
    with zipfile.ZipFile(str(tmp_path / TENCENT)) as archive:
        names = set(archive.namelist())
        sources = sorted(n for n in names if n.endswith(".py"))
        assert "pkg/__init__.py" in sources and "jieba/__init__.py" in sources
        for source in sources:
            cached = build.cache_path(source)
            if source == "pkg/py38.py":
                assert cached not in names
                continue
            header = archive.read(cached)[:12]
            assert header[:4] == PY36_BYTECODE[1]
            stamp = (build.ZIP_MTIME, len(archive.read(source)))
            assert struct.unpack("<II", header[4:12]) == stamp
        assert set(n for n in names if n.endswith(".pyc")) == {
            build.cache_path(s) for s in sources if s != "pkg/py38.py"
        }
        assert archive.read("pkg/__pycache__/__init__.cpython-36.pyc") != b"\x33\x0d\r\n"
        record = archive.read("pkg-1.0.dist-info/RECORD").decode("utf-8")
        jieba_record = archive.read("jieba-0.42.1.dist-info/RECORD").decode("utf-8")
    listed = {line.split(",")[0] for line in record.splitlines()}
    assert {"pkg/__pycache__/__init__.cpython-36.pyc", "__pycache__/pkg_extra.cpython-36.pyc"} <= (
        listed
    )
    assert "other.cpython-36.pyc" not in record
    assert "jieba/__pycache__/__init__.cpython-36.pyc," in jieba_record


def test_builds_the_same_bytes_twice_with_bytecode(wheel_dir, tmp_path, python36, monkeypatch):
    first = build_with_bytecode(wheel_dir, tmp_path / "one", python36)
    monkeypatch.setenv("PYTHONHASHSEED", "random")  # the compiler's seed is fixed regardless
    second = build_with_bytecode(wheel_dir, tmp_path / "two", python36)
    assert [read(a.path) for a in first] == [read(a.path) for a in second]
    assert any(n.endswith(".pyc") for n in members(first[0].path))


def test_python36_loads_the_bytecode_without_compiling_anything(wheel_dir, tmp_path, python36):
    build_with_bytecode(wheel_dir, tmp_path, python36)
    for zip_name, prefix in ((TENCENT, ""), (AWS, "python")):
        layer = smoke.unpack(str(tmp_path / zip_name), str(tmp_path / ("opt-" + zip_name)), prefix)
        fresh, missing, stale = smoke.bytecode_states(layer, *PY36_BYTECODE)
        assert missing == [os.path.join("pkg", "py38.py")] and not stale
        before = sorted(os.walk(layer))
        # A writable folder and bytecode writing on: any stale .pyc would be written anew.
        env = dict(os.environ, PYTHONPATH=layer)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        done = subprocess.run(
            [python36, "-S", "-v", "-c", "import pkg, pkg_extra, other, jieba"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=True,
        )
        said = done.stderr.decode("utf-8", "replace")
        for source in ("pkg/__init__.py", "pkg_extra.py", "other.py", "jieba/__init__.py"):
            path = os.path.join(layer, *source.split("/"))
            cached = os.path.join(layer, *build.cache_path(source).split("/"))
            assert "# %s matches %s" % (cached, path) in said
        assert "code object from %s" % layer not in said  # nothing from source
        assert sorted(os.walk(layer)) == before


def test_bytecode_goes_stale_when_unpacked_without_the_entries_times(wheel_dir, tmp_path, python36):
    build_with_bytecode(wheel_dir, tmp_path, python36)
    with zipfile.ZipFile(str(tmp_path / TENCENT)) as archive:
        archive.extractall(str(tmp_path / "plain"))  # each file stamped with the time now
    fresh, _, stale = smoke.bytecode_states(str(tmp_path / "plain"), *PY36_BYTECODE)
    assert not fresh and os.path.join("pkg", "__init__.py") in stale
