"""Branch and price: proves a small dinner's plan optimal, or bounds it, round by round.

The set-partitioning LP of solver.columns, with a column per group and round, is 3-6% above the
optimum of a two-round dinner. Branching on pairs closes that gap (Ryan and Foster): one child
seats i and j apart in round r, the other together. Both decisions keep the pricing a search
over groups (a pair kept apart is worth minus infinity; a pair required together is worth its
row's dual more), so every node's LP is solved by column generation and bounds its subtree.
Whole rounds are interchangeable until a decision tells them apart, so a decision seats a pair
together in the first of the rounds still alike or apart in all of them. All nodes share one LP,
whose columns and rows are switched on and off, so each re-solve starts from the last basis.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from ortools.linear_solver import pywraplp

from solver.columns import APART, EPS, GLOP_PARAMETERS, Halt, PairLP, best_groups
from solver.evaluate import plan_of, score, violations
from solver.exact import integer_scale, whole_numbers
from solver.model import Problem

FROM_SCRATCH = pywraplp.MPSolverParameters()
FROM_SCRATCH.SetIntegerParam(FROM_SCRATCH.INCREMENTALITY, FROM_SCRATCH.INCREMENTALITY_OFF)

Pair = tuple[int, int]
Decisions = tuple[frozenset[Pair], ...]  # per round


@dataclass(frozen=True)
class Proof:
    bound: float  # no plan is worth more
    proven: bool  # the bound is the best plan's value: no plan beats it
    nodes: int
    plan: np.ndarray | None = None  # a plan worth more than the one given, found on the way


class RoundGroups(PairLP):
    """The LP with a column per group and round, under the decisions of one node at a time."""

    def __init__(self, problem: Problem, values: np.ndarray) -> None:
        super().__init__(problem, values)
        n, rounds, lp = self.n, problem.rounds, self.lp
        self.rounds = rounds
        self.everyone = [
            [self._covered(lp.Constraint(1, 1)) for _ in range(n)] for _ in range(rounds)
        ]
        self.counts = [[lp.Constraint(0, t) for _, t in self.levels] for _ in range(rounds)]
        self.groups: list[list[tuple[int, ...]]] = [[] for _ in range(rounds)]
        self.z: list[list[pywraplp.Variable]] = [[] for _ in range(rounds)]
        self.known: list[set[tuple[int, ...]]] = [set() for _ in range(rounds)]
        self.members: list[list[tuple[int, ...]]] = [[] for _ in range(rounds)]  # padded with n
        self.closed = [np.zeros(0, dtype=bool) for _ in range(rounds)]
        self.rows: dict[tuple[int, int, int], pywraplp.Constraint] = {}  # (round, i, j)
        self.forbid: Decisions = (frozenset(),) * rounds
        self.require: Decisions = (frozenset(),) * rounds

    def add(self, r: int, group) -> bool:
        group = tuple(sorted(int(p) for p in group))
        if group in self.known[r] or len(group) not in self.sizes:
            return False
        if any(e in self.forbid[r] for e in combinations(group, 2)):
            return False
        self.known[r].add(group)
        z = self.lp.NumVar(0.0, self.lp.infinity(), "")
        self.groups[r].append(group)
        self.members[r].append(group + (self.n,) * (self.largest - len(group)))
        self.z[r].append(z)
        self.closed[r] = np.append(self.closed[r], False)
        for p in group:
            self.everyone[r][p].SetCoefficient(z, 1.0)
        self._link(z, group, self.counts[r])
        for i, j in combinations(group, 2):
            row = self.rows.get((r, i, j))
            if row is not None:
                row.SetCoefficient(z, 1.0)
        return True

    def decide(self, forbid: Decisions, require: Decisions) -> None:
        """Switch the LP to a node's decisions: groups holding a pair kept apart are closed,
        and the rows of pairs required together are open."""
        for r in range(self.rounds):
            for i, j in require[r] - self.require[r]:
                self._row(r, i, j).SetBounds(1.0, self.lp.infinity())
            for i, j in self.require[r] - require[r]:
                self.rows[r, i, j].SetBounds(-self.lp.infinity(), self.lp.infinity())
            if forbid[r] == self.forbid[r]:
                continue
            apart = np.zeros((self.n + 1, self.n + 1), dtype=bool)
            for i, j in forbid[r]:
                apart[i, j] = apart[j, i] = True
            members = np.array(self.members[r], dtype=np.int64).reshape(-1, self.largest)
            closed = np.zeros(len(members), dtype=bool)
            for a, b in combinations(range(self.largest), 2):
                closed |= apart[members[:, a], members[:, b]]
            for k in np.flatnonzero(closed != self.closed[r]):
                self.z[r][k].SetUb(0.0 if closed[k] else self.lp.infinity())
            self.closed[r] = closed
        self.forbid, self.require = forbid, require

    def _row(self, r: int, i: int, j: int) -> pywraplp.Constraint:
        row = self.rows.get((r, i, j))
        if row is None:
            row = self.lp.Constraint(-self.lp.infinity(), self.lp.infinity())
            self.rows[r, i, j] = self._covered(row)
            for g, z in zip(self.groups[r], self.z[r], strict=True):
                if i in g and j in g:
                    row.SetCoefficient(z, 1.0)
        return row

    def value(self, deadline: float) -> float | None:
        """The LP's value under the current decisions: -inf when they leave no solution, None
        when GLOP could not tell by the deadline."""
        status = self._solve(deadline)
        if status == pywraplp.Solver.ABNORMAL:
            # Seen once in some hundreds of nodes, even from scratch; GLOP's presolve gets past it.
            self.lp.SetSolverSpecificParametersAsString("use_preprocessing: true")
            status = self._solve(deadline, FROM_SCRATCH)
            self.lp.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
        if status == pywraplp.Solver.INFEASIBLE:
            return -math.inf
        return self.lp.Objective().Value() if status == pywraplp.Solver.OPTIMAL else None

    def prices(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per round, after value(): the pricing's pair values mu, person duals pi, and the
        cost of each group size (as in solver.columns.Groups.solve)."""
        base = self._pair_duals()
        out = []
        for r in range(self.rounds):
            mu = base.copy()
            for i, j in self.require[r]:
                d = max(-self.rows[r, i, j].dual_value(), 0.0)
                mu[i, j] += d
                mu[j, i] += d
            for i, j in self.forbid[r]:
                mu[i, j] = mu[j, i] = APART
            pi = np.array([c.dual_value() for c in self.everyone[r]])
            out.append((mu, pi, self._size_costs(self.counts[r])))
        return out

    def plan(self, tables: tuple[int, ...]) -> np.ndarray:
        """After value(), where every group is taken whole or not at all: a[round, person] ->
        table, the largest groups at the largest tables (the table counts' rows say they fit);
        -1 for a person only an artificial column covers."""
        a = np.full((self.rounds, self.n), -1, dtype=np.int64)
        by_size = sorted(range(len(tables)), key=lambda t: -tables[t])
        for r in range(self.rounds):
            taken = [
                g
                for g, z in zip(self.groups[r], self.z[r], strict=True)
                if z.solution_value() > 0.5
            ]
            for t, g in zip(by_size, sorted(taken, key=len, reverse=True), strict=False):
                a[r, list(g)] = t
        return a

    def together(self) -> np.ndarray:
        """After value(): how much of each round seats each pair together, [round, i, j]."""
        share = np.zeros((self.rounds, self.n, self.n))
        for r in range(self.rounds):
            for g, z in zip(self.groups[r], self.z[r], strict=True):
                v = z.solution_value()
                if v > EPS:
                    idx = np.array(g)
                    share[r][np.ix_(idx, idx)] += v
        return share


def branch_and_price_applies(problem: Problem) -> bool:
    """Whether the LP's groups are plans' tables: no fixed seats, and no minimum sizes at tables
    left part-empty. (Elsewhere the bound would stay valid but rarely close.)"""
    full = problem.people == sum(problem.tables)
    return not problem.fixed and (full or not any(problem.min_sizes or ()))


def prove(
    problem: Problem,
    values: np.ndarray,
    plan: np.ndarray,
    objective: float,
    deadline: float,
    stop: Callable[[], bool] = lambda: False,
    found: Callable[[], float] = lambda: -math.inf,
) -> Proof:
    """Prove that no plan is worth more than `objective` (the value of `plan`, a[round, person]
    -> table, whose tables seed the LP), or than a better plan's value that `found` tells
    meanwhile (another search's), by branch and price. Keep-together,
    keep-apart and host rules become decisions at the root; fixed seats and minimum table sizes
    are left out, which keeps the bound valid. At the deadline the bound is the best open node's.

    A node whose LP takes whole groups only holds a plan, unless artificial columns stand in
    for a person or a rule (violations() says): when it is worth more than every other, it is
    the Proof's plan, and nothing below the node is worth more. Of the nodes with
    the same bound the newest goes first, so the search dives towards such nodes."""
    lp = RoundGroups(problem, values)
    for r, row in enumerate(plan):
        for t in np.unique(row):
            lp.add(r, np.flatnonzero(row == t))
    apart = set(problem.apart) | set(combinations(sorted(problem.hosts), 2))
    root_forbid = frozenset(tuple(sorted(e)) for e in apart)
    root_require = frozenset(tuple(sorted(e)) for e in problem.together)
    rounds = problem.rounds
    step = _step(values)
    heap: list = [(-math.inf, 0, (root_forbid,) * rounds, (root_require,) * rounds)]
    nodes, ties, better = 0, 0, None
    with Halt(deadline, stop) as halt:
        while heap:
            objective = max(objective, found())
            target = objective + step - EPS  # a node bounded below this holds no better plan
            top, _, forbid, require = heap[0]
            if -top < target:
                break
            if time.perf_counter() >= deadline or stop():
                return Proof(max(objective, -top), False, nodes, better)
            heapq.heappop(heap)
            lp.decide(forbid, require)
            bound = _node_bound(lp, target, halt)
            nodes += 1
            if bound is None:  # out of time, or GLOP failed: the parent's bound stands
                return Proof(max(objective, -top), False, nodes, better)
            bound = min(bound, -top)
            if bound < target:
                continue
            branch = _branching_pair(lp, values)
            if branch is None:  # the LP's solution is a plan, unless artificial columns help
                whole = lp.plan(problem.tables)
                if not violations(problem, plan_of(whole, len(problem.tables))):
                    worth = score(problem, whole, values).objective
                    if worth > objective:
                        better, objective = whole, worth
                    if bound < objective + step - EPS:  # nothing below this node is worth more
                        continue
                # Pairs worth less than nothing, which the LP leaves out, cost the plan its
                # bound (or artificial columns stand in for a rule): no pair left to branch on,
                # so the bound is the proof's last word.
                return Proof(
                    max(objective, bound, *(-h[0] for h in heap[:1])), False, nodes, better
                )
            r, pair, apart_in = branch
            children = (
                (tuple(f | {pair} if k in apart_in else f for k, f in enumerate(forbid)), require),
                (forbid, tuple(q | {pair} if k == r else q for k, q in enumerate(require))),
            )
            for f, q in children:
                ties -= 1
                heapq.heappush(heap, (-bound, ties, f, q))
    return Proof(objective, True, nodes, better)


def _step(values: np.ndarray) -> float:
    """The least amount by which one plan can be worth more than another: one when pair values
    are whole numbers, a tenth when they are tenths, and so on."""
    scale = integer_scale(values)
    return 1.0 / scale if whole_numbers(values * scale) else 1e-6


def _node_bound(lp: RoundGroups, target: float, halt: Halt) -> float | None:
    """Column generation at one node: the LP's value plus, per round, tables times the largest
    reduced cost of any group (exact pricing), as soon as that falls below `target` or no group
    is left to add. None once `halt` is raised (the deadline, or a stop) or GLOP fails to solve."""
    while not halt.flag[0]:
        value = lp.value(halt.deadline)
        if value is None or math.isinf(value):
            return value
        slack, added = 0.0, 0
        for r, (mu, pi, cost) in enumerate(lp.prices()):
            best, found, complete = best_groups(mu, pi, cost, EPS, halt)
            if not complete:
                return None
            slack += lp.tables * max(best, 0.0)
            added += sum(lp.add(r, g) for rc, g in found if rc > EPS)
        if not added or value + slack < target:
            return value + slack
    return None


def _branching_pair(lp: RoundGroups, values: np.ndarray) -> tuple[int, Pair, list[int]] | None:
    """The pair to branch on, the round r whose together-child takes it, and the rounds whose
    apart-child forbids it: of the pairs a round seats together in part, the one nearest half,
    valuable pairs first. Rounds with the same decisions are interchangeable, so a pair goes
    together in the first of them or apart in all of them (orbital branching); only when those
    first rounds are whole does another round branch, on its own. (Trying the children of the
    eight nearest on the LP first, strong branching, halved the nodes but doubled the time.)
    None when every pair is whole: the LP's solution is then a plan."""
    share = np.minimum(lp.together(), 1.0)
    upper = np.triu(np.ones((lp.n, lp.n), dtype=bool), 1)
    decisions = list(zip(lp.forbid, lp.require, strict=True))
    first = [decisions.index(d) for d in decisions]  # the first round decided as each one
    distance = np.abs(share - 0.5)
    distance[:, ~upper] = np.inf
    later = [r for r, f in enumerate(first) if f != r]  # rounds decided as an earlier one
    for closed in [later, []] if later else [[]]:
        open_distance = distance.copy()
        open_distance[closed] = np.inf
        for mask in (values > 0, upper):
            score = np.where(mask[None] & (open_distance < 0.5 - EPS), open_distance, np.inf)
            k = int(score.argmin())
            if np.isfinite(score.flat[k]):
                r, i, j = (int(v) for v in np.unravel_index(k, score.shape))
                alike = [q for q, f in enumerate(first) if f == r] if closed else [r]
                return r, (i, j), alike
    return None
