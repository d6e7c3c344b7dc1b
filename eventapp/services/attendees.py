"""Attendees: the organiser's list, its search and filters; adding, changing, removing people."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, or_
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import Attendee, CheckIn, Event, Tag, attendee_offers, attendee_seeks
from solver.event import parse_email


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
    found = db.session.execute(query).scalars()
    if not filters.q:
        return list(found)
    # Matched here, not in SQL: SQLite's lower() leaves Å as it is, so "Åsa" found nobody.
    needle = _folded(filters.q)
    return [a for a in found if needle in _folded(f"{a.full_name}\n{a.email}\n{a.company}")]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def companies(event: Event) -> list[str]:
    query = (
        db.select(Attendee.company)
        .filter_by(event_id=event.id)
        .where(Attendee.company != "")
        .distinct()
        .order_by(Attendee.company)
    )
    return list(db.session.execute(query).scalars())


class AttendeeProblem(ValueError):
    """Bad attendee input, with a message for the user."""


@dataclass(frozen=True)
class AttendeeDetails:
    first_name: str
    email: str
    last_name: str = ""
    company: str = ""
    title: str = ""
    phone: str = ""
    languages: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()  # tag keys
    seeks: tuple[str, ...] = ()
    goals: str = ""
    handicap: float | None = None
    is_host: bool = False
    consent_to_share: bool = True


def find_by_email(event: Event, email: str) -> Attendee | None:
    query = db.select(Attendee).filter_by(event_id=event.id, email=email.strip().lower())
    return db.session.execute(query).scalar_one_or_none()


def save_attendee(event: Event, attendee: Attendee | None, details: AttendeeDetails) -> Attendee:
    """Create (attendee=None) or update a person; the email stays unique within the event."""
    email = parse_email(details.email)
    if email is None:
        raise AttendeeProblem(_("%(email)s is not an email address.", email=details.email))
    other = find_by_email(event, email)
    if other is not None and other is not attendee:
        raise AttendeeProblem(_("%(email)s is already registered for this event.", email=email))
    tags = {t.key: t for t in event.tags}
    if unknown := sorted(set(details.offers + details.seeks) - tags.keys()):
        raise AttendeeProblem(_("Unknown offer or need: %(tags)s.", tags=", ".join(unknown)))
    attendee = attendee or Attendee(event=event)
    for name in ("first_name", "last_name", "company", "title", "phone", "goals"):
        setattr(attendee, name, (getattr(details, name) or "").strip())
    attendee.handicap = details.handicap
    attendee.is_host = details.is_host
    attendee.consent_to_share = details.consent_to_share
    attendee.email = email
    attendee.languages = list(details.languages)
    attendee.offers = [tags[k] for k in details.offers]
    attendee.seeks = [tags[k] for k in details.seeks]
    db.session.add(attendee)
    db.session.commit()
    return attendee


def delete_attendee(attendee: Attendee) -> None:
    db.session.delete(attendee)
    db.session.commit()
