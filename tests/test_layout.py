"""The layout holds: a small core, feature packages, imports that point down or sideways."""

import ast
import os

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
APP = os.path.join(SRC, "maimai_probe")
CORE = ("config", "db", "answer_deadline", "models", "game")
ENTRY_MODULES = ("maimai_probe.wsgi", "maimai_probe.packaging")


def features():
    """Return the names of the app's feature packages."""
    return sorted(
        name
        for name in os.listdir(APP)
        if os.path.isfile(os.path.join(APP, name, "__init__.py")) and name != "migrations"
    )


def modules(root, package):
    """Yield (dotted name, path) of every module below root, named from package."""
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
                dotted = package if relative == "__init__" else package + "." + relative
                yield dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted, path


def imported(dotted, path):
    """Return the absolute names a module imports (from-imports resolved to their sources)."""
    with open(path, encoding="utf-8") as file:
        tree = ast.parse(file.read())
    is_package = path.endswith("__init__.py")
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = dotted.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            names.add(base)
            names.update(base + "." + alias.name for alias in node.names)
    return names


def test_the_top_of_the_app_holds_at_most_15_modules():
    top = [name for name in os.listdir(APP) if name.endswith(".py")]
    assert len(top) <= 15, sorted(top)


def test_the_app_is_split_into_the_feature_packages():
    assert {"catalog", "importing", "parsing", "player", "rating", "web"} <= set(features())


@pytest.mark.parametrize("feature", features())
def test_each_feature_says_in_one_line_what_it_holds(feature):
    with open(os.path.join(APP, feature, "__init__.py"), encoding="utf-8") as file:
        docstring = ast.get_docstring(ast.parse(file.read()))
    assert docstring and "\n" not in docstring.strip()


def test_the_core_imports_no_feature():
    for name in CORE:
        dotted = "maimai_probe." + name
        uses = imported(dotted, os.path.join(APP, name + ".py"))
        wrong = {u for u in uses for f in features() if u.startswith("maimai_probe.%s" % f)}
        assert not wrong, "%s imports %s" % (dotted, sorted(wrong))


def test_no_feature_imports_the_factory_or_the_registry():
    for dotted, path in modules(APP, "maimai_probe"):
        if dotted in ENTRY_MODULES or dotted == "maimai_probe":
            continue
        uses = imported(dotted, path)
        wrong = uses & {"maimai_probe.create_app", "maimai_probe.blueprints"}
        wrong |= {u for u in uses if u.startswith("maimai_probe.blueprints.")}
        if dotted != "maimai_probe.blueprints":
            assert not wrong, "%s imports %s" % (dotted, sorted(wrong))


def test_parsing_is_plain_functions_without_flask():
    for dotted, path in modules(os.path.join(APP, "parsing"), "maimai_probe.parsing"):
        uses = imported(dotted, path)
        assert not {u for u in uses if u == "flask" or u.startswith("flask.")}, dotted


def test_the_serverless_skeleton_imports_nothing_of_the_app():
    root = os.path.join(SRC, "flask_serverless")
    for dotted, path in modules(root, "flask_serverless"):
        uses = imported(dotted, path)
        assert not {u for u in uses if u.startswith("maimai_probe")}, dotted


@pytest.mark.parametrize("feature", features())
def test_a_features_templates_sit_in_its_own_folder(feature):
    folder = os.path.join(APP, feature, "templates")
    if not os.path.isdir(folder):
        return
    for name in os.listdir(folder):
        assert os.path.isdir(os.path.join(folder, name)) or feature == "web", (feature, name)
