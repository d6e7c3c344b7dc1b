"""Creating and changing an event's sessions: seated dinners with tables, golf rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.models import Event, EventSession, SeatingTable
from solver.event import BALANCE_COST_PERCENT

MAX_SEATS = 1000  # at one table or standing group; more is a typing slip


class SessionProblem(ValueError):
    """Bad session input, with a message for the organiser and the form field it concerns."""

    def __init__(self, message: str, field: str = "tables") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class TableSpec:
    name: str
    capacity: int
    min_size: int = 0


def parse_tables(text: str) -> list[TableSpec]:
    """Tables from lines like "Table 1, 8" or "Terrace; 10; 6" (name, seats, optional minimum)."""
    tables = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(";", ",").split(",")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise SessionProblem(
                _(
                    "Line %(number)d: write a table as 'name, seats' (got %(line)s).",
                    number=number,
                    line=line,
                )
            )
        try:
            numbers = [int(p) for p in parts[1:]]
        except ValueError:
            raise SessionProblem(
                _(
                    "Line %(number)d: seats must be a whole number (got %(line)s).",
                    number=number,
                    line=line,
                )
            ) from None
        capacity, min_size = numbers[0], (numbers[1] if len(numbers) == 2 else 0)
        if capacity < 1:
            raise SessionProblem(
                _("Line %(number)d: a table needs at least one seat.", number=number)
            )
        if capacity > MAX_SEATS:
            raise SessionProblem(
                _("Line %(number)d: a table seats at most %(most)d.", number=number, most=MAX_SEATS)
            )
        if not 0 <= min_size <= capacity:
            raise SessionProblem(
                _(
                    "Line %(number)d: the minimum must be between 0 and %(capacity)d.",
                    number=number,
                    capacity=capacity,
                )
            )
        tables.append(TableSpec(parts[0], capacity, min_size))
    names = [t.name for t in tables]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise SessionProblem(_("Two tables share the name %(name)s.", name=duplicates[0]))
    return tables


def tables_text(session: EventSession) -> str:
    """The editable text form of a session's tables (inverse of parse_tables)."""
    return "\n".join(
        f"{t.name}, {t.capacity}" + (f", {t.min_size}" if t.min_size else "")
        for t in session.tables
    )


def save_session(
    event: Event,
    session: EventSession | None,
    *,
    key: str,
    name: str,
    kind: str,
    rounds: int,
    tables: list[TableSpec],
    flight_size: int = 4,
    tee_start: datetime | None = None,
    tee_interval_minutes: int = 10,
    shotgun: bool = False,
    balance_cost_percent: int = BALANCE_COST_PERCENT,
) -> EventSession:
    """Create a session (session=None) or update one; tables keep their ids where names match."""
    if kind == "seating" and not tables:
        raise SessionProblem(_("A seated session needs at least one table."))
    taken = {s.key for s in event.sessions if s is not session}
    if key in taken:
        raise SessionProblem(
            _("Another session already has the key %(key)s.", key=key), field="key"
        )
    if session is None:
        session = EventSession(event=event, position=len(event.sessions))
    session.key, session.name, session.kind, session.rounds = key, name, kind, rounds
    session.flight_size, session.tee_start = flight_size, tee_start
    session.tee_interval_minutes, session.shotgun = tee_interval_minutes, shotgun
    session.balance_cost_percent = balance_cost_percent
    if kind == "seating":
        existing = {t.name: t for t in session.tables}
        session.tables = [
            _table(existing.get(spec.name), spec, position) for position, spec in enumerate(tables)
        ]
    db.session.add(session)
    db.session.commit()
    return session


def _table(table: SeatingTable | None, spec: TableSpec, position: int) -> SeatingTable:
    table = table or SeatingTable(name=spec.name)
    table.capacity, table.min_size, table.position = spec.capacity, spec.min_size, position
    return table


def delete_session(session: EventSession) -> None:
    db.session.delete(session)
    db.session.commit()
