"""CP-SAT models: the hard rules alone (any size), and the exact model for small instances.

The exact model links each pair and round with one boolean "together" (equivalent to sharing a
table), adds triangle and degree constraints on those booleans, and breaks the symmetry between
identical tables, so its LP relaxation is far tighter than x[person, table] products.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
from ortools.sat.python import cp_model

from solver.bounds import distinct_pairs_most, partners_per_person
from solver.model import Problem


def whole_numbers(values: np.ndarray) -> bool:
    """Every value a whole number, to 1e-9, looked at in pieces that stay in the cache: over
    the 25 million pairs of 5,000 people np.allclose took 1.2 s, this 0.05 s (and allclose's
    relative tolerance took 1000.001 for a whole number)."""
    flat = values.reshape(-1)
    for k in range(0, flat.size, 2**14):
        piece = flat[k : k + 2**14]
        if not np.abs(piece - np.round(piece)).max() <= 1e-9:  # NaN is no whole number either
            return False
    return True


def integer_scale(values: np.ndarray) -> int:
    """The smallest power of ten (up to 1000) that makes every pair value a whole number."""
    return next((s for s in (1, 10, 100) if whole_numbers(values * s)), 1000)


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
    deadline = time.perf_counter() + time_limit
    found = _rules_plan(problem, rounds, deadline, seed)
    if found is not False:
        return found
    # The rules that clash: each switched on by an assumption, whose core names them. Cores
    # can take far longer than the answer did (a clash of pigeonhole kind: 13 hosts at 13
    # tables, one filled by fixed seats, took over 20 s before find_conflict knew that case),
    # so they get a second; then the kinds of rule are narrowed down instead.
    built = rule_model(problem, rounds, explain=True)
    built.model.add_assumptions(built.literals)
    left = deadline - time.perf_counter()
    solver = _rules_solver(min(CORE_SECONDS, left / 2), seed)
    if solver.solve(built.model) == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        index = {lit.index: k for k, lit in enumerate(built.literals)}
        clash = tuple(built.rules[index[i]] for i in sorted(core) if i in index)
        return RuleClash(clash or tuple(built.rules))
    return _clash_by_kind(problem, rounds, deadline, seed)


CORE_SECONDS = 1.0
RULE_KINDS = {  # what a Problem is without each kind of hard rule
    "keep_together": lambda p: replace(p, together=()),
    "keep_apart": lambda p: replace(p, apart=()),
    "fixed_seats": lambda p: replace(p, fixed=()),
    "hosts": lambda p: replace(p, hosts=frozenset()),
    "min_sizes": lambda p: replace(p, min_sizes=None),
}


def _clash_by_kind(problem: Problem, rounds: range, deadline: float, seed: int) -> RuleClash:
    """The rules of a problem without a plan, of the kinds it cannot do without: each kind is
    left out in turn, and kept where the rest then has a plan (or CP-SAT cannot tell in time).
    A rule that holds at several tables is said once."""
    for leave_out in RULE_KINDS.values():
        fewer = leave_out(problem)
        if fewer != problem and _rules_plan(fewer, rounds, deadline, seed) is False:
            problem = fewer
    tables: dict[tuple[str, tuple[int, ...]], list[int]] = {}
    for rule, people, at in rule_model(problem, rounds, explain=True).rules:
        tables.setdefault((rule, people), []).extend(at)
    return RuleClash(tuple((r, p, tuple(sorted(set(t)))) for (r, p), t in tables.items()))


def _rules_plan(
    problem: Problem, rounds: range, deadline: float, seed: int
) -> np.ndarray | bool | None:
    """A plan keeping every hard rule, False when there is none, None when CP-SAT could not
    tell by the deadline."""
    built = rule_model(problem, rounds)
    solver = _rules_solver(max(0.0, deadline - time.perf_counter()), seed)
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _plan_of(solver, built)
    return False if status == cp_model.INFEASIBLE else None


def _rules_solver(time_limit: float, seed: int) -> cp_model.CpSolver:
    # One worker: the same seed gives the same plan (and cores need a single worker).
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    return solver


def _plan_of(solver: cp_model.CpSolver, built: RuleModel) -> np.ndarray:
    return np.array([[_table_of(solver, xp) for xp in xr] for xr in built.x], dtype=np.int64)


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
    workers: int = 2,
) -> ExactOutcome:
    """Maximise the value of the distinct pairs that meet, with CP-SAT, proving optimality when
    it can. `hint` (a[round, person] -> table) starts the search from a known plan, and lets it
    stop as soon as the bound comes down to that plan's value. Building the model counts
    against `time_limit` (0.2-0.3 s at 24 people over four rounds). `workers`: CP-SAT's
    threads; with one, it searches alone (no core-guided worker)."""
    deadline = time.perf_counter() + time_limit
    n, T, R = problem.people, len(problem.tables), problem.rounds
    scale = integer_scale(values)
    weight = np.round(values * scale).astype(np.int64)
    # Rounding to whole numbers may shave value off; the bound must still hold for the true one.
    slack = float(np.abs(values * scale - weight).sum()) / 2 / scale
    groups_only = _groups_only(problem)
    if groups_only:
        m, x = cp_model.CpModel(), None
    else:
        built = rule_model(problem, range(R))
        m, x = built.model, built.x
    pairs = list(combinations(range(n), 2))
    tog = [{(i, j): m.new_bool_var(f"tog{r}_{i}_{j}") for i, j in pairs} for r in range(R)]
    sizes = []
    for r in range(R):
        for i, j, k in combinations(range(n), 3):
            a, b, c = tog[r][i, j], tog[r][j, k], tog[r][i, k]
            m.add(a + b - c <= 1)
            m.add(a + c - b <= 1)
            m.add(b + c - a <= 1)
        if groups_only:
            _post_pair_rules(problem, m, tog[r], r)
            sizes.append(_groups_fit_tables(problem, m, tog[r]))
            continue
        for (i, j), v in tog[r].items():
            for t in range(T):
                m.add_implication(v, x[r][i][t]).only_enforce_if(x[r][j][t])
                m.add_implication(v, x[r][j][t]).only_enforce_if(x[r][i][t])
                m.add_bool_or([x[r][i][t].Not(), x[r][j][t].Not(), v])
        for p in range(n):
            mates = sum(tog[r][min(p, q), max(p, q)] for q in range(n) if q != p)
            most = sum((problem.tables[t] - 1) * x[r][p][t] for t in range(T))
            # With every seat taken, each person meets exactly their table's size minus one.
            m.add(mates == most if problem.people == sum(problem.tables) else mates <= most)
        m.add(sum(tog[r].values()) <= sum(c * (c - 1) // 2 for c in problem.tables))
    if not groups_only:
        _break_table_symmetry(problem, m, x)
    met = {}
    for i, j in pairs:
        w = int(weight[i, j])
        if w == 0:
            continue
        met[i, j] = m.new_bool_var(f"met{i}_{j}")
        if w > 0:
            m.add_bool_or([tog[r][i, j] for r in range(R)]).only_enforce_if(met[i, j])
        else:
            for r in range(R):
                m.add_implication(tog[r][i, j], met[i, j])
    # Nobody meets more people than their seats over the rounds allow: a cut that hands the
    # core search its first bounds directly.
    most = partners_per_person(problem)
    for p in range(n):
        gained = [v for (i, j), v in met.items() if p in (i, j) and weight[i, j] > 0]
        if len(gained) > most:
            m.add(sum(gained) <= most)
    m.add(sum(v for (i, j), v in met.items() if weight[i, j] > 0) <= distinct_pairs_most(problem))
    m.maximize(sum(int(weight[i, j]) * v for (i, j), v in met.items()))
    if hint is not None:
        _add_hint(problem, m, x, tog, sizes, met, hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
    # Measured on 16-24 people (see exact_bench): one round's pair LP is nearly tight, so
    # reduced-cost fixing proves those; with more rounds only core-guided search closes the gap.
    # The second worker improves plans by neighbourhood search.
    solver.parameters.num_workers = workers
    solver.parameters.subsolvers.append("reduced_costs" if R == 1 else "core")
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
        # Stopped before its first plan, CP-SAT reports a bound of 0 whether or not it has one.
        return ExactOutcome(None, -np.inf, np.inf, False)
    if groups_only:
        assignment = np.array(
            [_seat_groups(problem, solver, t, r) for r, t in enumerate(tog)], dtype=np.int64
        )
    else:
        assignment = np.array([[_table_of(solver, xp) for xp in xr] for xr in x], dtype=np.int64)
    return ExactOutcome(
        assignment,
        solver.objective_value / scale,
        solver.best_objective_bound / scale + slack,
        status == cp_model.OPTIMAL and slack == 0,
    )


def _groups_only(problem: Problem) -> bool:
    # A plan is any split into groups that fit the tables, unless minimums at part-filled
    # tables (even a minimum of one: no table may stay empty) or fixed seats at tables of
    # different sizes tie groups to tables. Keep-apart and host rules spread people over the
    # tables: pigeonhole arguments that table numbers make easy (measured 3-30x faster with
    # them), so those keep the tables too.
    full = problem.people == sum(problem.tables)
    alike = len(set(problem.tables)) == 1
    spread = bool(problem.apart) or len(problem.hosts) > 1
    return (
        (full or not any(problem.min_sizes or ())) and (alike or not problem.fixed) and not spread
    )


def _groups_fit_tables(problem: Problem, m: cp_model.CpModel, tog: dict) -> list[dict]:
    n, caps = problem.people, sorted(min(c, problem.people) for c in problem.tables)
    mates = [sum(tog[min(p, q), max(p, q)] for q in range(n) if q != p) for p in range(n)]
    if caps[0] == caps[-1] and n == sum(caps):
        for p in range(n):
            m.add(mates[p] == caps[0] - 1)
        return []
    # size[p][s]: p's group has s people. Groups can be given tables if and only if, for every
    # s, no more groups have s or more people than tables hold s or more (Hall, nested sets);
    # counting each person as 1/s of their group, scaled to whole numbers.
    size = [{s: m.new_bool_var("") for s in range(1, caps[-1] + 1)} for _ in range(n)]
    scale = math.lcm(*range(1, caps[-1] + 1))
    for p in range(n):
        m.add_exactly_one(size[p].values())
        m.add(mates[p] == sum((s - 1) * v for s, v in size[p].items()))
    # The tables that seat s or more change only past a capacity, so s = 1 and s = c + 1 for
    # each capacity c are the sizes to check (s = c alone would let three groups of 2, 3 and 5
    # take tables of 1, 3 and 5).
    for s in sorted({1} | {c + 1 for c in caps if c < caps[-1]}):
        groups = sum(scale // k * v for sp in size for k, v in sp.items() if k >= s)
        m.add(groups <= scale * sum(c >= s for c in caps))
    return size


def _post_pair_rules(problem: Problem, m: cp_model.CpModel, tog: dict, r: int) -> None:
    # Full tables meet every minimum; at identical tables, seats fixed this round only say who
    # sits with whom.
    for i, j in problem.together:
        m.add(tog[min(i, j), max(i, j)] == 1)
    fixed = [f for f in problem.fixed if f.round in (None, r)]
    for f, g in combinations(fixed, 2):
        if f.person != g.person:
            i, j = sorted((f.person, g.person))
            m.add(tog[i, j] == int(f.table == g.table))


def _seat_groups(problem: Problem, solver: cp_model.CpSolver, tog: dict, r: int) -> list[int]:
    # A group with a fixed seat goes to that table; the others, largest first, to the largest
    # tables left: the fit the model guarantees.
    n = problem.people
    pinned = {f.person: f.table for f in problem.fixed if f.round in (None, r)}
    free = sorted(
        set(range(len(problem.tables))) - set(pinned.values()), key=lambda t: -problem.tables[t]
    )
    groups: list[list[int]] = []
    for p in range(n):
        if not any(p in g for g in groups):
            groups.append([q for q in range(p, n) if q == p or solver.boolean_value(tog[p, q])])
    table = [0] * n
    for group in sorted(groups, key=len, reverse=True):
        t = next((pinned[p] for p in group if p in pinned), None)
        if t is None:
            t = free.pop(0)
        for p in group:
            table[p] = t
    return table


def _add_hint(problem: Problem, m, x, tog, sizes, met, hint: np.ndarray) -> None:
    # Every variable gets a value, so CP-SAT starts from this plan as its incumbent.
    if x is not None:
        hint = _canonical(problem, hint)
        for r, xr in enumerate(x):
            for p, xp in enumerate(xr):
                for t, v in enumerate(xp):
                    m.add_hint(v, int(hint[r, p]) == t)
    together = [row[:, None] == row[None, :] for row in hint]
    for r, tr in enumerate(tog):
        for (i, j), v in tr.items():
            m.add_hint(v, bool(together[r][i, j]))
    for r, size in enumerate(sizes):
        for p, sp in enumerate(size):
            for s, v in sp.items():
                m.add_hint(v, int(together[r][p].sum()) == s)
    for (i, j), v in met.items():
        m.add_hint(v, any(t[i, j] for t in together))


def _symmetric_tables(problem: Problem) -> list[list[int]]:
    # Tables with the same capacity and minimum, and no fixed seat, can be relabelled freely.
    pinned = {f.table for f in problem.fixed}
    low = problem.min_sizes or (0,) * len(problem.tables)
    classes: dict[tuple[int, int], list[int]] = {}
    for t, cap in enumerate(problem.tables):
        if t not in pinned:
            classes.setdefault((cap, low[t]), []).append(t)
    return list(classes.values())


def _canonical(problem: Problem, hint: np.ndarray) -> np.ndarray:
    """The same plan relabelled to satisfy the symmetry breaking (so the hint stays feasible)."""
    out = hint.copy()
    for r, row in enumerate(hint):
        for tables in _symmetric_tables(problem):
            first = [np.flatnonzero(row == t).min(initial=problem.people) for t in tables]
            for new, k in zip(tables, np.argsort(first, kind="stable"), strict=True):
                out[r, row == tables[k]] = new
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
