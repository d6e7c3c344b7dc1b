from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.extensions import db
from eventapp.models.attendee import Attendee
from eventapp.models.base import utcnow
from eventapp.models.user import User


class CheckIn(db.Model):
    """A scan at the door. Undoing keeps the row (undone_at set) so the log stays complete."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime | None]

    attendee: Mapped[Attendee] = relationship()
    by_user: Mapped[User | None] = relationship()
