"""A contest is either a quiz (with rounds) or an essay contest (with entries); both share this row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.clock import utcnow
from contest.core.types import UTCDateTime
from contest.extensions import db

CONTEST_KINDS = ("quiz", "essay")
CONTEST_STATUSES = ("draft", "announced")


class Contest(db.Model):
    __tablename__ = "contests"
    __table_args__ = (
        CheckConstraint("kind IN ('quiz', 'essay')", name="known_kind"),
        CheckConstraint("status IN ('draft', 'announced')", name="known_status"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="announced")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The unit whose members the contest is for (its whole subtree); None means everyone.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    unit = relationship("Unit")
    created_by = relationship("User")

    def __repr__(self) -> str:
        return f"<Contest {self.slug}>"
