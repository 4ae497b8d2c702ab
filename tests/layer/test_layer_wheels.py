"""layer/build.py takes only wheels that load on CPython 3.6, manylinux x86_64, glibc 2.17."""

import pytest
from layer_support import MACHO, elf, load_build, make_sdist, make_wheel, write_lock

build = load_build()

SPEEDUPS = "pkg/_speedups.cpython-36m-x86_64-linux-gnu.so"


@pytest.mark.parametrize(
    "filename, files, requires_python",
    [
        ("pkg-1.0-py3-none-any.whl", None, ">=3.6"),
        ("pkg-1.0-py2.py3-none-any.whl", None, ">=2.7, !=3.0.*, !=3.1.*"),
        ("pkg-1.0-cp36-cp36m-manylinux2014_x86_64.whl", {SPEEDUPS: elf()}, None),
        ("pkg-1.0-cp36-cp36m-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", None, None),
        ("pkg-1.0-cp36-cp36m-manylinux1_x86_64.whl", {SPEEDUPS: elf(glibc=(2, 5))}, None),
        ("pkg-1.0-cp36-cp36m-manylinux2010_x86_64.whl", None, "~=3.6"),
        ("pkg-1.0-cp35-abi3-manylinux2014_x86_64.whl", {"pkg/_x.abi3.so": elf()}, None),
        (
            "pkg-1.0-cp36-cp36m-manylinux2014_x86_64.whl",
            {"pkg.libs/libpq-e85f78f2.so.5.15": elf(glibc=(2, 17)), "pkg/__init__.py": b""},
            ">=3.6",
        ),
    ],
)
def test_accepts_wheels_that_load_on_the_layers_python(tmp_path, filename, files, requires_python):
    wheel = make_wheel(tmp_path, filename, files, requires_python)
    assert build.wheel_problems(str(wheel)) == []


@pytest.mark.parametrize(
    "filename, files, requires_python, wheel_tags, problem",
    [
        ("pkg-1.0-cp311-cp311-manylinux2014_x86_64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp36-cp36m-macosx_10_9_x86_64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp36-cp36m-win_amd64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp36-cp36m-manylinux2014_aarch64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp36-cp36m-manylinux_2_28_x86_64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp36-cp36m-linux_x86_64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp37-abi3-manylinux2014_x86_64.whl", None, None, None, "no tag"),
        ("pkg-1.0-cp36-cp36-manylinux2014_x86_64.whl", None, None, None, "no tag"),
        (
            "brotli-1.2.1-cp36-cp36m-manylinux2014_x86_64.whl",
            {"_brotli.cpython-311-x86_64-linux-gnu.so": elf()},
            None,
            None,
            "extension module for CPython 311",
        ),
        (
            "brotli-1.2.1-cp36-cp36m-manylinux2014_x86_64.whl",
            {"_brotli.cpython-36m-darwin.so": MACHO},
            None,
            None,
            "Mach-O",
        ),
        (
            "brotli-1.2.1-cp36-cp36m-manylinux2014_x86_64.whl",
            {"_brotli.cpython-36m-aarch64-linux-gnu.so": elf(machine=183)},
            None,
            None,
            "another machine than x86_64",
        ),
        (
            "brotli-1.2.1-cp36-cp36m-manylinux2014_x86_64.whl",
            {"_brotli.so": elf(machine=183)},
            None,
            None,
            "another machine than x86_64",
        ),
        (
            "brotli-1.2.1-cp36-cp36m-manylinux2014_x86_64.whl",
            {"_brotli.so": elf(bits=32)},
            None,
            None,
            "not a 64-bit",
        ),
        (
            "brotli-1.2.1-cp36-cp36m-manylinux2014_x86_64.whl",
            {SPEEDUPS: elf(glibc=(2, 28))},
            None,
            None,
            "needs glibc 2.28",
        ),
        (
            "pkg-1.0-cp36-cp36m-manylinux2014_x86_64.whl",
            {"pkg/_x.so": b"not an ELF file"},
            None,
            None,
            "not an ELF file",
        ),
        ("pkg-1.0-py3-none-any.whl", {"pkg/_x.pyd": b"MZ"}, None, None, "Windows or macOS"),
        ("pkg-1.0-py3-none-any.whl", None, ">=3.7", None, "Requires-Python >=3.7 excludes 3.6"),
        (
            "pkg-1.0-cp36-cp36m-manylinux2014_x86_64.whl",
            None,
            None,
            ["cp311-cp311-manylinux2014_x86_64"],
            "WHEEL file names no tag",
        ),
        ("pkg-1.0-py3-none-any.whl", {"../evil.py": b""}, None, None, "unsafe member path"),
    ],
)
def test_refuses_wheels_for_another_python_abi_or_platform(
    tmp_path, filename, files, requires_python, wheel_tags, problem
):
    wheel = make_wheel(tmp_path, filename, files, requires_python, wheel_tags)
    problems = build.wheel_problems(str(wheel))
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    "requires_python, admitted",
    [
        ("", True),
        (">=3.6", True),
        (">=3.6.0", True),
        (">=3.6, <3.7", True),
        ("~=3.6", True),
        ("~=3.5", True),
        ("==3.6.*", True),
        (">=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,!=3.4.*,!=3.5.*", True),
        (">=3.7", False),
        (">3.6", False),
        (">=3.6.1", False),
        ("~=3.7", False),
        ("!=3.6.*", False),
        ("<3.6", False),
        ("==3.7.*", False),
    ],
)
def test_reads_requires_python_as_pip_does_for_python_36(requires_python, admitted):
    assert build.python_admitted(requires_python) is admitted


def test_refuses_a_file_whose_hash_is_not_locked(tmp_path):
    wheel = make_wheel(tmp_path, "pkg-1.0-py3-none-any.whl")
    pins = build.read_lock(str(write_lock(tmp_path / "lock.txt", [wheel])))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    with pytest.raises(build.BuildError, match="sha256 does not match the lock"):
        build.verify(pins, str(tmp_path))


def test_offline_build_without_the_files_names_what_is_missing(tmp_path):
    wheel = make_wheel(tmp_path, "pkg-1.0-py3-none-any.whl")
    lock = write_lock(tmp_path / "lock.txt", [wheel])
    empty = tmp_path / "empty"
    with pytest.raises(build.BuildError, match="pkg-1.0-py3-none-any.whl"):
        build.build(str(lock), str(empty), str(tmp_path / "dist"), offline=True)
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    "files, problem",
    [
        ({"jieba/__init__.py": b"", "jieba/_speedups.c": b""}, "compiled code"),
        (
            {"jieba/__init__.py": b"", "setup.py": b"setup(ext_modules=[Extension('x')])"},
            "builds extension modules",
        ),
        ({"other/__init__.py": b""}, "has no package jieba"),
    ],
)
def test_refuses_an_sdist_that_is_not_pure_python(tmp_path, files, problem):
    sdist = make_sdist(tmp_path, "jieba-0.42.1.tar.gz", dict(files, **{"PKG-INFO": b""}))
    pins = build.read_lock(str(write_lock(tmp_path / "lock.txt", [sdist])))
    with pytest.raises(build.BuildError, match=problem):
        build.verify(pins, str(tmp_path))


def test_refuses_an_sdist_of_a_project_that_must_come_as_a_wheel(tmp_path):
    sdist = make_sdist(tmp_path, "psycopg2-binary-2.9.5.tar.gz", {"psycopg2/__init__.py": b""})
    pins = build.read_lock(str(write_lock(tmp_path / "lock.txt", [sdist])))
    with pytest.raises(build.BuildError, match="only wheels are allowed"):
        build.verify(pins, str(tmp_path))


@pytest.mark.parametrize(
    "text, problem",
    [
        ("flask>=2.0 --hash=sha256:" + "0" * 64 + "\n    # file: f.whl\n", "not an exact pin"),
        ("flask==2.0.3\n    # file: Flask-2.0.3-py3-none-any.whl\n", "no sha256 hash"),
        ("flask==2.0.3 --hash=sha256:" + "0" * 64 + "\n", "names no file"),
    ],
)
def test_refuses_a_lock_entry_that_is_not_pinned_hashed_and_named(text, problem):
    with pytest.raises(build.BuildError, match=problem):
        build.parse_lock(text)
