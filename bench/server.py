"""Serve the app with gunicorn on loopback for a benchmark, and stop it afterwards."""

import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Dict, List, Optional, Tuple

from bench import common

#: Two sync workers: one per core, each with its own database connection; a request holds
#: its worker until the answer is written, so the load's concurrency queues in the backlog.
WORKERS = 2
WORKER_CLASS = "sync"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(
    url: str, headers: Optional[Dict[str, str]] = None, timeout: float = 30
) -> Tuple[int, Dict[str, str], bytes]:
    """GET a URL on loopback; return status, headers and the raw (still encoded) body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Gunicorn:
    """A gunicorn serving create_app() on 127.0.0.1 with the benchmark database."""

    def __init__(
        self,
        database_url: str,
        workers: int = WORKERS,
        worker_class: str = WORKER_CLASS,
        threads: int = 1,
    ) -> None:
        self.database_url = database_url
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = free_port()
        self.process = None  # type: Optional[subprocess.Popen]
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115

    @property
    def base(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def describe(self) -> str:
        """Say how the app is served."""
        threads = " x %d threads" % self.threads if self.worker_class == "gthread" else ""
        return "gunicorn %s, %d %s workers%s on 127.0.0.1" % (
            common.package_version("gunicorn"),
            self.workers,
            self.worker_class,
            threads,
        )

    def start(self) -> "Gunicorn":
        """Start gunicorn and wait until it answers."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--bind",
            "127.0.0.1:%d" % self.port,
            "--backlog",
            "256",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "maimai_probe:create_app()",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=str(common.ROOT),
            env=common.app_environment(self.database_url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start:\n" + self.log_text())
            try:
                if fetch(self.base + "/hello/ready", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 30 s:\n" + self.log_text())

    def log_text(self) -> str:
        """Return what gunicorn wrote."""
        return pathlib.Path(self.log.name).read_text(errors="replace")[-4000:]

    def worker_pids(self) -> List[int]:
        """Return the pids of gunicorn's workers (the master's children)."""
        if self.process is None:
            return []
        path = pathlib.Path("/proc/%d/task/%d/children" % (self.process.pid, self.process.pid))
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def worker_peak_rss_mb(self) -> List[float]:
        """Return each worker's peak resident memory (VmHWM), in MiB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = pathlib.Path("/proc/%d/status" % pid).read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024.0)
        return peaks

    def stop(self) -> None:
        """Stop gunicorn (TERM, then KILL after 10 s) and its workers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        self.log.close()

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def gunicorn_available() -> bool:
    """Tell whether gunicorn is installed in this Python."""
    return common.package_version("gunicorn") != "absent"
