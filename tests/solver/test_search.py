"""The search engine's incremental gains agree with a fresh computation after any moves."""

from __future__ import annotations

import numpy as np
import pytest

from solver import Problem
from solver.evaluate import score, value_matrix, violations
from solver.search import Rules, Seating, balance_handicaps, construct_round
from tests.solver.conftest import random_weights


def seating(problem: Problem, seed: int) -> Seating:
    values, rules = value_matrix(problem), Rules.of(problem)
    rng = np.random.default_rng(seed)
    meets = np.zeros((problem.people, problem.people), dtype=np.int16)
    rows = []
    for r in range(problem.rounds):
        rows.append(construct_round(values, rules, r, meets, rng))
        meets += rows[-1][:, None] == rows[-1][None, :]
    return Seating(values, rules, np.stack(rows))


def plan(state: Seating):
    return [[np.flatnonzero(row == t).tolist() for t in range(state.T)] for row in state.a]


@pytest.mark.parametrize("rounds", [1, 3])
def test_gains_objective_and_counts_stay_exact_through_swaps_moves_and_undo(rounds) -> None:
    rng = np.random.default_rng(rounds)
    problem = Problem(people=40, tables=(9, 9, 8, 8, 8), rounds=rounds,
                      weights=random_weights(rng, 40, 0.3), apart=((0, 1), (2, 3)),
                      hosts=frozenset({5, 6}), min_sizes=(6,) * 5)  # fmt: skip
    state = seating(problem, 0)
    mark = len(state.log)
    start = state.a.copy()
    for _ in range(300):
        r = int(rng.integers(rounds))
        p = int(rng.integers(40))
        delta, step = state.best_step(r, p) if rng.random() < 0.5 else (None, [])
        step = step or state.random_swap(r, rng)
        before = state.value
        for rr, person, t in step:
            state.move(rr, person, t)
        if delta is not None and step:
            assert state.value - before == pytest.approx(delta)
    fresh = Seating(state.values, state.rules, state.a)
    assert state.value == pytest.approx(fresh.value)
    assert state.value == pytest.approx(score(problem, state.a).objective)
    np.testing.assert_allclose(state.gain, fresh.gain, atol=1e-9)
    assert (state.meets == fresh.meets).all() and (state.size == fresh.size).all()
    assert violations(problem, plan(state)) == []
    state.undo(mark)
    assert (state.a == start).all()


def test_handicaps_are_balanced_without_losing_value() -> None:
    rng = np.random.default_rng(3)
    handicaps = rng.uniform(0, 36, 24)
    problem = Problem(people=24, tables=(4,) * 6, base_value=1.0,
                      handicaps=tuple(handicaps))  # fmt: skip
    state = seating(problem, 1)
    spread = score(problem, state.a).handicap_spread
    value = state.value
    assert balance_handicaps(state, handicaps, np.inf, lambda: False) > 0
    assert state.value == value
    assert score(problem, state.a).handicap_spread < spread / 3
