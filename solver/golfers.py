"""Social Golfer Problem: groups of golfers over rounds so that no two golfers play together twice.

Golfers are numbered 0..n-1. Where the shape allows, a schedule is computed from an algebraic
design (affine geometries over finite fields, Kirkman triple systems, packings of subspaces, lines
of projective 3-space, the Hermitian unital on 28, the round-robin circle). Otherwise, and for the
rounds a design cannot supply, rounds are filled greedily (Triska & Musliu's "freedom") and
improved by a tabu search in the style of Dotu & Van Hentenryck ("Scheduling social golfers
locally", CPAIOR 2005) that swaps golfers between groups of one round, always moving a golfer who
meets someone again. flight_schedule does the same for groups of uneven sizes (a golf day in
fours and threes), with the search alone.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from math import comb

import numpy as np
from ortools.sat.python import cp_model

from solver.bounds import distinct_pairs_most
from solver.model import (
    MAX_ROUNDS,
    Problem,
    Progress,
    ProgressCallback,
    Result,
    Status,
    StopCallback,
)

# A schedule under construction: schedule[r][t] lists the golfers in group t of round r.
Rounds = list[list[list[int]]]

MAX_GOLFERS = 2048  # the search keeps golfers x golfers matrices, one per round for tabu
MAX_FIELD = 1024  # finite fields are tabulated: q*q entries
MAX_SUBSPACES = 3000  # the subspace packing model gets one variable per subspace
MAX_UNITAL_Q = 3  # CP-SAT splits q = 3 (28 golfers) at once; q = 4 (65) took it 57 s
QUICK_SEARCH = 0.1  # share of the time limit the search has before a rotational design is sought
MAX_ROTATIONAL_GOLFERS = 120  # the base-round model has a variable per pair of golfers
MAX_ROTATIONAL_ORDER = 3  # the base round may be mapped onto itself by a shift of order 2 or 3
ROTATIONAL_SHARE, ROTATIONAL_SECONDS = 0.5, 30.0  # of the time left, for the rotational models
MAX_PROJECTIVE_Q = 3  # q = 3 (40 golfers) splits in 0.1 s; q = 4 (85) not in 60 s


def social_golfer_schedule(
    groups: int,
    size: int,
    rounds: int,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    stop: StopCallback | None = None,
    constructions: bool = True,
) -> Result:
    """Schedule groups*size golfers into `groups` groups of `size` for `rounds` rounds.

    Minimises repeated pairings: Result.repeats is the sum over pairs of (times met - 1), and
    Result.objective the number of distinct pairs that meet, bounded by what the rounds can
    hold less the repeats that groups larger than their number force (bound_kind
    "pair-count"). The status is OPTIMAL when that bound is reached or no pair meets twice,
    FEASIBLE otherwise; shapes that cannot exist are INFEASIBLE with a message.
    The same arguments and seed give the same schedule whenever it is found before the time
    limit (designs always are); a search cut short by `time_limit` or `stop` returns its best
    so far, which depends on the machine's speed. `progress` hears of the best value and the
    bound about 4 times a second. `constructions=False` skips the algebraic designs and uses
    the search alone (for benchmarking the search).
    """
    for name, value in (("groups", groups), ("golfers per group", size)):
        if isinstance(value, bool) or not isinstance(value, int):
            return _refusal(f"The number of {name} must be a whole number, not {value!r}.")
        if value < 1:
            return _refusal(f"The number of {name} must be at least 1 (got {value}).")
    return flight_schedule(
        [size] * groups,
        rounds,
        time_limit=time_limit,
        seed=seed,
        progress=progress,
        stop=stop,
        constructions=constructions,
    )


def flight_schedule(
    flights: Sequence[int],
    rounds: int,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    stop: StopCallback | None = None,
    constructions: bool = True,
) -> Result:
    """Like social_golfer_schedule, for flights of the given sizes, which may differ (14 players
    play as flight_sizes(14) = [4, 4, 3, 3]): golfers 0..sum(flights)-1, and Result.rounds[r][t]
    holds flights[t] golfers. Designs apply when all flights are one size; else the search."""
    started = time.perf_counter()
    message = _shape_problem(flights, rounds)
    if message:
        return _refusal(message)
    sizes = [int(s) for s in flights]
    deadline = started + max(0.0, time_limit)
    golfers, meetings_held = sum(sizes), rounds * sum(comb(s, 2) for s in sizes)
    bound = distinct_pairs_most(Problem(golfers, tuple(sizes), rounds))

    method, designed = "none", []
    if constructions and len(set(sizes)) == 1:
        method, designed = _design(len(sizes), sizes[0], rounds, seed, deadline)
    designed = designed[:rounds]
    stats: dict = {"method": method, "designed_rounds": len(designed)}
    if len(designed) == rounds:
        schedule = np.array([_groups_of(round_, golfers) for round_ in designed], dtype=np.int64)
    else:
        search = _TabuSearch(sizes, rounds, designed, seed)
        target = meetings_held - bound  # repeats no schedule can avoid
        stats["method"] = method + "+tabu" if designed else "tabu"
        # The search settles most shapes in moments; only where it has not is a rotational
        # design sought (CP-SAT, up to 10 s), and failing that the search goes on.
        quick = min(deadline, started + QUICK_SEARCH * max(0.0, time_limit))
        schedule = search.run(quick, target, bound, started, progress, stop)
        left = _repeats(_meetings(schedule, search.slots))
        if left > target:
            rotated = []
            stopped = stop is not None and stop()
            if constructions and len(set(sizes)) == 1 and not stopped:
                rotated = _rotational(len(sizes), sizes[0], rounds, seed, deadline)
            if rotated:
                schedule = np.array([_groups_of(r, golfers) for r in rotated], dtype=np.int64)
                stats["method"] = "rotational"
            else:  # a fresh start: going on from a schedule stuck at 1 repeat measured worse
                again = search.run(deadline, target, bound, started, progress, stop)
                if _repeats(_meetings(again, search.slots)) < left:
                    schedule = again
        stats.update(search.stats)

    result_rounds = _as_rounds(schedule, len(sizes))
    repeats, objective = count_repeats(result_rounds, golfers)
    status = Status.OPTIMAL if repeats == 0 or objective >= bound else Status.FEASIBLE
    seconds = time.perf_counter() - started
    if progress is not None:
        progress(Progress(best=objective, bound=bound, elapsed=seconds))
    return Result(
        rounds=result_rounds,
        objective=objective,
        upper_bound=bound,
        bound_kind="pair-count",
        status=status,
        seconds=seconds,
        people_without_match=_alone(result_rounds),
        repeats=repeats,
        stats=stats,
    )


def _refusal(message: str) -> Result:
    return Result((), 0, 0, "pair-count", Status.INFEASIBLE, 0.0, message=message)


def _alone(rounds: tuple[tuple[tuple[int, ...], ...], ...]) -> int:
    """Golfers who play alone in some round."""
    return len({group[0] for round_ in rounds for group in round_ if len(group) == 1})


def count_repeats(rounds: Rounds | tuple, golfers: int) -> tuple[int, int]:
    """(repeats, distinct pairs) of a schedule: repeats sums (times met - 1) over pairs that met."""
    met = np.zeros((golfers, golfers), dtype=np.int64)
    for round_ in rounds:
        for group in round_:
            members = np.asarray(group, dtype=np.int64)
            met[np.ix_(members, members)] += 1
    np.fill_diagonal(met, 0)
    upper = met[np.triu_indices(golfers, 1)]
    return int(np.maximum(upper - 1, 0).sum()), int(np.count_nonzero(upper))


def _shape_problem(flights: Sequence[int], rounds: int) -> str:
    """Why no schedule of this shape can exist, or "" when one can."""
    if isinstance(rounds, bool) or not isinstance(rounds, int):
        return f"The number of rounds must be a whole number, not {rounds!r}."
    if rounds < 1:
        return f"The number of rounds must be at least 1 (got {rounds})."
    if rounds > MAX_ROUNDS:
        return f"A schedule can have at most {MAX_ROUNDS} rounds, not {rounds}."
    if not flights:
        return "There must be at least one group."
    for t, size in enumerate(flights):
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            return f"Group {t + 1} must hold a whole number of golfers, at least 1 (got {size!r})."
    if sum(flights) > MAX_GOLFERS:
        return f"{sum(flights)} golfers is more than this planner handles ({MAX_GOLFERS})."
    return ""


def _groups_of(round_: list[list[int]], golfers: int) -> list[int]:
    """Per golfer, the index of their group in this round."""
    group_of = [-1] * golfers
    for t, group in enumerate(round_):
        for golfer in group:
            group_of[golfer] = t
    return group_of


def _as_rounds(schedule: np.ndarray, groups: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Group-of-golfer rows to groups (in group order, so group t keeps its size)."""
    return tuple(
        tuple(tuple(int(g) for g in np.flatnonzero(row == t)) for t in range(groups))
        for row in schedule
    )


# ---------------------------------------------------------------------------------------------
# Finite fields


def _prime_power(q: int) -> tuple[int, int] | None:
    """(p, m) with q = p**m for a prime p, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    m = 0
    while q % p == 0:
        q //= p
        m += 1
    return (p, m) if q == 1 else None


class GaloisField:
    """GF(q), q = p**m, as tables. Element e stands for the polynomial whose coefficient of x**i
    is the i-th base-p digit of e; multiplication goes through discrete logarithms to x, which a
    primitive modulus makes a generator of the multiplicative group."""

    def __init__(self, q: int) -> None:
        power = _prime_power(q)
        if power is None or q > MAX_FIELD:
            raise ValueError(f"No finite field of order {q} here: it must be a prime power.")
        self.q = q
        self.p, self.m = power
        digits = np.array([[(e // self.p**i) % self.p for i in range(self.m)] for e in range(q)])
        weights = self.p ** np.arange(self.m)
        self.add = ((digits[:, None, :] + digits[None, :, :]) % self.p) @ weights
        self.neg = ((-digits) % self.p) @ weights
        self.exp = self._powers_of_x()
        self.log = np.zeros(q, dtype=np.int64)
        self.log[self.exp] = np.arange(q - 1)
        logs = (self.log[1:, None] + self.log[None, 1:]) % (q - 1)
        self.mul = np.zeros((q, q), dtype=np.int64)
        self.mul[1:, 1:] = self.exp[logs]

    def _powers_of_x(self) -> np.ndarray:
        """1, x, x**2, ... modulo the first monic degree-m polynomial for which x is primitive."""
        p, m, q = self.p, self.m, self.q
        for low in itertools.product(range(p), repeat=m):
            if low[0] == 0:
                continue
            powers, coefficients = [], [1] + [0] * (m - 1)
            for _ in range(q - 1):
                powers.append(sum(c * p**i for i, c in enumerate(coefficients)))
                top = coefficients[-1]
                # multiply by x, then replace x**m by -(low[0] + low[1] x + ...)
                coefficients = [0] + coefficients[:-1]
                coefficients = [(c - top * f) % p for c, f in zip(coefficients, low, strict=True)]
            if len(set(powers)) == q - 1:
                return np.array(powers, dtype=np.int64)
        raise AssertionError(f"GF({q}) has a primitive polynomial of degree {m}")


# ---------------------------------------------------------------------------------------------
# Designs: each returns as many rounds as it can (possibly more than asked), [] when it does not
# apply. Every round is a list of groups, every group a list of golfers.


def _design(groups: int, size: int, rounds: int, seed: int, deadline: float) -> tuple[str, Rounds]:
    """The best algebraic design for this shape: its name and its rounds."""
    golfers = groups * size
    if size == 1 or groups == 1:
        # Nobody can meet anyone new (size 1) or everyone meets everyone in round 1 (one group).
        return "trivial", [[list(range(t * size, (t + 1) * size)) for t in range(groups)]] * rounds
    candidates = [
        ("round-robin", lambda: _round_robin(golfers) if size == 2 else []),
        ("affine-geometry", lambda: _affine_geometry(groups, size)),
        ("kirkman", lambda: _kirkman(groups) if size == 3 else []),
        ("subspace-packing", lambda: _subspace_packing(groups, size, rounds, seed, deadline)),
        ("unital", lambda: _unital(groups, size, seed, deadline)),
        ("projective-space", lambda: _projective_space(groups, size, seed, deadline)),
    ]
    best: tuple[str, Rounds] = ("none", [])
    for name, build in candidates:
        found = build()
        if len(found) > len(best[1]):
            best = (name, found)
        if len(best[1]) >= rounds:
            break
    return best


def _round_robin(golfers: int) -> Rounds:
    """Pairs for golfers-1 rounds by the circle method: golfer 0 stays, the others rotate."""
    others = golfers - 1
    result = []
    for r in range(others):
        pairs = [[0, 1 + r]]
        for k in range(1, golfers // 2):
            pairs.append([1 + (r + k) % others, 1 + (r - k) % others])
        result.append(pairs)
    return result


def _affine_geometry(groups: int, size: int) -> Rounds:
    """Lines of AG(d, q) for q = size and q**d golfers: (q**d - 1)/(q - 1) rounds.

    Each round is a direction; its groups are the parallel lines {P + t*direction}. Two golfers
    share a line in exactly one direction, so no pair ever repeats. d = 2 is the affine plane.
    """
    q, golfers = size, groups * size
    d = 1
    while q**d < golfers:
        d += 1
    if q**d != golfers or d < 2 or _prime_power(q) is None or q > MAX_FIELD:
        return []
    field = GaloisField(q)
    points = np.array(list(itertools.product(range(q), repeat=d)))  # golfer i = points[i]
    index = {tuple(point): i for i, point in enumerate(points)}
    result = []
    for direction in points[1:]:
        if direction[np.flatnonzero(direction)[0]] != 1:
            continue  # one direction per line through the origin: first nonzero coordinate 1
        seen = np.zeros(golfers, dtype=bool)
        round_ = []
        for start in range(golfers):
            if seen[start]:
                continue
            steps = field.mul[np.arange(q)[:, None], direction[None, :]]  # t*direction, all t
            line = [index[tuple(field.add[points[start], step])] for step in steps]
            seen[line] = True
            round_.append(sorted(line))
        result.append(round_)
    return result


def _kirkman(groups: int) -> Rounds:
    """A Kirkman triple system on 3q golfers, q a prime power = 1 (mod 6): (3q - 1)/2 rounds.

    The construction for KTS(3q) (Ray-Chaudhuri & Wilson's setting; as stated by Anders Kaseorg
    on codegolf.stackexchange.com/q/251041): golfers are (x, j) with x in GF(q) and j in
    {0, 1, 2}; with g primitive and q = 6t + 1, a base round C is shifted by every x in GF(q),
    and 3t further rounds are the translates of one "mixed" triple each.
    """
    q = groups
    if q % 6 != 1 or _prime_power(q) is None or q > MAX_FIELD:
        return []
    field, t = GaloisField(q), (q - 1) // 6

    def power(i: int) -> int:
        return int(field.exp[i % (q - 1)])

    def golfer(x: int, j: int) -> int:
        return j * q + x

    def mixed(i: int) -> list[tuple[int, int]]:
        return [(power(i), 0), (power(i + 2 * t), 1), (power(i + 4 * t), 2)]

    base = [[(0, 0), (0, 1), (0, 2)]]
    base += [[(power(i + k * t), j) for k in (0, 2, 4)] for i in range(t) for j in range(3)]
    base += [mixed(i) for i in range(6 * t) if (i // t) % 2 == 1]

    def shifted(block: list[tuple[int, int]], s: int) -> list[int]:
        return sorted(golfer(int(field.add[x, s]), j) for x, j in block)

    result = [[shifted(block, s) for block in base] for s in range(q)]
    for i in range(6 * t):
        if (i // t) % 2 == 0:
            result.append([shifted(mixed(i), s) for s in range(q)])
    return result


def _subspace_packing(groups: int, size: int, rounds: int, seed: int, deadline: float) -> Rounds:
    """Rounds from k-dimensional subspaces of GF(p)^n that pairwise meet only in 0.

    For p**n golfers in groups of p**k, each such subspace U gives a round whose groups are the
    cosets of U; golfers x and y meet in that round iff x - y lies in U. So subspaces that share
    no nonzero vector never repeat a pair. CP-SAT picks as many as it can, up to `rounds` (for
    32 golfers in groups of 4: 9, the largest partial spread of lines in PG(4, 2)).
    """
    golfers = groups * size
    field_shape, group_shape = _prime_power(golfers), _prime_power(size)
    if field_shape is None or group_shape is None or field_shape[0] != group_shape[0]:
        return []
    p, n = field_shape
    k = group_shape[1]
    subspaces = _subspaces(p, n, k, MAX_SUBSPACES)
    if not subspaces:
        return []
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"u{i}") for i in range(len(subspaces))]
    holders: dict[int, list] = {}
    for var, subspace in zip(chosen, subspaces, strict=True):
        for vector in subspace:
            if vector:
                holders.setdefault(vector, []).append(var)
    for vars_ in holders.values():
        model.add_at_most_one(vars_)
    model.add(sum(chosen) <= rounds)
    model.maximize(sum(chosen))
    solver = _solved(model, seed, _design_seconds(deadline))
    if solver is None:
        return []
    result = []
    for var, subspace in zip(chosen, subspaces, strict=True):
        if solver.value(var):
            cosets = {
                tuple(sorted(_add_vectors(x, u, p) for u in subspace)) for x in range(golfers)
            }
            result.append([list(c) for c in sorted(cosets)])
    return result


def _unital(groups: int, size: int, seed: int, deadline: float) -> Rounds:
    """The Hermitian unital for q = size - 1 a prime power, split into q**2 rounds.

    Its q**3 + 1 golfers are the points [x:y:z] of the projective plane over GF(q**2) with
    x**(q+1) + y**(q+1) + z**(q+1) = 0; a line meeting them in q + 1 points makes a group, and
    two golfers share exactly one such line. The design is resolvable, and _resolution finds the
    rounds: 28 golfers in groups of 4 get 9.
    """
    q = size - 1
    if _prime_power(q) is None or q > MAX_UNITAL_Q or groups * size != q**3 + 1:
        return []
    field = GaloisField(q * q)
    norm = np.zeros(field.q, dtype=np.int64)  # x -> x**(q+1)
    norm[1:] = field.exp[(field.log[1:] * (q + 1)) % (field.q - 1)]
    points = _projective_points(field, 3)
    on_unital = field.add[field.add[norm[points[:, 0]], norm[points[:, 1]]], norm[points[:, 2]]]
    golfers = points[on_unital == 0]  # golfer i is golfers[i]
    blocks = []
    for line in points:  # lines are projective points too: [a:b:c] holds ax + by + cz = 0
        products = field.mul[golfers, line[None, :]]
        on_line = field.add[field.add[products[:, 0], products[:, 1]], products[:, 2]] == 0
        if on_line.sum() == size:
            blocks.append(np.flatnonzero(on_line).tolist())
    return _resolution(blocks, len(golfers), q * q, seed, deadline)


def _projective_space(groups: int, size: int, seed: int, deadline: float) -> Rounds:
    """Lines of the projective space PG(3, q), q = size - 1 a prime power, split into q**2 + q + 1
    rounds (a packing of spreads, which exists for every q).

    Its (q + 1)(q**2 + 1) golfers are the points; two lie on exactly one line of q + 1. So 15
    schoolgirls (q = 2) walk in threes for 7 days, and 40 golfers (q = 3) play in fours for 13.
    """
    q = size - 1
    if _prime_power(q) is None or q > MAX_PROJECTIVE_Q or groups * size != (q + 1) * (q * q + 1):
        return []
    field = GaloisField(q)
    points = _projective_points(field, 4)
    index = {tuple(point): i for i, point in enumerate(points)}
    lines = set()
    for a, b in itertools.combinations(range(len(points)), 2):
        # The line through a and b: a + t*b for every t, and b itself.
        line = {b}
        for t in range(q):
            point = field.add[points[a], field.mul[t, points[b]]]
            lead = point[np.flatnonzero(point)[0]]
            line.add(index[tuple(field.mul[field.exp[-field.log[lead] % (q - 1)], point])])
        lines.add(tuple(sorted(line)))
    return _resolution(
        [list(line) for line in sorted(lines)], len(points), q * q + q + 1, seed, deadline
    )


def _rotational(groups: int, size: int, rounds: int, seed: int, deadline: float) -> Rounds:
    """A 1-rotational schedule, when CP-SAT finds one in time: one base round, shifted.

    Golfers are (x, row) for x in Z_m, m = h * rounds, plus a few fixed golfers ("infinities");
    round t is the base round with every x moved to x + t, fixed golfers staying put. With h > 1
    the base round is mapped onto itself by x -> x + rounds (which takes the last round on to
    the first), the shape of the classical 1-rotational Kirkman triple systems (33 golfers in
    threes for 16 rounds: Z_32 and one fixed golfer) and of 52 golfers in fours for 17 rounds
    (Z_51, h = 3). A kind of pair (rows k and l, difference up to sign) with o members then
    comes round (pairs of that kind in the base round) * rounds / o times, so the base round
    takes at most o / rounds of each kind.
    """
    golfers = groups * size
    if rounds < 2 or golfers > MAX_ROTATIONAL_GOLFERS:
        return []
    shapes = []
    for h in range(1, MAX_ROTATIONAL_ORDER + 1):
        m = h * rounds
        for fixed in range(min(groups, golfers) + 1):
            rows, rest = divmod(golfers - fixed, m)
            # A fixed golfer meets each row's golfers in at most h of the base round's places.
            # With h > 1, its group holds whole orbits of h golfers, and the other groups
            # move in cycles of h.
            if rest or (fixed and rows * h < size - 1):
                continue
            if h > 1 and ((groups - fixed) % h or (fixed and (size - 1) % h)):
                continue
            # Each kind of pair holds at most h pairs of the base round (half as many when the
            # two are half the cycle apart in one row, fixed golfers with each row h).
            room = rows * ((m - 1) // 2 * h + (h // 2 if m % 2 == 0 else 0))
            room += comb(rows, 2) * m * h + fixed * rows * h
            if groups * comb(size, 2) <= room:
                shapes.append((h, fixed, rows))
    # Larger h and more fixed golfers leave fewer free choices: CP-SAT settles those sooner.
    shapes.sort(key=lambda shape: (-shape[0], -shape[1]))
    end = time.perf_counter() + _design_seconds(deadline, ROTATIONAL_SHARE, ROTATIONAL_SECONDS)
    for k, (h, fixed, rows) in enumerate(shapes):
        share = (end - time.perf_counter()) / (len(shapes) - k)
        base = _rotational_base(groups, size, rounds, h, fixed, rows, seed, share)
        if base is not None:
            return [
                [sorted(_shifted(g, t, h * rounds, rows) for g in group) for group in base]
                for t in range(rounds)
            ]
    return []


def _rotational_base(
    groups: int, size: int, rounds: int, h: int, fixed: int, rows: int, seed: int, time_limit: float
) -> list[list[int]] | None:
    # Golfer k*m + x is (x, k); golfers m*rows + j are the fixed ones, j in group j.
    m = h * rounds
    finite = m * rows
    model = cp_model.CpModel()
    x = [[model.new_bool_var("") for _ in range(groups)] for _ in range(finite + fixed)]
    for choices in x:
        model.add_exactly_one(choices)
    for b in range(groups):
        model.add(sum(x[g][b] for g in range(finite + fixed)) == size)
    for j in range(fixed):  # in group j, meeting each row in at most h places of the base round
        model.add(x[finite + j][j] == 1)
        for k in range(rows):
            model.add(sum(x[k * m + v][j] for v in range(m)) <= h)
    if h > 1:  # x -> x + rounds maps the base round onto itself: fixed groups stay, others cycle
        moved = [fixed + (b - fixed) // h * h + (b - fixed + 1) % h for b in range(fixed, groups)]
        image = list(range(fixed)) + moved
        for g in range(finite + fixed):
            for b in range(groups):
                model.add(x[_shifted(g, rounds, m, rows)][image[b]] == x[g][b])
    kinds: dict[tuple[int, int, int], list] = {}
    for a, b in itertools.combinations(range(finite), 2):
        (ka, va), (kb, vb) = divmod(a, m), divmod(b, m)
        gap = (vb - va) % m
        kind = (ka, kb, min(gap, m - gap) if ka == kb else gap)
        if ka == kb and 2 * gap == m and h < 2:  # this pair would come round twice
            for t in range(groups):
                model.add_bool_or([x[a][t].Not(), x[b][t].Not()])
            continue
        met = model.new_bool_var("")
        for t in range(groups):
            model.add_bool_or([x[a][t].Not(), x[b][t].Not(), met])
        kinds.setdefault(kind, []).append(met)
    for (ka, kb, gap), pairs in kinds.items():
        half = ka == kb and 2 * gap == m
        model.add(sum(pairs) <= (h // 2 if half else h))
    solver = _solved(model, seed, time_limit)
    if solver is None:
        return None
    return [[g for g in range(finite + fixed) if solver.value(x[g][t])] for t in range(groups)]


def _shifted(golfer: int, t: int, m: int, rows: int) -> int:
    if golfer >= m * rows:
        return golfer  # a fixed golfer
    row, x = divmod(golfer, m)
    return row * m + (x + t) % m


def _projective_points(field: GaloisField, dimension: int) -> np.ndarray:
    """The points of the projective space over the field, as vectors of `dimension` coordinates
    whose first nonzero one is 1."""
    vectors = itertools.product(range(field.q), repeat=dimension)
    return np.array([v for v in vectors if next((c for c in v if c), 0) == 1])


def _resolution(
    blocks: list[list[int]], golfers: int, rounds: int, seed: int, deadline: float
) -> Rounds:
    """The blocks of a design in which every golfer lies on `rounds` blocks, split by CP-SAT into
    that many rounds in which each golfer plays once; [] when none is found in time."""
    model = cp_model.CpModel()
    where = [[model.new_bool_var("") for _ in range(rounds)] for _ in blocks]
    for choices in where:
        model.add_exactly_one(choices)
    for golfer in range(golfers):
        mine = [b for b, block in enumerate(blocks) if golfer in block]
        for r in range(rounds):
            model.add_exactly_one(where[b][r] for b in mine)
        if golfer == 0:  # golfer 0 plays once a round: number the rounds by its groups
            for r, b in enumerate(mine):
                model.add(where[b][r] == 1)
    solver = _solved(model, seed, _design_seconds(deadline))
    if solver is None:
        return []
    result: Rounds = [[] for _ in range(rounds)]
    for block, choices in zip(blocks, where, strict=True):
        result[next(r for r, v in enumerate(choices) if solver.value(v))].append(block)
    return result


def _design_seconds(deadline: float, share: float = 1 / 3, most: float = 10.0) -> float:
    """What a design's CP-SAT model may spend: a share of the time left, at most `most` s."""
    return min(most, (deadline - time.perf_counter()) * share)


def _solved(model: cp_model.CpModel, seed: int, seconds: float) -> cp_model.CpSolver | None:
    """The solver after a run on one worker (deterministic, and the machine is shared), or None
    when it found no solution in time."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    found = solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return solver if found else None


def _add_vectors(x: int, y: int, p: int) -> int:
    """x + y in GF(p)^n, vectors written as base-p numbers."""
    total, place = 0, 1
    while x or y:
        total += ((x % p + y % p) % p) * place
        x, y, place = x // p, y // p, place * p
    return total


def _subspaces(p: int, n: int, k: int, limit: int) -> list[list[int]]:
    """All k-dimensional subspaces of GF(p)^n as lists of vectors, via their reduced row echelon
    bases; [] when 0 < k < n fails or there are more than `limit`."""
    if not 0 < k < n:
        return []
    result: list[list[int]] = []
    for pivots in itertools.combinations(range(n), k):
        free = [(row, col) for row, pivot in enumerate(pivots) for col in range(pivot + 1, n)]
        free = [(row, col) for row, col in free if col not in pivots]
        for values in itertools.product(range(p), repeat=len(free)):
            basis = [[0] * n for _ in range(k)]
            for row, pivot in enumerate(pivots):
                basis[row][pivot] = 1
            for (row, col), value in zip(free, values, strict=True):
                basis[row][col] = value
            vectors = []
            for coefficients in itertools.product(range(p), repeat=k):
                coords = [
                    sum(c * b[i] for c, b in zip(coefficients, basis, strict=True)) % p
                    for i in range(n)
                ]
                vectors.append(sum(c * p**i for i, c in enumerate(coords)))
            result.append(vectors)
            if len(result) > limit:
                return []
    return result


# ---------------------------------------------------------------------------------------------
# Tabu search


class _TabuSearch:
    """Swap two golfers of different groups in one round; one of them must meet someone again.

    Every such swap in every free round is scored at once with numpy from the meeting matrix;
    the best one that is not tabu (or beats the best schedule so far) is taken, ties broken at
    random. When the best schedule has not improved for a while, the search returns to it and
    shakes it with random swaps; every few shakes it restarts from a fresh greedy schedule.
    Groups may differ in size: group t always holds sizes[t] golfers.
    """

    STABLE = 400  # iterations without a new best before a shake
    SHAKES = 20  # shakes before a restart
    TENURE = (10, 20)  # a swap stays tabu for 10 + a random 0..19 iterations

    def __init__(self, sizes: list[int], rounds: int, designed: Rounds, seed: int) -> None:
        self.sizes, self.rounds = sizes, rounds
        self.groups, self.golfers = len(sizes), sum(sizes)
        self.slots = _slots(sizes)
        self.designed = [_groups_of(round_, self.golfers) for round_ in designed]
        self.rng = np.random.default_rng(seed)
        self.stats: dict = {"iterations": 0, "shakes": 0, "restarts": 0}
        # Designed rounds stay as they are. On large instances, a sample of the golfers who
        # meet someone again is scored per iteration, which keeps an iteration near 2M entries.
        self.max_movers = max(8, 2_000_000 // self.golfers)

    def run(
        self,
        deadline: float,
        target: int,
        bound: int,
        started: float,
        progress: ProgressCallback | None,
        stop: StopCallback | None,
    ) -> np.ndarray:
        """The best schedule (rounds x golfers: group index) found before the deadline."""
        n = self.golfers
        # meetings[a, b] for golfers a, b; row and column n stand for an empty seat
        meetings = np.zeros((n + 1, n + 1), dtype=np.int64)
        schedule = self._greedy()
        meetings[:n, :n] = _meetings(schedule, self.slots)
        cost = _repeats(meetings)
        best, best_cost = schedule.copy(), cost
        total = self.rounds * sum(comb(s, 2) for s in self.sizes)
        # tabu[r, a, b]: the iteration until which swapping a and b in round r is tabu
        tabu = np.zeros((self.rounds, n, n), dtype=np.int32)
        since_best, shakes, last_report = 0, 0, 0.0
        iteration = 0
        while best_cost > target:
            iteration += 1
            now = time.perf_counter()
            if now >= deadline or (stop is not None and stop()):
                break
            if progress is not None and now - last_report >= 0.25:
                last_report = now
                progress(Progress(best=total - best_cost, bound=bound, elapsed=now - started))
            move = self._best_swap(schedule, meetings, tabu, iteration, cost, best_cost)
            if move is not None:  # None: every useful swap is tabu, or this round is clean
                r, a, b, delta = move
                _swap(schedule, meetings, r, a, b)
                cost += delta
                tenure = self.TENURE[0] + int(self.rng.integers(0, self.TENURE[1]))
                tabu[r, a, b] = tabu[r, b, a] = iteration + tenure
                if cost < best_cost:
                    best, best_cost, since_best = schedule.copy(), cost, 0
                    continue
            since_best += 1
            if since_best >= self.STABLE:
                since_best, shakes = 0, shakes + 1
                if shakes % self.SHAKES == 0:
                    schedule = self._greedy()
                    self.stats["restarts"] += 1
                else:
                    schedule = self._shake(best.copy())
                    self.stats["shakes"] += 1
                meetings[:n, :n] = _meetings(schedule, self.slots)
                cost = _repeats(meetings)
                tabu[:] = 0
        self.stats["iterations"] += iteration
        return best

    def _best_swap(
        self,
        schedule: np.ndarray,
        meetings: np.ndarray,
        tabu: np.ndarray,
        iteration: int,
        cost: int,
        best_cost: int,
    ) -> tuple[int, int, int, int] | None:
        """(round, golfer, golfer, change in repeats) of the best allowed swap, or None."""
        n = self.golfers
        free = np.arange(len(self.designed), self.rounds)
        sched = schedule[free]  # free rounds x golfers: group
        members = _members(sched, self.slots)  # members[r, t]: group t of free round r
        mine = members[np.arange(len(free))[:, None], sched]  # mine[r, a]: a's group, a included
        met_once = meetings >= 1
        # leaves[r, a]: golfers in a's group whom a meets again; swapping a out frees those pairs
        leaves = (meetings[np.arange(n)[None, :, None], mine] >= 2).sum(axis=2)
        rs, movers = np.nonzero(leaves)  # only golfers who meet someone again are moved
        if not len(rs):
            return None
        if len(rs) > self.max_movers:
            keep = np.sort(self.rng.choice(len(rs), size=self.max_movers, replace=False))
            rs, movers = rs[keep], movers[keep]
        # joins[c, t]: golfers of group t whom mover c has met; b's group is the one c would join
        joins = met_once[movers[:, None, None], members[rs]].sum(axis=2)
        join_a = np.take_along_axis(joins, sched[rs], axis=1)
        # join_b[c, b]: golfers of mover c's group whom b has met; b would join that group
        join_b = met_once[mine[rs, movers]][:, :, :n].sum(axis=1)
        delta = join_a + join_b - 2 * met_once[movers, :n]  # the pair a, b itself never changes
        delta -= leaves[rs, movers][:, None] + leaves[rs]
        delta = delta.astype(np.float64)
        blocked = sched[rs] == sched[rs, movers][:, None]
        blocked |= (tabu[free[rs], movers] > iteration) & (cost + delta >= best_cost)
        delta[blocked] = np.inf
        lowest = delta.min()
        if not np.isfinite(lowest):
            return None
        choices = np.flatnonzero(delta == lowest)
        c, b = np.unravel_index(choices[self.rng.integers(len(choices))], delta.shape)
        return int(free[rs[c]]), int(movers[c]), int(b), int(lowest)

    def _greedy(self) -> np.ndarray:
        """Designed rounds, then each free round filled greedily (ties at random)."""
        schedule = np.zeros((self.rounds, self.golfers), dtype=np.int64)
        meetings = np.zeros((self.golfers, self.golfers), dtype=np.int64)
        for r in range(self.rounds):
            if r < len(self.designed):
                schedule[r] = self.designed[r]
            elif self.golfers <= 256:
                schedule[r] = self._freest_round(meetings)
            else:
                schedule[r] = self._quick_round(meetings)
            meetings += _meetings(schedule[r : r + 1], self.slots)
        return schedule

    def _freest_round(self, meetings: np.ndarray) -> np.ndarray:
        """One round, group by group, two golfers at a time: the pair that meets the fewest
        golfers again and, among those, leaves the most golfers who have met none of the group
        (its "freedom": Triska & Musliu, "An effective greedy heuristic for the Social Golfer
        Problem", 2012), so that later rounds still have partners to offer."""
        n = self.golfers
        unmet = meetings == 0
        np.fill_diagonal(unmet, False)
        unmet_f = unmet.astype(np.float64)
        clash_pair = (~unmet).astype(np.float64)
        np.fill_diagonal(clash_pair, 0)
        left = np.ones(n, dtype=bool)
        group_of = np.zeros(n, dtype=np.int64)
        for t, size in enumerate(self.sizes):
            members: list[int] = []
            open_ = np.ones(n, dtype=bool)  # golfers who have met nobody in the group yet
            clash = np.zeros(n)  # per golfer: members of the group they have met
            while len(members) < size:
                if size - len(members) >= 2:
                    freedom = (unmet_f * open_) @ unmet_f.T
                    score = (clash[:, None] + clash[None, :] + clash_pair) * (n + 1) - freedom
                    score += self.rng.random((n, n))  # below 1: only breaks ties
                    score[~left] = np.inf
                    score[:, ~left] = np.inf
                    np.fill_diagonal(score, np.inf)
                    picked = list(np.unravel_index(int(np.argmin(score)), score.shape))
                else:
                    score = clash * (n + 1) - unmet_f @ open_ + self.rng.random(n)
                    score[~left] = np.inf
                    picked = [int(np.argmin(score))]
                for golfer in picked:
                    members.append(int(golfer))
                    left[golfer] = False
                    open_ &= unmet[golfer]
                    clash += ~unmet[golfer]
            group_of[members] = t
        return group_of

    def _quick_round(self, meetings: np.ndarray) -> np.ndarray:
        """One round, group by group: each time the golfer who has met the fewest of the group."""
        left = np.ones(self.golfers, dtype=bool)
        group_of = np.zeros(self.golfers, dtype=np.int64)
        for t, size in enumerate(self.sizes):
            clash = self.rng.random(self.golfers)  # below 1: only breaks ties
            for _ in range(size):
                clash[~left] = np.inf
                golfer = int(np.argmin(clash))
                left[golfer], group_of[golfer] = False, t
                clash += meetings[golfer] > 0
        return group_of

    def _shake(self, schedule: np.ndarray) -> np.ndarray:
        """A few random swaps in the free rounds."""
        first = len(self.designed)
        if first >= self.rounds:
            return schedule
        for _ in range(1 + int(self.rng.integers(0, max(2, self.golfers // 8)))):
            r = int(self.rng.integers(first, self.rounds))
            a, b = self.rng.choice(self.golfers, size=2, replace=False)
            schedule[r, a], schedule[r, b] = schedule[r, b], schedule[r, a]
        return schedule


def _slots(sizes: list[int]) -> np.ndarray:
    """slots[t, k]: where the k-th golfer of group t sits when a round's golfers are sorted by
    group, or sum(sizes) (an empty seat) where group t has fewer than k + 1 golfers."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    k = np.arange(max(sizes))
    return np.where(k[None, :] < np.array(sizes)[:, None], starts[:, None] + k[None, :], sum(sizes))


def _members(schedule: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """members[r, t, k]: the k-th golfer of group t in round r; empty seats hold sum(sizes)."""
    golfers = schedule.shape[1]
    by_group = np.argsort(schedule, axis=1, kind="stable")
    padded = np.concatenate([by_group, np.full((len(schedule), 1), golfers)], axis=1)
    return padded[:, slots]


def _meetings(schedule: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """meetings[a, b]: rounds in which golfers a and b share a group (0 on the diagonal)."""
    golfers = schedule.shape[1]
    meetings = np.zeros((golfers + 1, golfers + 1), dtype=np.int64)
    for members in _members(schedule, slots):
        np.add.at(meetings, (members[:, :, None], members[:, None, :]), 1)
    np.fill_diagonal(meetings, 0)
    return meetings[:golfers, :golfers]


def _repeats(meetings: np.ndarray) -> int:
    return int(np.maximum(meetings - 1, 0).sum()) // 2


def _swap(schedule: np.ndarray, meetings: np.ndarray, r: int, a: int, b: int) -> None:
    """Swap golfers a and b in round r, updating the meeting matrix in place."""
    group_a, group_b = schedule[r, a], schedule[r, b]
    with_a = np.flatnonzero(schedule[r] == group_a)
    with_a = with_a[with_a != a]
    with_b = np.flatnonzero(schedule[r] == group_b)
    with_b = with_b[with_b != b]
    for golfer, leaving, joining in ((a, with_a, with_b), (b, with_b, with_a)):
        meetings[golfer, leaving] -= 1
        meetings[leaving, golfer] -= 1
        meetings[golfer, joining] += 1
        meetings[joining, golfer] += 1
    schedule[r, a], schedule[r, b] = group_b, group_a
