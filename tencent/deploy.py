"""Deploy the site to Tencent SCF with Tencent's own command line, tccli (PyPI: tccli).

    python tencent/deploy.py [--type web|event] [--runtime Python3.6|Python3.10] [--dry-run]
    python tencent/deploy.py --package-only    # the code root for a component CLI

No Tencent deployment CLI installs from npm today (Serverless Inc's CLI dropped Tencent in
v3.27; Tencent's serverless-cloud-framework is not on the registry), so this script drives
tccli, which calls the SCF API directly. It is idempotent: each run compares what is deployed
with what it would deploy and changes only what differs, then says what it changed.

1. the layer: published again only when the zip's sha256 (kept in the version's description)
   is not among the layer's versions;
2. the function: created, or its code updated when the code zip's sha256 (kept in the
   function's description) differs, and its configuration updated where it differs;
3. its function URL (an "http" trigger on the $DEFAULT alias, public, no authentication):
   created when the function has none.

Settings come from the environment (or --env-file, default .env): REGION, SECRET_KEY,
DATABASE_URL, and optionally ADMIN_TOKEN, VPC_ID and SUBNET_ID (PostgreSQL in a VPC).
tccli's own credentials come from `tccli configure`. Standard library only.
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, ".serverless", "tencent")
FUNCTION_ZIP = os.path.join(OUTPUT, "function.zip")
CODE_DIR = os.path.join(OUTPUT, "code")

#: The runtimes the site's layers are built for, and each layer's zip.
LAYERS = {
    "Python3.6": ("maimai-probe-layer-py36", "layer/dist/maimai-probe-layer-py36-tencent.zip"),
    "Python3.10": ("maimai-probe-layer-py310", "layer/dist/maimai-probe-layer-py310-tencent.zip"),
}
#: The settings a deployed site gets besides the secrets: it runs behind Tencent's front, and
#: glibc keeps Brotli's buffers (flask_serverless.allocator.ALLOCATOR_ENVIRONMENT).
FIXED_ENVIRONMENT = {
    "APP_ENV": "production",
    "FORCE_HTTPS": "true",
    "TRUSTED_PROXIES": "0",
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "67108864",
}
SECRETS = ("SECRET_KEY", "DATABASE_URL", "ADMIN_TOKEN")
URL_TRIGGER = "url-trigger"
URL_TRIGGER_DESC = {
    "AuthType": "NONE",
    "NetConfig": {"EnableIntranet": False, "EnableExtranet": True},
}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: The same time in seconds (UTC), which each entry also carries in an extended-timestamp
#: field: unzip gives every file this mtime, so the bytecode compiled here is stamped with it.
ZIP_MTIME = 315532800
EXTENDED_TIMESTAMP = struct.pack("<HHBl", 0x5455, 5, 1, ZIP_MTIME)
_SKIPPED = ("__pycache__", ".pyc", ".pyo", ".egg-info", ".env")
#: Templates a developer compiled in src/ for their own Python: the packaging compiles the
#: runtime's own.
_SKIPPED_FOLDERS = (os.path.join("maimai_probe", "web", "compiled"),)
#: The CPython each runtime runs: its bytecode and compiled templates are that version's own.
RUNTIME_PYTHON = {"Python3.6": (3, 6), "Python3.10": (3, 10)}
_COMPILE = (
    "import compileall, sys; "
    "sys.exit(not compileall.compile_dir("
    "sys.argv[1], ddir=sys.argv[2], quiet=2, force=True, legacy=False))"
)


class DeployError(Exception):
    """A step failed; the message says which and why."""


class Wanted(NamedTuple):
    """The function as this run deploys it."""

    name: str
    kind: str  # "web" or "event"
    runtime: str
    memory: int
    timeout: int
    environment: Dict[str, str]
    vpc: Dict[str, str]


# --- the code root ------------------------------------------------------------------------------


def code_files(root: str = ROOT) -> List[Tuple[str, str]]:
    """Return (path on disk, name in the zip) of the code root: src/ contents and static/."""
    files = []
    for folder, prefix in (
        (os.path.join(root, "src"), ""),
        (os.path.join(root, "static"), "static/"),
    ):
        for directory, subdirectories, names in os.walk(folder):
            subdirectories[:] = sorted(
                d
                for d in subdirectories
                if not d.endswith(_SKIPPED)
                and not os.path.join(directory, d).endswith(_SKIPPED_FOLDERS)
            )
            for name in sorted(names):
                if name.endswith(_SKIPPED):
                    continue
                path = os.path.join(directory, name)
                files.append((path, prefix + os.path.relpath(path, folder).replace(os.sep, "/")))
    return sorted(files, key=lambda pair: pair[1])


def build_code_zip(
    path: str = FUNCTION_ZIP,
    root: str = ROOT,
    python: Optional[str] = None,
    layer_zip: Optional[str] = None,
) -> str:
    """Zip the code root reproducibly; scf_bootstrap keeps the mode 755 SCF requires.

    Given the runtime's CPython (and its layer), the zip also holds the code's bytecode and
    compiled templates, so that a cold start compiles neither.
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    work = tempfile.mkdtemp(prefix="maimai-probe-code-")
    try:
        if python:
            folder = write_code_root(os.path.join(work, "code"), root)
            compile_code_root(folder, python, layer_zip)
            files = folder_files(folder)
        else:
            files = code_files(root)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for source, name in files:
                info = zipfile.ZipInfo(name, _FIXED_TIME)
                info.create_system = 3  # Unix, so that the mode below is honoured
                info.external_attr = (0o100755 if name == "scf_bootstrap" else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.extra = EXTENDED_TIMESTAMP
                with open(source, "rb") as file:
                    archive.writestr(info, file.read())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


def write_code_root(folder: str = CODE_DIR, root: str = ROOT) -> str:
    """Copy the code root into a folder (for a component CLI, which zips a folder itself)."""
    shutil.rmtree(folder, ignore_errors=True)
    for source, name in code_files(root):
        target = os.path.join(folder, *name.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o755 if name == "scf_bootstrap" else 0o644)
    return folder


def folder_files(folder: str) -> List[Tuple[str, str]]:
    """Return (path on disk, name in the zip) of every file in a prepared code root."""
    files = []
    for directory, subdirectories, names in os.walk(folder):
        subdirectories.sort()
        for name in names:
            path = os.path.join(directory, name)
            files.append((path, os.path.relpath(path, folder).replace(os.sep, "/")))
    return sorted(files, key=lambda pair: pair[1])


def compile_code_root(folder: str, python: str, layer_zip: Optional[str] = None) -> None:
    """Compile a code root's templates and bytecode with the runtime's CPython, in place.

    The templates are compiled by the runtime's Jinja: the layer's, unpacked beside the code
    and run without site-packages, as the function runs; without a layer, the interpreter's
    own packages. Each source gets the zip entries' mtime first, the stamp its .pyc holds.
    """
    work = tempfile.mkdtemp(prefix="maimai-probe-layer-")
    try:
        command = [python]
        path = [folder]
        if layer_zip:
            with zipfile.ZipFile(layer_zip) as archive:
                archive.extractall(work)
            command.append("-S")  # the layer's packages only, as on the platform
            path.insert(0, work)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": work,
            "TMPDIR": work,
            "PYTHONPATH": os.pathsep.join(path),
            "PYTHONHASHSEED": "0",  # it orders the constant sets the compiler writes
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        # The names the code's functions carry are those it has on SCF, not the build's.
        compile_all = ["-c", _COMPILE, folder, "/var/user"]
        for step in (["-m", "maimai_probe.packaging"], compile_all):
            done = subprocess.run(
                command + step,
                env=env,
                cwd=work,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
            )
            if done.returncode != 0:
                output = done.stdout.decode("utf-8", "replace")[-2000:]
                raise DeployError("%s could not compile the code: %s" % (python, output))
            if step[0] == "-m":
                for directory, _, names in os.walk(folder):
                    for name in names:
                        if name.endswith(".py"):
                            os.utime(os.path.join(directory, name), (ZIP_MTIME, ZIP_MTIME))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def runtime_python(runtime: str, given: Optional[str] = None) -> Optional[str]:
    """Return the CPython of a runtime: the one given, else pyenv's or PATH's of its version."""
    sys.path.insert(0, ROOT)
    try:
        from layer import build
    finally:
        sys.path.remove(ROOT)
    version = RUNTIME_PYTHON[runtime]
    if given and not build.is_cpython(given, version):
        # Its bytecode and templates would carry another version's tag: never read.
        raise DeployError(
            "%s is not CPython %d.%d, which %s runs" % ((given,) + version + (runtime,))
        )
    return given or build.find_python(version)


def sha256_of(path: str) -> str:
    """Return a file's sha256 in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- what to change (pure: tested without a cloud) ----------------------------------------------


def stamp(kind: str, digest: str) -> str:
    """Return the description that records which zip a layer version or function holds."""
    return "maimai DX CN Probe %s sha256:%s" % (kind, digest)


def layer_version_holding(versions: Sequence[Dict[str, Any]], digest: str) -> Optional[int]:
    """Return the newest layer version whose description names the zip's sha256, or None."""
    found = [
        v["LayerVersion"] for v in versions if ("sha256:" + digest) in (v.get("Description") or "")
    ]
    return max(found) if found else None


def configuration(wanted: Wanted, layer: Tuple[str, int]) -> Dict[str, Any]:
    """Return UpdateFunctionConfiguration's settings for the wanted function."""
    settings = {
        "Runtime": wanted.runtime,
        "MemorySize": wanted.memory,
        "Timeout": wanted.timeout,
        "Environment": {
            "Variables": [{"Key": k, "Value": v} for k, v in sorted(wanted.environment.items())]
        },
        "Layers": [{"LayerName": layer[0], "LayerVersion": layer[1]}],
    }
    if wanted.vpc:
        settings["VpcConfig"] = {"VpcId": wanted.vpc["VPC_ID"], "SubnetId": wanted.vpc["SUBNET_ID"]}
    return settings


def configuration_changes(current: Dict[str, Any], wanted: Dict[str, Any]) -> List[str]:
    """Return the names of the settings whose deployed value differs from the wanted one."""
    changed = []
    for key, value in wanted.items():
        deployed = current.get(key)
        if key == "Environment":
            variables = (deployed or {}).get("Variables") or []
            deployed = {"Variables": sorted(variables, key=lambda v: v.get("Key", ""))}
        elif key == "Layers":
            deployed = [
                {"LayerName": item.get("LayerName"), "LayerVersion": item.get("LayerVersion")}
                for item in deployed or []
            ]
        elif key == "VpcConfig":
            deployed = {k: (deployed or {}).get(k) for k in ("VpcId", "SubnetId")}
        if deployed != value:
            changed.append(key)
    return changed


def function_url(triggers: Sequence[Dict[str, Any]]) -> Optional[str]:
    """Return the public URL of a function's "http" trigger, "" when it has one without a URL
    shown, or None when it has none."""
    for trigger in triggers:
        if trigger.get("Type") != "http":
            continue
        try:
            desc = json.loads(trigger.get("TriggerDesc") or "{}")
        except ValueError:
            desc = {}
        for key in ("ExtranetUrl", "Url", "url"):
            if isinstance(desc.get(key), str):
                return desc[key]
        return ""
    return None


def wanted_environment(settings: Dict[str, str]) -> Dict[str, str]:
    """Return the function's environment: the fixed settings and the secrets that are set.

    SCF refuses empty values, so an unset ADMIN_TOKEN (admin API off) is left out.
    """
    missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not settings.get(name)]
    if missing:
        raise DeployError("set %s (environment or --env-file)" % " and ".join(missing))
    environment = dict(FIXED_ENVIRONMENT)
    environment.update({name: settings[name] for name in SECRETS if settings.get(name)})
    return environment


def read_env_file(path: str) -> Dict[str, str]:
    """Read KEY=value lines (comments and blank lines skipped); a missing file gives {}."""
    values = {}
    if not os.path.exists(path):
        return values
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


# --- tccli --------------------------------------------------------------------------------------


class Tccli:
    """Run tccli scf actions with a request file; return their JSON answers."""

    def __init__(self, executable: str, region: str, dry_run: bool = False) -> None:
        self.executable = executable
        self.region = region
        self.dry_run = dry_run

    def call(self, action: str, request: Dict[str, Any], changes: bool = False) -> Dict[str, Any]:
        """Run one action; under --dry-run, actions that change something are only named."""
        if changes and self.dry_run:
            print("  (dry run) would call %s" % action)
            return {}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(request, file)
        try:
            command = [self.executable, "scf", action, "--region", self.region]
            done = subprocess.run(
                command + ["--cli-input-json", "file://" + file.name],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
            )
        finally:
            os.unlink(file.name)
        output = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0:
            raise DeployError("tccli scf %s failed: %s" % (action, output.strip()[-800:]))
        try:
            return json.loads(output or "{}")
        except ValueError:
            raise DeployError(
                "tccli scf %s answered no JSON: %s" % (action, output[:300])
            ) from None

    def function(self, name: str) -> Optional[Dict[str, Any]]:
        """Return GetFunction's answer, or None when there is no such function."""
        try:
            return self.call("GetFunction", {"FunctionName": name})
        except DeployError as error:
            if "ResourceNotFound" in str(error):
                return None
            raise


def wait_until_active(tccli: Tccli, name: str, timeout: float = 180.0) -> None:
    """Wait while SCF creates or updates the function: it refuses the next change until then."""
    if tccli.dry_run:
        return
    deadline = time.monotonic() + timeout
    while True:
        status = (tccli.function(name) or {}).get("Status", "")
        if status == "Active":
            return
        if status.endswith("Failed"):
            raise DeployError("function %s is %s: see the SCF console's logs" % (name, status))
        if time.monotonic() > deadline:
            raise DeployError("function %s still %s after %d s" % (name, status, timeout))
        time.sleep(2)


# --- the run ------------------------------------------------------------------------------------


def deploy_layer(tccli: Tccli, runtime: str, zip_path: str) -> Tuple[Tuple[str, int], str]:
    """Publish the layer unless a version holds this zip; return (name, version) and the change."""
    name = LAYERS[runtime][0]
    if not os.path.exists(zip_path):
        raise DeployError("%s does not exist: run python layer/build.py" % zip_path)
    digest = sha256_of(zip_path)
    try:
        versions = tccli.call("ListLayerVersions", {"LayerName": name}).get("LayerVersions") or []
    except DeployError as error:
        if "ResourceNotFound" not in str(error):
            raise
        versions = []
    version = layer_version_holding(versions, digest)
    if version is not None:
        return (name, version), "layer %s: unchanged (version %d)" % (name, version)
    with open(zip_path, "rb") as file:
        content = {"ZipFile": base64.b64encode(file.read()).decode("ascii")}
    answer = tccli.call(
        "PublishLayerVersion",
        {
            "LayerName": name,
            "CompatibleRuntimes": [runtime],
            "Content": content,
            "Description": stamp("layer", digest),
        },
        changes=True,
    )
    version = int(answer.get("LayerVersion") or 0)
    return (name, version), "layer %s: published version %d (sha256 %s)" % (
        name,
        version,
        digest[:12],
    )


def deploy_function(tccli: Tccli, wanted: Wanted, layer: Tuple[str, int], code: str) -> List[str]:
    """Create or update the function; return what changed."""
    digest = sha256_of(code)
    with open(code, "rb") as file:
        zipped = base64.b64encode(file.read()).decode("ascii")
    settings = configuration(wanted, layer)
    current = tccli.function(wanted.name)
    if current is None:
        request = dict(settings, FunctionName=wanted.name, Code={"ZipFile": zipped})
        request["Description"] = stamp("code", digest)
        request["Type"] = "HTTP" if wanted.kind == "web" else "Event"
        if wanted.kind == "event":
            request["Handler"] = "serverless_handler.handler"
        tccli.call("CreateFunction", request, changes=True)
        wait_until_active(tccli, wanted.name)
        return ["function %s: created (%s, %s)" % (wanted.name, wanted.kind, wanted.runtime)]
    deployed_kind = "web" if current.get("Type") == "HTTP" else "event"
    if deployed_kind != wanted.kind:
        raise DeployError(
            "%s is a %s function; SCF cannot change a function's type: choose another name"
            % (wanted.name, deployed_kind)
        )
    changes = []
    if ("sha256:" + digest) not in (current.get("Description") or ""):
        request = {"FunctionName": wanted.name, "ZipFile": zipped}
        if wanted.kind == "event":
            request["Handler"] = "serverless_handler.handler"
        tccli.call("UpdateFunctionCode", request, changes=True)
        wait_until_active(tccli, wanted.name)
        changes.append("function %s: code updated (sha256 %s)" % (wanted.name, digest[:12]))
    changed = configuration_changes(current, settings)
    stamped = stamp("code", digest)
    if changed or current.get("Description") != stamped:
        request = {key: settings[key] for key in changed}
        request.update(FunctionName=wanted.name, Description=stamped)
        tccli.call("UpdateFunctionConfiguration", request, changes=True)
        wait_until_active(tccli, wanted.name)
        if changed:
            changes.append("function %s: %s updated" % (wanted.name, ", ".join(changed)))
    return changes or ["function %s: unchanged" % wanted.name]


def deploy_url(tccli: Tccli, name: str) -> str:
    """Give the function a public function URL unless it has one; return what happened."""
    triggers = tccli.call("ListTriggers", {"FunctionName": name}).get("Triggers") or []
    url = function_url(triggers)
    if url is not None:
        return "function URL: unchanged %s" % (url or "(see the console)")
    answer = tccli.call(
        "CreateTrigger",
        {
            "FunctionName": name,
            "TriggerName": URL_TRIGGER,
            "Type": "http",
            "Qualifier": "$DEFAULT",
            "TriggerDesc": json.dumps(URL_TRIGGER_DESC),
            "Enable": "OPEN",
        },
        changes=True,
    )
    url = function_url([answer.get("TriggerInfo") or {"Type": "http"}])
    return "function URL: created %s" % (url or "(see the console: 函数 URL)")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--type", choices=["web", "event"], default="web", help="(default: web)")
    parser.add_argument("--runtime", choices=sorted(LAYERS), default="Python3.6")
    parser.add_argument("--name", default="maimai-probe-web", help="the function's name")
    parser.add_argument("--memory", type=int, default=512, help="MB (default: 512)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds (default: 30)")
    parser.add_argument("--env-file", default=os.path.join(ROOT, ".env"))
    parser.add_argument("--layer-zip", help="default: the runtime's zip in layer/dist/")
    parser.add_argument("--tccli", default=shutil.which("tccli") or "tccli")
    parser.add_argument(
        "--python",
        help="the runtime's CPython, which compiles the code's bytecode and templates "
        "(default: pyenv's or PATH's python3.6 or python3.10)",
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would change only")
    parser.add_argument(
        "--package-only",
        action="store_true",
        help="only write .serverless/tencent/code and function.zip (for a component CLI)",
    )
    args = parser.parse_args(argv)
    layer_zip = args.layer_zip or os.path.join(ROOT, LAYERS[args.runtime][1])
    try:
        python = runtime_python(args.runtime, args.python)
    except DeployError as error:
        print("tencent/deploy.py: %s" % error, file=sys.stderr)
        return 1
    if python is None:
        print(
            "!!! no CPython %d.%d (--python): the code ships as sources, and every cold start "
            "compiles it and its templates" % RUNTIME_PYTHON[args.runtime],
            file=sys.stderr,
        )
    elif not os.path.exists(layer_zip):
        print("tencent/deploy.py: no layer %s: python layer/build.py" % layer_zip, file=sys.stderr)
        return 1
    if args.package_only:
        folder = write_code_root()
        if python:
            compile_code_root(folder, python, layer_zip)
        print("wrote %s" % os.path.relpath(folder, ROOT))
        code = build_code_zip(python=python, layer_zip=layer_zip)
        print("wrote %s" % os.path.relpath(code, ROOT))
        return 0
    settings = read_env_file(args.env_file)
    settings.update(
        {k: v for k, v in os.environ.items() if k in SECRETS + ("REGION", "VPC_ID", "SUBNET_ID")}
    )
    try:
        if not settings.get("REGION"):
            raise DeployError("set REGION (e.g. ap-guangzhou) in the environment or --env-file")
        if not shutil.which(args.tccli):
            raise DeployError("no tccli: pip install tccli, then tccli configure")
        vpc = {k: settings[k] for k in ("VPC_ID", "SUBNET_ID") if settings.get(k)}
        if len(vpc) == 1:
            raise DeployError("set both VPC_ID and SUBNET_ID, or neither")
        wanted = Wanted(
            args.name, args.type, args.runtime, args.memory, args.timeout,
            wanted_environment(settings), vpc,
        )  # fmt: skip
        tccli = Tccli(args.tccli, settings["REGION"], args.dry_run)
        code = build_code_zip(python=python, layer_zip=layer_zip)
        print(
            "code root zipped: %s (sha256 %s)" % (os.path.relpath(code, ROOT), sha256_of(code)[:12])
        )
        layer, said = deploy_layer(tccli, args.runtime, layer_zip)
        print(said)
        for said in deploy_function(tccli, wanted, layer, code):
            print(said)
        print(deploy_url(tccli, wanted.name))
    except DeployError as error:
        print("tencent/deploy.py: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
