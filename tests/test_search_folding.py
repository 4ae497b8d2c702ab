"""Search as players type: simplified, traditional and Japanese kanji, widths, and aliases."""

import pytest
from sqlalchemy import func, select

from chart_data import load_catalog
from conftest import shared_fixture
from maimai_probe.catalog import search
from maimai_probe.catalog.aliases import AliasFileError, read_alias_file
from maimai_probe.catalog.folding import fold_variants
from maimai_probe.models import Player, SongAlias
from test_search import catalog_songs

SONGS = [
    ("恋愛裁判", "40mP"),
    ("[協]恋愛裁判", "40mP"),
    ("蒼空に舞え、墨染の桜", "豚乙女"),
    ("神々が恋した幻想郷", "ビートまりお"),
    ("サテライト", "xi"),
    ("Re:Unknown X", "sasakure.UK"),
]


@pytest.mark.parametrize(
    "typed, written",
    [
        ("恋爱裁判", "恋愛裁判"),  # simplified for the Japanese 愛
        ("戀愛裁判", "恋愛裁判"),  # traditional 戀 for the Japanese 恋
        ("樱", "桜"),  # simplified for the Japanese shinjitai
        ("櫻", "桜"),  # traditional for the Japanese shinjitai
        ("苍空", "蒼空"),
        ("神神", "神々"[0] * 2),
        ("ｻﾃﾗｲﾄ", "サテライト"),  # half-width katakana
        ("ＲＥ：ＵＮＫＮＯＷＮ", "re:unknown"),  # full-width letters and colon
    ],
)
def test_the_ways_of_writing_a_title_fold_alike(typed, written):
    assert search.normalise(typed) == search.normalise(written)


def test_folding_leaves_different_characters_apart():
    assert fold_variants("花") != fold_variants("華")
    assert fold_variants("Re:Unknown X") == "Re:Unknown X"
    assert fold_variants(fold_variants("桜")) == fold_variants("桜")


@pytest.mark.parametrize(
    "query, first",
    [
        ("恋爱裁判", ["恋愛裁判", "[協]恋愛裁判"]),
        ("樱", ["蒼空に舞え、墨染の桜"]),
        ("墨染的樱", []),  # の is not 的: a different word finds nothing
        ("墨染の樱", ["蒼空に舞え、墨染の桜"]),
        ("恋爱", ["恋愛裁判", "[協]恋愛裁判"]),
        ("ｻﾃﾗｲﾄ", ["サテライト"]),
    ],
)
def test_a_simplified_query_finds_the_japanese_title(query, first):
    found = search.SearchIndex(SONGS).search(query)
    assert found[: len(first)] == first
    if not first:
        assert found == []


def test_aliases_are_searched_with_the_titles():
    index = search.SearchIndex(
        SONGS, aliases=[("Re:Unknown X", "未知X"), ("恋愛裁判", "恋裁"), ("Gone", "不在目录")]
    )
    assert index.search("未知x") == ["Re:Unknown X"]  # an alias, any case
    assert index.search("恋裁")[0] == "恋愛裁判"
    assert index.search("戀裁")[0] == "恋愛裁判"  # aliases fold like titles
    assert index.search("不在目录") == []  # an alias of no catalog title is ignored


def test_every_real_title_is_found_from_its_simplified_spelling():
    import opencc

    songs = catalog_songs(shared_fixture("diving-fish", "music_data.json"))
    index = search.SearchIndex(songs)
    to_simplified = opencc.OpenCC("t2s")  # OpenCC's phrase converter, not our table
    missed = []
    for title, _ in songs:
        if not search.normalise(title):
            continue  # the song whose title is one ideographic space: nothing to type
        typed = to_simplified.convert(title)
        if title not in index.search(typed):
            missed.append((title, typed))
    assert missed == []
    assert index.search("恋爱裁判")[:2] == ["恋愛裁判", "[協]恋愛裁判"]
    assert "蒼空に舞え、墨染の桜" in index.search("樱")


def alias_file(tmp_path, text):
    """Write an alias file and return its path."""
    path = tmp_path / "aliases.tsv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_aliases_command_replaces_the_aliases_and_search_finds_them(
    app, runner, session, tmp_path
):
    load_catalog(session)
    session.add(Player(name="alice", created_at=0))
    session.commit()
    path = alias_file(
        tmp_path,
        "# 别名表\n\n834\t未知\treunknown\nヒバナ\t火花\n99999\t没有这首\n",
    )
    result = runner.invoke(args=["songs", "aliases", path])
    assert result.exit_code == 0, result.output
    assert "完成：2 首曲目，共 3 个别名" in result.output
    assert "跳过曲库里没有的 1 首：99999" in result.output
    rows = session.execute(select(SongAlias.title, SongAlias.alias).order_by(SongAlias.alias))
    assert sorted(rows) == [
        ("Re:Unknown X", "reunknown"),
        ("Re:Unknown X", "未知"),
        ("ヒバナ", "火花"),
    ]
    assert session.execute(select(Player.revision)).scalar() == 1  # the kept pages are stale
    assert search.search_titles(session, "火花") == ["ヒバナ"]
    page = app.test_client().get("/songs?q=%E6%9C%AA%E7%9F%A5").get_data(as_text=True)
    assert "Re:Unknown X" in page

    again = runner.invoke(args=["songs", "aliases", alias_file(tmp_path, "ヒバナ\t花火\n")])
    assert again.exit_code == 0, again.output
    assert session.execute(select(SongAlias.alias)).scalars().all() == ["花火"]
    assert search.search_titles(session, "未知") == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("834\n", "第 1 行：应为「曲目 id 或曲名<Tab>别名"),
        ("# ok\n834\t未知\n\t别名\n", "第 3 行：应为"),
        ("834\t" + "长" * 101 + "\n", "第 1 行：别名超过 100 个字"),
        ("834\t未\x00知\n", "第 1 行：有 NUL 字符"),
    ],
)
def test_a_bad_alias_file_is_refused_and_nothing_is_written(
    runner, session, tmp_path, text, message
):
    load_catalog(session)
    session.add(SongAlias(title="ヒバナ", alias="火花"))
    session.commit()
    with pytest.raises(AliasFileError):
        read_alias_file(text)
    result = runner.invoke(args=["songs", "aliases", alias_file(tmp_path, text)])
    assert result.exit_code == 1
    assert message in result.output
    assert session.execute(select(func.count(SongAlias.id))).scalar() == 1


def test_an_alias_file_that_is_not_utf8_is_refused(runner, session, tmp_path):
    path = tmp_path / "gbk.tsv"
    path.write_bytes("ヒバナ\t火花\n".encode("gbk"))
    result = runner.invoke(args=["songs", "aliases", str(path)])
    assert result.exit_code == 1 and "不是 UTF-8 文本" in result.output
