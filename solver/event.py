"""Event file in, names out: plan one session of an event and say who meets whom, and why.

The event is the dict of sample_events/README.md ("mingle-event/1"); people are referred to by
email. This module turns a session into a `Problem` (people numbered in the order of the event's
attendees), calls the search, and maps its `Result` back to emails, names and reasons.
Rounds are 0-based in all data (`locked`, `Meeting.rounds`, list positions); only text says
"round 1".
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import available_timezones

from solver import golf
from solver.feasibility import PEOPLE_FACTS
from solver.model import (
    BALANCE_BUDGET,
    MAX_PEOPLE,
    MAX_ROUNDS,
    Fixed,
    Problem,
    ProgressCallback,
    Result,
    Status,
    StopCallback,
)
from solver.scoring import (
    DEFAULT_WEIGHTS,
    PairScores,
    Profile,
    Reason,
    TagCatalog,
    Weights,
    describe_reasons,
    introductions,
    tablemates,
)

FORMAT = "mingle-event/1"
HANDICAP_RANGE = (-10.0, 54.0)
BALANCE_COST_PERCENT = round(100 * BALANCE_BUDGET)
CONSTRAINT_KINDS = ("keep_together", "keep_apart", "fixed_seat")
ATTENDEE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company",
    "title",
    "phone",
    "languages",
    "offers",
    "seeks",
    "goals",
    "handicap",
    "host",
    "consent",
)
# The fields each object of the file may have: a misspelt one would otherwise be dropped unseen.
FIELDS = {
    "the file": {"format", "event", "tags", "attendees", "sessions", "constraints"},
    "event": {
        "name",
        "starts_on",
        "ends_on",
        "venue",
        "timezone",
        "languages",
        "same_company_apart",
    },
    "tag": {"key", "labels", "synonyms"},
    "attendee": set(ATTENDEE_FIELDS),
    "session": {
        "key",
        "name",
        "kind",
        "rounds",
        "tables",
        "flight_size",
        "tee_start",
        "tee_interval_minutes",
        "shotgun",
        "balance_cost_percent",
    },
    "table": {"name", "capacity", "min_size"},
    "constraint": {"kind", "people", "person", "session", "table"},
}
# Language codes people may give, with the names they may write instead (any case or accents).
LANGUAGES: dict[str, tuple[str, ...]] = {
    "sv": ("svenska", "swedish", "שוודית"),
    "en": ("english", "engelska", "אנגלית", "englanti"),
    "he": ("hebrew", "hebreiska", "עברית", "ivrit"),
    "no": ("norsk", "norwegian", "norska", "nb", "nn"),
    "da": ("dansk", "danish", "danska"),
    "fi": ("suomi", "finnish", "finska"),
    "de": ("deutsch", "german", "tyska", "גרמנית"),
    "fr": ("français", "french", "franska", "צרפתית"),
    "es": ("español", "spanish", "spanska", "ספרדית"),
    "ar": ("arabic", "arabiska", "ערבית", "العربية"),
    "ru": ("russian", "ryska", "רוסית", "русский"),
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

Solve = Callable[..., Result]
KEEP_APART = "keep apart"  # why a pair is kept apart: a rule, a block, or colleagues at ...
BLOCKED = "blocked by the organiser"
COLLEAGUES = "colleagues at "  # and the company's name
# A plan with colleagues less spread gets this share of the time limit at least, even past it;
# the first such try always, later ones while within RETRY_UNTIL times the limit.
RETRY_SHARE, RETRY_UNTIL = 0.25, 1.5


# ---------------------------------------------------------------- reading and checking the file


def load_event(path: str | Path) -> dict:
    """Read and check an event file; ValueError naming the file and the problem if malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(f"{path}: cannot read it ({error.strerror or error}).") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: the file is not UTF-8 text.") from None
    try:
        event = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    try:
        check_event(event)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return event


def parse_email(value: str) -> str | None:
    """The address in lower case, or None when it does not look like one."""
    email = value.strip().lower()
    return email if len(email) <= 254 and EMAIL.fullmatch(email) else None


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: Any) -> bool:
    """An IANA time zone such as Europe/Stockholm: not a folder of them ("Europe"), nor a path."""
    return isinstance(name, str) and name in _time_zones()


def check_event(event: Any) -> None:
    """Raise ValueError naming the first problem in an event dict: where it is (the event, a tag,
    an attendee by email, a session, a table or a rule) and what is wrong.

    Beyond the shapes of sample_events/README.md it refuses unknown fields, checks that emails,
    tag keys, session keys and table names are unique, that offers and seeks name tags of the
    catalog (suggesting the nearest), and that rules name attendees, sessions and tables that exist.
    """
    if not isinstance(event, Mapping) or event.get("format") != FORMAT:
        found = event.get("format") if isinstance(event, Mapping) else None
        _fail("not an event file", f'"format" must be "{FORMAT}", not {found!r}.')
    _check_fields(event, "the file", "the file")
    info = _object(event.get("event"), "event")
    _check_fields(info, "event", "event")
    _text(info, "name", "event", required=True)
    _text(info, "venue", "event")
    starts, ends = _date(info, "starts_on"), _date(info, "ends_on")
    if starts and ends and ends < starts:
        _fail("event", "ends_on is before starts_on.")
    timezone = info.get("timezone", "UTC")
    if not is_time_zone(timezone):
        _fail("event", f"unknown time zone {timezone!r}.")
    _languages(info, "event")
    _flag(info, "same_company_apart", "event")
    catalog = _check_tags(_list(event.get("tags", []), "tags"))
    emails = _check_attendees(_list(event.get("attendees", []), "attendees"), catalog)
    sessions = _check_sessions(_list(event.get("sessions", []), "sessions"))
    _check_constraints(_list(event.get("constraints", []), "constraints"), emails, sessions)


def _fail(where: str, problem: str) -> NoReturn:
    raise ValueError(f"{where}: {problem}")


def _object(value: Any, where: str) -> Mapping:
    if not isinstance(value, Mapping):
        _fail(where, "must be an object.")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        _fail(where, "must be a list.")
    return value


def _check_fields(item: Mapping, kind: str, where: str) -> None:
    unknown = sorted(set(item) - FIELDS[kind])
    if unknown:
        _fail(where, f"unknown field {unknown[0]!r}.")


def _text(item: Mapping, name: str, where: str, *, required: bool = False) -> None:
    value = item.get(name)
    if value is not None and not isinstance(value, str):
        _fail(where, f"{name} must be text.")
    if required and not (value or "").strip():
        _fail(where, f"{name} is missing.")


def _flag(item: Mapping, name: str, where: str) -> None:
    if not isinstance(item.get(name, False), bool):
        _fail(where, f"{name} must be true or false.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(
    item: Mapping, name: str, where: str, default: int | None, minimum: int, maximum: int
) -> int:
    value = item.get(name, default)
    if not _is_int(value):
        _fail(where, f"{name} must be a whole number.")
    if not minimum <= value <= maximum:
        _fail(where, f"{name} must be from {minimum} to {maximum}.")
    return value


def _date(item: Mapping, name: str) -> date | None:
    if item.get(name) is None:
        return None
    try:
        return date.fromisoformat(item[name])
    except (TypeError, ValueError):
        _fail("event", f"{name} must be a date like 2027-05-12.")


def _languages(item: Mapping, where: str) -> None:
    for code in _texts(item, "languages", where):
        if code not in LANGUAGES:
            _fail(where, f"unknown language code {code!r}.")


def _texts(item: Mapping, name: str, where: str) -> list[str]:
    values = _list(item.get(name, []), f"{where} {name}")
    if not all(isinstance(v, str) for v in values):
        _fail(where, f"{name} must be a list of texts.")
    return values


def _each(items: list, place: str, kind: str, key: str, prefix: str = "") -> Iterator:
    """(where, item) for each object of a list, its `key` present and unique ("tag 'x'")."""
    seen = set()
    for k, item in enumerate(items):
        item = _object(item, f"{place}[{k}]")
        _text(item, key, f"{place}[{k}]", required=True)
        where = f"{prefix}{kind} {item[key]!r}"
        if item[key] in seen:
            raise ValueError(f"{where} appears twice.")
        seen.add(item[key])
        _check_fields(item, kind, where)
        yield where, item


def _check_tags(tags: list) -> TagCatalog:
    for where, tag in _each(tags, "tags", "tag", "key"):
        labels = _object(tag.get("labels", {}), f"{where} labels")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            _fail(where, "labels must map language codes to text.")
        _texts(tag, "synonyms", where)
    try:
        return TagCatalog.from_event(tags)
    except ValueError as error:
        _fail("tags", str(error))


def _check_attendees(attendees: list, catalog: TagCatalog) -> set[str]:
    if len(attendees) > MAX_PEOPLE:
        _fail("attendees", f"a plan is for at most {MAX_PEOPLE} people, not {len(attendees)}.")
    emails: set[str] = set()
    for k, person in enumerate(attendees):
        person = _object(person, f"attendees[{k}]")
        raw = person.get("email")
        email = parse_email(raw) if isinstance(raw, str) else None
        if email is None:
            _fail(f"attendees[{k}]", f"missing or invalid email {raw!r}.")
        where = f"attendee {email}"
        if email in emails:
            raise ValueError(f"{where} appears twice.")
        emails.add(email)
        _check_fields(person, "attendee", where)
        _text(person, "first_name", where, required=True)
        for name in ("last_name", "company", "title", "phone", "goals"):
            _text(person, name, where)
        _languages(person, where)
        for name in ("offers", "seeks"):
            for text in _texts(person, name, where):
                if catalog.normalise(text) is None:
                    hint = catalog.suggest(text)
                    maybe = f" Did you mean {', '.join(hint)}?" if hint else ""
                    _fail(where, f"{name} names unknown tag {text!r}.{maybe}")
        handicap = person.get("handicap")
        if handicap is not None:
            if isinstance(handicap, bool) or not isinstance(handicap, int | float):
                _fail(where, "handicap must be a number or null.")
            low, high = HANDICAP_RANGE
            if not low <= handicap <= high:
                _fail(where, f"handicap {handicap} is outside {low:g} to {high:g}.")
        for name in ("host", "consent"):
            _flag(person, name, where)
    return emails


def _check_sessions(sessions: list) -> dict[str, Mapping]:
    by_key: dict[str, Mapping] = {}
    for where, session in _each(sessions, "sessions", "session", "key"):
        by_key[session["key"]] = session
        _text(session, "name", where)
        _whole(session, "rounds", where, 1, 1, MAX_ROUNDS)
        kind = session.get("kind")
        if kind == "seating":
            _check_tables(session.get("tables"), where)
        elif kind == "golf":
            if session.get("tables"):
                _fail(where, "golf sessions have no tables (flights instead).")
            size = session.get("flight_size", 4)
            if not _is_int(size) or size not in (3, 4):
                _fail(where, "flight_size must be 3 or 4.")
            if session.get("tee_start") is not None:
                try:
                    datetime.fromisoformat(session["tee_start"])
                except (TypeError, ValueError):
                    _fail(where, "tee_start must be a date and time like 2027-05-13T08:00.")
            _flag(session, "shotgun", where)
            tee_sheet = session.get("tee_start") is not None and not session.get("shotgun")
            _whole(session, "tee_interval_minutes", where, 10, 1 if tee_sheet else 0, 60)
            _whole(session, "balance_cost_percent", where, BALANCE_COST_PERCENT, 0, 100)
        else:
            _fail(where, f"kind must be 'seating' or 'golf', not {kind!r}.")
    return by_key


def _check_tables(tables: Any, where: str) -> None:
    if not _list(tables, f"{where} tables"):
        _fail(where, "a seating session needs tables.")
    for at, table in _each(tables, f"{where} tables", "table", "name", prefix=f"{where} "):
        capacity = _whole(table, "capacity", at, None, 1, MAX_PEOPLE)
        _whole(table, "min_size", at, 0, 0, capacity)


def _check_constraints(
    constraints: list, emails: set[str], sessions: Mapping[str, Mapping]
) -> None:
    for k, rule in enumerate(constraints):
        where = f"constraints[{k}]"
        rule = _object(rule, where)
        _check_fields(rule, "constraint", where)
        kind = rule.get("kind")
        if kind not in CONSTRAINT_KINDS:
            _fail(where, f"kind must be {', '.join(CONSTRAINT_KINDS)}, not {kind!r}.")
        session = rule.get("session")
        if session is not None and (not isinstance(session, str) or session not in sessions):
            _fail(where, f"unknown session {session!r}.")
        if kind == "fixed_seat":
            _person(rule.get("person"), emails, where)
            table = rule.get("table")
            if session is None and not any(_has_group(s, table) for s in sessions.values()):
                _fail(where, f"no session has a table {table!r}.")
            if session is not None and not _has_group(sessions[session], table):
                what = "table" if sessions[session]["kind"] == "seating" else "flight"
                _fail(where, f"session {session!r} has no {what} {table!r}.")
        else:
            people = [_person(e, emails, where) for e in _list(rule.get("people"), where)]
            if len(people) < 2 or len(set(people)) != len(people):
                _fail(where, f"{kind} needs two or more different people.")


def _person(email: Any, emails: set[str], where: str) -> str:
    key = parse_email(email) if isinstance(email, str) else None
    if key not in emails:
        _fail(where, f"{email!r} is not one of the attendees.")
    return key


def _has_group(session: Mapping, name: object) -> bool:
    """Whether a seating session has this table, or a golf session may have this flight."""
    if session.get("kind") == "seating":
        return any(t.get("name") == name for t in session.get("tables", []))
    return _flight_number(name) is not None  # the number of flights depends on the headcount


def _flight_name(number: int) -> str:
    return f"Flight {number + 1}"


def _flight_number(name: object) -> int | None:
    if isinstance(name, str) and name.startswith("Flight ") and name[7:].isdigit():
        return int(name[7:]) - 1 if int(name[7:]) >= 1 else None
    return None


def _key(email: str) -> str:
    return email.strip().lower()


def full_name(person: Mapping) -> str:
    """First and last name of an attendee."""
    return f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()


# ---------------------------------------------------------------- scoring an event


def event_scores(
    event: Mapping,
    weights: Weights = DEFAULT_WEIGHTS,
    boosts: Mapping[tuple[str, str], float] | None = None,
    blocks: Iterable[tuple[str, str]] = (),
) -> tuple[PairScores, TagCatalog]:
    """Pair values of the event's attendees (in file order) and the catalog; pairs by email."""
    catalog = TagCatalog.from_event(event.get("tags", []))
    attendees = event.get("attendees", [])
    index = {_key(a["email"]): i for i, a in enumerate(attendees)}

    def person(email: str) -> int:
        if _key(email) not in index:
            raise ValueError(f"{email!r} is not an attendee.")
        return index[_key(email)]

    scores = PairScores(
        [profile_of(a, catalog) for a in attendees],
        weights,
        boosts={(person(x), person(y)): v for (x, y), v in (boosts or {}).items()},
        blocks=[(person(x), person(y)) for x, y in blocks],
    )
    return scores, catalog


def profile_of(attendee: Mapping, catalog: TagCatalog) -> Profile:
    """An attendee's offers and seeks as tag keys (labels and synonyms normalised), languages."""
    return Profile(
        offers=frozenset(filter(None, map(catalog.normalise, attendee.get("offers", [])))),
        seeks=frozenset(filter(None, map(catalog.normalise, attendee.get("seeks", [])))),
        languages=frozenset(lang.strip().lower() for lang in attendee.get("languages", [])),
    )


# ---------------------------------------------------------------- the plan, in names


@dataclass(frozen=True)
class Group:
    """One table or flight in one round."""

    name: str
    emails: tuple[str, ...]
    tee_time: str | None = None  # golf, ISO date and time
    starting_hole: int | None = None  # golf, shotgun start


@dataclass(frozen=True)
class MatchReason:
    """`seeker` seeks `tag`, which `offerer` offers (emails, a tag key, and it in words)."""

    seeker: str
    offerer: str
    tag: str
    label: str
    text: str


@dataclass(frozen=True)
class Meeting:
    """Two people (a before b in the file) who share a group in `rounds`, and their worth."""

    a: str
    b: str
    value: float  # the pair's value from scoring (golf's base value for any new face excluded)
    mutual: bool
    rounds: tuple[int, ...]
    reasons: tuple[MatchReason, ...]
    text: str


@dataclass(frozen=True)
class EventPlan:
    """A session's plan in emails and names, with its scores; see to_dict for the JSON form."""

    session_key: str
    session_name: str
    kind: str  # "seating" or "golf"
    status: Status
    objective: float
    upper_bound: float
    bound_kind: str
    gap: float
    seconds: float
    people_without_match: int
    repeats: int
    handicap_spread: float | None  # golf: widest gap between flights' mean handicaps, any round
    handicap_spread_before: float | None  # golf: the same before balancing handicaps
    balance_cost: float | None  # golf: the objective that balancing handicaps gave up
    rounds: tuple[tuple[Group, ...], ...]  # rounds[r] -> groups in session order
    meetings: tuple[Meeting, ...]  # valuable pairs that meet, highest value first
    message: str = ""  # for infeasible: the rule and the people, by name
    conflict: Mapping[str, Any] | None = None  # {"rule", "people": [emails], "groups": [names]}
    # Company -> how many more of its people a group may hold than the fewest possible, for the
    # companies whose spreading that far made the plan impossible (see solve_event_session).
    crowding: Mapping[str, int] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # email -> full name

    def to_dict(self) -> dict:
        """JSON-ready: names next to emails, reasons in words; rounds are list positions."""

        def who(email: str) -> dict:
            return {"email": email, "name": self.names.get(email, email)}

        def group(g: Group) -> dict:
            out: dict[str, Any] = {"name": g.name, "people": [who(e) for e in g.emails]}
            if g.tee_time is not None:
                out["tee_time"] = g.tee_time
            if g.starting_hole is not None:
                out["starting_hole"] = g.starting_hole
            return out

        return {
            "session": self.session_key,
            "session_name": self.session_name,
            "kind": self.kind,
            "status": self.status.value,
            "objective": self.objective,
            "upper_bound": self.upper_bound,
            "bound_kind": self.bound_kind,
            "gap": round(self.gap, 6),
            "seconds": round(self.seconds, 3),
            "people_without_match": self.people_without_match,
            "repeats": self.repeats,
            "handicap_spread": self.handicap_spread,
            "handicap_spread_before": self.handicap_spread_before,
            "balance_cost": self.balance_cost,
            "message": self.message,
            "conflict": dict(self.conflict) if self.conflict else None,
            "crowding": dict(self.crowding),
            "rounds": [[group(g) for g in groups] for groups in self.rounds],
            "meetings": [
                {
                    "a": who(m.a),
                    "b": who(m.b),
                    "value": m.value,
                    "mutual": m.mutual,
                    "rounds": list(m.rounds),
                    "reasons": [
                        {
                            "seeker": who(r.seeker),
                            "offerer": who(r.offerer),
                            "tag": r.tag,
                            "label": r.label,
                            "text": r.text,
                        }
                        for r in m.reasons
                    ],
                    "text": m.text,
                }
                for m in self.meetings
            ],
        }


# ---------------------------------------------------------------- building the problem


@dataclass(frozen=True)
class SessionProblem:
    """A session as the solver sees it, with what is needed to put names back on its answer."""

    session: Mapping
    problem: Problem
    emails: tuple[str, ...]  # person index -> email
    names: tuple[str, ...]  # person index -> first and last name
    group_names: tuple[str, ...]  # table index -> table name or "Flight N"
    tee_times: tuple[str | None, ...]  # golf: ISO tee time per flight (None without a schedule)
    starting_holes: tuple[int | None, ...]  # golf, shotgun start: starting hole per flight
    scores: PairScores
    catalog: TagCatalog
    why_apart: Mapping[tuple[int, int], str]  # apart pair -> the rule behind it, in words
    # Company (_companies' key) -> how many more of its people a group may hold than the fewest
    # possible: what session_problem was asked for, or more where the groups' sizes need it.
    crowding: Mapping[str, int] = field(default_factory=dict)


def session_problem(
    event: Mapping,
    session_key: str,
    *,
    locked: Iterable[tuple[str, int, int]] = (),
    weights: Weights = DEFAULT_WEIGHTS,
    boosts: Mapping[tuple[str, str], float] | None = None,
    blocks: Iterable[tuple[str, str]] = (),
    crowding: Mapping[str, int] | None = None,
) -> SessionProblem:
    """The solver's Problem for one session of the event (see solve_event_session).
    `crowding`: how many more of a company (by _companies' key) than the fewest possible may
    share a group."""
    check_event(event)
    sessions = {s["key"]: s for s in event.get("sessions", [])}
    if session_key not in sessions:
        known = ", ".join(sessions) or "none"
        raise ValueError(f"The event has no session {session_key!r} (it has: {known}).")
    session = sessions[session_key]
    attendees = event.get("attendees", [])
    emails = tuple(_key(a["email"]) for a in attendees)
    index = {e: i for i, e in enumerate(emails)}
    rounds = session.get("rounds", 1)
    scores, catalog = event_scores(event, weights, boosts, blocks)

    if session["kind"] == "seating":
        tables = tuple(t["capacity"] for t in session["tables"])
        names = tuple(t["name"] for t in session["tables"])
        lows = tuple(t.get("min_size", 0) for t in session["tables"])
        min_sizes = lows if any(lows) else None
        base_value = 0.0
        weighted = scores.weighted_pairs()
        hosts = frozenset(i for i, a in enumerate(attendees) if a.get("host"))
        handicaps = None
        balance_budget = 0.0
    else:
        tables = tuple(golf.flight_sizes(len(attendees), session.get("flight_size", 4)))
        names = tuple(_flight_name(k) for k in range(len(tables)))
        min_sizes = None
        # Any new face is worth 1 (so repeated pairings are avoided); complementary pairs more.
        base_value = 1.0
        weighted = tuple((i, j, 1.0 + v) for i, j, v in scores.weighted_pairs())
        hosts = frozenset()  # hosts are a dinner-table role
        handicaps = tuple(a.get("handicap") for a in attendees)
        balance_budget = session.get("balance_cost_percent", BALANCE_COST_PERCENT) / 100
    tee_times, holes = _tee_sheet(session, len(tables))

    together: list[tuple[int, int]] = []
    apart: dict[tuple[int, int], str] = {}  # pair -> why, the first reason given wins
    fixed: list[Fixed] = []
    for rule in event.get("constraints", []):
        if rule.get("session") not in (None, session_key):
            continue
        if rule["kind"] == "fixed_seat":
            # A rule for every session binds where the group exists; one for this session must.
            table = _group_index(rule["table"], names)
            if table is not None:
                fixed.append(Fixed(index[_key(rule["person"])], table))
            elif rule.get("session") == session_key:
                raise ValueError(
                    f"Fixed seat of {rule['person']}: {session_key} has no {rule['table']!r} "
                    f"(it has {', '.join(names)})."
                )
            continue
        people = sorted({index[_key(e)] for e in rule["people"]})
        if rule["kind"] == "keep_together":
            together += [(people[0], p) for p in people[1:]]
        else:
            for k, p in enumerate(people):
                for q in people[k + 1 :]:
                    apart.setdefault((p, q), KEEP_APART)
    for email, r, g in locked:
        if _key(email) not in index:
            raise ValueError(f"Locked seat: {email!r} is not an attendee.")
        if not (_is_int(r) and 0 <= r < rounds and _is_int(g) and 0 <= g < len(tables)):
            raise ValueError(f"Locked seat of {email}: round {r} or group {g} does not exist.")
        fixed.append(Fixed(index[_key(email)], g, r))
    for pair in sorted(scores.blocked):
        apart.setdefault(pair, BLOCKED)
    if event.get("event", {}).get("same_company_apart", False):
        pairs, crowding = _colleagues_apart(attendees, tables, together, crowding or {})
        for p, q in sorted(pairs):
            apart.setdefault((p, q), COLLEAGUES + str(attendees[p].get("company")))

    problem = Problem(
        people=len(attendees),
        tables=tables,
        rounds=rounds,
        weights=weighted,
        base_value=base_value,
        together=tuple(sorted(together)),
        apart=tuple(sorted(apart)),
        fixed=tuple(fixed),
        min_sizes=min_sizes,
        hosts=hosts,
        handicaps=handicaps,
        balance_budget=balance_budget,
    )
    people = tuple(full_name(a) for a in attendees)
    return SessionProblem(
        session, problem, emails, people, names, tee_times, holes, scores, catalog, apart,
        crowding or {},
    )  # fmt: skip


def _group_index(name: str, names: Sequence[str]) -> int | None:
    return names.index(name) if name in names else None


def _colleagues_apart(
    attendees: Sequence[Mapping],
    seats: Sequence[int],
    together: Iterable[tuple[int, int]],
    crowding: Mapping[str, int],
) -> tuple[set[tuple[int, int]], dict[str, int]]:
    """Apart pairs that spread each company's people over the groups as far as possible.

    A company with at most as many people as groups gets every pair apart. A bigger one cannot
    (that would make the plan impossible), so its people are dealt into as few chunks as hold
    at most `groups` people each, of sizes that differ by one at most, and each chunk is kept
    apart: no group then holds more than ceil(size / groups) colleagues, the fewest possible.
    Even chunks leave the plan room: 13 colleagues at 12 tables as 12 + 1 would put one at
    every table, small ones included; as 7 + 6 they need seven tables and six. Each unit of a
    company's `crowding` adds a chunk (a group may then hold one more of its people), where even
    chunks still make the plan impossible. Where the groups' `seats` cannot hold the chunks
    (_overcrowded), the largest chunks' companies get more crowding until they can. Returns the
    pairs and the crowding used. People an organiser keeps together are never also kept apart.
    """
    companies = _companies(attendees)
    crowding = dict(crowding)

    def chunks(company: str) -> int:
        members = companies[company]
        fewest = math.ceil(len(members) / max(len(seats), 1))
        return min(fewest + crowding.get(company, 0), len(members))

    while (company := _overcrowded(companies, chunks, seats)) is not None:
        crowding[company] = crowding.get(company, 0) + 1
    root = _together_roots(len(attendees), together)
    pairs = set()
    for company, members in companies.items():
        for chunk in (members[k :: chunks(company)] for k in range(chunks(company))):
            pairs.update(
                (p, q) for k, p in enumerate(chunk) for q in chunk[k + 1 :] if root[p] != root[q]
            )
    return pairs, {c: more for c, more in crowding.items() if more}


def _overcrowded(
    companies: Mapping[str, list[int]], chunks: Callable[[str], int], seats: Sequence[int]
) -> str | None:
    """A company whose chunks (of people kept pairwise apart, as _colleagues_apart deals them)
    the groups cannot seat, or None. A chunk of k people can keep out of g - k of the g groups
    at most, so the s smallest groups must seat at least k - (g - s) of them: a company of 50
    at ten tables in chunks of ten puts five at each, which a table of two cannot take. The
    company with the largest chunk is the one returned."""
    sizes = {  # companies of one keep nobody apart
        c: [len(range(k, len(m), chunks(c))) for k in range(chunks(c))]
        for c, m in companies.items()
        if len(m) > 1
    }
    smallest = sorted(seats)
    for s in range(1, len(seats)):
        keep_out = len(seats) - s
        need = sum(max(0, k - keep_out) for ks in sizes.values() for k in ks)
        if need > sum(smallest[:s]):
            return max(sizes, key=lambda c: (max(sizes[c]), c))
    return None


def _companies(attendees: Sequence[Mapping]) -> dict[str, list[int]]:
    """Each company's people; names compared without case or extra spaces."""
    companies: dict[str, list[int]] = {}
    for i, a in enumerate(attendees):
        company = " ".join(str(a.get("company") or "").casefold().split())
        if company:
            companies.setdefault(company, []).append(i)
    return companies


def _together_roots(people: int, together: Iterable[tuple[int, int]]) -> list[int]:
    """One representative per person of everyone kept together with them (it is transitive)."""
    parent = list(range(people))

    def root(p: int) -> int:
        while parent[p] != p:
            p = parent[p]
        return p

    for i, j in together:
        parent[root(i)] = root(j)
    return [root(p) for p in range(people)]


# ---------------------------------------------------------------- solving and reading back


def _default_solve() -> Solve:
    from solver import solve  # the search (solver.solve), imported late so tests can pass their own

    return solve


def solve_event_session(
    event: Mapping,
    session_key: str,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    stop: StopCallback | None = None,
    locked: Iterable[tuple[str, int, int]] = (),
    weights: Weights = DEFAULT_WEIGHTS,
    boosts: Mapping[tuple[str, str], float] | None = None,
    blocks: Iterable[tuple[str, str]] = (),
    solve: Solve | None = None,
) -> EventPlan:
    """Plan one session of an event: who sits at which table (or plays in which flight) per round.

    Seating sessions use their tables (capacities, min_size); golf sessions make flights from the
    headcount (golf.flight_sizes), value every new acquaintance at 1 on top of complementary
    pairs, and pass handicaps for balancing. Rules: keep_together and keep_apart (for 2+ people,
    every pair), fixed_seat (every round), hosts (seating only), same_company_apart (see
    _colleagues_apart), `locked` = [(email, round, group index)] from manual adjustments, and
    `blocks` (email pairs kept apart and worth 0). `boosts` add value to email pairs.
    An impossible request comes back as status infeasible with a message naming the people and
    rules; a malformed event or an unknown session, email, round or group raises ValueError.
    Colleagues sit apart where possible: where spreading them as far as their numbers allow is
    what makes the plan impossible, a group may hold one more of the companies in the clash,
    and so on; the plan's `crowding` says which and how many more (crowding_note words it).
    Only then may planning take longer than `time_limit` (see RETRY_SHARE).
    """
    started = time.perf_counter()
    end, latest = started + time_limit, started + RETRY_UNTIL * time_limit
    solve = solve or _default_solve()
    attendees = event.get("attendees", [])
    companies = _companies(attendees)
    company_of = {p: c for c, members in companies.items() for p in members}
    crowding: dict[str, int] = {}
    while True:
        built = session_problem(
            event, session_key, locked=locked, weights=weights, boosts=boosts, blocks=blocks,
            crowding=crowding,
        )  # fmt: skip
        left = end - time.perf_counter()
        result = solve(built.problem, time_limit=left, seed=seed, progress=progress, stop=stop)
        crowded = {company_of[p] for p in _colleagues_in_clash(built, result)}
        if result.status != Status.INFEASIBLE or not crowded:
            break
        # Spreading colleagues is a wish and a plan is not: proving that the wish cannot be
        # met may take the whole time limit, so each try after it gets RETRY_SHARE of it at
        # least (the first one always; later ones only if they start within RETRY_UNTIL).
        now = time.perf_counter()
        if (crowding and now >= latest) or (stop is not None and stop()):
            break
        end = max(end, now + RETRY_SHARE * time_limit)
        crowding = dict(built.crowding)
        for company in crowded:
            crowding[company] = crowding.get(company, 0) + 1
    plan = read_result(event, built, result)
    if not plan.rounds or not built.crowding:
        return plan
    shown = sorted(built.crowding.items())
    return replace(plan, crowding={attendees[companies[c][0]]["company"]: n for c, n in shown})


def crowding_note(plan: EventPlan) -> str:
    """The plan's `crowding` in words, "" where colleagues are spread as far as they can be."""
    if not plan.crowding:
        return ""
    group = "flight" if plan.kind == "golf" else "table"
    return (
        f"Colleagues at {_join(list(plan.crowding))} could not be spread as far as their numbers "
        f"allow: a {group} may hold up to {max(plan.crowding.values())} more of them than the "
        "fewest possible."
    )


def _colleagues_in_clash(built: SessionProblem, result: Result) -> set[int]:
    """The people of a clash (result's conflict) kept apart from a colleague in it because of
    same_company_apart."""
    people = set((result.stats.get("conflict") or {}).get("people", ()))
    return {
        i
        for (i, j), why in built.why_apart.items()
        if why.startswith(COLLEAGUES) and i in people and j in people
    }


def read_result(event: Mapping, built: SessionProblem, result: Result) -> EventPlan:
    """The solver's Result for `built` in emails and names, with meetings and their reasons."""
    attendees = event.get("attendees", [])
    names = {_key(a["email"]): full_name(a) for a in attendees}
    session = built.session
    common = {
        "session_key": session["key"],
        "session_name": session.get("name", session["key"]),
        "kind": session["kind"],
        "status": Status(result.status),
        "objective": float(result.objective),
        "upper_bound": float(result.upper_bound),
        "bound_kind": result.bound_kind,
        "gap": result.gap,
        "seconds": float(result.seconds),
        "people_without_match": result.people_without_match,
        "repeats": result.repeats,
        "names": names,
    }
    if result.status == Status.INFEASIBLE:
        message, conflict = _explain(event, built, result)
        return EventPlan(
            **common,
            handicap_spread=None,
            handicap_spread_before=None,
            balance_cost=None,
            rounds=(),
            meetings=(),
            message=message,
            conflict=conflict,
        )
    rounds = tuple(_groups(built, tables) for tables in result.rounds)
    spread = None
    if session["kind"] == "golf":
        handicaps = built.problem.handicaps or ()
        spread = max(
            (golf.handicap_spread([[handicaps[p] for p in t] for t in ts]) for ts in result.rounds),
            default=None,
        )
    return EventPlan(
        **common,
        handicap_spread=spread,
        handicap_spread_before=result.stats.get("handicap_spread_before"),
        balance_cost=result.stats.get("balance_cost"),
        rounds=rounds,
        meetings=_meetings(built, result.rounds),
        message=result.message,
    )


def _tee_sheet(
    session: Mapping, flights: int
) -> tuple[tuple[str | None, ...], tuple[int | None, ...]]:
    """Tee times or shotgun starting holes per flight of a golf session (None for dinners)."""
    none = (None,) * flights
    if session["kind"] != "golf":
        return none, none
    if session.get("shotgun"):
        return none, tuple(golf.shotgun_holes(flights))
    if session.get("tee_start"):
        start = datetime.fromisoformat(session["tee_start"])
        interval = session.get("tee_interval_minutes", 10)
        return tuple(t.isoformat() for t in golf.tee_times(start, interval, flights)), none
    return none, none


def _groups(built: SessionProblem, tables: Sequence[Sequence[int]]) -> tuple[Group, ...]:
    return tuple(
        Group(
            name=built.group_names[t],
            emails=tuple(built.emails[p] for p in people),
            tee_time=built.tee_times[t],
            starting_hole=built.starting_holes[t],
        )
        for t, people in enumerate(tables)
    )


def _match_reasons(
    reasons: Iterable[Reason], built: SessionProblem, names: Sequence[str], language: str = "en"
) -> tuple[MatchReason, ...]:
    return tuple(
        MatchReason(
            seeker=built.emails[r.seeker],
            offerer=built.emails[r.offerer],
            tag=r.tag,
            label=built.catalog.label(r.tag, language),
            text=r.describe(names, built.catalog, language),
        )
        for r in reasons
    )


def _meetings(
    built: SessionProblem, rounds: Sequence[Sequence[Sequence[int]]]
) -> tuple[Meeting, ...]:
    met: dict[tuple[int, int], list[int]] = {}
    for r, tables in enumerate(rounds):
        for people in tables:
            ordered = sorted(people)
            for k, a in enumerate(ordered):
                for b in ordered[k + 1 :]:
                    met.setdefault((a, b), []).append(r)
    names = built.names
    meetings = []
    for (a, b), rs in met.items():
        pair = built.scores.pair(a, b)
        if pair.value > 0:
            meetings.append(
                Meeting(
                    a=built.emails[a],
                    b=built.emails[b],
                    value=pair.value,
                    mutual=pair.mutual,
                    rounds=tuple(rs),
                    reasons=_match_reasons(pair.reasons, built, names),
                    text=pair.describe(names, built.catalog),
                )
            )
    meetings.sort(key=lambda m: (-m.value, m.a, m.b))
    return tuple(meetings)


# ---------------------------------------------------------------- explaining an impossible plan

_RULES = {
    "capacity": "there are more people than seats",
    "min_sizes": "the tables' minimum sizes cannot all be met",
    "hosts": "a table takes at most one host",
    "keep_together": "people kept together must fit at one table",
    "keep_together_apart": "keep-together and keep-apart contradict each other",
    "keep_apart": "people kept apart cannot all sit at different tables",
    "fixed_seats": "fixed or locked seats contradict each other",
}


def _names_of(people: Iterable[int], names: Sequence[str]) -> str:
    return _join([names[p] for p in people])


def _join(listed: Sequence[str]) -> str:
    if len(listed) <= 1:
        return "".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _explain(event: Mapping, built: SessionProblem, result: Result) -> tuple[str, dict]:
    """The solver's conflict in names: the rule, the people and groups, and the event's rules
    that mention those people (so the organiser knows which rule to relax).

    Returns the message in English and the conflict as data, for a page to word in its own
    language: {"rule", "people": [emails], "groups": [names], "case" and "facts" (the solver's
    sentence, people as emails, groups as names, rounds from 1), "rules": [{"kind", "people",
    "group", "round", "company"}]}.
    """
    conflict = dict(result.stats.get("conflict") or {})
    rule = str(conflict.get("rule", ""))
    # dict.fromkeys: the solver may name one person twice (e.g. fixed at two tables).
    people = list(dict.fromkeys(int(p) for p in conflict.get("people", [])))
    people = [p for p in people if 0 <= p < len(built.emails)]
    groups = list(dict.fromkeys(int(t) for t in conflict.get("tables", [])))
    groups = [t for t in groups if 0 <= t < len(built.group_names)]
    rules = _rules_about(event, built, _with_partners(built.problem, people))
    session = built.session.get("name", built.session["key"])
    # The solver joins the rules of one clash with "+", e.g. "fixed_seats+keep_apart".
    words = "; ".join(_RULES.get(part, part.replace("_", " ")) for part in rule.split("+") if part)
    parts = [f"{session} cannot be planned: {words or 'the rules contradict each other'}."]
    if people:
        parts.append(f"People involved: {_names_of(people, built.names)}.")
    if groups and rule != "capacity":
        parts.append(f"Groups: {', '.join(built.group_names[t] for t in groups)}.")
    name_of = dict(zip(built.emails, built.names, strict=True))
    parts += [_rule_sentence(r, name_of) for r in rules]
    if result.message:
        parts.append(f"({_with_names(result.message, built)})")
    return " ".join(parts), {
        "rule": rule,
        "people": [built.emails[p] for p in people],
        "groups": [built.group_names[t] for t in groups],
        "case": str(conflict.get("case", "")),
        "facts": _named_facts(conflict.get("facts") or {}, built),
        "rules": rules,
    }


def _named_facts(facts: Mapping[str, Any], built: SessionProblem) -> dict:
    """The solver's facts about a conflict with emails for people and names for groups."""
    emails, groups = built.emails, built.group_names
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if key in PEOPLE_FACTS:
            out[key] = [emails[p] for p in value]
        elif key == "groups":
            out[key] = [[emails[p] for p in g] for g in value]
        elif key == "table":
            out[key] = groups[value]
        elif key == "tables":
            out[key] = [groups[t] for t in value]
        elif key == "round":
            out[key] = None if value is None else value + 1
        elif key == "clauses":
            out[key] = [
                {"rule": r, "people": [emails[p] for p in ps], "groups": [groups[t] for t in ts]}
                for r, ps, ts in value
            ]
        else:
            out[key] = value
    return out


def _with_partners(problem: Problem, people: Iterable[int]) -> set[int]:
    """`people` and everyone kept together with them: their rules may be behind a conflict."""
    found, grew = set(people), True
    while grew:
        grew = False
        for i, j in problem.together:
            if (i in found) != (j in found):
                found.update((i, j))
                grew = True
    return found


def _rules_about(event: Mapping, built: SessionProblem, people: set[int]) -> list[dict]:
    """The event's rules for this session that mention any of `people`: {"kind" (keep_together,
    keep_apart, fixed_seat, locked, blocked, colleagues or hosts), "people": [emails], and
    "group", "round" (from 1) or "company" where the kind has one}."""
    if not people:
        return []
    index = {e: i for i, e in enumerate(built.emails)}
    key = built.session["key"]
    found = []
    for rule in event.get("constraints", []):
        if rule.get("session") not in (None, key):
            continue
        mentioned = [rule["person"]] if rule["kind"] == "fixed_seat" else rule["people"]
        members = [index[_key(e)] for e in mentioned]
        if people.intersection(members):
            found.append({"kind": rule["kind"], "people": [built.emails[p] for p in members]})
            if rule["kind"] == "fixed_seat":
                found[-1]["group"] = rule["table"]
    for f in built.problem.fixed:
        if f.person in people and f.round is not None:
            found.append(
                {
                    "kind": "locked",
                    "people": [built.emails[f.person]],
                    "group": built.group_names[f.table],
                    "round": f.round + 1,
                }
            )
    companies = {_key(a["email"]): a.get("company") for a in event.get("attendees", [])}
    for (p, q), why in sorted(built.why_apart.items()):
        if p in people and q in people and why != KEEP_APART:  # keep-apart rules listed above
            pair = [built.emails[p], built.emails[q]]
            if why == BLOCKED:
                found.append({"kind": "blocked", "people": pair})
            else:
                found.append({"kind": "colleagues", "people": pair, "company": companies[pair[0]]})
    hosts = sorted(people & built.problem.hosts)
    if len(hosts) > 1 and hosts != sorted(built.problem.hosts):  # else the conflict lists them
        found.append({"kind": "hosts", "people": [built.emails[p] for p in hosts]})
    return found


def _rule_sentence(rule: Mapping, name_of: Mapping[str, str]) -> str:
    """One of _rules_about's rules in English (`name_of`: email -> name)."""
    names = [name_of[e] for e in rule["people"]]
    kind = rule["kind"]
    if kind == "locked":
        return f"Locked: {names[0]} at {rule['group']} in round {rule['round']}."
    if kind == "blocked":
        return f"Apart: {names[0]} and {names[1]} ({BLOCKED})."
    if kind == "colleagues":
        return f"Apart: {names[0]} and {names[1]} (colleagues at {rule['company']})."
    if kind == "hosts":
        return f"Hosts: {_join(names)}."
    where = f" at {rule['group']}" if kind == "fixed_seat" else ""
    return f"Rule: {kind.replace('_', ' ')} {_join(names)}{where}."


_NUMBERS = r"(\d+(?:(?:, | and )\d+)*)"  # "3", "3, 5 and 7"


def _with_names(message: str, built: SessionProblem) -> str:
    """The solver's sentence, which numbers people, tables and rounds from 0, in names."""

    def listed(numbers: str, names: Sequence[str]) -> str | None:
        found = list(dict.fromkeys(int(n) for n in re.findall(r"\d+", numbers)))
        if any(n >= len(names) for n in found):
            return None
        return _names_of(found, names)

    def people(match: re.Match) -> str:
        named = listed(match.group(2), built.names)
        if named is None:
            return match.group(0)
        lead = "" if match.group(1).startswith(("person", "people")) else match.group(1)
        return f"{lead}{named}{match.group(3)}"

    def tables(match: re.Match) -> str:
        named = listed(match.group(2), built.group_names)
        if named is None:
            return match.group(0)
        return named if match.group(1).lower() == "table" else f"{match.group(1)} {named}"

    def rounds(match: re.Match) -> str:
        return f"round {int(match.group(1)) + 1}"

    # "person 3", "people 3 and 5", "keep 3, 5 together", "seat 3 at", "host (3, 5)"
    for pattern in (
        rf"(\b(?:person|people) ){_NUMBERS}()",
        rf"(\b(?:keep|seat) ){_NUMBERS}( (?:together|apart|at)\b)",
        rf"(\bhosts? \(){_NUMBERS}(\))",
    ):
        message = re.sub(pattern, people, message)
    message = re.sub(rf"\b(tables?) {_NUMBERS}", tables, message, flags=re.IGNORECASE)
    message = re.sub(r"\bround (\d+)", rounds, message)
    return message[:1].upper() + message[1:]


# ---------------------------------------------------------------- a plan adjusted by hand


def broken_rules(
    event: Mapping,
    plan: EventPlan | Mapping,
    *,
    locked: Iterable[tuple[str, int, int]] = (),
    blocks: Iterable[tuple[str, str]] = (),
) -> list[dict]:
    """The rules a plan breaks (say after a manual move), in names; empty when it keeps them all.

    `plan` is an EventPlan or a dict like EventPlan.to_dict() (see people_to_meet); its groups
    are matched to the session's tables by position, or to flights by number (a golf plan moved
    by hand may have more or fewer flights than the headcount gives). Each item is {"rule",
    "round" (0-based), "group" (its name, "" for the whole round), "group_index" (its position,
    or None; for fixed_seat and locked the one the person belongs at), "people": [emails],
    "limit" (capacity and min_size), "message"}. Rules: "seated" (the plan's shape: rounds,
    tables, someone seated twice), "unplaced", "capacity", "min_size" (an empty table too: the
    search fills every table to its minimum), "hosts", "colleagues" (same_company_apart: more
    colleagues at one group than the company's size needs, people kept together counting
    once), "keep_together", "keep_apart" (a rule or a block, with why), "fixed_seat", "locked".
    """
    attendees = event.get("attendees", [])
    index = {_key(a["email"]): i for i, a in enumerate(attendees)}
    session_key, rounds = _plan_rounds(plan, index)
    built = session_problem(event, session_key, blocks=blocks)
    problem, names = built.problem, built.names
    golf_day = built.session["kind"] == "golf"
    locks = [Fixed(index[_key(e)], g, r) for e, r, g in locked if _key(e) in index]
    kept_apart = {
        pair: why for pair, why in built.why_apart.items() if why in (KEEP_APART, BLOCKED)
    }
    root = _together_roots(problem.people, problem.together)
    companies = _companies(attendees) if event["event"].get("same_company_apart", False) else {}
    company_of = {p: c for c, members in companies.items() for p in members}
    found: list[dict] = []

    def group_name(t: int) -> str:
        return _flight_name(t) if golf_day else built.group_names[t]

    def broken(
        rule: str,
        r: int | None,
        t: int | None,
        people: Iterable[int],
        message: str,
        limit: int | None = None,
    ) -> None:
        group = "" if t is None else group_name(t)
        where = ", ".join(filter(None, [f"Round {r + 1}" if r is not None else "", group]))
        found.append(
            {
                "rule": rule,
                "round": r,
                "group": group,
                "group_index": t,
                "people": [built.emails[p] for p in people],
                "limit": limit,
                "message": f"{where}: {message}." if where else f"{message}.",
            }
        )

    if len(rounds) != problem.rounds:
        broken("seated", None, None, (), f"The plan has {len(rounds)} rounds, not {problem.rounds}")
        return found
    for r, row in enumerate(rounds):
        if not golf_day and len(row) != len(problem.tables):
            broken("seated", r, None, (), f"{len(row)} groups instead of {len(problem.tables)}")
            continue
        # Golf flights follow the headcount; a moved player may fill any flight up to flight_size.
        limits = (built.session.get("flight_size", 4),) * len(row) if golf_day else problem.tables
        lows = problem.min_sizes or (0,) * len(row)
        group_of: dict[int, int] = {}
        for t, (_, people) in enumerate(row):
            for p in people:
                if p in group_of:
                    broken("seated", r, t, [p], f"{names[p]} is seated twice")
                group_of[p] = t
            if len(people) > limits[t]:
                message = f"{len(people)} people, but it takes {limits[t]}"
                broken("capacity", r, t, people, message, limits[t])
            if len(people) < lows[t]:
                message = f"{len(people)} people, fewer than its minimum of {lows[t]}"
                broken("min_size", r, t, people, message, lows[t])
            hosts = [p for p in people if p in problem.hosts]
            if len(hosts) > 1:
                message = f"{_names_of(hosts, names)} are all hosts; a table takes one"
                broken("hosts", r, t, hosts, message)
            colleagues: dict[str, list[int]] = {}
            for p in people:
                if p in company_of:
                    colleagues.setdefault(company_of[p], []).append(p)
            for company, here in colleagues.items():
                # The search spreads a company as far as the groups allow (_colleagues_apart).
                if len({root[p] for p in here}) > math.ceil(len(companies[company]) / len(row)):
                    name = attendees[here[0]].get("company")
                    message = (
                        f"{_names_of(here, names)} work at {name}; they could sit further apart"
                    )
                    broken("colleagues", r, t, here, message)
        missing = [p for p in range(problem.people) if p not in group_of]
        if missing:
            broken("unplaced", r, None, missing, f"no seat for {_names_of(missing, names)}")
        for i, j in problem.together:
            if i in group_of and j in group_of and group_of[i] != group_of[j]:
                message = (
                    f"{names[i]} must sit with {names[j]}, who is at {group_name(group_of[j])}"
                )
                broken("keep_together", r, group_of[i], (i, j), message)
        for (i, j), why in kept_apart.items():
            if i in group_of and group_of.get(j) == group_of[i]:
                message = f"{names[i]} and {names[j]} sit together, but are kept apart ({why})"
                broken("keep_apart", r, group_of[i], (i, j), message)
        for f in (*problem.fixed, *locks):
            if f.round in (None, r) and f.person in group_of and group_of[f.person] != f.table:
                rule, verb = (
                    ("fixed_seat", "has a fixed seat")
                    if f.round is None
                    else ("locked", "is locked")
                )
                now = group_name(group_of[f.person])
                message = f"{names[f.person]} {verb} here, but sits at {now}"
                broken(rule, r, f.table, [f.person], message)
    return found


# ---------------------------------------------------------------- one person's sheet


def people_to_meet(
    event: Mapping,
    plan: EventPlan | Mapping,
    email: str,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    blocks: Iterable[tuple[str, str]] = (),
    language: str = "en",
) -> dict:
    """For one attendee: who at their tables or flights can help them, whom they can help, and
    which introductions they could make, each with reasons (structured and in words).

    `plan` is an EventPlan or a dict shaped like EventPlan.to_dict() (at least "session" and
    "rounds": [[{"name", "people": [{"email"} or email]}]] per round), so a plan adjusted by
    hand works too. People with `consent: false` are left off other people's lists; pairs without
    a common language, or blocked by the organiser, are not suggested. Lists are sorted by the
    pair's value, highest first. For many sheets at once use everyone_to_meet.
    """
    return _Sheets(event, plan, weights, blocks, language).sheet(email)


def everyone_to_meet(
    event: Mapping,
    plan: EventPlan | Mapping,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    blocks: Iterable[tuple[str, str]] = (),
    language: str = "en",
) -> dict[str, dict]:
    """people_to_meet for every attendee seated in the plan, by email (for printing sheets)."""
    sheets = _Sheets(event, plan, weights, blocks, language)
    return {sheets.emails[p]: sheets.sheet(sheets.emails[p]) for p in sorted(sheets.seated_people)}


class _Sheets:
    """What all sheets of one plan share; each sheet scores only its person's tablemates."""

    def __init__(
        self,
        event: Mapping,
        plan: EventPlan | Mapping,
        weights: Weights,
        blocks: Iterable[tuple[str, str]],
        language: str,
    ) -> None:
        self.catalog = TagCatalog.from_event(event.get("tags", []))
        self.attendees = event.get("attendees", [])
        self.emails = [_key(a["email"]) for a in self.attendees]
        self.index = {e: i for i, e in enumerate(self.emails)}
        self.names = [full_name(a) for a in self.attendees]
        self.weights, self.language = weights, language
        self.session_key, self.rounds = _plan_rounds(plan, self.index)
        self.hidden = {i for i, a in enumerate(self.attendees) if a.get("consent", True) is False}
        self.blocks = {(self._person(x), self._person(y)) for x, y in blocks}
        # group_of[r][person] -> position of their group in round r
        self.group_of = [
            {p: g for g, (_, people) in enumerate(groups) for p in people} for groups in self.rounds
        ]
        self.seated_people = set().union(*self.group_of) if self.group_of else set()

    def _person(self, email: str) -> int:
        if _key(email) not in self.index:
            raise ValueError(f"{email!r} is not an attendee.")
        return self.index[_key(email)]

    def sheet(self, email: str) -> dict:
        me = self._person(email)
        mates = set()
        for r, seats in enumerate(self.group_of):
            if me in seats:
                mates.update(self.rounds[r][seats[me]][1])
        mates.discard(me)
        # Local numbering: me first, then my tablemates; scoring only these is cheap.
        local = [me, *sorted(mates)]
        at = {p: k for k, p in enumerate(local)}
        names = [self.names[p] for p in local]
        scores = PairScores(
            [profile_of(self.attendees[p], self.catalog) for p in local],
            self.weights,
            blocks=[(at[x], at[y]) for x, y in self.blocks if x in at and y in at],
        )
        seated = [
            [[at[p] for p in people if p in at] for _, people in groups] for groups in self.rounds
        ]
        shared = tablemates(0, seated)
        hidden = {at[p] for p in self.hidden if p in at and p != me}

        def person(k: int) -> dict:
            p = local[k]
            return {
                "email": self.emails[p],
                "name": names[k],
                "company": self.attendees[p].get("company", ""),
            }

        def reasons(rs: Sequence[Reason]) -> list[dict]:
            return [
                {
                    "seeker": self.emails[local[r.seeker]],
                    "offerer": self.emails[local[r.offerer]],
                    "tag": r.tag,
                    "label": self.catalog.label(r.tag, self.language),
                    "text": r.describe(names, self.catalog, self.language),
                }
                for r in rs
            ]

        def entry(k: int, rs: Sequence[Reason]) -> dict:
            return {
                **person(k),
                "rounds": list(shared[k]),
                "groups": [self.rounds[r][self.group_of[r][me]][0] for r in shared[k]],
                "reasons": reasons(rs),
                "text": "; ".join(describe_reasons(rs, names, self.catalog, self.language)),
            }

        can_help_you, you_can_help = [], []
        for k in sorted(shared, key=lambda k: (-scores.value(0, k), names[k])):
            if k in hidden or not scores.common_language(0, k) or scores.is_blocked(0, k):
                continue
            helps_me = [Reason(0, k, t) for t in scores.seeks_from(0, k)]
            i_help = [Reason(k, 0, t) for t in scores.seeks_from(k, 0)]
            if helps_me:
                can_help_you.append(entry(k, helps_me))
            if i_help:
                you_can_help.append(entry(k, i_help))
        intros = [
            {
                "a": person(i.a),
                "b": person(i.b),
                "reasons": reasons(i.reasons),
                "text": i.describe(names, self.catalog, self.language),
            }
            for i in introductions(0, seated, scores, hidden=hidden)
        ]
        return {
            **person(0),
            "session": self.session_key,
            "groups": [
                {"round": r, "name": self.rounds[r][seats[me]][0]}
                for r, seats in enumerate(self.group_of)
                if me in seats
            ],
            "can_help_you": can_help_you,
            "you_can_help": you_can_help,
            "introductions": intros,
        }


def _plan_rounds(
    plan: EventPlan | Mapping, index: Mapping[str, int]
) -> tuple[str, list[list[tuple[str, list[int]]]]]:
    """(session key, rounds[r] -> [(group name, people)]) from an EventPlan or its dict."""
    if isinstance(plan, EventPlan):
        key = plan.session_key
        rounds = [[(g.name, list(g.emails)) for g in groups] for groups in plan.rounds]
    else:
        key = str(plan.get("session", ""))
        rounds = [
            [
                (
                    str(g.get("name", "")),
                    [p["email"] if isinstance(p, Mapping) else p for p in g.get("people", [])],
                )
                for g in groups
            ]
            for groups in plan.get("rounds", [])
        ]
    out = []
    for groups in rounds:
        row = []
        for name, people in groups:
            unknown = [e for e in people if _key(e) not in index]
            if unknown:
                raise ValueError(f"The plan seats {unknown[0]!r}, who is not an attendee.")
            row.append((name, [index[_key(e)] for e in people]))
        out.append(row)
    return key, out
