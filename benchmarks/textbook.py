"""The baselines the solver is measured against, written plainly on purpose.

- textbook_cp_sat: x[person, table, round] booleans, a product variable per weighted pair, table
  and round, a "met" variable per pair (OR over tables and rounds); maximise sum value * met.
- random_seating: a random plan that keeps the rules.
- simulated_annealing: pure-Python swap annealing from a random plan (one round).
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
from ortools.sat.python import cp_model

from solver.evaluate import value_matrix
from solver.exact import integer_scale, rule_model
from solver.model import Problem
from solver.search import Rules, construct_round


def textbook_cp_sat(
    problem: Problem, time_limit: float, seed: int = 0
) -> tuple[np.ndarray | None, float]:
    """The plain model with CP-SAT's default settings: (a[round, person] -> table, bound)."""
    values = value_matrix(problem)
    scale = integer_scale(values)
    built = rule_model(problem, range(problem.rounds))
    m, x = built.model, built.x
    n, T, R = problem.people, len(problem.tables), problem.rounds
    objective = []
    for i in range(n):
        for j in range(i + 1, n):
            w = round(values[i, j] * scale)
            if w == 0:
                continue
            met = m.new_bool_var("")
            both = []
            for r in range(R):
                for t in range(T):
                    y = m.new_bool_var("")
                    m.add_implication(y, x[r][i][t])
                    m.add_implication(y, x[r][j][t])
                    if w < 0:
                        m.add_bool_or([x[r][i][t].Not(), x[r][j][t].Not(), y])
                        m.add_implication(y, met)
                    both.append(y)
            if w > 0:
                m.add_bool_or(both).only_enforce_if(met)
            objective.append(w * met)
    m.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, float("inf")
    plan = np.array(
        [[next(t for t in range(T) if solver.boolean_value(v[t])) for v in xr] for xr in x]
    )
    return plan, solver.best_objective_bound / scale


def random_seating(problem: Problem, seed: int = 0) -> np.ndarray | None:
    """A random plan that keeps the rules (each round dealt in a random order)."""
    rng = np.random.default_rng(seed)
    n = problem.people
    zero = np.zeros((n, n))
    rows = [construct_round(zero, Rules.of(problem), r, zero, rng) for r in range(problem.rounds)]
    return None if any(row is None for row in rows) else np.stack(rows)


def simulated_annealing(problem: Problem, time_limit: float, seed: int = 0) -> np.ndarray:
    """Swap two people at different tables; accept worse swaps with probability exp(delta/T),
    T cooling geometrically over the time limit. One round, no rules, plain Python."""
    assert problem.rounds == 1 and not (problem.together or problem.apart or problem.fixed)
    rnd = random.Random(seed)
    start_plan = random_seating(problem, seed)
    table = [int(t) for t in start_plan[0]]
    members: list[list[int]] = [[] for _ in problem.tables]
    for p, t in enumerate(table):
        members[t].append(p)
    value: list[dict[int, float]] = [{} for _ in range(problem.people)]
    for i, j, v in problem.weights:
        value[i][j] = value[j][i] = v
    base = problem.base_value

    def worth(p: int, people: list[int], without: int) -> float:
        return sum(value[p].get(q, base) for q in people if q != p and q != without)

    current = sum(worth(p, members[table[p]], -1) for p in range(problem.people)) / 2
    best, best_table = current, list(table)
    temp_start = max(1.0, max((abs(v) for _, _, v in problem.weights), default=1.0))
    temp_end = 0.01
    started = time.perf_counter()
    n = problem.people
    while True:
        elapsed = time.perf_counter() - started
        if elapsed >= time_limit:
            break
        temp = temp_start * (temp_end / temp_start) ** (elapsed / time_limit)
        for _ in range(1000):
            p, q = rnd.randrange(n), rnd.randrange(n)
            s, t = table[p], table[q]
            if s == t:
                continue
            delta = (
                worth(p, members[t], q)
                - worth(p, members[s], -1)
                + worth(q, members[s], p)
                - worth(q, members[t], -1)
            )
            if delta >= 0 or rnd.random() < math.exp(delta / temp):
                members[s].remove(p)
                members[t].remove(q)
                members[s].append(q)
                members[t].append(p)
                table[p], table[q] = t, s
                current += delta
                if current > best:
                    best, best_table = current, list(table)
    return np.array([best_table])
