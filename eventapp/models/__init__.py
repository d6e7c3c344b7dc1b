"""The data model: one module per aggregate."""

from eventapp.models.attendee import Attendee, attendee_offers, attendee_seeks
from eventapp.models.checkin import CheckIn
from eventapp.models.event import Event, EventSession, SeatingTable, Tag
from eventapp.models.plan import Assignment, Constraint, Plan
from eventapp.models.user import User

__all__ = [
    "Assignment",
    "Attendee",
    "CheckIn",
    "Constraint",
    "Event",
    "EventSession",
    "Plan",
    "SeatingTable",
    "Tag",
    "User",
    "attendee_offers",
    "attendee_seeks",
]
