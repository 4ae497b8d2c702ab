"""Where the parser tests find their pages: our hand-made ones and the shared real ones."""

import functools
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
SHARED_PAGES = ROOT / ".." / "shared" / "fixtures" / "maimai-mobile"


def page_text(name: str) -> str:
    """Return one of our hand-made pages."""
    return (PAGES / name).read_text(encoding="utf-8")


def real_record_page() -> str:
    """Return the real record page of ../shared/fixtures, skipping where it is absent."""
    path = SHARED_PAGES / "record.html"
    if not path.exists():
        pytest.skip("../shared/fixtures absent (a fork has none)")
    return _read(path)


def shared_page(name: str) -> str:
    """Return a real page of ../shared/fixtures/maimai-mobile, skipping where it is absent."""
    path = SHARED_PAGES / name
    if not path.exists():
        pytest.skip("../shared/fixtures/maimai-mobile/%s absent (a fork has none)" % name)
    return _read(path)


@functools.lru_cache(maxsize=None)
def _read(path: pathlib.Path) -> str:
    return path.read_text(encoding="utf-8")
