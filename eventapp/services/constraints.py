"""Seating rules an organiser sets: keep two people together or apart, or fix someone's seat."""

from __future__ import annotations

from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.models import Attendee, Constraint, Event, EventSession, SeatingTable

KINDS = ("keep_together", "keep_apart", "fixed_seat")


class ConstraintProblem(ValueError):
    """A rule that cannot be stored, with a message for the organiser."""


def event_constraints(event: Event) -> list[Constraint]:
    query = db.select(Constraint).filter_by(event_id=event.id).order_by(Constraint.id)
    return list(db.session.execute(query).scalars())


def add_pair_rule(
    event: Event, kind: str, person: Attendee, other: Attendee, session: EventSession | None = None
) -> Constraint:
    """Keep two people together or apart (in one session, or in all when session is None)."""
    if kind not in ("keep_together", "keep_apart"):
        raise ValueError(f"Not a pair rule: {kind}")
    if person.id == other.id:
        raise ConstraintProblem(_("Choose two different people."))
    opposite = "keep_apart" if kind == "keep_together" else "keep_together"
    for rule in event_constraints(event):
        if {rule.attendee_id, rule.other_id} == {person.id, other.id}:
            if rule.kind == kind:
                raise ConstraintProblem(_("That rule already exists."))
            if rule.kind == opposite:
                raise ConstraintProblem(
                    _(
                        "%(a)s and %(b)s are already to be kept %(how)s: remove that rule first.",
                        a=person.full_name,
                        b=other.full_name,
                        how=_("together") if opposite == "keep_together" else _("apart"),
                    )
                )
    rule = Constraint(
        event_id=event.id,
        kind=kind,
        attendee_id=person.id,
        other_id=other.id,
        session_id=session.id if session else None,
    )
    db.session.add(rule)
    db.session.commit()
    return rule


def fix_seat(event: Event, person: Attendee, table: SeatingTable) -> Constraint:
    """Seat a person at one table in every round of that table's session."""
    for rule in event_constraints(event):
        if (
            rule.kind == "fixed_seat"
            and rule.attendee_id == person.id
            and (rule.table.session_id == table.session_id)
        ):
            raise ConstraintProblem(
                _(
                    "%(name)s already has a fixed seat at %(table)s.",
                    name=person.full_name,
                    table=rule.table.name,
                )
            )
    rule = Constraint(
        event_id=event.id,
        kind="fixed_seat",
        attendee_id=person.id,
        table_id=table.id,
        session_id=table.session_id,
    )
    db.session.add(rule)
    db.session.commit()
    return rule


def delete_constraint(rule: Constraint) -> None:
    db.session.delete(rule)
    db.session.commit()
