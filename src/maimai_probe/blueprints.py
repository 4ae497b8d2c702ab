"""The site's features, one blueprint each, registered in one place."""

from flask import Flask

from .web import csrf


def register(app: Flask) -> None:
    """Register every feature's blueprint on the app."""
    from .catalog.songs import bp as songs
    from .importing.api import bp as api_imports
    from .importing.form import bp as imports
    from .importing.unmatched import bp as unmatched
    from .player.api import bp as api
    from .player.charts import bp as charts
    from .player.diffs import bp as diffs
    from .player.history import bp as history
    from .player.home import bp as players
    from .player.records import bp as records
    from .rating.api import bp as api_rating
    from .rating.best50 import bp as rating
    from .web.chart_links import bp as chart_links
    from .web.samples import bp as demo
    from .web.site import bp as site

    app.register_blueprint(site)
    app.register_blueprint(chart_links)
    app.register_blueprint(api)
    csrf.exempt_blueprints(app).add(api.name)  # bearer tokens, no cookies
    app.register_blueprint(players)
    app.register_blueprint(records)
    app.register_blueprint(diffs)
    app.register_blueprint(history)
    app.register_blueprint(imports)
    app.register_blueprint(api_imports)
    csrf.exempt_blueprints(app).add(api_imports.name)  # bearer tokens, no cookies
    app.register_blueprint(songs)
    app.register_blueprint(charts)
    app.register_blueprint(demo)
    csrf.exempt_blueprints(app).add(demo.name)  # benchmark forms, posted without cookies
    app.register_blueprint(rating)
    app.register_blueprint(unmatched)
    app.register_blueprint(api_rating)
    csrf.exempt_blueprints(app).add(api_rating.name)  # read-only JSON
