"""Greedy construction and iterated local search with incremental gains, for any size.

The state keeps, for every round r, person p and table t, gain[r, p, t]: what p's pairs at table t
are worth in round r, counting only pairs that do not also meet in another round (meeting again
earns nothing). Moving p from table s to t in round r then changes the objective by exactly
gain[r, p, t] - gain[r, p, s], and a move updates the arrays in O(n + table size * rounds).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numba
import numpy as np

from solver.evaluate import meet_counts, value_matrix
from solver.feasibility import together_groups
from solver.model import Problem

EPS = 1e-9
# Compiled code takes arrays, not None: empty ones (never written) stand for "no keep-apart pairs".
_NO_APART = (np.zeros((0, 0, 0), dtype=np.int64), np.zeros((0, 0), dtype=bool))
# Memetic search: plans in the population, and tabu steps per person for a new plan and a child.
# Since the steps got about four times faster, 40 and 60 end 0.2-0.6 points nearer the planted
# dinners' optima than 10 and 15 did (2, 5 and 10 s), and the same on the tag dinners.
POPULATION = 6
FIRST_STEPS, CHILD_STEPS = 40, 60
BALANCE_PATIENCE = 100  # balancing ends after this many trades per person without a better plan


@dataclass(frozen=True)
class Rules:
    """The hard rules in array form, so that checking a move costs O(1) (or one vector op)."""

    cap: np.ndarray  # (T,) seats per table
    low: np.ndarray  # (T,) minimum people per table
    groups: tuple[np.ndarray, ...]  # keep-together groups of size >= 2
    group_of: np.ndarray  # (n,) index into groups, -1 for people on their own
    members: np.ndarray  # the groups' people, one group after another (for compiled code)
    starts: np.ndarray  # (groups + 1,) where each group's people start in members
    fixed_table: np.ndarray  # (R, n) table a person (or their group) is fixed to, -1 if free
    apart: np.ndarray | None  # (n, n) bool, None when there are no keep-apart pairs
    host: np.ndarray  # (n,) bool

    @classmethod
    def of(cls, problem: Problem) -> Rules:
        n, T, R = problem.people, len(problem.tables), problem.rounds
        groups = tuple(np.array(g) for g in together_groups(problem))
        group_of = np.full(n, -1)
        for k, g in enumerate(groups):
            group_of[g] = k
        fixed_table = np.full((R, n), -1)
        for f in problem.fixed:
            rounds = range(R) if f.round is None else (f.round,)
            unit = groups[group_of[f.person]] if group_of[f.person] >= 0 else [f.person]
            for r in rounds:
                fixed_table[r, unit] = f.table
        apart = None
        if problem.apart:
            apart = np.zeros((n, n), dtype=bool)
            for i, j in problem.apart:
                apart[i, j] = apart[j, i] = True
        host = np.zeros(n, dtype=bool)
        host[list(problem.hosts)] = True
        return cls(
            cap=np.array(problem.tables),
            low=np.array(problem.min_sizes or (0,) * T),
            groups=groups,
            group_of=group_of,
            members=np.concatenate([np.zeros(0, dtype=np.int64), *groups]).astype(np.int64),
            starts=np.cumsum([0, *map(len, groups)]).astype(np.int64),
            fixed_table=fixed_table,
            apart=apart,
            host=host,
        )

    def units(self) -> list[np.ndarray]:
        """Everyone as a unit that moves together: each group once, then each single person."""
        return [*self.groups, *(np.array([p]) for p in np.flatnonzero(self.group_of < 0))]


def construct_round(
    values: np.ndarray,
    rules: Rules,
    r: int,
    meets: np.ndarray,
    rng: np.random.Generator,
    seated: np.ndarray | None = None,
) -> np.ndarray | None:
    """Seat one round greedily (each unit at its best allowed table), or None at a dead end.
    `seated` (person -> table, -1 for not yet) keeps the people it seats where they are."""
    n, T = values.shape[0], len(rules.cap)
    # Pairs already met in earlier rounds earn nothing. (Below, rows stand for columns, as
    # both are symmetric: a column of 5,000 people is 5,000 cache misses, a row one read.)
    weff = values * (meets == 0) if meets.any() else values
    gain = np.zeros((n, T))
    size = np.zeros(T, dtype=np.int64)
    hosts_at = np.zeros(T, dtype=np.int64)
    apart_at = np.zeros((n, T), dtype=np.int64) if rules.apart is not None else None
    row = np.full(n, -1)

    def seat(unit: np.ndarray, t: int) -> None:
        row[unit] = t
        size[t] += len(unit)
        hosts_at[t] += int(rules.host[unit].sum())
        gain[:, t] += weff[unit].sum(axis=0)
        if apart_at is not None:
            apart_at[:, t] += rules.apart[unit].sum(axis=0)

    if seated is not None:
        for t in range(T):
            seat(np.flatnonzero(seated == t), t)
    placed = int(size.sum())
    if not _minimums_reachable(rules.low, size, n - placed, 0).all():
        return None  # too few left to bring every table to its minimum
    units = [u for u in rules.units() if row[u[0]] < 0]
    order = rng.permutation(len(units))
    # Fixed units first, then hosts (so each finds a table of its own), then the largest groups,
    # then people with keep-apart partners: the most constrained go while there is choice.
    partners = np.zeros(n) if rules.apart is None else rules.apart.sum(axis=1)
    key = [
        (
            rules.fixed_table[r, units[k][0]] < 0,
            not rules.host[units[k]].any(),
            -len(units[k]),
            -partners[units[k]].sum(),
        )
        for k in order
    ]
    order = [k for _, k in sorted(zip(key, order, strict=True), key=lambda x: x[0])]
    tiny = 1e-6 * max(1.0, float(values.max(initial=0.0)), -float(values.min(initial=0.0)))
    for k in order:
        unit = units[k]
        u = len(unit)
        ok = size + u <= rules.cap
        if apart_at is not None:
            ok &= apart_at[unit].sum(axis=0) == 0
        if rules.host[unit].any():
            ok &= hosts_at == 0
        ok &= _minimums_reachable(rules.low, size, n - placed, u)
        fixed = rules.fixed_table[r, unit[0]]
        if fixed >= 0:
            ok &= np.arange(T) == fixed
        if not ok.any():
            return None
        # Ties (common when most pairs are worth 0) go to the emptier table, to spread people.
        score = gain[unit].sum(axis=0) + tiny * (rules.cap - size) / rules.cap
        t = int(np.argmax(np.where(ok, score, -np.inf)))
        seat(unit, t)
        placed += u
    return row


class Seating:
    """A complete plan over all rounds with incremental move gains (see the module docstring)."""

    def __init__(self, values: np.ndarray, rules: Rules, assignment: np.ndarray) -> None:
        self.values = values
        self.rules = rules
        self.a = assignment.copy()
        R, n = self.a.shape
        T = len(rules.cap)
        self.rounds, self.n, self.T = R, n, T
        self.index = np.arange(n)
        self.meets = meet_counts(self.a)
        self.size = np.stack([np.bincount(row, minlength=T) for row in self.a])
        self.hosts_at = np.stack([np.bincount(row[rules.host], minlength=T) for row in self.a])
        self.single = (rules.group_of < 0)[None, :] & (rules.fixed_table < 0)
        self.has_hosts = bool(rules.host.any())
        self.gain = np.zeros((R, n, T))
        self.apart_at = np.zeros((R, n, T), dtype=np.int64) if rules.apart is not None else None
        for r in range(R):
            onehot = np.zeros((n, T))
            onehot[self.index, self.a[r]] = 1.0
            same = self.a[r][:, None] == self.a[r][None, :]
            self.gain[r] = (values * ((self.meets - same) == 0)) @ onehot
            if self.apart_at is not None:
                self.apart_at[r] = rules.apart.astype(np.int64) @ onehot.astype(np.int64)
        self.value = float(np.sum(values[self.meets > 0])) / 2.0
        # unmet[q]: the most q can gain in a swap from no longer sitting with the one it trades
        # places with, twice a pair's value less than nothing (the swap's gain counts it twice).
        self.unmet = np.maximum(-2.0 * values.min(axis=0), 0.0) if n else np.zeros(0)
        self.log: list[tuple[int, int, int]] = []  # (round, person, from table), for undo

    def weff(self, r: int, p: int) -> np.ndarray:
        """Values of p's pairs in round r, zero for pairs that also meet in another round."""
        return self.values[p] * ((self.meets[p] - (self.a[r] == self.a[r, p])) == 0)

    def move(self, r: int, p: int, t: int) -> None:
        """Seat p at table t in round r, updating every gain, count and the objective."""
        self.log.append((r, p, int(self.a[r, p])))
        self.value += _move(
            self.values, self.gain, self.meets, self.a, self.size, self.hosts_at,
            *self._apart(), self.rules.host, r, p, t,
        )  # fmt: skip

    def tabu_steps(
        self,
        rng: np.random.Generator,
        tabu: np.ndarray,
        first: int,
        steps: int,
        tenure: int,
        patience: int,
        since_best: int,
        best_value: float,
        target: float,
        best: np.ndarray,
    ) -> tuple[int, float, int, int, bool]:
        """Up to `steps` iterations of tabu_search(), compiled (_tabu_steps), numbered from
        `first`; a new best plan is copied to `best`. Returns (iterations done, best objective,
        new bests found, iterations since the best, whether there was no step)."""
        rules = self.rules
        trade = np.empty(max(map(len, rules.groups), default=0), dtype=np.int64)
        # Each person a step moves stays tabu for tenure + noise iterations, their own noise.
        noise = rng.integers(tenure, size=(steps, max(2, 2 * len(trade))))
        # Scalars as floats whatever the caller passed (a whole-number bound, say): another
        # type would compile another version of the kernel, seconds into the time limit.
        done, self.value, best_value, improvements, since_best, stuck = _tabu_steps(
            self.values, self.gain, self.meets, self.a, self.size, self.hosts_at, *self._apart(),
            rules.host, self.single, rules.cap, rules.low, self.unmet, rules.fixed_table,
            rules.members, rules.starts, trade, tabu, noise, first, steps, tenure, patience,
            since_best, float(self.value), float(best_value), float(target), best,
        )  # fmt: skip
        return done, best_value, improvements, since_best, stuck

    def _apart(self) -> tuple[np.ndarray, np.ndarray]:
        return _NO_APART if self.apart_at is None else (self.apart_at, self.rules.apart)

    def undo(self, mark: int) -> None:
        """Take back the moves logged since len(self.log) was mark."""
        while len(self.log) > mark:
            r, p, s = self.log.pop()
            self.move(r, p, s)
            self.log.pop()

    def swap_gains(self, r: int, p: int) -> np.ndarray:
        """Objective change of swapping p with each person q in round r (meaningless for q at
        p's own table)."""
        g, ar = self.gain[r], self.a[r]
        s = ar[p]
        return g[p, ar] - g[p, s] + g[:, s] - g[self.index, ar] - 2.0 * self.weff(r, p)

    def swap_partners(self, r: int, p: int) -> np.ndarray:
        """Who p may swap seats with in round r under the rules (False for everyone when p is
        fixed or kept together with someone: groups move as a whole)."""
        ar = self.a[r]
        s = ar[p]
        ok = self.single[r] & (ar != s) & self.single[r, p]
        if self.apart_at is not None:
            # Counting apart-partners at the other table, the one leaving it does not count.
            ok &= self.apart_at[r, p, ar] == self.rules.apart[p]
            ok &= self.apart_at[r, :, s] == self.rules.apart[:, p]
        if self.has_hosts:
            host = self.rules.host
            ok &= (
                (host | (self.hosts_at[r, ar] == 0))
                if host[p]
                else (~host | (self.hosts_at[r, s] == 0))
            )
        return ok

    def best_step(self, r: int, p: int) -> tuple[float, list[tuple[int, int, int]]]:
        """The best move or swap for p in round r: (objective change, [(round, person, table)])."""
        g = self.gain[r]
        s = int(self.a[r, p])
        k = self.rules.group_of[p]
        if k >= 0:
            return self._best_group_move(r, self.rules.groups[k], s)
        if not self.single[r, p]:
            return -np.inf, []
        rules = self.rules
        best, kind, other = _best_step_of(
            g, self.a[r], self.meets, self.values, self.single[r], self.size[r], rules.cap,
            rules.low, *self._apart(), rules.host, self.hosts_at[r], r, p,
        )  # fmt: skip
        if kind == MOVE:
            return best, [(r, p, other)]
        if kind == SWAP:
            return best, [(r, p, int(self.a[r, other])), (r, other, s)]
        return -np.inf, []

    def _best_group_move(
        self, r: int, group: np.ndarray, s: int
    ) -> tuple[float, list[tuple[int, int, int]]]:
        """The best move of a kept-together group to a table with room, or trade of seats with
        as many single people at another table."""
        if self.rules.fixed_table[r, group[0]] >= 0:
            return -np.inf, []
        rules = self.rules
        trade = np.empty(len(group), dtype=np.int64)
        best, kind, t = _best_group_step(
            self.gain[r], self.a[r], self.meets, self.values, self.single[r], self.size[r],
            rules.cap, rules.low, *self._apart(), rules.host, self.hosts_at[r], r, group, trade,
        )  # fmt: skip
        return best, _group_step(r, group, s, kind, t, trade)

    def random_swap(self, r: int, rng: np.random.Generator) -> list[tuple[int, int, int]]:
        """A random valid swap of two single people in round r (empty if none was found)."""
        singles = np.flatnonzero(self.single[r])
        if len(singles) < 2:
            return []
        p = int(rng.choice(singles))
        s = int(self.a[r, p])
        candidates = np.flatnonzero(self.swap_partners(r, p))
        if len(candidates) == 0:
            return []
        q = int(rng.choice(candidates))
        return [(r, p, int(self.a[r, q])), (r, q, s)]

    def tablemates(self, r: int, t: int) -> np.ndarray:
        return np.flatnonzero(self.a[r] == t)

    def trading_units(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        """Who may trade tables in round r, as rows of people who move together: each single
        person (n1 x 1), and each two at one table who may move as a pair (n2 x 2): two singles,
        or a kept-together couple whose seats are not fixed."""
        row = self.a[r]
        singles = np.flatnonzero(self.single[r])
        i, j = np.nonzero(np.triu(row[singles][:, None] == row[singles][None, :], 1))
        couples = [
            g for g in self.rules.groups if len(g) == 2 and self.rules.fixed_table[r, g[0]] < 0
        ]
        pairs = np.concatenate(
            [np.stack([singles[i], singles[j]], axis=1), *[g[None, :] for g in couples]]
        )
        return singles[:, None], pairs

    def trade_matrix(self, r: int, units: np.ndarray) -> np.ndarray:
        """d[u, v]: objective change of units u and v trading tables in round r, where a unit is
        a row of `units` (people at one table who move together); -inf where u and v share a
        table or the trade breaks a keep-apart or host rule. Whether the people may move at all
        (fixed seats, groups) is the caller's to check."""
        ar = self.a[r]
        table = ar[units[:, 0]]
        same = ar[:, None] == ar[None, :]
        weff = self.values * ((self.meets - same) == 0)
        gain = self.gain[r][units].sum(axis=1)  # gain[u, t]: what u's pairs at table t are worth
        own = gain[np.arange(len(units)), table]
        cross = gain[:, table]
        between = _between(weff, units)
        # A unit's own pairs (on the diagonal) travel with it, so trading keeps them.
        inside = np.diag(between)
        d = cross - own[:, None] + cross.T - own[None, :] - 2.0 * between
        d += inside[:, None] + inside[None, :]
        ok = table[:, None] != table[None, :]
        if self.apart_at is not None:
            ok &= _fits(self.apart_at[r], self.rules.apart.astype(np.int64), units, table)
        if self.has_hosts:
            hosts = self.rules.host[units].sum(axis=1)
            after = self.hosts_at[r, table][:, None] - hosts[:, None] + hosts[None, :]
            ok &= (after <= 1) & (after.T <= 1)
        return np.where(ok, d, -np.inf)


DESCENT_STEPS = 64  # steps per compiled call of descend(), between looks at the clock


def descend(
    state: Seating, queue: deque[tuple[int, int]], deadline: float, stop: Callable[[], bool]
) -> None:
    """Apply improving moves and swaps until no queued person has one (or time runs out).
    The steps of single people run compiled (_descend); a kept-together group's step here."""
    R, n = state.rounds, state.n
    ring = np.zeros((len(queue) + R * n, 2), dtype=np.int64)  # the queue, as a ring buffer
    ring[: len(queue)] = np.array(queue, dtype=np.int64).reshape(-1, 2)
    ends = np.array([0, len(queue)], dtype=np.int64)  # its first entry and length
    queued = np.zeros((R, n), dtype=bool)
    queued[ring[: len(queue), 0], ring[: len(queue), 1]] = True
    log = np.zeros((2 * DESCENT_STEPS, 3), dtype=np.int64)
    rules = state.rules
    first = True
    while ends[1]:
        if not first and (time.perf_counter() > deadline or stop()):
            return
        first = False
        change, logged, r, p = _descend(
            state.values, state.gain, state.meets, state.a, state.size, state.hosts_at,
            *state._apart(), rules.host, state.single, rules.group_of, rules.cap, rules.low,
            ring, ends, queued, log, DESCENT_STEPS,
        )  # fmt: skip
        state.value += change
        state.log += map(tuple, log[:logged].tolist())
        if r < 0:
            continue
        delta, step = state.best_step(r, p)  # p is kept together with others
        if delta <= EPS:
            continue
        for rr, person, t in step:
            s = int(state.a[rr, person])
            state.move(rr, person, t)
            _queue_moved(state.a, rr, person, s, t, ring, ends, queued)


@numba.njit(cache=True)
def _descend(
    values, gain, meets, a, size, hosts_at, apart_at, apart, host, single, group_of, cap, low,
    ring, ends, queued, log, steps,
):  # fmt: skip
    """Up to `steps` steps of descend(), compiled: pop (round, person) from the ring buffer,
    apply that person's best step (_best_step_of) when it gains, log its moves in `log` and
    queue the people whose gains changed. Stops early at an empty queue, or at a person kept
    together with others, whom it hands back. Returns (objective change, moves logged, round
    and person handed back or -1, -1)."""
    change, logged = 0.0, 0
    for _ in range(steps):
        if ends[1] == 0:
            break
        r, p = ring[ends[0], 0], ring[ends[0], 1]
        ends[0] = (ends[0] + 1) % ring.shape[0]
        ends[1] -= 1
        queued[r, p] = False
        if group_of[p] >= 0:
            return change, logged, r, p
        if not single[r, p]:
            continue
        delta, kind, other = _best_step_of(
            gain[r], a[r], meets, values, single[r], size[r], cap, low, apart_at, apart, host,
            hosts_at[r], r, p,
        )  # fmt: skip
        if delta <= EPS:
            continue
        s = a[r, p]
        # A move seats p at table `other`; a swap seats p at q's table, then q at p's.
        moves = ((p, other), (-1, -1)) if kind == MOVE else ((p, a[r, other]), (other, s))
        for person, t in moves:
            if person < 0:
                break
            frm = a[r, person]
            log[logged, 0] = r
            log[logged, 1] = person
            log[logged, 2] = frm
            logged += 1
            change += _move(
                values, gain, meets, a, size, hosts_at, apart_at, apart, host, r, person, t
            )
            _queue_moved(a, r, person, frm, t, ring, ends, queued)
    return change, logged, -1, -1


@numba.njit(cache=True)
def _queue_moved(a, r, person, frm, to, ring, ends, queued):
    """Queue whoever a move's gains changed: the two tables of round r, then the mover's
    tablemates in every other round (each person once while queued)."""
    _queue_table(a, r, frm, ring, ends, queued)
    _queue_table(a, r, to, ring, ends, queued)
    for r2 in range(a.shape[0]):
        if r2 != r:
            _queue_table(a, r2, a[r2, person], ring, ends, queued)


@numba.njit(cache=True)
def _queue_table(a, r, table, ring, ends, queued):
    for q in range(a.shape[1]):
        if a[r, q] == table and not queued[r, q]:
            queued[r, q] = True
            end = (ends[0] + ends[1]) % ring.shape[0]
            ring[end, 0] = r
            ring[end, 1] = q
            ends[1] += 1


@dataclass
class SearchLog:
    """What the search did, for Result.stats."""

    perturbations: int = 0
    accepted: int = 0
    improvements: int = 0
    stuck: bool = False  # the rules left no step at all (everyone fixed, say)


def iterated_local_search(
    state: Seating,
    rng: np.random.Generator,
    deadline: float,
    stop: Callable[[], bool],
    on_better: Callable[[float], None],
    target: float = np.inf,
) -> tuple[np.ndarray, SearchLog]:
    """Descend, then repeatedly kick (random swaps at a few tables) and descend again.

    A kicked plan is kept when it is no worse than the current one; after many rejections in a
    row the next kick is kept anyway, to leave a plateau. Returns the best assignment seen.
    Every choice comes from `rng`, so a seed gives the same sequence of plans; the deadline only
    decides how far along that sequence the search gets.
    """
    log = SearchLog()
    everyone = deque((r, p) for r in range(state.rounds) for p in rng.permutation(state.n))
    descend(state, everyone, deadline, stop)
    best_value, best = state.value, state.a.copy()
    on_better(best_value)
    current = state.value
    rejected = idle = 0
    # Stop early when kicks keep finding nobody to swap (everyone fixed or kept together).
    while (
        idle < 100 and time.perf_counter() < deadline and not stop() and best_value < target - EPS
    ):
        log.perturbations += 1
        mark = len(state.log)
        r = int(rng.integers(state.rounds))
        queue: deque[tuple[int, int]] = deque()
        for _ in range(int(rng.integers(1, 4))):
            for rr, p, t in state.random_swap(r, rng):
                s = int(state.a[rr, p])
                state.move(rr, p, t)
                queue.extend((rr, int(q)) for q in state.tablemates(rr, s))
                queue.extend((rr, int(q)) for q in state.tablemates(rr, t))
        idle = 0 if queue else idle + 1
        descend(state, queue, deadline, stop)
        if state.value >= current - EPS or rejected > 50 + state.n:
            log.accepted += 1
            current = state.value
            rejected = 0
            del state.log[:]
            if current > best_value + EPS:
                log.improvements += 1
                best_value, best = current, state.a.copy()
                on_better(best_value)
        else:
            rejected += 1
            state.undo(mark)
    return best, log


def improve_coverage(state: Seating, deadline: float, stop: Callable[[], bool]) -> int:
    """Second aim: swaps that lose no value and leave fewer people without a positive pair at
    their table in some round. Returns how many such swaps were made."""
    positive = state.values > 0
    matched = _matched(state, positive)
    made = 0
    improved = True
    while improved and time.perf_counter() < deadline and not stop():
        improved = False
        for r, p in zip(*np.nonzero(~matched), strict=True):
            if time.perf_counter() > deadline:
                return made
            for step in _zero_loss_swaps(state, int(r), int(p)):
                if _swap_if_better(state, positive, matched, step):
                    made += 1
                    improved = True
                    break
            if improved:
                break
    return made


def spread_repeats(state: Seating, deadline: float, stop: Callable[[], bool]) -> int:
    """Third aim: swaps that lose no value and leave nobody newly without a valuable pair in
    every round, but make fewer pairs meet again (pairs worth nothing still meet new people).
    Returns how many such swaps were made."""
    positive = state.values > 0
    matched = _matched(state, positive)
    made = 0
    for r in range(state.rounds):
        for p in range(state.n):
            if time.perf_counter() > deadline or stop():
                return made
            if not (state.meets[p, state.tablemates(r, int(state.a[r, p]))] > 1).any():
                continue
            s = int(state.a[r, p])
            ok = state.swap_partners(r, p) & (state.swap_gains(r, p) >= -EPS)
            for q in np.flatnonzero(ok)[:50]:
                step = [(r, p, int(state.a[r, q])), (r, int(q), s)]
                if _swap_if_better(state, positive, matched, step, spread=True):
                    made += 1
                    break
    return made


def _matched(state: Seating, positive: np.ndarray) -> np.ndarray:
    """matched[r, p]: p has a pair of positive value at their table in round r."""
    return np.stack([np.any(positive & (row[:, None] == row[None, :]), axis=1) for row in state.a])


def _zero_loss_swaps(state: Seating, r: int, p: int) -> list[list[tuple[int, int, int]]]:
    # Swaps of p with someone at a table where p has a positive pair, losing no objective value.
    s = int(state.a[r, p])
    ar = state.a[r]
    ok = state.swap_partners(r, p) & (state.swap_gains(r, p) >= -EPS)
    ok &= np.isin(ar, ar[state.values[p] > 0])
    return [[(r, p, int(ar[q])), (r, int(q), s)] for q in np.flatnonzero(ok)[:50]]


def _swap_if_better(
    state: Seating,
    positive: np.ndarray,
    matched: np.ndarray,
    step: list[tuple[int, int, int]],
    spread: bool = False,
) -> bool:
    # Apply the swap if it leaves more people matched in every round or, with spread, no fewer
    # matched and fewer pairs meeting again; otherwise take it back.
    r, swapped = step[0][0], [person for _, person, _ in step]
    people = np.concatenate([state.tablemates(r, int(state.a[r, p])) for p in swapped])
    before = int(matched[:, people].all(axis=0).sum())
    repeats = np.maximum(state.meets[swapped] - 1, 0).sum()
    mark = len(state.log)
    for rr, person, t in step:
        state.move(rr, person, t)
    row = state.a[r]
    now = np.array([np.any(positive[q] & (row == row[q])) for q in people])
    after_rounds = matched[:, people].copy()
    after_rounds[r] = now
    after = int(after_rounds.all(axis=0).sum())
    if spread:
        better = after >= before and np.maximum(state.meets[swapped] - 1, 0).sum() < repeats
    else:
        better = after > before
    if better:
        matched[r, people] = now
        del state.log[mark:]
        return True
    state.undo(mark)
    return False


def compile_kernels() -> None:
    """Compile the search's inner loops now, or load them from numba's cache (solver/__pycache__),
    so that a first solve does not spend its time limit compiling. `make setup` calls this."""
    problem = Problem(people=4, tables=(2, 2), rounds=2, weights=((0, 1, 1.0),), together=((0, 1),))
    state = Seating(value_matrix(problem), Rules.of(problem), np.array([[0, 0, 1, 1]] * 2))
    tabu_search(state, np.random.default_rng(0), np.inf, lambda: False, lambda _: None, steps=2)
    state.best_step(0, 2)
    descend(state, deque([(0, 2)]), np.inf, lambda: False)
    state.move(0, 2, 1)


def tabu_search(
    state: Seating,
    rng: np.random.Generator,
    deadline: float,
    stop: Callable[[], bool],
    on_better: Callable[[float], None],
    target: float = np.inf,
    steps: int | None = None,
) -> tuple[np.ndarray, SearchLog]:
    """Tabu search over swaps and moves (after Lai & Hao's iterated maxima search for maximally
    diverse grouping): each iteration takes the best step over every round, even a worsening
    one, except steps that move a person moved in the last few iterations (unless they beat the
    best plan). After a long run without a new best it restarts from the best plan with a few
    random swaps. Every step is evaluated for everyone at once (O(rounds * n^2) per step), so
    this suits up to a few hundred people. The iterations run compiled (Seating.tabu_steps),
    TABU_STEPS at a time between looks at the clock. Deterministic for a given rng, like
    iterated_local_search. Ends after `steps` iterations where given.
    """
    log = SearchLog()
    best_value, best = state.value, state.a.copy()
    on_better(best_value)
    tabu = np.zeros((state.rounds, state.n), dtype=np.int64)
    tenure = max(3, state.n // 10)
    patience = 20 * state.n
    since_best = 0
    iteration = 0
    steps = np.inf if steps is None else steps
    while iteration < steps and best_value < target - EPS:
        if time.perf_counter() >= deadline or stop():
            break
        chunk = int(min(TABU_STEPS, steps - iteration))
        done, value, improvements, since_best, stuck = state.tabu_steps(
            rng, tabu, iteration, chunk, tenure, patience, since_best, best_value, target, best
        )
        iteration += done
        if improvements:
            log.improvements += improvements
            best_value = value
            on_better(best_value)
        if stuck:
            log.stuck = iteration == 0
            break
        if since_best > patience:
            log.perturbations += 1
            since_best = 0
            state = Seating(state.values, state.rules, best)
            for _ in range(max(2, state.n // 20)):
                for r, p, t in state.random_swap(int(rng.integers(state.rounds)), rng):
                    state.move(r, p, t)
            del state.log[:]
    log.accepted = iteration
    return best, log


TABU_STEPS = 64  # iterations per compiled call of tabu_search(), between looks at the clock


@numba.njit(cache=True)
def _tabu_steps(
    values, gain, meets, a, size, hosts_at, apart_at, apart, host, single, cap, low, unmet,
    fixed_table, members, starts, trade, tabu, noise, first, steps, tenure, patience,
    since_best, value, best_value, target, best,
):  # fmt: skip
    """Up to `steps` iterations of tabu_search(), compiled, numbered from `first`: each takes
    the best swap or move (_best_swap_or_move), or a kept-together group's step where that is
    better (_best_group_steps), and keeps the step's i-th person from moving for tenure +
    noise[k, i] more iterations. A new best plan is copied to `best`. Stops early where there
    is no step at all, once more than `patience` iterations in a row found no new best, or
    when the best reaches `target`. Returns (iterations done, objective, best objective, new
    bests found, iterations since the best, whether there was no step)."""
    step = np.empty((noise.shape[1], 2), dtype=np.int64)
    count, improvements = 0, 0
    for k in range(steps):
        now = first + k
        # A tabu step is still allowed when it leads to a new best plan (aspiration).
        aspire = best_value + EPS - value
        delta, kind, r, p, q = _best_swap_or_move(
            gain, a, meets, values, single, size, cap, low, apart_at, apart, host, hosts_at,
            tabu, now, aspire, unmet,
        )  # fmt: skip
        # The step as moves, (person, table): a move seats p at table q; a swap seats p at
        # q's table and q at p's; a group's step seats it at table t and, on a trade, as many
        # from `trade` at its table.
        if kind == MOVE:
            step[0, 0], step[0, 1], count = p, q, 1
        elif kind == SWAP:
            step[0, 0], step[0, 1], step[1, 0], step[1, 1], count = p, a[r, q], q, a[r, p], 2
        if starts.shape[0] > 1:
            g_delta, g_r, g_k, g_kind, t = _best_group_steps(
                gain, a, meets, values, single, size, cap, low, apart_at, apart, host,
                hosts_at, fixed_table, members, starts, trade,
            )  # fmt: skip
            if g_kind and g_delta > delta:
                kind, r, count = g_kind, g_r, 0
                group = members[starts[g_k] : starts[g_k + 1]]
                s = a[r, group[0]]
                for m in group:
                    step[count, 0], step[count, 1], count = m, t, count + 1
                if kind == SWAP:
                    for m in trade[: group.shape[0]]:
                        step[count, 0], step[count, 1], count = m, s, count + 1
        if kind == 0:
            return k, value, best_value, improvements, since_best, True
        for i in range(count):
            m = step[i, 0]
            value += _move(
                values, gain, meets, a, size, hosts_at, apart_at, apart, host, r, m, step[i, 1]
            )
            tabu[r, m] = now + tenure + noise[k, i]
        if value > best_value + EPS:
            best_value = value
            best[:] = a
            improvements += 1
            since_best = 0
            if best_value >= target - EPS:
                return k + 1, value, best_value, improvements, since_best, False
        else:
            since_best += 1
            if since_best > patience:
                return k + 1, value, best_value, improvements, since_best, False
    return steps, value, best_value, improvements, since_best, False


def memetic_search(
    state: Seating,
    rng: np.random.Generator,
    deadline: float,
    stop: Callable[[], bool],
    on_better: Callable[[float], None],
    target: float = np.inf,
) -> tuple[np.ndarray, SearchLog]:
    """A population of tabu-searched plans, bred by crossover (after Lai and Hao's memetic
    algorithms for grouping problems): the given plan and POPULATION - 1 greedy ones each get
    FIRST_STEPS tabu steps per person; then, until the deadline, a child of two random members
    (crossover()) gets CHILD_STEPS per person and takes the worst member's place when it is
    better and new. Returns the best plan (at once where the rules leave the given plan no step
    at all). Single tabu searches from different seeds end up to 7% apart on 90-150-person
    dinners; breeding their plans keeps what each got right. Deterministic for a given rng,
    like tabu_search: a child's search ends after its steps, not at a time."""
    values, rules, n = state.values, state.rules, state.n
    log = SearchLog()
    best_value = -np.inf  # the pool's: a child better than every member replaces one of them

    def ended() -> bool:
        return time.perf_counter() >= deadline or stop() or best_value >= target - EPS

    def improve(a: np.ndarray, steps: int) -> tuple[float, np.ndarray]:
        nonlocal best_value
        found = Seating(values, rules, a)
        descend(found, deque(np.ndindex(a.shape)), deadline, stop)
        seen: list[float] = []
        plan, run = tabu_search(found, rng, deadline, stop, seen.append, target, steps * n)
        log.perturbations += run.perturbations
        log.stuck = run.stuck
        if seen[-1] > best_value + EPS:
            log.improvements += 1
            best_value = seen[-1]
            on_better(best_value)
        return seen[-1], plan

    pool = [improve(state.a, FIRST_STEPS)]
    if log.stuck:  # everyone fixed, say: nothing to breed
        return pool[0][1], log
    while len(pool) < POPULATION and not ended():
        pool.append(improve(_greedy_plan(state, rng), FIRST_STEPS))
    while len(pool) > 1 and not ended():
        i, j = rng.choice(len(pool), 2, replace=False)
        value, child = improve(crossover(pool[i][1], pool[j][1], values, rules, rng), CHILD_STEPS)
        log.accepted += 1
        worst = min(range(len(pool)), key=lambda k: pool[k][0])
        if value > pool[worst][0] + EPS and not any(np.array_equal(child, a) for _, a in pool):
            pool[worst] = value, child
    return max(pool, key=lambda member: member[0])[1], log


def _greedy_plan(state: Seating, rng: np.random.Generator) -> np.ndarray:
    """A greedy plan round by round, taking the state's round where the greedy one dead-ends."""
    a = state.a.copy()
    meets = np.zeros((state.n, state.n), dtype=np.int16)
    for r in range(state.rounds):
        row = construct_round(state.values, state.rules, r, meets, rng)
        if row is not None:
            a[r] = row
        meets += a[r][:, None] == a[r][None, :]
    return a


def crossover(
    a: np.ndarray, b: np.ndarray, values: np.ndarray, rules: Rules, rng: np.random.Generator
) -> np.ndarray:
    """A child of plans a and b, round by round: each of a's rounds is paired with the round of
    b that seats the most pairs alike, and the child takes whole tables from them in turn (the
    one with the most people not yet seated, as in Galinier and Hao's partition crossover),
    then seats the rest greedily (construct_round). Where the rules leave the greedy part no
    way through, the child takes a's round as it is."""
    rounds, n = a.shape
    child = np.empty_like(a)
    meets = np.zeros((n, n), dtype=np.int16)
    left = list(range(rounds))
    for r in range(rounds):
        alike = [_pairs_alike(a[r], b[q]) for q in left]
        other = b[left.pop(int(np.argmax(alike)))]
        row = construct_round(values, rules, r, meets, rng, _inherit((a[r], other), rules, r, rng))
        child[r] = a[r] if row is None else row
        meets += child[r][:, None] == child[r][None, :]
    return child


def _pairs_alike(x: np.ndarray, y: np.ndarray) -> int:
    """How many pairs two seatings of one round both put at one table."""
    both = np.bincount(x * (y.max() + 1) + y)
    return int((both * (both - 1)).sum()) // 2


def _inherit(
    rows: tuple[np.ndarray, np.ndarray], rules: Rules, r: int, rng: np.random.Generator
) -> np.ndarray:
    """Tables taken from two seatings of round r in turn, largest remainder first: person ->
    table, -1 for people left to seat. A parent's table keeps its number where that is free;
    otherwise its people go to a free table with room (never one their fixed seats forbid).
    Each parent keeps the rules within a table, and keep-together groups come whole; a table
    is taken only where the people left can still bring every table to its minimum size."""
    n, tables = len(rows[0]), len(rules.cap)
    row = np.full(n, -1)
    size = np.zeros(tables, dtype=np.int64)
    used = np.zeros(tables, dtype=bool)
    offered = np.zeros((2, tables), dtype=bool)
    k = int(rng.integers(2))
    while not used.all():
        counts = [
            np.where(offered[i], 0, np.bincount(rows[i][row < 0], minlength=tables)) for i in (0, 1)
        ]
        if counts[k].max() < 2:
            k = 1 - k
            if counts[k].max() < 2:
                break
        t = int(np.argmax(counts[k] + 0.5 * rng.random(tables)))  # ties at random
        offered[k, t] = True
        group = np.flatnonzero((row < 0) & (rows[k] == t))
        free = ~used & (rules.cap >= len(group))
        free &= _minimums_reachable(rules.low, size, int((row < 0).sum()), len(group))
        fixed = np.unique(rules.fixed_table[r, group])
        fixed = fixed[fixed >= 0]
        if len(fixed) > 1:
            continue
        if len(fixed):
            free &= np.arange(tables) == fixed[0]
        elif free[t]:
            free[:] = False
            free[t] = True
        if free.any():
            u = int(rng.choice(np.flatnonzero(free)))
            row[group] = u
            size[u] = len(group)
            used[u] = True
            k = 1 - k
    return row


def _group_step(
    r: int, group: np.ndarray, s: int, kind: int, t: int, trade: np.ndarray
) -> list[tuple[int, int, int]]:
    """A group's step as moves: all to table t, and on a trade as many from `trade` to s."""
    if kind == 0:
        return []
    step = [(r, int(m), int(t)) for m in group]
    if kind == SWAP:
        step += [(r, int(q), s) for q in trade[: len(group)]]
    return step


@numba.njit(cache=True)
def _move(values, gain, meets, a, size, hosts_at, apart_at, apart, host, r, p, t):
    """Seat p at table t in round r (Seating.move, compiled); returns the objective's change."""
    rounds, n, _ = gain.shape
    s = a[r, p]
    change = gain[r, p, t] - gain[r, p, s]
    for q in range(n):
        if q == p:
            continue
        at = a[r, q]
        # p's pair with q is worth something in round r when they meet in no other round.
        if meets[p, q] - (at == s) == 0:
            gain[r, q, s] -= values[p, q]
            gain[r, q, t] += values[p, q]
        if at != s and at != t:
            continue
        # In every other round, the pair becomes worth its value when round r no longer makes
        # it meet (p leaves q's table), and worth nothing there once round r does.
        for r2 in range(rounds):
            if r2 == r:
                continue
            elsewhere = meets[p, q] - (a[r2, q] == a[r2, p])
            if at == s and elsewhere == 1:
                w = values[p, q]
            elif at == t and elsewhere == 0:
                w = -values[p, q]
            else:
                continue
            gain[r2, p, a[r2, q]] += w
            gain[r2, q, a[r2, p]] += w
        met = 1 if at == t else -1
        meets[p, q] += met
        meets[q, p] += met
    a[r, p] = t
    size[r, s] -= 1
    size[r, t] += 1
    if host[p]:
        hosts_at[r, s] -= 1
        hosts_at[r, t] += 1
    if apart_at.shape[0] > 0:
        for q in range(n):
            if apart[p, q]:
                apart_at[r, q, s] -= 1
                apart_at[r, q, t] += 1
    return change


SWAP, MOVE = 1, 2


@numba.njit(cache=True)
def _best_swap_or_move(
    gain, a, meets, values, single, size, cap, low, apart_at, apart, host, hosts_at, tabu, now,
    aspire, unmet,
):  # fmt: skip
    """The best swap of two single people or move of one, over every round, that the rules
    allow and the tabu list does not forbid (unless its gain exceeds `aspire`):
    (gain, SWAP or MOVE or 0 for none, round, person, other person or table).
    Compiled: a loop over every pair costs O(rounds * n^2) with no temporary arrays, less the
    pairs a bound rules out: a swap of p (at s) with q (at t) gains at most p's gain from moving
    to t plus the best any single person at t gains from moving to s plus unmet[q], the most
    that no longer sitting with p can give q (Seating.unmet). The same swap wins as without it."""
    rounds, n, tables = gain.shape
    with_apart, with_hosts = apart_at.shape[0] > 0, host.any()
    best, kind, br, bp, bq = -np.inf, 0, -1, -1, -1
    own = np.empty(n)
    into = np.empty((tables, tables))  # into[t, s]: the most a single person at t gains at s
    seated = np.empty(n, dtype=np.int64)  # single people by table, then by number
    starts = np.empty(tables + 1, dtype=np.int64)
    for r in range(rounds):
        ar, g = a[r], gain[r]
        into[:] = -np.inf
        starts[:] = 0
        for q in range(n):
            own[q] = g[q, ar[q]]
            if single[r, q]:
                t = ar[q]
                starts[t + 1] += 1
                for s in range(tables):
                    into[t, s] = max(into[t, s], g[q, s] - own[q] + unmet[q])
        for t in range(tables):
            starts[t + 1] += starts[t]
        at = starts[:-1].copy()
        for q in range(n):
            if single[r, q]:
                seated[at[ar[q]]] = q
                at[ar[q]] += 1
        for p in range(n):
            if not single[r, p]:
                continue
            s = ar[p]
            free = tabu[r, p] <= now
            # A table whose bound is no more than the best found before p holds no better
            # swap for p, nor an equal one: that earlier one wins a tie.
            before = best
            for t in range(tables):
                if t == s or g[p, t] - own[p] + into[t, s] <= before:
                    continue
                for k in range(starts[t], starts[t + 1]):
                    q = seated[k]
                    if q <= p:
                        continue
                    # g[p, t] and g[q, s] count p and q as tablemates, which they will not be.
                    d = g[p, t] - own[p] + g[q, s] - own[q]
                    d -= 2.0 * values[p, q] * (meets[p, q] == 0)
                    # Of equal swaps the first in (round, p, q) order wins.
                    earlier = kind == SWAP and br == r and bp == p and q < bq
                    if d < best or (d == best and not earlier):
                        continue
                    if d <= aspire and not (free and tabu[r, q] <= now):
                        continue
                    # The one leaving a table is the only keep-apart partner allowed there.
                    if with_apart and (
                        apart_at[r, p, t] != apart[p, q] or apart_at[r, q, s] != apart[q, p]
                    ):
                        continue
                    # A host may only join a table without one (unless trading with its host).
                    if with_hosts and host[p] != host[q] and hosts_at[r, t if host[p] else s]:
                        continue
                    best, kind, br, bp, bq = d, SWAP, r, p, q
        for p in range(n):
            s = ar[p]
            if not single[r, p] or size[r, s] <= low[s]:
                continue
            free = tabu[r, p] <= now
            for t in range(tables):
                if t == s or size[r, t] >= cap[t]:
                    continue
                d = g[p, t] - g[p, s]
                if d <= best or (d <= aspire and not free):
                    continue
                if with_apart and apart_at[r, p, t] > 0:
                    continue
                if with_hosts and host[p] and hosts_at[r, t] > 0:
                    continue
                best, kind, br, bp, bq = d, MOVE, r, p, t
    return best, kind, br, bp, bq


@numba.njit(cache=True)
def _best_step_of(
    g, ar, meets, values, single, size, cap, low, apart_at, apart, host, hosts_at, r, p
):  # fmt: skip
    """The best move of the single person p in round r, or swap with another single person,
    that the rules allow (Seating.best_step, compiled; g, ar, single, size and hosts_at are the
    round's rows): (gain, MOVE or SWAP or 0 for none, table or other person). On a tie a move
    wins, then the lowest table or person."""
    n, tables = ar.shape[0], g.shape[1]
    with_apart = apart_at.shape[0] > 0
    s = ar[p]
    best, kind, other = -np.inf, 0, -1
    if size[s] > low[s]:
        for t in range(tables):
            if t == s or size[t] >= cap[t]:
                continue
            if (with_apart and apart_at[r, p, t] > 0) or (host[p] and hosts_at[t] > 0):
                continue
            d = g[p, t] - g[p, s]
            if d > best:
                best, kind, other = d, MOVE, t
    for q in range(n):
        t = ar[q]
        if t == s or not single[q]:
            continue
        # g[p, t] and g[q, s] count p and q as tablemates, which they will not be.
        d = g[p, t] - g[p, s] + g[q, s] - g[q, t] - 2.0 * values[p, q] * (meets[p, q] == 0)
        if d <= best:
            continue
        # The one leaving a table is the only keep-apart partner allowed there.
        if with_apart and (apart_at[r, p, t] != apart[p, q] or apart_at[r, q, s] != apart[q, p]):
            continue
        # A host may only join a table without one (unless trading with its host).
        if host[p] != host[q] and hosts_at[t if host[p] else s] > 0:
            continue
        best, kind, other = d, SWAP, q
    return best, kind, other


def _minimums_reachable(low: np.ndarray, size: np.ndarray, left: int, u: int) -> np.ndarray:
    """Per table: whether seating u more of the `left` people still to seat there leaves
    enough of them to bring every table (seating `size` now) to its minimum `low`."""
    short = np.maximum(low - size, 0)
    return left - u >= short.sum() - np.minimum(short, u)


@numba.njit(cache=True)
def _best_group_step(
    g, ar, meets, values, single, size, cap, low, apart_at, apart, host, hosts_at, r, group, trade
):  # fmt: skip
    """The best move of a kept-together group (all at one table) in round r to a table with
    room, or trade of seats with as many single people at another table, that the rules allow:
    (gain, MOVE or SWAP or 0 for none, table); a trade's people go in `trade`. At each table
    the trade takes the single people who gain most from the group's table, each counted alone
    (their pairs with each other, which they keep, are then added)."""
    n, tables, k = ar.shape[0], g.shape[1], group.shape[0]
    with_apart = apart_at.shape[0] > 0
    s = ar[group[0]]
    # The group's side of a step to table t: what its people gain there less what they leave,
    # plus their pairs with each other, which g[m, s] counts but they keep.
    inside, hosts = 0.0, 0
    for x in group:
        if host[x]:
            hosts += 1
        for y in group:
            if x != y and meets[x, y] == 1:
                inside += values[x, y]
    side = np.full(tables, inside)
    for t in range(tables):
        for m in group:
            side[t] += g[m, t] - g[m, s]
    best, kind, where = -np.inf, 0, -1
    if size[s] - k >= low[s]:
        for t in range(tables):
            if t == s or size[t] + k > cap[t] or (hosts > 0 and hosts_at[t] > 0):
                continue
            if with_apart and _apart_clash(apart_at, apart, r, group, t, group[:0]):
                continue
            if side[t] > best:
                best, kind, where = side[t], MOVE, t
    # A single person's side of a trade: what they gain at the group's table, less what they
    # leave and their pairs with the group, who leave that table as they come.
    top = np.full((tables, k), -1)
    top_gain = np.full((tables, k), -np.inf)
    for q in range(n):
        t = ar[q]
        if t == s or not single[q]:
            continue
        d = g[q, s] - g[q, t]
        partners = 0
        for m in group:
            d -= 2.0 * values[m, q] * (meets[m, q] == 0)
            if with_apart and apart[q, m]:
                partners += 1
        # Those leaving a table are the only keep-apart partners allowed there.
        if with_apart and apart_at[r, q, s] != partners:
            continue
        i = k
        while i > 0 and d > top_gain[t, i - 1]:
            i -= 1
        if i < k:
            top[t, i + 1 :] = top[t, i:-1].copy()
            top_gain[t, i + 1 :] = top_gain[t, i:-1].copy()
            top[t, i], top_gain[t, i] = q, d
    for t in range(tables):
        if t == s or top[t, k - 1] < 0:
            continue
        d, hosts_in = side[t], 0
        for i in range(k):
            q = top[t, i]
            d += top_gain[t, i]
            if host[q]:
                hosts_in += 1
            for j in range(i + 1, k):
                if meets[q, top[t, j]] == 1:
                    d += 2.0 * values[q, top[t, j]]
        if d <= best:
            continue
        if hosts_at[t] - hosts_in + hosts > 1 or hosts_at[s] - hosts + hosts_in > 1:
            continue
        if with_apart and _apart_clash(apart_at, apart, r, group, t, top[t]):
            continue
        best, kind, where = d, SWAP, t
        trade[:k] = top[t]
    return best, kind, where


@numba.njit(cache=True)
def _best_group_steps(
    gain, a, meets, values, single, size, cap, low, apart_at, apart, host, hosts_at, fixed_table,
    members, starts, trade,
):  # fmt: skip
    """The best step over every kept-together group not fixed to a table, and every round
    (_best_group_step): (gain, round, group, MOVE or SWAP or 0 for none, table); a trade's
    people in `trade`."""
    best, br, bk, kind, where = -np.inf, -1, -1, 0, -1
    found = np.empty(trade.shape[0], dtype=np.int64)
    for k in range(starts.shape[0] - 1):
        group = members[starts[k] : starts[k + 1]]
        for r in range(a.shape[0]):
            if fixed_table[r, group[0]] >= 0:
                continue
            d, got, t = _best_group_step(
                gain[r], a[r], meets, values, single[r], size[r], cap, low, apart_at, apart,
                host, hosts_at[r], r, group, found,
            )  # fmt: skip
            if got and d > best:
                best, br, bk, kind, where = d, r, k, got, t
                trade[: group.shape[0]] = found[: group.shape[0]]
    return best, br, bk, kind, where


@numba.njit(cache=True)
def _apart_clash(apart_at, apart, r, group, t, leaving):
    """Whether someone of `group` has a keep-apart partner at table t in round r other than
    the people `leaving` it."""
    for m in group:
        partners = 0
        for q in leaving:
            if apart[m, q]:
                partners += 1
        if apart_at[r, m, t] != partners:
            return True
    return False


@dataclass(frozen=True)
class Handicaps:
    """Golf handicaps in array form, and how far a plan's flights are from balance.

    A round is balanced when every flight's mean handicap equals the field's (the mean of all
    known handicaps). Unknown handicaps count in no mean, and a flight with none known counts as
    balanced, as in golf.handicap_spread. A plan's spread is the widest gap between two flights'
    means in a round, what organisers see; its imbalance is the sum, over rounds and flights, of
    the fourth power of the distance from a flight's mean to the field's: a smooth measure that
    every flight moves, where (as in the spread) the flights furthest out count far more than
    those near the middle.
    """

    handicap: np.ndarray  # (n,) 0.0 where unknown
    known: np.ndarray  # (n,) 1.0 where known, else 0.0
    centre: float  # the field's mean

    @classmethod
    def of(cls, handicaps: Sequence[float | None]) -> Handicaps:
        known = np.array([h is not None for h in handicaps], dtype=float)
        handicap = np.array([0.0 if h is None else h for h in handicaps], dtype=float)
        return cls(handicap, known, float(handicap.sum() / max(known.sum(), 1.0)))

    def imbalance(self, assignment: np.ndarray, flights: int) -> float:
        """Sum over rounds and flights of (flight mean - field mean) ** 4."""
        return sum(
            float(np.sum(_fourth(self._offsets(*self._totals(row, flights))))) for row in assignment
        )

    def spread(self, assignment: np.ndarray, flights: int) -> float:
        """Widest gap between two flights' mean handicaps in any round."""
        gaps = [0.0]
        for row in assignment:
            total, known = self._totals(row, flights)
            offsets = self._offsets(total, known)[known > 0]
            gaps.append(float(np.ptp(offsets)) if len(offsets) else 0.0)
        return max(gaps)

    def narrowing(self, row: np.ndarray, flights: int, units: np.ndarray) -> np.ndarray:
        """[u, v]: how much units u and v (rows of people at one flight) trading flights lowers
        this round's imbalance; meaningless where they share a flight."""
        total, known = self._totals(row, flights)
        unit_total = self.handicap[units].sum(axis=1)
        unit_known = self.known[units].sum(axis=1)
        shift = unit_total[None, :] - unit_total[:, None]  # what u's flight gains in total
        more = unit_known[None, :] - unit_known[:, None]  # and in known handicaps
        flight = row[units[:, 0]]
        s, t = flight[:, None], flight[None, :]
        before = _fourth(self._offsets(total, known))
        after_s = self._offsets(total[s] + shift, known[s] + more)
        after_t = self._offsets(total[t] - shift, known[t] - more)
        return before[s] + before[t] - _fourth(after_s) - _fourth(after_t)

    def _totals(self, row: np.ndarray, flights: int) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.bincount(row, self.handicap, minlength=flights),
            np.bincount(row, self.known, minlength=flights),
        )

    def _offsets(self, total: np.ndarray, known: np.ndarray) -> np.ndarray:
        return np.where(known > 0, total / np.maximum(known, 1.0) - self.centre, 0.0)


def _fourth(x: np.ndarray) -> np.ndarray:
    # Squaring twice: several times faster than x ** 4 on large arrays.
    return np.square(np.square(x))


def balance_handicaps(
    state: Seating,
    handicaps: Handicaps,
    budget: float,
    rng: np.random.Generator,
    deadline: float,
    stop: Callable[[], bool],
) -> np.ndarray:
    """Golf: give up at most `budget` of the objective for flights with close mean handicaps.

    Lexicographic within the budget: of the plans seen that are worth at least the starting value
    minus `budget`, the one with the smallest spread (see Handicaps) wins, then the least
    imbalanced, then the most valuable. The search is a tabu search over trades, where two
    players or two pairs of flightmates in different flights of a round change places, scored by
    value change + weight * imbalance reduction; the weight grows while the plan is within budget
    and shrinks while it is not (strategic oscillation), so the search keeps crossing the budget
    line in search of balance that costs little. Trades keep every hard rule (fixed seats stay
    put, a kept-together couple moves only as a pair, larger groups not at all) and never seat
    together two players who meet in another round. Ends at the deadline or after
    BALANCE_PATIENCE trades per player without a better plan. Returns the chosen assignment;
    deterministic for a given rng, like tabu_search.
    """
    floor = state.value - budget
    weight = 1.0
    tabu = np.zeros((state.rounds, state.n), dtype=np.int64)
    # In proportion to the tabu list's entries (round, player), and short: a pair trade makes
    # four entries tabu at once, and a long list blocks the few trades that keep pairs together.
    tenure = max(3, state.rounds * state.n // 30)
    best_key, best = _balance_key(state, handicaps), state.a.copy()
    iteration = last_better = 0
    while (
        best_key[0] > EPS
        and iteration - last_better < BALANCE_PATIENCE * state.n
        and time.perf_counter() < deadline
    ):
        iteration += 1
        if iteration % 16 == 0 and stop():
            break
        step = _best_balance_step(state, handicaps, weight, tabu, iteration)
        if not step:
            break
        for r, p, t in step:
            state.move(r, p, t)
            tabu[r, p] = iteration + tenure + int(rng.integers(tenure))
        del state.log[:]
        within = state.value >= floor - EPS
        # Bounded both ways, so that neither aim is forgotten for long.
        weight = min(max(weight * (1.05 if within else 0.9), 1e-3), 1e3)
        key = _balance_key(state, handicaps)
        if within and key < best_key:
            best_key, best, last_better = key, state.a.copy(), iteration
    return best


def _balance_key(state: Seating, handicaps: Handicaps) -> tuple[float, float, float]:
    return (
        handicaps.spread(state.a, state.T),
        handicaps.imbalance(state.a, state.T),
        -state.value,
    )


def _best_balance_step(
    state: Seating, handicaps: Handicaps, weight: float, tabu: np.ndarray, iteration: int
) -> list[tuple[int, int, int]]:
    best, step = -np.inf, []
    for r in range(state.rounds):
        row = state.a[r]
        met = _met_elsewhere(state, r) if state.rounds > 1 else None
        for units in state.trading_units(r):
            if len(units) == 0:
                continue
            d = state.trade_matrix(r, units) + weight * handicaps.narrowing(row, state.T, units)
            free = (tabu[r, units] <= iteration).all(axis=1)
            ok = free[:, None] & free[None, :]
            if met is not None:
                ok &= _fits(*met, units, row[units[:, 0]])
            d = np.where(ok, d, -np.inf)
            u, v = np.unravel_index(int(np.argmax(d)), d.shape)
            if d[u, v] > best:
                best = float(d[u, v])
                s, t = int(row[units[u, 0]]), int(row[units[v, 0]])
                step = [(r, int(p), t) for p in units[u]] + [(r, int(q), s) for q in units[v]]
    return step


def _met_elsewhere(state: Seating, r: int) -> tuple[np.ndarray, np.ndarray]:
    # at[p, t]: how many at flight t of round r p meets in another round; and links[p, q]: whether
    # p and q meet in another round. Balancing must not seat them together again.
    row = state.a[r]
    links = ((state.meets - (row[:, None] == row[None, :])) > 0).astype(float)
    onehot = np.zeros((state.n, state.T))
    onehot[state.index, row] = 1.0
    return links @ onehot, links


def _between(x: np.ndarray, units: np.ndarray) -> np.ndarray:
    # [u, v]: the sum of x[p, q] over p in unit u and q in unit v.
    return x[units].sum(axis=1)[:, units].sum(axis=2)


def _fits(at: np.ndarray, links: np.ndarray, units: np.ndarray, table: np.ndarray) -> np.ndarray:
    # [u, v]: after u and v trade tables, nobody sits with someone they are linked to (keep-apart
    # partners, players met in another round), given at[p, t]: p's links at table t.
    fits = at[units].sum(axis=1)[:, table] == _between(links, units)
    return fits & fits.T
