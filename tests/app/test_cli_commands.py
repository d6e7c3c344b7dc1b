"""The organiser's terminal commands, run through Flask's CLI runner."""

import pytest

from eventapp.extensions import db
from eventapp.models import Attendee, Event, User
from eventapp.services.events import load_event_file
from tests.app.factories import PEOPLE, make_event

pytestmark = pytest.mark.db


def count(model) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


@pytest.fixture
def people_csv(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "Förnamn;Efternamn;E-post;Erbjuder\n"
        "Björn;Åkesson;bjorn@example.se;redovisning\n"
        "Åsa;Lindström;ASA@example.se;\n",
        encoding="utf-8-sig",
    )
    return path


def test_import_dry_run_writes_nothing(runner, people_csv):
    event = make_event(people=PEOPLE)

    result = runner.invoke(args=["import-attendees", str(event.id), str(people_csv), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "1 new, 0 updated, 1 unchanged." in result.output
    assert "Imported" not in result.output
    assert count(Attendee) == len(PEOPLE)


def test_import_by_event_name(runner, people_csv):
    make_event(name="Breakfast club", people=PEOPLE)

    result = runner.invoke(args=["import-attendees", "Breakfast club", str(people_csv)])

    assert result.exit_code == 0, result.output
    assert "Imported." in result.output
    assert count(Attendee) == len(PEOPLE) + 1
    bjorn = db.session.execute(db.select(Attendee).filter_by(email="bjorn@example.se")).scalar_one()
    assert [t.key for t in bjorn.offers] == ["accounting"]


def test_import_with_problems_exits_1_and_names_them(runner, tmp_path):
    event = make_event()
    path = tmp_path / "bad.csv"
    path.write_text("first_name,email,handicap\nÅsa,,\nBjörn,bjorn@example.se,99\n")

    result = runner.invoke(args=["import-attendees", str(event.id), str(path)])

    assert result.exit_code == 1
    assert "Row 2, email: missing email address" in result.output
    assert "Row 3, handicap: 99 is outside the handicap range" in result.output
    assert "Nothing imported: 2 problem(s)" in result.output
    assert count(Attendee) == 0


def test_import_into_an_unknown_event(runner, people_csv):
    result = runner.invoke(args=["import-attendees", "No such event", str(people_csv)])
    assert result.exit_code == 1 and "No event with id or name 'No such event'" in result.output


def test_export_attendees_to_standard_output(runner):
    event = make_event(people=PEOPLE)

    result = runner.invoke(args=["export-attendees", str(event.id)])

    assert result.exit_code == 0, result.output
    lines = result.output.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("first_name,last_name,email,")
    assert any(line.startswith("נועה,לוי,noa@example.co.il") for line in lines)


def test_export_to_a_file_reimports_unchanged(runner, tmp_path):
    event = load_event_file(
        {
            "format": "mingle-event/1",
            "event": {"name": "Tiny"},
            "attendees": [
                {
                    "first_name": "Åsa",
                    "email": "asa@example.se",
                    "handicap": 3.5,
                    "languages": ["sv"],
                }
            ],
        }
    )
    path = tmp_path / "out.csv"

    assert runner.invoke(args=["export-attendees", "Tiny", str(path)]).exit_code == 0
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    result = runner.invoke(args=["import-attendees", str(event.id), str(path), "--dry-run"])
    assert "0 new, 0 updated, 1 unchanged." in result.output


def test_load_sample(runner):
    result = runner.invoke(args=["load-sample", "tel-aviv-breakfast"])

    assert result.exit_code == 0, result.output
    assert "30 attendees" in result.output
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.name == "ארוחת בוקר עסקית – תל אביב"


def test_load_sample_that_does_not_exist_lists_the_samples(runner):
    result = runner.invoke(args=["load-sample", "picnic"])
    assert result.exit_code == 1
    assert "conference-400, nordic-golf, tel-aviv-breakfast" in result.output
    assert count(Event) == 0


def test_create_user_prints_a_generated_password(runner):
    result = runner.invoke(args=["create-user", "Staff@Example.com", "--role", "staff"])

    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(": ", 1)[1]
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.email, user.role) == ("staff@example.com", "staff")
    assert len(password) >= 12 and user.check_password(password)


def test_demo_runs_twice_without_losing_data_or_printing_a_new_password(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "with password: " in first.output and "http://127.0.0.1:5000" in first.output
    password = first.output.split("with password: ")[1].split()[0]
    event = db.session.execute(db.select(Event)).scalar_one()
    assert len(event.attendees) == 90

    second = runner.invoke(args=["demo"])

    assert second.exit_code == 0, second.output
    assert password not in second.output and "with password: " not in second.output
    assert count(Event) == 1 and count(Attendee) == 90
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.check_password(password)
