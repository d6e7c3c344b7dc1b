"""A person at an event: who they are, what they offer and seek, and their secret check-in token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import db
from eventapp.models.base import new_token, utcnow
from eventapp.models.event import Event, Tag
from solver.event import HANDICAP_RANGE

attendee_offers = Table(
    "attendee_offer",
    db.metadata,
    Column("attendee_id", ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)
attendee_seeks = Table(
    "attendee_seek",
    db.metadata,
    Column("attendee_id", ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Attendee(db.Model):
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        CheckConstraint(
            f"handicap is null or handicap between {HANDICAP_RANGE[0]} and {HANDICAP_RANGE[1]}",
            name="handicap",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))  # stored lower-case
    company: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals: Mapped[str] = mapped_column(default="")
    handicap: Mapped[float | None]
    is_host: Mapped[bool] = mapped_column(default=False)
    # May this person appear on other people's "people to meet" sheets?
    consent_to_share: Mapped[bool] = mapped_column(default=True)
    # What the badge QR code carries: random, never derived from the row id.
    checkin_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="attendees")
    offers: Mapped[list[Tag]] = relationship(secondary=attendee_offers, order_by=Tag.key)
    seeks: Mapped[list[Tag]] = relationship(secondary=attendee_seeks, order_by=Tag.key)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
