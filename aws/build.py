"""Build the AWS Lambda artifacts that aws/serverless.yml deploys.

    python aws/build.py [function|layer|all] [--python PATH]

- .serverless/aws/function.zip: src/ (the packages and serverless_handler.py) and static/
  at the zip's root, the layout the app expects; no tests, caches or .env.
- .serverless/aws/layer.zip: requirements.txt installed under python/ by pip, as wheels
  for the Lambda runtime (CPython 3.13, manylinux x86_64); jieba, which ships no wheel,
  from its pure-Python sdist.

Both carry their bytecode, compiled by a CPython 3.13 (--python, else pyenv's or PATH's):
Lambda's /var/task and /opt are read-only, so a module shipped as source is compiled again at
every cold start. The .pyc files are unchecked-hash ones, used whatever time the unzipped
sources carry, and name the paths the code has on Lambda. The function's templates are
compiled too, by the layer's Jinja (python -m maimai_probe.packaging). Without a CPython 3.13
both zips hold sources only, and the build says so.

Standard library and pip only; the layer step needs the network. .serverless/ is ignored
by git.
"""

import argparse
import os
import re
import shutil
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
#: Where Lambda puts the function's code and the layer's packages: the paths bytecode names.
TASK_ROOT = "/var/task"
LAYER_ROOT = "/opt/python"
#: The bytecode files of the runtime, the only ones the zips carry.
BYTECODE_SUFFIX = ".cpython-%s.pyc" % LAMBDA_PYTHON.replace(".", "")
#: Compile a folder (argv 1) as found at a path on Lambda (argv 2) to unchecked-hash .pyc files.
_COMPILE = (
    "import compileall, py_compile, sys; "
    "sys.exit(not compileall.compile_dir(sys.argv[1], ddir=sys.argv[2], quiet=2, force=True, "
    "invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH))"
)

_SKIPPED_DIRS = ("__pycache__",)
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # reproducible zips


class BuildError(Exception):
    """A step failed; the message says which and why."""


def function_files(root: str = ROOT) -> List[Tuple[str, str]]:
    """Return (path on disk, name in the zip) for the function: src/ contents and static/."""
    files = list(_walk(os.path.join(root, "src"), ""))
    files.extend(_walk(os.path.join(root, "static"), "static/"))
    return sorted(files, key=lambda pair: pair[1])


def _walk(folder: str, prefix: str, bytecode: bool = False) -> Iterable[Tuple[str, str]]:
    """Yield a folder's files to zip: sources and data, and the runtime's bytecode if asked."""
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [
            name
            for name in subdirectories
            if (bytecode or name not in _SKIPPED_DIRS) and not name.endswith(".egg-info")
        ]
        for name in names:
            kept = bytecode and name.endswith(BYTECODE_SUFFIX)
            if name == ".env" or (name.endswith(_SKIPPED_SUFFIXES) and not kept):
                continue
            path = os.path.join(directory, name)
            yield path, prefix + os.path.relpath(path, folder).replace(os.sep, "/")


def find_python(given: Optional[str] = None) -> Optional[str]:
    """Return the CPython of the runtime: the one given, else pyenv's or PATH's; or None."""
    sys.path.insert(0, ROOT)
    try:
        from layer import build
    finally:
        sys.path.remove(ROOT)
    version = tuple(int(part) for part in LAMBDA_PYTHON.split("."))
    if given and not build.is_cpython(given, version):
        # Its bytecode would carry another version's tag: never read on Lambda.
        raise BuildError("%s is not CPython %s, which Lambda runs" % (given, LAMBDA_PYTHON))
    return given or build.find_python(version)


def compile_tree(folder: str, python: str, lambda_path: str, pythonpath: str = "") -> None:
    """Compile a folder's modules with the runtime's CPython, as found at lambda_path."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",  # it orders the constant sets the compiler writes
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": pythonpath,
    }
    steps = [["-c", _COMPILE, folder, lambda_path]]
    if pythonpath:  # the function's code: its templates first, by the layer's Jinja
        steps.insert(0, ["-m", "maimai_probe.packaging"])
    for step in steps:
        done = subprocess.run(
            [python, "-S"] + step,
            env=env,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        if done.returncode != 0:
            output = done.stdout.decode("utf-8", "replace")[-2000:]
            raise BuildError("%s could not compile %s: %s" % (python, folder, output))


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


def build_function(
    path: str = FUNCTION_ZIP,
    root: str = ROOT,
    python: Optional[str] = None,
    layer_zip: Optional[str] = None,
) -> str:
    """Zip the function's code root; with the runtime's CPython, its bytecode too.

    Its templates are compiled as well when the layer's zip is at hand (their Jinja's).
    """
    if python is None:
        return write_zip(path, function_files(root))
    with tempfile.TemporaryDirectory() as staging:
        code = os.path.join(staging, "code")
        for source, name in function_files(root):
            target = os.path.join(code, *name.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        packages = ""
        if layer_zip and os.path.exists(layer_zip):
            with zipfile.ZipFile(layer_zip) as archive:
                archive.extractall(os.path.join(staging, "layer"))
            packages = os.pathsep.join([os.path.join(staging, "layer", "python"), code])
        compile_tree(code, python, TASK_ROOT, packages)
        files = sorted(_walk(code, "", bytecode=True), key=lambda pair: pair[1])
        return write_zip(path, files)


def requirement_lines(path: str) -> List[str]:
    """Return a requirements file's requirements, without its comments (whole-line or not)."""
    with open(path, encoding="utf-8") as file:
        lines = [re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip() for line in file]
    return [line for line in lines if line]


def build_layer(
    path: str = LAYER_ZIP, requirements: Optional[str] = None, python: Optional[str] = None
) -> str:
    """Install the requirements for the Lambda runtime under python/ and zip them.

    With the runtime's CPython the zip carries their bytecode, compiled by it.
    """
    requirements = requirements or os.path.join(ROOT, "requirements.txt")
    lines = requirement_lines(requirements)
    wheels = [line for line in lines if not line.lower().startswith(SDIST_ONLY)]
    sdists = [line for line in lines if line.lower().startswith(SDIST_ONLY)]
    with tempfile.TemporaryDirectory() as staging:
        target = os.path.join(staging, "python")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile"]
        pip += ["--target", target]
        subprocess.run(pip + PLATFORM_ARGS + wheels, check=True)
        if sdists:
            subprocess.run(pip + ["--no-deps"] + sdists, check=True)
        if python is not None:
            compile_tree(target, python, LAYER_ROOT)
        files = _walk(target, "python/", bytecode=python is not None)
        return write_zip(path, sorted(files, key=lambda pair: pair[1]))


def main(argv: Optional[List[str]] = None) -> int:
    """Build what the command line asks for and say where it went."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", nargs="?", default="all", choices=["function", "layer", "all"])
    parser.add_argument("--python", help="a CPython %s to compile with" % LAMBDA_PYTHON)
    args = parser.parse_args(argv)
    try:
        python = find_python(args.python)
    except BuildError as error:
        print("aws/build.py: %s" % error, file=sys.stderr)
        return 1
    if python is None:
        print(
            "aws/build.py: !!! no CPython %s (--python, pyenv or PATH): the zips hold sources "
            "only, which Lambda compiles again at every cold start" % LAMBDA_PYTHON,
            file=sys.stderr,
        )
    try:
        # The layer first: the function's templates are compiled by its Jinja.
        if args.what in ("layer", "all"):
            print("aws/build.py: wrote %s" % os.path.relpath(build_layer(python=python), ROOT))
        if args.what in ("function", "all"):
            if python is not None and not os.path.exists(LAYER_ZIP):
                print(
                    "aws/build.py: no %s yet: the templates are left to compile at first use"
                    % os.path.relpath(LAYER_ZIP, ROOT),
                    file=sys.stderr,
                )
            written = build_function(python=python, layer_zip=LAYER_ZIP)
            print("aws/build.py: wrote %s" % os.path.relpath(written, ROOT))
    except BuildError as error:
        print("aws/build.py: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
