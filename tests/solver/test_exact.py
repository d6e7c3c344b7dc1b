"""The exact model: on tiny multi-round instances its proven optimum is the brute-force one."""

from __future__ import annotations

import time

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solver import Fixed, Problem
from solver.evaluate import plan_of, score, value_matrix, violations
from solver.exact import integer_scale, solve_exact, whole_numbers
from tests.solver.conftest import brute_force_optimum, random_weights


def exact(problem: Problem, hint: np.ndarray | None = None):
    values = value_matrix(problem)
    return solve_exact(problem, values, 20.0, 0, hint, lambda *_: None, lambda: False)


# A star: person 0 is worth meeting for everyone, more than two rounds of tables allow.
STAR = tuple((0, j, 2.0) for j in range(1, 7)) + ((1, 2, 1.0), (3, 4, 1.0), (5, 6, 3.0))

CASES = {
    # Identical full tables: groups only, each of the table's size.
    "full": Problem(7, (2, 2, 3), 2, weights=STAR),
    "full, alike": Problem(6, (3, 3), 3, weights=STAR[:5] + ((1, 2, 1.0), (3, 4, 1.0))),
    # Groups that must fit tables of different sizes, some seats left empty.
    "part-filled": Problem(6, (4, 2, 1), 2, weights=STAR[:5] + ((1, 2, 1.0), (3, 4, 1.0))),
    "fixed seats": Problem(
        6, (2, 2, 2), 2, weights=STAR[:5], fixed=(Fixed(0, 1), Fixed(1, 1, 0), Fixed(2, 0, 1))
    ),
    "together": Problem(6, (3, 3), 2, weights=STAR[:5] + ((1, 2, -2.0),), together=((1, 2),)),
    # Rules that keep the table numbers in the model.
    "apart and hosts": Problem(
        6, (2, 2, 2), 2, weights=STAR[:5], apart=((1, 2),), hosts=frozenset({3, 4})
    ),
    "minimums": Problem(5, (3, 3), 2, weights=STAR[:4], min_sizes=(2, 2)),
    # A minimum of one: no table may stay empty, though the best split leaves one empty.
    "minimum of one": Problem(
        5, (3, 3, 3), 1, weights=(*STAR[:2], (3, 4, 1.0)), min_sizes=(1, 1, 1)
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_proven_optimum_is_the_brute_force_one(name: str) -> None:
    problem = CASES[name]
    outcome = exact(problem)
    assert outcome.proven
    assert outcome.objective == brute_force_optimum(problem)
    assert outcome.bound == outcome.objective
    plan = plan_of(outcome.assignment, len(problem.tables))
    assert violations(problem, plan) == []
    assert score(problem, outcome.assignment).objective == outcome.objective


@pytest.mark.parametrize("seed", range(4))
def test_random_tiny_dinners_match_brute_force_from_any_hint(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tables = [(2, 2, 2), (3, 3), (3, 4), (4, 2)][seed]
    problem = Problem(6, tables, 2, weights=random_weights(rng, 6, 0.5))
    hint = np.array([rng.permutation([t for t, c in enumerate(tables) for _ in range(c)])[:6]] * 2)
    for start in (None, hint):
        outcome = exact(problem, start)
        assert outcome.proven and outcome.objective == brute_force_optimum(problem)


def test_cut_short_before_a_plan_it_claims_no_bound() -> None:
    # CP-SAT stopped this early reports a bound of 0, which would pass any plan off as optimal.
    rng = np.random.default_rng(5)
    problem = Problem(12, (4, 4, 4), 2, weights=random_weights(rng, 12, 0.6))
    values = value_matrix(problem)
    hint = np.array([[t for t in range(3) for _ in range(4)]] * 2)
    outcome = solve_exact(problem, values, 1e-4, 0, hint, lambda *_: None, lambda: False)
    assert not outcome.proven
    assert outcome.bound >= exact(problem).objective


def test_building_the_model_counts_against_the_time_limit(monkeypatch) -> None:
    called, given = time.perf_counter(), []

    class Recording(cp_model.CpSolver):
        def solve(self, model, callback=None):
            given.append((self.parameters.max_time_in_seconds, time.perf_counter() - called))
            return super().solve(model, callback)

    monkeypatch.setattr(cp_model, "CpSolver", Recording)
    rng = np.random.default_rng(6)
    problem = Problem(24, (8, 10, 1, 2, 9), 4, weights=random_weights(rng, 24, 0.3))
    solve_exact(problem, value_matrix(problem), 2.0, 0, None, lambda *_: None, lambda: False)
    (limit, built), *_ = given
    assert built > 0.05  # 24 people over four rounds: 32,000 triangle rows take a while to build
    assert limit <= 2.0 - built + 0.02  # less what building took (up to starting the watcher)


def test_groups_fit_tables_of_very_different_sizes() -> None:
    # Found by hypothesis: groups of 2, 3 and 5 are worth most, but only two tables seat 2 or
    # more; the plan must not put the group of 2 at a table of 1.
    weights = ((0, 2, 1.0), (0, 3, -2.0), (1, 3, 1.0), (1, 4, 5.0), (1, 6, -2.0), (1, 8, 5.0),
               (1, 9, 2.0), (2, 3, -2.0), (2, 7, 2.0), (3, 6, 5.0), (3, 7, 2.0), (3, 9, 3.0),
               (4, 5, 3.0), (4, 7, 5.0), (4, 9, 3.0), (5, 6, 2.0), (5, 7, 1.0), (5, 8, 5.0),
               (6, 7, 1.0), (6, 9, 5.0), (7, 9, 3.0), (8, 9, 1.0))  # fmt: skip
    problem = Problem(10, (1, 1, 3, 5), 1, weights=weights)
    outcome = exact(problem)
    assert outcome.proven
    assert violations(problem, plan_of(outcome.assignment, 4)) == []


def test_whole_numbers_and_the_scale_that_makes_them() -> None:
    assert integer_scale(np.array([[0.0, 2.0], [2.0, 0.0]])) == 1
    assert integer_scale(np.array([0.1, 0.3])) == 10
    assert integer_scale(np.array([0.25])) == 100
    assert integer_scale(np.array([1000.001])) == 1000  # np.allclose took it for whole
    assert not whole_numbers(np.array([1.0, np.nan]))
    assert whole_numbers(np.arange(70_000.0))  # looked at in several pieces
    assert not whole_numbers(np.append(np.arange(70_000.0), 0.5))


def test_a_score_counts_each_pair_once_however_many_blocks_of_people() -> None:
    # score() looks at 64 people at a time: 150 people over three rounds are three blocks.
    rng = np.random.default_rng(4)
    n, rounds = 150, 3
    problem = Problem(n, (10,) * 15, rounds, weights=random_weights(rng, n, 0.2))
    a = np.stack([rng.permutation(np.arange(n) % 15) for _ in range(rounds)])
    values = value_matrix(problem)
    same = [row[:, None] == row[None, :] for row in a]
    met = sum(s.astype(int) for s in same) - rounds * np.eye(n, dtype=int)
    got = score(problem, a, values)
    assert got.objective == np.sum(values[met > 0]) / 2
    assert got.repeats == np.sum(np.maximum(met - 1, 0)) // 2 > 0
    matched = np.all([np.any(s & (values > 0), axis=1) for s in same], axis=0)
    assert got.people_without_match == n - matched.sum() > 0
