"""Command line: JSON in, JSON out; progress on stderr.

    python -m solver seat INSTANCE.json [--time-limit S] [--seed N]
    python -m solver golf --groups G --size P --rounds W [--time-limit S] [--seed N]
    python -m solver plan sample_events/FILE [--session KEY] [--time-limit S] [--seed N]

The time limit is the whole command's: starting Python and loading the input count (on Linux,
which says when a process started), and the plan is written within it.

Exit codes: 0 a plan (feasible or optimal), 1 bad input (the message names the field),
2 no plan (infeasible, with the reason on stderr and in the JSON, or none found in time).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TextIO

from solver import instance
from solver.model import MAX_SEED, Progress, Result, Status
from solver.seating import solve

BAD_INPUT, NO_PLAN = 1, 2
MAX_SECONDS = 86_400  # a day; far longer ones overflow the solvers' clocks (1e308 did)


def _running_for() -> float:
    """Seconds since this process started: 0 where the system does not say (not Linux)."""
    try:
        stat = Path("/proc/self/stat").read_text()
        started = int(stat.rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, float(Path("/proc/uptime").read_text().split()[0]) - started)
    except (OSError, ValueError, IndexError):
        return 0.0


def _left(time_limit: float) -> float:
    """What the command's time limit leaves for solving, less 1% for writing the plan (at
    least a tenth of it)."""
    return max(0.99 * time_limit - _running_for(), 0.1 * time_limit)


class ProgressLine:
    """A one-line bar when stderr is a terminal; otherwise a plain line every few seconds."""

    def __init__(self, time_limit: float, stream: TextIO = sys.stderr) -> None:
        self.time_limit = time_limit
        self.stream = stream
        self.tty = stream.isatty()
        self.last = -1e9

    def __call__(self, p: Progress) -> None:
        gap = (p.bound - p.best) / p.bound if p.bound > 0 else 0.0
        text = f"best {p.best:g}  bound {p.bound:g}  gap {gap:.1%}  {p.elapsed:.1f}s"
        if self.tty:
            done = min(1.0, p.elapsed / self.time_limit) if self.time_limit > 0 else 1.0
            bar = "#" * int(20 * done) + "-" * (20 - int(20 * done))
            self.stream.write(f"\r[{bar}] {text}\033[K")
            self.stream.flush()
        elif time.monotonic() - self.last >= 2.0:
            self.last = time.monotonic()
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # Bad arguments are bad input, with the exit code the docstring promises.
        self.print_usage(sys.stderr)
        self.exit(BAD_INPUT, f"{self.prog}: error: {message}\n")


def _checked(text: str, kind: type, ok: Callable[[float], bool], what: str):
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"must be {what}, got {text}")
    return value


def _count(text: str) -> int:
    return _checked(text, int, lambda v: v >= 1, "a whole number, at least 1")


def _seconds(text: str) -> float:
    return _checked(
        text,
        float,
        lambda v: 0 < v <= MAX_SECONDS,
        f"more than 0 seconds and at most {MAX_SECONDS}",
    )


def _seed(text: str) -> int:
    return _checked(text, int, lambda v: 0 <= v <= MAX_SEED, f"a whole number from 0 to {MAX_SEED}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m solver", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seat = commands.add_parser(
        "seat",
        help="seat people at tables from an INSTANCE.json",
        epilog="INSTANCE.json, people numbered from 0:\n" + instance.__doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seat.add_argument("instance")
    golf = commands.add_parser("golf", help="a Social Golfer schedule")
    golf.add_argument("--groups", type=_count, required=True)
    golf.add_argument("--size", type=_count, required=True)
    golf.add_argument("--rounds", type=_count, required=True)
    plan = commands.add_parser("plan", help="plan one session of an event file, with names")
    plan.add_argument("event", help="an event file, as in sample_events/")
    plan.add_argument("--session", default=None, help="session key (default: the first)")
    for command in (seat, golf, plan):
        command.add_argument(
            "--time-limit",
            type=_seconds,
            default=10.0,
            help="seconds for the whole command, starting Python included "
            "(default: 10; at most a day)",
        )
        command.add_argument(
            "--seed", type=_seed, default=0, help="the search's random seed (default: 0)"
        )
    return parser


def _emit(result: Result) -> int:
    print(json.dumps(instance.result_to_json(result), ensure_ascii=False))
    if result.status in (Status.INFEASIBLE, Status.UNKNOWN):
        print(f"No plan: {result.message}", file=sys.stderr)
        return NO_PLAN
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    sys.stdout.reconfigure(encoding="utf-8")  # JSON is UTF-8, names as they are spelt
    bar = ProgressLine(args.time_limit)
    try:
        if args.command == "seat":
            problem = instance.load_problem(args.instance)
            result = solve(problem, time_limit=_left(args.time_limit), seed=args.seed, progress=bar)
            bar.close()
            return _emit(result)
        if args.command == "golf":
            from solver.golfers import social_golfer_schedule

            result = social_golfer_schedule(
                args.groups,
                args.size,
                args.rounds,
                time_limit=_left(args.time_limit),
                seed=args.seed,
                progress=bar,
            )
            bar.close()
            return _emit(result)
        from solver.event import crowding_note, load_event, solve_event_session

        event = load_event(args.event)
        sessions = event.get("sessions") or []
        if args.session is None and not sessions:
            raise ValueError(f"{args.event}: the event has no sessions to plan.")
        try:
            plan = solve_event_session(
                event,
                args.session or sessions[0]["key"],
                time_limit=_left(args.time_limit),
                seed=args.seed,
                progress=bar,
                stop=None,
            )
        except ValueError as e:  # the file was read; say which one the mistake is in
            raise ValueError(f"{args.event}: {e}") from e
        bar.close()
        print(json.dumps(plan.to_dict(), ensure_ascii=False, indent=1))
        if plan.crowding:
            print(crowding_note(plan), file=sys.stderr)
        if plan.status in (Status.INFEASIBLE, Status.UNKNOWN):
            print(f"No plan: {plan.message}", file=sys.stderr)
            return NO_PLAN
        return 0
    except ValueError as e:
        bar.close()
        print(f"Bad input: {e}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip the interpreter's teardown of numba and OR-Tools (about 0.4 s), which would come
    # after the time limit.
    os._exit(code)
