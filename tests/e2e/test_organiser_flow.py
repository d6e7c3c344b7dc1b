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


def test_plan_watch_progress_open_the_chart_move_a_person_and_export(page, live_app, tmp_path):
    with live_app.app_context():
        event = load_event_file("sample_events/tel-aviv-breakfast.json")
        event_id, session_id = event.id, event.sessions[0].id
    log_in(page)
    page.goto(f"/events/{event_id}")
    page.click(f"a.plan-link[data-session-id='{session_id}']")
    page.fill("#plan-time-limit", "3")
    page.click("#plan-start")
    # The page polls the job; when it finishes the page reloads with the chart.
    page.wait_for_selector("#plan-progress-panel[data-finished='true'], #plan-chart")
    page.wait_for_selector("#plan-chart", timeout=30_000)
    tables = page.locator("figure.plan-table[data-round='0']")
    assert tables.count() == 5
    seats = page.locator("figure.plan-table[data-round='0'] a.seat")
    assert seats.count() == 30

    first = seats.first
    name, from_table = first.text_content().strip(), first.get_attribute("data-table-id")
    first.click()
    page.wait_for_selector("#why-panel")
    target = page.locator("#move-target option").first.get_attribute("value")
    page.select_option("#move-target", target)
    page.click("#move-submit")
    page.wait_for_selector("#plan-chart")
    moved = page.locator(
        f"figure.plan-table[data-round='0'][data-table-id='{target}'] a.seat", has_text=name
    )
    assert moved.count() == 1
    assert from_table != target
    # A table of 6 now seats 7: the broken rule is listed next to the chart.
    assert int(page.get_attribute("#violations", "data-count")) >= 1

    page.goto(f"/sessions/{session_id}/plans")
    page.click("button.activate")
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 31  # header + one row per person (one round)
