"""Count the SQL statements an app sends to its database."""

from typing import ContextManager, List

from flask import Flask


def count_queries(app: Flask) -> ContextManager[List[str]]:
    """Collect the statements the app runs inside the block: on both engines and light reads."""
    return app.extensions["maimai_probe.db"].recorded_statements()


def queries_for(app: Flask, client, url: str) -> List[str]:
    """Return the statements one GET runs when rendered, checking it succeeded.

    Tests add rows behind the app's back, without bumping the player's revision: forget the
    kept pages so the page is rendered from what the database holds now.
    """
    kept = app.extensions.get("maimai_probe.web.page_cache")
    if kept is not None:
        kept.clear()
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(statements)
