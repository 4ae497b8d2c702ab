"""Text every encoder and database takes: lone surrogates escaped, NUL characters found."""

from typing import Optional


def encodable(text: str) -> str:
    """Return text UTF-8 can carry: a lone surrogate (JSON's "\\ud800") becomes its escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def unstorable_character(text: str) -> Optional[str]:
    """Return the first character no database keeps in text (NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "\x00"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return text[error.start]
    return None
