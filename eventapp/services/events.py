"""Whole events as mingle-event/1 files (see sample_events/README.md): load, export, find."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date, datetime
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventapp.extensions import db
from eventapp.models import Attendee, Constraint, Event, EventSession, SeatingTable, Tag
from eventapp.models.attendee import HANDICAP_RANGE
from eventapp.services.importing import HEADERS, LANGUAGES, parse_email

FORMAT = "mingle-event/1"
FILE_KEYS = {"format", "event", "tags", "attendees", "sessions", "constraints"}
EVENT_KEYS = {
    "name",
    "starts_on",
    "ends_on",
    "venue",
    "timezone",
    "languages",
    "same_company_apart",
}
ATTENDEE_KEYS = set(HEADERS)  # a person in a file has the columns of an attendee spreadsheet
SESSION_KEYS = {
    "key",
    "name",
    "kind",
    "rounds",
    "tables",
    "flight_size",
    "tee_start",
    "tee_interval_minutes",
    "shotgun",
}


class EventFileError(ValueError):
    """The file is not a valid event; the message names the attendee, session or field."""


def load_event_file(source: str | os.PathLike | Mapping[str, Any]) -> Event:
    """Create a new event from a mingle-event/1 file (a path, or the parsed JSON).

    Everything is checked before anything is written, and written in one transaction:
    a bad file raises EventFileError and leaves the database as it was.
    """
    data = _read(source)
    builder = _EventBuilder()
    event = builder.build(data)
    try:
        db.session.add(event)
        db.session.flush()  # constraints refer to attendees and tables by id
        for constraint in builder.constraints:
            db.session.add(Constraint(event_id=event.id, **_ids(constraint)))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return event


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as a mingle-event/1 dict: what load_event_file reads and the solver CLI takes."""
    attendees = (
        db.session.execute(db.select(Attendee).filter_by(event_id=event.id).order_by(Attendee.id))
        .scalars()
        .all()
    )
    emails = {a.id: a.email for a in attendees}
    sessions = sorted(event.sessions, key=lambda s: (s.position, s.id))
    return {
        "format": FORMAT,
        "event": {
            "name": event.name,
            "starts_on": event.starts_on.isoformat() if event.starts_on else None,
            "ends_on": event.ends_on.isoformat() if event.ends_on else None,
            "venue": event.venue,
            "timezone": event.timezone,
            "languages": list(event.languages),
            "same_company_apart": event.same_company_apart,
        },
        "tags": [
            {"key": t.key, "labels": dict(t.labels), "synonyms": list(t.synonyms)}
            for t in sorted(event.tags, key=lambda t: t.id)
        ],
        "attendees": [_attendee_dict(a) for a in attendees],
        "sessions": [_session_dict(s) for s in sessions],
        "constraints": _constraint_dicts(event, emails),
    }


def save_event(event: Event | None, **fields: Any) -> Event:
    """Create an event (event None) or change one: name, dates, venue, timezone, languages,
    same_company_apart."""
    event = event or Event()
    for name, value in fields.items():
        setattr(event, name, value)
    db.session.add(event)
    db.session.commit()
    return event


def find_event(ref: str) -> Event | None:
    """An event by id ("12") or exact name; of several events with that name, the newest."""
    ref = ref.strip()
    if ref.isdigit() and (event := db.session.get(Event, int(ref))) is not None:
        return event
    return db.session.execute(
        db.select(Event).filter_by(name=ref).order_by(Event.id.desc()).limit(1)
    ).scalar_one_or_none()


def _read(source: str | os.PathLike | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    try:
        with open(source, encoding="utf-8") as file:
            return json.load(file)
    except OSError as error:
        raise EventFileError(f"cannot read {source}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise EventFileError("the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise EventFileError(f"not valid JSON (line {error.lineno}: {error.msg})") from None


def _attendee_dict(a: Attendee) -> dict[str, Any]:
    return {
        "first_name": a.first_name,
        "last_name": a.last_name,
        "email": a.email,
        "company": a.company,
        "title": a.title,
        "phone": a.phone,
        "languages": list(a.languages),
        "offers": [t.key for t in a.offers],
        "seeks": [t.key for t in a.seeks],
        "goals": a.goals,
        "handicap": a.handicap,
        "host": a.is_host,
        "consent": a.consent_to_share,
    }


def _session_dict(s: EventSession) -> dict[str, Any]:
    result: dict[str, Any] = {"key": s.key, "name": s.name, "kind": s.kind, "rounds": s.rounds}
    if s.kind == "seating":
        result["tables"] = [
            {"name": t.name, "capacity": t.capacity, "min_size": t.min_size} for t in s.tables
        ]
    else:
        result.update(
            flight_size=s.flight_size,
            tee_start=_minutes(s.tee_start) if s.tee_start else None,
            tee_interval_minutes=s.tee_interval_minutes,
            shotgun=s.shotgun,
        )
    return result


def _minutes(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes" if not moment.second else "seconds")


def _constraint_dicts(event: Event, emails: dict[int, str]) -> list[dict[str, Any]]:
    """Rows are pairs; a file's group of people is its first person's pairs, in order.

    keep_apart groups are stored as every pair, so groups whose pairs an earlier group already
    covers are left out; keep_together is stored as a star from the first person.
    """
    rows = db.session.execute(
        db.select(Constraint).filter_by(event_id=event.id).order_by(Constraint.id)
    ).scalars()
    session_keys = {s.id: s.key for s in event.sessions}
    groups: dict[tuple, list[int]] = {}
    result: list[dict[str, Any]] = []
    for row in rows:
        session = session_keys.get(row.session_id) if row.session_id else None
        if row.kind == "fixed_seat":
            result.append(
                {
                    "kind": row.kind,
                    "person": emails[row.attendee_id],
                    "session": session,
                    "table": row.table.name,
                }
            )
        else:
            groups.setdefault((row.kind, session, row.attendee_id), [row.attendee_id]).append(
                row.other_id
            )
    covered: set[tuple[str, str | None, frozenset[int]]] = set()
    grouped = []
    for (kind, session, _), people in groups.items():
        pairs = {(kind, session, frozenset(pair)) for pair in combinations(people, 2)}
        if kind == "keep_apart" and pairs <= covered:
            continue
        covered |= pairs
        item: dict[str, Any] = {"kind": kind, "people": [emails[p] for p in people]}
        if session is not None:
            item["session"] = session
        grouped.append(item)
    return grouped + result


def _ids(constraint: dict[str, Any]) -> dict[str, Any]:
    """Objects (flushed, so they have ids) -> the Constraint's id columns."""
    return {
        "kind": constraint["kind"],
        "session_id": constraint["session"].id if constraint["session"] else None,
        "attendee_id": constraint["attendee"].id,
        "other_id": constraint["other"].id if constraint.get("other") else None,
        "table_id": constraint["table"].id if constraint.get("table") else None,
    }


class _EventBuilder:
    """Checks a file's dict and builds unsaved model objects; raises EventFileError on the
    first problem, naming where it is."""

    def __init__(self) -> None:
        self.tags: dict[str, Tag] = {}
        self.people: dict[str, Attendee] = {}
        self.sessions: dict[str, EventSession] = {}
        self.constraints: list[dict[str, Any]] = []

    def build(self, data: Mapping[str, Any]) -> Event:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise EventFileError(f'not an event file: "format" must be "{FORMAT}"')
        _known_keys(data, FILE_KEYS, "the file")
        info = _mapping(data.get("event"), "event")
        _known_keys(info, EVENT_KEYS, "event")
        event = Event(
            name=_text(info, "name", "event", 200, required=True),
            starts_on=_date(info, "starts_on"),
            ends_on=_date(info, "ends_on"),
            venue=_text(info, "venue", "event", 200),
            timezone=_timezone(info.get("timezone", "UTC")),
            languages=_languages(info.get("languages", ["en"]), "event"),
            same_company_apart=_flag(info, "same_company_apart", "event", True),
        )
        if event.starts_on and event.ends_on and event.ends_on < event.starts_on:
            raise EventFileError("event: ends_on is before starts_on")
        event.tags = [self._tag(t, i) for i, t in enumerate(_list(data.get("tags", []), "tags"))]
        event.attendees = [
            self._attendee(a, i)
            for i, a in enumerate(_list(data.get("attendees", []), "attendees"))
        ]
        event.sessions = [
            self._session(s, i) for i, s in enumerate(_list(data.get("sessions", []), "sessions"))
        ]
        for i, c in enumerate(_list(data.get("constraints", []), "constraints")):
            self._constraint(c, i)
        return event

    def _tag(self, item: Any, index: int) -> Tag:
        item = _mapping(item, f"tags[{index}]")
        key = _text(item, "key", f"tags[{index}]", 100, required=True)
        where = f"tag {key!r}"
        if key in self.tags:
            raise EventFileError(f"{where} appears twice")
        labels = _mapping(item.get("labels", {}), f"{where} labels")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise EventFileError(f"{where}: labels must map language codes to text")
        synonyms = _list(item.get("synonyms", []), f"{where} synonyms")
        if not all(isinstance(s, str) for s in synonyms):
            raise EventFileError(f"{where}: synonyms must be text")
        self.tags[key] = Tag(key=key, labels=dict(labels), synonyms=list(synonyms))
        return self.tags[key]

    def _attendee(self, item: Any, index: int) -> Attendee:
        item = _mapping(item, f"attendees[{index}]")
        raw = item.get("email")
        email = parse_email(raw) if isinstance(raw, str) else None
        if email is None:
            raise EventFileError(f"attendees[{index}]: missing or invalid email {raw!r}")
        where = f"attendee {email}"
        if email in self.people:
            raise EventFileError(f"{where} appears twice")
        _known_keys(item, ATTENDEE_KEYS, where)
        handicap = item.get("handicap")
        if handicap is not None:
            if isinstance(handicap, bool) or not isinstance(handicap, int | float):
                raise EventFileError(f"{where}: handicap must be a number or null")
            low, high = HANDICAP_RANGE
            if not low <= handicap <= high:
                raise EventFileError(f"{where}: handicap {handicap} is outside {low:g} to {high:g}")
        self.people[email] = Attendee(
            email=email,
            first_name=_text(item, "first_name", where, 100, required=True),
            last_name=_text(item, "last_name", where, 100),
            company=_text(item, "company", where, 200),
            title=_text(item, "title", where, 200),
            phone=_text(item, "phone", where, 50),
            goals=_text(item, "goals", where, None),
            languages=_languages(item.get("languages", []), where),
            offers=self._tag_list(item, "offers", where),
            seeks=self._tag_list(item, "seeks", where),
            handicap=float(handicap) if handicap is not None else None,
            is_host=_flag(item, "host", where, False),
            consent_to_share=_flag(item, "consent", where, True),
        )
        return self.people[email]

    def _tag_list(self, item: Mapping[str, Any], name: str, where: str) -> list[Tag]:
        keys = _list(item.get(name, []), f"{where} {name}")
        for key in keys:
            if key not in self.tags:
                raise EventFileError(f"{where}: {name} names unknown tag {key!r}")
        return [self.tags[key] for key in dict.fromkeys(keys)]

    def _session(self, item: Any, index: int) -> EventSession:
        item = _mapping(item, f"sessions[{index}]")
        key = _text(item, "key", f"sessions[{index}]", 64, required=True)
        where = f"session {key!r}"
        if key in self.sessions:
            raise EventFileError(f"{where} appears twice")
        _known_keys(item, SESSION_KEYS, where)
        kind = item.get("kind")
        if kind not in ("seating", "golf"):
            raise EventFileError(f'{where}: kind must be "seating" or "golf", not {kind!r}')
        session = EventSession(
            key=key,
            name=_text(item, "name", where, 200) or key,
            kind=kind,
            position=index,
            rounds=_whole(item, "rounds", where, 1, 1),
        )
        if kind == "seating":
            session.tables = [
                self._table(t, i, where)
                for i, t in enumerate(_list(item.get("tables"), f"{where} tables"))
            ]
            if not session.tables:
                raise EventFileError(f"{where}: a seating session needs tables")
            names = [t.name for t in session.tables]
            if len(set(names)) != len(names):
                raise EventFileError(f"{where}: two tables have the same name")
        else:
            if item.get("tables"):
                raise EventFileError(f"{where}: golf sessions have no tables (flights instead)")
            session.flight_size = _whole(item, "flight_size", where, 4, 3)
            if session.flight_size > 4:
                raise EventFileError(f"{where}: flight_size must be 3 or 4")
            session.tee_start = _datetime(item.get("tee_start"), where)
            session.tee_interval_minutes = _whole(item, "tee_interval_minutes", where, 10, 0)
            session.shotgun = _flag(item, "shotgun", where, False)
        self.sessions[key] = session
        return session

    def _table(self, item: Any, index: int, where: str) -> SeatingTable:
        item = _mapping(item, f"{where} tables[{index}]")
        name = _text(item, "name", f"{where} tables[{index}]", 100, required=True)
        table_where = f"{where} table {name!r}"
        capacity = _whole(item, "capacity", table_where, None, 1)
        min_size = _whole(item, "min_size", table_where, 0, 0)
        if min_size > capacity:
            raise EventFileError(f"{table_where}: min_size is larger than capacity")
        return SeatingTable(name=name, capacity=capacity, min_size=min_size, position=index)

    def _constraint(self, item: Any, index: int) -> None:
        where = f"constraints[{index}]"
        item = _mapping(item, where)
        kind = item.get("kind")
        session = None
        if item.get("session") is not None:
            session = self.sessions.get(item["session"])
            if session is None:
                raise EventFileError(f"{where}: unknown session {item['session']!r}")
        if kind in ("keep_together", "keep_apart"):
            people = [self._person(e, where) for e in _list(item.get("people"), where)]
            if len(set(map(id, people))) != len(people) or len(people) < 2:
                raise EventFileError(f"{where}: {kind} needs two or more different people")
            # Together is transitive, so a star from the first person says it all; apart is not.
            pairs = (
                [(people[0], other) for other in people[1:]]
                if kind == "keep_together"
                else list(combinations(people, 2))
            )
            for a, b in pairs:
                self.constraints.append(
                    {"kind": kind, "session": session, "attendee": a, "other": b}
                )
        elif kind == "fixed_seat":
            person = self._person(item.get("person"), where)
            if session is None or session.kind != "seating":
                raise EventFileError(f"{where}: fixed_seat needs the key of a seating session")
            table = next((t for t in session.tables if t.name == item.get("table")), None)
            if table is None:
                raise EventFileError(
                    f"{where}: session {session.key!r} has no table {item.get('table')!r}"
                )
            self.constraints.append(
                {"kind": kind, "session": session, "attendee": person, "table": table}
            )
        else:
            raise EventFileError(
                f"{where}: kind must be keep_together, keep_apart or fixed_seat, not {kind!r}"
            )

    def _person(self, email: Any, where: str) -> Attendee:
        person = self.people.get(parse_email(email) or "") if isinstance(email, str) else None
        if person is None:
            raise EventFileError(f"{where}: {email!r} is not one of the attendees")
        return person


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise EventFileError(f"{where}: expected an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise EventFileError(f"{where}: expected a list")
    return value


def _known_keys(item: Mapping[str, Any], allowed: set[str], where: str) -> None:
    # A misspelt field ("handcap") would otherwise be dropped without a word.
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise EventFileError(f"{where}: unknown field {unknown[0]!r}")


def _text(
    item: Mapping[str, Any], name: str, where: str, limit: int | None, *, required: bool = False
) -> str:
    value = item.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise EventFileError(f"{where}: {name} must be text")
    value = value.strip()
    if required and not value:
        raise EventFileError(f"{where}: {name} is missing")
    if limit is not None and len(value) > limit:
        raise EventFileError(f"{where}: {name} is longer than {limit} characters")
    return value


def _flag(item: Mapping[str, Any], name: str, where: str, default: bool) -> bool:
    value = item.get(name, default)
    if not isinstance(value, bool):
        raise EventFileError(f"{where}: {name} must be true or false")
    return value


def _whole(
    item: Mapping[str, Any], name: str, where: str, default: int | None, minimum: int
) -> int:
    value = item.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventFileError(f"{where}: {name} must be a whole number")
    if value < minimum:
        raise EventFileError(f"{where}: {name} must be at least {minimum}")
    return value


def _languages(value: Any, where: str) -> list[str]:
    codes = _list(value, f"{where} languages")
    for code in codes:
        if code not in LANGUAGES:
            raise EventFileError(f"{where}: unknown language code {code!r}")
    return list(dict.fromkeys(codes))


def _date(info: Mapping[str, Any], name: str) -> date | None:
    value = info.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise EventFileError(f"event: {name} must be a date like 2027-05-12") from None


def _datetime(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except (TypeError, ValueError):
        raise EventFileError(f"{where}: tee_start must be a time like 2027-05-13T08:00") from None


def _timezone(value: Any) -> str:
    try:
        ZoneInfo(value)
    except (TypeError, ValueError, ZoneInfoNotFoundError):
        raise EventFileError(f"event: unknown time zone {value!r}") from None
    return value
