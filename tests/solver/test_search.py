"""The search engine's incremental gains agree with a fresh computation after any moves."""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import replace

import numpy as np
import pytest

from solver import Problem
from solver.evaluate import meet_counts, plan_of, score, value_matrix, violations
from solver.model import Fixed
from solver.search import (
    Handicaps,
    Rules,
    Seating,
    _best_swap_or_move,
    balance_handicaps,
    construct_round,
    crossover,
    descend,
    memetic_search,
    spread_repeats,
    tabu_search,
)
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


def every_step(problem: Problem, state: Seating):
    """Each swap of two people and each move of one, in any round, that keeps every rule,
    with what it changes the objective by (found by scoring the plan it makes)."""
    now = score(problem, state.a).objective
    n, T = problem.people, len(problem.tables)
    for r in range(problem.rounds):
        steps = [[(r, p, t)] for p in range(n) for t in range(T) if t != state.a[r, p]]
        steps += [
            [(r, p, int(state.a[r, q])), (r, q, int(state.a[r, p]))]
            for p, q in itertools.combinations(range(n), 2)
            if state.a[r, p] != state.a[r, q]
        ]
        for step in steps:
            a = state.a.copy()
            for rr, person, t in step:
                a[rr, person] = t
            if not violations(problem, plan_of(a, T)):
                yield step, score(problem, a).objective - now


@pytest.mark.parametrize("rounds", [1, 2])
def test_descents_end_where_nobody_has_a_gaining_step_and_can_be_undone(rounds) -> None:
    rng = np.random.default_rng(rounds)
    problem = Problem(people=40, tables=(9, 9, 8, 8, 8), rounds=rounds,
                      weights=random_weights(rng, 40, 0.3), apart=((0, 1), (2, 3)),
                      together=((10, 11), (12, 13), (13, 14)), hosts=frozenset({5, 6}),
                      min_sizes=(6,) * 5, fixed=(Fixed(7, 0),))  # fmt: skip
    state = seating(problem, 0)
    start, value = state.a.copy(), state.value
    everyone = [(r, p) for r in range(rounds) for p in range(40)]
    # A descent queues whom a step's gains changed most (the two tables' people, and the movers'
    # tablemates in other rounds), so a second one may still find steps, and later ones none.
    for _ in range(10):
        descend(state, deque(everyone), time.perf_counter() + 60, lambda: False)
        if max(state.best_step(r, p)[0] for r, p in everyone) <= 1e-9:
            break
    else:
        raise AssertionError("ten descents and still a gaining step")
    assert state.value > value
    assert state.value == pytest.approx(score(problem, state.a).objective)
    np.testing.assert_allclose(state.gain, Seating(state.values, state.rules, state.a).gain)
    assert violations(problem, plan(state)) == []
    state.undo(0)
    assert (state.a == start).all() and state.value == pytest.approx(value)


def small_dinner_with_rules(seed: int) -> tuple[Seating, list]:
    """A plan of 13 people over two rounds with every kind of rule, and every step from it."""
    rng = np.random.default_rng(seed)
    problem = Problem(people=13, tables=(5, 5, 4), rounds=2, weights=random_weights(rng, 13, 0.4),
                      apart=((0, 1), (2, 3), (1, 8)), hosts=frozenset({5, 6, 9}),
                      min_sizes=(3, 4, 3), fixed=(Fixed(7, 0), Fixed(4, 2, 1)))  # fmt: skip
    state = seating(problem, seed)
    return state, list(every_step(problem, state))


@pytest.mark.parametrize("seed", range(3))
def test_a_persons_best_step_is_their_best_allowed_swap_or_move(seed) -> None:
    state, steps = small_dinner_with_rules(seed)
    for r, p in itertools.product(range(2), range(13)):
        own = [(s, d) for s, d in steps if s[0][:2] == (r, p) or s[-1][:2] == (r, p)]
        delta, step = state.best_step(r, p)
        if not state.single[r, p] or not own:
            assert step == [] and delta == -np.inf
        else:
            assert delta == pytest.approx(max(d for _, d in own))
            assert step in [s for s, _ in own] or step[::-1] in [s for s, _ in own]


def test_a_couple_at_a_full_table_trades_seats_with_two_people_for_the_ones_they_seek() -> None:
    problem = Problem(people=8, tables=(4, 4), together=((0, 1),),
                      weights=((0, 4, 5.0), (1, 5, 5.0), (6, 7, 1.0), (2, 6, 1.0)))  # fmt: skip
    state = Seating(value_matrix(problem), Rules.of(problem), np.array([[0, 0, 0, 0, 1, 1, 1, 1]]))
    # Nobody can move to a full table. 6 and 7 come over, keeping their pair, and 6 meets 2.
    assert state.best_step(0, 0) == (11.0, [(0, 0, 1), (0, 1, 1), (0, 6, 0), (0, 7, 0)])


@pytest.mark.parametrize("seed", range(4))
def test_a_groups_step_keeps_every_rule_and_gains_what_it_says(seed) -> None:
    rng = np.random.default_rng(seed)
    problem = Problem(people=30, tables=(8, 8, 7, 7), rounds=2,
                      weights=random_weights(rng, 30, 0.5), hosts=frozenset({5, 7, 9}),
                      together=((0, 1), (2, 3), (3, 4), (20, 21)), apart=((0, 5), (2, 6), (1, 12)),
                      min_sizes=(6,) * 4, fixed=(Fixed(20, 1, 0),))  # fmt: skip
    state = seating(problem, seed)
    trades = 0
    for r, p in itertools.product(range(2), (0, 2, 20)):
        delta, step = state.best_step(r, p)
        if not step:
            continue
        trades += len(step) > len(state.rules.groups[state.rules.group_of[p]])
        before = state.value
        for rr, person, t in step:
            state.move(rr, person, t)
        assert state.value - before == pytest.approx(delta)
        assert violations(problem, plan(state)) == []
    assert trades
    assert state.value == pytest.approx(score(problem, state.a).objective)


def one_tabu_step(state: Seating, tabu: np.ndarray, best_value: float) -> tuple[set, float]:
    """One compiled iteration of the tabu search from `state` (left as it is) with people tabu
    until `tabu` says, from a best plan worth best_value: the moves it makes, as a set of
    (round, person, table), and what they change the objective by."""
    after = Seating(state.values, state.rules, state.a)
    # A tenure of 1 draws no noise; nothing is tabu past this one iteration anyway.
    after.tabu_steps(
        np.random.default_rng(0), tabu.copy(), 1, 1, 1, 10**9, 0, best_value, np.inf, after.a.copy()
    )
    moved = {
        (r, p, int(after.a[r, p])) for r, p in zip(*np.nonzero(after.a != state.a), strict=True)
    }
    return moved, after.value - state.value


@pytest.mark.parametrize("seed", range(3))
def test_the_tabu_step_is_the_best_allowed_swap_or_move(seed) -> None:
    state, steps = small_dinner_with_rules(seed)
    free = np.zeros((2, 13), dtype=np.int64)
    step, delta = one_tabu_step(state, free, np.inf)
    assert delta == pytest.approx(max(d for _, d in steps))
    assert step in [set(s) for s, _ in steps]
    # Its people made tabu, the next best step moves someone else, unless it beats the best plan.
    tabu = free.copy()
    for r, p, _ in step:
        tabu[r, p] = 5
    others = [d for s, d in steps if all(tabu[r, p] == 0 for r, p, _ in s)]
    assert one_tabu_step(state, tabu, np.inf)[1] == pytest.approx(max(others))
    assert one_tabu_step(state, tabu, -np.inf)[1] == pytest.approx(delta)


def every_pair_in_order(state: Seating, tabu: np.ndarray, now: int, aspire: float) -> tuple:
    """_best_swap_or_move without its bound: every swap in (round, p, q) order, then every
    move, the first of the best winning."""
    rules, values = state.rules, state.values
    apart = rules.apart if rules.apart is not None else np.zeros((state.n, state.n), dtype=bool)
    no_apart = np.zeros((state.rounds, state.n, state.T), dtype=np.int64)
    apart_at = state.apart_at if state.apart_at is not None else no_apart
    host = rules.host
    best, found = -np.inf, (0, -1, -1, -1)
    for r in range(state.rounds):
        ar, g = state.a[r], state.gain[r]
        own = g[state.index, ar]
        for p, q in itertools.combinations(range(state.n), 2):
            s, t = ar[p], ar[q]
            if t == s or not (state.single[r, p] and state.single[r, q]):
                continue
            d = g[p, t] - own[p] + g[q, s] - own[q] - 2 * values[p, q] * (state.meets[p, q] == 0)
            tabu_free = tabu[r, p] <= now and tabu[r, q] <= now
            if d <= best or (d <= aspire and not tabu_free):
                continue
            if apart_at[r, p, t] != apart[p, q] or apart_at[r, q, s] != apart[q, p]:
                continue
            if host[p] != host[q] and state.hosts_at[r, t if host[p] else s]:
                continue
            best, found = d, (1, r, p, q)
        for p, t in itertools.product(range(state.n), range(state.T)):
            s = ar[p]
            if t == s or not state.single[r, p] or state.size[r, s] <= rules.low[s]:
                continue
            if state.size[r, t] >= rules.cap[t] or apart_at[r, p, t]:
                continue
            if host[p] and state.hosts_at[r, t]:
                continue
            d = g[p, t] - g[p, s]
            if d > best and (d > aspire or tabu[r, p] <= now):
                best, found = d, (2, r, p, t)
    return best, found


@pytest.mark.parametrize(("seed", "base_value"), [(0, 0.0), (1, 0.0), (2, 1.0), (3, 1.0)])
def test_the_bound_on_swaps_leaves_the_chosen_step_as_it_was(seed, base_value) -> None:
    """Whole numbers, negative ones among them, make ties (most of all where every pair is worth
    at least 1, as on a golf day): of equal steps, the same one wins."""
    rng = np.random.default_rng(seed)
    problem = Problem(people=40, tables=(9, 8, 8, 8, 7), rounds=2, base_value=base_value,
                      weights=random_weights(rng, 40, 0.3), apart=((0, 1), (2, 3)),
                      together=((10, 11),), hosts=frozenset({5, 6, 8}), min_sizes=(6,) * 5,
                      fixed=(Fixed(7, 0),))  # fmt: skip
    state = seating(problem, seed)
    tabu = np.zeros((2, 40), dtype=np.int64)
    for now in range(1, 41):
        aspire = float(rng.choice([-np.inf, 0.0, np.inf]))
        got = _best_swap_or_move(
            state.gain, state.a, state.meets, state.values, state.single, state.size,
            state.rules.cap, state.rules.low, *state._apart(), state.rules.host, state.hosts_at,
            tabu, now, aspire, state.unmet,
        )  # fmt: skip
        best, found = every_pair_in_order(state, tabu, now, aspire)
        assert got[1:] == found and (got[0] == best or not found[0])
        kind, r, p, q = found
        if not kind:
            break
        step = [(r, p, q)]
        if kind == 1:  # a swap: q takes p's table
            step = [(r, p, int(state.a[r, q])), (r, q, int(state.a[r, p]))]
        for r, person, t in step:
            state.move(r, person, t)
            tabu[r, person] = now + int(rng.integers(3, 8))


@pytest.mark.parametrize(
    ("weights", "swaps"),
    [
        ((), 1),  # nobody is worth meeting: the second round still meets new people
        (((0, 1, 2.0), (2, 3, 2.0)), 0),  # rotating would part the valuable pairs
        (((0, 1, 2.0),), 0),  # rotating would leave 0 and 1 without a valuable pair in round 2
    ],
)
def test_repeats_are_spread_only_where_it_costs_nothing(weights, swaps) -> None:
    problem = Problem(people=4, tables=(2, 2), rounds=2, weights=weights)
    state = Seating(value_matrix(problem), Rules.of(problem), np.array([[0, 0, 1, 1]] * 2))
    value = state.value
    assert spread_repeats(state, np.inf, lambda: False) == swaps
    assert state.value == value
    repeated_pairs = int(np.maximum(state.meets - 1, 0).sum()) // 2
    assert repeated_pairs == (0 if swaps else 2)


def test_handicaps_are_balanced_for_nothing_when_every_partner_is_worth_the_same() -> None:
    rng = np.random.default_rng(3)
    handicaps = tuple(rng.uniform(0, 36, 24))
    problem = Problem(people=24, tables=(4,) * 6, base_value=1.0, handicaps=handicaps)
    state = seating(problem, 1)
    value, spread = state.value, score(problem, state.a).handicap_spread
    best = balance_handicaps(state, Handicaps.of(handicaps), 0.0, rng, np.inf, lambda: False)
    assert score(problem, best).objective == value
    assert score(problem, best).handicap_spread < min(1.0, spread / 10)


def test_balancing_keeps_the_rules_and_the_budget_adds_no_repeat_and_is_repeatable() -> None:
    rng = np.random.default_rng(5)
    handicaps = tuple(None if k % 7 == 0 else float(h) for k, h in enumerate(rng.gamma(3, 5, 24)))
    problem = Problem(people=24, tables=(4,) * 6, rounds=3, base_value=1.0,
                      weights=random_weights(rng, 24, 0.3), together=((0, 1),),
                      apart=((2, 3), (4, 5)), fixed=(Fixed(6, 0), Fixed(7, 2, round=1)),
                      hosts=frozenset({8, 9}), handicaps=handicaps)  # fmt: skip
    start = seating(problem, 2)
    met_twice = meet_counts(start.a) > 1
    budget = 0.05 * start.value

    def balance(seed: int) -> np.ndarray:
        state = Seating(start.values, start.rules, start.a)
        calls = itertools.count()  # stop after a fixed amount of work, not a fixed time
        return balance_handicaps(
            state,
            Handicaps.of(handicaps),
            budget,
            np.random.default_rng(seed),
            np.inf,
            lambda: next(calls) >= 40,
        )

    best = balance(0)
    assert violations(problem, plan_of(best, len(problem.tables))) == []
    assert score(problem, best).objective >= start.value - budget - 1e-9
    assert not ((meet_counts(best) > 1) & ~met_twice).any()
    assert score(problem, best).handicap_spread < score(problem, start.a).handicap_spread / 2
    assert (balance(0) == best).all()


@pytest.mark.parametrize("rounds", [1, 3])
def test_trades_of_pairs_change_the_objective_as_predicted_and_keep_the_rules(rounds) -> None:
    rng = np.random.default_rng(rounds)
    problem = Problem(people=40, tables=(9, 9, 8, 8, 8), rounds=rounds,
                      weights=random_weights(rng, 40, 0.3), together=((7, 8),),
                      apart=((0, 1), (2, 3)), fixed=(Fixed(9, 1),),
                      hosts=frozenset({5, 6}))  # fmt: skip
    state = seating(problem, 0)
    for r in range(rounds):
        singles, pairs = state.trading_units(r)
        assert not np.isin(pairs, [9]).any() and not np.isin(singles, [7, 8, 9]).any()
        d = state.trade_matrix(r, pairs)
        allowed = np.argwhere(np.isfinite(d))
        for u, v in allowed[rng.choice(len(allowed), 30)]:
            before, mark = state.value, len(state.log)
            s, t = state.a[r, pairs[u, 0]], state.a[r, pairs[v, 0]]
            for p in pairs[u]:
                state.move(r, p, t)
            for q in pairs[v]:
                state.move(r, q, s)
            assert state.value - before == pytest.approx(d[u, v])
            assert violations(problem, plan(state)) == []
            state.undo(mark)


@pytest.mark.parametrize("rules", ["none", "a couple and two fixed"])
def test_flights_balance_for_nothing_when_only_two_partners_moving_together_can(rules) -> None:
    # Four pairs worth 5 (others 1); low handicaps in one flight, high in the other. Any single
    # swap parts two pairs; trading 2 and 3 (the couple) for 6 and 7 balances and keeps them all.
    weights = ((0, 1, 5.0), (2, 3, 5.0), (4, 5, 5.0), (6, 7, 5.0))
    handicaps = (2.0, 4.0, 6.0, 8.0, 20.0, 22.0, 24.0, 26.0)
    problem = Problem(people=8, tables=(4, 4), base_value=1.0, weights=weights,
                      handicaps=handicaps)  # fmt: skip
    if rules != "none":
        problem = replace(problem, together=((2, 3),), fixed=(Fixed(0, 0), Fixed(1, 0)))
    state = Seating(value_matrix(problem), Rules.of(problem), np.array([[0, 0, 0, 0, 1, 1, 1, 1]]))
    rng = np.random.default_rng(0)
    best = balance_handicaps(state, Handicaps.of(handicaps), 0.0, rng, np.inf, lambda: False)
    assert violations(problem, plan_of(best, 2)) == []
    assert score(problem, best).objective == 28
    assert score(problem, best).handicap_spread == 0


def test_handicap_spread_is_the_one_the_score_reports() -> None:
    rng = np.random.default_rng(7)
    handicaps = tuple(
        None if k % 5 == 0 else float(h) for k, h in enumerate(rng.uniform(0, 36, 30))
    )
    problem = Problem(people=30, tables=(4,) * 6 + (3, 3), rounds=2, handicaps=handicaps)
    for _ in range(20):
        seats = np.repeat(np.arange(8), problem.tables)
        assignment = np.stack([rng.permutation(seats), rng.permutation(seats)])
        expected = score(problem, assignment).handicap_spread
        assert Handicaps.of(handicaps).spread(assignment, 8) == pytest.approx(expected)


def dinner_with_every_rule(seed: int) -> Problem:
    """30 people over three rounds at uneven tables, with couples, a group of three, colleagues
    apart, hosts, minimum sizes, and seats fixed in every round and in one round only."""
    rng = np.random.default_rng(seed)
    return Problem(people=30, tables=(8, 8, 7, 7), rounds=3, weights=random_weights(rng, 30, 0.3),
                   together=((0, 1), (2, 3), (3, 11)), apart=((4, 5), (5, 6), (4, 6), (0, 9)),
                   hosts=frozenset({12, 13, 14}), min_sizes=(6, 6, 5, 5),
                   fixed=(Fixed(7, 0), Fixed(4, 2, 1), Fixed(20, 3, 0), Fixed(0, 1, 2)),
                   )  # fmt: skip


def searched(problem: Problem, seed: int) -> np.ndarray:
    state = seating(problem, seed)
    rng = np.random.default_rng(seed)
    best, _ = tabu_search(state, rng, np.inf, lambda: False, lambda _: None, np.inf, 300)
    return best


def dinner_with_spare_seats(seed: int) -> Problem:
    """14 people at 19 seats whose minimum sizes leave little room: a child taking its parents'
    tables may seat everyone before the smaller tables have their minimum."""
    rng = np.random.default_rng(seed)
    return Problem(people=14, tables=(7, 5, 4, 3), rounds=2, weights=random_weights(rng, 14, 0.4),
                   min_sizes=(2, 4, 3, 3))  # fmt: skip


@pytest.mark.parametrize("make", [dinner_with_every_rule, dinner_with_spare_seats])
@pytest.mark.parametrize("seed", range(6))
def test_a_child_of_two_plans_keeps_every_rule_and_two_alike_parents_have_their_own(
    make, seed
) -> None:
    problem = make(seed)
    values, rules = value_matrix(problem), Rules.of(problem)
    a, b = searched(problem, seed), searched(problem, seed + 100)
    assert not np.array_equal(a, b)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        child = crossover(a, b, values, rules, rng)
        assert not violations(problem, plan_of(child, len(problem.tables)))
    assert np.array_equal(crossover(a, a, values, rules, rng), a)


def test_a_round_seated_in_part_is_completed_around_those_seated() -> None:
    problem = dinner_with_every_rule(1)
    values, rules = value_matrix(problem), Rules.of(problem)
    seated = np.full(30, -1)
    seated[[0, 1, 9, 10]] = [1, 1, 3, 3]  # a couple, and a keep-apart partner of one of them
    meets = np.zeros((30, 30), dtype=np.int16)
    row = construct_round(values, rules, 2, meets, np.random.default_rng(0), seated)
    assert row is not None and list(row[[0, 1, 9, 10]]) == [1, 1, 3, 3]
    rows = searched(problem, 1)
    rows[2] = row
    assert not violations(problem, plan_of(rows, len(problem.tables)))


def test_a_round_seated_in_part_is_refused_when_too_few_are_left_for_the_minimum_sizes() -> None:
    problem = dinner_with_spare_seats(0)
    values, rules = value_matrix(problem), Rules.of(problem)
    meets = np.zeros((14, 14), dtype=np.int16)
    rng = np.random.default_rng(0)
    everyone = np.repeat([0, 1, 2, 3], [5, 4, 3, 2])  # table 3 seats 2, below its minimum of 3
    assert construct_round(values, rules, 0, meets, rng, everyone) is None
    seated = everyone.copy()
    seated[[0, 1, 9, 12, 13]] = -1  # tables 2 and 3 need four more, and five are left
    row = construct_round(values, rules, 0, meets, rng, seated)
    assert row is not None and (np.bincount(row, minlength=4) >= rules.low).all()
    seated[[0, 1]] = 0  # three are left
    assert construct_round(values, rules, 0, meets, rng, seated) is None


def test_the_memetic_search_breeds_children_and_returns_its_best_plan() -> None:
    problem = dinner_with_every_rule(2)
    state = seating(problem, 2)
    start = state.value
    seen: list[float] = []
    calls = itertools.count()  # stop after a fixed amount of work, not a fixed time
    best, log = memetic_search(state, np.random.default_rng(2), np.inf,
                               lambda: next(calls) > 3000, seen.append)  # fmt: skip
    assert log.accepted > 0  # children were bred
    assert not violations(problem, plan_of(best, len(problem.tables)))
    assert score(problem, best).objective == seen[-1] == max(seen) > start


def test_the_memetic_search_ends_at_once_where_the_rules_leave_no_step() -> None:
    problem = Problem(people=30, tables=(10, 10, 10), rounds=2, weights=((0, 1, 2.0),),
                      fixed=tuple(Fixed(p, p % 3) for p in range(30)))  # fmt: skip
    state = seating(problem, 0)
    start = time.perf_counter()
    best, log = memetic_search(state, np.random.default_rng(0), start + 30.0, lambda: False,
                               lambda _: None)  # fmt: skip
    assert time.perf_counter() - start < 5.0 and log.stuck
    assert np.array_equal(best, state.a)
