"""Export writes every column import reads: exporting and re-importing changes nothing."""

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eventapp.extensions import db
from eventapp.models import Attendee, Event
from eventapp.services.events import load_event_file
from eventapp.services.exporting import attendees_csv
from eventapp.services.importing import apply_import, preview_import
from tests.app.factories import PEOPLE, make_event

pytestmark = pytest.mark.db

SAMPLES = Path(__file__).resolve().parents[2] / "sample_events"


def test_a_sample_event_exports_and_reimports_unchanged(app):
    event = load_event_file(SAMPLES / "nordic-golf.json")

    text = attendees_csv(event)
    preview = preview_import(event, "export.csv", text.encode())

    assert preview.ok, preview.problems[:3]
    assert (preview.new, preview.updated, preview.unchanged) == (0, 0, 90)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 90 and {"Åsa", "Örjan"} & {r["first_name"] for r in rows}


def test_export_into_an_empty_event_recreates_the_people(app):
    source = load_event_file(SAMPLES / "tel-aviv-breakfast.json")
    target = make_event(name="Copy")  # the same tag keys are not all there: create them
    preview = preview_import(target, "export.csv", attendees_csv(source).encode(), create_tags=True)
    apply_import(target, preview)

    assert preview.new == 30
    again = preview_import(target, "export.csv", attendees_csv(target).encode())
    assert (again.new, again.updated, again.unchanged) == (0, 0, 30)


def test_formulas_plus_handicaps_and_phone_numbers_survive_the_round_trip(app):
    event = make_event(people=PEOPLE)
    asa = db.session.execute(db.select(Attendee).filter_by(email="asa@example.se")).scalar_one()
    asa.company = '=HYPERLINK("http://evil.example","click")'
    asa.title = "'=already quoted"
    asa.goals = "Line one\nline two, with comma; and semicolon"
    asa.phone = "+46 70-123 45 67"
    asa.handicap = -2.5
    db.session.commit()

    text = attendees_csv(event)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["email"] == "asa@example.se")

    assert row["company"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert row["phone"] == "+46 70-123 45 67" and row["handicap"] == "+2.5"
    preview = preview_import(event, "export.csv", text.encode())
    assert (preview.updated, preview.unchanged) == (0, len(PEOPLE))


# Text as people type it into forms: any letters, punctuation, quotes, separators, line breaks.
field_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\n"),
    max_size=40,
).map(str.strip)


@example(first="=1+2", company="'=x", goals='a,"b";c\nd', handicap=-2.5)
@example(first="@Åsa", company="+46 (0)8 123", goals="-", handicap=None)
@example(first="נועה", company="''+x", goals="'", handicap=54.0)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=field_text.filter(bool),
    company=field_text,
    goals=field_text,
    handicap=st.none() | st.floats(-10, 54).map(lambda h: round(h, 1)),
)
def test_any_text_survives_export_and_reimport(app, first, company, goals, handicap):
    event = db.session.get(Event, 1) or make_event(people=PEOPLE)
    asa = db.session.execute(db.select(Attendee).filter_by(email="asa@example.se")).scalar_one()
    asa.first_name, asa.company, asa.goals, asa.handicap = first, company, goals, handicap
    db.session.commit()

    preview = preview_import(event, "export.csv", attendees_csv(event).encode())

    assert preview.ok, preview.problems
    assert (preview.new, preview.updated, preview.unchanged) == (0, 0, len(PEOPLE))
