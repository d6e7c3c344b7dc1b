"""Planning in the browser's terms: start a plan, watch it, adjust the chart, export it."""

import csv
import html
import io
import logging
import re
import threading
import time
from collections import Counter
from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale
from openpyxl import load_workbook

from eventapp import create_app
from eventapp.extensions import db
from eventapp.models import Assignment, Attendee, Plan, User
from eventapp.services import jobs, planning
from eventapp.services.constraints import add_pair_rule
from eventapp.services.events import event_to_dict, load_event_file
from solver import Problem, solve
from solver.event import _named_facts
from solver.model import Progress, Result, Status
from tests.app.planning_support import (
    PEOPLE,
    event_file,
    make_event,
    plan_message,
    plan_session,
    session_of,
    wait_for,
)
from tests.solver.test_feasibility import CASES as IMPOSSIBLE
from tests.solver.test_feasibility import SEARCH_ONLY


@pytest.fixture(autouse=True)
def _no_jobs_left_behind(app):
    yield
    for plan in db.session.execute(db.select(Plan)).scalars():
        if plan.state in planning.RUNNING:
            planning.cancel_plan(plan)
    assert jobs.wait_for_threads(15), "a planning job did not finish"


def person(email: str) -> Attendee:
    return db.session.execute(db.select(Attendee).filter_by(email=email)).scalar_one()


def seats(plan: Plan) -> dict[tuple[int, int], int]:
    """(attendee id, round) -> table id or flight."""
    db.session.refresh(plan)
    return {
        (a.attendee_id, a.round): a.table_id if a.table_id is not None else a.flight
        for a in plan.assignments
    }


@pytest.mark.db
def test_a_plan_runs_in_the_background_and_seats_everyone_within_the_rules(client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    started = time.monotonic()
    response = client.post(f"/sessions/{session.id}/plans", data={"time_limit": 1, "seed": 3})
    assert time.monotonic() - started < 1.0, "the request must not wait for the solver"
    plan = wait_for(int(response.location.rsplit("/", 1)[1]))

    assert (plan.state, plan.version, plan.seed) == ("done", 1, 3)
    assert plan.status in ("optimal", "feasible") and plan.objective > 0
    assert plan.upper_bound >= plan.objective and plan.seconds is not None
    placed = seats(plan)
    assert len(placed) == len(event.attendees) * session.rounds
    for r in range(session.rounds):
        per_table = Counter(t for (_, rr), t in placed.items() if rr == r)
        assert all(per_table[t.id] <= t.capacity for t in session.tables)
        ann, dan = person("ann@example.se").id, person("dan@example.se").id
        assert placed[(ann, r)] != placed[(dan, r)], "keep-apart broken"
    page = client.get(f"/plans/{plan.id}").text
    assert 'id="plan-progress"' in page and 'data-finished="true"' in page


@pytest.mark.db
def test_progress_is_reported_while_running_and_a_cancel_keeps_the_best_so_far(
    client, auth, monkeypatch
):
    seen_stop = threading.Event()

    def slow_solve(problem, *, time_limit, seed, progress, stop):
        """Improves by one every 50 ms until asked to stop, then returns a plain valid plan."""
        best, started = 0, time.monotonic()
        while not stop() and time.monotonic() - started < 10:
            best += 1
            progress(Progress(best=best, bound=100.0, elapsed=time.monotonic() - started))
            time.sleep(0.05)
        seen_stop.set()
        order = list(range(problem.people))
        tables = [order[k :: len(problem.tables)] for k in range(len(problem.tables))]
        return Result(
            rounds=tuple(tuple(map(tuple, tables)) for _ in range(problem.rounds)),
            objective=float(best),
            upper_bound=100.0,
            bound_kind="test",
            status=Status.FEASIBLE,
            seconds=time.monotonic() - started,
        )

    monkeypatch.setattr(planning, "solve", slow_solve)
    auth.login()
    session = session_of(make_event())
    response = client.post(f"/sessions/{session.id}/plans", data={"time_limit": 30, "seed": 0})
    plan_id = int(response.location.rsplit("/", 1)[1])

    deadline = time.monotonic() + 10
    while True:
        progress = client.get(f"/plans/{plan_id}/progress").get_json()
        if progress["best"] is not None and progress["elapsed"] > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert progress["state"] == "running" and not progress["finished"]
    assert progress["bound"] == 100.0 and progress["best"] >= 1
    assert progress["gap"] == pytest.approx((100.0 - progress["best"]) / 100.0)
    assert 0 < progress["fraction"] < 1
    assert 'id="plan-cancel"' in client.get(f"/plans/{plan_id}").text
    # While it solves, the job holds no connection: it held one for the whole time limit,
    # "idle in transaction" on PostgreSQL, and sixteen plans took every pooled connection.
    db.session.close()
    in_use = []
    for _ in range(20):
        in_use.append(db.engine.pool.checkedout())
        time.sleep(0.02)
    assert min(in_use) == 0, in_use

    client.post(f"/plans/{plan_id}/cancel")
    assert seen_stop.wait(5), "the solver never saw the cancel"
    plan = wait_for(plan_id)
    assert plan.state == "cancelled"
    assert len(plan.assignments) == 12, "the best plan so far is kept"
    final = client.get(f"/plans/{plan_id}/progress").get_json()
    assert final["finished"] and final["state"] == "cancelled" and final["fraction"] == 1.0
    assert client.post(f"/plans/{plan_id}/cancel").status_code == 302


@pytest.mark.db
def test_a_session_deleted_while_its_plan_runs_leaves_no_error(client, auth, monkeypatch, caplog):
    # The job came back to a plan that no longer existed and failed with two tracebacks.
    solving = threading.Event()

    def slow_solve(problem, **options):
        solving.set()
        time.sleep(0.5)
        return solve(problem, **options)

    monkeypatch.setattr(planning, "solve", slow_solve)
    auth.login()
    session = session_of(make_event())
    client.post(f"/sessions/{session.id}/plans", data={"time_limit": 1, "seed": 0})
    assert solving.wait(10)
    client.post(f"/events/{session.event_id}/sessions/{session.id}/delete")
    assert jobs.wait_for_threads(15)
    assert db.session.execute(db.select(db.func.count(Plan.id))).scalar() == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_progress_writes_are_throttled_to_about_two_a_second(app):
    session = session_of(make_event())
    plan = Plan(session_id=session.id, version=1, state="running")
    db.session.add(plan)
    db.session.commit()
    started = time.time() - 5
    control = planning._RunControl(db.engine, plan.id, started)
    for best in range(1, 51):
        control.progress(Progress(best=best, bound=60.0, elapsed=best / 1000))
    db.session.refresh(plan)
    assert plan.progress == {"best": 1, "bound": 60.0, "elapsed": 0.0, "started": started}
    # Between reports the bar follows the clock from the job's start.
    assert planning.progress_of(plan)["elapsed"] >= 5
    time.sleep(planning.PROGRESS_EVERY)
    control.progress(Progress(best=51, bound=float("inf"), elapsed=0.6))
    db.session.refresh(plan)
    assert plan.progress == {"best": 51, "bound": None, "elapsed": 0.6, "started": started}
    assert not control.stop()
    plan.state = "cancelling"
    db.session.commit()
    time.sleep(planning.STOP_CHECK_EVERY)
    assert control.stop()


def test_an_impossible_session_says_why_on_the_plan_page(client, auth):
    auth.login()
    event = make_event(seats=(2, 2))  # six people, four seats
    plan = plan_session(client, session_of(event))
    assert (plan.state, plan.status) == ("done", "infeasible")
    assert not plan.assignments
    page = client.get(f"/plans/{plan.id}").text
    message = plan_message(page)
    assert message.startswith("Dinner cannot be planned: there are more people than seats.")
    assert "6 people but only 4 seats at 2 tables." in message
    assert 'id="plan-chart"' not in page
    # No plan exists, so it has no value, bound or people left without a match to show.
    assert '<dd id="plan-best">—</dd>' in page and '<dd id="plan-bound">—' in page
    assert 'id="plan-without-match"' not in page
    assert client.post(f"/plans/{plan.id}/activate").status_code == 302
    assert not db.session.get(Plan, plan.id).is_active


def test_colleagues_who_cannot_be_spread_further_share_a_table_and_the_page_says_so(client, auth):
    # Two companies of three at tables of 3, 3 and 1: one of each at every table would put two
    # at the table of one.
    auth.login()
    people = [(*p[:3], "Alfa AB" if k < 3 else "Beta AB", *p[4:]) for k, p in enumerate(PEOPLE)]
    plan = plan_session(client, session_of(load_event_file(event_file(people, (3, 3, 1), 1))))
    assert (plan.state, plan.status) == ("done", "optimal")

    def note(lang: str) -> str:
        page = client.get(f"/plans/{plan.id}?lang={lang}").text
        return re.sub(r"</?bdi>", "", re.search(r'id="plan-crowding">(.*?)</p>', page).group(1))

    assert note("en") == (
        "Colleagues at Beta AB could not be spread as far as their numbers allow: "
        "a table or flight may hold up to 1 more of them than the fewest possible."
    )
    assert note("sv").startswith("Kollegor på Beta AB kunde inte spridas")


def test_an_impossible_rule_names_the_people_involved(client, auth):
    auth.login()
    data = event_file()
    together = ["ben@example.se", "cia@example.se", "eva@example.se", "finn@example.se"]
    data["constraints"].append({"kind": "keep_together", "people": together})
    plan = plan_session(client, session_of(load_event_file(data)))
    assert (plan.state, plan.status) == ("done", "infeasible")
    page = client.get(f"/plans/{plan.id}").text
    message = plan_message(page)
    names = "Ben Cohen, Cia Dahl, Eva Falk, and Finn Gran"  # CLDR's English list
    assert f"{names} must sit together, but the largest table seats" in message
    assert f"Rule: keep {names} together." in message
    versions = client.get(f"/sessions/{plan.session_id}/plans").text
    assert "people kept together must fit at one table" in versions


def conflict_sentence(app, problem: Problem, lang: str = "en") -> tuple[dict, str]:
    """The solver's conflict for an impossible problem and the plan page's sentence for it."""
    found = solve(problem, time_limit=10).stats["conflict"]
    names = SimpleNamespace(
        emails=[f"Person {p}" for p in range(problem.people)],
        group_names=[f"Table {t}" for t in range(len(problem.tables))],
    )
    conflict = {
        "session": "Dinner",
        "rules": found["rule"].split("+"),
        "people": [names.emails[p] for p in found["people"]],
        "groups": [],
        "case": found["case"],
        "facts": _named_facts(found["facts"], names),
        "about": [],
    }
    with app.test_request_context(), force_locale(lang):
        page = render_template("organiser/plan_conflict.html", c=conflict)
    sentence = re.search(r'id="plan-conflict">(.*?)</p>', page, re.S).group(1)
    return found, " ".join(re.sub(r"</?bdi>", "", sentence).split())


@pytest.mark.parametrize("name", [*IMPOSSIBLE, "a clash only the search finds"])
def test_every_conflict_the_solver_finds_is_worded_on_the_page(app, name):
    problem = IMPOSSIBLE[name][0] if name in IMPOSSIBLE else SEARCH_ONLY
    found, sentence = conflict_sentence(app, problem)
    assert sentence.endswith(".") and "%(" not in sentence, sentence
    for p in found["people"]:
        assert f"Person {p}" in sentence
    for number in found["facts"].values():
        if isinstance(number, int) and not isinstance(number, bool):
            assert str(number) in sentence, (number, sentence)


@pytest.mark.parametrize(
    ("problem", "english", "swedish"),
    [
        (
            Problem(people=2, tables=(1,)),
            "2 people but only 1 seat at 1 table.",
            "1 plats vid 1 bord",
        ),
        (
            Problem(people=3, tables=(3,), hosts=frozenset({0, 1})),
            "2 hosts (Person 0 and Person 1) but only 1 table,",
            "men bara 1 bord,",
        ),
        (
            Problem(people=1, tables=(2, 2), min_sizes=(1, 1)),
            "add up to 2, more than the 1 person.",
            "fler än den 1 personen.",
        ),
    ],
)
def test_conflicts_with_one_of_something_say_it_in_the_singular(app, problem, english, swedish):
    assert english in conflict_sentence(app, problem)[1]
    assert swedish in conflict_sentence(app, problem, "sv")[1]
    assert "%(" not in conflict_sentence(app, problem, "he")[1]


def test_versions_can_be_compared_and_one_made_active(client, auth):
    auth.login()
    session = session_of(make_event())
    first = plan_session(client, session, seed=1)
    second = plan_session(client, session, seed=2)
    assert (first.version, second.version) == (1, 2)

    client.post(f"/plans/{first.id}/activate")
    client.post(f"/plans/{second.id}/activate")
    db.session.expire_all()
    assert [p.is_active for p in (first, second)] == [False, True]

    page = client.get(f"/sessions/{session.id}/plans").text
    assert page.count('data-plan-id="') >= 2 and 'data-active="true"' in page
    assert 'id="export-csv"' in page

    planning.move_person(
        first,
        person("finn@example.se").id,
        0,
        next(
            t.id for t in session.tables if t.id != seats(first)[(person("finn@example.se").id, 0)]
        ),
    )
    page = client.get(f"/sessions/{session.id}/compare?a={first.id}&b={second.id}").text
    assert "Version 1" in page and "Version 2" in page
    assert "Finn Gran" in page, "the moved person is listed as a difference"


def test_the_chart_draws_every_person_at_a_round_table_in_every_round(client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    plan = plan_session(client, session)
    page = client.get(f"/plans/{plan.id}").text
    assert page.count("<svg") == len(session.tables) * session.rounds
    for a in event.attendees:
        for r in range(session.rounds):
            assert len(re.findall(f'data-person-id="{a.id}" data-round="{r}"', page)) == 1
    assert set(re.findall(r'data-match="([a-z-]+)"', page)) <= {"none", "one-way", "mutual"}


def test_clicking_a_person_shows_their_pairs_with_reasons_in_the_page_language(client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    plan = plan_session(client, session)
    ann, ben = person("ann@example.se").id, person("ben@example.se").id
    if seats(plan)[(ann, 0)] != seats(plan)[(ben, 0)]:
        planning.move_person(plan, ben, 0, seats(plan)[(ann, 0)])

    panel = client.get(f"/plans/{plan.id}/why?person={ann}&round=0").text
    assert 'id="why-panel"' in panel and "win-win" in panel
    assert "<bdi>Ann Berg</bdi> seeks catering, which <bdi>Ben Cohen</bdi> offers." in panel
    assert "<bdi>Ben Cohen</bdi> seeks event venues, which <bdi>Ann Berg</bdi> offers." in panel
    # The people to swap with are told apart by company and table, not by name alone.
    dan = person("dan@example.se").id  # kept apart from Ann, so at another table
    table = next(t.name for t in session.tables if t.id == seats(plan)[(dan, 0)])
    assert f">Dan Ek · Ek &amp; Co · {table}</option>" in panel
    swedish = client.get(f"/plans/{plan.id}/why?person={ann}&round=0&lang=sv").text
    assert "eventlokaler" in swedish
    page = client.get(f"/plans/{plan.id}?person={ann}&round=0").text
    assert 'id="why-panel"' in page and 'id="move-form"' in page


@pytest.mark.db
def test_a_move_that_breaks_rules_is_stored_and_the_broken_rules_are_listed(client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    plan = plan_session(client, session)
    ann, dan = person("ann@example.se").id, person("dan@example.se").id
    target = seats(plan)[(ann, 0)]
    response = client.post(
        f"/plans/{plan.id}/move",
        data={"person": dan, "round": 0, "target": target},
        follow_redirects=True,
    )
    assert seats(plan)[(dan, 0)] == target, "the move is stored"
    page = response.text
    assert "This breaks 2 rules" in page
    sidebar = page[page.index('id="violations"') :]
    assert 'data-rule="keep_apart"' in sidebar and 'data-rule="capacity"' in sidebar
    assert "should be kept apart" in sidebar
    db.session.refresh(plan)
    assert plan.status == "edited"
    # Every page tells the plan's value as it is now, not as the solver left it.
    progress = client.get(f"/plans/{plan.id}/progress").json
    assert progress["best"] == plan.objective != plan.progress["best"]
    assert f'<dd id="plan-best">{plan.objective:g}</dd>' in page

    other = next(t.id for t in session.tables if t.id != target)
    back = client.post(
        f"/plans/{plan.id}/move",
        data={"person": dan, "round": 0, "target": other},
        follow_redirects=True,
    )
    assert 'data-rule="keep_apart"' not in back.text[back.text.index('id="violations"') :]


def test_someone_registered_after_planning_can_be_given_a_seat_on_the_chart(client, auth):
    auth.login()
    event = make_event(seats=(4, 3))
    session = session_of(event)
    plan = plan_session(client, session)
    gus = Attendee(event=event, first_name="Gus", last_name="Holm", email="gus@example.se")
    db.session.add(gus)
    db.session.commit()

    page = client.get(f"/plans/{plan.id}").text
    waiting = page[page.index('id="unplaced"') : page.index('id="violations"')]
    assert waiting.count('class="filters place-form"') == 2, "one form per round"
    assert "Gus Holm" in waiting
    table = next(
        t
        for t in session.tables
        if sum(1 for (_, r), k in seats(plan).items() if r == 1 and k == t.id) < t.capacity
    )
    response = client.post(
        f"/plans/{plan.id}/move",
        data={"person": gus.id, "round": 1, "target": table.id},
        follow_redirects=True,
    )
    assert seats(plan)[(gus.id, 1)] == table.id
    assert (gus.id, 0) not in seats(plan)
    page = response.text
    assert "Moved." in page
    waiting = page[page.index('id="unplaced"') : page.index('id="violations"')]
    assert waiting.count('class="filters place-form"') == 1, "round 2 has no one left out"
    text = re.sub(r"<[^>]+>", "", page[page.index('id="violations"') :])
    assert "Not placed in this plan: Gus Holm." in text  # still missing from round 1
    assert 'data-rule="capacity"' not in page


def test_a_swap_exchanges_two_seats_without_breaking_capacity(client, auth):
    auth.login()
    session = session_of(make_event())
    plan = plan_session(client, session)
    before = seats(plan)
    a = next(p for (p, r), t in before.items() if r == 1)
    b = next(p for (p, r), t in before.items() if r == 1 and t != before[(a, 1)])
    client.post(f"/plans/{plan.id}/swap", data={"person": a, "other": b, "round": 1})
    after = seats(plan)
    assert (after[(a, 1)], after[(b, 1)]) == (before[(b, 1)], before[(a, 1)])
    assert all(after[k] == before[k] for k in before if k not in {(a, 1), (b, 1)})
    assert 'data-rule="capacity"' not in client.get(f"/plans/{plan.id}").text


@pytest.mark.db
def test_locked_seats_survive_a_re_optimisation(client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    plan = plan_session(client, session)
    finn, eva = person("finn@example.se").id, person("eva@example.se").id
    placed = seats(plan)
    if placed[(finn, 0)] == placed[(eva, 0)]:
        other = next(p for (p, r), t in placed.items() if r == 0 and t != placed[(finn, 0)])
        planning.swap_people(plan, 0, finn, other)
    table = seats(plan)[(finn, 0)]
    client.post(f"/plans/{plan.id}/lock", data={"person": finn, "round": 0, "locked": "1"})
    client.post(f"/plans/{plan.id}/lock", data={"group": table, "round": 1, "locked": "1"})
    at_table_in_round_2 = {p for (p, r), t in seats(plan).items() if r == 1 and t == table}
    assert 'data-locked="true"' in client.get(f"/plans/{plan.id}").text

    response = client.post(f"/plans/{plan.id}/reoptimise")
    new = wait_for(int(response.location.rsplit("/", 1)[1]))
    assert new.version == plan.version + 1 and new.state == "done"
    kept = seats(new)
    assert kept[(finn, 0)] == table
    assert {p for (p, r), t in kept.items() if r == 1 and t == table} == at_table_in_round_2
    locked = {(a.attendee_id, a.round) for a in new.assignments if a.locked}
    assert locked == {(finn, 0)} | {(p, 1) for p in at_table_in_round_2}


def test_re_optimising_needs_a_lock(client, auth):
    auth.login()
    plan = plan_session(client, session_of(make_event()))
    response = client.post(f"/plans/{plan.id}/reoptimise", follow_redirects=True)
    assert "Lock some people or tables first" in response.text
    assert db.session.execute(db.select(db.func.count(Plan.id))).scalar() == 1


def test_the_active_plan_exports_as_csv_xlsx_and_printable_lists(client, auth):
    auth.login()
    event = make_event()
    session = session_of(event)
    assert client.get(f"/sessions/{session.id}/plan.csv").status_code == 404
    plan = plan_session(client, session)
    client.post(f"/plans/{plan.id}/activate")
    placed = seats(plan)
    names = {t.id: t.name for t in session.tables}
    expected = sorted(
        (str(r + 1), names[t], db.session.get(Attendee, p).email) for (p, r), t in placed.items()
    )

    response = client.get(f"/sessions/{session.id}/plan.csv")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Round", "Table", "Tee time or hole", "Name", "Company", "Email"]
    assert sorted((r[0], r[1], r[5]) for r in rows[1:]) == expected
    assert [
        "1",
        names[placed[(person("ann@example.se").id, 0)]],
        "",
        "Ann Berg",
        "Berg AB",
        "ann@example.se",
    ] in rows

    book = load_workbook(io.BytesIO(client.get(f"/sessions/{session.id}/plan.xlsx").data))
    sheet = [[str(c) if c is not None else "" for c in row] for row in book.active.values]
    assert sheet[0] == rows[0]
    assert sorted((r[0], r[1], r[5]) for r in sheet[1:]) == expected

    lists = client.get(f"/sessions/{session.id}/tables").text
    for a in event.attendees:
        assert lists.count(f"<bdi>{a.full_name}</bdi>") == session.rounds


def test_a_golf_plan_is_a_tee_sheet_with_tee_times_and_handicaps(client, auth):
    auth.login()
    event = make_event()
    person("dan@example.se").handicap = -2.0  # plus 2: better than scratch
    db.session.commit()
    golf = session_of(event, "golf")
    plan = plan_session(client, golf)
    assert plan.state == "done" and plan.handicap_spread is not None
    flights = Counter(a.flight for a in plan.assignments)
    assert sorted(flights.values()) == [3, 3]
    page = client.get(f"/plans/{plan.id}").text
    assert "tee-sheet" in page and "08:00" in page and "08:10" in page
    assert 'hcp <bdi dir="ltr">10</bdi>' in page and 'hcp <bdi dir="ltr">+2</bdi>' in page
    assert '<td><bdi dir="ltr">+2</bdi></td>' in client.get(f"/events/{event.id}").text
    assert plan.handicap_spread <= plan.handicap_spread_before and plan.balance_cost is not None
    assert "the solver balanced it from" in page  # the spread before balancing, and its cost
    client.post(f"/plans/{plan.id}/activate")
    rows = list(csv.reader(io.StringIO(client.get(f"/sessions/{golf.id}/plan.csv").text[1:])))
    assert rows[0][1] == "Flight" and {r[2] for r in rows[1:]} == {
        "2027-05-13 08:00",
        "2027-05-13 08:10",
    }
    ann, dan = person("ann@example.se").id, person("dan@example.se").id
    other_flight = 1 - seats(plan)[(ann, 0)]
    expected = ["capacity"] + (["keep_apart"] if seats(plan)[(dan, 0)] == other_flight else [])
    page = client.post(
        f"/plans/{plan.id}/move",
        data={"person": ann, "round": 0, "target": other_flight},
        follow_redirects=True,
    ).text
    sidebar = page[page.index('id="violations"') :]
    assert re.findall(r'data-rule="([a-z_]+)"', sidebar) == expected
    moved = db.session.execute(
        db.select(Assignment).filter_by(plan_id=plan.id, attendee_id=ann)
    ).scalar_one()
    assert moved.flight == other_flight and moved.tee_time.strftime("%H:%M") in ("08:00", "08:10")


def test_a_shotgun_start_gives_each_flight_its_own_hole(client, auth):
    auth.login()
    data = event_file()
    data["sessions"][1].update(shotgun=True, tee_start=None)
    golf = session_of(load_event_file(data), "golf")
    plan = plan_session(client, golf)
    holes = {a.starting_hole for a in plan.assignments}
    assert len(holes) == 2 and all(1 <= h <= 18 for h in holes)
    assert all(a.tee_time is None for a in plan.assignments)
    page = client.get(f"/plans/{plan.id}").text
    assert all(f"Hole {h}" in page for h in holes)
    someone = plan.assignments[0].attendee_id
    panel = client.get(f"/plans/{plan.id}/why?person={someone}&round=0").text
    assert "flight" in panel and "table" not in panel.lower().replace("tabindex", "")


def test_planning_needs_an_organiser(client, auth):
    event = make_event()
    session = session_of(event)
    plan = Plan(session_id=session.id, version=1, state="done")
    db.session.add(plan)
    db.session.commit()
    gets = [
        f"/sessions/{session.id}/plans",
        f"/plans/{plan.id}",
        f"/plans/{plan.id}/progress",
        f"/plans/{plan.id}/why?person=1&round=0",
        f"/sessions/{session.id}/compare?a={plan.id}&b={plan.id}",
        f"/sessions/{session.id}/plan.csv",
        f"/sessions/{session.id}/plan.xlsx",
        f"/sessions/{session.id}/tables",
    ]
    posts = [
        f"/sessions/{session.id}/plans",
        *(
            f"/plans/{plan.id}/{action}"
            for action in ("cancel", "activate", "move", "swap", "lock", "reoptimise")
        ),
    ]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    for url in posts:
        assert client.post(url).status_code == 302, url
    auth.login(role="staff")
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"time_limit": 1}).status_code == 403, url
    assert db.session.execute(db.select(db.func.count(Plan.id))).scalar() == 1


def test_a_form_post_without_a_csrf_token_is_refused(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'csrf.sqlite'}",
            "WTF_CSRF_ENABLED": True,
        }
    )
    with app.app_context():
        db.create_all()
        session = session_of(make_event())
        user = User(email="o@example.com", role="organiser")
        user.set_password("secret-pass")
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as browser:
            browser["_user_id"] = str(user.id)
            browser["_fresh"] = True
        assert client.get(f"/sessions/{session.id}/plans").status_code == 200
        response = client.post(f"/sessions/{session.id}/plans", data={"time_limit": 1})
        assert response.status_code == 400
        assert db.session.execute(db.select(db.func.count(Plan.id))).scalar() == 0
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("key", ["dinner", "golf"])
def test_scores_after_a_hand_edit_are_counted_as_the_solver_counts(client, auth, key):
    auth.login()
    plan = plan_session(client, session_of(make_event(), key))
    solver_scores = (plan.objective, plan.people_without_match, plan.handicap_spread)
    planning.rescore(plan)
    assert plan.objective == pytest.approx(solver_scores[0])
    assert plan.people_without_match == solver_scores[1]
    assert plan.handicap_spread == pytest.approx(solver_scores[2])


@pytest.mark.db
def test_a_bad_time_limit_or_seed_or_an_empty_event_starts_nothing(client, auth):
    auth.login()
    session = session_of(make_event())
    for limit in ("0", "601"):
        response = client.post(
            f"/sessions/{session.id}/plans", data={"time_limit": limit}, follow_redirects=True
        )
        assert "The time limit must be between" in response.text
    response = client.post(
        f"/sessions/{session.id}/plans", data={"time_limit": 1, "seed": -1}, follow_redirects=True
    )
    assert "The seed must be a whole number from 0 to 2147483647" in response.text
    assert 'max="2147483647"' in response.text  # the browser stops a larger one, the server too
    assert client.post(f"/sessions/{session.id}/plans", data={"seed": 2**31}).status_code == 400
    assert client.post(f"/sessions/{session.id}/plans", data={"time_limit": "x"}).status_code == 400
    empty = session_of(load_event_file({**event_file(people=[]), "constraints": []}))
    response = client.post(
        f"/sessions/{empty.id}/plans", data={"time_limit": 1}, follow_redirects=True
    )
    assert "There is nobody to plan for" in response.text
    assert db.session.execute(db.select(db.func.count(Plan.id))).scalar() == 0


def test_every_kind_of_broken_rule_is_listed_beside_the_chart(client, auth):
    data = event_file()
    data["attendees"][0]["host"] = data["attendees"][1]["host"] = True  # Ann and Ben host
    data["attendees"][2]["company"] = "Berg AB"  # Cia works with Ann
    data["sessions"][0]["rounds"] = 1
    data["sessions"][0]["tables"][1]["min_size"] = 3
    data["constraints"] += [
        {"kind": "keep_together", "people": ["cia@example.se", "dan@example.se"]},
        {"kind": "fixed_seat", "person": "eva@example.se", "session": "dinner", "table": "Table 2"},
    ]
    event = load_event_file(data)
    session = session_of(event)
    table_1, table_2 = (t.id for t in session.tables)
    plan = Plan(session_id=session.id, version=1, state="done", status="feasible")
    plan.assignments = [
        Assignment(round=0, attendee_id=person(email).id, table_id=table)
        for email, table in [
            ("ann@example.se", table_1),
            ("ben@example.se", table_1),
            ("cia@example.se", table_1),
            ("eva@example.se", table_1),
            ("dan@example.se", table_2),
        ]
    ]  # Finn is not placed at all
    db.session.add(plan)
    db.session.commit()

    auth.login()
    page = client.get(f"/plans/{plan.id}").text
    sidebar = page[page.index('id="violations"') :]
    rules = re.findall(r'data-rule="([a-z_]+)"', sidebar)
    assert sorted(rules) == sorted(
        ["capacity", "hosts", "colleagues", "keep_together", "fixed_seat", "min_size", "unplaced"]
    )
    text = re.sub(r"<[^>]+>", "", sidebar)
    for sentence in (
        "Table 1 has 4 people, more than its seats",
        "Table 1 has more than one host: Ann Berg, Ben Cohen.",
        "Colleagues share Table 1: Ann Berg, Cia Dahl.",
        "Cia Dahl, Dan Ek should sit together but do not.",
        "Eva Falk should sit at Table 2.",
        "Table 2 needs at least 3 people: Dan Ek.",
        "Not placed in this plan: Finn Gran.",
    ):
        assert sentence in text, sentence


def test_a_job_queue_that_cannot_be_reached_fails_the_plan_with_a_message(app, client, auth):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    auth.login()
    session = session_of(make_event())
    response = client.post(f"/sessions/{session.id}/plans", data={"time_limit": 1})
    plan = db.session.execute(db.select(Plan)).scalar_one()
    assert response.location.endswith(f"/plans/{plan.id}")
    assert plan.state == "failed" and "could not be started" in plan.message
    assert "could not be started" in client.get(response.location).text


def test_cancelling_a_plan_whose_worker_died_marks_it_failed(client, auth):
    auth.login()
    session = session_of(make_event())
    plan = Plan(session_id=session.id, version=1, state="running", time_limit=10)
    plan.created_at = datetime(2020, 1, 1)
    db.session.add(plan)
    db.session.commit()
    client.post(f"/plans/{plan.id}/cancel")
    db.session.refresh(plan)
    assert plan.state == "failed" and "worker stopped" in plan.message


@pytest.mark.parametrize(
    "together",
    [
        ["ann@example.se", "ben@example.se"],
        ["cia@example.se", "ann@example.se", "ben@example.se"],  # Ann and Ben, each with Cia
    ],
)
def test_colleagues_the_organiser_keeps_together_are_not_a_broken_rule(client, auth, together):
    data = event_file()
    data["sessions"][0]["rounds"] = 1
    for attendee in data["attendees"][:2]:
        attendee["company"] = "Berg AB"
    data["constraints"] = [{"kind": "keep_together", "people": together}]
    event = load_event_file(data)
    session = session_of(event)
    table_1, table_2 = (t.id for t in session.tables)
    plan = Plan(session_id=session.id, version=1, state="done", status="feasible")
    plan.assignments = [
        Assignment(round=0, attendee_id=a.id, table_id=table_1 if i < 3 else table_2)
        for i, a in enumerate(sorted(event.attendees, key=lambda a: a.email))
    ]
    db.session.add(plan)
    db.session.commit()
    auth.login()
    page = client.get(f"/plans/{plan.id}").text
    assert 'data-rule="colleagues"' not in page
    assert 'id="no-violations"' in page


def stored_plan(session, seating: dict[str, int], **place) -> Plan:
    """A finished plan of one round that seats people by email at table ids or flights."""
    plan = Plan(session_id=session.id, version=1, state="done", status="feasible")
    plan.assignments = [
        Assignment(round=0, attendee_id=person(email).id, **{place["at"]: group})
        for email, group in seating.items()
    ]
    db.session.add(plan)
    db.session.commit()
    return plan


def sidebar_text(client, plan: Plan) -> str:
    page = client.get(f"/plans/{plan.id}").text
    return html.unescape(re.sub(r"<[^>]+>", "", page[page.index('id="violations"') :]))


def test_an_empty_table_below_its_minimum_is_listed(client, auth):
    data = event_file(seats=(6, 3), rounds=1)
    data["sessions"][0]["tables"][1]["min_size"] = 2
    session = session_of(load_event_file(data))
    table_1 = session.tables[0].id
    plan = stored_plan(session, {p[2]: table_1 for p in PEOPLE}, at="table_id")
    auth.login()
    text = sidebar_text(client, plan)
    assert "Table 2 needs at least 2 people but nobody sits there." in text
    assert "should be kept apart" in text  # Ann and Dan share Table 1


def test_one_person_kept_apart_from_two_leaves_those_two_free_to_meet(client, auth):
    event = make_event(rounds=1)
    session = session_of(event)
    add_pair_rule(event, "keep_apart", person("ann@example.se"), person("cia@example.se"))
    table_1, table_2 = (t.id for t in session.tables)
    seating = dict.fromkeys(["ann@example.se", "ben@example.se", "eva@example.se"], table_1)
    seating |= dict.fromkeys(["cia@example.se", "dan@example.se", "finn@example.se"], table_2)
    plan = stored_plan(session, seating, at="table_id")
    auth.login()
    assert "None: every rule holds." in sidebar_text(client, plan)
    assert event_to_dict(event)["constraints"] == [
        {"kind": "keep_apart", "people": ["ann@example.se", "dan@example.se"]},
        {"kind": "keep_apart", "people": ["ann@example.se", "cia@example.se"]},
    ]


def test_flights_keep_their_numbers_when_one_is_emptied_by_hand(client, auth):
    golf = session_of(make_event(), "golf")
    seating = dict.fromkeys(["ann@example.se", "ben@example.se", "cia@example.se"], 2)
    seating |= {"eva@example.se": 2, "dan@example.se": 0, "finn@example.se": 0}
    plan = stored_plan(golf, seating, at="flight")
    auth.login()
    text = sidebar_text(client, plan)
    assert "Flight 3 has 4 people, more than its seats" in text
    assert "Flight 1 has" not in text


def test_stored_data_the_event_format_refuses_is_named_instead_of_the_rules(client, auth):
    event = make_event(rounds=1)
    session = session_of(event)
    plan = stored_plan(session, {p[2]: session.tables[0].id for p in PEOPLE}, at="table_id")
    event.timezone = "Mars/Olympus"  # from before the event form checked time zones
    db.session.commit()
    auth.login()
    text = sidebar_text(client, plan)
    assert "The rules cannot be checked: event: unknown time zone 'Mars/Olympus'." in text
