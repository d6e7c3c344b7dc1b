"""Upper bounds on the objective: a per-person bound at any size, an LP bound where affordable
(the tighter set-partitioning LP is in solver.columns)."""

from __future__ import annotations

import math
import time
from functools import lru_cache
from itertools import product
from math import comb

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from solver.evaluate import row_blocks
from solver.feasibility import together_groups
from solver.model import Problem

# shared_pairs_least(): CP-SAT takes 0.02-0.03 s at four to six tables of four, 0.13 s at eight
# tables of five.
SHARED_EXACT_TABLES = 8
SHARED_SECONDS = 1.0


def partners_per_person(problem: Problem) -> int:
    """How many distinct people one person can meet at most: (largest table - 1) per round."""
    return min(problem.people - 1, (max(problem.tables, default=1) - 1) * problem.rounds)


def crowded_pairs(sizes) -> int:
    """Pairs of one round that any other round seats together again, when every seat is taken:
    a table of s people spread over that round's len(sizes) tables keeps at least the pairs of
    an even spread together (four tables of five: one pair each). Every two rounds share that
    many pairs, and a pair meeting in k rounds is k - 1 repeats for k(k-1)/2 pairs of rounds,
    so W rounds hold at least (W - 1) times this many repeats."""
    total = 0
    for size in sizes:
        each, more = divmod(size, len(sizes))
        total += more * comb(each + 1, 2) + (len(sizes) - more) * comb(each, 2)
    return total


@lru_cache(maxsize=64)
def shared_pairs_least(sizes: tuple[int, ...], groups: tuple[int, ...] = ()) -> int:
    """The fewest pairs that two rounds both seat together, when every seat of tables of
    `sizes` is taken and kept-together groups of `groups` people sit as one: at least
    crowded_pairs() and the groups' own pairs. With groups at up to SHARED_EXACT_TABLES tables,
    CP-SAT finds the least over every way the people of one round's tables can spread over the
    other's: sixteen golfers in fours with a couple share two pairs, not one (three full
    fours each need a seat in the couple's four, which has two)."""
    least = max(crowded_pairs(sizes), sum(comb(g, 2) for g in groups))
    # Where every group fits the share of a table that an even spread gives each other table,
    # the groups force nothing more (and CP-SAT takes its whole second at tables of ten).
    spread = math.ceil(max(sizes, default=0) / max(len(sizes), 1))
    if len(sizes) > SHARED_EXACT_TABLES or max(groups, default=0) <= spread:
        return least
    m = cp_model.CpModel()
    k = range(len(sizes))
    # n[s][t]: people at table s in one round and at table t in the other.
    n = [[m.new_int_var(0, min(a, b), "") for b in sizes] for a in sizes]
    for s in k:
        m.add(sum(n[s]) == sizes[s])
        m.add(sum(n[t][s] for t in k) == sizes[s])
    shared = []
    for s, t in product(k, k):
        most = min(sizes[s], sizes[t])
        pairs = m.new_int_var(0, comb(most, 2), "")
        m.add_element(n[s][t], [comb(v, 2) for v in range(most + 1)], pairs)
        shared.append(pairs)
    at = [{(s, t): m.new_bool_var("") for s, t in product(k, k)} for _ in groups]
    for cells in at:
        m.add_exactly_one(cells.values())
    for s, t in product(k, k):
        m.add(sum(g * cells[s, t] for g, cells in zip(groups, at, strict=True)) <= n[s][t])
    m.minimize(sum(shared))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SHARED_SECONDS
    solver.parameters.num_workers = 1
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return least  # the groups fit no tables: the request is refused elsewhere
    return max(least, math.ceil(solver.best_objective_bound - 1e-6))


def distinct_pairs_most(problem: Problem) -> int:
    """How many distinct pairs can meet over all the rounds: every pair at most, and no more
    than the tables hold each round, less the repeats shared_pairs_least() forces where every
    seat is taken."""
    held = problem.rounds * sum(comb(c, 2) for c in problem.tables)
    if problem.people == sum(problem.tables) and problem.rounds > 1:
        groups = tuple(sorted(len(g) for g in together_groups(problem)))
        held -= (problem.rounds - 1) * shared_pairs_least(tuple(problem.tables), groups)
    return min(comb(problem.people, 2), held)


def per_person_bound(problem: Problem, values: np.ndarray) -> float:
    """Half the sum, over people, of each one's best possible set of distinct partners.

    Every pair that meets is counted by both people, and no one meets more than
    partners_per_person() others, so this bounds any plan. Negative pairs are left out.
    """
    k = partners_per_person(problem)
    if k <= 0 or problem.people < 2:
        return 0.0
    total = 0.0
    for rows in row_blocks(problem.people):  # at once, 5,000 people took 1.2 s, not 0.07 s
        negated = -np.maximum(values[rows], 0.0)
        total -= float(np.partition(negated, k - 1, axis=1)[:, :k].sum())
    return total / 2.0


ENTER_SECONDS_PER_PAIR = 7e-6  # building the LP below: 0.37-0.42 s for 55,000 pairs
CUT_SECONDS_PER_PERSON = 2e-4  # a pass of triangle cuts: 0.14 s at 1,000 people, 0.8-1 s at 5,000


def lp_bound(
    problem: Problem, values: np.ndarray, time_limit: float = 5.0, max_pairs: int = 60_000
) -> float | None:
    """LP relaxation over the positive pairs: y_ij <= 1, each person meets at most
    partners_per_person() others, no more than distinct_pairs_most() pairs meet; with one round,
    violated triangle inequalities (i with j and j with k puts i with k) are added in passes.
    None when the LP is too large to be worth it, would take over half the time to enter, or
    GLOP does not finish in time.
    """
    n = problem.people
    iu, ju = np.nonzero(np.triu(values > 0, 1))
    if len(iu) == 0:
        return 0.0
    if len(iu) > max_pairs or len(iu) * ENTER_SECONDS_PER_PAIR > time_limit / 2:
        return None
    start = time.perf_counter()
    lp = pywraplp.Solver.CreateSolver("GLOP")
    # Row by row, not through the natural API's sums: 55,000 pairs took 2 s to enter that way.
    degree = [lp.Constraint(-lp.infinity(), partners_per_person(problem)) for _ in range(n)]
    total = lp.Constraint(-lp.infinity(), distinct_pairs_most(problem))
    objective = lp.Objective()
    objective.SetMaximization()
    y = []
    for i, j in zip(iu, ju, strict=True):
        y.append(lp.NumVar(0.0, 1.0, ""))
        for row in (degree[i], degree[j], total):
            row.SetCoefficient(y[-1], 1.0)
        objective.SetCoefficient(y[-1], float(values[i, j]))
    edge = {(int(i), int(j)): e for e, (i, j) in enumerate(zip(iu, ju, strict=True))}
    bound = None
    for _ in range(20):
        remaining = time_limit - (time.perf_counter() - start)
        if remaining <= 0:
            break
        lp.SetTimeLimit(int(remaining * 1000))
        solved = time.perf_counter()
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            break
        bound = lp.Objective().Value()
        if problem.rounds > 1:
            break  # pairs may meet in different rounds, so triangles are not valid cuts
        # Cuts pay only when the LP can be solved again with them (at 1,000-5,000 people and
        # a limit of 0.5-2 s it never could, and their pass overran the limit by up to 1 s).
        solve_seconds = time.perf_counter() - solved
        cut_seconds = CUT_SECONDS_PER_PERSON * n
        if time_limit - (time.perf_counter() - start) < cut_seconds + 2 * solve_seconds:
            break
        added = _add_triangle_cuts(lp, y, edge, n, [total, *degree])
        if added == 0:
            break
    return bound


def _add_triangle_cuts(lp, y, edge: dict[tuple[int, int], int], n: int, counts: list) -> int:
    # y_ij + y_ik - y_jk <= 1. A pair (j, k) worth nothing gets its variable when first needed:
    # such people may still share a table, so the cut must not forbid it; it then counts in
    # the round's pairs (counts[0]) and in j's and k's partners (counts[1 + person]).
    sol = np.zeros((n, n))
    for (i, j), e in edge.items():
        sol[i, j] = sol[j, i] = y[e].solution_value()
    cuts = []
    for i in range(n):
        nbrs = np.flatnonzero(sol[i] > 1e-6)
        if len(nbrs) < 2:
            continue
        pair_sum = sol[i, nbrs][:, None] + sol[i, nbrs][None, :] - sol[np.ix_(nbrs, nbrs)]
        for a, b in zip(*np.nonzero(np.triu(pair_sum > 1.0 + 1e-6, 1)), strict=True):
            cuts.append((pair_sum[a, b], i, int(nbrs[a]), int(nbrs[b])))
    cuts.sort(reverse=True)
    for _, i, j, k in cuts[: 5 * n]:
        if (j, k) not in edge:
            edge[j, k] = len(y)
            y.append(lp.NumVar(0.0, 1.0, ""))
            for constraint in (counts[0], counts[1 + j], counts[1 + k]):
                constraint.SetCoefficient(y[-1], 1)
        lp.Add(y[edge[min(i, j), max(i, j)]] + y[edge[min(i, k), max(i, k)]] - y[edge[j, k]] <= 1)
    return min(len(cuts), 5 * n)
