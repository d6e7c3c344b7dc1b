"""The attendee table's own guarantees: one email per event, handicap range, secret tokens."""

import itertools
import os

import pytest
from sqlalchemy.exc import IntegrityError

from eventapp.extensions import db
from eventapp.models import Attendee, Event

pytestmark = pytest.mark.db


def add(event: Event, email: str, **fields) -> Attendee:
    attendee = Attendee(event=event, first_name="Åsa", email=email, **fields)
    db.session.add(attendee)
    db.session.commit()
    return attendee


def test_an_email_is_unique_within_an_event_only(app):
    dinner, breakfast = Event(name="Dinner"), Event(name="Breakfast")
    add(dinner, "asa@example.se")
    add(breakfast, "asa@example.se")

    with pytest.raises(IntegrityError):
        add(dinner, "asa@example.se")
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Attendee.id))).scalar() == 2


@pytest.mark.parametrize("handicap", [-10.1, 54.1, 99])
def test_the_database_refuses_handicaps_outside_the_range(app, handicap):
    with pytest.raises(IntegrityError):
        add(Event(name="Golf"), "asa@example.se", handicap=handicap)


@pytest.mark.parametrize("handicap", [-10, 0, 36.4, 54, None])
def test_handicaps_inside_the_range_are_kept(app, handicap):
    assert add(Event(name="Golf"), "asa@example.se", handicap=handicap).handicap == handicap


def test_checkin_tokens_are_long_random_and_never_the_id(app):
    event = Event(name="Conference")
    people = [add(event, f"p{i}@example.com") for i in range(50)]
    tokens = [p.checkin_token for p in people]

    assert len(set(tokens)) == len(tokens)
    # 128 random bits need at least 22 URL-safe base64 characters.
    assert all(len(token) >= 22 for token in tokens)
    assert all(str(p.id) != p.checkin_token for p in people)
    # Random, not a counter or a hash of the id: neighbours share no long prefix.
    assert max(len(os.path.commonprefix(pair)) for pair in itertools.pairwise(tokens)) < 6
