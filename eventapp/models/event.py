"""An event, its tag catalog, its sessions (dinner seatings, golf rounds) and their tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import db
from eventapp.models.base import new_token, utcnow
from solver.event import BALANCE_COST_PERCENT


class Event(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Language codes the event offers (UI, labels, sheets), e.g. ["sv", "en", "he"].
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    same_company_apart: Mapped[bool] = mapped_column(default=True)
    # Names the public registration page; secret enough that outsiders cannot guess it.
    registration_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tags: Mapped[list[Tag]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Tag.key"
    )
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSession.position"
    )
    attendees: Mapped[list[Attendee]] = relationship(  # noqa: F821
        back_populates="event", cascade="all, delete-orphan", order_by="Attendee.last_name"
    )


class Tag(db.Model):
    """One thing people offer or seek, with a label per language and synonyms that map onto it."""

    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)

    event: Mapped[Event] = relationship(back_populates="tags")

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.key


class EventSession(db.Model):
    """A part of the event where people are grouped: a seated dinner or a golf round."""

    __tablename__ = "event_session"
    __table_args__ = (
        CheckConstraint("kind in ('seating', 'golf')", name="kind"),
        CheckConstraint("rounds >= 1", name="rounds"),
        CheckConstraint("flight_size between 3 and 4", name="flight_size"),
        CheckConstraint("balance_cost_percent between 0 and 100", name="balance_cost_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # stable id used in files: "dinner", "golf"
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    rounds: Mapped[int] = mapped_column(default=1)
    # Golf only: players per flight, first tee time and interval, or a shotgun start.
    flight_size: Mapped[int] = mapped_column(default=4)
    tee_start: Mapped[datetime | None]
    tee_interval_minutes: Mapped[int] = mapped_column(default=10)
    shotgun: Mapped[bool] = mapped_column(default=False)
    # Golf only: how much match value balancing the flights' handicaps may give up.
    balance_cost_percent: Mapped[int] = mapped_column(default=BALANCE_COST_PERCENT)

    event: Mapped[Event] = relationship(back_populates="sessions")
    tables: Mapped[list[SeatingTable]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SeatingTable.position"
    )


class SeatingTable(db.Model):
    __tablename__ = "seating_table"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("min_size >= 0 and min_size <= capacity", name="min_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_session.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    min_size: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[EventSession] = relationship(back_populates="tables")
