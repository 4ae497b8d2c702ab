"""Run the project's scf_bootstrap on this machine, as SCF runs it, and talk to it over HTTP."""

import http.client
import importlib.util
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from typing import Dict, List, Optional, Tuple

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "src" / "scf_bootstrap"
TENCENT_LAYER = ROOT / "layer" / "dist" / "maimai-probe-layer-py36-tencent.zip"
#: The interpreter path SCF's Python 3.6 runtime documents, as scf_bootstrap names it.
RUNTIME_PYTHON36 = "/var/lang/python3/bin/python3.6"


def layer_script(name: str):
    """Import layer/<name>.py (a script folder, not a package), once, as the layer tests do."""
    module_name = "maimai_layer_" + name
    if module_name not in sys.modules:
        path = str(ROOT / "layer" / (name + ".py"))
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def in_ci() -> bool:
    """Tell whether this run is CI's, where a missing tool fails instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip the test loudly; under CI=true, fail it."""
    if in_ci():
        pytest.fail("CI=true: " + reason, pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def code_root(folder: pathlib.Path) -> pathlib.Path:
    """Assemble the function's code root as the deployment does: src/ and static/."""
    root = folder / "user"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(str(ROOT / "src"), str(root), ignore=ignore)
    shutil.copytree(str(ROOT / "static"), str(root / "static"), ignore=ignore)
    return root


def mapped_bootstrap(root: pathlib.Path, python: str, layer: pathlib.Path) -> pathlib.Path:
    """Write scf_bootstrap with the runtime's interpreter and /opt mapped to this machine."""
    text = BOOTSTRAP.read_text(encoding="utf-8")
    assert RUNTIME_PYTHON36 in text and ':/opt"' in text
    text = text.replace(RUNTIME_PYTHON36, python).replace(':/opt"', ':%s"' % layer)
    path = root / "scf_bootstrap"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


def unpacked_layer(folder: pathlib.Path) -> pathlib.Path:
    """Unpack the built Tencent layer as SCF does (entries' times kept); skip when unbuilt."""
    if not TENCENT_LAYER.exists():
        skip_or_fail("%s is not built: run python layer/build.py" % TENCENT_LAYER)
    with zipfile.ZipFile(str(TENCENT_LAYER)):
        pass
    return pathlib.Path(layer_script("smoke").unpack(str(TENCENT_LAYER), str(folder / "opt"), ""))


def python36() -> str:
    """Return this machine's CPython 3.6; skip (or fail under CI) without one."""
    found = layer_script("build").find_python36()
    if not found:
        skip_or_fail("no CPython 3.6 (pyenv or python3.6 on PATH) to run scf_bootstrap with")
    return found


def listing(folder: pathlib.Path) -> List[str]:
    """Return every path under a folder, to tell whether anything was written there."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


class Running:
    """A started scf_bootstrap: its process, port and captured output."""

    def __init__(self, process: subprocess.Popen, port: int, log: pathlib.Path) -> None:
        self.process = process
        self.port = port
        self.log = log

    def request(
        self, method: str, path: str, headers: Dict[str, str], body: Optional[bytes] = None
    ) -> Tuple[int, Dict[str, str], bytes]:
        """Send one request; return status, headers (lower-case names) and body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, answer
        finally:
            connection.close()

    def output(self) -> str:
        """Return what the server wrote to stdout and stderr so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """Stop the server as the platform does (SIGTERM) and return its exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start(bootstrap: pathlib.Path, env: Dict[str, str], log: pathlib.Path) -> Running:
    """Run scf_bootstrap from its folder and wait until it answers on WEB_PORT."""
    port = int(env["WEB_PORT"])
    handle = open(str(log), "wb")  # noqa: SIM115 - the child writes to it until stopped
    process = subprocess.Popen(
        [str(bootstrap)], cwd=str(bootstrap.parent), env=env, stdout=handle, stderr=handle
    )
    handle.close()
    running = Running(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                "scf_bootstrap exited with %s:\n%s" % (process.returncode, running.output())
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return running
        except OSError:
            time.sleep(0.05)
    running.stop()
    raise AssertionError("scf_bootstrap did not listen within 60 s:\n" + running.output())
