"""CP-SAT models: the hard rules alone (any size), and the exact model for small instances.

The exact model links each pair and round with one boolean "together" (equivalent to sharing a
table), adds triangle and degree constraints on those booleans, and breaks the symmetry between
identical tables, so its LP relaxation is far tighter than x[person, table] products.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from ortools.sat.python import cp_model

from solver.model import Problem


def integer_scale(values: np.ndarray) -> int:
    """The smallest power of ten (up to 1000) that makes every pair value a whole number."""
    for scale in (1, 10, 100, 1000):
        scaled = values * scale
        if np.allclose(scaled, np.round(scaled), atol=1e-9):
            return scale
    return 1000


@dataclass
class RuleModel:
    """A CP-SAT model with x[round][person][table] booleans and the hard rules posted."""

    model: cp_model.CpModel
    x: list[list[list[cp_model.IntVar]]]
    rules: list[tuple[str, tuple[int, ...], tuple[int, ...]]]  # (rule, people, tables) per literal
    literals: list[cp_model.IntVar]  # one per entry of rules, true when that rule is enforced


def rule_model(problem: Problem, rounds: range, explain: bool = False) -> RuleModel:
    """Seat everyone once per round under every hard rule. With explain, each rule is switched
    on by its own literal, so an infeasible model can name the rules that clash."""
    m = cp_model.CpModel()
    n, T = problem.people, len(problem.tables)
    x = [[[m.new_bool_var(f"x{r}_{p}_{t}") for t in range(T)] for p in range(n)] for r in rounds]
    out = RuleModel(m, x, [], [])

    def enforced(rule: str, people: tuple[int, ...], tables: tuple[int, ...]) -> list:
        if not explain:
            return []
        lit = m.new_bool_var(f"{rule}{people}{tables}")
        out.rules.append((rule, people, tables))
        out.literals.append(lit)
        return [lit]

    low = problem.min_sizes or (0,) * T
    for k, r in enumerate(rounds):
        xr = x[k]
        for p in range(n):
            m.add_exactly_one(xr[p])
        for t in range(T):
            seated = sum(xr[p][t] for p in range(n))
            m.add(seated <= problem.tables[t])
            if low[t] > 0:
                m.add(seated >= low[t]).only_enforce_if(enforced("min_sizes", (), (t,)))
            if len(problem.hosts) > 1:
                lits = enforced("hosts", tuple(sorted(problem.hosts)), (t,))
                m.add(sum(xr[h][t] for h in problem.hosts) <= 1).only_enforce_if(lits)
        for i, j in problem.together:
            lits = enforced("keep_together", (i, j), ())
            for t in range(T):
                m.add(xr[i][t] == xr[j][t]).only_enforce_if(lits)
        for i, j in problem.apart:
            lits = enforced("keep_apart", (i, j), ())
            for t in range(T):
                m.add_bool_or([xr[i][t].Not(), xr[j][t].Not(), *(v.Not() for v in lits)])
        for f in problem.fixed:
            if f.round in (None, r):
                lits = enforced("fixed_seats", (f.person,), (f.table,))
                m.add_bool_or([xr[f.person][f.table], *(v.Not() for v in lits)])
    return out


@dataclass(frozen=True)
class RuleClash:
    """The rules found to clash (a subset sufficient for infeasibility)."""

    rules: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]


def seat_by_rules(
    problem: Problem, rounds: range, time_limit: float, seed: int
) -> np.ndarray | RuleClash | None:
    """Any plan for the given rounds that keeps every hard rule (a[round, person] -> table),
    a RuleClash when there is none, or None when CP-SAT could not decide in time."""
    built = rule_model(problem, rounds, explain=True)
    built.model.add_assumptions(built.literals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1  # assumptions cores need a single worker
    solver.parameters.random_seed = seed
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return np.array(
            [[_table_of(solver, xp) for xp in xr] for xr in built.x],
            dtype=np.int64,
        )
    if status == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        index = {lit.index: k for k, lit in enumerate(built.literals)}
        clash = tuple(built.rules[index[i]] for i in sorted(core) if i in index)
        return RuleClash(clash or tuple(built.rules))
    return None


def _table_of(solver: cp_model.CpSolver, xp: list) -> int:
    return next(t for t, v in enumerate(xp) if solver.boolean_value(v))


@dataclass(frozen=True)
class ExactOutcome:
    assignment: np.ndarray | None  # a[round, person] -> table, None when nothing was found
    objective: float
    bound: float
    proven: bool


def solve_exact(
    problem: Problem,
    values: np.ndarray,
    time_limit: float,
    seed: int,
    hint: np.ndarray | None,
    on_solution: Callable[[float, float], None],
    stop: Callable[[], bool],
) -> ExactOutcome:
    """Maximise the value of the distinct pairs that meet, with CP-SAT, proving optimality when
    it can. `hint` (a[round, person] -> table) starts the search from a known plan."""
    n, T, R = problem.people, len(problem.tables), problem.rounds
    scale = integer_scale(values)
    weight = np.round(values * scale).astype(np.int64)
    # Rounding to whole numbers may shave value off; the bound must still hold for the true one.
    slack = float(np.abs(values * scale - weight).sum()) / 2 / scale
    built = rule_model(problem, range(R))
    m, x = built.model, built.x
    pairs = list(combinations(range(n), 2))
    tog = [{(i, j): m.new_bool_var(f"tog{r}_{i}_{j}") for i, j in pairs} for r in range(R)]
    for r in range(R):
        for (i, j), v in tog[r].items():
            for t in range(T):
                m.add_implication(v, x[r][i][t]).only_enforce_if(x[r][j][t])
                m.add_implication(v, x[r][j][t]).only_enforce_if(x[r][i][t])
                m.add_bool_or([x[r][i][t].Not(), x[r][j][t].Not(), v])
        for i, j, k in combinations(range(n), 3):
            a, b, c = tog[r][i, j], tog[r][j, k], tog[r][i, k]
            m.add(a + b - c <= 1)
            m.add(a + c - b <= 1)
            m.add(b + c - a <= 1)
        for p in range(n):
            mates = sum(tog[r][min(p, q), max(p, q)] for q in range(n) if q != p)
            most = sum((problem.tables[t] - 1) * x[r][p][t] for t in range(T))
            # With every seat taken, each person meets exactly their table's size minus one.
            m.add(mates == most if problem.people == sum(problem.tables) else mates <= most)
        m.add(sum(tog[r].values()) <= sum(c * (c - 1) // 2 for c in problem.tables))
    _break_table_symmetry(problem, m, x)
    ordered_rounds = R > 1 and not any(f.round is not None for f in problem.fixed)
    if ordered_rounds:
        _order_rounds(m, x, problem.people, T)
    objective = []
    for i, j in pairs:
        w = int(weight[i, j])
        if w == 0:
            continue
        met = m.new_bool_var(f"met{i}_{j}")
        if w > 0:
            m.add_bool_or([tog[r][i, j] for r in range(R)]).only_enforce_if(met)
        else:
            for r in range(R):
                m.add_implication(tog[r][i, j], met)
        objective.append(w * met)
    m.maximize(sum(objective))
    if hint is not None:
        hint = _canonical(problem, hint, ordered_rounds)
        for r in range(R):
            for p in range(n):
                for t in range(T):
                    m.add_hint(x[r][p][t], int(hint[r, p]) == t)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    # Measured on 24-person instances: these three workers prove optimality 2-5x sooner than
    # the default portfolio (reduced-cost fixing closes the bound, core finds the plans).
    solver.parameters.num_workers = 3
    solver.parameters.subsolvers.extend(["reduced_costs", "core", "default_lp"])
    solver.parameters.random_seed = seed
    callback = _Reporter(on_solution, scale)
    watch = threading.Event()
    watcher = threading.Thread(target=_watch_stop, args=(solver, stop, watch), daemon=True)
    watcher.start()
    try:
        status = solver.solve(m, callback)
    finally:
        watch.set()
        watcher.join()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = (
            solver.best_objective_bound / scale + slack if status == cp_model.UNKNOWN else np.inf
        )
        return ExactOutcome(None, -np.inf, bound, False)
    assignment = np.array([[_table_of(solver, xp) for xp in xr] for xr in x], dtype=np.int64)
    return ExactOutcome(
        assignment,
        solver.objective_value / scale,
        solver.best_objective_bound / scale + slack,
        status == cp_model.OPTIMAL and slack == 0,
    )


def _order_rounds(m: cp_model.CpModel, x, n: int, T: int) -> None:
    # Rounds are interchangeable too: with tables labelled canonically, require each round's
    # table numbers (person 0, 1, 2, ...) to come lexicographically before the next round's.
    tab = [[sum(t * xr[p][t] for t in range(T)) for p in range(n)] for xr in x]
    for r in range(len(x) - 1):
        equal_so_far = None
        for p in range(n):
            lits = [] if equal_so_far is None else [equal_so_far]
            m.add(tab[r][p] <= tab[r + 1][p]).only_enforce_if(lits)
            same = m.new_bool_var("")
            m.add(tab[r][p] == tab[r + 1][p]).only_enforce_if(same)
            m.add(tab[r][p] != tab[r + 1][p]).only_enforce_if(same.Not())
            still = m.new_bool_var("")
            m.add_bool_and([same, *lits]).only_enforce_if(still)
            m.add_bool_or([same.Not(), *(v.Not() for v in lits)]).only_enforce_if(still.Not())
            equal_so_far = still


def _symmetric_tables(problem: Problem) -> list[list[int]]:
    # Tables with the same capacity and minimum, and no fixed seat, can be relabelled freely.
    pinned = {f.table for f in problem.fixed}
    low = problem.min_sizes or (0,) * len(problem.tables)
    classes: dict[tuple[int, int], list[int]] = {}
    for t, cap in enumerate(problem.tables):
        if t not in pinned:
            classes.setdefault((cap, low[t]), []).append(t)
    return list(classes.values())


def _canonical(problem: Problem, hint: np.ndarray, ordered_rounds: bool) -> np.ndarray:
    """The same plan relabelled to satisfy the symmetry breaking (so the hint stays feasible)."""
    out = hint.copy()
    for r, row in enumerate(hint):
        for tables in _symmetric_tables(problem):
            first = [np.flatnonzero(row == t).min(initial=problem.people) for t in tables]
            for new, k in zip(tables, np.argsort(first, kind="stable"), strict=True):
                out[r, row == tables[k]] = new
    if ordered_rounds:
        out = out[sorted(range(len(out)), key=lambda r: tuple(out[r]))]
    return out


def _break_table_symmetry(problem: Problem, m: cp_model.CpModel, x) -> None:
    # Require each interchangeable table's lowest-numbered guest to come before the next one's.
    for xr in x:
        for tables in _symmetric_tables(problem):
            for a, b in zip(tables, tables[1:], strict=False):
                for p in range(problem.people):
                    m.add(xr[p][b] <= sum(xr[q][a] for q in range(p)))


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[float, float], None], scale: int) -> None:
        super().__init__()
        self._on_solution = on_solution
        self._scale = scale

    def on_solution_callback(self) -> None:
        self._on_solution(
            self.objective_value / self._scale, self.best_objective_bound / self._scale
        )


def _watch_stop(solver: cp_model.CpSolver, stop: Callable[[], bool], done: threading.Event) -> None:
    while not done.wait(0.1):
        if stop():
            solver.stop_search()
            return
