"""Event files (mingle-event/1): samples load and export back unchanged; bad files write nothing."""

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from eventapp.extensions import db
from eventapp.models import Attendee, Constraint, Event, Tag
from eventapp.services.events import EventFileError, event_to_dict, find_event, load_event_file

pytestmark = pytest.mark.db

SAMPLES = Path(__file__).resolve().parents[2] / "sample_events"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def small_event() -> dict:
    return {
        "format": "mingle-event/1",
        "event": {
            "name": "Frukost",
            "starts_on": "2027-05-12",
            "ends_on": "2027-05-12",
            "venue": "Hotell",
            "timezone": "Europe/Stockholm",
            "languages": ["sv", "en"],
            "same_company_apart": True,
        },
        "tags": [
            {
                "key": "accounting",
                "labels": {"en": "accounting", "sv": "redovisning"},
                "synonyms": ["bookkeeping"],
            },
            {"key": "event-venues", "labels": {"en": "event venues"}, "synonyms": []},
        ],
        "attendees": [
            {
                "first_name": f"P{i}",
                "last_name": "Ström",
                "email": f"p{i}@example.se",
                "company": "Ström AB" if i < 2 else f"Bolag {i}",
                "title": "",
                "phone": "",
                "languages": ["sv"],
                "offers": ["accounting"] if i % 2 else [],
                "seeks": ["event-venues"],
                "goals": "",
                "handicap": 10.5 if i else None,
                "host": i == 0,
                "consent": True,
            }
            for i in range(5)
        ],
        "sessions": [
            {
                "key": "dinner",
                "name": "Middag",
                "kind": "seating",
                "rounds": 2,
                "tables": [
                    {"name": "Bord 1", "capacity": 3, "min_size": 0},
                    {"name": "Bord 2", "capacity": 3, "min_size": 1},
                ],
            },
            {
                "key": "golf",
                "name": "Golf",
                "kind": "golf",
                "rounds": 1,
                "flight_size": 3,
                "tee_start": "2027-05-13T08:00",
                "tee_interval_minutes": 8,
                "shotgun": False,
                "balance_cost_percent": 5,
            },
        ],
        "constraints": [
            {
                "kind": "keep_together",
                "people": ["p0@example.se", "p1@example.se", "p2@example.se"],
                "session": "dinner",
            },
            {"kind": "keep_apart", "people": ["p2@example.se", "p3@example.se", "p4@example.se"]},
            {
                "kind": "fixed_seat",
                "person": "p4@example.se",
                "session": "dinner",
                "table": "Bord 2",
            },
        ],
    }


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


@pytest.mark.parametrize(
    "name, attendees, tables, sessions",
    [
        ("nordic-golf", 90, 12, ["seating", "golf"]),
        ("tel-aviv-breakfast", 30, 5, ["seating"]),
        ("conference-400", 400, 40, ["seating"]),
    ],
)
def test_samples_load_and_export_unchanged(app, name, attendees, tables, sessions):
    event = load_event_file(SAMPLES / f"{name}.json")

    assert len(event.attendees) == attendees
    assert [s.kind for s in event.sessions] == sessions
    assert len(event.sessions[0].tables) == tables
    assert len(event.tags) >= 30
    db.session.expire_all()  # read back from the database, not from the objects just built
    assert event_to_dict(db.session.get(Event, event.id)) == sample(name)


def test_sample_names_keep_their_letters(app):
    nordic = load_event_file(SAMPLES / "nordic-golf.json")
    israel = load_event_file(SAMPLES / "tel-aviv-breakfast.json")
    db.session.expire_all()

    swedish = " ".join(a.full_name for a in nordic.attendees)
    assert {"å", "ä", "ö"} <= set(swedish.lower())
    assert nordic.name == "Nordiskt Affärsnätverk – Costa del Sol 2027"
    hebrew = [a for a in israel.attendees if all("\u05d0" <= c <= "\u05ea" for c in a.first_name)]
    assert len(hebrew) == 30
    assert israel.sessions[0].tables[0].name == "שולחן 1"
    tag = next(t for t in israel.tags if t.key == "office-furniture")
    assert tag.label("he") == "ריהוט משרדי" and tag.label("sv") == "kontorsmöbler"


def test_samples_have_handicaps_hosts_and_complementary_people():
    nordic = sample("nordic-golf")
    people = nordic["attendees"]
    assert len({p["company"] for p in people}) == 60
    assert sum(p["handicap"] is not None for p in people) > 0.7 * len(people)
    assert sum(p["host"] for p in people) == len(nordic["sessions"][0]["tables"])
    golf = nordic["sessions"][1]
    assert (golf["flight_size"], golf["tee_start"][-5:], golf["tee_interval_minutes"]) == (
        4,
        "08:00",
        10,
    )
    matches = sum(
        bool(set(a["seeks"]) & set(b["offers"])) for a in people for b in people if a is not b
    )
    pairs = len(people) * (len(people) - 1)
    assert 0.02 * pairs < matches < 0.5 * pairs  # complementary pairs exist, but not everywhere


def test_samples_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("generate", SAMPLES / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    for name, build in (
        ("nordic-golf", generate.nordic_golf),
        ("tel-aviv-breakfast", generate.tel_aviv_breakfast),
        ("conference-400", generate.conference_400),
    ):
        assert generate.dump(build()) == (SAMPLES / f"{name}.json").read_text(encoding="utf-8")


def test_constraints_are_stored_as_pairs_and_exported_as_groups(app):
    data = small_event()
    event = load_event_file(data)

    pairs = db.session.execute(db.select(Constraint).order_by(Constraint.id)).scalars().all()
    kinds = [c.kind for c in pairs]
    assert kinds == ["keep_together"] * 2 + ["keep_apart"] * 3 + ["fixed_seat"]
    assert pairs[-1].table.name == "Bord 2"
    db.session.expire_all()
    assert event_to_dict(event) == data


def test_handicap_and_unique_email_come_from_the_file(app):
    event = load_event_file(small_event())
    people = {a.email: a for a in event.attendees}
    assert people["p0@example.se"].handicap is None and people["p1@example.se"].handicap == 10.5
    assert people["p0@example.se"].is_host and not people["p1@example.se"].is_host
    assert [t.key for t in people["p1@example.se"].offers] == ["accounting"]


def test_offers_and_seeks_may_name_a_tag_by_its_label_or_synonym(app):
    data = small_event()
    data["attendees"][1]["offers"] = ["Redovisning", "bookkeeping", "accounting"]
    data["attendees"][1]["seeks"] = ["Event venues"]
    event = load_event_file(data)

    person = next(a for a in event.attendees if a.email == "p1@example.se")
    assert [t.key for t in person.offers] == ["accounting"]
    assert [t.key for t in person.seeks] == ["event-venues"]


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_set("format", "mingle-event/2"), 'format" must be "mingle-event/1"'),
        (_set("event.name", ""), "event: name is missing"),
        (_set("event.timezone", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (_set("event.timezone", "Europe"), "unknown time zone 'Europe'"),
        (_set("event.ends_on", "2027-05-01"), "ends_on is before starts_on"),
        (_set("attendees.2.handicap", 60), "attendee p2@example.se: handicap 60 is outside"),
        (_set("attendees.2.handicap", "12"), "attendee p2@example.se: handicap must be a number"),
        (_set("attendees.3.email", "P1@example.se"), "attendee p1@example.se appears twice"),
        (_set("attendees.3.email", "not-an-email"), "attendees[3]: missing or invalid email"),
        (_set("attendees.1.offers", ["legal"]), "p1@example.se: offers names unknown tag 'legal'"),
        (
            _set("attendees.1.offers", ["acounting"]),
            "offers names unknown tag 'acounting'. Did you mean accounting?",
        ),
        (_set("attendees.1.languages", ["xx"]), "p1@example.se: unknown language code 'xx'"),
        (_set("event.languages", [["sv"]]), "event: languages must be a list of texts"),
        (_set("attendees.1.handcap", 3), "attendee p1@example.se: unknown field 'handcap'"),
        (_set("attendees.1.first_name", None), "attendee p1@example.se: first_name is missing"),
        (_set("sessions.0.kind", "picnic"), "session 'dinner': kind must be"),
        (
            _set("sessions.0.tables.1.name", "Bord 1"),
            "session 'dinner' table 'Bord 1' appears twice",
        ),
        (
            _set("sessions.0.tables.1.capacity", 0),
            "table 'Bord 2': capacity must be from 1 to 5000",
        ),
        (_set("sessions.0.tables.1.min_size", 9), "table 'Bord 2': min_size must be from 0 to"),
        (_set("sessions.1.flight_size", 5), "session 'golf': flight_size must be 3 or 4"),
        (_set("sessions.0.rounds", 101), "session 'dinner': rounds must be from 1 to 100"),
        (_set("sessions.1.tee_start", "8 am"), "'golf': tee_start must be a date and time like"),
        # A tee sheet needs time between flights; a shotgun start does not.
        (_set("sessions.1.tee_interval_minutes", 0), "tee_interval_minutes must be from 1 to 60"),
        (
            _set("sessions.1.tee_interval_minutes", 2**70),
            "tee_interval_minutes must be from 1 to 60",
        ),
        (_set("sessions.1.tables", [{"name": "T", "capacity": 4}]), "golf sessions have no tables"),
        (
            _set("sessions.1.balance_cost_percent", 101),
            "balance_cost_percent must be from 0 to 100",
        ),
        (_set("sessions.1.balance_cost_percent", "5%"), "balance_cost_percent must be a whole"),
        (_set("sessions.0.tables.0.seats", 4), "table 'Bord 1': unknown field 'seats'"),
        (_set("attendees.1.last_name", "Ö" * 101), "p1@example.se: last_name is longer than 100"),
        (_set("constraints.0.session", "lunch"), "constraints[0]: unknown session 'lunch'"),
        (_set("constraints.0.session", ["dinner"]), "constraints[0]: unknown session ['dinner']"),
        (_set("constraints.1.people", ["p2@example.se"]), "needs two or more different people"),
        (
            _set("constraints.1.people", ["p2@example.se", "x@example.se"]),
            "'x@example.se' is not one of the attendees",
        ),
        (_set("constraints.2.table", "Bord 9"), "session 'dinner' has no table 'Bord 9'"),
        (_set("constraints.2.session", "golf"), "session 'golf' has no flight 'Bord 2'"),
        (
            _set("constraints.1.people", ["p2@example.se", "P2@example.se"]),
            "keep_apart needs two or more different people",
        ),
        # Valid in the file format, but the app keeps fixed seats at a seating session's tables.
        (
            _set(
                "constraints.2",
                {"kind": "fixed_seat", "person": "p4@example.se", "table": "Bord 2"},
            ),
            "constraints[2]: fixed_seat needs the key of a seating session",
        ),
        (
            _set(
                "constraints.2",
                {
                    "kind": "fixed_seat",
                    "person": "p4@example.se",
                    "session": "golf",
                    "table": "Flight 1",
                },
            ),
            "constraints[2]: fixed_seat needs the key of a seating session",
        ),
        # PostgreSQL stores no NUL character (SQLite would): said before either sees one.
        (_set("attendees.1.company", "A\x00B"), "attendees[1].company: holds a NUL character"),
        (_set("tags.0.synonyms", ["x", "\x00"]), "tags[0].synonyms[1]: holds a NUL character"),
    ],
)
def test_bad_files_say_what_is_wrong(change, message):
    # No app here: the whole file is checked before anything touches the database.
    data = small_event()
    change(data)

    with pytest.raises(EventFileError) as error:
        load_event_file(data)

    assert message in str(error.value)


def test_a_bad_file_writes_nothing(app):
    load_event_file(small_event())
    data = small_event()
    data["event"]["name"] = "Second"
    data["constraints"][-1]["table"] = "Bord 9"  # the very last thing checked

    with pytest.raises(EventFileError):
        load_event_file(data)

    # Counting autoflushes: anything the failed load left in the session would show up here.
    assert [count(m) for m in (Event, Tag, Attendee, Constraint)] == [1, 2, 5, 6]


def test_unreadable_file_paths(app, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "mingle-event/1",', encoding="utf-8")
    with pytest.raises(EventFileError, match="not valid JSON"):
        load_event_file(broken)
    with pytest.raises(EventFileError, match="cannot read"):
        load_event_file(tmp_path / "missing.json")


def test_the_input_dict_is_not_changed(app):
    data = small_event()
    before = copy.deepcopy(data)
    load_event_file(data)
    assert data == before


def test_find_event_by_id_or_exact_name(app):
    first = load_event_file(small_event())
    second = load_event_file(small_event())  # same name: the newest wins

    assert find_event(str(first.id)) is first
    assert find_event(" Frukost ") is second
    assert find_event("frukost") is None
    assert find_event("999") is None
