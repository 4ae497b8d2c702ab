"""Fixtures for the parser tests."""

import pytest
from parsing_pages import SHARED_PAGES


@pytest.fixture(scope="session")
def real_record() -> str:
    """Return the real record page of ../shared/fixtures, skipping where it is absent."""
    path = SHARED_PAGES / "record.html"
    if not path.exists():
        pytest.skip("../shared/fixtures absent (a fork has none)")
    return path.read_text(encoding="utf-8")
