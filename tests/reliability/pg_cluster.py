"""A throwaway PostgreSQL cluster that a test may stop and start: never the machine's own."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import List, Optional

import pytest

from pg import in_ci

ROLE = "outage"
DATABASE = "outage"


def bin_dir() -> Optional[str]:
    """Return the directory of initdb and pg_ctl: pg_config's, else the newest installed."""
    candidates = []
    if shutil.which("pg_config"):
        found = (
            subprocess.run(["pg_config", "--bindir"], stdout=subprocess.PIPE)
            .stdout.decode("utf-8", "replace")
            .strip()
        )
        candidates.append(found)
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
    if shutil.which("initdb"):
        candidates.append(os.path.dirname(shutil.which("initdb")))
    for directory in candidates:
        if directory and os.path.exists(os.path.join(directory, "initdb")):
            return directory
    return None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unavailable(reason: str) -> None:
    """Skip with the reason; under CI=true, fail instead."""
    if in_ci():
        pytest.fail("CI=true and no throwaway PostgreSQL: " + reason, pytrace=False)
    pytest.skip("no throwaway PostgreSQL cluster: " + reason)


class Cluster:
    """initdb in a temp folder, served on a free loopback port, stopped and removed at the end."""

    def __init__(self) -> None:
        self.bin = bin_dir()
        if self.bin is None:
            unavailable("initdb not found (install Debian's postgresql)")
        self.run_as: List[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                unavailable("running as root without runuser to drop to the postgres user")
            try:
                import pwd

                owner = pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no postgres user for initdb")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.folder = tempfile.mkdtemp(prefix="maimai-outage-")
        if self.run_as:
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data = os.path.join(self.folder, "data")
        self.log = os.path.join(self.folder, "server.log")
        self.port = free_port()
        self.url = "postgresql://%s@127.0.0.1:%d/%s" % (ROLE, self.port, DATABASE)
        self._program(
            "initdb", "-D", self.data, "-U", ROLE, "-A", "trust", "-E", "UTF8", "--no-locale"
        )
        self.start()
        self._program("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", ROLE, DATABASE)

    def _program(self, name: str, *args: str, timeout: float = 60) -> None:
        command = self.run_as + [os.path.join(self.bin, name)] + list(args)
        done = subprocess.run(
            command,
            cwd="/",
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
        )
        output = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0:
            log = ""
            if os.path.exists(self.log):
                with open(self.log) as server_log:
                    log = server_log.read()[-2000:]
            raise RuntimeError("%s failed: %s\n%s" % (name, output[-2000:], log))

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        options = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" % (
            self.port,
            self.folder,
        )
        self._program("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: 'fast' ends sessions and rolls back, 'immediate' as if it crashed."""
        self._program("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def processes(self) -> List[int]:
        """Return the server's processes: the postmaster, then every process it started."""
        with open(os.path.join(self.data, "postmaster.pid")) as pid_file:
            postmaster = int(pid_file.readline())
        children = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()  # after "pid (name)"
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == postmaster:
                children.append(int(entry))
        return [postmaster] + children

    def freeze(self) -> None:
        """Stop every server process (SIGSTOP): sockets stay open, nothing answers."""
        self.frozen = True
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """Let the frozen server run again (SIGCONT)."""
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = False

    def remove(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        if getattr(self, "frozen", False):
            self.thaw()
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            self.stop("immediate")  # fails when it is not running
        deadline = time.monotonic() + 10
        while os.path.exists(os.path.join(self.data, "postmaster.pid")):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        shutil.rmtree(self.folder, ignore_errors=True)
