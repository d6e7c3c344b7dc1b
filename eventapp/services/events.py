"""Whole events as mingle-event/1 files (see sample_events/README.md): load, export, find."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from itertools import combinations
from typing import Any

from eventapp.extensions import db
from eventapp.models import Attendee, Constraint, Event, EventSession, SeatingTable, Tag
from solver.event import BALANCE_COST_PERCENT, FORMAT, check_event, load_event, parse_email
from solver.scoring import TagCatalog


class EventFileError(ValueError):
    """The file is not a valid event; the message names the attendee, session or field."""


def load_event_file(source: str | os.PathLike | Mapping[str, Any]) -> Event:
    """Create a new event from a mingle-event/1 file (a path, or the parsed JSON).

    The file is checked (solver.event.check_event, then what the database needs) before
    anything is written, and written in one transaction: a bad file raises EventFileError and
    leaves the database as it was.
    """
    try:
        if isinstance(source, Mapping):
            check_event(source)
            data = source
        else:
            data = load_event(source)
    except ValueError as error:
        raise EventFileError(str(error)) from None
    _check_storable(data)
    event, constraints = _build(data)
    try:
        db.session.add(event)
        db.session.flush()  # constraints refer to attendees and tables by id
        for constraint in constraints:
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
            balance_cost_percent=s.balance_cost_percent,
        )
    return result


def _minutes(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes" if not moment.second else "seconds")


def _constraint_dicts(event: Event, emails: dict[int, str]) -> list[dict[str, Any]]:
    """Rows are pairs; a file's group of people is its first person's pairs, in order.

    keep_apart groups are stored as every pair, so groups whose pairs an earlier group already
    covers are left out; keep_together is stored as a star from the first person. A person kept
    apart from several people who are not kept apart from each other (the rules page adds pairs
    one by one) gives one rule per pair.
    """
    rows = db.session.execute(
        db.select(Constraint).filter_by(event_id=event.id).order_by(Constraint.id)
    ).scalars()
    session_keys = {s.id: s.key for s in event.sessions}
    groups: dict[tuple, list[int]] = {}
    stored: set[tuple] = set()
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
            stored |= _pairs(row.kind, session, [row.attendee_id, row.other_id])
    covered: set[tuple] = set()
    grouped = []
    for (kind, session, _), people in groups.items():
        # Together is transitive, so the star is the whole group; apart holds for stored pairs.
        whole = kind == "keep_together" or _pairs(kind, session, people) <= stored
        for members in [people] if whole else [[people[0], other] for other in people[1:]]:
            if kind == "keep_apart" and _pairs(kind, session, members) <= covered:
                continue
            covered |= _pairs(kind, session, members)
            item: dict[str, Any] = {"kind": kind, "people": [emails[p] for p in members]}
            if session is not None:
                item["session"] = session
            grouped.append(item)
    return grouped + result


def _pairs(kind: str, session: str | None, people: list[int]) -> set[tuple]:
    return {(kind, session, frozenset(pair)) for pair in combinations(people, 2)}


def _ids(constraint: dict[str, Any]) -> dict[str, Any]:
    """Objects (flushed, so they have ids) -> the Constraint's id columns."""
    return {
        "kind": constraint["kind"],
        "session_id": constraint["session"].id if constraint["session"] else None,
        "attendee_id": constraint["attendee"].id,
        "other_id": constraint["other"].id if constraint.get("other") else None,
        "table_id": constraint["table"].id if constraint.get("table") else None,
    }


def _check_storable(data: Mapping[str, Any]) -> None:
    """What the database needs beyond the file format (solver.event.check_event): text that
    fits its columns and holds no NUL character, and fixed seats at a table of a seating
    session."""
    if (where := _nul_at(data)) is not None:
        raise EventFileError(f"{where}: holds a NUL character, which cannot be stored.")
    items: list[tuple[str, type, Mapping[str, Any]]] = [("event", Event, data["event"])]
    items += [(f"tag {t['key']!r}", Tag, t) for t in data.get("tags", [])]
    items += [
        (f"attendee {parse_email(a['email'])}", Attendee, a) for a in data.get("attendees", [])
    ]
    for s in data.get("sessions", []):
        items.append((f"session {s['key']!r}", EventSession, s))
        items += [
            (f"session {s['key']!r} table {t['name']!r}", SeatingTable, t)
            for t in s.get("tables", [])
        ]
    for where, model, item in items:
        for name, value in item.items():
            limit = getattr(getattr(model.__table__.c.get(name), "type", None), "length", None)
            if isinstance(value, str) and limit and len(value.strip()) > limit:
                raise EventFileError(f"{where}: {name} is longer than {limit} characters.")
    kinds = {s["key"]: s["kind"] for s in data.get("sessions", [])}
    for k, rule in enumerate(data.get("constraints", [])):
        if rule["kind"] == "fixed_seat" and kinds.get(rule.get("session")) != "seating":
            raise EventFileError(
                f"constraints[{k}]: fixed_seat needs the key of a seating session."
            )


def _nul_at(value: Any, where: str = "") -> str | None:
    """Where the first NUL character is ("attendees[2].company"): PostgreSQL cannot store one."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, Mapping):
        items = ((f"{where}.{key}" if where else key, key, item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{where}[{k}]", "", item) for k, item in enumerate(value))
    else:
        return None
    for at, key, item in items:
        if "\x00" in key:
            return at.replace("\x00", "\\0")
        if (found := _nul_at(item, at)) is not None:
            return found
    return None


def _build(data: Mapping[str, Any]) -> tuple[Event, list[dict[str, Any]]]:
    """Unsaved model objects for a checked file, and its rules as pairs of those objects."""
    info = data["event"]
    event = Event(
        name=_text(info, "name"),
        starts_on=_date(info.get("starts_on")),
        ends_on=_date(info.get("ends_on")),
        venue=_text(info, "venue"),
        timezone=info.get("timezone", "UTC"),
        languages=list(dict.fromkeys(info.get("languages", ["en"]))),
        same_company_apart=info.get("same_company_apart", True),
    )
    catalog = TagCatalog.from_event(data.get("tags", []))
    tags = {
        t["key"]: Tag(
            key=t["key"].strip(),
            labels=dict(t.get("labels", {})),
            synonyms=list(t.get("synonyms", [])),
        )
        for t in data.get("tags", [])
    }
    people = {
        parse_email(a["email"]): _attendee(a, catalog, tags) for a in data.get("attendees", [])
    }
    sessions = {s["key"]: _session(s, k) for k, s in enumerate(data.get("sessions", []))}
    event.tags, event.attendees = list(tags.values()), list(people.values())
    event.sessions = list(sessions.values())
    constraints = []
    for rule in data.get("constraints", []):
        session = sessions.get(rule.get("session"))
        if rule["kind"] == "fixed_seat":
            table = next(t for t in session.tables if t.name == rule["table"].strip())
            person = people[parse_email(rule["person"])]
            constraints.append(
                {"kind": "fixed_seat", "session": session, "attendee": person, "table": table}
            )
            continue
        members = [people[parse_email(e)] for e in rule["people"]]
        # Together is transitive, so a star from the first person says it all; apart is not.
        pairs = (
            [(members[0], other) for other in members[1:]]
            if rule["kind"] == "keep_together"
            else list(combinations(members, 2))
        )
        constraints += [
            {"kind": rule["kind"], "session": session, "attendee": a, "other": b} for a, b in pairs
        ]
    return event, constraints


def _attendee(item: Mapping[str, Any], catalog: TagCatalog, tags: Mapping[str, Tag]) -> Attendee:
    def tag_list(name: str) -> list[Tag]:
        # A label or synonym in the file names its tag, as in spreadsheet import.
        keys = dict.fromkeys(catalog.normalise(text) for text in item.get(name, []))
        return [tags[key] for key in keys]

    handicap = item.get("handicap")
    return Attendee(
        email=parse_email(item["email"]),
        first_name=_text(item, "first_name"),
        last_name=_text(item, "last_name"),
        company=_text(item, "company"),
        title=_text(item, "title"),
        phone=_text(item, "phone"),
        goals=_text(item, "goals"),
        languages=list(dict.fromkeys(item.get("languages", []))),
        offers=tag_list("offers"),
        seeks=tag_list("seeks"),
        handicap=float(handicap) if handicap is not None else None,
        is_host=item.get("host", False),
        consent_to_share=item.get("consent", True),
    )


def _session(item: Mapping[str, Any], position: int) -> EventSession:
    key = item["key"].strip()
    session = EventSession(
        key=key,
        name=_text(item, "name") or key,
        kind=item["kind"],
        position=position,
        rounds=item.get("rounds", 1),
    )
    if session.kind == "seating":
        session.tables = [
            SeatingTable(
                name=t["name"].strip(),
                capacity=t["capacity"],
                min_size=t.get("min_size", 0),
                position=k,
            )
            for k, t in enumerate(item["tables"])
        ]
    else:
        tee_start = item.get("tee_start")
        session.flight_size = item.get("flight_size", 4)
        session.tee_start = (
            datetime.fromisoformat(tee_start).replace(tzinfo=None) if tee_start else None
        )
        session.tee_interval_minutes = item.get("tee_interval_minutes", 10)
        session.shotgun = item.get("shotgun", False)
        session.balance_cost_percent = item.get("balance_cost_percent", BALANCE_COST_PERCENT)
    return session


def _text(item: Mapping[str, Any], name: str) -> str:
    return (item.get(name) or "").strip()


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
