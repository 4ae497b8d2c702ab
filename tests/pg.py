"""Find the PostgreSQL server for tests: TEST_DATABASE_URL, as scripts/test exports it."""

import os
from typing import Optional

import pytest

SKIP_REASON = "no PostgreSQL server: set TEST_DATABASE_URL or run bash scripts/test"


def database_url() -> Optional[str]:
    """Return the test server's URL from TEST_DATABASE_URL, or None when it is unset."""
    return os.environ.get("TEST_DATABASE_URL", "").strip() or None


def in_ci() -> bool:
    """Tell whether this run is CI's, where a missing server is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_postgres() -> None:
    """Skip the current test without a server; under CI=true, fail it instead."""
    if database_url():
        return
    if in_ci():
        pytest.fail("CI=true and TEST_DATABASE_URL is unset: " + SKIP_REASON, pytrace=False)
    pytest.skip(SKIP_REASON)


def describe(url: Optional[str]) -> str:
    """Return a URL fit for printing: the password, if any, masked."""
    if not url:
        return "none"
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return "%s%s%s:***@%s" % (scheme, sep, user, host)
