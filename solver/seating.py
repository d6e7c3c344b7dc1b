"""solve(): refuse impossible requests at once, then seat people with the method that fits the size.

At two tables over one or two rounds every seating is tried, where there are few enough
(solver.two_tables). Otherwise, up to EXACT_PEOPLE people the exact CP-SAT model runs (after a
short local search gives it a starting plan), with branch and price (solver.branching) on a
thread beside it, and one of the two usually proves optimality; above that, greedy construction
and local search run for the whole time limit (up to TABU_PEOPLE, two memetic searches over
tabu-searched plans from different seeds, one in a process of its own; above, iterated local
search), against the per-person bound, the pair LP's where affordable, and the set-partitioning
LP's (solver.columns) where it is proven in time.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

import numpy as np

from solver.bounds import lp_bound, per_person_bound
from solver.branching import Proof, branch_and_price_applies, prove
from solver.columns import set_partitioning_bound
from solver.evaluate import handicap_spread, plan_of, score, value_matrix
from solver.exact import RuleClash, seat_by_rules, solve_exact, whole_numbers
from solver.feasibility import Conflict, find_conflict
from solver.model import Problem, Progress, ProgressCallback, Result, Status, StopCallback
from solver.search import (
    EPS,
    Handicaps,
    Rules,
    SearchLog,
    Seating,
    balance_handicaps,
    construct_round,
    descend,
    improve_coverage,
    iterated_local_search,
    memetic_search,
    spread_repeats,
    tabu_search,
)
from solver.two_tables import two_table_plan

EXACT_PEOPLE = 24  # above this the exact model rarely proves anything within seconds
TABU_PEOPLE = 300  # tabu search evaluates n^2 swaps per step; above this, the queue-driven ILS
GREEDY_TRIES = 5  # random orders to try before asking CP-SAT for a plan that keeps the rules
BALANCE_SHARE = 0.4  # golf: share of the time limit left for balancing handicaps
# Share of the time limit kept from the search: the second and third aims' swaps take up to
# two thirds of it, scoring the plan the rest (0.3 s for 2,000 people), so a solve ends in time.
FINISH_SHARE = 0.03
# A second search from another seed runs in a process of its own on the second core, and
# the better plan is kept: seeds differ by up to 5% on 90-150-person dinners. Starting the
# process costs about 0.1 s (0.7 s the first time, to import the solver), so short runs skip it.
SECOND_SEARCH_SECONDS = 3.0
# Share of the time limit the set-partitioning bound may take from the search above
# EXACT_PEOPLE: at 40-80 people it proves a bound 7-10% above the plan (the pair LP's is 25-30%)
# in 1-6 s; at 120-150 people at tables of ten it rarely finishes, and the other search still
# has its whole time.
COLUMN_SHARE = 0.5
# Up to this many seats a table, branch and price proves a small dinner first; beyond, CP-SAT
# does, and branch and price runs at a lower priority, so that it takes less of CP-SAT's cores.
BRANCH_AND_PRICE_TABLES = 5
BEHIND = 10  # how much lower (in nice values, Linux)


class _Reporter:
    """Throttled progress: at most ten calls a second, plus one whenever asked to flush."""

    def __init__(self, progress: ProgressCallback | None, start: float, bound: float) -> None:
        self.progress, self.start, self.bound = progress, start, bound
        self.best = -np.inf
        self.last = -np.inf

    def improved(self, value: float, bound: float | None = None) -> None:
        self.best = max(self.best, value)
        if bound is not None:
            self.bound = min(self.bound, bound)
        now = time.perf_counter()
        if now - self.last >= 0.1:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        now = time.perf_counter() if now is None else now
        self.last = now
        if self.progress is not None and self.best > -np.inf:
            self.progress(Progress(self.best, self.bound, now - self.start))


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    stop: StopCallback | None = None,
) -> Result:
    """Seat everyone once per round, keeping every hard rule, to maximise the value of the
    distinct pairs who meet; second, leave as few people as possible without a valuable pair.
    Golf (problem.handicaps): the last BALANCE_SHARE of the time then brings the flights' mean
    handicaps together, giving up at most problem.balance_budget of the objective
    (balance_handicaps); stats["handicap_spread_before"] and stats["balance_cost"] say what that
    bought and cost.

    Impossible requests come back at once as Status.INFEASIBLE with a message and
    stats["conflict"]. The same seed and time limit give the same plan when the machine is not
    slowed down: each search follows one seeded sequence and the clock only decides where it ends.
    """
    start = time.perf_counter()
    deadline = start + time_limit
    swaps_end = deadline - FINISH_SHARE / 3 * time_limit
    search_end = deadline - FINISH_SHARE * time_limit
    balancing = problem.handicaps is not None and any(h is not None for h in problem.handicaps)
    if balancing:
        search_end -= BALANCE_SHARE * time_limit
    stop = stop or (lambda: False)
    conflict = find_conflict(problem)
    if conflict is not None:
        return _infeasible(conflict, start)
    values = value_matrix(problem)
    rules = Rules.of(problem)
    rng = np.random.default_rng(seed)
    bounds = {"per-person": per_person_bound(problem, values)}
    reporter = _Reporter(progress, start, bounds["per-person"])
    assignment = _construct(problem, values, rules, rng, deadline, seed)
    if isinstance(assignment, RuleClash):
        return _infeasible(_clash_conflict(assignment), start)
    if assignment is None:
        return Result(
            rounds=(),
            objective=0.0,
            upper_bound=bounds["per-person"],
            bound_kind="per-person",
            status=Status.UNKNOWN,
            seconds=time.perf_counter() - start,
            message="No plan keeping every rule was found in the time limit; "
            "it was not proven impossible either.",
        )
    if len(problem.tables) == 1 or problem.people < 2:  # the only plan, or none has a pair
        bounds["only plan"] = score(problem, assignment, values).objective
        method = "one table" if len(problem.tables) == 1 else "nobody to meet"
        return _result(problem, assignment, values, bounds, {"method": method}, start, reporter)
    built = time.perf_counter()
    state = Seating(values, rules, assignment)
    # After the search the plan kept is set up like this again (twice, for golf's balancing),
    # which takes 0.5-1 s at 5,000 people: the search ends that much sooner, and balancing too.
    finish = 1.5 * (time.perf_counter() - built)
    search_end -= 2 * finish if balancing else finish
    swaps_end -= finish if balancing else 0.0
    stats: dict = {}
    tried = two_table_plan(problem, values, min(search_end, start + 0.5 * time_limit), stop)
    if tried is not None:
        bounds["every seating"] = score(problem, tried, values).objective
    elif (bound := lp_bound(problem, values, time_limit=min(2.0, 0.1 * time_limit))) is not None:
        bounds["lp"] = bound
    reporter.bound = min(bounds.values())
    if tried is not None:
        best, log, stats["method"] = tried, None, "every seating tried"
    elif problem.people <= EXACT_PEOPLE:
        ends = min(search_end, time.perf_counter() + 0.2 * time_limit)
        bound = set_partitioning_bound(problem, values, ends, state.a, slack=0.0, stop=stop)
        if bound is not None:
            bounds["set-partitioning"] = _whole_bound(bound, values)
        reporter.bound = min(bounds.values())
        # A short tabu search hands CP-SAT a good plan (on dinners of 20-24 it often finds the
        # best one within a second); CP-SAT then spends its time on the proof. Measured with
        # `solver_bench --only proofs`: 1.5 s of tabu proves about 1 s sooner than 2.5 s did,
        # while 1 s or less sometimes hands over a plan that CP-SAT fails to beat in time.
        ls_end = min(search_end, start + min(1.5, 0.15 * time_limit))
        # A descent costs milliseconds here, and is all a limit under half a second leaves
        # room for (the first solve in a process spends 0.15 s loading compiled code).
        descend(state, deque(np.ndindex(state.a.shape)), ls_end, stop)
        best, log = tabu_search(state, rng, ls_end, stop, reporter.improved, reporter.bound)
        value = score(problem, best, values).objective
        if value >= reporter.bound - EPS:
            stats["method"] = "tabu search (proven by the bound)"
        else:
            best = _prove(
                problem, values, best, value, search_end, seed, stop, reporter, bounds, stats
            )
    else:
        best, log = _search(
            problem, values, state, rng, seed, search_end, time_limit, stop, reporter, bounds, stats
        )
    if log is not None:
        stats.update(perturbations=log.perturbations, improvements=log.improvements)
    final = Seating(values, rules, best)
    swaps = min(search_end + 0.1 * time_limit, swaps_end)
    stats["coverage_swaps"] = improve_coverage(final, swaps, stop)
    stats["repeat_swaps"] = spread_repeats(final, swaps, stop)
    if balancing:
        value = final.value
        stats["handicap_spread_before"] = handicap_spread(problem, final.a)
        budget = problem.balance_budget * max(value, 0.0)
        final = Seating(
            values,
            rules,
            balance_handicaps(final, Handicaps.of(problem.handicaps), budget, rng, swaps_end, stop),
        )
        stats["balance_cost"] = value - final.value
    return _result(problem, final.a, values, bounds, stats, start, reporter)


def _search(
    problem: Problem,
    values: np.ndarray,
    state: Seating,
    rng: np.random.Generator,
    seed: int,
    search_end: float,
    time_limit: float,
    stop: StopCallback,
    reporter: _Reporter,
    bounds: dict[str, float],
    stats: dict,
) -> tuple[np.ndarray, SearchLog]:
    """Above EXACT_PEOPLE, from `state` until `search_end`: up to TABU_PEOPLE a memetic search,
    which first gives part of the time to the set-partitioning bound while a second one from
    another seed runs on the other core; above, an iterated local search. Returns the best plan
    and the search's log; the bound, when proven, goes into `bounds`, the method and which of the
    two searches won into `stats`."""
    search = memetic_search if problem.people <= TABU_PEOPLE else iterated_local_search
    target = min(bounds.values())
    other = None
    room = search_end - time.perf_counter() >= SECOND_SEARCH_SECONDS
    if search is memetic_search and room and not stop():
        other = _OtherSearch.start(problem, state.a, seed, search_end, target)
    try:
        if search is memetic_search:
            # While the other search runs, this process proves the tighter bound; alone, it
            # gives the bound less of the search's time.
            share = COLUMN_SHARE if other is not None else COLUMN_SHARE / 2
            ends = min(search_end, time.perf_counter() + share * time_limit)
            bound = set_partitioning_bound(problem, values, ends, state.a, stop=stop)
            if bound is not None:
                bounds["set-partitioning"] = _whole_bound(bound, values)
            reporter.bound = target = min(bounds.values())
        best, log = search(state, rng, search_end, stop, reporter.improved, target)
    except BaseException:
        if other is not None:
            other.result(stopped=True)  # no process left running on its own
        raise
    stats["method"] = "greedy + " + search.__name__.replace("_", " ")
    if other is not None:
        mine = score(problem, best, values).objective
        found = other.result(stopped=stop() or mine >= target - EPS)
        stats["searches"] = 1 if found is None else 2
        if found is not None and score(problem, found, values).objective > mine + EPS:
            best = found
            stats["best_search"] = 2
    return best, log


def _prove(
    problem: Problem,
    values: np.ndarray,
    best: np.ndarray,
    value: float,
    search_end: float,
    seed: int,
    stop: StopCallback,
    reporter: _Reporter,
    bounds: dict[str, float],
    stats: dict,
) -> np.ndarray:
    """CP-SAT and branch and price (on a thread beside it) race to prove a small plan optimal,
    starting from `best` (worth `value`): they prove different shapes fastest (tables of four
    and five, against tables of six to eight), and whichever proves first stops the other.
    Returns the best plan either found; their bounds go into `bounds`, how it went into
    `stats`."""
    proofs: list[Proof] = []
    exact_done = threading.Event()

    def branch_and_price() -> None:
        if max(problem.tables) > BRANCH_AND_PRICE_TABLES:
            _run_behind()
        ended = lambda: stop() or exact_done.is_set()  # noqa: E731
        proofs.append(prove(problem, values, best, value, search_end, ended, lambda: reporter.best))

    prover = threading.Thread(target=branch_and_price, daemon=True)
    workers = 2
    if branch_and_price_applies(problem):
        prover.start()
        # At tables of up to five over several rounds branch and price proves first;
        # CP-SAT's second worker would only take its core (six tables of four, two
        # rounds, seed 3 of `solver_bench --only proofs`: proven in 5 s, not 7).
        if max(problem.tables) <= BRANCH_AND_PRICE_TABLES and problem.rounds > 1:
            workers = 1
    try:
        left = search_end - time.perf_counter()
        proven = lambda: stop() or any(p.proven for p in proofs)  # noqa: E731
        exact = solve_exact(problem, values, left, seed, best, reporter.improved, proven, workers)
    finally:
        exact_done.set()
        if prover.is_alive():
            prover.join()
    if exact.proven or np.isfinite(exact.bound):
        bounds["cp-sat"] = exact.objective if exact.proven else exact.bound
    if exact.assignment is not None and exact.objective > value + EPS:
        best, value = exact.assignment, exact.objective
    stats["method"] = "exact CP-SAT" + (" (proven)" if exact.proven else " (time limit)")
    if proofs:
        if math.isfinite(proofs[0].bound):  # else stopped before its root was bounded
            bounds["branch-and-price"] = proofs[0].bound
        stats["branch_and_price_nodes"] = proofs[0].nodes
        found = proofs[0].plan
        if found is not None and score(problem, found, values).objective > value + EPS:
            best = found
            stats["method"] = "branch and price (time limit)"
        if proofs[0].proven and not exact.proven:
            stats["method"] = "branch and price (proven)"
    return best


class _OtherSearch:
    """A memetic search from another seed, in a Python process of its own (python -m
    solver.elsewhere) until the search deadline: a fresh interpreter, so nothing of the caller's
    threads or main script is copied or re-run."""

    GRACE = 2.0  # seconds past the deadline to wait for its plan

    def __init__(self, process: subprocess.Popen, end: float) -> None:
        self.process, self.end = process, end

    @classmethod
    def start(
        cls, problem: Problem, assignment: np.ndarray, seed: int, deadline: float, target: float
    ) -> _OtherSearch | None:
        """None where it cannot help or cannot start (one core, no Python to run, no process
        to spare)."""
        affinity = getattr(os, "sched_getaffinity", None)  # Linux: the cores this may use
        if (len(affinity(0)) if affinity else os.cpu_count() or 1) < 2 or not sys.executable:
            return None
        end = time.time() + deadline - time.perf_counter()  # the processes share the wall clock
        home = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, [home, os.environ.get("PYTHONPATH")]))
        with tempfile.TemporaryFile() as task:
            pickle.dump((problem, assignment, seed, end, target), task)
            task.seek(0)
            try:
                process = subprocess.Popen(
                    [sys.executable, "-m", "solver.elsewhere"],
                    stdin=task,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env={**os.environ, "PYTHONPATH": path},
                )
            except OSError:
                return None
        return cls(process, end)

    def result(self, stopped: bool) -> np.ndarray | None:
        """Its best plan, or None when stopped, or when it failed or did not answer in time."""
        if stopped:
            self.process.kill()
        try:
            out, _ = self.process.communicate(timeout=max(0.0, self.end - time.time()) + self.GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            return None
        if stopped or self.process.returncode != 0:
            return None
        return pickle.loads(out)


def _run_behind() -> None:
    """Lower the calling thread's priority, where the nice value is a thread's own (Linux),
    so that other threads' work comes first: four tables of six over two rounds (seed 1 of
    `solver_bench --only proofs`) were proven in 7.9-8.5 s so, not 10.7-11.2 s, and the bounds
    branch and price still found where neither proved were within a point of before."""
    if sys.platform == "linux":  # elsewhere nice() would lower the whole process
        with contextlib.suppress(OSError):
            os.nice(BEHIND)


def _construct(
    problem: Problem,
    values: np.ndarray,
    rules: Rules,
    rng: np.random.Generator,
    deadline: float,
    seed: int,
) -> np.ndarray | RuleClash | None:
    # Greedy round by round (each aware of the pairs met in earlier rounds); a round where
    # every greedy order dead-ends goes to CP-SAT, which finds a plan or names the clash.
    n = problem.people
    assignment = np.zeros((problem.rounds, n), dtype=np.int64)
    meets = np.zeros((n, n), dtype=np.int16)
    for r in range(problem.rounds):
        row = None
        for _ in range(GREEDY_TRIES):
            row = construct_round(values, rules, r, meets, rng)
            if row is not None:
                break
        if row is None:
            found = seat_by_rules(
                problem, range(r, r + 1), max(1.0, deadline - time.perf_counter()), seed
            )
            if not isinstance(found, np.ndarray):
                return found
            row = found[0]
        assignment[r] = row
        meets += row[:, None] == row[None, :]
    return assignment


def _result(
    problem: Problem,
    assignment: np.ndarray,
    values: np.ndarray,
    bounds: dict[str, float],
    stats: dict,
    start: float,
    reporter: _Reporter,
) -> Result:
    got = score(problem, assignment, values)
    kind = min(bounds, key=bounds.__getitem__)
    bound = max(_whole_bound(bounds[kind], values), got.objective)
    stats["bounds"] = bounds
    if got.handicap_spread is not None:
        stats["handicap_spread"] = got.handicap_spread
    reporter.best = got.objective  # the plan returned: golf's balancing may have lowered it
    reporter.improved(got.objective, bound)
    reporter.flush()
    return Result(
        rounds=plan_of(assignment, len(problem.tables)),
        objective=got.objective,
        upper_bound=bound,
        bound_kind=kind,
        status=Status.OPTIMAL if got.objective >= bound - 1e-6 else Status.FEASIBLE,
        seconds=time.perf_counter() - start,
        people_without_match=got.people_without_match,
        repeats=got.repeats,
        stats=stats,
    )


def _whole_bound(bound: float, values: np.ndarray) -> float:
    # With whole-number pair values every plan is worth a whole number: round the bound down.
    return math.floor(bound + 1e-6) if whole_numbers(values) else bound


def _infeasible(conflict: Conflict, start: float) -> Result:
    return Result(
        rounds=(),
        objective=0.0,
        upper_bound=0.0,
        bound_kind="none",
        status=Status.INFEASIBLE,
        seconds=time.perf_counter() - start,
        message=conflict.message,  # lower-case "people 3 and 5": solver.event puts names there
        stats={"conflict": conflict.as_stats()},
    )


_RULE_WORDS = {
    "keep_together": "keep {0} together",
    "keep_apart": "keep {0} apart",
    "fixed_seats": "seat {0} at table {1}",
    "hosts": "at most one host ({0}) at table {1}",
    "min_sizes": "at least the minimum at table {1}",
}


def _clash_conflict(clash: RuleClash) -> Conflict:
    people = tuple(sorted({p for _, ps, _ in clash.rules for p in ps}))
    tables = tuple(sorted({t for _, _, ts in clash.rules for t in ts}))
    kinds = sorted({rule for rule, _, _ in clash.rules})
    words = [
        _RULE_WORDS[rule].format(", ".join(map(str, ps)), ", ".join(map(str, ts)))
        for rule, ps, ts in clash.rules
    ]
    return Conflict(
        kinds[0] if len(kinds) == 1 else "+".join(kinds),
        people,
        tables,
        "These rules cannot all hold: " + "; ".join(words) + ".",
        "rules_clash",
        {"clauses": [[rule, list(ps), list(ts)] for rule, ps, ts in clash.rules]},
    )
