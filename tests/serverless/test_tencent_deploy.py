"""tencent/deploy.py: the code zip it uploads, and how it decides what to change."""

import importlib.util
import json
import os
import pathlib
import stat
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_deploy():
    """Import tencent/deploy.py, a script, as a module."""
    name = "maimai_tencent_deploy"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, str(ROOT / "tencent" / "deploy.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


deploy = load_deploy()

#: GetFunction's answer for a Web function as deployed (the fields the script reads).
DEPLOYED = {
    "FunctionName": "maimai-probe-web",
    "Type": "HTTP",
    "Runtime": "Python3.6",
    "MemorySize": 512,
    "Timeout": 30,
    "Description": "maimai DX CN Probe code sha256:abc",
    "Environment": {
        "Variables": [
            {"Key": "TRUSTED_PROXIES", "Value": "0"},
            {"Key": "APP_ENV", "Value": "production"},
            {"Key": "FORCE_HTTPS", "Value": "true"},
            {"Key": "MALLOC_MMAP_THRESHOLD_", "Value": "33554432"},
            {"Key": "MALLOC_TRIM_THRESHOLD_", "Value": "67108864"},
            {"Key": "SECRET_KEY", "Value": "s" * 40},
            {"Key": "DATABASE_URL", "Value": "postgresql://u:p@10.0.0.5/maimai"},
        ]
    },
    "Layers": [{"LayerName": "maimai-probe-layer-py36", "LayerVersion": 3, "Status": "Active"}],
    "VpcConfig": {"VpcId": "vpc-1", "SubnetId": "subnet-1"},
}
SETTINGS = {"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u:p@10.0.0.5/maimai"}


def wanted(**changes):
    values = dict(
        name="maimai-probe-web",
        kind="web",
        runtime="Python3.6",
        memory=512,
        timeout=30,
        environment=deploy.wanted_environment(SETTINGS),
        vpc={"VPC_ID": "vpc-1", "SUBNET_ID": "subnet-1"},
    )
    values.update(changes)
    return deploy.Wanted(**values)


def test_the_code_zip_is_the_code_root_with_an_executable_bootstrap(tmp_path):
    path = deploy.build_code_zip(str(tmp_path / "function.zip"))

    with zipfile.ZipFile(path) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for name in ("scf_bootstrap", "web_function.py", "serverless_handler.py", "static/robots.txt"):
        assert name in infos
    assert "flask_serverless/web_function.py" in infos and "maimai_probe/__init__.py" in infos
    assert stat.S_IMODE(infos["scf_bootstrap"].external_attr >> 16) == 0o755
    assert stat.S_IMODE(infos["web_function.py"].external_attr >> 16) == 0o644
    assert not [n for n in infos if "__pycache__" in n or n.endswith((".pyc", ".env"))]
    again = deploy.build_code_zip(str(tmp_path / "again.zip"))
    assert deploy.sha256_of(path) == deploy.sha256_of(again)  # same code, same zip


def test_a_deployed_function_as_wanted_needs_no_change():
    settings = deploy.configuration(wanted(), ("maimai-probe-layer-py36", 3))

    assert deploy.configuration_changes(DEPLOYED, settings) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"memory": 1024}, ["MemorySize"]),
        ({"runtime": "Python3.10"}, ["Runtime"]),
        (
            {"environment": dict(deploy.wanted_environment(SETTINGS), ADMIN_TOKEN="t")},
            ["Environment"],
        ),
        ({"vpc": {"VPC_ID": "vpc-2", "SUBNET_ID": "subnet-1"}}, ["VpcConfig"]),
    ],
)
def test_each_setting_that_differs_is_named(change, expected):
    settings = deploy.configuration(wanted(**change), ("maimai-probe-layer-py36", 3))

    assert deploy.configuration_changes(DEPLOYED, settings) == expected


def test_a_new_layer_version_is_a_change():
    settings = deploy.configuration(wanted(), ("maimai-probe-layer-py36", 4))

    assert deploy.configuration_changes(DEPLOYED, settings) == ["Layers"]


def test_the_layer_version_holding_a_zip_is_found_by_its_sha256():
    versions = [
        {"LayerVersion": 1, "Description": deploy.stamp("layer", "aaa")},
        {"LayerVersion": 2, "Description": "by hand"},
        {"LayerVersion": 3, "Description": deploy.stamp("layer", "bbb")},
        {"LayerVersion": 4, "Description": None},
    ]

    assert deploy.layer_version_holding(versions, "bbb") == 3
    assert deploy.layer_version_holding(versions, "ccc") is None


def test_the_function_url_is_read_from_its_http_trigger():
    timer = {"Type": "timer", "TriggerDesc": "0 */5 * * * * *"}
    url = "https://1250000000-k3r9x2vd.ap-guangzhou.tencentscf.com"
    http = {"Type": "http", "TriggerDesc": json.dumps({"AuthType": "NONE", "ExtranetUrl": url})}

    assert deploy.function_url([timer]) is None
    assert deploy.function_url([timer, http]) == url
    assert deploy.function_url([{"Type": "http", "TriggerDesc": "not json"}]) == ""


def test_the_environment_has_the_fixed_settings_and_no_empty_values():
    environment = deploy.wanted_environment(dict(SETTINGS, ADMIN_TOKEN=""))

    assert environment["APP_ENV"] == "production"
    assert environment["TRUSTED_PROXIES"] == "0" and environment["FORCE_HTTPS"] == "true"
    assert "ADMIN_TOKEN" not in environment  # SCF refuses empty values
    assert all(environment.values())


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_the_secrets_must_be_set(missing):
    with pytest.raises(deploy.DeployError, match=missing):
        deploy.wanted_environment({k: v for k, v in SETTINGS.items() if k != missing})


def test_without_a_region_nothing_is_deployed(tmp_path, monkeypatch, capsys):
    for name in ("REGION", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("# no region\nSECRET_KEY='%s'\n" % ("s" * 40), encoding="utf-8")

    assert deploy.main(["--env-file", str(env_file), "--tccli", "/nonexistent/tccli"]) == 1
    assert "set REGION" in capsys.readouterr().err


def test_env_file_lines_are_read_as_keys_and_values(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("A=1\n\n# c\nB = 'two'\nC=\"x=y\"\nnot a line\n", encoding="utf-8")

    assert deploy.read_env_file(str(env_file)) == {"A": "1", "B": "two", "C": "x=y"}
    assert deploy.read_env_file(str(tmp_path / "missing")) == {}


#: Run on the unpacked code with CPython 3.6 and the layer: a page rendered without compiling.
SHIPPED_PAGE = """
import serverless_handler
app = serverless_handler.app
def refuse(source, name=None, filename=None, *args, **kwargs):
    raise AssertionError("compiled " + str(name))
app.jinja_env.compile = refuse
answer = app.test_client().get("/no-such-page")
print(answer.status_code, type(app.jinja_env.bytecode_cache).__name__)
"""


def bytecode_of(source):
    folder, _, name = source.rpartition("/")
    return (folder + "/" if folder else "") + "__pycache__/%s.cpython-36.pyc" % name[:-3]


def test_the_code_zip_for_a_runtime_holds_its_bytecode_and_compiled_templates(tmp_path):
    from .web_function_support import TENCENT_LAYER, layer_script, skip_or_fail

    python36 = deploy.runtime_python("Python3.6")
    if python36 is None or not TENCENT_LAYER.exists():
        skip_or_fail("needs CPython 3.6 and %s: bash scripts/test builds both" % TENCENT_LAYER)
    layer = str(TENCENT_LAYER)
    path = deploy.build_code_zip(str(tmp_path / "function.zip"), python=python36, layer_zip=layer)
    with zipfile.ZipFile(path) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    sources = [name for name in infos if name.endswith(".py")]
    missing = [name for name in sources if bytecode_of(name) not in infos]
    assert len(sources) > 100 and missing == []
    templates = [n for n in infos if n.startswith("maimai_probe/web/compiled/cpython-36/")]
    assert len(templates) > 10
    assert {info.extra for info in infos.values()} == {deploy.EXTENDED_TIMESTAMP}
    again = deploy.build_code_zip(str(tmp_path / "again.zip"), python=python36, layer_zip=layer)
    assert deploy.sha256_of(path) == deploy.sha256_of(again)  # same code, same zip

    smoke = layer_script("smoke")
    code = smoke.unpack(path, str(tmp_path / "code"), "")  # with each entry's time, as unzip
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join([smoke.unpack(layer, str(tmp_path / "opt"), ""), code]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "APP_ENV": "production",
        "SECRET_KEY": "shipped-code-" + "x" * 32,
        "DATABASE_URL": "sqlite:///%s" % (tmp_path / "unused.sqlite3"),
        "AUTO_MIGRATE": "0",
    }
    done = subprocess.run(  # noqa: UP022 - Python 3.6 has no capture_output
        [python36, "-S", "-v", "-c", SHIPPED_PAGE],
        env=env,
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        check=False,
    )
    said = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, said[-3000:]
    assert done.stdout.decode().split() == ["404", "CompiledTemplates"]
    from_bytecode = [line for line in said.splitlines() if "code object from '%s" % code in line]
    assert len(from_bytecode) > 20
    assert all(line.endswith(".pyc'") for line in from_bytecode), from_bytecode


def test_a_python_of_another_version_than_the_runtime_is_refused(capsys):
    runtime = "Python3.10" if sys.version_info[:2] == (3, 6) else "Python3.6"
    arguments = ["--package-only", "--runtime", runtime, "--python", sys.executable]
    assert deploy.main(arguments) == 1
    said = capsys.readouterr().err
    assert "is not CPython %s, which %s runs" % (runtime[6:], runtime) in said
