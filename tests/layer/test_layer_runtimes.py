"""One layer per SCF Python runtime: the 3.10 layer's tags, lock, names and bytecode header."""

import pytest
from layer_support import load_build

build = load_build()


@pytest.fixture
def py310():
    """Switch layer/build.py to the 3.10 runtime for one test, then back to 3.6."""
    build.use_python((3, 10))
    yield build
    build.use_python((3, 6))


def test_each_runtime_has_its_abi_tag():
    assert build.abi_tag((3, 6)) == "cp36m"
    assert build.abi_tag((3, 7)) == "cp37m"
    assert build.abi_tag((3, 10)) == "cp310"


def test_the_310_layer_has_its_own_lock_name_and_bytecode(py310):
    assert build.LOCK_PATH.endswith("requirements-py310.lock")
    assert build.LAYER_NAME == "maimai-probe-layer-py310"
    assert build.cache_path("flask/app.py") == "flask/__pycache__/app.cpython-310.pyc"
    assert build.GLIBC_MAX == (2, 28)
    assert build.PIP_PLATFORM_ARGS[build.PIP_PLATFORM_ARGS.index("--abi") + 1] == "cp310"
    assert "manylinux_2_28_x86_64" in build.PIP_PLATFORM_ARGS
    assert [pin.name for pin in build.read_lock()][:1] == ["alembic"]
    assert all(build.python_admitted(pin.requires_python) for pin in build.read_lock())


@pytest.mark.parametrize(
    "tag, on36, on310",
    [
        (("cp36", "cp36m", "manylinux2014_x86_64"), True, False),
        (("cp310", "cp310", "manylinux_2_17_x86_64"), False, True),
        (("cp310", "cp310", "manylinux_2_28_x86_64"), False, True),
        (("cp310", "cp310", "manylinux_2_34_x86_64"), False, False),
        (("py3", "none", "any"), True, True),
        (("py38", "none", "any"), False, True),
        (("cp38", "abi3", "manylinux2014_x86_64"), False, True),
        (("cp311", "cp311", "manylinux2014_x86_64"), False, False),
    ],
)
def test_wheel_tags_install_on_their_runtime_only(tag, on36, on310):
    assert build.tag_supported(*tag) is on36
    build.use_python((3, 10))
    try:
        assert build.tag_supported(*tag) is on310
    finally:
        build.use_python((3, 6))


def test_an_extension_module_for_the_other_runtime_is_refused(py310):
    name = "pkg/_speedups.cpython-36m-x86_64-linux-gnu.so"
    assert any("CPython 36m" in problem for problem in build.binary_problems(name, b""))
    ok = "pkg/_speedups.cpython-310-x86_64-linux-gnu.so"
    assert not [p for p in build.binary_problems(ok, b"") if "extension module for CPython" in p]


def test_there_is_no_layer_for_a_runtime_scf_does_not_have():
    with pytest.raises(build.BuildError):
        build.use_python((3, 12))
