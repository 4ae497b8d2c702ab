"""The site's features, one blueprint each, registered in one place; views imported on first use.

A serverless cold start answers one request, and importing every view would import the
ORM, the importer and the parsers first. So the app registers each feature's routes from
routes.json, a list of them written from the blueprints themselves, and imports a view's
module when one of its routes is first asked for. routes.json names the digest of the view
modules it was written from: when any of them changed since, the app imports them all and
registers the blueprints as they are, as correct as before and only slower to start, until
`flask --app maimai_probe write-routes` writes routes.json again (a test says when it is due).
The setting LAZY_VIEWS=False registers them all as they are, as that command does.
"""

import hashlib
import importlib
import json
import os
import sys
from typing import Any, Callable, Dict, Optional

import click
from flask import Blueprint, Flask, current_app
from werkzeug.routing import Rule

from .web import csrf

PACKAGE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(PACKAGE, "routes.json")

#: Every feature's blueprint module, in order, and whether its requests skip the CSRF check.
FEATURES = (
    ("maimai_probe.web.site", False),
    ("maimai_probe.web.chart_links", False),
    ("maimai_probe.player.api", True),  # bearer tokens, no cookies
    ("maimai_probe.player.home", False),
    ("maimai_probe.player.records", False),
    ("maimai_probe.player.diffs", False),
    ("maimai_probe.player.history", False),
    ("maimai_probe.importing.form", False),
    ("maimai_probe.importing.api", True),  # bearer tokens, no cookies
    ("maimai_probe.catalog.songs", False),
    ("maimai_probe.player.charts", False),
    ("maimai_probe.web.samples", True),  # benchmark forms, posted without cookies
    ("maimai_probe.rating.best50", False),
    ("maimai_probe.importing.unmatched", False),
    ("maimai_probe.rating.api", True),  # read-only JSON
    ("maimai_probe.progress.views", False),
    ("maimai_probe.progress.api", True),  # read-only JSON
    ("maimai_probe.jackets.serving", False),
)
#: Blueprints registered as they are: they add template globals every page uses.
EAGER = frozenset(("maimai_probe.web.chart_links",))


def register(app: Flask) -> None:
    """Register every feature's blueprint on the app: from routes.json while it is current."""
    app.url_rule_class = Route
    manifest = load_manifest() if app.config.get("LAZY_VIEWS", True) else None
    for module, exempt in FEATURES:
        if manifest is None or module in EAGER:
            blueprint = importlib.import_module(module).bp
        else:
            blueprint = stand_in(module, manifest["blueprints"][module])
        app.register_blueprint(blueprint)
        if exempt:
            csrf.exempt_blueprints(app).add(blueprint.name)


class Route(Rule):
    """A URL rule whose URL builder is compiled the first time a URL is built from it.

    Werkzeug compiles two builder functions for every rule as it is added, half of what
    registering the routes costs a cold start; a request builds URLs of a few rules only.
    Werkzeug 2.0 to 3.1 compile them in `_compile_builder`; a test builds every route's URL.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., Any]:
        compile_builder = super()._compile_builder
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: Rule, *args: Any, **kwargs: Any) -> Any:
            built = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, built)  # from now on, straight to it
            return built(*args, **kwargs)

        return build_on_first_use


class LazyView:
    """A route's view, imported with its module on the route's first request."""

    def __init__(self, module: str, attribute: str, endpoint: str) -> None:
        self.module = module
        self.attribute = attribute
        self.endpoint = endpoint
        self.__name__ = attribute

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        view = getattr(importlib.import_module(self.module), self.attribute)
        current_app.view_functions[self.endpoint] = view  # from now on, straight to it
        return view(*args, **kwargs)


def stand_in(module: str, described: Dict[str, Any]) -> Blueprint:
    """Return a blueprint with a feature's name, templates and routes, its views imported lazily."""
    package = module.rsplit(".", 1)[0].split(".")[1:]
    blueprint = Blueprint(
        described["name"],
        module,
        template_folder=described["template_folder"],
        root_path=os.path.join(PACKAGE, *package),
    )
    for route in described["routes"]:
        endpoint = route["endpoint"]
        blueprint.add_url_rule(
            route["rule"],
            endpoint,
            LazyView(module, route["view"], "%s.%s" % (described["name"], endpoint)),
            methods=route["methods"],
            defaults=route["defaults"],
            strict_slashes=route["strict_slashes"],
            # None lets Flask add OPTIONS and answer it, as it did for the view itself.
            provide_automatic_options=None if route["provide_automatic_options"] else False,
        )
    return blueprint


def source_digest() -> str:
    """Return a digest of the view modules' sources, which routes.json is written from."""
    digest = hashlib.sha256()
    for module, _ in FEATURES:
        digest.update(module.encode())
        with open(os.path.join(PACKAGE, *module.split(".")[1:]) + ".py", "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


def load_manifest() -> Optional[Dict[str, Any]]:
    """Return routes.json when it was written from the view modules as they are, else None."""
    try:
        with open(MANIFEST, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return None
    if manifest.get("digest") != source_digest():
        return None
    return manifest


def describe(app: Flask) -> Dict[str, Any]:
    """Return routes.json's content for an app whose blueprints were registered as they are."""
    blueprints = {}  # type: Dict[str, Any]
    for module, _ in FEATURES:
        imported = sys.modules[module]
        blueprint = imported.bp
        views = {id(value): name for name, value in vars(imported).items() if callable(value)}
        routes = []
        # Sorted: Werkzeug 2.0 lists rules by its own match order, later ones as added; the
        # matchers of both order rules by their weights, never by when they were added.
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
            name, _, endpoint = rule.endpoint.partition(".")
            if name != blueprint.name:
                continue
            view = app.view_functions[rule.endpoint]
            if id(view) not in views:
                raise RuntimeError("%s: the view of %s is not in the module" % (module, rule))
            automatic = bool(getattr(rule, "provide_automatic_options", False))
            methods = set(rule.methods or ()) - ({"OPTIONS"} if automatic else set())
            if "GET" in methods:
                methods.discard("HEAD")  # added again with GET
            routes.append(
                {
                    "rule": rule.rule,
                    "endpoint": endpoint,
                    "view": views[id(view)],
                    "methods": sorted(methods),
                    "defaults": rule.defaults,
                    "strict_slashes": rule.strict_slashes,
                    "provide_automatic_options": automatic,
                }
            )
        blueprints[module] = {
            "name": blueprint.name,
            "template_folder": blueprint.template_folder,
            "routes": routes,
        }
    return {"digest": source_digest(), "blueprints": blueprints}


def write_manifest(make_app: Callable[[], Flask]) -> str:
    """Write routes.json from an app made with every blueprint as it is; return its path."""
    app = make_app()
    text = json.dumps(describe(app), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    with open(MANIFEST, "w", encoding="utf-8") as handle:
        handle.write(text)
    return MANIFEST


def eager_app(**settings: Any) -> Flask:
    """Return an app whose blueprints are registered as they are, on a throwaway database."""
    import tempfile

    from . import create_app

    folder = tempfile.mkdtemp(prefix="maimai-probe-routes-")
    config = {
        "TESTING": True,
        "SECRET_KEY": "routes-manifest-" + "x" * 32,
        "DATABASE_URL": "sqlite:///" + os.path.join(folder, "routes.sqlite3"),
        "AUTO_MIGRATE": False,
        "LAZY_VIEWS": False,
    }
    config.update(settings)
    return create_app(config)


@click.command("write-routes")
def write_routes_command() -> None:
    """Write routes.json from the blueprints, after a change to a view module."""
    click.echo("已写入 %s" % os.path.relpath(write_manifest(eager_app)))
