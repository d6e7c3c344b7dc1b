"""Small builders for app tests: a ready event with tags, a dinner session and people."""

from eventapp.extensions import db
from eventapp.models import Attendee, Event, EventSession, SeatingTable, Tag


def make_event(name="Breakfast club", people=()):
    """An event with three tags, one 2-table dinner, and the given (first, last, email, company)."""
    event = Event(name=name, venue="Grand Hôtel", languages=["sv", "en", "he"])
    tags = {
        key: Tag(event=event, key=key, labels=labels, synonyms=synonyms)
        for key, labels, synonyms in [
            (
                "office-furniture",
                {"en": "office furniture", "sv": "kontorsmöbler", "he": "ריהוט משרדי"},
                ["office chairs"],
            ),
            ("event-venues", {"en": "event venues", "sv": "eventlokaler"}, []),
            ("accounting", {"en": "accounting", "sv": "redovisning"}, ["bookkeeping"]),
        ]
    }
    session = EventSession(event=event, key="dinner", name="Dinner", kind="seating", rounds=2)
    session.tables = [SeatingTable(name=f"Table {i}", capacity=4, position=i) for i in (1, 2)]
    for first, last, email, company in people:
        Attendee(
            event=event,
            first_name=first,
            last_name=last,
            email=email,
            company=company,
            languages=["sv", "en"],
            offers=[tags["office-furniture"]],
            seeks=[tags["event-venues"]],
        )
    db.session.add(event)
    db.session.commit()
    return event


PEOPLE = [
    ("Åsa", "Lindström", "asa@example.se", "Lindström Bygg"),
    ("Avi", "Cohen", "avi@example.co.il", "Cohen Events"),
    ("נועה", "לוי", "noa@example.co.il", "Levi Law"),
]
