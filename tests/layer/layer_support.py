"""Helpers for the layer tests: layer/build.py as a module, and small fake wheels and sdists."""

import hashlib
import importlib.util
import io
import pathlib
import sys
import tarfile
import zipfile
from typing import Dict, Iterable, Optional, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAYER = ROOT / "layer"


def load_build():
    """Import layer/build.py (a script folder, not a package) as a module."""
    name = "maimai_layer_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, str(LAYER / "build.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def load_smoke():
    """Import layer/smoke.py as a module."""
    name = "maimai_layer_smoke"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, str(LAYER / "smoke.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def elf(machine: int = 62, glibc: Tuple[int, int] = (2, 14), bits: int = 64) -> bytes:
    """Return the start of an ELF shared object for a machine, needing a glibc version."""
    header = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1, 1]) + bytes(9)
    header += (3).to_bytes(2, "little") + machine.to_bytes(2, "little")
    return header + bytes(44) + b"\x00GLIBC_2.2.5\x00GLIBC_%d.%d\x00" % glibc


MACHO = b"\xcf\xfa\xed\xfe" + bytes(60)


def make_wheel(
    folder: pathlib.Path,
    filename: str,
    files: Optional[Dict[str, bytes]] = None,
    requires_python: Optional[str] = None,
    wheel_tags: Optional[Iterable[str]] = None,
) -> pathlib.Path:
    """Write a wheel with a METADATA and WHEEL file and the given members; return its path."""
    parts = filename[: -len(".whl")].split("-")
    name, version = parts[0], parts[1]
    if wheel_tags is None:
        wheel_tags = [
            "%s-%s-%s" % (py, abi, plat)
            for py in parts[-3].split(".")
            for abi in parts[-2].split(".")
            for plat in parts[-1].split(".")
        ]
    dist_info = "%s-%s.dist-info" % (name, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    if requires_python:
        metadata += "Requires-Python: %s\n" % requires_python
    wheel = "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
    wheel += "".join("Tag: %s\n" % tag for tag in wheel_tags)
    members = dict(files or {"%s/__init__.py" % name.lower(): b"VALUE = 1\n"})
    members[dist_info + "/METADATA"] = metadata.encode()
    members[dist_info + "/WHEEL"] = wheel.encode()
    members[dist_info + "/RECORD"] = b""
    path = folder / filename
    with zipfile.ZipFile(str(path), "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def make_sdist(folder: pathlib.Path, filename: str, files: Dict[str, bytes]) -> pathlib.Path:
    """Write a .tar.gz sdist whose members are put under its name-version/ folder."""
    root = filename[: -len(".tar.gz")]
    path = folder / filename
    with tarfile.open(str(path), "w:gz") as archive:
        for member, data in files.items():
            info = tarfile.TarInfo("%s/%s" % (root, member))
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def sha256(path: pathlib.Path) -> str:
    """Return the hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_lock(path: pathlib.Path, files: Iterable[pathlib.Path]) -> pathlib.Path:
    """Write a lock pinning each file by its name, version and sha256, as layer/lock.py does."""
    build = load_build()
    lines = []
    for file in files:
        if file.name.endswith(".whl"):
            name, version, _ = build.parse_wheel_filename(file.name)
        else:
            name, version = build.parse_sdist_filename(file.name)
        lines += [
            "%s==%s \\" % (build.canonical_name(name), version),
            "    --hash=sha256:%s" % sha256(file),
            "    # file: %s" % file.name,
        ]
    path.write_text("# a test lock\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path
