"""Two tables, one or two rounds: trying every seating finds the brute-force optimum under every
rule, and solve() says the plan is optimal."""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver import Fixed, Problem, Status, solve
from solver.evaluate import plan_of, score, value_matrix, violations
from solver.two_tables import two_table_plan
from tests.solver.conftest import brute_force_optimum, random_weights


def tried(problem: Problem, stop=lambda: False) -> np.ndarray | None:
    return two_table_plan(problem, value_matrix(problem), time.perf_counter() + 60, stop)


def random_problem(seed: int) -> Problem:
    """Five to seven people at two tables, some seats spare, with a random mix of every rule."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 8))
    cap0 = int(rng.integers(n // 2, n))
    tables = (cap0, n - cap0 + int(rng.integers(0, 3)))
    people = rng.permutation(n)
    rules = {
        "together": ((int(people[0]), int(people[1])),),
        "apart": ((int(people[2]), int(people[3])),),
        "fixed": (Fixed(int(people[4]), 1), Fixed(int(people[1]), 0, 1)),
        "hosts": frozenset(int(p) for p in people[-2:]),
        "min_sizes": (2, 1),
    }
    chosen = {k: v for k, v in rules.items() if rng.random() < 0.4}
    rounds = int(rng.integers(1, 3))
    if rounds == 1 and "fixed" in chosen:
        chosen["fixed"] = chosen["fixed"][:1]
    return Problem(n, tables, rounds, weights=random_weights(rng, n, 0.7), **chosen)


@pytest.mark.parametrize("seed", range(40))
def test_every_seating_tried_is_the_brute_force_optimum(seed):
    problem = random_problem(seed)
    optimum = brute_force_optimum(problem)
    a = tried(problem)
    if optimum is None:
        assert a is None
        return
    assert a is not None
    assert not violations(problem, plan_of(a, 2))
    assert score(problem, a).objective == pytest.approx(optimum)


def test_other_shapes_are_left_to_the_search():
    assert tried(Problem(6, (2, 2, 2), 2, weights=((0, 1, 1.0),))) is None
    assert tried(Problem(6, (3, 3), 3, weights=((0, 1, 1.0),))) is None
    assert tried(Problem(22, (11, 11), 2, weights=((0, 1, 1.0),))) is None
    # Twenty at two tables of ten: 92,378 seatings a round, too many pairs of them to try.
    assert tried(Problem(20, (10, 10), 2, weights=((0, 1, 1.0),))) is None


def test_stop_ends_the_enumeration():
    rng = np.random.default_rng(0)
    problem = Problem(16, (8, 8), 2, weights=random_weights(rng, 16, 0.9))
    assert tried(problem, stop=lambda: True) is None


def test_solve_proves_sixteen_at_two_tables():
    # Every pair worth 1 to 10, like the benchmark's dense dinners of 16, where CP-SAT and the
    # bounds left gaps of up to 8.1% after 10 s.
    rng = np.random.default_rng(1)
    weights = tuple((i, j, float(rng.integers(1, 11))) for i in range(16) for j in range(i + 1, 16))
    problem = Problem(16, (8, 8), 2, weights=weights)
    result = solve(problem, time_limit=10.0)
    assert result.status == Status.OPTIMAL
    assert result.bound_kind == "every seating"
    assert result.objective == result.upper_bound
