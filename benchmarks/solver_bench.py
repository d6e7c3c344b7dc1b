"""Side-by-side benchmark: this solver, the textbook CP-SAT model, random seating (and simulated
annealing for the 2,000-person gala), on generated dinners of each size class and the classic
Social Golfer instances; then, per small-dinner shape, how many of three instances this solver
proves optimal within the time limit; then, on dinners built around a hidden plan (so their
optimum is known), how far short of it the solver ends; then dinners with couples kept together.
Prints Markdown tables and writes them to benchmarks/RESULTS.md.

    python -m benchmarks.solver_bench            # the full run (about twenty minutes)
    python -m benchmarks.solver_bench --quick    # short time limits, for a smoke test
    python -m benchmarks.solver_bench --only gala
    python -m benchmarks.solver_bench --only proofs   # small dinners: proven optimal or not
    python -m benchmarks.solver_bench --only planted  # dinners with a known optimum
    python -m benchmarks.solver_bench --only couples  # dinners with couples kept together
    python -m benchmarks.solver_bench --only relaxations --no-write  # LP bounds vs optima

This solver runs through the command line (`python -m solver seat|golf`), in a child process
whose peak memory (max RSS) is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np

from benchmarks.textbook import random_seating, simulated_annealing, textbook_cp_sat
from solver.bounds import lp_bound
from solver.columns import set_partitioning_bound
from solver.evaluate import assignment_of, score, value_matrix, violations
from solver.event import load_event, session_problem
from solver.golf import flight_sizes
from solver.instance import problem_to_json
from solver.model import Problem, Status
from solver.seating import solve

RESULTS = Path(__file__).with_name("RESULTS.md")
NORDIC_GOLF = Path(__file__).parents[1] / "sample_events" / "nordic-golf.json"


def tag_instance(people: int, tables: list[int], rounds: int, seed: int) -> Problem:
    """Attendees offer two and seek two tags from a catalog (about one tag per ten people, at
    least 30); a pair is worth one per tag one seeks and the other offers, plus 2 when it works
    both ways. So most pairs are worth nothing and a few mutual ones are worth most."""
    rng = np.random.default_rng(seed)
    catalog = max(30, people // 10)
    offers = np.zeros((people, catalog), dtype=np.int64)
    seeks = np.zeros((people, catalog), dtype=np.int64)
    for p in range(people):
        offers[p, rng.choice(catalog, 2, replace=False)] = 1
        seeks[p, rng.choice(catalog, 2, replace=False)] = 1
    one_way = seeks @ offers.T  # one_way[i, j]: tags i seeks that j offers
    value = one_way + one_way.T + 2 * ((one_way > 0) & (one_way.T > 0))
    i, j = np.nonzero(np.triu(value, 1))
    weights = tuple((int(a), int(b), float(value[a, b])) for a, b in zip(i, j, strict=True))
    return Problem(people=people, tables=tuple(tables), rounds=rounds, weights=weights)


def dense_instance(people: int, tables: list[int], rounds: int, seed: int) -> Problem:
    """Every pair worth something: a whole number from 1 to 10, drawn uniformly. Unlike a
    tag catalog's few valuable pairs, nearly every seating has many neighbours of equal worth."""
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(people, 1)
    values = rng.integers(1, 11, len(i))
    weights = tuple((int(a), int(b), float(v)) for a, b, v in zip(i, j, values, strict=True))
    return Problem(people=people, tables=tuple(tables), rounds=rounds, weights=weights)


def with_rules(problem: Problem) -> Problem:
    """Add what real dinners have: two couples kept together, two companies of five whose
    colleagues sit apart, two hosts, and minimum table sizes."""
    companies = [range(10, 15), range(15, 20)]
    apart = tuple((i, j) for c in companies for i in c for j in c if i < j)
    return replace(
        problem,
        together=((0, 1), (2, 3)),
        apart=apart,
        hosts=frozenset({4, 5}),
        min_sizes=tuple(c - 2 for c in problem.tables),
    )


def golf_day(people: int, rounds: int, seed: int) -> Problem:
    """A golf day in fours (threes where the headcount needs it), as solver.event builds one:
    every new playing partner is worth 1 and complementary pairs (tag_instance) more. Handicaps
    run from 0 to 36, skewed towards the low teens as at a club day, and one in ten is unknown;
    a couple plays together and two rivals apart."""
    tags = tag_instance(people, flight_sizes(people), rounds, seed)
    rng = np.random.default_rng(seed)
    handicaps = tuple(
        None if rng.random() < 0.1 else round(float(36 * h), 1) for h in rng.beta(2, 3.5, people)
    )
    return replace(
        tags,
        weights=tuple((i, j, 1.0 + v) for i, j, v in tags.weights),
        base_value=1.0,
        together=((0, 1),),
        apart=((2, 3),),
        handicaps=handicaps,
    )


@dataclass(frozen=True)
class Case:
    name: str
    problem: Problem
    time_limit: float
    golf: tuple[int, int, int] | None = None  # groups, size, rounds: run `solver golf` instead
    annealing: float = 0.0  # seconds of simulated annealing to compare with (0: none)


def cases(quick: bool) -> list[Case]:
    t = 2.0 if quick else 10.0

    def golf(groups: int, size: int, rounds: int) -> Case:
        problem = Problem(groups * size, (size,) * groups, rounds, base_value=1.0)
        name = f"golf {groups * size} ({groups}x{size}, {rounds} rounds)"
        return Case(name, problem, 10.0 if quick else 60.0, golf=(groups, size, rounds))

    return [
        Case("dinner 16 (2x8, 2 rounds)", tag_instance(16, [8, 8], 2, 1), t),
        Case("dinner 20 (4x5, 2 rounds)", tag_instance(20, [5] * 4, 2, 2), t),
        Case("dinner 24 (3x8, 1 round)", tag_instance(24, [8] * 3, 1, 3), t),
        Case("dinner 24 (4x6, 2 rounds)", tag_instance(24, [6] * 4, 2, 4), t),
        Case("dinner 60 (6x10, 2 rounds)", tag_instance(60, [10] * 6, 2, 5), t),
        Case(
            "dinner 90 (uneven, rules, 3 rounds)",
            with_rules(tag_instance(90, [10] * 6 + [8] * 4, 3, 6)),
            t,
        ),
        Case("dinner 120 (12x10, 3 rounds)", tag_instance(120, [10] * 12, 3, 7), t),
        Case("dinner 150 (15x10, 2 rounds)", tag_instance(150, [10] * 15, 2, 8), t),
        Case(
            "gala 2000 (200x10, 1 round)",
            tag_instance(2000, [10] * 200, 1, 9),
            10.0 if quick else 30.0,
            annealing=20.0 if quick else 60.0,
        ),
        Case("golf day 40 (2 rounds)", golf_day(40, 2, 10), t),
        Case("golf day 60 (3 rounds)", golf_day(60, 3, 11), t),
        Case("golf day 90 (1 round)", golf_day(90, 1, 12), t),
        Case("golf day 120 (3 rounds)", golf_day(120, 3, 13), t),
        Case(
            "nordic-golf.json (90, 1 round)",
            session_problem(load_event(NORDIC_GOLF), "golf").problem,
            t,
        ),
        golf(8, 4, 9),
        golf(4, 4, 5),
        golf(5, 5, 6),
        golf(7, 3, 10),
        golf(7, 4, 9),  # the Hermitian unital
        golf(8, 3, 11),  # nearly Kirkman: a rotational design
    ]


# Small dinners for the "proven optimal" claim: each shape on three generated instances.
PROOF_SHAPES = [
    (20, [5] * 4, 2),
    (22, [6, 6, 5, 5], 2),
    (24, [8] * 3, 1),
    (24, [8] * 3, 2),
    (24, [6] * 4, 2),
    (24, [4] * 6, 2),
    (24, [6] * 4, 3),
]
# Golf days (people, rounds): every new partner is worth 1, so nearly every pair counts.
GOLF_PROOF_SHAPES = [(12, 3), (16, 3), (20, 2), (24, 3)]
# Dinners where every pair is worth 1-10 (dense_instance), the hardest kind to prove.
DENSE_PROOF_SHAPES = [(12, [4] * 3, 2), (16, [8] * 2, 2), (20, [5] * 4, 2), (24, [8] * 3, 1)]


def _golf_day_without_handicaps(people: int, rounds: int, seed: int) -> Problem:
    return replace(golf_day(people, rounds, seed), handicaps=None)


def two_table_optimum(problem: Problem) -> float | None:
    """The optimum of a two-round dinner at two tables without rules, by trying every pair of
    seatings (16 people: 6,435 seatings a round, half a second); None for other shapes."""
    n, tables = problem.people, problem.tables
    if len(tables) != 2 or problem.rounds != 2 or n > 18 or sum(tables) != n:
        return None
    if problem.together or problem.apart or problem.fixed or problem.hosts or problem.min_sizes:
        return None
    values = value_matrix(problem)
    within = np.zeros(1)  # within[mask]: the value of the pairs inside the set of people `mask`
    for k in range(n):  # add person k to every set of people 0..k-1
        towards = np.zeros(1)  # towards[mask]: k's value with the people in mask
        for b in range(k):
            towards = np.concatenate([towards, towards + values[k, b]])
        within = np.concatenate([within, within + towards])
    masks = np.arange(1 << n)
    sizes = np.array([m.bit_count() for m in range(1 << n)])
    first = masks[(sizes == tables[0]) & ((masks & 1 == 1) | (tables[0] != tables[1]))]
    other = (1 << n) - 1 ^ first
    seating = within[first] + within[other]
    best = 0.0
    for a, b, value in zip(first, other, seating, strict=True):
        again = within[a & first] + within[a & other] + within[b & first] + within[b & other]
        best = max(best, float((value + seating - again).max()))
    return best


def proofs(quick: bool) -> str:
    """Markdown: per small-dinner or small-golf-day shape, how many of its instances this solver
    proves optimal within the time limit, the seconds each took (* when the limit ended it) and
    the widest gap. Golf days leave their handicaps out: balancing them is not what is proven."""
    limit, seeds = (2.0, (1,)) if quick else (10.0, (1, 2, 3))
    lines = [
        f"| small dinner or golf day | proven within {limit:g} s | seconds | widest gap "
        "| optimum found (by enumeration) |",
        "|---|---:|---|---:|---:|",
    ]
    shapes = []
    for kind, make, shapes_of_kind in (
        ("", tag_instance, PROOF_SHAPES),
        ("dense ", dense_instance, DENSE_PROOF_SHAPES),
    ):
        for people, tables, rounds in shapes_of_kind:
            alike = len(set(tables)) == 1
            shape = f"{len(tables)}x{tables[0]}" if alike else "+".join(map(str, tables))
            name = f"{kind}{people} ({shape}, {rounds} round{'s' if rounds > 1 else ''})"
            shapes.append((name, partial(make, people, tables, rounds)))
    for people, rounds in GOLF_PROOF_SHAPES:
        name = f"golf day {people} (fours, {rounds} rounds)"
        shapes.append((name, partial(_golf_day_without_handicaps, people, rounds)))
    for name, make in shapes:
        print(f"proofs {name} ...", file=sys.stderr, flush=True)
        problems = [make(seed) for seed in seeds]
        results = [solve(problem, time_limit=limit) for problem in problems]
        proven = sum(r.status == Status.OPTIMAL for r in results)
        seconds = ", ".join(
            f"{r.seconds:.1f}{'' if r.status == Status.OPTIMAL else '*'}" for r in results
        )
        gap = max(r.gap for r in results)
        optima = [two_table_optimum(problem) for problem in problems]
        found = "-"
        if None not in optima:
            hits = sum(r.objective >= o - 1e-6 for r, o in zip(results, optima, strict=True))
            found = f"{hits} of {len(seeds)}"
        lines.append(
            f"| {name} | {proven} of {len(seeds)} | {seconds} | {100 * gap:.1f}% | {found} |"
        )
    return "\n".join(lines)


def relaxations(quick: bool) -> str:
    """Markdown: on the small dinners of more than one round, how far above the proven optimum
    the two linear relaxations sit: the pair LP (each person meets at most so many others) and
    the set-partitioning LP over every group a table could hold. No plan can come closer to
    a bound than its optimum does, so this is the least gap each bound can show."""
    limit, seeds = (5.0, (1,)) if quick else (60.0, (1, 2, 3))
    lines = [
        f"| small dinner | optimum (proven within {limit:g} s) | pair LP | set-partitioning LP |",
        "|---|---|---|---|",
    ]

    def above(bound: float | None, optimum: float) -> str:
        return "-" if bound is None else f"{bound:.1f} ({100 * (1 - optimum / bound):.1f}%)"

    for people, tables, rounds in PROOF_SHAPES:
        if rounds == 1:
            continue
        alike = len(set(tables)) == 1
        shape = f"{len(tables)}x{tables[0]}" if alike else "+".join(map(str, tables))
        print(f"relaxations {people} ({shape}, {rounds} rounds) ...", file=sys.stderr, flush=True)
        for seed in seeds:
            problem = tag_instance(people, tables, rounds, seed)
            values = value_matrix(problem)
            result = solve(problem, time_limit=limit)
            if result.status != Status.OPTIMAL:
                found = f"not proven ({result.objective:g} to {result.upper_bound:g})"
                lines.append(f"| {people} ({shape}, {rounds} rounds), seed {seed} | {found} | | |")
                continue
            optimum = result.objective
            pair = lp_bound(problem, values)
            parts = set_partitioning_bound(problem, values, time.perf_counter() + limit, slack=0)
            lines.append(
                f"| {people} ({shape}, {rounds} rounds), seed {seed} | {optimum:g} | "
                f"{above(pair, optimum)} | {above(parts, optimum)} |"
            )
    return "\n".join(lines)


# Dinners whose optimum is known, to tell the search's shortfall from the bound's: (people,
# tables, rounds, share of the planted plan's pairs that are valuable).
PLANTED_SHAPES = [
    (60, [10] * 6, 2, 0.3),
    (90, [10] * 6 + [8] * 4, 3, 0.6),
    (120, [10] * 12, 3, 0.3),
    (150, [10] * 15, 2, 0.3),
]


def planted_instance(
    people: int, tables: list[int], rounds: int, seed: int, share: float
) -> Problem:
    """A dinner with a known optimum: seat everyone at random in each round, then give a value
    (1, 2 or 4, as tag_instance's one-way, two-tag and mutual pairs) to `share` of the pairs that
    this hidden plan puts at one table, and to no other pair. The hidden plan collects every
    valuable pair, so the optimum is the sum of all pair values."""
    rng = np.random.default_rng(seed)
    seats = np.repeat(np.arange(len(tables)), tables)[:people]
    meet = np.zeros((people, people), dtype=bool)
    for _ in range(rounds):
        row = rng.permutation(seats)
        meet |= row[:, None] == row[None, :]
    i, j = np.nonzero(np.triu(meet, 1))
    keep = rng.random(len(i)) < share
    value = rng.choice([1.0, 2.0, 4.0], size=len(i), p=[0.6, 0.25, 0.15])
    weights = tuple(
        (int(a), int(b), float(v)) for a, b, v, k in zip(i, j, value, keep, strict=True) if k
    )
    return Problem(people=people, tables=tuple(tables), rounds=rounds, weights=weights)


def planted(quick: bool) -> str:
    """Markdown: per planted dinner, the known optimum, what this solver found within the time
    limit, and how far short of the optimum that is."""
    limit, seeds = (2.0, (1,)) if quick else (10.0, (1, 2))
    lines = [
        f"| planted dinner | optimum | found in {limit:g} s | short of the optimum |",
        "|---|---|---|---|",
    ]
    for people, tables, rounds, share in PLANTED_SHAPES:
        name = f"{people} ({len(tables)} tables, {rounds} rounds, {share:.0%} of pairs valuable)"
        print(f"planted {name} ...", file=sys.stderr, flush=True)
        found, optima = [], []
        for seed in seeds:
            problem = planted_instance(people, tables, rounds, seed, share)
            optima.append(sum(w for *_, w in problem.weights))
            found.append(solve(problem, time_limit=limit).objective)
        short = ", ".join(f"{100 * (1 - f / o):.1f}%" for f, o in zip(found, optima, strict=True))
        lines.append(
            f"| {name} | {', '.join(_fmt(o) for o in optima)} | "
            f"{', '.join(_fmt(f) for f in found)} | {short} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Row:
    case: str
    method: str
    objective: float | None
    repeats: int | None
    bound: float | None
    seconds: float
    peak_mb: float | None = None
    note: str = ""


def run_cli(case: Case, workdir: Path) -> Row:
    """This solver through `python -m solver`, with the child's peak memory."""
    if case.golf:
        groups, size, rounds = case.golf
        args = ["golf", "--groups", str(groups), "--size", str(size), "--rounds", str(rounds)]
    else:
        path = workdir / "instance.json"
        path.write_text(json.dumps(problem_to_json(case.problem)))
        args = ["seat", str(path)]
    args += ["--time-limit", str(case.time_limit)]
    started = time.perf_counter()
    # /usr/bin/time reports the solver's own peak RSS; measured from here, the child's rusage
    # would also count this process's memory at fork time.
    peak = workdir / "peak_kb"
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(peak), sys.executable, "-m", "solver", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_kb = int(peak.read_text().split()[-1])
    data = json.loads(done.stdout)
    broken = violations(case.problem, data["rounds"])
    got = score(case.problem, assignment_of(case.problem, data["rounds"]))
    note = f"{data['status']}, bound: {data['bound_kind']}"
    if "handicap_spread" in data["stats"]:
        stats = data["stats"]
        note += (
            f"; handicap spread {stats['handicap_spread_before']:.1f} -> "
            f"{stats['handicap_spread']:.1f} for {stats['balance_cost']:g} of the objective"
        )
    if broken:
        note += f"; INVALID: {broken[0]}"
    return Row(
        case.name,
        "mingle",
        got.objective,
        got.repeats,
        data["upper_bound"],
        seconds,
        peak_kb / 1024,
        note,
    )


def run_textbook(case: Case) -> Row:
    p = case.problem
    products = p.people * (p.people - 1) // 2 * len(p.tables) * p.rounds
    if products > 2_000_000:
        return Row(case.name, "textbook CP-SAT", None, None, None, 0.0, note="too large to build")
    started = time.perf_counter()
    plan, bound = textbook_cp_sat(p, case.time_limit)
    seconds = time.perf_counter() - started
    if plan is None:
        return Row(case.name, "textbook CP-SAT", None, None, None, seconds, note="no plan found")
    got = score(p, plan)
    return Row(case.name, "textbook CP-SAT", got.objective, got.repeats, bound, seconds)


def run_random(case: Case) -> Row:
    started = time.perf_counter()
    plan = random_seating(case.problem, seed=0)
    if plan is None:
        return Row(case.name, "random", None, None, None, 0.0, note="dead end")
    got = score(case.problem, plan)
    return Row(case.name, "random", got.objective, got.repeats, None, time.perf_counter() - started)


def run_annealing(case: Case) -> Row:
    started = time.perf_counter()
    plan = simulated_annealing(case.problem, case.annealing, seed=0)
    got = score(case.problem, plan)
    seconds = time.perf_counter() - started
    return Row(case.name, "simulated annealing", got.objective, got.repeats, None, seconds)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    if b <= 0:
        return "inf" if a > 0 else "-"
    return f"{a / b:.2f}"


def table(rows: list[Row]) -> str:
    """Markdown: one line per method and instance, ratios of objectives to the baselines."""
    by_case: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_case.setdefault(row.case, {})[row.method] = row
    lines = [
        "| instance | method | objective | repeats | bound | gap | seconds | "
        "/ textbook | / random | / SA | peak MB | note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        mine = by_case[row.case]
        base = {m: mine[m].objective if m in mine else None for m in mine}
        gap = None
        if row.bound and row.objective is not None and row.bound > 0:
            gap = 100 * max(0.0, row.bound - row.objective) / row.bound
        lines.append(
            f"| {row.case} | {row.method} | {_fmt(row.objective)} | "
            f"{'-' if row.repeats is None else row.repeats} | {_fmt(row.bound)} | "
            f"{'-' if gap is None else f'{gap:.1f}%'} | {row.seconds:.1f} | "
            f"{_ratio(row.objective, base.get('textbook CP-SAT'))} | "
            f"{_ratio(row.objective, base.get('random'))} | "
            f"{_ratio(row.objective, base.get('simulated annealing'))} | "
            f"{_fmt(row.peak_mb, 0)} | {row.note} |"
        )
    return "\n".join(lines)


# Tag dinners (people, tables, rounds, seed) with couples kept together.
COUPLES_SHAPES = [(90, [10] * 9, 2, 5), (90, [10] * 9, 2, 7), (150, [10] * 15, 2, 8)]


def couples(quick: bool) -> str:
    """Markdown: tag dinners with every seat taken, without couples, with 5 and with 20 (people
    0 and 1, 2 and 3, ... kept together): what this solver finds within the time limit."""
    limit = 2.0 if quick else 10.0
    counts = (0, 5, 20)
    lines = [
        f"| dinner (2 rounds, found in {limit:g} s) | "
        + " | ".join(f"{k} couples" for k in counts)
        + " |",
        "|---|" + "---:|" * len(counts),
    ]
    for people, tables, rounds, seed in COUPLES_SHAPES:
        name = f"{people} ({len(tables)}x{tables[0]}), seed {seed}"
        print(f"couples {name} ...", file=sys.stderr, flush=True)
        found = []
        for k in counts:
            problem = replace(
                tag_instance(people, tables, rounds, seed),
                together=tuple((2 * i, 2 * i + 1) for i in range(k)),
            )
            found.append(solve(problem, time_limit=limit).objective)
        lines.append(f"| {name} | " + " | ".join(_fmt(f) for f in found) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.solver_bench")
    parser.add_argument("--quick", action="store_true", help="short time limits (smoke test)")
    parser.add_argument("--only", default="", help="run only instances whose name contains this")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases(args.quick):
            if args.only not in case.name:
                continue
            print(f"{case.name} ...", file=sys.stderr, flush=True)
            rows.append(run_cli(case, Path(tmp)))
            rows.append(run_textbook(case))
            rows.append(run_random(case))
            if case.annealing:
                rows.append(run_annealing(case))
    parts = [table(rows)] if rows else []
    if args.only in "proofs":
        parts.append(proofs(args.quick))
    if args.only in "planted":
        parts.append(planted(args.quick))
    if args.only in "couples":
        parts.append(couples(args.quick))
    if args.only == "relaxations":  # minutes of proofs: only when asked for by name
        parts.append(relaxations(args.quick))
    report = "\n\n".join(parts)
    print(report)
    if not args.no_write:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
        header = (
            f"# Solver benchmark\n\n`python -m benchmarks.solver_bench"
            f"{' --quick' if args.quick else ''}`, {when}"
            f", {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}.\n\n"
            "Objective: value of the distinct pairs who meet. Bound: the solver's upper bound "
            "(CP-SAT's for the textbook model). Ratios divide this row's objective by the "
            "baseline's. Peak MB: the solver process's peak resident memory (max RSS).\n\n"
        )
        RESULTS.write_text(header + report + "\n")


if __name__ == "__main__":
    main()
