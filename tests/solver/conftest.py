"""Small problems shared by the solver tests, and a brute-force oracle for tiny ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solver.evaluate import score, violations
from solver.model import Fixed, Problem


def brute_force_optimum(problem: Problem) -> float | None:
    """The best objective over every valid plan (None if there is none). Tiny problems only."""
    T = len(problem.tables)
    per_round = []
    for r in range(problem.rounds):
        rows = [
            np.array(row)
            for row in itertools.product(range(T), repeat=problem.people)
            if not violations(
                _one_round(problem, r),
                [[[p for p in range(problem.people) if row[p] == t] for t in range(T)]],
            )
        ]
        if not rows:
            return None
        per_round.append(rows)
    return max(score(problem, np.stack(combo)).objective for combo in itertools.product(*per_round))


def _one_round(problem: Problem, r: int) -> Problem:
    fixed = tuple(Fixed(f.person, f.table) for f in problem.fixed if f.round in (None, r))
    return Problem(
        people=problem.people,
        tables=problem.tables,
        together=problem.together,
        apart=problem.apart,
        fixed=fixed,
        min_sizes=problem.min_sizes,
        hosts=problem.hosts,
    )


def random_weights(rng: np.random.Generator, n: int, density: float) -> tuple:
    """Sparse integer pair values, a few negative (a manual block)."""
    return tuple(
        (i, j, float(rng.choice([-2, 1, 2, 3, 5])))
        for i in range(n)
        for j in range(i + 1, n)
        if rng.random() < density
    )


@pytest.fixture(scope="session")
def dinner_60() -> Problem:
    """60 people at uneven tables over two rounds, with every kind of rule."""
    rng = np.random.default_rng(7)
    return Problem(
        people=60,
        tables=(8, 8, 8, 8, 8, 8, 7, 7),
        rounds=2,
        weights=random_weights(rng, 60, 0.15),
        together=((0, 1), (1, 2), (10, 11)),
        apart=((3, 4), (3, 5), (4, 5), (20, 21)),
        fixed=(Fixed(6, 0), Fixed(7, 7, 1)),
        min_sizes=(6,) * 8,
        hosts=frozenset({30, 31, 32, 33}),
    )
