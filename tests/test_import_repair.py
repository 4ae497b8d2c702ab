"""Importing a good official page again corrects what a damaged copy once stored."""

import copy

from sqlalchemy import select

from import_helpers import PAGES, new_player, own_record_page
from maimai_probe.importing import store
from maimai_probe.models import Chart, Play, PlayDetail, Score, Song
from maimai_probe.parsing.detect import parse_page

NOW = 1760000000


def add_chart_for(session, play):
    """Add the catalog chart a play names; return its id."""
    song = Song(title=play.title, kind=play.kind, catalog_id="10001")
    song.charts.append(Chart(difficulty=play.difficulty, level="13"))
    session.add(song)
    session.commit()
    return song.charts[0].id


def garbled(text):
    """Return text as a UTF-8 page read as GBK and saved again shows it."""
    return text.encode("utf-8").decode("gbk", "replace")


def good_upload():
    return store.read_upload("record.html", own_record_page())


def stored_plays(session, player):
    session.expire_all()  # the import writes through statements, not these objects
    return session.scalars(
        select(Play).where(Play.player_id == player.id).order_by(Play.played_at)
    ).all()


def import_damaged(session, player, damage):
    """Store a copy of the good page that got through with damage, as an older version might."""
    page = copy.deepcopy(parse_page(own_record_page()))
    for play in page.plays:
        damage(play)
    store.import_pages(session, player, [page], NOW)


def test_a_good_page_corrects_garbled_titles_and_relinks_them(session):
    player = new_player(session)[0]
    good = parse_page(own_record_page())
    newest = max(good.plays, key=lambda play: play.played_at)
    chart_id = add_chart_for(session, newest)

    def garble(play):
        play.title = garbled(play.title)

    import_damaged(session, player, garble)
    damaged = stored_plays(session, player)
    assert [p.title for p in damaged] == [
        garbled(p.title) for p in sorted(good.plays, key=lambda play: play.played_at)
    ]
    assert damaged[-1].chart_id is None

    result = store.import_uploads(session, player, [good_upload()], NOW + 60)
    file = result.files[0]
    assert (file.new["plays"], file.known["plays"]) == (0, 4)
    changed = sum(1 for play in good.plays if garbled(play.title) != play.title)
    assert changed == 2  # the other two titles are ASCII, which a wrong decoding keeps
    assert file.warnings == [
        "本站存的 2 条记录与这份页面显示的不同（之前导入的页面可能有损坏），已按这份页面改正。"
    ]
    by_time = {p.played_at: p for p in good.plays}
    for stored in stored_plays(session, player):
        assert stored.title == by_time[stored.played_at].title
        assert stored.imported_at == NOW  # still the first import's time
    assert stored_plays(session, player)[-1].chart_id == chart_id  # its real title's chart

    again = store.import_uploads(session, player, [good_upload()], NOW + 120)
    assert again.files[0].warnings == []
    assert (again.new["plays"], again.known["plays"]) == (0, 4)


def test_a_good_page_corrects_a_misread_number(session):
    player = new_player(session)[0]

    def misread(play):
        play.dx_score_max = play.dx_score_max * 10 + 4
        play.achievement -= 1

    import_damaged(session, player, misread)
    result = store.import_uploads(session, player, [good_upload()], NOW + 60)
    assert "已按这份页面改正" in result.files[0].warnings[0]
    good = {p.played_at: p for p in parse_page(own_record_page()).plays}
    for stored in stored_plays(session, player):
        expected = good[stored.played_at]
        assert (stored.achievement, stored.dx_score_max) == (
            expected.achievement,
            expected.dx_score_max,
        )


def test_a_fact_a_page_does_not_show_is_kept(session):
    player = new_player(session)[0]
    store.import_uploads(session, player, [good_upload()], NOW)
    page = copy.deepcopy(parse_page(own_record_page()))
    for play in page.plays:
        play.level = None
        play.jacket = None
    result = store.import_pages(session, player, [page], NOW + 60)
    assert result.files[0].warnings == []
    good = {p.played_at: p for p in parse_page(own_record_page()).plays}
    for stored in stored_plays(session, player):
        assert (stored.level, stored.jacket) == (
            good[stored.played_at].level,
            good[stored.played_at].jacket,
        )


def test_a_good_detail_page_corrects_a_garbled_detail(session):
    player = new_player(session)[0]
    page = parse_page((PAGES / "playlog_detail.html").read_text("utf-8"))
    played_at, detail = next(iter(page.details.items()))
    assert detail.matching_players == ["ｍａｉ\u3000ｍａｉ", "Lumi☆"]
    bad = copy.deepcopy(page)
    bad.details[played_at].matching_players = [garbled(name) for name in detail.matching_players]
    store.import_pages(session, player, [bad], NOW)
    session.expire_all()
    assert session.scalars(select(PlayDetail)).one().matching_players != detail.matching_players
    result = store.import_pages(session, player, [page], NOW + 60)
    assert result.files[0].known["details"] == 1
    assert "已按这份页面改正" in result.files[0].warnings[0]
    session.expire_all()
    assert session.scalars(select(PlayDetail)).one().matching_players == detail.matching_players


def test_an_archive_does_not_overwrite_what_official_pages_showed(session):
    player = new_player(session)[0]
    store.import_uploads(session, player, [good_upload()], NOW)
    archive = copy.deepcopy(parse_page(own_record_page()))
    archive.page, archive.service = "archive", "archive"
    for play in archive.plays:
        play.title = garbled(play.title)
        play.service = "cn"
    result = store.import_pages(session, player, [archive], NOW + 60)
    assert result.files[0].warnings == []
    good = {p.played_at: p.title for p in parse_page(own_record_page()).plays}
    assert {p.played_at: p.title for p in stored_plays(session, player)} == good


def test_a_good_score_list_drops_the_readings_a_garbled_copy_stored(session):
    player = new_player(session)[0]
    text = (PAGES / "music_level_intl.html").read_text("utf-8")
    good = parse_page(text)
    bad = copy.deepcopy(good)
    for score in bad.scores:
        score.title = garbled(score.title)
    store.import_pages(session, player, [bad], NOW)
    garbled_titles = {garbled(score.title) for score in good.scores}
    assert garbled_titles != {score.title for score in good.scores}

    result = store.import_uploads(
        session, player, [store.read_upload("level.html", text.encode())], NOW + 60
    )
    # "Garakuta Doll Play" is ASCII: its reading was never garbled, so it is known.
    assert (result.new["scores"], result.known["scores"]) == (2, 1)
    assert result.files[0].warnings == [
        "本站存的 2 条记录与这份页面显示的不同（之前导入的页面可能有损坏），已按这份页面改正。"
    ]
    session.expire_all()
    stored = session.scalars(select(Score.title).where(Score.player_id == player.id)).all()
    assert sorted(stored) == sorted(score.title for score in good.scores)

    again = store.import_uploads(
        session, player, [store.read_upload("level.html", text.encode())], NOW + 120
    )
    assert (again.new["scores"], again.known["scores"], again.files[0].warnings) == (0, 3, [])


def test_a_reading_of_another_score_is_not_dropped(session):
    player = new_player(session)[0]
    text = (PAGES / "music_level_intl.html").read_text("utf-8")
    other = copy.deepcopy(parse_page(text))
    for score in other.scores:
        score.title = garbled(score.title)
        score.achievement -= 1  # a reading of another score: not this page's garbled twin
    store.import_pages(session, player, [other], NOW)
    result = store.import_uploads(
        session, player, [store.read_upload("level.html", text.encode())], NOW + 60
    )
    assert result.files[0].warnings == []
    assert len(session.scalars(select(Score.id).where(Score.player_id == player.id)).all()) == 6
