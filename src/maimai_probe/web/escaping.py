"""Text from the database escaped for HTML once, for markup written by string formatting.

Pages that write many cards by formatting strings (a Jinja macro per card costs more than the
card) escape every database text with text(), as Jinja's autoescape would. Titles and levels
come up again and again, so the escaped text is kept.
"""

import functools

from markupsafe import escape


@functools.lru_cache(maxsize=8192)
def text(value: str) -> str:
    """Return text escaped for HTML, as Jinja's autoescape writes it."""
    return str(escape(value))
