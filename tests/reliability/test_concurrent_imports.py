"""Overlapping record pages imported at once by separate processes, each with its own app."""

import multiprocessing
import queue
import time

import pytest
from sqlalchemy import func, select

from import_helpers import new_player
from maimai_probe.catalog.sync import read_catalog, sync_catalog
from maimai_probe.models import Play, Player
from reliability import workers
from reliability.record_pages import play_time, record_template
from test_catalog import small_catalog

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: Each worker posts one page; together they show plays 0-99, most of them twice.
PAGES = {
    "A": range(0, 50),
    "B": range(25, 75),
    "C": range(50, 100),
    "B again": range(25, 75),
}
DISTINCT = 100
ROUNDS = 3


@pytest.fixture
def players(postgres_app):
    """Create one player per round on a synced catalog; return (name, token) pairs."""
    session = database_session(postgres_app)
    sync_catalog(session, read_catalog(small_catalog()))
    session.commit()
    made = [new_player(session, "并发玩家%d" % number) for number in range(ROUNDS)]
    session.close()
    return [(player.name, token) for player, token in made]


def database_session(app):
    """Open a session on an app's database outside any request."""
    return app.extensions["maimai_probe.db"].session()


def test_overlapping_pages_from_several_processes_store_each_play_once(
    postgres_app, postgres_schema, players
):
    template = record_template()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(PAGES))
    results = context.Queue()
    processes = [
        context.Process(
            target=workers.import_rounds,
            args=(
                number,
                postgres_schema,
                players,
                template.page(PAGES[label]).encode("utf-8"),
                barrier,
                results,
            ),
            daemon=True,
        )
        for number, label in enumerate(PAGES)
    ]
    for process in processes:
        process.start()
    answers = collect(results, len(PAGES) * ROUNDS, processes)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0, "a worker process failed (exit %s)" % process.exitcode

    labels = list(PAGES)
    session = database_session(postgres_app)
    try:
        for number, (name, _token) in enumerate(players):
            this_round = [answer for answer in answers if answer[1] == number]
            assert len(this_round) == len(PAGES)
            new_total = 0
            for worker, _, status, body, seconds in this_round:
                label = labels[worker]
                assert status in (200, 201), (label, status, body)
                assert body["rejected"] == 0, (label, body)
                assert body["new"]["plays"] + body["known"]["plays"] == 50, (label, body)
                assert seconds < 30, (label, seconds)
                new_total += body["new"]["plays"]
            assert new_total == DISTINCT, [(labels[a[0]], a[3]["new"]) for a in this_round]
            stored = session.scalars(
                select(Play.played_at)
                .join(Player, Player.id == Play.player_id)
                .where(Player.name == name)
            )
            assert sorted(stored) == sorted(play_time(k) for k in range(DISTINCT))
        per_player = session.execute(
            select(
                Play.player_id, func.count(), func.count(func.distinct(Play.played_at))
            ).group_by(Play.player_id)
        ).all()
        assert [(count, distinct) for _, count, distinct in per_player] == [
            (DISTINCT, DISTINCT)
        ] * ROUNDS
    finally:
        session.close()


def collect(results, expected, processes):
    """Take the workers' answers, failing on a traceback or when they stop coming."""
    answers = []
    deadline = time.monotonic() + 120
    while len(answers) < expected:
        left = deadline - time.monotonic()
        if left <= 0 or not any(process.is_alive() for process in processes) and results.empty():
            pytest.fail("only %d of %d imports answered" % (len(answers), expected))
        try:
            answer = results.get(timeout=min(left, 1.0))
        except queue.Empty:
            continue
        if answer[1] == -1:
            pytest.fail("worker %d failed:\n%s" % (answer[0], answer[3]))
        answers.append(answer)
    return answers
