"""INSTANCE.json <-> Problem, and the bounds every result carries."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from itertools import combinations, product

import numpy as np
import pytest

from solver import Fixed, Problem
from solver.bounds import distinct_pairs_most, lp_bound, per_person_bound, shared_pairs_least
from solver.columns import set_partitioning_bound
from solver.evaluate import value_matrix
from solver.instance import problem_from_json, problem_to_json, result_to_json
from solver.seating import solve
from tests.solver.conftest import brute_force_optimum, random_weights


def test_instance_round_trips_and_orders_pairs() -> None:
    data = {"people": 5, "tables": [3, 2], "rounds": 2, "weights": [[3, 1, 2.5]],
            "together": [[4, 0]], "apart": [[1, 2]], "fixed": [[0, 1], [2, 0, 1]],
            "min_sizes": [1, 1], "hosts": [3], "base_value": 0.5,
            "handicaps": [1.0, None, 3.0, 4.0, 5.0], "balance_budget": 0.1}  # fmt: skip
    problem = problem_from_json(data)
    assert problem.weights == ((1, 3, 2.5),)
    assert problem.together == ((0, 4),)
    assert problem.fixed == (Fixed(0, 1), Fixed(2, 0, 1))
    assert problem.balance_budget == 0.1
    assert problem_from_json(problem_to_json(problem)) == problem


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"people": -1}, "people: must be at least 1"),
        ({"rounds": 0}, "rounds: must be at least 1"),
        ({"weights": [[0, 1]]}, "weights[0]: expected [i, j, value]"),
        ({"weights": [[0, 1, 1], [1, 0, 2]]}, "weights[1]: the pair (1, 0) is listed twice"),
        ({"weights": [[0, 1, "x"]]}, "weights[0]: expected a number"),
        ({"weights": [[0, 1, 1], [0, 2, True]]}, "weights[1]: expected a number, got True"),
        ({"weights": [[0, 1.0, 1]]}, "weights[0]: expected a whole number, got 1.0"),
        ({"weights": [[0, 4, 1]]}, "weights[0]: person 4 does not exist"),
        ({"weights": [[2, 2, 1]]}, "weights[0]: a pair needs two different people"),
        ({"weights": [[0, 1, float("nan")]]}, "weights[0]: expected a number, got nan"),
        ({"weights": [[0, 1, -2e9]]}, "weights[0]: must be from -1e+09 to 1e+09"),
        ({"weights": [(0, 1, 1)]}, "weights[0]: expected [i, j, value]"),
        ({"together": [[1, 1]]}, "together[0]: a pair needs two different people"),
        ({"apart": "0,1"}, "apart: expected a list"),
        ({"fixed": [[0, 0, 3]]}, "fixed[0]: round 3 does not exist"),
        ({"hosts": [9]}, "hosts[0]: person 9 does not exist"),
        ({"handicaps": [1]}, "handicaps: needs one entry per person"),
        ({"balance_budget": 5}, "balance_budget is a share of the objective, from 0 to 1"),
    ],
)
def test_mistakes_name_the_field(change, words) -> None:
    with pytest.raises(ValueError) as caught:
        problem_from_json({"people": 4, "tables": [2, 2], **change})
    assert words in str(caught.value)


def test_result_json_carries_gap_and_status() -> None:
    result = solve(Problem(people=4, tables=(2, 2), weights=((0, 1, 3.0), (1, 2, 1.0))))
    out = result_to_json(result)
    assert out["status"] == "optimal" and out["gap"] == 0 and out["objective"] == 3
    assert out["rounds"] == [[list(t) for t in tables] for tables in result.rounds]


def test_result_json_prints_sums_of_thirds_as_people_read_them() -> None:
    weights = tuple((i, j, 1 / 3) for i in range(4) for j in range(i + 1, 4))
    out = result_to_json(solve(Problem(people=4, tables=(4,), weights=weights)))
    assert json.dumps(out["objective"]) == json.dumps(out["upper_bound"]) == "2.0"
    out = result_to_json(solve(Problem(people=4, tables=(2, 2), weights=weights[:1])))
    assert json.dumps(out["objective"]) == "0.333333333333"


@pytest.mark.parametrize("seed", range(12))
def test_bounds_are_never_below_the_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rounds = 1 + seed % 2
    problem = Problem(people=6, tables=(3, 3) if seed % 3 else (2, 2, 2), rounds=rounds,
                      weights=random_weights(rng, 6, 0.5))  # fmt: skip
    if seed % 4 >= 2:  # a pair kept together and two apart
        pairs = rng.permutation(list(combinations(range(6), 2)))
        problem = replace(problem, together=(tuple(pairs[0]),), apart=tuple(map(tuple, pairs[1:3])))
    best = brute_force_optimum(problem)
    values = value_matrix(problem)
    assert per_person_bound(problem, values) >= best - 1e-9
    assert lp_bound(problem, values) >= best - 1e-9
    assert bound(problem, values) >= best - 1e-9


def bound(problem: Problem, values: np.ndarray, slack: float = 0.0) -> float | None:
    return set_partitioning_bound(problem, values, time.perf_counter() + 30, slack=slack)


@pytest.mark.parametrize(
    ("people", "tables", "rounds", "most"),
    [(6, (3, 3), 2, 10), (6, (3, 3), 3, 14), (7, (4, 3), 2, 15), (8, (4, 4), 2, 20)],
)
def test_crowded_tables_force_repeats(people, tables, rounds, most) -> None:
    # Every new face is worth 1. A table of three spread over two tables keeps a pair together,
    # so two rounds of (3, 3) share two pairs and meet 10 people at most, not 12.
    problem = Problem(people, tables, rounds, base_value=1.0)
    assert distinct_pairs_most(problem) == most
    best = brute_force_optimum(problem)
    assert best <= lp_bound(problem, value_matrix(problem)) == most
    assert best == most or (rounds, best) == (3, 13)  # the bound is met but for three rounds


def seatings(sizes: tuple[int, ...], groups: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """Every seating of sum(sizes) people at full tables of `sizes`, groups together, as rows of
    a pair matrix: [seating, i * n + j] is True when i and j share a table."""
    n = sum(sizes)
    rows = np.array(list(product(range(len(sizes)), repeat=n)))
    rows = rows[((rows[:, :, None] == np.arange(len(sizes))).sum(axis=1) == sizes).all(axis=1)]
    for group in groups:
        rows = rows[(rows[:, group] == rows[:, group[:1]]).all(axis=1)]
    same = rows[:, :, None] == rows[:, None, :]
    return np.triu(same, 1).reshape(len(rows), n * n)


@pytest.mark.parametrize(
    ("sizes", "groups", "least"),
    [((3, 3, 3), ((0, 1),), 2), ((4, 4, 4), ((0, 1, 2),), 6), ((3, 3, 3), (), 0),
     ((3, 3, 2), ((0, 1),), 1), ((4, 4), ((0, 1), (2, 3)), 4)],
)  # fmt: skip
def test_shared_pairs_least_is_the_fewest_any_two_rounds_share(sizes, groups, least) -> None:
    # Three tables of three with a couple: the couple's table in the second round has one seat
    # left, but the first round's other two tables each need one there to share no pair.
    pairs = seatings(sizes, groups).astype(np.int64)
    assert (pairs @ pairs.T).min() == least
    assert shared_pairs_least(sizes, tuple(sorted(map(len, groups)))) == least


def test_a_couple_at_full_fours_forces_repeats() -> None:
    # Sixteen golfers in fours over three rounds: 72 pairs of places, less two repeats of the
    # couple and, each two rounds, one more pair (shared_pairs_least's docstring).
    golf = Problem(16, (4,) * 4, 3, base_value=1.0)
    assert distinct_pairs_most(golf) == 72
    assert distinct_pairs_most(replace(golf, together=((0, 1),))) == 68


def test_lp_bound_with_triangles_is_tighter_than_per_person() -> None:
    # A triangle of valuable pairs cannot all meet at tables of two.
    problem = Problem(people=3, tables=(2, 1), weights=((0, 1, 1.0), (0, 2, 1.0), (1, 2, 1.0)))
    values = value_matrix(problem)
    assert per_person_bound(problem, values) == 1.5
    assert lp_bound(problem, values) == pytest.approx(1.0)
    bigger = Problem(people=4, tables=(3, 1), weights=((0, 1, 1.0), (0, 2, 1.0), (1, 3, 1.0)))
    values = value_matrix(bigger)
    assert per_person_bound(bigger, values) == 3.0
    assert 2.0 <= lp_bound(bigger, values) < 3.0  # the optimum is 2


def test_set_partitioning_bound_counts_whole_groups() -> None:
    # Two sides of three who all value the other side: a table of three holds at most two such
    # pairs, which the pair LP over two rounds does not see.
    across = tuple((i, j, 1.0) for i in range(3) for j in range(3, 6))
    problem = Problem(people=6, tables=(3, 3), rounds=2, weights=across)
    values = value_matrix(problem)
    assert lp_bound(problem, values) == pytest.approx(9.0)
    assert bound(problem, values) == pytest.approx(8.0)
    assert brute_force_optimum(problem) <= 8
    # Far too many groups to list (847 million); priced as needed, one round seats all six.
    many = Problem(people=40, tables=(10,) * 4, rounds=2, weights=across)
    assert bound(many, value_matrix(many)) == pytest.approx(9.0)
