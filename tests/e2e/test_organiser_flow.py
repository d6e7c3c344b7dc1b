import pytest

from eventapp.extensions import db
from eventapp.models import Attendee
from eventapp.services.events import load_event_file

pytestmark = pytest.mark.e2e

CSV = (
    "Förnamn;Efternamn;E-post;Företag;Språk;Erbjuder;Söker;Handicap\n"
    "Lena;Berg;lena.berg@example.se;Berg Revision AB;sv,en;accounting;event venues;18,2\n"
)


def log_in(page):
    page.goto("/login")
    page.fill("input[name=email]", "organiser@example.com")
    page.fill("input[name=password]", "e2e-password")
    page.click("button[type=submit]")


def test_log_in_import_a_spreadsheet_and_find_the_new_person(page, live_app, tmp_path):
    with live_app.app_context():
        event_id = load_event_file("sample_events/tel-aviv-breakfast.json").id
    log_in(page)
    page.click(f"a[href='/events/{event_id}']")
    page.click(f"a[href='/events/{event_id}/import']")
    csv_file = tmp_path / "new-people.csv"
    csv_file.write_text(CSV, encoding="utf-8-sig")
    page.set_input_files("input[type=file]", str(csv_file))
    page.click("text=Preview")
    page.wait_for_selector("text=1 new, 0 updated, 0 unchanged.")
    page.click("button:text('Import')")
    page.wait_for_selector("text=Imported: 1 new, 0 updated.")
    page.fill("input[name=q]", "berg")
    page.click("text=Filter")
    assert page.locator("table.list tbody tr").count() == 1
    assert "Lena Berg" in page.inner_text("table.list")
    with live_app.app_context():
        lena = db.session.execute(db.select(Attendee).filter_by(email="lena.berg@example.se"))
        assert lena.scalar_one().handicap == 18.2


def test_hebrew_page_is_laid_out_right_to_left(page, live_app):
    with live_app.app_context():
        event_id = load_event_file("sample_events/tel-aviv-breakfast.json").id
    log_in(page)
    page.goto(f"/events/{event_id}?lang=he")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The language links sit at the inline end: on the left in a right-to-left page.
    box = page.locator("nav.languages").bounding_box()
    assert box["x"] < 640
