"""The song catalog: reading music_data, upserting songs and charts, the songs sync command."""

import copy
import json
import pathlib
import socket

import pytest
from sqlalchemy import func, select

from maimai_probe import game
from maimai_probe.catalog.sync import (
    CatalogError,
    constant_tenths,
    fetch,
    read_catalog,
    sync_catalog,
)
from maimai_probe.models import Chart, Song

SHARED_FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def shared_fixture(*parts: str) -> pathlib.Path:
    """Return a file of ../shared/fixtures, skipping the test where it is absent (a fork)."""
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip("../shared/fixtures/%s absent (a fork has none)" % "/".join(parts))
    return path


def level_label(constant):
    """Return the level label of a constant: 13.7 -> "13+"."""
    if not isinstance(constant, float):
        return "?"
    return str(int(constant)) + ("+" if constant % 1 >= 0.65 else "")


def song(catalog_id="8", title="True Love Song", kind="SD", ds=None, **info):
    """Return one song in the Diving-Fish music_data format."""
    ds = [5.0, 7.2, 10.2, 12.4] if ds is None else ds
    basic_info = {
        "title": title,
        "artist": "Kai",
        "genre": "舞萌",
        "bpm": 150,
        "release_date": "",
        "from": "maimai",
        "is_new": False,
    }
    basic_info.update(info)
    return {
        "id": catalog_id,
        "title": title,
        "type": kind,
        "ds": ds,
        "level": [level_label(value) for value in ds],
        "cids": list(range(len(ds))),
        "charts": [{"notes": [100, 10, 10, 5], "charter": "譜面-100号"} for _ in ds],
        "basic_info": basic_info,
    }


def small_catalog():
    """Return a few songs: both kinds of one title, the two Links, a Re:MASTER and a UTAGE."""
    utage = song("110281", "[回]ダブルラリアット", "DX", [13.0, 13.0], genre="宴会場")
    utage["level"] = ["13?", "13?"]
    return [
        song(),
        song("10008", kind="DX", ds=[4.0, 7.5, 10.6, 13.1]),
        song("131", "Link", ds=[3.0, 6.0, 9.0, 12.2]),
        song("383", "Link(CoF)", ds=[4.0, 7.0, 10.3, 12.8]),
        song("11720", "Re:Unknown X", "DX", [6.0, 9.0, 12.4, 14.6, 14.9], is_new=True),
        utage,
    ]


@pytest.mark.parametrize(
    "value, tenths",
    [(13.7, 137), (14.6, 146), (12.0, 120), (13, 130), (1.05, 11), (12.95, 130), (0.1, 1)],
)
def test_constants_are_kept_in_tenths_rounding_half_up(value, tenths):
    assert constant_tenths(value) == tenths


def test_the_shared_catalog_reads_with_utage_apart():
    songs = read_catalog(json.loads(shared_fixture("diving-fish", "music_data.json").read_text()))
    assert len(songs) == 1286
    by_id = {entry.catalog_id: entry for entry in songs}
    unknown_x = by_id["11720"]
    assert (unknown_x.title, unknown_x.kind, unknown_x.is_new) == ("Re:Unknown X", "DX", True)
    assert unknown_x.charts[game.MASTER].constant_tenths == 146
    assert unknown_x.version == "maimai でらっくす PRiSM"
    utage = [entry for entry in songs if int(entry.catalog_id) >= 100000]
    assert len(utage) == 47
    assert all([chart.difficulty for chart in entry.charts] == [game.UTAGE] for entry in utage)
    assert by_id["100018"].charts[0].level == "12?"
    assert by_id["11422"].title == "\u3000"  # a title of one ideographic space stays as it is


BAD_CATALOGS = [
    ({"songs": []}, "应当是一个列表"),
    ([song(), "8"], "第 2 首：不是一个对象"),
    ([dict(song(), id=None)], "第 1 首（「True Love Song」）：没有有效的 id"),
    ([dict(song(), title="")], "第 1 首（id 8）：没有曲名"),
    ([song(), song("9", "Oshama Scramble!", ds=[3.0, "7.5", 10.0, 12.5])], "「Oshama Scramble!」"),
    ([dict(song(), ds=[5.0, None])], "定数（ds）里有不是数字的值：None"),
    ([dict(song(), ds=[5.0, True, 1.0, 2.0])], "定数（ds）里有不是数字的值：True"),
    ([dict(song(), ds="12.5")], "定数（ds）应为一个非空的数字列表"),
    ([dict(song(), type="UT")], "谱面类型（type）应为 SD 或 DX"),
    ([song(), song()], "第 2 首（id 8 「True Love Song」）：id 8 与第 1 首重复"),
    ([dict(song(), level=["5"])], "等级（level）的个数与定数（ds）不一致"),
]


@pytest.mark.parametrize("data, message", BAD_CATALOGS)
def test_bad_catalogs_name_the_song_at_fault(data, message):
    with pytest.raises(CatalogError) as raised:
        read_catalog(data)
    assert message in str(raised.value)


def count(session, model):
    """Count a table's rows."""
    return session.scalar(select(func.count()).select_from(model))


def test_sync_adds_then_updates_without_duplicating(session):
    first = sync_catalog(session, read_catalog(small_catalog()))
    session.commit()
    assert first == (6, 22, 6, 0)
    assert (count(session, Song), count(session, Chart)) == (6, 22)

    again = sync_catalog(session, read_catalog(small_catalog()))
    session.commit()
    assert again == (6, 22, 0, 0)

    changed = small_catalog()
    changed[4]["ds"][game.MASTER] = 14.7
    changed[4]["level"][game.MASTER] = "14+"
    changed[4]["basic_info"]["is_new"] = False
    changed[0]["basic_info"]["from"] = "maimai PLUS"
    changed.append(song("799", "新曲", ds=[3.0, 6.0, 9.0, 12.0]))
    result = sync_catalog(session, read_catalog(changed))
    session.commit()
    assert result == (7, 26, 1, 2)
    assert (count(session, Song), count(session, Chart)) == (7, 26)
    chart = session.execute(
        select(Chart).join(Song).where(Song.catalog_id == "11720", Chart.difficulty == game.MASTER)
    ).scalar_one()
    assert (chart.constant_tenths, chart.level, chart.song.is_new) == (147, "14+", False)
    utage = session.execute(
        select(Chart).join(Song).where(Song.catalog_id == "110281")
    ).scalar_one()
    assert (utage.difficulty, utage.constant_tenths, utage.level) == (game.UTAGE, 130, "13?")


def test_sync_keeps_chart_ids_so_links_survive(session):
    sync_catalog(session, read_catalog(small_catalog()))
    session.commit()
    before = dict(session.execute(select(Chart.id, Chart.constant_tenths)).all())
    changed = copy.deepcopy(small_catalog())
    for entry in changed:
        entry["ds"] = [value + 0.1 for value in entry["ds"]]
    sync_catalog(session, read_catalog(changed))
    session.commit()
    after = dict(session.execute(select(Chart.id, Chart.constant_tenths)).all())
    assert set(after) == set(before)
    assert all(after[chart_id] == before[chart_id] + 1 for chart_id in before)


def unreachable_url():
    """Return an http URL on 127.0.0.1 where nothing listens."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return "http://127.0.0.1:%d/api/maimaidxprober/music_data" % port


def test_fetch_fails_with_a_clear_message_when_unreachable():
    url = unreachable_url()
    with pytest.raises(CatalogError, match="无法下载曲目数据 %s" % url):
        fetch(url, timeout=2)


def test_fetch_accepts_only_http():
    with pytest.raises(CatalogError, match="http:// 或 https://"):
        fetch("file:///etc/passwd")


def write_catalog(tmp_path, data, name="music_data.json"):
    """Write a catalog file and return its path."""
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_sync_command_reads_the_shared_catalog_then_finds_nothing_new(runner, session):
    path = str(shared_fixture("diving-fish", "music_data.json"))
    result = runner.invoke(args=["songs", "sync", "--file", path])
    assert result.exit_code == 0, result.output
    assert "读到 1286 首曲目，写入曲库" in result.output
    assert "曲库：1286 首曲目、5132 张谱面；新增 1286，更新 0" in result.output
    assert "完成：关联了 0 次游玩、0 条成绩" in result.output
    assert (count(session, Song), count(session, Chart)) == (1286, 5132)
    again = runner.invoke(args=["songs", "sync", "--file", path])
    assert "曲库：1286 首曲目、5132 张谱面；新增 0，更新 0" in again.output
    assert (count(session, Song), count(session, Chart)) == (1286, 5132)


def test_sync_command_links_plays_imported_before_the_catalog(runner, session, tmp_path):
    from test_linking import add_play, add_player

    player = add_player(session)
    add_play(session, player, "Re:Unknown X")
    add_play(session, player, "Link", game.STANDARD)
    session.commit()
    result = runner.invoke(
        args=["songs", "sync", "--file", write_catalog(tmp_path, small_catalog())]
    )
    assert result.exit_code == 0, result.output
    assert "曲库：6 首曲目、22 张谱面；新增 6，更新 0" in result.output
    assert "完成：关联了 1 次游玩、0 条成绩" in result.output


@pytest.mark.parametrize("data, message", BAD_CATALOGS[:4])
def test_sync_command_writes_nothing_from_a_bad_catalog(runner, session, tmp_path, data, message):
    result = runner.invoke(args=["songs", "sync", "--file", write_catalog(tmp_path, data)])
    assert result.exit_code == 1
    assert message in result.output
    assert count(session, Song) == 0


def test_sync_command_rejects_a_file_that_is_not_json(runner, session, tmp_path):
    path = tmp_path / "music_data.json"
    path.write_text("<html>502 Bad Gateway</html>", encoding="utf-8")
    result = runner.invoke(args=["songs", "sync", "--file", str(path)])
    assert result.exit_code == 1
    assert "不是有效的 JSON" in result.output
    missing = runner.invoke(args=["songs", "sync", "--file", str(tmp_path / "nothing.json")])
    assert missing.exit_code == 1
    assert "无法读取曲目文件" in missing.output
    assert count(session, Song) == 0


def test_sync_command_says_clearly_when_the_url_is_unreachable(runner, session):
    url = unreachable_url()
    result = runner.invoke(args=["songs", "sync", "--url", url, "--timeout", "2"])
    assert result.exit_code == 1
    assert "Error: 无法下载曲目数据 %s" % url in result.output
    assert count(session, Song) == 0
