"""Pytest plugin: say loudly which PostgreSQL tests ran, and which were skipped for want of one.

Load it from tests/conftest.py with ``pytest_plugins = ["pg_report"]``. Tests marked
``postgres`` skip (fail under CI=true) when TEST_DATABASE_URL is unset.
"""

from typing import List

import pytest

import pg

MARKER = "postgres"


def pytest_report_header(config) -> str:
    """Name the PostgreSQL server the run uses, or warn that there is none."""
    url = pg.database_url()
    if url:
        return "postgres: " + pg.describe(url)
    action = "FAIL (CI=true)" if pg.in_ci() else "be SKIPPED"
    return "postgres: NONE - tests marked '%s' will %s (%s)" % (MARKER, action, pg.SKIP_REASON)


def pytest_runtest_setup(item) -> None:
    """Skip (or under CI fail) a postgres-marked test before its fixtures run."""
    if item.get_closest_marker(MARKER) is not None:
        pg.require_postgres()


def _skipped_postgres(terminalreporter) -> List[str]:
    return [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if MARKER in getattr(report, "keywords", {})
    ]


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """List every postgres test that was skipped, under a banner no one can miss."""
    skipped = _skipped_postgres(terminalreporter)
    if not skipped:
        return
    terminalreporter.write_sep("!", "%d PostgreSQL tests SKIPPED" % len(skipped), red=True)
    terminalreporter.write_line(pg.SKIP_REASON)
    for nodeid in skipped:
        terminalreporter.write_line("  SKIPPED " + nodeid)
    terminalreporter.write_sep("!", "", red=True)
