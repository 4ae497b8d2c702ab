"""Every command README.md and docs/ print runs as printed: the right program, real options."""

import os
import re
import shlex

import click
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLASK = ".venv/bin/flask --app maimai_probe"
PYTHON = ".venv/bin/python"


def documents():
    """Yield the path of README.md and of every page under docs/."""
    yield os.path.join(ROOT, "README.md")
    for name in sorted(os.listdir(os.path.join(ROOT, "docs"))):
        if name.endswith(".md"):
            yield os.path.join(ROOT, "docs", name)


def command_lines():
    """Yield (where, text) for every line of the documents that names a project command."""
    for path in documents():
        with open(path, encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                where = "%s:%d" % (os.path.relpath(path, ROOT), number)
                for match in re.finditer(r"(?:\.venv/bin/)?flask --app maimai_probe[^`\n]*", line):
                    yield where, match.group(0)


def flask_commands():
    """Return (where, words after --app maimai_probe) of every flask command printed."""
    found = []
    for where, text in command_lines():
        words = shlex.split(text.split("#", 1)[0].replace("…", ""))[3:]
        if words and not words[0].isupper():  # "flask --app maimai_probe COMMAND" explains
            found.append((where, words))
    return found


def test_the_documents_print_flask_commands():
    assert len(flask_commands()) >= 5


@pytest.mark.parametrize("where, text", list(command_lines()), ids=lambda value: str(value)[:60])
def test_flask_commands_name_the_venv_the_set_up_commands_make(where, text):
    assert text.startswith(FLASK), "%s: print %r, as the set-up commands make .venv" % (
        where,
        FLASK,
    )


@pytest.mark.parametrize("where, words", flask_commands(), ids=lambda value: str(value)[:60])
def test_each_flask_command_and_option_exists(sqlite_app, where, words):
    """Walk the app's command groups along the printed words; every option must be declared."""
    command = sqlite_app.cli
    ctx = click.Context(command, info_name="flask", obj=None)
    path = []
    for word in words:
        if word.startswith("-") or not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, word)
        if sub is None:
            break
        path.append(word)
        command = sub
    assert path and not isinstance(command, click.Group), "%s: no command in %r" % (
        where,
        words,
    )
    declared = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    for word in words[len(path) :]:
        option = word.strip("[]|").split("=", 1)[0]
        if option.startswith("-"):
            assert option in declared, "%s: %s has no option %s" % (where, " ".join(path), option)
    result = sqlite_app.test_cli_runner().invoke(args=path + ["--help"])
    assert result.exit_code == 0, result.output


def python_modules():
    """Return (where, module) of every `.venv/bin/python -m MODULE` the documents print."""
    found = []
    for path in documents():
        with open(path, encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                for match in re.finditer(r"(\S*python3?) -m ([\w.]+)", line):
                    where = "%s:%d" % (os.path.relpath(path, ROOT), number)
                    found.append((where, match.group(1), match.group(2)))
    return found


@pytest.mark.parametrize("where, python, module", python_modules(), ids=str)
def test_python_commands_use_the_venv_and_name_real_modules(where, python, module):
    if module in ("pip", "venv"):  # installing tools: any Python of the machine will do
        return
    assert python.lstrip("`$ ") == PYTHON, "%s: print %s -m %s" % (where, PYTHON, module)
    top = module.split(".")[0]
    if top in ("bench", "layer", "tests"):
        relative = module.replace(".", os.sep)
        assert os.path.exists(os.path.join(ROOT, relative + ".py")) or os.path.isdir(
            os.path.join(ROOT, relative)
        ), "%s: no module %s" % (where, module)


def script_commands():
    """Return (where, script) of every `bash PATH` the documents print."""
    found = []
    for path in documents():
        with open(path, encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                for match in re.finditer(r"\bbash ([\w./-]+)", line):
                    where = "%s:%d" % (os.path.relpath(path, ROOT), number)
                    found.append((where, match.group(1)))
    return found


@pytest.mark.parametrize("where, script", script_commands(), ids=str)
def test_bash_commands_name_scripts_that_exist(where, script):
    assert os.path.isfile(os.path.join(ROOT, script)), "%s: no script %s" % (where, script)
