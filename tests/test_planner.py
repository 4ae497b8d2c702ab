"""The rating plan on hand-written best 50s: a case per frame, the floor, every gain re-counted."""

import random

from maimai_probe import game
from maimai_probe.progress.planner import B15, B35, Candidate, by_distance, min_constant, plan
from maimai_probe.rating.formula import ChartBest, best50, chart_rating


def best(chart_id, constant, achievement, is_new=False):
    """Return a played MASTER chart."""
    return ChartBest(
        chart_id, "曲 %d" % chart_id, game.DX, game.MASTER, "13", constant, achievement, is_new
    )


def candidate(chart, achievement=None):
    """Return a chart of the catalog for the plan, with the player's best (None: unplayed)."""
    if isinstance(chart, ChartBest):
        return Candidate(
            chart.chart_id,
            chart.title,
            chart.kind,
            chart.difficulty,
            chart.level,
            chart.constant_tenths,
            chart.is_new,
            chart.achievement,
        )
    chart_id, constant, is_new = chart
    return Candidate(
        chart_id, "曲 %d" % chart_id, game.DX, game.MASTER, "14", constant, is_new, None
    )


def old_frame():
    """Return 34 old charts at 13.0 SSS (280 each) and a floor at 12.0 SSS (259)."""
    return [best(number, 130, 1000000) for number in range(1, 35)] + [best(35, 120, 1000000)]


def lines(played, unplayed=()):
    """Return the plan by chart id."""
    result = best50(played)
    targets = plan(
        result, [candidate(chart) for chart in played] + [candidate(c) for c in unplayed]
    )
    return result, {target.chart.chart_id: target for target in targets}


def test_b35_entering_replaces_the_floor_and_a_member_replaces_its_own_rating():
    outside = best(36, 125, 990000)  # SS: 257, below the floor
    result, found = lines(old_frame() + [outside], [(40, 140, False), (41, 110, False)])
    assert result.old[-1].rating == 259 and result.old_total == 34 * 280 + 259

    unplayed = found[40]  # 14.0 unplayed: S 97 % gives 271 > 259
    assert (unplayed.frame, unplayed.rank, unplayed.target) == (B35, "s", 970000)
    assert (unplayed.rating_at_target, unplayed.gain, unplayed.in_frame) == (271, 12, False)
    assert unplayed.chart.achievement is None

    floor = found[35]  # the floor itself: SSS+ 270 replaces its own 259
    assert (floor.target, floor.rating_at_target, floor.gain, floor.in_frame) == (
        1005000,
        270,
        11,
        True,
    )
    member = found[1]  # 13.0 SSS -> SSS+: 292, +12
    assert (member.target, member.rating_at_target, member.gain) == (1005000, 292, 12)

    entering = found[36]  # 12.5 SS (257) -> SS+ 99.5 %: 262 beats the floor by 3
    assert (entering.rank, entering.target, entering.rating_at_target, entering.gain) == (
        "ssp",
        995000,
        262,
        3,
    )
    assert 41 not in found  # 11.0 at 100.5 % is 247: never above 259


def test_the_floor_moves_once_a_chart_enters():
    outside = best(36, 125, 990000)
    played = old_frame() + [outside]
    _, found = lines(played, [(40, 140, False)])
    assert found[36].gain == 3
    # The 14.0 enters at S (271): the 12.0 leaves, and the floor is now 271.
    result, found = lines(played + [best(40, 140, 970000)])
    assert result.old[-1].rating == 271
    moved = found[36]  # SS+ (262) and SSS (270) no longer beat 271: SSS+ 281 does
    assert (moved.rank, moved.rating_at_target, moved.gain) == ("sssp", 281, 10)
    assert 35 not in found  # the old floor's SSS+ is 270: below the new floor


def test_b15_full_frame_and_a_frame_not_yet_full():
    new = [best(100 + n, 140, 1005000, True) for n in range(14)] + [best(114, 130, 1005000, True)]
    result, found = lines(new, [(120, 145, True), (121, 120, True)])
    assert result.new[-1].rating == 292 and result.new_total == 14 * 315 + 292
    entering = found[120]  # 14.5: S 281, S+ 288, SS 298 > 292
    assert (entering.frame, entering.rank, entering.target) == (B15, "ss", 990000)
    assert (entering.rating_at_target, entering.gain) == (298, 6)
    assert 121 not in found  # 12.0 at 100.5 % is 270
    assert not [t for t in found.values() if t.in_frame]  # every member is at SSS+ already

    # With two new charts the frame is not full: any rating adds to the total.
    result, found = lines(new[:2], [(121, 100, True)])
    assert len(result.new) == 2
    adding = found[121]
    assert (adding.rank, adding.target, adding.rating_at_target, adding.gain) == (
        "c",
        500000,
        40,
        40,
    )


def test_every_gain_is_the_total_recounted_with_the_target():
    rnd = random.Random(14)
    played = []
    for number in range(1, 90):
        constant = rnd.randrange(100, 150)
        played.append(best(number, constant, rnd.randrange(900000, 1010000), number % 4 == 0))
    unplayed = [(200 + n, rnd.randrange(110, 151), n % 3 == 0) for n in range(40)]
    result, found = lines(played, unplayed)
    assert found
    by_id = {chart.chart_id: chart for chart in played}
    for target in found.values():
        chart = by_id.get(target.chart.chart_id)
        if chart is None:
            chart_id, constant, is_new = next(u for u in unplayed if u[0] == target.chart.chart_id)
            chart = best(chart_id, constant, 0, is_new)
        below = best50([c for c in played if c.chart_id != chart.chart_id] + [chart])
        above = best50(
            [c for c in played if c.chart_id != chart.chart_id]
            + [chart._replace(achievement=target.target)]
        )
        assert above.total - below.total == target.gain, target
        assert chart_rating(chart.constant_tenths, target.target) == target.rating_at_target
        # The target is the lowest step that helps: the step below it would not.
        lower = [
            lowest for _, _, lowest in game.RANKS if chart.achievement < lowest < target.target
        ]
        for lowest in lower:
            raised = best50(
                [c for c in played if c.chart_id != chart.chart_id]
                + [chart._replace(achievement=lowest)]
            )
            assert raised.total == below.total
    # Charts missing from the plan gain nothing at any step.
    for chart in played:
        if chart.chart_id not in found:
            top = best50(
                [c for c in played if c.chart_id != chart.chart_id]
                + [chart._replace(achievement=1005000)]
            )
            assert top.total == result.total


def test_closest_first_puts_unplayed_charts_last():
    _, found = lines(old_frame() + [best(36, 125, 990000)], [(40, 140, False)])
    ordered = sorted(found.values(), key=by_distance)
    assert ordered[-1].chart.chart_id == 40
    assert ordered[0].distance <= ordered[1].distance


def test_lowest_constant_is_the_first_that_beats_the_floor_at_the_cap():
    for floor in (0, 100, 259, 292, 330):
        lowest = min_constant(floor)
        assert chart_rating(lowest, 1005000) > floor >= chart_rating(lowest - 1, 1005000)
