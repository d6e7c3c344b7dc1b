"""Attendees out as CSV, with every column import reads back: export then import changes nothing."""

import csv
import io
import re

from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import Attendee, Event
from eventapp.services.importing import HEADERS, QUOTED_FORMULA

COLUMNS = tuple(HEADERS)  # every column import reads, in its order
# Phone numbers and plus/minus handicaps are data; anything else starting like this is a formula.
_PLAIN = re.compile(r"[+-][\d\s().,-]*")


def attendees_csv(event: Event) -> str:
    """The event's attendees as comma-separated CSV (no BOM), one row each, in import format.

    Offers, seeks and languages are codes joined by ';'. Text a spreadsheet would run as a
    formula (=, @, or + and - before anything but a number) gets a leading quote that import
    removes again.
    """
    attendees = db.session.execute(
        db.select(Attendee)
        .filter_by(event_id=event.id)
        .options(selectinload(Attendee.offers), selectinload(Attendee.seeks))
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    ).scalars()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for a in attendees:
        writer.writerow(
            [
                _cell(a.first_name),
                _cell(a.last_name),
                a.email,
                _cell(a.company),
                _cell(a.title),
                _cell(a.phone),
                ";".join(a.languages),
                ";".join(t.key for t in a.offers),
                ";".join(t.key for t in a.seeks),
                _cell(a.goals),
                _handicap(a.handicap),
                "yes" if a.is_host else "no",
                "yes" if a.consent_to_share else "no",
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    formula = text[:1] in ("=", "@") or (text[:1] in ("+", "-") and not _PLAIN.fullmatch(text))
    # Import strips one quote before a formula character, so text already like that gets one more.
    return "'" + text if formula or QUOTED_FORMULA.match(text) else text


def _handicap(value: float | None) -> str:
    # A plus handicap (better than scratch) is stored negative and written the golfer's way.
    if value is None:
        return ""
    text = repr(abs(value)).removesuffix(".0")
    return f"+{text}" if value < 0 else text
