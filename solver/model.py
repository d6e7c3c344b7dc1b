"""Typed inputs and outputs of the solver. People are numbered 0..n-1, tables by their index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):  # noqa: UP042 (str() gives the value on every Python)
    OPTIMAL = "optimal"  # proven: the objective equals the upper bound
    FEASIBLE = "feasible"  # a valid plan; the bound says how far from optimal it may be
    INFEASIBLE = "infeasible"  # the rules cannot all hold; Result.message says which and why
    UNKNOWN = "unknown"  # no plan found within the time limit, yet not proven impossible


@dataclass(frozen=True)
class Fixed:
    """Person sits at table in the given round (0-based), or in every round when round is None."""

    person: int
    table: int
    round: int | None = None


MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit signed integer
MAX_ROUNDS = 100  # far beyond any event; the solver's arrays grow with the rounds
MAX_PEOPLE = 5000  # its pair matrices grow with the square: 5,000 people take 0.85 GB
BALANCE_BUDGET = 0.05  # golf: by default, balancing handicaps may give up 5% of the objective


@dataclass(frozen=True)
class Problem:
    """Seat `people` at `tables` (their capacities, in order) once in each of `rounds` rounds.

    The objective is the total value of the distinct pairs who share a table in at least one
    round: meeting the same person again earns nothing. `weights` holds (i, j, value) with
    i < j; pairs not listed are worth `base_value` (1 for golf, where any new acquaintance counts;
    0 for dinners, where only complementary pairs do).
    """

    people: int
    tables: tuple[int, ...]
    rounds: int = 1
    weights: tuple[tuple[int, int, float], ...] = ()
    base_value: float = 0.0
    together: tuple[tuple[int, int], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()
    fixed: tuple[Fixed, ...] = ()
    min_sizes: tuple[int, ...] | None = None
    hosts: frozenset[int] = frozenset()  # at most one host per table
    handicaps: tuple[float | None, ...] | None = None  # golf: keep flights balanced
    balance_budget: float = BALANCE_BUDGET

    def __post_init__(self) -> None:
        if not 0 <= self.people <= MAX_PEOPLE:
            raise ValueError(f"A plan is for 0 to {MAX_PEOPLE} people, not {self.people}.")
        if self.rounds < 1:
            raise ValueError("There must be at least one round.")
        if self.rounds > MAX_ROUNDS:
            raise ValueError(f"A plan can have at most {MAX_ROUNDS} rounds, not {self.rounds}.")
        if any(not 1 <= c <= MAX_PEOPLE for c in self.tables):
            raise ValueError(f"Every table needs a capacity from 1 to {MAX_PEOPLE}.")
        if self.min_sizes is not None and len(self.min_sizes) != len(self.tables):
            raise ValueError("min_sizes needs one entry per table.")
        if not 0 <= self.balance_budget <= 1:
            raise ValueError("balance_budget is a share of the objective, from 0 to 1.")
        for i, j, _ in self.weights:
            if not (0 <= i < j < self.people):
                raise ValueError(f"Weight pair ({i}, {j}) must satisfy 0 <= i < j < people.")
        for f in self.fixed:
            if not (0 <= f.person < self.people and 0 <= f.table < len(self.tables)):
                raise ValueError(f"Fixed seat {f} names a person or table that does not exist.")
            if f.round is not None and not (0 <= f.round < self.rounds):
                raise ValueError(f"Fixed seat {f} names a round that does not exist.")


@dataclass(frozen=True)
class Progress:
    best: float  # value of the best plan found so far
    bound: float  # upper bound on any plan's value
    elapsed: float  # seconds since the solve started


@dataclass(frozen=True)
class Result:
    # rounds[r][t] lists the people at table t in round r.
    rounds: tuple[tuple[tuple[int, ...], ...], ...]
    objective: float
    upper_bound: float
    bound_kind: str  # which bound was used, e.g. "per-person", "lp", "cp-sat"
    status: Status
    seconds: float
    # People who, in some round, have no pair of positive value at their table.
    people_without_match: int = 0
    repeats: int = 0  # pair meetings beyond the first
    message: str = ""  # why the problem is infeasible, naming people and rules
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)


ProgressCallback = Callable[[Progress], None]
StopCallback = Callable[[], bool]  # returns True when the caller wants the solve to stop early
