"""Golf-day helpers: flights, tee times, shotgun holes and handicap spread."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.golf import flight_sizes, handicap_spread, shotgun_holes, tee_times


@pytest.mark.parametrize(
    ("players", "expected"),
    [
        (14, [4, 4, 3, 3]),
        (16, [4, 4, 4, 4]),
        (9, [3, 3, 3]),
        (7, [4, 3]),
        (5, [3, 2]),
        (2, [2]),
        (0, []),
    ],
)
def test_flights_of_four_use_three_balls_for_the_remainder(players, expected):
    assert flight_sizes(players) == expected


@given(st.integers(0, 500), st.integers(1, 6))
def test_flights_hold_everyone_evenly_within_the_limit(players, size):
    sizes = flight_sizes(players, size)
    assert sum(sizes) == players
    assert all(1 <= s <= size for s in sizes)
    assert not sizes or max(sizes) - min(sizes) <= 1
    assert len(sizes) == -(-players // size)  # no more flights than needed


@pytest.mark.parametrize(("players", "size"), [(-1, 4), (10, 0), (10, -2)])
def test_flights_refuse_impossible_requests(players, size):
    with pytest.raises(ValueError, match="must"):
        flight_sizes(players, size)


def test_tee_times_step_by_the_interval():
    start = datetime(2026, 6, 1, 8, 0)
    assert tee_times(start, 10, 3) == [
        start,
        start + timedelta(minutes=10),
        start + timedelta(minutes=20),
    ]
    assert tee_times(start, 8, 0) == []


def test_tee_times_refuse_a_zero_interval():
    with pytest.raises(ValueError, match="shotgun"):
        tee_times(datetime(2026, 6, 1, 8, 0), 0, 4)


def test_shotgun_spreads_few_flights_round_the_course():
    assert shotgun_holes(18) == list(range(1, 19))
    assert shotgun_holes(9) == [1, 3, 5, 7, 9, 11, 13, 15, 17]
    assert shotgun_holes(3, holes=9) == [1, 4, 7]


def test_shotgun_doubles_up_on_par_fives_first():
    pars = [4, 5, 3, 4, 4, 5, 3, 4, 4, 4, 5, 3, 4, 4, 5, 3, 4, 4]
    holes = shotgun_holes(22, pars=pars)
    assert len(holes) == 22
    doubled = sorted(h for h in set(holes) if holes.count(h) == 2)
    assert doubled == [2, 6, 11, 15]  # the four par 5s
    assert holes == sorted(holes)  # A and B groups of one hole side by side
    five = shotgun_holes(20, pars=pars)
    assert all(pars[h - 1] == 5 for h in set(five) if five.count(h) == 2)


@given(st.integers(1, 36), st.integers(0, 72))
def test_shotgun_uses_every_hole_at_most_twice(holes, flights):
    if flights > 2 * holes:
        with pytest.raises(ValueError, match="at most two per hole"):
            shotgun_holes(flights, holes)
        return
    starts = shotgun_holes(flights, holes)
    assert len(starts) == flights
    assert all(1 <= h <= holes for h in starts)
    assert max((starts.count(h) for h in starts), default=0) <= (1 if flights <= holes else 2)
    if flights >= holes:
        assert set(starts) == set(range(1, holes + 1))


def test_handicap_spread_ignores_unknown_handicaps():
    assert handicap_spread([[10.0, 20.0], [12.0, None], [None, None]]) == pytest.approx(3.0)
    assert handicap_spread([[5.0, None]]) == 0.0
    assert handicap_spread([]) == 0.0
