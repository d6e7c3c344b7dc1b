"""Rules for grouping people, solved plans (versions with scores) and their seat assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import db
from eventapp.models.attendee import Attendee
from eventapp.models.base import utcnow
from eventapp.models.event import EventSession, SeatingTable


class Constraint(db.Model):
    """keep_together / keep_apart: two people; fixed_seat: a person at a table of one session.

    session_id None means the rule holds in every session of the event. Hosts are a flag on
    Attendee; keeping colleagues apart is the event's same_company_apart setting.
    """

    __table_args__ = (
        CheckConstraint("kind in ('keep_together', 'keep_apart', 'fixed_seat')", name="kind"),
        CheckConstraint(
            "(kind = 'fixed_seat' and table_id is not null and other_id is null)"
            " or (kind != 'fixed_seat' and other_id is not null and table_id is null)",
            name="shape",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_session.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    other_id: Mapped[int | None] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("seating_table.id", ondelete="CASCADE"))

    attendee: Mapped[Attendee] = relationship(foreign_keys=[attendee_id])
    other: Mapped[Attendee | None] = relationship(foreign_keys=[other_id])
    table: Mapped[SeatingTable | None] = relationship()


class Plan(db.Model):
    """One solver run for a session, kept as a version with its scores."""

    __table_args__ = (UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_session.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    state: Mapped[str] = mapped_column(
        String(16), default="queued"
    )  # queued running done failed cancelled
    is_active: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[int] = mapped_column(default=0)
    time_limit: Mapped[float] = mapped_column(default=10.0)
    status: Mapped[str | None] = mapped_column(String(16))  # optimal feasible infeasible
    objective: Mapped[float | None]
    upper_bound: Mapped[float | None]
    bound_kind: Mapped[str | None] = mapped_column(String(32))
    people_without_match: Mapped[int | None]
    handicap_spread: Mapped[float | None]
    handicap_spread_before: Mapped[float | None]  # as planned, before balancing handicaps
    balance_cost: Mapped[float | None]  # the objective balancing handicaps gave up
    seconds: Mapped[float | None]
    message: Mapped[str] = mapped_column(default="")
    # Latest progress while running: {"best": .., "bound": .., "elapsed": ..}
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[EventSession] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="plan", cascade="all, delete-orphan"
    )

    @property
    def gap(self) -> float | None:
        if self.objective is None or not self.upper_bound:
            return None
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)


class Assignment(db.Model):
    """Where one person is in one round: at a table (seating) or in a numbered flight (golf)."""

    __table_args__ = (
        UniqueConstraint("plan_id", "round", "attendee_id"),
        CheckConstraint("(table_id is null) != (flight is null)", name="place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]  # 0-based
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("seating_table.id", ondelete="CASCADE"))
    flight: Mapped[int | None]  # 0-based flight number
    tee_time: Mapped[datetime | None]
    starting_hole: Mapped[int | None]
    locked: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[Plan] = relationship(back_populates="assignments")
    attendee: Mapped[Attendee] = relationship()
    table: Mapped[SeatingTable | None] = relationship()
