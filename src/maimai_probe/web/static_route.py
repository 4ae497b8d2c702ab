"""The static route at the site root: a URL only other methods serve answers 405, not 404.

Static files are served at the root (`/<path:filename>`), so the static route matches a GET
of every path, a POST-only one's too (an import, the import API), and its 404 hid the 405
and Allow header HTTP asks for.
"""

import functools
from typing import Any, List

from flask import Flask, current_app, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

#: What the static route itself answers to.
STATIC_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def other_methods() -> List[str]:
    """Return the methods other routes serve at this request's path; none when no route does."""
    allowed = set(current_app.create_url_adapter(request).allowed_methods())
    if not allowed - STATIC_METHODS:
        return []
    return sorted(allowed - {"GET", "HEAD"})


def init_app(app: Flask) -> None:
    """Let the static route answer 405 where only another method's route serves the path."""
    serve = app.view_functions["static"]

    @functools.wraps(serve)
    def static(*args: Any, **kwargs: Any) -> Any:
        try:
            return serve(*args, **kwargs)
        except NotFound:
            allowed = other_methods()
            if allowed:
                raise MethodNotAllowed(valid_methods=allowed) from None
            raise

    app.view_functions["static"] = static
