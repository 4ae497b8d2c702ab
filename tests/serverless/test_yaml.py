"""The deployment files: documented keys only, and every path and handler they name exists."""

import ast
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import zipfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: Keys each file format documents (Serverless Components and Serverless Framework v3).
COMPONENT_TOP = {"app", "stage", "component", "name", "org", "inputs"}
#: serverless-components/tencent-scf docs/configure.md, 配置描述, plus region.
SCF_INPUTS = {
    "src", "type", "name", "namespace", "handler", "entryFile", "role", "runtime", "region",
    "description", "memorySize", "timeout", "initTimeout", "eip", "publicAccess", "environment",
    "vpcConfig", "layers", "deadLetter", "cls", "asyncRunEnable", "traceEnable", "msgTTL",
    "retryNum", "installDependency", "tags", "cfs", "ignoreTriggers", "events", "image",
    "protocolType", "protocolParams", "provisionedNum", "qualifier",
}  # fmt: skip
SCF_SRC = {"src", "exclude", "bucket", "object"}
#: serverless-components/tencent-layer docs/configure.md: 执行目录.
LAYER_SRC = {"src", "targetDir", "exclude", "bucket", "object"}
LAYER_INPUTS = {"region", "name", "src", "runtimes", "description"}
#: The Tencent runtimes whose layers the site builds.
TENCENT_RUNTIMES = ("Python3.6", "Python3.10")
POSTGRESQL_INPUTS = {
    "region", "zone", "dBInstanceName", "dBVersion", "dBCharset", "projectId", "vpcConfig",
    "extranetAccess",
}  # fmt: skip
FRAMEWORK_TOP = {
    "service", "frameworkVersion", "useDotenv", "provider", "package", "layers", "functions",
    "custom", "plugins", "resources", "params",
}  # fmt: skip
AWS_PROVIDER = {
    "name", "runtime", "architecture", "region", "stage", "memorySize", "timeout",
    "logRetentionInDays", "environment", "httpApi", "iam", "tags", "deploymentBucket",
}  # fmt: skip

#: Outputs each Tencent component documents, as ${output:...} may read them.
COMPONENT_OUTPUTS = {"layer": {"name", "version"}, "postgresql": {"private.connectionString"}}
#: Settings that must come from the deployer's environment, never from the file.
SECRETS = ("SECRET_KEY", "ADMIN_TOKEN", "DATABASE_URL")
REFERENCE = re.compile(r"^\$\{(env|output|opt):[^}]*\}.*$|^\$\{env:\w+(, *'[^']*')?\}$")


def load(relative: str) -> dict:
    """Return a YAML file of the project."""
    with open(str(ROOT / relative), encoding="utf-8") as file:
        return yaml.safe_load(file)


def load_module(relative: str, name: str):
    """Import a script of the project that is not in a package."""
    spec = importlib.util.spec_from_file_location(name, str(ROOT / relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tencent():
    paths = (
        "serverless.yml",
        "tencent/event/serverless.yml",
        "layer/serverless.yml",
        "db/serverless.yml",
    )
    return {path: load(path) for path in paths}


@pytest.fixture(scope="module")
def aws():
    """Return the AWS Serverless Framework file."""
    return load("aws/serverless.yml")


@pytest.fixture(scope="module")
def aws_build():
    """Return aws/build.py as a module."""
    return load_module("aws/build.py", "aws_build")


def defines_handler(module_path: pathlib.Path, name: str) -> bool:
    """Tell whether a module defines a top-level function or variable called name."""
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return True
    return False


def test_every_component_file_uses_documented_keys(tencent):
    allowed = {"scf": SCF_INPUTS, "layer": LAYER_INPUTS, "postgresql": POSTGRESQL_INPUTS}
    sources = {"scf": SCF_SRC, "layer": LAYER_SRC}
    assert {path: config["component"] for path, config in tencent.items()} == {
        "serverless.yml": "scf",
        "tencent/event/serverless.yml": "scf",
        "layer/serverless.yml": "layer",
        "db/serverless.yml": "postgresql",
    }
    for path, config in tencent.items():
        assert set(config) <= COMPONENT_TOP, path
        assert set(config["inputs"]) <= allowed[config["component"]], path
        if isinstance(config["inputs"].get("src"), dict):
            assert set(config["inputs"]["src"]) <= sources[config["component"]], path


def test_the_instances_share_one_app_and_stage(tencent):
    assert {(config["app"], config["stage"]) for config in tencent.values()} == {
        ("maimai-probe", "dev")
    }


@pytest.mark.parametrize("path", ["serverless.yml", "tencent/event/serverless.yml"])
def test_output_references_name_existing_instances_and_documented_outputs(tencent, path):
    instances = {config["name"]: config["component"] for config in tencent.values()}
    text = (ROOT / path).read_text(encoding="utf-8")
    references = re.findall(r"\$\{output:\$\{stage\}:\$\{app\}:([\w-]+)\.([\w.]+)\}", text)

    assert len(references) == 3
    for instance, output in references:
        assert output in COMPONENT_OUTPUTS[instances[instance]]


def test_the_web_function_starts_scf_bootstrap_and_the_event_function_our_handler(tencent):
    web = tencent["serverless.yml"]["inputs"]
    event = tencent["tencent/event/serverless.yml"]["inputs"]

    assert web["type"] == "web" and "handler" not in web
    assert (ROOT / "src" / "scf_bootstrap").is_file()
    assert event["type"] == "event"
    module, _, name = event["handler"].rpartition(".")
    assert defines_handler(ROOT / "src" / (module + ".py"), name)
    for function in (web, event):
        assert function["runtime"] in TENCENT_RUNTIMES
        assert function["memorySize"] >= 256 and function["memorySize"] % 128 == 0
        assert 1 <= function["timeout"] <= 900
        assert all(set(layer) == {"name", "version"} for layer in function["layers"])
        assert set(function["vpcConfig"]) == {"vpcId", "subnetId"}


def test_both_functions_deploy_the_code_root_deploy_py_writes(tencent, tmp_path):
    deploy = load_module("tencent/deploy.py", "tencent_deploy")
    folder = deploy.write_code_root(str(tmp_path / "code"))

    for path in ("serverless.yml", "tencent/event/serverless.yml"):
        source = tencent[path]["inputs"]["src"]["src"]
        resolved = (ROOT / path).parent / source
        assert resolved.resolve() == pathlib.Path(deploy.CODE_DIR).resolve(), path
    root = pathlib.Path(folder)
    assert os.access(str(root / "scf_bootstrap"), os.X_OK)
    assert (root / "web_function.py").is_file() and (root / "static" / "robots.txt").is_file()


def test_secrets_come_from_the_environment_never_from_the_file(tencent, aws):
    for path in ("serverless.yml", "tencent/event/serverless.yml"):
        variables = tencent[path]["inputs"]["environment"]["variables"]
        assert variables["TRUSTED_PROXIES"] == "0"
        check_secrets(variables)
    check_secrets(aws["provider"]["environment"])


def test_every_deployment_keeps_brotli_buffers_as_the_allocator_module_says(tencent, aws):
    from flask_serverless.allocator import ALLOCATOR_ENVIRONMENT

    environments = {
        path: tencent[path]["inputs"]["environment"]["variables"]
        for path in ("serverless.yml", "tencent/event/serverless.yml")
    }
    environments["aws/serverless.yml"] = aws["provider"]["environment"]
    deploy = load_module("tencent/deploy.py", "tencent_deploy_allocator")
    environments["tencent/deploy.py"] = deploy.FIXED_ENVIRONMENT
    for path, environment in environments.items():
        for name, value in ALLOCATOR_ENVIRONMENT.items():
            assert environment.get(name) == value, (path, name)


def check_secrets(environment):
    assert all(isinstance(value, str) for value in environment.values())
    assert environment["SECRET_KEY"] == "${env:SECRET_KEY}"
    for name in SECRETS:
        assert REFERENCE.match(environment[name]), name
    assert environment["APP_ENV"] == "production"


@pytest.fixture(scope="module")
def code_root(tmp_path_factory):
    """Write the code root as tencent/deploy.py --package-only does; return its folder."""
    deploy = load_module("tencent/deploy.py", "tencent_deploy_root")
    return pathlib.Path(deploy.write_code_root(str(tmp_path_factory.mktemp("code") / "code")))


def test_the_code_root_has_static_beside_the_packages_and_nothing_else(code_root):
    assert (code_root / "serverless_handler.py").is_file()
    assert (code_root / "flask_serverless" / "__init__.py").is_file()
    assert (code_root / "maimai_probe" / "__init__.py").is_file()
    assert (code_root / "static" / "robots.txt").is_file()
    assert not list(code_root.rglob("__pycache__"))
    assert not (code_root / "tests").exists()


def test_the_app_finds_its_static_folder_in_the_assembled_code_root(code_root):
    pytest.importorskip("maimai_probe.db", reason="the app's own dependencies are not installed")

    found = subprocess.run(
        [sys.executable, "-c", "import maimai_probe; print(maimai_probe.static_folder(None))"],
        cwd=str(code_root),
        env=dict(os.environ, PYTHONPATH=str(code_root)),
        stdout=subprocess.PIPE,
        check=True,
    )

    assert found.stdout.decode().strip() == str(code_root / "static")


def test_the_layer_is_the_one_layer_build_py_writes(tencent):
    layer = tencent["layer/serverless.yml"]["inputs"]
    build = (ROOT / "layer" / "build.py").read_text(encoding="utf-8")
    layer_name = re.search(r'^LAYER_NAME = "([^"]+)"', build, re.M).group(1)
    text = (ROOT / "layer" / "serverless.yml").read_text(encoding="utf-8")

    assert layer["runtimes"] == ["Python3.6"]
    assert layer["name"] == layer_name
    assert "dist/%s-tencent.zip" % layer_name in text  # the unzip step it documents
    assert layer["src"]["src"].startswith("./dist/")


def test_the_database_stays_on_the_private_network(tencent):
    database = tencent["db/serverless.yml"]

    assert database["inputs"]["dBInstanceName"] == database["name"]
    assert database["inputs"]["extranetAccess"] is False
    assert database["inputs"]["vpcConfig"] == {
        "vpcId": "${env:VPC_ID}",
        "subnetId": "${env:SUBNET_ID}",
    }
    for path in ("serverless.yml", "tencent/event/serverless.yml"):
        assert tencent[path]["inputs"]["vpcConfig"] == database["inputs"]["vpcConfig"]


def test_the_aws_variant_uses_documented_keys_and_existing_artifacts(aws, aws_build):
    assert set(aws) <= FRAMEWORK_TOP
    assert aws["frameworkVersion"] == ">=4.3.1 <5"  # osls 4, never Serverless Inc's v4
    assert set(aws["provider"]) <= AWS_PROVIDER
    assert aws["provider"]["name"] == "aws"
    assert aws["provider"]["runtime"] == "python" + aws_build.LAMBDA_PYTHON
    aws_dir = ROOT / "aws"
    assert aws["package"] == "${file(./package.js)}"
    (artifact,) = re.findall(r'ARTIFACT = "([^"]+)"', (aws_dir / "package.js").read_text())
    assert (aws_dir / artifact).resolve() == pathlib.Path(aws_build.FUNCTION_ZIP)
    assert aws["plugins"] == ["serverless-offline"]
    package = json.loads((aws_dir / "package.json").read_text())
    locked = json.loads((aws_dir / "package-lock.json").read_text())["packages"]
    for name, version in package["devDependencies"].items():
        assert re.match(r"^\d+\.\d+\.\d+$", version), "%s is not pinned exactly" % name
        assert locked["node_modules/" + name]["version"] == version
    ((layer_key, layer),) = aws["layers"].items()
    assert (aws_dir / layer["package"]["artifact"]).resolve() == pathlib.Path(aws_build.LAYER_ZIP)
    assert aws["provider"]["runtime"] in layer["compatibleRuntimes"]

    (function,) = aws["functions"].values()
    module, _, name = function["handler"].rpartition(".")
    assert defines_handler(ROOT / "src" / (module + ".py"), name)
    assert function["layers"] == [{"Ref": layer_key.capitalize() + "LambdaLayer"}]
    assert function["events"] == [{"httpApi": "*"}]


def test_the_aws_function_zip_holds_the_code_root_and_nothing_else(aws_build, tmp_path):
    path = aws_build.build_function(str(tmp_path / "function.zip"))

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert "serverless_handler.py" in names
    assert "flask_serverless/__init__.py" in names
    assert "maimai_probe/__init__.py" in names
    assert "static/robots.txt" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert not [name for name in names if name.startswith(("tests/", "docs/", ".env"))]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
