"""The layer zips: what they hold, where, trimmed, and the same bytes from the same inputs."""

import base64
import hashlib
import os
import shutil
import stat
import zipfile

import pytest
from layer_support import LAYER, elf, load_build, make_sdist, make_wheel, write_lock

build = load_build()

TENCENT = "maimai-probe-layer-py36-tencent.zip"
AWS = "maimai-probe-layer-py36-aws.zip"

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
    first = build.build(wheel_dir=str(wheels), dist_dir=str(tmp_path / "one"), offline=True)
    second = build.build(wheel_dir=str(wheels), dist_dir=str(tmp_path / "two"), offline=True)
    assert [a.sha256 for a in first] == [a.sha256 for a in second]
    names = set(members(first[0].path))
    assert "jieba/dict.txt" in names
    assert "psycopg2/_psycopg.cpython-36m-x86_64-linux-gnu.so" in names
    assert not any(n.startswith(("jieba/lac_small", "greenlet/tests", "bs4/tests")) for n in names)
    assert first[0].size < 20 * 1024 * 1024
