"""Finding attendees: the organiser's list with its search and filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, or_
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import Attendee, CheckIn, Event, Tag, attendee_offers, attendee_seeks


@dataclass(frozen=True)
class Filters:
    q: str = ""  # matches names, email, company
    company: str = ""
    tag: str = ""  # a tag key, offered or sought
    host: bool | None = None
    checked_in: bool | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        def yes_no(name: str) -> bool | None:
            return {"yes": True, "no": False}.get(args.get(name, ""))

        return cls(
            q=args.get("q", "").strip(),
            company=args.get("company", "").strip(),
            tag=args.get("tag", "").strip(),
            host=yes_no("host"),
            checked_in=yes_no("checked_in"),
        )


def _has_tag(link, key: str):
    return exists().where(
        link.c.attendee_id == Attendee.id, link.c.tag_id == Tag.id, Tag.key == key
    )


def search(event: Event, filters: Filters) -> list[Attendee]:
    """The event's attendees matching every filter that is set, by last name."""
    query = db.select(Attendee).filter_by(event_id=event.id)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(Attendee.first_name + " " + Attendee.last_name).like(like),
                func.lower(Attendee.email).like(like),
                func.lower(Attendee.company).like(like),
            )
        )
    if filters.company:
        query = query.where(Attendee.company == filters.company)
    if filters.tag:
        query = query.where(
            or_(_has_tag(attendee_offers, filters.tag), _has_tag(attendee_seeks, filters.tag))
        )
    if filters.host is not None:
        query = query.where(Attendee.is_host.is_(filters.host))
    if filters.checked_in is not None:
        checked = exists().where(CheckIn.attendee_id == Attendee.id, CheckIn.undone_at.is_(None))
        query = query.where(checked if filters.checked_in else ~checked)
    query = query.order_by(Attendee.last_name, Attendee.first_name).options(
        selectinload(Attendee.offers), selectinload(Attendee.seeks)
    )
    return list(db.session.execute(query).scalars())


def companies(event: Event) -> list[str]:
    query = (
        db.select(Attendee.company)
        .filter_by(event_id=event.id)
        .where(Attendee.company != "")
        .distinct()
        .order_by(Attendee.company)
    )
    return list(db.session.execute(query).scalars())
