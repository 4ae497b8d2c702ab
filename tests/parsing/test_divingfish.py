"""The Diving-Fish records format: reading an export and writing one."""

import json

import pytest
from parsing_pages import page_text, real_record_page

from maimai_probe import game
from maimai_probe.parsing.divingfish import export_divingfish, parse_divingfish_json
from maimai_probe.parsing.record import parse_record_page
from maimai_probe.parsing.results import PageError, ProfileSnapshot, ScoreRecord

EXPORT = {
    "additional_rating": 13,
    "nickname": "sample",
    "plate": "輝将",
    "rating": 15932,
    "records": [
        {
            "achievements": 91.6265,
            "ds": 6,
            "dxScore": 520,
            "fc": "",
            "fs": "",
            "level": "6",
            "level_index": 1,
            "level_label": "Advanced",
            "ra": 83,
            "rate": "aa",
            "song_id": 11115,
            "title": "だから僕は音楽を辞めた",
            "type": "DX",
        },
        {
            "achievements": 101,
            "ds": 8.5,
            "dxScore": 744,
            "fc": "app",
            "fs": "fsd",
            "level": "8",
            "level_index": 1,
            "level_label": "Advanced",
            "ra": 191,
            "rate": "sssp",
            "song_id": 837,
            "title": "Altale",
            "type": "SD",
        },
    ],
    "username": "sample_username",
}


def test_read_an_export():
    page = parse_divingfish_json(EXPORT)
    assert (page.page, page.service, page.plays) == ("divingfish_json", "divingfish", [])
    assert page.profile == ProfileSnapshot(name="sample", rating=15932)
    assert page.scores == [
        ScoreRecord(
            title="だから僕は音楽を辞めた",
            kind=game.DX,
            difficulty=game.ADVANCED,
            achievement=916265,
            dx_score=520,
            rank="aa",
            level="6",
            song_id=11115,
        ),
        ScoreRecord(
            title="Altale",
            kind=game.STANDARD,
            difficulty=game.ADVANCED,
            achievement=1010000,
            dx_score=744,
            fc=game.AP_PLUS,
            fs=game.FDX,
            rank="sssp",
            level="8",
            song_id=837,
        ),
    ]


def test_read_text_bytes_and_a_bare_list():
    text = json.dumps(EXPORT, ensure_ascii=False)
    assert parse_divingfish_json(text).scores == parse_divingfish_json(EXPORT).scores
    assert parse_divingfish_json(("\ufeff" + text).encode("utf-8")).scores[1].title == "Altale"
    bare = [{"title": "Link", "type": "SD", "level_index": 3, "achievements": 98.6484}]
    (score,) = parse_divingfish_json(bare).scores
    assert (score.achievement, score.rank, score.dx_score, score.fc) == (986484, "sp", None, 0)


def record(**changes):
    base = {"title": "Link", "type": "SD", "level_index": 3, "achievements": 99.5}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not DROP}


DROP = object()
BAD_RECORDS = [
    (record(achievements=DROP), "第 2 条记录的 achievements 缺失"),
    (record(title=""), "title 不是有效的曲名"),
    (record(title=12), "title 不是有效的曲名（12）"),
    (record(type="STD"), 'type 应该是 "DX" 或 "SD"（"STD"）'),
    (record(level_index=5), "level_index 应该是 0 到 4 的整数（5）"),
    (record(level_index="3"), "level_index 应该是 0 到 4 的整数"),
    (record(level_index=True), "level_index 应该是 0 到 4 的整数（true）"),
    (record(achievements="abc"), 'achievements 不是 0 到 101 之间的数字（"abc"）'),
    (record(achievements=101.5), "achievements 不是 0 到 101 之间的数字（101.5）"),
    (record(achievements=float("nan")), "achievements 不是 0 到 101 之间的数字"),
    (record(achievements=None), "achievements 不是 0 到 101 之间的数字（null）"),
    (record(dxScore=-1), "dxScore 不是非负整数（-1）"),
    (record(dxScore=12.5), "dxScore 不是非负整数（12.5）"),
    (record(fc="fullcombo"), 'fc 应该是 "", "ap", "app", "fc", "fcp" 之一'.replace(", ", "、")),
    (record(fs=3), "fs 应该是"),
    (record(rate="sss+"), 'rate 不是评级（如 "sssp"、"aa"）（"sss+"）'),
    (record(song_id="abc"), 'song_id 不是歌曲编号（"abc"）'),
    (record(level=13), "level 不是文字（13）"),
    ("Link", '第 2 条记录不是对象（"Link"）'),
]


@pytest.mark.parametrize(("bad", "message"), BAD_RECORDS)
def test_bad_record_names_its_number(bad, message):
    with pytest.raises(PageError) as error:
        parse_divingfish_json({"records": [record(), bad, record()]})
    assert error.value.recognised == "divingfish_json"
    assert message in error.value.message
    assert "整个文件都没有导入" in error.value.message


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"nickname": "x"}, "没有 records 列表"),
        ({"records": {"0": {}}}, "没有 records 列表"),
        ("42", "不是水鱼查分器的成绩格式"),
        ('{"records": [', "JSON 格式有误"),
        (b"\xff\xfe\x00", "JSON 格式有误"),
    ],
)
def test_not_an_export(document, message):
    with pytest.raises(PageError) as error:
        parse_divingfish_json(document)
    assert error.value.recognised == "divingfish_json"
    assert message in error.value.message


def test_write_best_score_per_chart():
    scores = [
        ScoreRecord("Link", game.STANDARD, game.MASTER, 991000, dx_score=1800, fc=game.FC),
        ScoreRecord("Link", game.STANDARD, game.MASTER, 985000, dx_score=1900, fs=game.SYNC),
        ScoreRecord("ヒバナ", game.STANDARD, game.REMASTER, 1004640, dx_score=2066, level="13+"),
        ScoreRecord("CYCLES", game.DX, game.UTAGE, 950000, dx_score=1500),
    ]
    facts = {
        ("Link", game.STANDARD, game.MASTER): {"song_id": 98, "ds": 12.7, "level": "12+"},
        ("ヒバナ", game.STANDARD, game.REMASTER): {"song_id": 1065, "ds": 13.9},
    }
    document = export_divingfish(
        scores, lambda *chart: facts.get(chart), nickname="mai", rating=15873
    )
    assert (document["nickname"], document["rating"]) == ("mai", 15873)
    assert document["records"] == [
        {
            "achievements": 100.464,
            "ds": 13.9,
            "dxScore": 2066,
            "fc": "",
            "fs": "",
            "level": "13+",
            "level_index": 4,
            "level_label": "Re:MASTER",
            "ra": 301,  # 13.9 x 21.6 x 100.4640 %, floored
            "rate": "sss",
            "song_id": 1065,
            "title": "ヒバナ",
            "type": "SD",
        },
        {
            # best achievement, best DX score, best marks: each on its own
            "achievements": 99.1,
            "ds": 12.7,
            "dxScore": 1900,
            "fc": "fc",
            "fs": "sync",
            "level": "12+",
            "level_index": 3,
            "level_label": "Master",
            "ra": 261,  # 12.7 x 20.8 x 99.1 %, floored
            "rate": "ss",
            "song_id": 98,
            "title": "Link",
            "type": "SD",
        },
    ]


def test_write_without_a_catalog_then_read_back():
    plays = parse_record_page(page_text("record_cn.html")).plays
    document = json.loads(json.dumps(export_divingfish(plays)))
    assert {row["title"] for row in document["records"]} == {
        "チルノのパーフェクトさんすう教室\u3000⑨周年バージョン",
        "DETARAME ROCK&ROLL THEORY",
        "\u3000",
    }  # the UTAGE play is left out
    assert {(row["ds"], row["ra"], row["song_id"]) for row in document["records"]} == {(0, 0, None)}
    back = {score.title: score for score in parse_divingfish_json(document).scores}
    cirno = back["チルノのパーフェクトさんすう教室\u3000⑨周年バージョン"]
    assert (cirno.achievement, cirno.fc, cirno.fs, cirno.rank) == (
        1010000,
        game.AP_PLUS,
        game.FDX_PLUS,
        "sssp",
    )


def test_real_plays_collapse_to_one_row_per_chart():
    text = real_record_page()
    plays = parse_record_page(text).plays
    rows = export_divingfish(plays)["records"]
    charts = {(play.title, play.kind, play.difficulty) for play in plays}
    assert len(rows) == len(charts)
    (unknown_x,) = [row for row in rows if row["title"] == "Re:Unknown X"]
    # three plays of it: 98.6484 %, 98.6682 %, 98.6803 %; the best DX score was 3,066
    assert (unknown_x["achievements"], unknown_x["dxScore"]) == (98.6803, 3066)
