"""glibc's malloc thresholds: read from the environment a deployment sets, or set by the server.

Each check runs in a fresh interpreter and asks glibc (mallinfo2) whether an 8 MiB block, the
size of a Brotli encoder's buffers, was mapped apart or taken from the heap.
"""

import ctypes
import subprocess
import sys

import pytest

from conftest import ROOT
from flask_serverless.allocator import ALLOCATOR_ENVIRONMENT

#: Prints 1 when an 8 MiB malloc was mapped apart (glibc's default), 0 when on the heap.
PROBE = """
import ctypes, sys
%s
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
before = libc.mallinfo2().hblks
block = libc.malloc(8 << 20)
print(int(libc.mallinfo2().hblks > before))
"""


def probe(setup: str, **environment: str) -> str:
    """Run PROBE after some setup code in a fresh interpreter; return what it printed."""
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    env.update(environment)
    done = subprocess.run(  # noqa: UP022 - Python 3.6 has no capture_output
        [sys.executable, "-c", PROBE % setup],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,  # noqa: UP021 - nor text
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def glibc():
    if not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "mallinfo2"):
        pytest.skip("the probe needs glibc 2.33 or later (mallinfo2)")
    if probe("") != "1":
        pytest.fail("glibc's default maps an 8 MiB block apart; this probe cannot tell")


def test_the_thresholds_are_whole_bytes_glibc_accepts():
    for name, value in ALLOCATOR_ENVIRONMENT.items():
        assert name.startswith("MALLOC_") and name.endswith("_")
        assert 0 < int(value) <= 2**31 - 1, name


def test_the_scripts_that_start_the_app_export_them_unless_already_set():
    # The Web function's bootstrap, where the function's environment lacks them, and the bench.
    for script in ("src/scf_bootstrap", "bench/run"):
        text = (ROOT / script).read_text(encoding="utf-8")
        for name, value in ALLOCATOR_ENVIRONMENT.items():
            assert 'export %s="${%s:-%s}"' % (name, name, value) in text, (script, name)


def test_a_deployment_s_environment_keeps_the_buffers_on_the_heap(glibc):
    assert probe("", **ALLOCATOR_ENVIRONMENT) == "0"


def test_tune_allocator_keeps_them_on_the_heap_in_a_running_process(glibc):
    setup = "from flask_serverless.allocator import tune_allocator\nassert tune_allocator()"
    assert probe(setup) == "0"


def test_the_wsgi_entry_point_tunes_its_process(glibc, tmp_path):
    setup = "import maimai_probe.wsgi"
    database = "sqlite:///%s" % (tmp_path / "wsgi.sqlite3")
    assert probe(setup, SECRET_KEY="w" * 48, DATABASE_URL=database, AUTO_MIGRATE="1") == "0"
