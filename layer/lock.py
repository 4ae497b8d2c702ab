"""Resolve layer/requirements.in for CPython 3.6 and write the hashed layer/requirements.lock.

    python layer/lock.py [--python36 PATH]

The closure is resolved by pip running on a real CPython 3.6, so environment markers are
evaluated for 3.6 (pip on a newer Python, even with --python-version 3.6, evaluates them for
itself and drops the back-ports 3.6 needs). Each pinned file is then fetched exactly as
layer/build.py fetches it (manylinux x86_64, cp36m) and hashed; the lock names that file and
its Requires-Python beside the hash.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from typing import List, Optional, Tuple

import build  # layer/build.py, beside this file

IN_PATH = os.path.join(build.HERE, "requirements.in")
PIP_FOR_PY36 = "pip==21.3.1"  # the last pip for 3.6, with the backtracking resolver
PIP_FOR_NEWER = "pip==24.3.1"  # for the other runtimes' resolution

HEADER = """\
# The Python {version} layer's whole dependency closure: CPython {version} ({abi}), manylinux
# x86_64, glibc {glibc}. Written from layer/{source} by
#   python layer/lock.py{option}
# edit that file and run it again rather than editing this one. Each entry's hash is that of
# the file named below it; layer/build.py fetches exactly those files. jieba publishes no
# wheel: its sdist is pure Python and layer/build.py installs it by copying its package.
"""


def header() -> str:
    """Return the lock's header for the target Python."""
    version = "%d.%d" % build.TARGET_PYTHON
    return HEADER.format(
        version=version,
        abi=build.abi_tag(build.TARGET_PYTHON),
        glibc="%d.%d" % build.GLIBC_MAX,
        option="" if version == "3.6" else " --python-version " + version,
        source=os.path.basename(in_path()),
    )


def in_path() -> str:
    """Return the target's input file: requirements.in for 3.6, requirements-py310.in..."""
    if build.TARGET_PYTHON == (3, 6):
        return IN_PATH
    return os.path.join(build.HERE, "requirements-py%d%d.in" % build.TARGET_PYTHON)


def find_python36() -> Optional[str]:
    """Return the path of a CPython 3.6 interpreter, from pyenv or PATH, or None."""
    candidates = []
    try:
        root = subprocess.check_output(["pyenv", "root"], universal_newlines=True).strip()
        versions = subprocess.check_output(
            ["pyenv", "versions", "--bare"], universal_newlines=True
        ).split()
        candidates += [
            os.path.join(root, "versions", v, "bin", "python3.6")
            for v in sorted(versions, reverse=True)
            if v.startswith("3.6")
        ]
    except (OSError, subprocess.CalledProcessError):
        pass
    on_path = shutil.which("python3.6")
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        try:
            out = subprocess.check_output(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 6))"],
                universal_newlines=True,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, subprocess.CalledProcessError):
            continue
        if out.strip() == "True":
            return candidate
    return None


def resolve_on_py36(python36: str, work: str) -> List[Tuple[str, str, str]]:
    """Return (name, version, file) of every distribution pip on 3.6 picks for the input."""
    venv = os.path.join(work, "venv36")
    subprocess.check_call([python36, "-m", "venv", venv])
    pip = [os.path.join(venv, "bin", "python"), "-m", "pip", "--disable-pip-version-check"]
    pip_version = PIP_FOR_PY36 if build.TARGET_PYTHON == (3, 6) else PIP_FOR_NEWER
    subprocess.check_call(pip + ["install", "--quiet", pip_version])
    resolved = os.path.join(work, "resolved")
    subprocess.check_call(
        pip + ["download", "--quiet", "--prefer-binary", "-d", resolved, "-r", in_path()]
    )
    found = []
    for path in sorted(glob.glob(os.path.join(resolved, "*"))):
        filename = os.path.basename(path)
        if filename.endswith(".whl"):
            name, version, _ = build.parse_wheel_filename(filename)
        else:
            name, version = build.parse_sdist_filename(filename)
        found.append((name, version, filename))
    return found


def requires_python_of(path: str) -> str:
    """Return the Requires-Python of a wheel or sdist file ('' when it states none)."""
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
            metadata = archive.read(names[0]).decode("utf-8")
    else:
        with tarfile.open(path, "r:gz") as archive:
            member = next(
                m
                for m in archive.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            )
            handle = archive.extractfile(member)
            metadata = handle.read().decode("utf-8") if handle else ""
    return build._metadata_field(metadata, "Requires-Python")


def fetch_for_layer(pins: List[Tuple[str, str, str]], work: str) -> List[build.Pin]:
    """Fetch each pin as layer/build.py will, and return the pins with hashes and files."""
    target = os.path.join(work, "layer")
    os.makedirs(target)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "download", "--no-deps"]
    result = []
    for name, version, resolved_file in pins:
        before = set(os.listdir(target))
        if resolved_file.endswith(".whl"):
            args = build.PIP_PLATFORM_ARGS
        elif build.canonical_name(name) in build.PURE_SDISTS:
            args = ["--no-binary=:all:"]
        else:
            raise build.BuildError(
                "%s==%s has no wheel for CPython 3.6 on manylinux" % (name, version)
            )
        subprocess.check_call(pip + ["--quiet"] + args + ["-d", target, "%s==%s" % (name, version)])
        (filename,) = set(os.listdir(target)) - before
        path = os.path.join(target, filename)
        result.append(
            build.Pin(name, version, [build.sha256_of(path)], filename, requires_python_of(path))
        )
    pins_ = sorted(result, key=lambda p: build.canonical_name(p.name))
    build.verify(pins_, target)
    return pins_


def render(pins: List[build.Pin]) -> str:
    """Return the text of the lock for the given pins."""
    lines = [header()]
    for pin in pins:
        lines.append("%s==%s \\" % (build.canonical_name(pin.name), pin.version))
        hashes = ["    --hash=sha256:%s" % h for h in pin.hashes]
        lines.extend(line + " \\" for line in hashes[:-1])
        lines.append(hashes[-1])
        comment = "    # file: %s" % pin.filename
        if pin.requires_python:
            comment += "  requires-python: %s" % pin.requires_python
        lines.append(comment)
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python-version",
        default="3.6",
        choices=["%d.%d" % version for version in sorted(build.RUNTIMES)],
        help="the SCF runtime the lock is for (default: %(default)s)",
    )
    parser.add_argument(
        "--python",
        "--python36",
        dest="python",
        help="a CPython of that version (default: find one)",
    )
    parser.add_argument("--output", help="(default: the runtime's lock)")
    args = parser.parse_args(argv)
    version = tuple(int(part) for part in args.python_version.split("."))
    build.use_python(version)
    python = args.python or build.find_python(version)
    if not python:
        print(
            "layer/lock.py: no CPython %s found (pyenv or python%s on PATH)"
            % (args.python_version, args.python_version),
            file=sys.stderr,
        )
        return 1
    output = args.output or build.LOCK_PATH
    work = tempfile.mkdtemp(prefix="layer-lock-")
    try:
        pins = fetch_for_layer(resolve_on_py36(python, work), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(output, "w", encoding="utf-8") as f:
        f.write(render(pins))
    print("wrote %s: %d packages" % (output, len(pins)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
