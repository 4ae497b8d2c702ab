"""aws/build.py's zips carry bytecode of Lambda's CPython, compiled for the paths it runs from.

Lambda's /var/task and /opt are read-only: a module shipped as source is compiled again at
every cold start. These tests need a CPython 3.13 (pyenv's or PATH's); without one they skip,
and under CI=true they fail.
"""

import json
import pathlib
import subprocess
import sys
import zipfile

import pytest

from .test_yaml import load_module
from .web_function_support import skip_or_fail

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 8), reason="aws/ deploys python3.13; run on the current Python"
)

#: Run by CPython 3.13 on pyc files (argv): their magic, flags and each code's file name.
READ_PYC = """
import importlib.util, json, marshal, sys
found = {}
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    found[path] = [data[:4] == importlib.util.MAGIC_NUMBER, int.from_bytes(data[4:8], "little"),
                   marshal.loads(data[16:]).co_filename]
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def build():
    return load_module("aws/build.py", "aws_build_bytecode")


@pytest.fixture(scope="module")
def python313(build):
    found = build.find_python()
    if found is None:
        skip_or_fail("no CPython %s (pyenv or PATH) to compile Lambda's bytecode" % "3.13")
    return found


def read_pyc(python: str, paths) -> dict:
    done = subprocess.run(
        [python, "-S", "-c", READ_PYC] + [str(path) for path in paths],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_the_function_zip_holds_each_module_s_unchecked_bytecode_named_for_var_task(
    build, python313, tmp_path
):
    path = build.build_function(str(tmp_path / "function.zip"), python=python313)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        archive.extractall(str(tmp_path / "task"))
    sources = [name for name in names if name.endswith(".py")]
    compiled = [name for name in names if name.endswith(".pyc")]
    assert "serverless_handler.py" in sources and "maimai_probe/tables.py" in sources
    assert all(name.endswith(".cpython-313.pyc") for name in compiled)
    for source in sources:
        folder, _, module = source.rpartition("/")
        cached = (folder + "/" if folder else "") + "__pycache__/%s.cpython-313.pyc" % module[:-3]
        assert cached in names, source
    assert names == sorted(names) and not [n for n in names if n.startswith(("tests/", ".env"))]
    some = ["serverless_handler.py", "maimai_probe/player/records.py", "flask_serverless/events.py"]
    read = read_pyc(
        python313,
        [
            tmp_path
            / "task"
            / name.rpartition("/")[0]
            / "__pycache__"
            / (name.rpartition("/")[2][:-3] + ".cpython-313.pyc")
            for name in some
        ],
    )
    for source, (magic, flags, filename) in zip(some, read.values()):
        assert magic, source  # 3.13's own bytecode
        assert flags == 0b01, source  # hash-based and unchecked: any unzipped mtime will do
        assert filename == "/var/task/" + source  # tracebacks name the file as Lambda has it


def test_the_layer_keeps_the_runtime_s_bytecode_and_drops_the_builder_s(build, python313, tmp_path):
    target = tmp_path / "python"
    package = target / "somepkg"
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    (package / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"from another Python")
    build.compile_tree(str(target), python313, build.LAYER_ROOT)
    names = sorted(name for _, name in build._walk(str(target), "python/", bytecode=True))
    assert names == [
        "python/somepkg/__init__.py",
        "python/somepkg/__pycache__/__init__.cpython-313.pyc",
    ]
    ((magic, flags, filename),) = read_pyc(
        python313, [package / "__pycache__" / "__init__.cpython-313.pyc"]
    ).values()
    assert magic and flags == 0b01 and filename == "/opt/python/somepkg/__init__.py"


def test_a_python_of_another_version_is_refused(build):
    with pytest.raises(build.BuildError, match="is not CPython 3.13"):
        build.find_python(sys.executable)  # the test's own Python is not 3.13


def test_without_a_python_the_zip_holds_sources_as_before(build, tmp_path):
    path = build.build_function(str(tmp_path / "function.zip"))
    with zipfile.ZipFile(path) as archive:
        assert not [name for name in archive.namelist() if name.endswith(".pyc")]
    assert pathlib.Path(path).exists()


def test_the_layer_reads_requirements_without_their_comments(build, tmp_path):
    listed = tmp_path / "requirements.txt"
    listed.write_text(
        "# a comment\nflask>=2.0\n\nwaitress>=3.0.2  # why this one\njieba>=0.42 # and this\n",
        encoding="utf-8",
    )
    assert build.requirement_lines(str(listed)) == ["flask>=2.0", "waitress>=3.0.2", "jieba>=0.42"]
    # The project's own file, whose waitress line carries a comment pip must not be handed.
    project = build.requirement_lines(str(pathlib.Path(build.ROOT) / "requirements.txt"))
    assert "waitress>=3.0.2" in project and not [line for line in project if "#" in line]
