"""The deployment files: documented keys only, and every path and handler they name exists."""

import ast
import importlib.util
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: Keys each file format documents (Serverless Components and Serverless Framework v3).
COMPONENT_TOP = {"app", "stage", "component", "name", "org", "inputs"}
FLASK_INPUTS = {"region", "src", "functionConf", "apigatewayConf", "staticConf"}
SRC = {"src", "hook", "dist", "exclude", "include", "bucket", "object"}
FUNCTION_CONF = {
    "name", "handler", "runtime", "timeout", "memorySize", "environment", "vpc", "vpcConfig",
    "layers", "tags", "eip", "asyncRunEnable", "traceEnable", "cls", "role", "namespace",
    "description",
}  # fmt: skip
APIGATEWAY_CONF = {
    "isDisabled", "qualifier", "id", "name", "description", "timeout", "cors", "protocols",
    "environment", "customDomains", "usagePlan", "auth", "isBase64Encoded",
}  # fmt: skip
LAYER_INPUTS = {"region", "name", "src", "runtimes", "description"}
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
    return {
        path: load(path) for path in ("serverless.yml", "layer/serverless.yml", "db/serverless.yml")
    }


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
    allowed = {"flask": FLASK_INPUTS, "layer": LAYER_INPUTS, "postgresql": POSTGRESQL_INPUTS}
    assert {path: config["component"] for path, config in tencent.items()} == {
        "serverless.yml": "flask",
        "layer/serverless.yml": "layer",
        "db/serverless.yml": "postgresql",
    }
    for path, config in tencent.items():
        assert set(config) <= COMPONENT_TOP, path
        assert set(config["inputs"]) <= allowed[config["component"]], path
        if isinstance(config["inputs"].get("src"), dict):
            assert set(config["inputs"]["src"]) <= SRC, path


def test_the_three_instances_share_one_app_and_stage(tencent):
    assert {(config["app"], config["stage"]) for config in tencent.values()} == {
        ("maimai-probe", "dev")
    }


def test_output_references_name_existing_instances_and_documented_outputs(tencent):
    instances = {config["name"]: config["component"] for config in tencent.values()}
    text = (ROOT / "serverless.yml").read_text(encoding="utf-8")
    references = re.findall(r"\$\{output:\$\{stage\}:\$\{app\}:([\w-]+)\.([\w.]+)\}", text)

    assert len(references) == 3
    for instance, output in references:
        assert output in COMPONENT_OUTPUTS[instances[instance]]


def test_the_function_runs_our_handler_on_python36_with_room_for_jieba(tencent):
    function = tencent["serverless.yml"]["inputs"]["functionConf"]
    module, _, name = function["handler"].rpartition(".")

    assert set(function) <= FUNCTION_CONF
    assert defines_handler(ROOT / "src" / (module + ".py"), name)
    assert function["runtime"] == "Python3.6"
    assert function["memorySize"] >= 256 and function["memorySize"] % 128 == 0
    assert 1 <= function["timeout"] <= 900
    assert all(set(layer) == {"name", "version"} for layer in function["layers"])
    assert set(function["vpc"]) == {"vpcId", "subnetId"}


def test_secrets_come_from_the_environment_never_from_the_file(tencent, aws):
    variables = tencent["serverless.yml"]["inputs"]["functionConf"]["environment"]["variables"]
    for environment in (variables, aws["provider"]["environment"]):
        assert all(isinstance(value, str) for value in environment.values())
        assert environment["SECRET_KEY"] == "${env:SECRET_KEY}"
        for name in SECRETS:
            assert REFERENCE.match(environment[name]), name
        assert environment["APP_ENV"] == "production"


def test_the_api_answers_https_only(tencent):
    api = tencent["serverless.yml"]["inputs"]["apigatewayConf"]

    assert set(api) <= APIGATEWAY_CONF
    assert api["protocols"] == ["https"]
    assert api["environment"] in ("test", "prepub", "release")


@pytest.fixture(scope="module")
def code_root(tencent, tmp_path_factory):
    """Run the function's build hook in a copy of the project; return the folder it uploads."""
    if os.name != "posix":
        pytest.skip("the build hook is a POSIX shell command")
    source = tencent["serverless.yml"]["inputs"]["src"]
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(str(ROOT / "src"), str(project / "src"))
    shutil.copytree(str(ROOT / "static"), str(project / "static"))
    (project / "src" / "flask_serverless" / "__pycache__").mkdir(exist_ok=True)
    subprocess.run(["sh", "-c", source["hook"]], cwd=str(project / source["src"]), check=True)
    return project / source["dist"]


def test_the_hook_assembles_the_code_root_with_static_beside_the_packages(tencent, code_root):
    assert (code_root / "serverless_handler.py").is_file()
    assert (code_root / "flask_serverless" / "__init__.py").is_file()
    assert (code_root / "maimai_probe" / "__init__.py").is_file()
    assert (code_root / "static" / "robots.txt").is_file()
    assert not list(code_root.rglob("__pycache__"))
    assert not (code_root / "tests").exists()
    assert ".env" in tencent["serverless.yml"]["inputs"]["src"]["exclude"]


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


def test_the_layer_is_built_by_layer_build_py(tencent):
    layer = tencent["layer/serverless.yml"]["inputs"]
    build = (ROOT / "layer" / "build.py").read_text(encoding="utf-8")
    layer_name = re.search(r'^LAYER_NAME = "([^"]+)"', build, re.M).group(1)

    assert layer["runtimes"] == ["Python3.6"]
    assert layer["name"] == layer_name
    assert "python3 build.py" in layer["src"]["hook"]
    assert "dist/%s-tencent.zip" % layer_name in layer["src"]["hook"]
    assert layer["src"]["dist"].startswith("./dist/")


def test_the_database_stays_on_the_private_network(tencent):
    database = tencent["db/serverless.yml"]

    assert database["inputs"]["dBInstanceName"] == database["name"]
    assert database["inputs"]["extranetAccess"] is False
    assert database["inputs"]["vpcConfig"] == {
        "vpcId": "${env:VPC_ID}",
        "subnetId": "${env:SUBNET_ID}",
    }
    assert (
        tencent["serverless.yml"]["inputs"]["functionConf"]["vpc"]
        == database["inputs"]["vpcConfig"]
    )


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
