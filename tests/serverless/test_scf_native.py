"""Tencent's own local runner, scf 0.2.8 (`scf native invoke`), with its shipped event templates.

scf needs Python 3.8 and old dependencies: bash scripts/test makes .venv-scf for it
(scf==0.2.8, markupsafe==2.0.1). Without it these tests are skipped loudly; under CI=true they
fail. The function runs on the Python first on PATH: the one running these tests.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from .web_function_support import ROOT, skip_or_fail

#: The template's runtime is Python3.6: the CPython 3.6 pass runs these, with the layer's
#: versions; the current Python's pass need not run them again.
pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 6), reason="the function's runtime is Python 3.6"
)

SCF = pathlib.Path(os.environ.get("SCF_CLI") or str(ROOT / ".venv-scf" / "bin" / "scf"))

TEMPLATE = """\
Resources:
  default:
    Type: TencentCloud::Serverless::Namespace
    maimai-probe-event:
      Type: TencentCloud::Serverless::Function
      Properties:
        CodeUri: ./code
        Type: Event
        Handler: serverless_handler.handler
        MemorySize: 512
        Timeout: 30
        Runtime: Python3.6
"""


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """Return run(event) -> the function's answer, through scf native invoke."""
    if not SCF.exists():
        skip_or_fail("%s is missing: bash scripts/test makes .venv-scf (CPython 3.8)" % SCF)
    work = tmp_path_factory.mktemp("scf-native")
    deploy = load_deploy()
    deploy.write_code_root(str(work / "code"))
    (work / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    data = work / "data"
    data.mkdir()
    settings = {"SECRET_KEY": "scf-native-" + "k" * 32, "DATA_DIR": str(data), "AUTO_MIGRATE": "1"}
    (work / "env.json").write_text(json.dumps(settings), encoding="utf-8")
    env = {
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "HOME": str(work),  # scf keeps its settings in the home folder
        "LANG": "C.UTF-8",
    }

    def scf(*arguments, stdin=None):
        done = subprocess.run(
            [str(SCF)] + list(arguments),
            cwd=str(work),
            env=env,
            input=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=180,
        )
        output = done.stdout.decode("utf-8", "replace")
        assert done.returncode == 0, output[-3000:]
        return output

    def run(event):
        (work / "event.json").write_text(json.dumps(event), encoding="utf-8")
        output = scf(
            "native", "invoke", "-t", "template.yaml", "-e", "event.json", "-n", "env.json"
        )
        answer = output.strip().splitlines()[-1]  # the function's return value comes last
        return json.loads(answer)

    run.template = lambda *names: json.loads(scf("native", "generate-event", *names))
    return run


def load_deploy():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "scf_native_deploy", str(ROOT / "tencent" / "deploy.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_api_gateway_template_is_refused_cleanly(runner):
    event = runner.template("apigateway", "proxy")  # a form POST to /test/value, no CSRF token

    answer = runner(event)

    # /test/value takes only GET (a static file's URL): the method is refused before the form.
    assert answer["statusCode"] == 405
    assert "不支持这种请求方式" in answer["body"]


def test_the_template_as_a_get_of_the_home_page_is_served(runner):
    event = runner.template("apigateway", "proxy")
    event.update(httpMethod="GET", path="/", body="")
    event["requestContext"]["path"] = "/"

    answer = runner(event)

    assert answer["statusCode"] == 200
    assert "舞萌DX" in answer["body"]


def test_the_shipped_timer_template_touches_no_page(runner):
    answer = runner(runner.template("timer", "timeup"))

    assert answer["status"] == "warm" and answer["event"] == "timer"
