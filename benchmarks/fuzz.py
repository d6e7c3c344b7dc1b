"""Random problems and events through the whole solver, every result checked against its rules:
the long run of what `make test` samples (the mid-size and random-event tests of tests/solver).

    python -m benchmarks.fuzz                      # seeds 0-99 of each kind, 2 s a solve
    python -m benchmarks.fuzz --kinds seat --seeds 100-299 --time-limit 1

Kinds: `seat` (solve() on a Problem of 2-420 people with any mix of rules), `event` (a plan for
a random event file's dinner or golf day), `golf` (a Social Golfer schedule of a random shape),
`input` (an INSTANCE.json and an event file with a few entries broken: each must be refused with a
ValueError in words, or, where it is still valid, solved and checked like the rest).
A result is wrong when it breaks a rule, miscounts its objective or repeats, claims "optimal"
without reaching its bound, lets another run's plan beat its bound (seat, up to 24 people: two
seeds), refuses a request CP-SAT then seats (seat, up to 60 people), or names no rule when it
refuses. "Unknown" answers and runs past 1.2 x the limit + 0.5 s are counted too. Each finding
prints on a line of its own with the command that repeats it; the exit status is 1 when any
result was wrong or crashed.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np

from solver.evaluate import assignment_of, score, value_matrix, violations
from solver.event import EventPlan, broken_rules, session_problem, solve_event_session
from solver.exact import seat_by_rules
from solver.golfers import count_repeats, flight_schedule
from solver.instance import problem_from_json, problem_to_json
from solver.model import Fixed, Problem, Result, Status
from solver.seating import solve

SIZES = ((2, 12), (13, 24), (25, 150), (280, 420))  # the solver's paths: tiny, exact, memetic, ILS
AUDIT_PEOPLE = 24  # up to this, a second seed's run checks the first's bound and proof
REFUSAL_CHECK_PEOPLE = 60  # up to this, CP-SAT looks for a plan the solver said cannot exist
REFUSAL_CHECK_SECONDS = 20.0
EPS = 1e-6
PROBLEMS = ("wrong", "crash", "unknown", "overran")


def problem(seed: int) -> Problem:
    """A dinner or golf day of one of SIZES, at uneven tables, with seats to spare or not, and
    each kind of rule present or not; sometimes impossible (too many hosts, a full table's fixed
    seats, minimum sizes that need more people)."""
    rng = np.random.default_rng(seed)
    low, high = SIZES[seed % len(SIZES)]
    n = int(rng.integers(low, high + 1))
    size = int(rng.integers(2, 11))
    tables = [int(c) for c in rng.integers(max(1, size - 2), size + 3, max(1, -(-n // size)))]
    while sum(tables) < n:
        tables[int(rng.integers(len(tables)))] += 1
    if rng.random() < 0.4:  # seats to spare
        tables += [int(c) for c in rng.integers(2, size + 3, int(rng.integers(1, 4)))]
    g = len(tables)
    rounds = int(rng.choice([1, 1, 2, 2, 3, 4])) if n <= 150 else int(rng.integers(1, 3))
    density = float(rng.choice([0.02, 0.1, 0.3, 1.0])) if n <= 150 else 0.02
    pairs = rng.random((n, n)) < density
    i, j = np.nonzero(np.triu(pairs, 1))
    values = rng.choice([-2.0, 1.0, 2.0, 3.0, 5.0, 0.5], len(i))
    weights = tuple((int(a), int(b), float(v)) for a, b, v in zip(i, j, values, strict=True))

    def pairs_of(count: int) -> tuple[tuple[int, int], ...]:
        return tuple(tuple(sorted(map(int, rng.choice(n, 2, replace=False)))) for _ in range(count))

    together = pairs_of(int(rng.integers(0, 4))) if rng.random() < 0.5 else ()
    if rng.random() < 0.3:  # a chain kept together: a family, a team
        chain = [int(x) for x in rng.choice(n, min(n, int(rng.integers(3, 7))), replace=False)]
        together += tuple(tuple(sorted(e)) for e in pairwise(chain))
    apart = pairs_of(int(rng.integers(0, n // 3 + 2))) if rng.random() < 0.5 else ()
    apart = tuple(p for p in apart if p not in together)
    fixed = ()
    if rng.random() < 0.4:
        fixed = tuple(
            Fixed(int(rng.integers(n)), int(rng.integers(g)), _round(rng, rounds))
            for _ in range(int(rng.integers(1, 4)))
        )
    hosts = frozenset()
    if rng.random() < 0.3:  # up to one more host than tables; as many as tables a third of the time
        count = g if rng.random() < 0.3 else int(rng.integers(1, g + 2))
        hosts = frozenset(int(p) for p in rng.choice(n, min(n, count), replace=False))
    min_sizes = None
    if rng.random() < 0.4:  # some tables must be full
        min_sizes = tuple(
            int(rng.choice([0, int(rng.integers(0, c + 1)), c], p=[0.5, 0.35, 0.15]))
            for c in tables
        )
    golf = rng.random() < 0.25
    handicaps = None
    if golf:
        handicaps = tuple(
            None if rng.random() < 0.1 else round(float(rng.uniform(0, 36)), 1) for _ in range(n)
        )
    return Problem(
        people=n,
        tables=tuple(tables),
        rounds=rounds,
        weights=weights,
        base_value=1.0 if golf else 0.0,
        together=together,
        apart=apart,
        fixed=fixed,
        min_sizes=min_sizes,
        hosts=hosts,
        handicaps=handicaps,
    )


def _round(rng: np.random.Generator, rounds: int) -> int | None:
    return None if rng.random() < 0.5 else int(rng.integers(rounds))


def _status(result: Result | EventPlan) -> list[tuple[str, str]]:
    """The count a result adds to its status's column ("unknown" is a finding of its own)."""
    return [] if result.status == Status.UNKNOWN else [(result.status.value, "")]


def check_result(p: Problem, result: Result, limit: float) -> list[tuple[str, str]]:
    """(kind of finding, words) for everything wrong with one result of solve()."""
    found = []
    if result.seconds > 1.2 * limit + 0.5:
        found.append(("overran", f"{result.seconds:.1f} s of {limit:g}"))
    if result.status == Status.UNKNOWN:
        return found + [("unknown", result.message)]
    if result.status == Status.INFEASIBLE:
        if "conflict" not in result.stats or not result.message:
            found.append(("wrong", f"refused without naming the rules: {result.message!r}"))
        return found
    broken = violations(p, result.rounds)
    if broken:
        return found + [("wrong", "; ".join(broken[:3]))]
    got = score(p, assignment_of(p, result.rounds), value_matrix(p))
    if abs(got.objective - result.objective) > EPS or got.repeats != result.repeats:
        found.append(
            ("wrong", f"reported {result.objective:g}, the plan is worth {got.objective:g}")
        )
    if result.upper_bound < result.objective - EPS:
        found.append(
            ("wrong", f"bound {result.upper_bound:g} below the plan's {result.objective:g}")
        )
    proven = result.objective >= result.upper_bound - EPS
    if (result.status == Status.OPTIMAL) != proven:
        found.append(
            ("wrong", f"{result.status.value} at {result.objective:g} of {result.upper_bound:g}")
        )
    return found


def seat_findings(seed: int, limit: float) -> list[tuple[str, str]]:
    p = problem(seed)
    result = solve(p, time_limit=limit, seed=seed)
    found = _status(result) + check_result(p, result, limit)
    if p.people <= AUDIT_PEOPLE and result.status in (Status.OPTIMAL, Status.FEASIBLE):
        other = solve(p, time_limit=limit, seed=seed + 1)
        found += check_result(p, other, limit)
        for a, b in ((result, other), (other, result)):
            if b.status in (Status.OPTIMAL, Status.FEASIBLE) and a.objective > b.upper_bound + EPS:
                found.append(
                    (
                        "wrong",
                        f"a plan of {a.objective:g} beats the other seed's bound "
                        f"{b.upper_bound:g} ({b.bound_kind})",
                    )
                )
    if result.status == Status.INFEASIBLE and p.people <= REFUSAL_CHECK_PEOPLE:
        plan = seat_by_rules(p, range(p.rounds), REFUSAL_CHECK_SECONDS, seed)
        if isinstance(plan, np.ndarray):
            found.append(("wrong", f"refused, yet CP-SAT seats it: {result.message}"))
    return found


def event(seed: int) -> dict:
    """An event file's form of a random event (tests/solver's random_event, wider): 3-130
    people from a few companies, tags, languages, hosts, handicaps, every kind of rule; a dinner
    at uneven tables and a golf day in fours or threes, tee times or a shotgun start."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 131))
    tags = [{"key": f"t{k}", "labels": {"en": f"Tag {k}"}} for k in range(12)]
    keys = [t["key"] for t in tags]
    people = [
        {
            "first_name": f"P{k}",
            "last_name": "Levi" if k % 3 else "לוי",
            "email": f"p{k}@example.se",
            "company": f"Co {int(rng.integers(1 + n // int(rng.integers(3, 12))))}",
            "languages": [str(x) for x in rng.choice(["sv", "en", "he"], int(rng.integers(1, 3)))],
            "offers": [str(x) for x in rng.choice(keys, int(rng.integers(4)), replace=False)],
            "seeks": [str(x) for x in rng.choice(keys, int(rng.integers(4)), replace=False)],
            "handicap": None if rng.random() < 0.1 else round(float(rng.uniform(0, 36)), 1),
            "host": bool(rng.random() < 0.06),
        }
        for k in range(n)
    ]
    tables, seats = [], 0
    while seats < n + int(rng.integers(0, n // 4 + 1)):
        c = int(rng.integers(2, 13))
        low = int(rng.integers(c + 1)) if rng.random() < 0.2 else 0
        tables.append({"name": f"Table {len(tables) + 1}", "capacity": c, "min_size": low})
        seats += c
    emails = [p["email"] for p in people]

    def some(count: int) -> list[str]:
        return [str(e) for e in rng.choice(emails, min(count, n), replace=False)]

    constraints = [
        *({"kind": "keep_together", "people": some(2)} for _ in range(int(rng.integers(3)))),
        *({"kind": "keep_apart", "people": some(3)} for _ in range(int(rng.integers(4)))),
    ]
    for _ in range(int(rng.integers(3))):
        session = str(rng.choice(["dinner", "golf"]))
        table = "Table 1" if session == "dinner" else "Flight 1"
        constraints.append(
            {"kind": "fixed_seat", "person": some(1)[0], "session": session, "table": table}
        )
    golf = {"key": "golf", "name": "Golf", "kind": "golf", "rounds": int(rng.integers(1, 4)),
            "flight_size": int(rng.choice([3, 4, 4]))}  # fmt: skip
    if rng.random() < 0.5:
        golf.update(tee_start="2027-05-13T08:00", tee_interval_minutes=10)
    else:
        golf.update(tee_start="2027-05-13T08:00", shotgun=True)
    dinner = {"key": "dinner", "name": "Dinner", "kind": "seating",
              "rounds": int(rng.integers(1, 4)), "tables": tables}  # fmt: skip
    return {"format": "mingle-event/1",
            "event": {"name": f"Fuzz {seed}", "languages": ["sv", "en", "he"],
                      "same_company_apart": bool(rng.random() < 0.8)},
            "tags": tags, "attendees": people, "sessions": [dinner, golf],
            "constraints": constraints}  # fmt: skip


def event_findings(seed: int, limit: float) -> list[tuple[str, str]]:
    ev = event(seed)
    return [f for session in ("dinner", "golf") for f in session_findings(ev, session, limit, seed)]


def session_findings(ev: dict, session: str, limit: float, seed: int) -> list[tuple[str, str]]:
    try:
        plan = solve_event_session(ev, session, time_limit=limit, seed=seed)
    except ValueError as error:  # a request the event file cannot make, said in words
        if "shotgun" in str(error) or "flights" in str(error):
            return []
        return [("wrong", f"{session}: ValueError {error}")]
    found = _status(plan)
    if plan.seconds > 1.5 * limit + 0.25 * limit + 0.5:  # the colleague retry's allowance
        found.append(("overran", f"{session}: {plan.seconds:.1f} s of {limit:g}"))
    if plan.status == Status.UNKNOWN:
        found.append(("unknown", f"{session}: {plan.message}"))
    elif plan.status == Status.INFEASIBLE:
        if not plan.message or plan.conflict is None:
            found.append(("wrong", f"{session}: refused without naming the rules"))
    else:
        company = {a["email"]: a.get("company") for a in ev.get("attendees", [])}
        for b in broken_rules(ev, plan):
            if b["rule"] != "colleagues" or company[b["people"][0]] not in plan.crowding:
                found.append(("wrong", f"{session}: breaks {b}"))
    return found


def golf_findings(seed: int, limit: float) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 6))
    flights = [size] * int(rng.integers(2, 11))
    if rng.random() < 0.3:  # a golf day's threes beside its fours
        threes = int(rng.integers(1, len(flights)))
        flights[-threes:] = [size - 1] * threes
    rounds = int(rng.integers(1, 12))
    result = flight_schedule(flights, rounds, time_limit=limit, seed=seed)
    found = _status(result)
    if result.seconds > 1.2 * limit + 0.5:
        found.append(("overran", f"{result.seconds:.1f} s of {limit:g}"))
    if result.status == Status.INFEASIBLE:
        return found + [("wrong", f"refused {flights} x {rounds}: {result.message}")]
    golfers = sum(flights)
    for r, groups in enumerate(result.rounds):
        if sorted(p for g in groups for p in g) != list(range(golfers)):
            found.append(("wrong", f"round {r} does not place every golfer once"))
        if [len(g) for g in groups] != flights:
            found.append(("wrong", f"round {r} has flights of {[len(g) for g in groups]}"))
    repeats, objective = count_repeats(result.rounds, golfers)
    if (repeats, objective) != (result.repeats, result.objective):
        found.append(("wrong", f"reported {result.repeats} repeats, the schedule has {repeats}"))
    if (result.status == Status.OPTIMAL) != (repeats == 0 or objective >= result.upper_bound):
        found.append(("wrong", f"{result.status.value} with {repeats} repeats"))
    return found


JUNK = (None, True, -1, 0, 2**70, 1e308, float("nan"), -0.5, "", "x", "Table 1", [], [1], [[0, 1]],
        {}, {"a": 1})  # fmt: skip


def _mutated(data, rng: np.random.Generator, mutations: int):
    """`data` (JSON-like) with a few entries replaced by JUNK, deleted or duplicated."""
    data = copy.deepcopy(data)
    for _ in range(mutations):
        path, node = [], data
        while isinstance(node, dict | list) and node and (not path or rng.random() < 0.7):
            key = (
                list(node)[int(rng.integers(len(node)))]
                if isinstance(node, dict)
                else int(rng.integers(len(node)))
            )
            path.append((node, key))
            node = node[key]
        if not path:
            continue
        parent, key = path[-1]
        action = rng.random()
        if action < 0.15:
            del parent[key]
        elif action < 0.25 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = copy.deepcopy(JUNK[int(rng.integers(len(JUNK)))])
    return data


def input_findings(seed: int, limit: float) -> list[tuple[str, str]]:
    """A mistake in an INSTANCE.json or an event file must come back as a ValueError that says
    what is wrong (the CLI prints it as "Bad input: ..."), never as another exception; the
    first mistake of each file that reads as valid is solved (a quarter of the limit) and
    checked like any other."""
    rng = np.random.default_rng(seed)
    session, short = str(rng.choice(["dinner", "golf"])), limit / 4
    found = []
    for name, data in (("instance", problem_to_json(problem(seed))), ("event", event(seed))):
        solved = False
        for _ in range(5):
            broken = _mutated(data, rng, int(rng.integers(1, 4)))
            try:
                if name == "instance":
                    p = problem_from_json(broken)
                    if not solved:
                        result = solve(p, time_limit=short, seed=seed)
                        found += _status(result) + check_result(p, result, short)
                else:
                    session_problem(broken, session)
                    if not solved:
                        found += session_findings(broken, session, short, seed)
                solved = True
            except ValueError as error:
                if not str(error):
                    found.append(("wrong", f"{name}: a ValueError without words"))
            except Exception as error:  # noqa: BLE001 (the finding)
                where = traceback.extract_tb(error.__traceback__)[-1]
                found.append(
                    ("crash", f"{name}: {type(error).__name__}: {error} "
                              f"({Path(where.filename).name}:{where.lineno})")
                )  # fmt: skip
    return found


KINDS: dict[str, Callable[[int, float], list[tuple[str, str]]]] = {
    "seat": seat_findings,
    "event": event_findings,
    "golf": golf_findings,
    "input": input_findings,
}


def _seeds(text: str) -> range:
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def run(kinds: list[str], seeds: range, limit: float) -> Iterator[tuple[str, int, str, str]]:
    for kind in kinds:
        for seed in seeds:
            try:
                found = KINDS[kind](seed, limit)
            except Exception:  # noqa: BLE001 (a crash is a finding: report it and go on)
                found = [("crash", traceback.format_exc(limit=-3).strip().replace("\n", " | "))]
            yield kind, seed, "runs", ""
            for what, words in found:
                yield kind, seed, what, words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--seeds", type=_seeds, default=range(100))
    parser.add_argument("--time-limit", type=float, default=2.0)
    args = parser.parse_args(argv)
    kinds = args.kinds.split(",")
    unknown = set(kinds) - set(KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; choose from {sorted(KINDS)}")
    counts: Counter = Counter()
    began = time.perf_counter()
    for kind, seed, what, words in run(kinds, args.seeds, args.time_limit):
        counts[kind, what] += 1
        if what in PROBLEMS:
            again = f"--kinds {kind} --seeds {seed} --time-limit {args.time_limit:g}"
            print(
                f"{kind} seed {seed}: {what}: {words}\n    python -m benchmarks.fuzz {again}",
                flush=True,
            )
    print(f"\n{time.perf_counter() - began:.0f} s, {args.time_limit:g} s a solve")
    columns = ("runs", *(s.value for s in Status if s != Status.UNKNOWN), *PROBLEMS)
    print("| kind | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns))
    for kind in kinds:
        cells = [counts[kind, w] for w in columns]
        print(f"| {kind} | " + " | ".join(map(str, cells)) + " |")
    return 1 if any(counts[k, w] for k in kinds for w in ("wrong", "crash")) else 0


if __name__ == "__main__":
    sys.exit(main())
