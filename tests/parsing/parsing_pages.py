"""Where the parser tests find their pages: our hand-made ones and the shared real ones."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
SHARED_PAGES = ROOT / ".." / "shared" / "fixtures" / "maimai-mobile"


def page_text(name: str) -> str:
    """Return one of our hand-made pages."""
    return (PAGES / name).read_text(encoding="utf-8")
