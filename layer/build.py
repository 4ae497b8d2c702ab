"""Build the Python 3.6 dependency layer for Tencent SCF and AWS Lambda.

    python layer/build.py [--python-version 3.6|3.10] [--wheel-dir DIR] [--dist-dir DIR]
                          [--offline] [--python PATH]

Runs on any OS with Python 3.6+ and pip, standard library only. Everything comes from
layer/requirements.lock: each pinned file is downloaded for CPython 3.6 on manylinux x86_64
(glibc 2.17) with pip's hash checking, checked again here (hash, wheel tags, the binaries
inside, Requires-Python), unpacked, trimmed, compiled to CPython 3.6 bytecode and zipped twice:

- layer/dist/maimai-probe-layer-py36-tencent.zip: packages at the zip root (SCF: /opt)
- layer/dist/maimai-probe-layer-py36-aws.zip: packages under python/ (Lambda: /opt/python)

The bytecode (__pycache__/*.cpython-36.pyc) needs a real CPython 3.6 (--python36, else pyenv's
3.6, else python3.6 on PATH); without one the layer is built without it, and says so.

The zips are reproducible: sorted entries, fixed timestamps and permissions, bytecode compiled
with a fixed hash seed against sources stamped with the zip entries' fixed time.
"""

import argparse
import base64
import calendar
import concurrent.futures
import glob
import hashlib
import importlib.util
import os
import posixpath
import re
import shutil
import stat
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
LOCK_PATH = os.path.join(HERE, "requirements.lock")
DICTIONARY_MODULE = os.path.join(
    os.path.dirname(HERE), "src", "maimai_probe", "catalog", "dictionary.py"
)
WHEEL_DIR = os.path.join(HERE, "build", "wheels")
DIST_DIR = os.path.join(HERE, "dist")
LAYER_NAME = "maimai-probe-layer-py36"

TARGET_PYTHON = (3, 6)
GLIBC_MAX = (2, 17)  # manylinux2014 / CentOS 7, the oldest runtime we deploy to
#: The SCF Python runtimes a layer is built for: the design's 3.6 (CentOS 7, glibc 2.17) and
#: 3.10, the newest SCF offers (CentOS 8.5, glibc 2.28: Tencent's scf_bootstrap docs).
RUNTIMES = {(3, 6): (2, 17), (3, 10): (2, 28)}
PIP_PLATFORM_ARGS = [
    "--only-binary=:all:",
    "--implementation",
    "cp",
    "--python-version",
    "3.6",
    "--abi",
    "cp36m",
    "--platform",
    "manylinux2014_x86_64",
    "--platform",
    "manylinux_2_17_x86_64",
    "--platform",
    "manylinux2010_x86_64",
    "--platform",
    "manylinux_2_12_x86_64",
    "--platform",
    "manylinux1_x86_64",
    "--platform",
    "manylinux_2_5_x86_64",
]


def abi_tag(python: Tuple[int, int]) -> str:
    """Return CPython's ABI tag for a version: cp36m up to 3.7, cp38 and so on after."""
    return "cp%d%d%s" % (python[0], python[1], "m" if python < (3, 8) else "")


def use_python(python: Tuple[int, int]) -> None:
    """Build for another of RUNTIMES: its lock, layer name, wheel tags and bytecode.

    The 3.6 layer keeps its historical names (requirements.lock); others add the version:
    requirements-py310.lock, maimai-probe-layer-py310.
    """
    global TARGET_PYTHON, GLIBC_MAX, PIP_PLATFORM_ARGS, BYTECODE_TAG, LAYER_NAME, LOCK_PATH
    if python not in RUNTIMES:
        raise BuildError("no layer for Python %d.%d: one of %s" % (python + (RUNTIMES,)))
    digits = "%d%d" % python
    TARGET_PYTHON = python
    GLIBC_MAX = RUNTIMES[python]
    LAYER_NAME = "maimai-probe-layer-py" + digits
    LOCK_PATH = os.path.join(
        HERE, "requirements.lock" if python == (3, 6) else "requirements-py%s.lock" % digits
    )
    BYTECODE_TAG = "cpython-" + digits
    platforms = ["manylinux_2_28_x86_64"] if GLIBC_MAX >= (2, 28) else []
    platforms += [
        "manylinux2014_x86_64",
        "manylinux_2_17_x86_64",
        "manylinux2010_x86_64",
        "manylinux_2_12_x86_64",
        "manylinux1_x86_64",
        "manylinux_2_5_x86_64",
    ]
    PIP_PLATFORM_ARGS = ["--only-binary=:all:", "--implementation", "cp"]
    PIP_PLATFORM_ARGS += ["--python-version", "%d.%d" % python, "--abi", abi_tag(python)]
    for platform in platforms:
        PIP_PLATFORM_ARGS += ["--platform", platform]


# Projects that publish no wheel: pure-Python sdists, installed by copying these top-level
# packages out of the archive. Anything with compiled code is refused.
PURE_SDISTS = {"jieba": ["jieba"]}

# What the app never loads: jieba's PaddlePaddle model, test suites, C sources and headers.
TRIM_PREFIXES = ("jieba/lac_small/",)
TRIM_DIRS = ("__pycache__", "tests", "test")
TRIM_SUFFIXES = (".pyc", ".pyo", ".c", ".cpp", ".h", ".hpp", ".pyx", ".pxd")

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# The same time as seconds since the epoch (UTC): every source file's mtime when it is
# compiled, so that the stamp in its .pyc matches the file unzipped on the platform. Each entry
# also carries it in an extended-timestamp field (0x5455), which Info-ZIP's unzip restores as
# is; the DOS time alone would be read in the local time zone of whatever unzips it.
ZIP_MTIME = calendar.timegm(ZIP_DATE + (0, 0, 0))
EXTENDED_TIMESTAMP = struct.pack("<HHBl", 0x5455, 5, 1, ZIP_MTIME)
BYTECODE_TAG = "cpython-36"
FILE_MODE = 0o644
EXEC_MODE = 0o755

SHARED_OBJECT_RE = re.compile(r"\.so(\.[0-9]+)*$")
EXTENSION_SUFFIX_RE = re.compile(r"\.cpython-(\d+)([a-z]*)-([^./]+)\.so$")
GLIBC_RE = re.compile(rb"GLIBC_(\d+)\.(\d+)")
ELF_MAGIC = b"\x7fELF"
MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
ELF_MACHINE_X86_64 = 62


class BuildError(Exception):
    """A pinned file is missing, altered or not for the layer's platform."""


class Pin(NamedTuple):
    """One locked distribution: name==version, its allowed hashes and its file."""

    name: str
    version: str
    hashes: List[str]
    filename: str
    requires_python: str


def canonical_name(name: str) -> str:
    """Return a project name normalized as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --- the lock -------------------------------------------------------------------------------

_PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
_HASH_RE = re.compile(r"--hash=sha256:([0-9a-f]{64})")
_FILE_RE = re.compile(r"^#\s*file:\s*(\S+)(?:\s+requires-python:\s*(.*))?$", re.IGNORECASE)


def parse_lock(text: str) -> List[Pin]:
    """Parse a hashed requirements lock whose entries each name their file in a comment."""
    entries = []  # type: List[dict]
    logical = ""
    for raw in text.splitlines():
        line = raw.strip()
        if logical:
            logical += " " + line.rstrip("\\").strip()
            if not line.endswith("\\"):
                _add_requirement(entries, logical)
                logical = ""
            continue
        if not line:
            continue
        if line.startswith("#"):
            match = _FILE_RE.match(line)
            if match and entries:
                entries[-1]["filename"] = match.group(1)
                entries[-1]["requires_python"] = (match.group(2) or "").strip()
            continue
        if line.endswith("\\"):
            logical = line.rstrip("\\").strip()
        else:
            _add_requirement(entries, line)
    if logical:
        _add_requirement(entries, logical)
    pins = []
    for entry in entries:
        if not entry.get("filename"):
            raise BuildError("%s==%s names no file in the lock" % (entry["name"], entry["version"]))
        pins.append(
            Pin(
                entry["name"],
                entry["version"],
                entry["hashes"],
                entry["filename"],
                entry.get("requires_python", ""),
            )
        )
    return pins


def _add_requirement(entries: List[dict], line: str) -> None:
    match = _PIN_RE.match(line)
    if not match:
        raise BuildError("not an exact pin: %r" % line)
    hashes = _HASH_RE.findall(line)
    if not hashes:
        raise BuildError("no sha256 hash for %r" % line)
    entries.append({"name": match.group(1), "version": match.group(2), "hashes": hashes})


def read_lock(path: Optional[str] = None) -> List[Pin]:
    """Read and parse the lock file at path (default: the target's lock)."""
    path = path or LOCK_PATH
    with open(path, encoding="utf-8") as f:
        return parse_lock(f.read())


# --- file names and tags --------------------------------------------------------------------


def parse_wheel_filename(filename: str) -> Tuple[str, str, List[Tuple[str, str, str]]]:
    """Return (name, version, [(python, abi, platform), ...]) of a wheel file name."""
    base = os.path.basename(filename)
    if not base.endswith(".whl"):
        raise BuildError("not a wheel: %s" % base)
    parts = base[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise BuildError("malformed wheel file name: %s" % base)
    name, version = parts[0], parts[1]
    pythons, abis, platforms = parts[-3], parts[-2], parts[-1]
    tags = [
        (py, abi, plat)
        for py in pythons.split(".")
        for abi in abis.split(".")
        for plat in platforms.split(".")
    ]
    return name, version, tags


def parse_sdist_filename(filename: str) -> Tuple[str, str]:
    """Return (name, version) of an sdist file name."""
    base = os.path.basename(filename)
    for suffix in (".tar.gz", ".zip"):
        if base.endswith(suffix):
            name, _, version = base[: -len(suffix)].rpartition("-")
            if name and version:
                return name, version
    raise BuildError("not an sdist: %s" % base)


def platform_supported(platform: str) -> bool:
    """Tell whether a wheel platform tag runs on manylinux x86_64 with glibc 2.17."""
    if platform == "any":
        return True
    if platform in ("manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"):
        return True
    match = re.match(r"^manylinux_(\d+)_(\d+)_x86_64$", platform)
    return bool(match) and (int(match.group(1)), int(match.group(2))) <= GLIBC_MAX


def _cpython_minor(tag: str) -> Optional[int]:
    match = re.match(r"^cp3(\d+)$", tag)
    return int(match.group(1)) if match else None


def tag_supported(python: str, abi: str, platform: str) -> bool:
    """Tell whether one (python, abi, platform) wheel tag installs on the target CPython."""
    if not platform_supported(platform):
        return False
    minor = _cpython_minor(python)
    target = "cp%d%d" % TARGET_PYTHON
    if abi == "none":
        if python in ("py3", target):
            return True
        match = re.match(r"^py3(\d+)$", python)
        return bool(match) and int(match.group(1)) <= TARGET_PYTHON[1]
    if abi == abi_tag(TARGET_PYTHON):
        return python == target
    if abi == "abi3":
        return minor is not None and 2 <= minor <= TARGET_PYTHON[1]
    return False


def filename_supported(filename: str) -> bool:
    """Tell whether any of the tags in a wheel file name installs on the layer's Python."""
    return any(tag_supported(*tag) for tag in parse_wheel_filename(filename)[2])


# --- Requires-Python ------------------------------------------------------------------------


def _version_tuple(text: str) -> Tuple[int, ...]:
    numbers = []
    for part in text.split("."):
        match = re.match(r"^(\d+)", part)
        if not match:
            break
        numbers.append(int(match.group(1)))
    return tuple(numbers)


def _pad(version: Tuple[int, ...], length: int) -> Tuple[int, ...]:
    return version + (0,) * (length - len(version))


def _clause_admits(clause: str, python: Tuple[int, ...]) -> bool:
    match = re.match(r"^(~=|===|==|!=|<=|>=|<|>)\s*(.+)$", clause.strip())
    if not match:
        raise BuildError("cannot read Requires-Python clause %r" % clause)
    op, text = match.group(1), match.group(2).strip()
    if op in ("==", "!=") and text.endswith(".*"):
        prefix = _version_tuple(text[:-2])
        equal = _pad(python, len(prefix))[: len(prefix)] == prefix
        return equal if op == "==" else not equal
    version = _version_tuple(text)
    length = max(len(version), len(python))
    left, right = _pad(python, length), _pad(version, length)
    if op in ("==", "==="):
        return left == right
    if op == "!=":
        return left != right
    if op == "<=":
        return left <= right
    if op == ">=":
        return left >= right
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    # ~=X.Y[.Z]: >= X.Y[.Z] and == X[.Y].*
    prefix = version[:-1]
    return left >= right and _pad(python, len(prefix))[: len(prefix)] == prefix


def python_admitted(requires_python: str, python: Optional[Tuple[int, ...]] = None) -> bool:
    """Tell whether a Requires-Python specifier admits the given Python (default: the target)."""
    python = python or TARGET_PYTHON
    clauses = [c for c in requires_python.split(",") if c.strip()]
    return all(_clause_admits(clause, python) for clause in clauses)


def _metadata_field(metadata: str, field: str) -> str:
    prefix = field.lower() + ":"
    for line in metadata.splitlines():
        if not line.strip():
            break  # headers end at the first blank line; the description follows
        if line.lower().startswith(prefix):
            return line[len(prefix) :].strip()
    return ""


# --- checking files -------------------------------------------------------------------------


def sha256_of(path: str) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _safe_member(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not name.startswith(("/", "\\")) and ".." not in parts and ":" not in parts[0]


def binary_problems(name: str, data: bytes) -> List[str]:
    """Return why one member of a wheel cannot load on CPython 3.6 on x86_64 Linux."""
    base = name.rsplit("/", 1)[-1]
    lower = base.lower()
    problems = []
    if lower.endswith((".pyd", ".dll", ".exe", ".dylib")):
        problems.append("%s: a Windows or macOS binary" % name)
    match = EXTENSION_SUFFIX_RE.search(base)
    if match:
        version, flags, platform = match.groups()
        expected = abi_tag(TARGET_PYTHON)[2:]
        if version + flags != expected:
            problems.append("%s: an extension module for CPython %s%s" % (name, version, flags))
        if platform != "x86_64-linux-gnu":
            problems.append("%s: an extension module for %s" % (name, platform))
    if data[:4] in MACHO_MAGICS:
        problems.append("%s: a Mach-O (macOS) binary" % name)
    elif data[:4] == ELF_MAGIC:
        if len(data) < 20 or data[4] != 2 or data[5] != 1:
            problems.append("%s: not a 64-bit little-endian ELF file" % name)
        elif int.from_bytes(data[18:20], "little") != ELF_MACHINE_X86_64:
            problems.append("%s: an ELF file for another machine than x86_64" % name)
        glibc = max((tuple(map(int, v)) for v in GLIBC_RE.findall(data)), default=(0, 0))
        if glibc > GLIBC_MAX:
            problems.append(
                "%s: needs glibc %d.%d, newer than %d.%d" % ((name,) + glibc + GLIBC_MAX)
            )
    elif SHARED_OBJECT_RE.search(lower):
        problems.append("%s: a shared object that is not an ELF file" % name)
    return problems


def wheel_problems(path: str) -> List[str]:
    """Return every reason the wheel at path cannot go into the layer (empty: it can)."""
    base = os.path.basename(path)
    try:
        _, _, tags = parse_wheel_filename(base)
    except BuildError as exc:
        return [str(exc)]
    problems = []
    if not any(tag_supported(*tag) for tag in tags):
        problems.append("%s: no tag for CPython 3.6 on manylinux x86_64 (glibc 2.17)" % base)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return problems + ["%s: not a zip archive" % base]
    with archive:
        wheel_meta = metadata = ""
        for info in archive.infolist():
            name = info.filename
            if not _safe_member(name):
                problems.append("%s: unsafe member path %s" % (base, name))
                continue
            if name.endswith("/"):
                continue
            parts = name.split("/")
            if len(parts) == 2 and parts[0].endswith(".dist-info"):
                if parts[1] == "WHEEL":
                    wheel_meta = archive.read(info).decode("utf-8")
                elif parts[1] == "METADATA":
                    metadata = archive.read(info).decode("utf-8")
            problems.extend("%s: %s" % (base, p) for p in binary_problems(name, archive.read(info)))
    if not metadata:
        problems.append("%s: no .dist-info/METADATA" % base)
    requires_python = _metadata_field(metadata, "Requires-Python")
    if requires_python and not python_admitted(requires_python):
        problems.append("%s: Requires-Python %s excludes 3.6" % (base, requires_python))
    inner_tags = [
        tuple(line.split(":", 1)[1].strip().split("-"))
        for line in wheel_meta.splitlines()
        if line.startswith("Tag:")
    ]
    if wheel_meta and not any(len(t) == 3 and tag_supported(*t) for t in inner_tags):
        problems.append("%s: its WHEEL file names no tag for CPython 3.6" % base)
    return problems


def sdist_problems(path: str, packages: Iterable[str]) -> List[str]:
    """Return why a pure-Python sdist cannot be installed by copying its packages."""
    base = os.path.basename(path)
    problems = []
    with tarfile.open(path, "r:gz") as archive:
        names = archive.getnames()
        roots = {n.split("/", 1)[0] for n in names}
        if len(roots) != 1:
            return ["%s: expected one top-level folder, found %s" % (base, sorted(roots))]
        root = roots.pop()
        for package in packages:
            if root + "/" + package + "/__init__.py" not in names:
                problems.append("%s: has no package %s" % (base, package))
        for name in names:
            if not _safe_member(name):
                problems.append("%s: unsafe member path %s" % (base, name))
            elif name.endswith((".c", ".cpp", ".pyx", ".so", ".pyd")):
                problems.append("%s: compiled code %s (not pure Python)" % (base, name))
        setup = archive.extractfile(root + "/setup.py") if root + "/setup.py" in names else None
        if setup is not None and b"ext_modules" in setup.read():
            problems.append("%s: setup.py builds extension modules" % base)
    return problems


# --- fetching -------------------------------------------------------------------------------


def is_sdist(pin: Pin) -> bool:
    """Tell whether the pinned file is a source archive rather than a wheel."""
    return not pin.filename.endswith(".whl")


def _have(pin: Pin, wheel_dir: str) -> bool:
    path = os.path.join(wheel_dir, pin.filename)
    return os.path.isfile(path) and sha256_of(path) in pin.hashes


def _pip_download(pins: List[Pin], wheel_dir: str, extra_args: List[str]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        for pin in pins:
            hashes = " ".join("--hash=sha256:" + h for h in pin.hashes)
            req.write("%s==%s %s\n" % (pin.name, pin.version, hashes))
    try:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes"]
        command += ["--disable-pip-version-check", "--dest", wheel_dir, "-r", req.name]
        # pip's progress is kept quiet; its whole output is shown when it fails.
        done = subprocess.run(
            command + extra_args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
        )
    finally:
        os.unlink(req.name)
    if done.returncode != 0:
        sys.stderr.write(done.stdout.decode("utf-8", "replace"))
        raise BuildError("pip download failed (exit %d)" % done.returncode)
    print("layer/build.py: downloaded %d pinned files into %s" % (len(pins), wheel_dir))


def fetch(pins: List[Pin], wheel_dir: str, offline: bool = False) -> None:
    """Make sure wheel_dir holds every pinned file, downloading what is missing."""
    os.makedirs(wheel_dir, exist_ok=True)
    missing = [pin for pin in pins if not _have(pin, wheel_dir)]
    if missing and offline:
        names = ", ".join(pin.filename for pin in missing)
        raise BuildError("offline, and %s holds no %s" % (wheel_dir, names))
    wheels = [pin for pin in missing if not is_sdist(pin)]
    sdists = [pin for pin in missing if is_sdist(pin)]
    if wheels:
        _pip_download(wheels, wheel_dir, PIP_PLATFORM_ARGS)
    if sdists:
        _pip_download(sdists, wheel_dir, ["--no-binary=:all:"])


def verify(pins: List[Pin], wheel_dir: str) -> None:
    """Check every pinned file: present, its hash locked, its name, tags and binaries right."""
    problems = []
    for pin in pins:
        path = os.path.join(wheel_dir, pin.filename)
        if not os.path.isfile(path):
            problems.append("%s: missing from %s" % (pin.filename, wheel_dir))
            continue
        if sha256_of(path) not in pin.hashes:
            problems.append("%s: sha256 does not match the lock" % pin.filename)
            continue
        if is_sdist(pin):
            name, version = parse_sdist_filename(pin.filename)
            packages = PURE_SDISTS.get(canonical_name(pin.name))
            if packages is None:
                problems.append("%s: an sdist, and only wheels are allowed" % pin.filename)
            else:
                problems.extend(sdist_problems(path, packages))
        else:
            name, version, _ = parse_wheel_filename(pin.filename)
            problems.extend(wheel_problems(path))
        if (canonical_name(name), version) != (canonical_name(pin.name), pin.version):
            problems.append("%s: is not %s==%s" % (pin.filename, pin.name, pin.version))
    if problems:
        raise BuildError("refusing to build the layer:\n  " + "\n  ".join(problems))


# --- unpacking ------------------------------------------------------------------------------


def trimmed(path: str) -> bool:
    """Tell whether an installed path is something the app never loads."""
    parts = path.split("/")
    if any(part == "__pycache__" for part in parts):
        return True
    if len(parts) > 2 and any(part in TRIM_DIRS for part in parts[1:-1]):
        return True
    if not parts[0].endswith(".dist-info") and path.endswith(TRIM_SUFFIXES):
        return True
    return path.startswith(TRIM_PREFIXES)


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def _with_record(files: Dict[str, bytes], dist_info: str) -> Dict[str, bytes]:
    record = dist_info + "/RECORD"
    lines = [_record_line(path, files[path]) for path in sorted(files) if path != record]
    files[record] = ("\n".join(lines + [record + ",,"]) + "\n").encode("utf-8")
    return files


def wheel_files(path: str) -> Dict[str, bytes]:
    """Return the files a wheel installs (path -> bytes), trimmed, with a true RECORD."""
    files = {}  # type: Dict[str, bytes]
    dist_info = None
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename
            if name.endswith("/"):
                continue
            parts = name.split("/")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue  # headers, scripts and data files are not importable
                name = "/".join(parts[2:])
            elif parts[0].endswith(".dist-info") and dist_info is None:
                dist_info = parts[0]
            if trimmed(name):
                continue
            files[name] = archive.read(info)
    if dist_info is None:
        raise BuildError("%s has no .dist-info" % os.path.basename(path))
    return _with_record(files, dist_info)


def sdist_files(path: str, name: str, version: str, packages: Iterable[str]) -> Dict[str, bytes]:
    """Return the files of a pure-Python sdist's packages, as a wheel would install them."""
    files = {}  # type: Dict[str, bytes]
    with tarfile.open(path, "r:gz") as archive:
        members = archive.getmembers()
        root = members[0].name.split("/", 1)[0]
        pkg_info = archive.extractfile(root + "/PKG-INFO")
        if pkg_info is None:
            raise BuildError("%s has no PKG-INFO" % os.path.basename(path))
        for member in members:
            if not member.isfile():
                continue
            relative = member.name.split("/", 1)[1] if "/" in member.name else ""
            if any(relative.startswith(p + "/") for p in packages) and not trimmed(relative):
                handle = archive.extractfile(member)
                if handle is not None:
                    files[relative] = handle.read()
        dist_info = "%s-%s.dist-info" % (name.replace("-", "_"), version)
        files[dist_info + "/METADATA"] = pkg_info.read()
        files[dist_info + "/top_level.txt"] = ("\n".join(sorted(packages)) + "\n").encode()
        files[dist_info + "/INSTALLER"] = b"layer/build.py\n"
    return _with_record(files, dist_info)


def collect(pins: List[Pin], wheel_dir: str) -> Dict[str, bytes]:
    """Return every file of the layer (path -> bytes) from the verified pinned files."""
    layer = {}  # type: Dict[str, bytes]
    for pin in pins:
        path = os.path.join(wheel_dir, pin.filename)
        if is_sdist(pin):
            packages = PURE_SDISTS[canonical_name(pin.name)]
            files = sdist_files(path, pin.name, pin.version, packages)
        else:
            files = wheel_files(path)
        clashes = sorted(set(files) & set(layer))
        if clashes:
            raise BuildError("%s overwrites %s" % (pin.filename, ", ".join(clashes[:5])))
        layer.update(files)
    return layer


def with_prepared_dictionary(files: Dict[str, bytes]) -> Dict[str, bytes]:
    """Add jieba's prepared dictionary beside its dict.txt, so no cold start builds one.

    The app reads it shard by shard (src/maimai_probe/catalog/dictionary.py, loaded here by
    its path: it needs nothing but the standard library); without it each container would
    build it into its temp dir on the first search.
    """
    source = "jieba/dict.txt"
    if source not in files:
        return files
    spec = importlib.util.spec_from_file_location("jieba_dictionary", DICTIONARY_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore
    prepared = posixpath.join(posixpath.dirname(source), module.SHIPPED_NAME)
    return dict(files, **{prepared: module.prepare(files[source])})


# --- bytecode -------------------------------------------------------------------------------

_IS_CPYTHON36 = (
    "import platform, sys; "
    "print(platform.python_implementation(), sys.version_info[0], sys.version_info[1])"
)

# Runs in CPython 3.6: compile every source under argv[1] to __pycache__/*.cpython-36.pyc,
# optimisation level 0, each code object's file name under argv[2] (the import system puts the
# real path back when it loads a .pyc). compile_dir goes through each folder in sorted order.
_COMPILE = (
    "import compileall, sys; "
    "compileall.compile_dir(sys.argv[1], maxlevels=1000, ddir=sys.argv[2], force=True, "
    "quiet=2, legacy=False, optimize=0)"
)


def is_cpython36(python: str) -> bool:
    """Tell whether the interpreter at python is CPython 3.6."""
    return is_cpython(python, (3, 6))


def is_cpython(python: str, version: Tuple[int, int]) -> bool:
    """Tell whether the interpreter at python is CPython of the given version."""
    try:
        done = subprocess.run(
            [python, "-c", _IS_CPYTHON36],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    expected = [b"CPython"] + [str(part).encode() for part in version]
    return done.returncode == 0 and done.stdout.split() == expected


def _pyenv_roots() -> List[str]:
    roots = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            done = subprocess.run(
                [pyenv, "root"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                timeout=60,
                check=False,
            )
            if done.returncode == 0 and done.stdout.strip():
                roots.append(done.stdout.decode().strip())
        except (OSError, subprocess.SubprocessError):
            pass
    roots.append(os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv"))
    return roots


def find_python36() -> Optional[str]:
    """Return a CPython 3.6 interpreter: pyenv's newest 3.6, else python3.6 on PATH."""
    return find_python((3, 6))


def find_python(version: Tuple[int, int]) -> Optional[str]:
    """Return a CPython of a version: pyenv's newest of it, else pythonX.Y on PATH."""
    short = "%d.%d" % version
    candidates = []  # type: List[str]
    for root in _pyenv_roots():
        found = glob.glob(os.path.join(root, "versions", short + ".*", "bin", "python" + short))
        found.sort(key=lambda path: _version_tuple(path.split(os.sep)[-3]), reverse=True)
        candidates.extend(found)
    on_path = shutil.which("python" + short)
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        if is_cpython(candidate, version):
            return candidate
    return None


def cache_path(source: str) -> str:
    """Return where CPython 3.6 looks for the bytecode of source (a / path in the layer)."""
    folder, _, name = source.rpartition("/")
    cached = "__pycache__/%s.%s.pyc" % (name[: -len(".py")], BYTECODE_TAG)
    return folder + "/" + cached if folder else cached


def compile_bytecode(files: Dict[str, bytes], python: str) -> Tuple[Dict[str, bytes], List[str]]:
    """Compile the layer's sources with CPython 3.6; return {pyc path: bytes} and the failures.

    Each source is written with the zip entries' fixed mtime, so each .pyc is stamped with that
    time and the source's size: what the platform's unzip gives the file. The hash seed is fixed,
    as it orders the constant sets the compiler emits.
    """
    sources = sorted(path for path in files if path.endswith(".py"))
    work = tempfile.mkdtemp(prefix="layer-bytecode-")
    try:
        tree = os.path.join(work, "opt")
        for path in sources:
            target = os.path.join(tree, *path.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(files[path])
            os.utime(target, (ZIP_MTIME, ZIP_MTIME))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONHASHSEED": "0",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONDONTWRITEBYTECODE": "",
        }
        if "SYSTEMROOT" in os.environ:  # Windows needs it to start any process
            env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
        done = subprocess.run(
            [python, "-S", "-c", _COMPILE, tree, "/opt"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        if done.returncode != 0:
            output = done.stdout.decode("utf-8", "replace")[-2000:]
            raise BuildError("%s could not compile the layer: %s" % (python, output))
        bytecode = {}  # type: Dict[str, bytes]
        failures = []
        for path in sources:
            cached = cache_path(path)
            try:
                with open(os.path.join(tree, *cached.split("/")), "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                failures.append(path)  # not valid 3.6 syntax: it would not import either
                continue
            # 3.6's header: magic, mtime, size; from 3.7 on a flags word comes before them.
            start = 4 if TARGET_PYTHON < (3, 7) else 8
            stamp = struct.unpack("<II", data[start : start + 8])
            if stamp != (ZIP_MTIME, len(files[path]) & 0xFFFFFFFF):
                raise BuildError("%s: %s stamped %r, not the zip's time" % (python, cached, stamp))
            bytecode[cached] = data
        return bytecode, failures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def with_bytecode(files: Dict[str, bytes], bytecode: Dict[str, bytes]) -> Dict[str, bytes]:
    """Return the layer with its bytecode added, each RECORD listing its distribution's."""
    layer = dict(files)
    layer.update(bytecode)
    for record in sorted(p for p in files if p.endswith(".dist-info/RECORD") and p.count("/") == 1):
        listed = [line.split(",")[0] for line in files[record].decode("utf-8").splitlines()]
        owned = {path: files[path] for path in listed if path in files and path != record}
        for path in listed:
            if path.endswith(".py") and cache_path(path) in bytecode:
                owned[cache_path(path)] = bytecode[cache_path(path)]
        layer[record] = _with_record(owned, record.split("/")[0])[record]
    return layer


# --- zipping --------------------------------------------------------------------------------


def _zip_info(name: str, mode: int, is_dir: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.create_system = 3  # Unix, so that the permissions below are honoured
    kind = stat.S_IFDIR if is_dir else stat.S_IFREG
    info.external_attr = ((kind | mode) << 16) | (0x10 if is_dir else 0)
    info.compress_type = zipfile.ZIP_STORED if is_dir else zipfile.ZIP_DEFLATED
    info.extra = EXTENDED_TIMESTAMP
    return info


def write_zip(path: str, files: Dict[str, bytes], prefix: str = "") -> None:
    """Write files into a zip at path, byte for byte the same for the same files."""
    entries = {}  # type: Dict[str, Optional[bytes]]
    for name, data in files.items():
        full = prefix + name
        parts = full.split("/")
        for depth in range(1, len(parts)):
            entries["/".join(parts[:depth]) + "/"] = None
        entries[full] = data
    options = {"compresslevel": 6} if sys.version_info >= (3, 7) else {}
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            data = entries[name]
            if data is None:
                archive.writestr(_zip_info(name, EXEC_MODE, True), b"")
            else:
                mode = EXEC_MODE if SHARED_OBJECT_RE.search(name) else FILE_MODE
                archive.writestr(_zip_info(name, mode, False), data, **options)
    os.replace(tmp, path)


class Artifact(NamedTuple):
    """One built layer zip."""

    path: str
    size: int
    sha256: str


def build(
    lock_path: Optional[str] = None,
    wheel_dir: str = WHEEL_DIR,
    dist_dir: str = DIST_DIR,
    offline: bool = False,
    python36: Optional[str] = None,
) -> List[Artifact]:
    """Fetch, verify, unpack, trim, compile and zip the layer; return the zips written.

    The bytecode is compiled with the CPython 3.6 at python36; None builds the layer without.
    """
    pins = read_lock(lock_path or LOCK_PATH)
    fetch(pins, wheel_dir, offline=offline)
    verify(pins, wheel_dir)
    layer = with_prepared_dictionary(collect(pins, wheel_dir))
    if python36 is not None:
        bytecode, failures = compile_bytecode(layer, python36)
        layer = with_bytecode(layer, bytecode)
        for path in failures:
            print("layer/build.py: %s does not compile on 3.6: no bytecode" % path, file=sys.stderr)
    os.makedirs(dist_dir, exist_ok=True)

    def write(flavour: str, prefix: str) -> Artifact:
        path = os.path.join(dist_dir, "%s-%s.zip" % (LAYER_NAME, flavour))
        write_zip(path, layer, prefix)
        return Artifact(path, os.path.getsize(path), sha256_of(path))

    # zlib lets go of the GIL while it compresses: the two zips take the time of one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        artifacts = list(pool.map(write, *zip(("tencent", ""), ("aws", "python/"))))
    sums = "".join("%s  %s\n" % (a.sha256, os.path.basename(a.path)) for a in artifacts)
    sums_name = "SHA256SUMS" if TARGET_PYTHON == (3, 6) else "SHA256SUMS-py%d%d" % TARGET_PYTHON
    with open(os.path.join(dist_dir, sums_name), "w", encoding="utf-8") as f:
        f.write(sums)
    return artifacts


def _loud(message: str) -> None:
    bar = "!" * 78
    print("%s\n!!! layer/build.py: %s\n%s" % (bar, message, bar), file=sys.stderr)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python-version",
        default="3.6",
        choices=["%d.%d" % version for version in sorted(RUNTIMES)],
        help="the SCF runtime the layer is for (default: %(default)s)",
    )
    parser.add_argument("--lock", help="the hashed lock (default: the runtime's)")
    parser.add_argument("--wheel-dir", default=WHEEL_DIR, help="download cache (%(default)s)")
    parser.add_argument("--dist-dir", default=DIST_DIR, help="where the zips go (%(default)s)")
    parser.add_argument(
        "--offline", action="store_true", help="use only the files already in --wheel-dir"
    )
    parser.add_argument(
        "--python",
        "--python36",
        dest="python",
        help="the CPython that compiles the bytecode (default: pyenv's, or pythonX.Y on PATH)",
    )
    parser.add_argument("--no-bytecode", action="store_true", help="build without bytecode")
    args = parser.parse_args(argv)
    version = tuple(int(part) for part in args.python_version.split("."))
    use_python(version)
    python = None  # type: Optional[str]
    if args.python and not args.no_bytecode:
        if not is_cpython(args.python, version):
            print(
                "layer/build.py: %s is not a CPython %s" % (args.python, args.python_version),
                file=sys.stderr,
            )
            return 1
        python = args.python
    elif not args.no_bytecode:
        python = find_python(version)
    missing = (
        "no CPython %s found (pyenv's, python%s on PATH or --python PATH): the layer is built "
        "WITHOUT bytecode, and every cold start compiles its packages from source"
        % (args.python_version, args.python_version)
    )
    if python is None and not args.no_bytecode:
        _loud(missing)
    try:
        artifacts = build(
            args.lock, args.wheel_dir, args.dist_dir, offline=args.offline, python36=python
        )
    except BuildError as exc:
        print("layer/build.py: %s" % exc, file=sys.stderr)
        return 1
    for artifact in artifacts:
        print(
            "%s  %d bytes (%.1f MiB)  sha256 %s"
            % (artifact.path, artifact.size, artifact.size / 1048576.0, artifact.sha256)
        )
    if python is not None:
        print("layer/build.py: bytecode compiled with %s" % python, file=sys.stderr)
    elif args.no_bytecode:
        print("layer/build.py: no bytecode (--no-bytecode)", file=sys.stderr)
    else:
        _loud(missing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
