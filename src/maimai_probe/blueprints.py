"""The site's features, one blueprint each, registered in one place."""

from flask import Flask

from . import csrf


def register(app: Flask) -> None:
    """Register every feature's blueprint on the app."""
    from .api import bp as api
    from .api_imports import bp as api_imports
    from .api_rating import bp as api_rating
    from .best50 import bp as rating
    from .catalog_cli import songs_commands
    from .chart_links import bp as chart_links
    from .charts import bp as charts
    from .demo import bp as demo
    from .diffs import bp as diffs
    from .history import bp as history
    from .imports import bp as imports
    from .players import bp as players
    from .records import bp as records
    from .site import bp as site
    from .songs import bp as songs
    from .unmatched import bp as unmatched

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
    app.cli.add_command(songs_commands)
