"""Build the AWS Lambda artifacts that aws/serverless.yml deploys.

    python aws/build.py [function|layer|all]

- .serverless/aws/function.zip: src/ (the packages and serverless_handler.py) and static/
  at the zip's root, the layout the app expects; no tests, caches or .env.
- .serverless/aws/layer.zip: requirements.txt installed under python/ by pip, as wheels
  for the Lambda runtime (CPython 3.13, manylinux x86_64); jieba, which ships no wheel,
  from its pure-Python sdist.

Standard library and pip only; the layer step needs the network. .serverless/ is ignored
by git.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from typing import Iterable, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, ".serverless", "aws")
FUNCTION_ZIP = os.path.join(OUTPUT, "function.zip")
LAYER_ZIP = os.path.join(OUTPUT, "layer.zip")

#: Must match provider.runtime in aws/serverless.yml.
LAMBDA_PYTHON = "3.13"
PLATFORM_ARGS = [
    "--platform",
    "manylinux2014_x86_64",
    "--implementation",
    "cp",
    "--python-version",
    LAMBDA_PYTHON,
    "--only-binary=:all:",
]
#: Requirements published as sdists only, pure Python, installed without platform tags.
SDIST_ONLY = ("jieba",)

_SKIPPED_DIRS = ("__pycache__",)
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # reproducible zips


def function_files(root: str = ROOT) -> List[Tuple[str, str]]:
    """Return (path on disk, name in the zip) for the function: src/ contents and static/."""
    files = list(_walk(os.path.join(root, "src"), ""))
    files.extend(_walk(os.path.join(root, "static"), "static/"))
    return sorted(files, key=lambda pair: pair[1])


def _walk(folder: str, prefix: str) -> Iterable[Tuple[str, str]]:
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [
            name
            for name in subdirectories
            if name not in _SKIPPED_DIRS and not name.endswith(_SKIPPED_SUFFIXES)
        ]
        for name in names:
            if name.endswith(_SKIPPED_SUFFIXES) or name == ".env":
                continue
            path = os.path.join(directory, name)
            yield path, prefix + os.path.relpath(path, folder).replace(os.sep, "/")


def write_zip(path: str, files: Iterable[Tuple[str, str]]) -> str:
    """Write files into a zip with fixed times and permissions; return its path."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, name in files:
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(source, "rb") as file:
                archive.writestr(info, file.read())
    return path


def build_function(path: str = FUNCTION_ZIP, root: str = ROOT) -> str:
    """Zip the function's code root."""
    return write_zip(path, function_files(root))


def build_layer(path: str = LAYER_ZIP, requirements: Optional[str] = None) -> str:
    """Install the requirements for the Lambda runtime under python/ and zip them."""
    requirements = requirements or os.path.join(ROOT, "requirements.txt")
    with open(requirements, encoding="utf-8") as file:
        lines = [line.strip() for line in file if line.strip() and not line.startswith("#")]
    wheels = [line for line in lines if not line.lower().startswith(SDIST_ONLY)]
    sdists = [line for line in lines if line.lower().startswith(SDIST_ONLY)]
    with tempfile.TemporaryDirectory() as staging:
        target = os.path.join(staging, "python")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", target]
        subprocess.run(pip + PLATFORM_ARGS + wheels, check=True)
        if sdists:
            subprocess.run(pip + ["--no-deps"] + sdists, check=True)
        return write_zip(path, sorted(_walk(target, "python/"), key=lambda pair: pair[1]))


def main(argv: Optional[List[str]] = None) -> int:
    """Build what the command line asks for and say where it went."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", nargs="?", default="all", choices=["function", "layer", "all"])
    args = parser.parse_args(argv)
    if args.what in ("function", "all"):
        print("aws/build.py: wrote %s" % os.path.relpath(build_function(), ROOT))
    if args.what in ("layer", "all"):
        print("aws/build.py: wrote %s" % os.path.relpath(build_layer(), ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
