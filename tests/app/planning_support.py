"""Shared pieces of the planning tests: a tiny event file and waiting for a background plan."""

import html
import re
import time

from eventapp.extensions import db
from eventapp.models import Plan
from eventapp.services.events import load_event_file
from eventapp.services.planning import FINISHED

TAGS = [
    {"key": "venues", "labels": {"en": "event venues", "sv": "eventlokaler"}},
    {"key": "catering", "labels": {"en": "catering", "sv": "catering"}},
    {"key": "legal", "labels": {"en": "legal advice", "sv": "juridisk rådgivning"}},
]

# Ann and Ben are a win-win pair; Cia seeks what Ann offers; Ann and Dan must sit apart.
PEOPLE = [
    ("Ann", "Berg", "ann@example.se", "Berg AB", ["venues"], ["catering"], 10.0),
    ("Ben", "Cohen", "ben@example.se", "Cohen Ltd", ["catering"], ["venues"], 20.0),
    ("Cia", "Dahl", "cia@example.se", "Dahl HB", ["legal"], ["venues"], 30.0),
    ("Dan", "Ek", "dan@example.se", "Ek & Co", ["legal"], ["legal"], 5.0),
    ("Eva", "Falk", "eva@example.se", "Falk AB", ["venues"], ["legal"], 15.0),
    ("Finn", "Gran", "finn@example.se", "Gran AB", ["catering"], [], 25.0),
]


def event_file(people=PEOPLE, seats=(3, 3), rounds=2) -> dict:
    return {
        "format": "mingle-event/1",
        "event": {"name": "Tiny dinner", "languages": ["en", "sv"], "same_company_apart": True},
        "tags": TAGS,
        "attendees": [
            {
                "first_name": first,
                "last_name": last,
                "email": email,
                "company": company,
                "languages": ["en", "sv"],
                "offers": offers,
                "seeks": seeks,
                "handicap": handicap,
            }
            for first, last, email, company, offers, seeks, handicap in people
        ],
        "sessions": [
            {
                "key": "dinner",
                "name": "Dinner",
                "kind": "seating",
                "rounds": rounds,
                "tables": [{"name": f"Table {k + 1}", "capacity": c} for k, c in enumerate(seats)],
            },
            {
                "key": "golf",
                "name": "Golf",
                "kind": "golf",
                "rounds": 1,
                "flight_size": 3,
                "tee_start": "2027-05-13T08:00",
                "tee_interval_minutes": 10,
            },
        ],
        "constraints": [{"kind": "keep_apart", "people": ["ann@example.se", "dan@example.se"]}],
    }


def make_event(**kwargs):
    return load_event_file(event_file(**kwargs))


def session_of(event, key="dinner"):
    return next(s for s in event.sessions if s.key == key)


def wait_for(plan_id: int, timeout: float = 15.0) -> Plan:
    """Poll the database until the background job has finished the plan."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        plan = db.session.get(Plan, plan_id)
        if plan.state in FINISHED:
            return plan
        time.sleep(0.05)
    raise AssertionError(f"plan {plan_id} still {plan.state} after {timeout} s")


def plan_session(client, session, time_limit=0.5, seed=0) -> Plan:
    """Plan `session` through the page, as an organiser does, and wait for the result."""
    response = client.post(
        f"/sessions/{session.id}/plans", data={"time_limit": time_limit, "seed": seed}
    )
    assert response.status_code == 302
    plan_id = int(re.search(r"/plans/(\d+)$", response.location).group(1))
    return wait_for(plan_id)


def plan_message(page: str) -> str:
    """The text of the plan page's message, tags left out and spaces tidied."""
    found = re.search(r'<(div|p)[^>]*id="plan-message"[^>]*>(.*?)</\1>', page, re.S)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"</?bdi>", "", found.group(2)))
    return " ".join(html.unescape(text).split())
