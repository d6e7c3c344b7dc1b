"""The set-partitioning bound by column generation: its pricing against brute force, its value
against the LP over every group, and its use in solve()."""

from __future__ import annotations

import time
from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest

from benchmarks.solver_bench import tag_instance
from solver import Problem, columns, solve
from solver.bounds import distinct_pairs_most, lp_bound
from solver.columns import (
    EPS,
    Groups,
    Halt,
    best_groups,
    set_partitioning_bound,
    table_levels,
)
from solver.evaluate import value_matrix
from tests.solver.conftest import random_weights


def reduced_cost(group, mu, pi, cost) -> float:
    return mu[np.ix_(group, group)].sum() / 2 - pi[list(group)].sum() - cost[len(group)]


@pytest.mark.parametrize("seed", range(30))
def test_pricing_finds_the_group_of_largest_reduced_cost(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, largest = int(rng.integers(4, 11)), int(rng.integers(2, 5))
    mu = np.triu(rng.random((n, n)) * (rng.random((n, n)) < 0.6), 1)
    mu += mu.T
    pi = rng.random(n) * largest / 3
    cost = np.where(rng.random(largest + 1) < 0.7, rng.random(largest + 1) * 0.5, np.inf)
    cost[0], cost[largest] = np.inf, 0.1  # some size is always allowed
    every = [
        (reduced_cost(g, mu, pi, cost), g)
        for s in range(1, largest + 1)
        if np.isfinite(cost[s])
        for g in combinations(range(n), s)
    ]
    most = max(rc for rc, _ in every)
    with Halt(time.perf_counter() + 60) as halt:
        best, found, complete = best_groups(mu, pi, cost, EPS, halt)
    assert complete
    assert best == pytest.approx(max(most, EPS))
    for rc, group in found:
        assert rc > EPS and rc == pytest.approx(reduced_cost(group, mu, pi, cost))
    if most > EPS:
        assert found[0][0] == pytest.approx(most)


def test_pricing_cut_short_says_so() -> None:
    rng = np.random.default_rng(1)
    mu = rng.random((60, 60))
    mu = np.triu(mu, 1) + np.triu(mu, 1).T
    pi, cost = np.full(60, 0.5), np.array([np.inf] + [0.0] * 10)
    started = time.perf_counter()
    with Halt(started + 0.2) as halt:
        _, _, complete = best_groups(mu, pi, cost, EPS, halt)
    assert not complete and time.perf_counter() - started < 5  # ends soon after its deadline
    with Halt(started + 60, stop=lambda: True) as halt:
        _, _, complete = best_groups(mu, pi, cost, EPS, halt)
    assert not complete


@pytest.mark.parametrize("seed", range(8))
def test_priced_bound_equals_the_lp_over_every_group(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tables = [(3, 3), (4, 2), (3, 3, 2), (2, 2, 2)][seed % 4]
    people = sum(tables) - seed % 2  # full tables, or a seat to spare
    problem = Problem(people, tables, rounds=1 + seed % 3, weights=random_weights(rng, people, 0.6))
    if seed >= 4:  # a pair kept together and two apart
        pairs = rng.permutation(list(combinations(range(people), 2)))
        problem = replace(problem, together=(tuple(pairs[0]),), apart=tuple(map(tuple, pairs[1:3])))
    values = value_matrix(problem)
    listed = Groups(problem, values)
    for s in listed.sizes:
        for group in combinations(range(people), s):
            listed.add(group)
    exact = listed.solve(time.perf_counter() + 60)[0]
    priced = set_partitioning_bound(problem, values, time.perf_counter() + 30, slack=0.0)
    assert priced == pytest.approx(exact, abs=1e-4)


def test_the_bound_keeps_the_rules() -> None:
    # Four people at two tables of two: the valuable pairs are the ones the rules rule out.
    apart = Problem(4, (2, 2), weights=((0, 1, 5.0), (2, 3, 5.0), (0, 2, 1.0), (1, 3, 1.0)))
    together = Problem(4, (2, 2), weights=((0, 2, 5.0), (1, 3, 5.0), (0, 1, 1.0), (2, 3, 1.0)))
    for problem, rules in ((apart, {"apart": ((0, 1),)}), (together, {"together": ((1, 0),)})):
        values = value_matrix(problem)
        deadline = time.perf_counter() + 30
        assert set_partitioning_bound(problem, values, deadline, slack=0) == pytest.approx(10)
        ruled = replace(problem, **rules)
        assert set_partitioning_bound(ruled, values, deadline, slack=0) == pytest.approx(2)


@pytest.mark.parametrize("tables", [(4, 4), (4, 4, 4), (6, 6)])
def test_the_bound_counts_no_more_pairs_than_the_rounds_can_meet(tables) -> None:
    # Every pair worth 1: the LP alone would count pairs of half-used groups in both rounds
    # (24.1 at two tables of four, where two rounds meet 20 pairs at most).
    people = sum(tables)
    every_pair = tuple((i, j, 1.0) for i, j in combinations(range(people), 2))
    problem = Problem(people, tables, rounds=2, weights=every_pair)
    bound = set_partitioning_bound(problem, value_matrix(problem), time.perf_counter() + 30)
    assert distinct_pairs_most(problem) <= bound <= distinct_pairs_most(problem) * 1.01


@pytest.mark.parametrize(
    ("people", "tables", "sizes"),
    [
        (24, (5,) * 5, [4, 5]),  # one seat to spare: a table of five seats four or five
        (11, (4, 4, 3), [3, 4]),  # every seat taken
        (10, (4, 4, 4), [2, 3, 4]),
        (3, (10, 10), [1, 2, 3]),
    ],
)
def test_groups_have_only_the_sizes_some_plan_gives_a_table(people, tables, sizes) -> None:
    assert table_levels(Problem(people, tables))[1] == sizes


def test_forty_people_get_a_bound_far_below_the_pair_lp() -> None:
    problem = tag_instance(40, [8] * 5, 2, seed=3)
    values = value_matrix(problem)
    plan = solve(problem, time_limit=2.0, seed=1)
    priced = set_partitioning_bound(problem, values, time.perf_counter() + 60)
    assert plan.objective <= priced < 0.9 * lp_bound(problem, values)


def test_solve_reports_the_priced_bound_above_the_exact_models_size() -> None:
    problem = tag_instance(30, [5] * 6, 2, seed=4)
    result = solve(problem, time_limit=10.0, seed=1)
    assert result.bound_kind == "set-partitioning"
    assert result.upper_bound < 0.9 * lp_bound(problem, value_matrix(problem))


def test_a_greedy_pricing_that_never_runs_dry_still_gets_a_bound(monkeypatch) -> None:
    rng = np.random.default_rng(5)
    problem = Problem(20, (5, 5, 5, 5), rounds=2, weights=random_weights(rng, 20, 0.5))
    values = value_matrix(problem)
    lp_value = set_partitioning_bound(problem, values, time.perf_counter() + 30, slack=0.0)
    # As on a large dinner: the cheap pricing finds a new group every time it is asked.
    offers = iter(np.random.default_rng(0).permutation(list(combinations(range(20), 5))))
    monkeypatch.setattr(columns, "_greedy_groups", lambda *_: [(1.0, next(offers))])
    bound = set_partitioning_bound(problem, values, time.perf_counter() + 1.0)
    assert bound is not None and bound >= lp_value - 1e-6


def test_the_lp_stops_at_its_deadline() -> None:
    # Tables of 75: one GLOP solve took 2 s of a 1.4 s time limit before solves had deadlines.
    problem = Problem(150, (78, 72), 3, base_value=1.0)
    groups = Groups(problem, value_matrix(problem))
    for group in (range(78), range(78, 150), range(72), range(72, 150)):
        groups.add(group)
    assert groups.solve(time.perf_counter() - 1) is None
    assert groups.solve(time.perf_counter() + 60) is not None
