"""Two tables over one or two rounds: try every seating, so the best plan is proven by the search.

A round at two tables is a set of people, bit p for person p: those at the first table. Let
cut[m] be the value of the pairs the set m splits. A pair that never meets is split by both
rounds' sets a and b, so not by a ^ b (the people who changed table); a pair split by one of
them only is split by a ^ b too. Summing over the pairs, those who never meet are worth
(cut[a] + cut[b] - cut[a ^ b]) / 2, so with the cuts of every set at hand, each pair of
seatings costs one lookup.
"""

from __future__ import annotations

import math
import time

import numpy as np

from solver.model import Problem, StopCallback
from solver.search import EPS

MAX_PEOPLE = 20  # the cuts of every set of people: 2^20 of them take 8 MB
# Pairs of seatings compared, at most: about 3 s on this machine. Sixteen people at two tables of
# eight have 6,435 seatings (person 0 at the first table), so 21 million pairs (0.2 s);
# eighteen at two tables of nine, 295 million.
MOST_PAIRS = 3e8
BLOCK = 256  # first-round seatings compared at once with every second-round one


def two_table_plan(
    problem: Problem, values: np.ndarray, deadline: float, stop: StopCallback
) -> np.ndarray | None:
    """The best plan a[round, person] -> table of a dinner at two tables over one or two rounds,
    among those that keep every rule; None for other shapes, when no seating keeps the rules,
    when there are too many seatings to try, or when stop() or the deadline comes first."""
    n = problem.people
    if len(problem.tables) != 2 or problem.rounds > 2 or not 2 <= n <= MAX_PEOPLE:
        return None
    seatings = _seatings(problem)
    counts = [len(s) for s in seatings]
    same = problem.rounds == 2 and np.array_equal(*seatings)  # then (a, b) and (b, a) are one plan
    if 0 in counts or math.prod(counts) / (2 if same else 1) > MOST_PAIRS:
        return None
    cut = _cuts(values)
    if problem.rounds == 1:
        chosen = [seatings[0][np.argmin(cut[seatings[0]])]]
    else:
        first, second = seatings
        best, chosen = np.inf, None
        for start in range(0, len(first), BLOCK):
            if stop() or time.perf_counter() > deadline:
                return None
            a = first[start : start + BLOCK]
            b = second[start:] if same else second
            never = cut[a][:, None] + cut[b][None, :] - cut[a[:, None] ^ b[None, :]]
            i, j = np.unravel_index(np.argmin(never), never.shape)
            if never[i, j] < best - EPS:
                best, chosen = never[i, j], [a[i], b[j]]
    bits = np.arange(n)
    return np.array([np.where((m >> bits) & 1, 0, 1) for m in chosen], dtype=np.int64)


def _cuts(values: np.ndarray) -> np.ndarray:
    """cut[m]: the value of the pairs with one person in the set m (bit p for person p) and one
    out of it, for every set, built person by person."""
    cut = np.zeros(1)
    for k in range(len(values)):
        # Person k joins each set m of people 0..k-1 or stays out: towards[m] is k's value
        # with the people in m, and total - towards[m] with those out of it.
        towards = np.zeros(1)
        for p in range(k):
            towards = np.concatenate([towards, towards + values[k, p]])
        total = values[k, :k].sum()
        cut = np.concatenate([cut + towards, cut + total - towards])
    return cut


def _seatings(problem: Problem) -> list[np.ndarray]:
    """Per round, every set of people who may sit at the first table, the others at the second,
    under the capacities, minimum sizes and rules. Where the two tables are alike and no seat is
    fixed, only the sets holding person 0: the others are the same seatings mirrored."""
    n = problem.people
    masks = np.arange(1 << n, dtype=np.int64)
    size = np.bitwise_count(masks)
    (cap0, cap1), low = problem.tables, problem.min_sizes or (0, 0)
    ok = (size >= max(low[0], n - cap1)) & (size <= min(cap0, n - low[1]))

    def at_first(p: int) -> np.ndarray:
        return (masks >> p) & 1 == 1

    for i, j in problem.together:
        ok &= at_first(i) == at_first(j)
    for i, j in problem.apart:
        ok &= at_first(i) != at_first(j)
    if len(problem.hosts) > 1:
        hosts = sum(1 << h for h in problem.hosts)
        first = np.bitwise_count(masks & hosts)
        ok &= (first <= 1) & (len(problem.hosts) - first <= 1)
    if cap0 == cap1 and low[0] == low[1] and not problem.fixed:
        ok &= at_first(0)
    rounds = []
    for r in range(problem.rounds):
        fits = ok.copy()
        for f in problem.fixed:
            if f.round in (None, r):
                fits &= at_first(f.person) == (f.table == 0)
        rounds.append(masks[fits])
    return rounds
