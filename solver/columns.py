"""The set-partitioning bound by column generation: the groups a table could hold are far too
many to list beyond about 24 people, so they come into the LP as they are needed. It proves
bounds for dinners and golf days of 40-80 people within seconds, and for every small one.

The LP, with z_S for a group S of people (how many rounds seat S at one table):
    max  sum_e w_e y_e                     over the positive pairs e
    y_e <= sum of z_S over groups S holding e,  0 <= y_e <= 1
    sum_e y_e <= distinct_pairs_most()      (where that is fewer than the positive pairs)
    sum of z_S over groups S holding p = rounds          for every person p
    sum of z_S over groups bigger than c <= rounds * (tables seating more than c), for each c
    sum of z_S over groups S holding i and j >= rounds   for every pair i, j kept together
    z_S >= 0, and no group S holds a pair kept apart
A group S is worth adding when its reduced cost, mu(S) - pi(S) - sigma(|S|) (the duals of the
pairs it holds, of its people, and of the table counts its size takes), is positive. A greedy
and swap search prices groups cheaply; once it finds none, a branch and bound over every group
proves the largest reduced cost d, and the LP's value plus rounds * tables * max(d, 0) bounds
every plan (the duals, with the table count's raised by d, are feasible for the full LP).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from itertools import combinations

import numba
import numpy as np
from ortools.linear_solver import pywraplp

from solver.bounds import distinct_pairs_most
from solver.model import Problem

FOUND = 64  # groups the branch and bound hands back per run
NOISE = (0.0, 0.3)  # the cheap pricing's tries, in shares of the largest mu (more did not help)
SLACK = 0.005  # of the LP's value, which the bound may give up to be proven sooner
FIRST_SLACK = 0.04  # the same for its first proof
LATE_SLACK = 0.1  # for a first proof from halfway to the deadline: a weaker bound, found sooner
CHEAP_PROOF = 0.05  # seconds: a proof this quick (less than an LP re-solve) follows each one
EPS = 1e-7
APART = -1e6  # the pricing's value of a pair kept apart
GLOP_PARAMETERS = "use_preprocessing: false"


class PairLP:
    """A GLOP LP, maximising, with y_e (0 to 1, worth the pair's value) for each positive pair e
    and a row y_e - (the groups holding e) <= 0; subclasses add the groups and their rows."""

    def __init__(self, problem: Problem, values: np.ndarray) -> None:
        n = self.n = problem.people
        self.tables = len(problem.tables)
        self.largest, self.sizes, self.levels = table_levels(problem)
        iu, ju = np.nonzero(np.triu(values > 0, 1))
        self.pair = -np.ones((n, n), dtype=np.int64)
        self.pair[iu, ju] = self.pair[ju, iu] = np.arange(len(iu))
        self.iu, self.ju = iu, ju
        lp = self.lp = pywraplp.Solver.CreateSolver("GLOP")
        # GLOP's presolve made some re-solves far slower (133 s against 45 s at 150 people), and
        # it would undo the warm starts of solver.branching.
        lp.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
        self.met = []
        # No plan meets more distinct pairs than distinct_pairs_most(): where nearly every pair
        # has a value (golf days, dense dinners), this caps the pairs the LP may count.
        most = distinct_pairs_most(problem)
        cap = lp.Constraint(-lp.infinity(), most) if most < len(iu) else None
        for i, j in zip(iu, ju, strict=True):
            y = lp.NumVar(0.0, 1.0, "")
            lp.Objective().SetCoefficient(y, float(values[i, j]))
            self.met.append(lp.Constraint(-lp.infinity(), 0.0))
            self.met[-1].SetCoefficient(y, 1.0)
            if cap is not None:
                cap.SetCoefficient(y, 1.0)
        lp.Objective().SetMaximization()
        # Rules may leave the groups at hand no solution while new ones would give one: an
        # artificial column per rule's row keeps the LP solvable, at a price no plan can pay.
        self.penalty = float(values[values > 0].sum()) / 2 + 1.0

    def _covered(self, row: pywraplp.Constraint) -> pywraplp.Constraint:
        artificial = self.lp.NumVar(0.0, self.lp.infinity(), "")
        self.lp.Objective().SetCoefficient(artificial, -self.penalty)
        row.SetCoefficient(artificial, 1.0)
        return row

    def _solve(self, deadline: float, start: int | None = None) -> int:
        """GLOP's status, from the last basis unless `start` says otherwise; stopped at the
        deadline (a single solve took 2 s at tables of 75)."""
        self.lp.SetTimeLimit(max(1, int(1000 * (deadline - time.perf_counter()))))
        return self.lp.Solve() if start is None else self.lp.Solve(start)

    def _link(self, z: pywraplp.Variable, group: tuple[int, ...], counts: list) -> None:
        """Enter a group's column in the pair rows and the table-count rows `counts`."""
        for (above, _), count in zip(self.levels, counts, strict=True):
            if len(group) > above:
                count.SetCoefficient(z, 1.0)
        for i, j in combinations(group, 2):
            if self.pair[i, j] >= 0:
                self.met[self.pair[i, j]].SetCoefficient(z, -1.0)

    def _pair_duals(self) -> np.ndarray:
        mu = np.zeros((self.n, self.n))
        held = np.array([max(c.dual_value(), 0.0) for c in self.met])
        mu[self.iu, self.ju] = mu[self.ju, self.iu] = held
        return mu

    def _size_costs(self, counts: list) -> np.ndarray:
        """cost[s]: what a group of s people pays for its table, from the duals of the table-count
        rows `counts` (inf for a size no group can have)."""
        sigma = [max(c.dual_value(), 0.0) for c in counts]
        cost = np.full(self.largest + 1, np.inf)
        for s in self.sizes:
            cost[s] = sum(d for (above, _), d in zip(self.levels, sigma, strict=True) if s > above)
        return cost


class Groups(PairLP):
    """The LP over a growing set of groups (columns), the rounds taken together. It keeps the
    keep-apart rules (no group holds a pair kept apart) and the keep-together ones (a row per
    pair: the groups holding it seat it every round). Hosts are left out: as pairs kept apart
    they made the first exact pricing at 60 people take 18 s, not 3 s."""

    def __init__(self, problem: Problem, values: np.ndarray) -> None:
        super().__init__(problem, values)
        rounds, lp = problem.rounds, self.lp
        self.everyone = [self._covered(lp.Constraint(rounds, rounds)) for _ in range(self.n)]
        self.counts = [lp.Constraint(0, rounds * t) for _, t in self.levels]
        self.apart = np.zeros((self.n, self.n), dtype=bool)
        for i, j in problem.apart:
            self.apart[i, j] = self.apart[j, i] = True
        together = {tuple(sorted(pair)) for pair in problem.together}
        self.together = {
            pair: self._covered(lp.Constraint(rounds, lp.infinity())) for pair in together
        }
        self.known: set[tuple[int, ...]] = set()

    def add(self, group) -> bool:
        group = tuple(sorted(int(p) for p in group))
        if group in self.known or len(group) not in self.sizes:
            return False
        if self.apart[np.ix_(group, group)].any():
            return False
        self.known.add(group)
        z = self.lp.NumVar(0.0, self.lp.infinity(), "")
        for p in group:
            self.everyone[p].SetCoefficient(z, 1.0)
        self._link(z, group, self.counts)
        for (i, j), row in self.together.items():
            if i in group and j in group:
                row.SetCoefficient(z, 1.0)
        return True

    def solve(self, deadline: float) -> tuple[float, np.ndarray, np.ndarray, np.ndarray] | None:
        """The LP's value and duals: mu (n x n, by pair), pi (by person), and cost[s], what a
        group of s people pays for its table (inf for a size no group can have). None when GLOP
        did not solve it by the deadline."""
        if self._solve(deadline) != pywraplp.Solver.OPTIMAL:
            return None
        mu = self._pair_duals()
        for (i, j), row in self.together.items():
            mu[i, j] += max(-row.dual_value(), 0.0)
            mu[j, i] = mu[i, j]
        mu[self.apart] = APART
        pi = np.array([c.dual_value() for c in self.everyone])
        return self.lp.Objective().Value(), mu, pi, self._size_costs(self.counts)


def table_levels(problem: Problem) -> tuple[int, list[int], list[tuple[int, int]]]:
    """The largest group, the sizes a group may have, and the levels (above, tables): a group
    of more than `above` people needs one of `tables` tables, each round."""
    n = problem.people
    caps = sorted({min(c, n) for c in problem.tables})
    # A table of c seats holds at least c - spare people, spare being the seats left empty in
    # all (24 people at five tables of five: groups of four and five only).
    spare = sum(min(c, n) for c in problem.tables) - n
    sizes = sorted({s for c in caps for s in range(max(1, c - spare), c + 1)})
    levels = [(0, len(problem.tables))] + [
        (small, sum(min(c, n) > small for c in problem.tables)) for small in caps[:-1]
    ]
    return caps[-1], sizes, levels


def set_partitioning_bound(
    problem: Problem,
    values: np.ndarray,
    deadline: float,
    plan: np.ndarray | None = None,
    slack: float = SLACK,
    stop: Callable[[], bool] = lambda: False,
) -> float | None:
    """The set-partitioning LP's bound by column generation, starting from the tables of `plan`
    (a[round, person] -> table; by default everyone in order, table by table). The bound may sit
    up to `slack` of the LP's value above it. None when no pricing finished by the deadline.
    Halfway to it with no bound yet, the exact pricing runs whatever the cheap one would find,
    with a higher floor: a first bound, if weaker, rather than none (at 60 people the LP
    converges in 2-4 s; proving a bound 4% above it then took up to 3 s more, 10% under 1 s).
    Where a proof takes milliseconds (golf's flights of four), one follows every LP solve."""
    if plan is None:
        seats = np.repeat(np.arange(len(problem.tables)), problem.tables)[: problem.people]
        plan = np.tile(seats, (problem.rounds, 1))
    groups = Groups(problem, values)
    for row in plan:
        for t in np.unique(row):
            groups.add(np.flatnonzero(row == t))
    rng = np.random.default_rng(0)
    _added(groups, _greedy_groups(np.maximum(values, 0.0), np.zeros(problem.people), _cost(groups)))
    bound, share = math.inf, FIRST_SLACK if slack > 0 else 0.0
    cheap = None  # whether a proof takes under CHEAP_PROOF (None: not tried yet)
    compile_kernels()  # its first call loads it (0.4 s), which is not what the trial measures
    halfway = (time.perf_counter() + deadline) / 2
    while time.perf_counter() < deadline and not stop():
        solved = groups.solve(deadline)
        if solved is None:
            break
        value, mu, pi, cost = solved
        # Cheap pricing first, then with noise; the exact one when neither finds a group, from
        # halfway to the deadline while no bound is as close as a late proof's, or after every
        # LP where it is cheap (golf's groups of four: milliseconds), so the bound follows it.
        tailing = bound > value * (1 + LATE_SLACK) and time.perf_counter() > halfway
        priced = not tailing and any(
            _added(groups, _greedy_groups(mu, pi, cost, rng, noise)) for noise in NOISE
        )
        if priced and cheap is False:
            continue
        # Groups of reduced cost below `floor` are not looked for, so the bound gives up at most
        # `share` of the LP's value. The higher the floor, the sooner the search ends: the first
        # proof allows FIRST_SLACK (LATE_SLACK when it is late and some slack is allowed at
        # all), each next one half as much, down to `slack`.
        share = max(share, LATE_SLACK if tailing and slack > 0 else slack)
        floor = max(EPS, share * value / (problem.rounds * groups.tables))
        # The first proof is cut short unless it is cheap: from the first LP's duals, at 60
        # people at tables of ten, it would take seconds.
        ends = min(deadline, time.perf_counter() + CHEAP_PROOF) if cheap is None else deadline
        with Halt(ends, stop) as halt:
            began = time.perf_counter()
            best, found, complete = best_groups(mu, pi, cost, floor, halt)
            cheap = complete and time.perf_counter() - began < CHEAP_PROOF
        if not complete:
            if ends < deadline:
                continue
            break
        bound = min(bound, value + problem.rounds * groups.tables * max(best, 0.0))
        # The LP's value only grows, so the bound cannot come down by more than this gap.
        if bound <= value * (1 + slack) + EPS:
            break
        if not _added(groups, found) and not priced and share <= slack:
            break
        share /= 2
    return None if math.isinf(bound) else bound


def _added(groups: Groups, found: list[tuple[float, tuple[int, ...]]]) -> int:
    """How many of the groups of positive reduced cost were new to the LP (all are added)."""
    return sum([groups.add(g) for rc, g in found if rc > EPS])


def _cost(groups: Groups) -> np.ndarray:
    cost = np.full(groups.largest + 1, np.inf)
    cost[groups.sizes] = 0.0
    return cost


def _greedy_groups(
    mu: np.ndarray,
    pi: np.ndarray,
    cost: np.ndarray,
    rng: np.random.Generator | None = None,
    noise: float = 0.0,
) -> list[tuple[float, tuple[int, ...]]]:
    """One group per person, grown from them greedily (the most reduced cost each step, plus
    up to `noise` times the largest mu at random) and cut at its best size, then improved by
    best swaps."""
    n, largest = len(pi), len(cost) - 1
    rows = np.arange(n)
    inside = np.zeros((n, n), dtype=bool)
    inside[rows, rows] = True
    gain = mu - pi[None, :]  # gain[b, q]: what q adds to group b
    value = -pi.copy()
    best, size = value - cost[1], np.ones(n, dtype=np.int64)
    members = [rows]
    scale = noise * mu.max()
    for s in range(2, largest + 1):
        score = np.where(inside, -np.inf, gain)
        if scale > 0:
            score = score + scale * rng.random(score.shape)
        q = score.argmax(axis=1)
        value += gain[rows, q]
        inside[rows, q] = True
        gain += mu[q]
        members.append(q)
        better = value - cost[s] > best
        best, size = np.where(better, value - cost[s], best), np.where(better, s, size)
    chosen = np.stack(members, axis=1)
    out = []
    for b in range(n):
        group = list(chosen[b, : size[b]])
        out.append(_swapped(group, mu, pi, cost))
    return out


def _swapped(
    group: list[int], mu: np.ndarray, pi: np.ndarray, cost: np.ndarray
) -> tuple[float, tuple[int, ...]]:
    """`group` after best swaps (one member out, another person in) while they gain."""
    inside = np.zeros(len(pi), dtype=bool)
    inside[group] = True
    gain = mu[group].sum(axis=0) - pi  # gain[q]: q's pairs with the group, less pi[q]
    for _ in range(4 * len(group)):
        out_gain = gain[group]  # a member's own share (mu[i, i] == 0)
        delta = gain[None, :] - mu[group] - out_gain[:, None]
        delta[:, inside] = -np.inf
        k, q = np.unravel_index(delta.argmax(), delta.shape)
        if delta[k, q] <= EPS:
            break
        i = group[k]
        group[k], inside[i], inside[q] = int(q), False, True
        gain += mu[q] - mu[i]
    rc = mu[np.ix_(group, group)].sum() / 2 - pi[group].sum() - cost[len(group)]
    return float(rc), tuple(sorted(int(p) for p in group))


class Halt:
    """The flag the compiled search looks at now and then (it runs without the GIL), raised by
    a thread at the deadline or once `stop()` says so. One serves many searches: a thread per
    search cost 0.7 ms, a quarter of a small pricing."""

    def __init__(self, deadline: float, stop: Callable[[], bool] = lambda: False) -> None:
        self.flag = np.zeros(1, dtype=np.bool_)
        self.deadline, self._stop, self._done = deadline, stop, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Halt:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not (time.perf_counter() >= self.deadline or self._stop()):
            if self._done.wait(0.02):
                return
        self.flag[0] = True


def best_groups(
    mu: np.ndarray,
    pi: np.ndarray,
    cost: np.ndarray,
    floor: float,
    halt: Halt,
) -> tuple[float, list[tuple[float, tuple[int, ...]]], bool]:
    """The largest reduced cost of any group (`floor` when none beats it), up to FOUND groups of
    positive reduced cost found on the way, best first, and whether the search finished before
    `halt` was raised (else the largest is unproven)."""
    n = len(pi)
    # Unpromising people first: they have the most candidates after them, and prune soonest.
    promise = 0.5 * -np.sort(-mu, axis=1)[:, : len(cost) - 2].sum(axis=1) - pi
    order = np.argsort(promise, kind="stable")
    mu_o, pi_o = np.ascontiguousarray(mu[np.ix_(order, order)]), np.ascontiguousarray(pi[order])
    # Each person's partners, highest mu first (compressed rows).
    by_mu = np.argsort(-mu_o, axis=1, kind="stable")
    counts = (mu_o > 0).sum(axis=1)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    partner = np.concatenate([by_mu[p, : counts[p]] for p in range(n)]).astype(np.int64)
    weight = mu_o[np.repeat(np.arange(n), counts), partner]
    cost_f = np.where(np.isfinite(cost), cost, 1e300)
    best, found, found_rc, count, complete = _branch_and_bound(
        mu_o, pi_o, cost_f, start, partner, weight, floor, halt.flag
    )
    groups = [
        (float(found_rc[k]), tuple(sorted(int(order[p]) for p in found[k] if p >= 0)))
        for k in range(min(count, FOUND))
    ]
    groups.sort(reverse=True)
    return float(best), groups, bool(complete)


def compile_kernels() -> None:
    """Compile the branch and bound now, or load it from numba's cache, so that a first solve
    does not spend its time limit compiling. `make setup` calls this."""
    mu = np.array([[0.0, 1.0], [1.0, 0.0]])
    with Halt(time.perf_counter() + 60) as halt:
        best_groups(mu, np.zeros(2), np.array([np.inf, 0.0, 0.0]), EPS, halt)


@numba.njit(cache=True, nogil=True)
def _branch_and_bound(mu, pi, cost, start, partner, weight, floor, halt):
    # Depth-first over groups in index order: depth d holds the group's first d people, the
    # candidates that may still join (all after the last one) and each one's gain. A node's
    # bound: each candidate's gain plus half its best mu to the other candidates, the best m of
    # those for every size; candidates that cannot reach the best found so far are dropped.
    n, largest = len(pi), len(cost) - 1
    gain = np.empty((largest + 1, n))
    value = np.zeros(largest + 1)
    cand = np.empty((largest + 1, n), dtype=np.int64)
    length = np.zeros(largest + 1, dtype=np.int64)
    at = np.zeros(largest + 1, dtype=np.int64)
    listed = np.zeros((largest + 1, n), dtype=np.bool_)
    chosen = np.zeros(largest, dtype=np.int64)
    found = np.full((FOUND, largest), -1, dtype=np.int64)
    found_rc = np.full(FOUND, -np.inf)
    count = 0
    reach = np.empty(n)
    order = np.empty(n)
    kept = np.empty(n, dtype=np.int64)
    for q in range(n):
        gain[0, q] = -pi[q]
        cand[0, q] = q
    length[0] = n
    best, nodes, d = floor, 0, 0
    while d >= 0:
        if at[d] >= length[d]:
            d -= 1
            continue
        q = cand[d, at[d]]
        at[d] += 1
        s = d + 1
        v = value[d] + gain[d, q]
        chosen[d] = q
        nodes += 1
        if nodes % 1024 == 0 and halt[0]:
            return best, found, found_rc, count, False
        if v - cost[s] > best:
            best = v - cost[s]
            k = count % FOUND
            for i in range(largest):
                found[k, i] = chosen[i] if i < s else -1
            found_rc[k] = best
            count += 1
        if s == largest:
            continue
        for i in range(length[s]):
            listed[s, cand[s, i]] = False
        size = 0
        for i in range(at[d], length[d]):
            r = cand[d, i]
            cand[s, size] = r
            listed[s, r] = True
            gain[s, r] = gain[d, r] + mu[q, r]
            size += 1
        length[s] = size
        pruned = size == 0
        for _ in range(3):
            if pruned:
                break
            slots = min(largest - s, size)
            for i in range(size):
                r = cand[s, i]
                total, taken = 0.0, 0
                for t in range(start[r], start[r + 1]):
                    if taken >= slots - 1:
                        break
                    if listed[s, partner[t]]:
                        total += weight[t]
                        taken += 1
                reach[i] = gain[s, r] + 0.5 * total
                order[i] = -reach[i]
            top = np.sort(order[:size])
            bound, cut, partial = -np.inf, -np.inf, 0.0
            for m in range(1, slots + 1):
                if cost[s + m] < 1e299:
                    cut = max(cut, v + partial - cost[s + m])  # the m - 1 others at their best
                    bound = max(bound, v + partial - top[m - 1] - cost[s + m])
                partial -= top[m - 1]
            if bound <= best:
                pruned = True
                break
            left = 0
            for i in range(size):
                if reach[i] + cut > best:
                    kept[left] = cand[s, i]
                    left += 1
                else:
                    listed[s, cand[s, i]] = False
            if left == size:
                break
            cand[s, :left] = kept[:left]
            size = left
            length[s] = size
            pruned = size == 0
        if pruned:
            continue
        value[s] = v
        at[s] = 0
        d = s
    return best, found, found_rc, count, True
