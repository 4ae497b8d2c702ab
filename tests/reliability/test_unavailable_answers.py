"""A lost database connection answers 503 with Retry-After, as a page or as JSON."""

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from maimai_probe.player import api, home

UNAVAILABLE = "数据库暂时无法连接，请稍后再试。"


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("SELECT 1", {}, Exception("connection refused")),
        PoolTimeout("QueuePool limit reached"),
    ],
    ids=["operational", "pool timeout"],
)
@pytest.mark.parametrize("path", ["/players/alice/", "/api/players/alice/plays"])
def test_a_lost_database_answers_503_with_retry_after(sqlite_app, monkeypatch, failure, path):
    def unreachable(*_args, **_kwargs):
        raise failure

    monkeypatch.setattr(home, "player_or_404", unreachable)
    monkeypatch.setattr(api, "player_or_404", unreachable)
    response = sqlite_app.test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    if path.startswith("/api/"):
        assert response.get_json() == {"error": UNAVAILABLE, "status": 503}
    else:
        assert response.mimetype == "text/html"
        assert UNAVAILABLE in response.get_data(as_text=True)
