"""The generic INSTANCE.json form of a Problem, and a Result as JSON.

    {"people": 120, "tables": [10, 10, 8], "rounds": 2, "weights": [[i, j, value], ...],
     "together": [[i, j], ...], "apart": [[i, j], ...], "fixed": [[i, table] or [i, table, round]],
     "min_sizes": [...], "hosts": [...], "base_value": 0, "handicaps": [...],
     "balance_budget": 0.05}
    people: 1 to 5,000; a table seats 1 to 5,000; rounds: 1 to 100.

Mistakes raise ValueError naming the field and entry, e.g. "weights[3]: person 130 does not exist".
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from solver.model import BALANCE_BUDGET, MAX_PEOPLE, MAX_ROUNDS, Fixed, Problem, Result

MAX_VALUE = 1e9  # pair values are scores: larger ones are a mistake, and would overflow sums

FIELDS = {
    "people",
    "tables",
    "rounds",
    "weights",
    "base_value",
    "together",
    "apart",
    "fixed",
    "min_sizes",
    "hosts",
    "handicaps",
    "balance_budget",
}


def _int(value, where: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: expected a whole number, got {value!r}.")
    if low is not None and value < low:
        raise ValueError(f"{where}: must be at least {low}, got {value}.")
    if high is not None and value > high:
        raise ValueError(f"{where}: must be at most {high}, got {value}.")
    return value


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: expected a number, got {value!r}.")
    if abs(value) > MAX_VALUE:
        raise ValueError(f"{where}: must be from -{MAX_VALUE:g} to {MAX_VALUE:g}, got {value:g}.")
    return float(value)


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key}: expected a list, got {type(value).__name__}.")
    return value


def _person(value, where: str, people: int) -> int:
    p = _int(value, where)
    if not 0 <= p < people:
        raise ValueError(f"{where}: person {p} does not exist (people are 0..{people - 1}).")
    return p


def _pairs(data: dict, key: str, people: int) -> tuple[tuple[int, int], ...]:
    pairs = []
    for k, entry in enumerate(_list(data, key)):
        where = f"{key}[{k}]"
        if not isinstance(entry, list) or len(entry) != 2:
            raise ValueError(f"{where}: expected [i, j], got {entry!r}.")
        i, j = (_person(v, where, people) for v in entry)
        if i == j:
            raise ValueError(f"{where}: a pair needs two different people, got {i} twice.")
        pairs.append((min(i, j), max(i, j)))
    return tuple(pairs)


def _weights(entries: list, people: int) -> tuple[tuple[int, int, float], ...]:
    # A dense 2,000-person instance lists two million pairs, so the common case is checked
    # inline (about three times faster than the helpers); any entry it doubts goes through
    # them, for the message.
    weights: dict[tuple[int, int], tuple[int, int, float]] = {}
    for k, entry in enumerate(entries):
        if type(entry) is list and len(entry) == 3:
            i, j, v = entry
            if (
                type(i) is int
                and type(j) is int
                and 0 <= i < people
                and 0 <= j < people
                and i != j
                and type(v) in (int, float)
                and -MAX_VALUE <= v <= MAX_VALUE  # false for NaN
            ):
                key = (i, j) if i < j else (j, i)
                if key not in weights:
                    weights[key] = (*key, float(v))
                    continue
        where = f"weights[{k}]"
        if not isinstance(entry, list) or len(entry) != 3:
            raise ValueError(f"{where}: expected [i, j, value], got {entry!r}.")
        i, j = (_person(v, where, people) for v in entry[:2])
        if i == j:
            raise ValueError(f"{where}: a pair needs two different people, got {i} twice.")
        key = (min(i, j), max(i, j))
        if key in weights:
            raise ValueError(f"{where}: the pair ({i}, {j}) is listed twice.")
        weights[key] = (*key, _number(entry[2], where))
    return tuple(sorted(weights.values()))


def problem_from_json(data: dict) -> Problem:
    """Build a Problem from the INSTANCE.json object, checking every field."""
    if not isinstance(data, dict):
        raise ValueError("The instance must be a JSON object.")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field (known: {', '.join(sorted(FIELDS))}).")
    if "people" not in data or "tables" not in data:
        raise ValueError(f"{'people' if 'people' not in data else 'tables'}: required field.")
    people = _int(data["people"], "people", 1, MAX_PEOPLE)
    tables = tuple(
        _int(c, f"tables[{t}]", 1, MAX_PEOPLE) for t, c in enumerate(_list(data, "tables"))
    )
    if not tables:
        raise ValueError("tables: needs at least one table.")
    rounds = _int(data.get("rounds", 1), "rounds", 1, MAX_ROUNDS)
    weights = _weights(_list(data, "weights"), people)
    fixed = []
    for k, entry in enumerate(_list(data, "fixed")):
        where = f"fixed[{k}]"
        if not isinstance(entry, list) or len(entry) not in (2, 3):
            raise ValueError(f"{where}: expected [person, table] or [person, table, round].")
        p = _person(entry[0], where, people)
        t = _int(entry[1], where, 0)
        if t >= len(tables):
            raise ValueError(f"{where}: table {t} does not exist ({len(tables)} tables).")
        r = _int(entry[2], where, 0) if len(entry) == 3 else None
        if r is not None and r >= rounds:
            raise ValueError(f"{where}: round {r} does not exist ({rounds} rounds).")
        fixed.append(Fixed(p, t, r))
    min_sizes = None
    if data.get("min_sizes") is not None:
        raw = _list(data, "min_sizes")
        if len(raw) != len(tables):
            raise ValueError(
                f"min_sizes: needs one entry per table ({len(tables)}), got {len(raw)}."
            )
        min_sizes = tuple(_int(v, f"min_sizes[{t}]", 0) for t, v in enumerate(raw))
    hosts = frozenset(_person(v, f"hosts[{k}]", people) for k, v in enumerate(_list(data, "hosts")))
    handicaps = None
    if data.get("handicaps") is not None:
        raw = _list(data, "handicaps")
        if len(raw) != people:
            raise ValueError(f"handicaps: needs one entry per person ({people}), got {len(raw)}.")
        handicaps = tuple(
            None if h is None else _number(h, f"handicaps[{k}]") for k, h in enumerate(raw)
        )
    return Problem(
        people=people,
        tables=tables,
        rounds=rounds,
        weights=weights,
        base_value=_number(data.get("base_value", 0), "base_value"),
        together=_pairs(data, "together", people),
        apart=_pairs(data, "apart", people),
        fixed=tuple(fixed),
        min_sizes=min_sizes,
        hosts=hosts,
        handicaps=handicaps,
        balance_budget=_number(data.get("balance_budget", BALANCE_BUDGET), "balance_budget"),
    )


def load_problem(path: str | Path) -> Problem:
    """Read INSTANCE.json; a missing file or broken JSON is a ValueError saying so."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"{path}: cannot read the file ({e.strerror}).") from e
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text (byte {e.start} cannot be read).") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON (line {e.lineno}: {e.msg}).") from e
    except RecursionError as e:
        raise ValueError(f"{path}: lists or objects nested too deeply.") from e
    except ValueError as e:  # Python refuses whole numbers of thousands of digits
        raise ValueError(f"{path}: a number is too long to read.") from e
    return problem_from_json(data)


def problem_to_json(problem: Problem) -> dict:
    """The INSTANCE.json object for a Problem (the inverse of problem_from_json)."""
    data: dict = {
        "people": problem.people,
        "tables": list(problem.tables),
        "rounds": problem.rounds,
        "weights": [[i, j, v] for i, j, v in problem.weights],
        "base_value": problem.base_value,
        "together": [list(p) for p in problem.together],
        "apart": [list(p) for p in problem.apart],
        "fixed": [
            [f.person, f.table] if f.round is None else [f.person, f.table, f.round]
            for f in problem.fixed
        ],
        "hosts": sorted(problem.hosts),
    }
    if problem.min_sizes is not None:
        data["min_sizes"] = list(problem.min_sizes)
    if problem.handicaps is not None:
        data["handicaps"] = list(problem.handicaps)
        data["balance_budget"] = problem.balance_budget
    return data


def result_to_json(result: Result) -> dict:
    """The JSON object the command line prints for a Result."""
    return {
        "rounds": [[list(people) for people in tables] for tables in result.rounds],
        "objective": _tidy(result.objective),
        "upper_bound": _tidy(result.upper_bound),
        "bound_kind": result.bound_kind,
        "gap": _tidy(result.gap),
        "status": result.status.value,
        "seconds": round(result.seconds, 3),
        "repeats": result.repeats,
        "people_without_match": result.people_without_match,
        "message": result.message,
        "stats": result.stats,
    }


def _tidy(value: float) -> float:
    """Twelve significant digits: sums of thirds print as 17.6666666667, not 17.666666666666664."""
    return float(f"{value:.12g}")
