"""DX rating: exact per-chart rating, the two frames, the next rank step, the running top."""

import math
import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maimai_probe import game
from maimai_probe.rating.formula import (
    ACHIEVEMENT_CAP,
    FACTORS,
    ChartBest,
    TopFrame,
    best50,
    chart_rating,
    next_step,
)

# The threshold table as the game documents it, in decimal text: (achievement %, factor).
THRESHOLDS = (
    ("100.5", "22.4"),
    ("100.4999", "22.2"),
    ("100", "21.6"),
    ("99.9999", "21.4"),
    ("99.5", "21.1"),
    ("99", "20.8"),
    ("98.9999", "20.6"),
    ("98", "20.3"),
    ("97", "20.0"),
    ("96.9999", "17.6"),
    ("94", "16.8"),
    ("90", "15.2"),
    ("80", "13.6"),
    ("79.9999", "12.8"),
    ("75", "12.0"),
    ("70", "11.2"),
    ("60", "9.6"),
    ("50", "8.0"),
    ("40", "6.4"),
    ("30", "4.8"),
    ("20", "3.2"),
    ("10", "1.6"),
    ("0", "0"),
)
CONSTANTS = range(10, 151)  # 1.0 .. 15.0 in tenths


def exact_rating(constant_tenths: int, achievement: int) -> int:
    """Rate a chart with Fraction arithmetic straight from the documented table."""
    percent = Fraction(achievement, 10000)
    factor = next(Fraction(f) for lowest, f in THRESHOLDS if percent >= Fraction(lowest))
    capped = min(percent, Fraction("100.5"))
    return math.floor(Fraction(constant_tenths, 10) * factor * capped / 100)


def float_rating(constant_tenths: int, achievement: int) -> int:
    """Rate a chart the usual floating-point way: floor(ds * factor * achievement / 100)."""
    percent = achievement / 10000
    factor = next(float(f) for lowest, f in THRESHOLDS if percent >= float(lowest))
    return math.floor((constant_tenths / 10) * factor * min(percent, 100.5) / 100)


def test_the_factor_table_is_the_documented_one():
    assert [(Fraction(a) * 10000, Fraction(f) * 10) for a, f in THRESHOLDS] == [
        (lowest, factor) for lowest, factor in FACTORS
    ]


@pytest.mark.parametrize("threshold", [lowest for lowest, _ in FACTORS])
def test_every_threshold_and_one_step_below_it_matches_exact_arithmetic(threshold):
    for achievement in (threshold, threshold - 1):
        if achievement < 0:
            continue
        for constant in CONSTANTS:
            assert chart_rating(constant, achievement) == exact_rating(constant, achievement), (
                constant,
                achievement,
            )


def float_pitfalls():
    """Find every (constant, achievement) where floating point misses the exact rating."""
    # A float can only miss where the exact product is an integer: elsewhere it sits at least
    # 1e-8 from one, far more than the float's error. So enumerating those points is exhaustive.
    found = []
    bands = []
    upper = ACHIEVEMENT_CAP
    for lowest, factor in FACTORS:
        bands.append((lowest, upper, factor))
        upper = lowest - 1
    for constant in CONSTANTS:
        for lowest, highest, factor in bands:
            if factor == 0:
                continue
            step = 10**8 // math.gcd(10**8, constant * factor)
            for achievement in range(-(-lowest // step) * step, highest + 1, step):
                if float_rating(constant, achievement) != exact_rating(constant, achievement):
                    found.append((constant, achievement))
    return sorted(found)


def test_floating_point_pitfalls_are_computed_exactly():
    pitfalls = float_pitfalls()
    assert pitfalls == [
        (15, 625000),
        (30, 625000),
        (45, 625000),
        (60, 312500),
        (60, 625000),
        (90, 625000),
        (112, 781250),
        (115, 625000),
        (120, 312500),
        (120, 625000),
        (120, 937500),
    ]
    for constant, achievement in pitfalls:
        assert chart_rating(constant, achievement) == exact_rating(constant, achievement)
        assert float_rating(constant, achievement) == exact_rating(constant, achievement) - 1
    assert chart_rating(120, 937500) == 171  # 12.0 at 93.75 %: floating point says 170


@given(st.integers(10, 160), st.integers(0, 1010000))
def test_any_chart_matches_exact_arithmetic(constant, achievement):
    assert chart_rating(constant, achievement) == exact_rating(constant, achievement)


@pytest.mark.parametrize("achievement", [1005000, 1005001, 1008000, 1010000])
def test_achievement_counts_up_to_100_5_and_no_further(achievement):
    assert chart_rating(150, achievement) == 337  # 15.0 x 22.4 x 100.5 / 100 = 337.68
    assert chart_rating(146, achievement) == 328


def test_known_ratings():
    assert chart_rating(146, 986484) == 292  # Re:Unknown X MASTER 98.6484 % (S+)
    assert chart_rating(130, 1000000) == 280
    assert chart_rating(130, 999999) == 278
    assert chart_rating(145, 0) == 0


def test_next_step_names_the_next_rank_that_raises_the_rating():
    step = next_step(146, 986484)  # S+ -> SS at 99 %
    assert (step.rank, step.achievement, step.rating, step.gain) == ("ss", 990000, 300, 8)
    step = next_step(120, 1004999)
    assert (step.rank, step.achievement) == ("sssp", 1005000)
    assert next_step(146, 1005000) is None
    assert next_step(146, 1009000) is None
    # A rank whose rating is no higher is skipped (99.9999 % is no rank of its own).
    low = next_step(10, 990000)
    assert low.gain > 0 and low.achievement > 990000


def chart(chart_id, constant=130, achievement=1000000, is_new=False, difficulty=game.MASTER):
    """Return a ChartBest for tests."""
    return ChartBest(
        chart_id, "曲%d" % chart_id, game.DX, difficulty, "13", constant, achievement, is_new
    )


def test_best50_keeps_35_old_and_15_new_and_sets_apart_what_it_cannot_rate():
    charts = [chart(i, constant=100 + i) for i in range(40)]
    charts += [chart(100 + i, constant=120 + i, is_new=True) for i in range(20)]
    charts.append(chart(500, constant=None))
    charts.append(chart(501, constant=150, difficulty=game.UTAGE))
    result = best50(charts)
    assert len(result.old) == 35 and len(result.new) == 15
    assert [entry.chart.chart_id for entry in result.old][:3] == [39, 38, 37]
    assert result.old[-1].chart.chart_id == 5  # the floor of the old frame
    assert result.new[-1].chart.chart_id == 105
    assert [c.chart_id for c in result.unknown] == [500]
    assert result.total == result.old_total + result.new_total
    assert result.old_total == sum(exact_rating(100 + i, 1000000) for i in range(5, 40))
    assert result.new_total == sum(exact_rating(120 + i, 1000000) for i in range(5, 20))
    assert result.old[0].rank == "sss"


def test_best50_of_nothing_is_zero():
    result = best50([])
    assert (result.old, result.new, result.unknown, result.total) == ([], [], [], 0)


def test_top_frame_keeps_the_sum_of_the_best_as_ratings_rise():
    rnd = random.Random(7)
    frame = TopFrame(5)
    best = {}
    for _ in range(2000):
        chart_id = rnd.randrange(30)
        rating = max(best.get(chart_id, 0), rnd.randrange(300))
        best[chart_id] = rating
        frame.offer(chart_id, rating)
        assert frame.total == sum(sorted(best.values(), reverse=True)[:5])
