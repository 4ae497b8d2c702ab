"""The plate rules on hand-written charts: versions, difficulties, songs left out, requirements."""

from maimai_probe import game
from maimai_probe.progress import plates
from maimai_probe.progress.plate_progress import MissingChart, details
from maimai_probe.progress.plates import Best, find_plate, meets, plates_of_version

GREEN = "maimai GreeN"


def chart(chart_id, version=GREEN, difficulty=game.MASTER, best=None, title=None):
    """Return a counted chart with the player's best on it (None: never played)."""
    achievement, fc, fs = best if best is not None else (None, None, None)
    return MissingChart(
        chart_id,
        chart_id,
        title or "曲 %d" % chart_id,
        game.STANDARD,
        difficulty,
        "12",
        120,
        version,
        achievement,
        fc,
        fs,
    )


def green_song(first_id, best, remaster=False):
    """Return a GreeN song's charts, BASIC to MASTER (and Re:MASTER), all with one best."""
    last = game.REMASTER if remaster else game.MASTER
    return [
        chart(first_id + difficulty, difficulty=difficulty, best=best)
        for difficulty in range(game.BASIC, last + 1)
    ]


def detail(name, charts):
    """Work out one plate's progress."""
    return details([find_plate(name)], charts)[0]


FC_SSS = (1000000, game.FC, game.FS_NONE)


def test_a_version_plate_met_exactly():
    charts = green_song(10, FC_SSS) + green_song(20, FC_SSS)
    found = detail("超极", charts)
    assert (found.done, found.total, found.missing) == (8, 8, [])
    found = detail("超将", charts)
    assert (found.done, found.total) == (8, 8)


def test_one_chart_short_names_the_chart_and_its_best():
    charts = green_song(10, FC_SSS) + green_song(20, FC_SSS)
    short = charts[-1]._replace(achievement=997012)
    charts[-1] = short
    found = detail("超将", charts)
    assert (found.done, found.total) == (7, 8)
    assert found.missing == [short]
    assert detail("超极", charts).missing == []  # FC is still there


def test_each_requirement_reads_its_own_mark():
    assert meets("clear", Best(800000, 0, 0)) and not meets("clear", Best(799999, 0, 0))
    assert meets("sss", Best(1000000, 0, 0)) and not meets("sss", Best(999999, 4, 5))
    assert meets("fc", Best(0, game.FC, 0)) and not meets("fc", Best(1010000, 0, 5))
    assert meets("ap", Best(0, game.AP, 0)) and not meets("ap", Best(1010000, game.FC_PLUS, 5))
    assert meets("fsd", Best(0, 0, game.FDX)) and not meets("fsd", Best(1010000, 4, game.FS_PLUS))
    assert not meets("fc", None)


def test_remaster_counts_only_for_the_mai_plates_and_the_conqueror():
    charts = green_song(10, FC_SSS, remaster=True)  # Re:MASTER at SSS with FC as well
    charts[-1] = charts[-1]._replace(fc=None, achievement=790000)  # the Re:MASTER: no FC, no clear
    assert detail("超极", charts).total == 4  # BASIC to MASTER
    assert detail("超极", charts).missing == []
    mai = detail("舞极", charts)
    assert (mai.done, mai.total) == (4, 5)
    assert [entry.difficulty for entry in mai.missing] == [game.REMASTER]
    conqueror = detail("霸者", charts)
    assert (conqueror.done, conqueror.total) == (4, 5)
    assert find_plate("覇者") == find_plate("霸者")


def test_combined_plates_cover_both_versions():
    charts = [
        chart(1, "maimai", best=FC_SSS),
        chart(2, "maimai PLUS"),
        chart(3, GREEN, best=FC_SSS),
        chart(4, "maimai でらっくす Splash", best=FC_SSS),
        chart(5, "maimai でらっくす Splash PLUS"),
    ]
    shin = detail("真极", charts)
    assert (shin.done, shin.total, [c.chart_id for c in shin.missing]) == (1, 2, [2])
    # 爽 and 煌 cover the same China version (Splash and Splash PLUS in Japan).
    for name in ("爽极", "煌极"):
        found = detail(name, charts)
        assert (found.done, found.total, [c.chart_id for c in found.missing]) == (1, 2, [5])
    mai = detail("舞极", charts)  # every old version
    assert (mai.done, mai.total) == (2, 3)


def test_there_is_no_shin_sho_and_old_spellings_find_their_plates():
    assert find_plate("真将") is None
    assert find_plate("暁将").name == "晓将"
    assert find_plate("櫻神").name == "樱神"
    assert find_plate("舞舞舞").requirement == "fsd"
    assert find_plate("熊極").name == "熊极"
    assert find_plate("不存在") is None
    names = [plate.name for plate in plates.PLATES]
    assert len(names) == len(set(names))
    assert set(["真极", "真神", "真舞舞", "辉将", "舞将", "霸者", "华舞舞", "宴神", "镜将"]) <= set(
        names
    )


def test_versions_find_their_plates_by_catalog_name_group_or_head():
    assert {p.name for p in plates_of_version("maimai PLUS")} >= {"真极", "舞极", "霸者"}
    splash = set(["爽极", "爽将", "爽神", "爽舞舞", "煌极", "煌将", "煌神", "煌舞舞"])
    assert {p.name for p in plates_of_version("舞萌DX 2021")} == splash
    assert plates_of_version("maimai でらっくす CiRCLE") == []
