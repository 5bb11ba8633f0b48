"""Results tables: per-contest result settings (award counts, name masking, the certificate's signer, the contest's
publication), awards, the history of publications with their frozen snapshots, the frozen ranks of a published quiz
round, and certificates.

Publishing freezes: a quiz round's final ranks are copied (with the names and units as they were) into
quiz_published_ranks, and a contest's awards into the snapshot of its publication, so the public pages never show
live data and a change afterwards needs an explicit re-publish. Certificates keep their holder, contest and award as
issued, so verification answers the same even if the account or contest is edited later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from contest.core.clock import utcnow
from contest.core.types import UTCDateTime
from contest.extensions import db
from contest.results.awards import AWARD_TIERS  # noqa: F401  (in the order results are shown)

DEFAULT_AWARD_COUNTS = {"special": 0, "first": 1, "second": 2, "third": 3, "consolation": 10}
# How names appear on public pages: in full, "Nguyễn V. A." (family name and initials) or "N. V. A." (initials).
NAME_MASKING = ("none", "partial", "initials")
CERTIFICATE_KINDS = ("award", "participation")


class ResultSettings(db.Model):
    """One row per contest that has any: created with the defaults when an organiser first opens its results."""

    __tablename__ = "result_settings"
    __table_args__ = (
        CheckConstraint("name_masking IN ('none', 'partial', 'initials')", name="known_masking"),
    )

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    # Writing contests: how many awards of each tier the proposal fills (quiz rounds have Round.prizes).
    award_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=lambda: dict(DEFAULT_AWARD_COUNTS))
    name_masking: Mapped[str] = mapped_column(String(10), default="none")
    signer_title: Mapped[str] = mapped_column(String(200), default="TM. BAN TỔ CHỨC")
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    place: Mapped[str] = mapped_column(String(100), default="Hà Nội")
    participation_certificates: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the contest's results (awards)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Award(db.Model):
    """One award of a contest: to a member (a quiz round's winner: round_id and user_id), to an entry (its author
    and co-authors), or to a unit (a collective award). `position` orders awards within a tier."""

    __tablename__ = "result_awards"
    __table_args__ = (
        CheckConstraint("tier IN ('special', 'first', 'second', 'third', 'consolation')", name="known_tier"),
        CheckConstraint("user_id IS NOT NULL OR entry_id IS NOT NULL OR unit_id IS NOT NULL", name="has_holder"),
        Index("ix_result_awards_contest_tier", "contest_id", "tier", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200), default="")  # e.g. the name of a special prize
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Publication(db.Model):
    """Every publication of a contest's results (round_id NULL) or of a quiz round, with what it froze. The current
    one has ended_at NULL; re-publishing ends it ("republished") and unpublishing too ("unpublished")."""

    __tablename__ = "result_publications"
    __table_args__ = (Index("ix_result_publications_scope", "contest_id", "round_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str] = mapped_column(String(12), default="")  # "republished" or "unpublished"


class PublishedRank(db.Model):
    """A published quiz round's final ranks, frozen at publication with the member's name and unit as they were.
    Filled by one INSERT ... SELECT from quiz_final_ranks and quiz_standings."""

    __tablename__ = "quiz_published_ranks"
    __table_args__ = (
        Index("ix_quiz_published_ranks_rank", "round_id", "rank", "user_id"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # no FK: a frozen record
    rank: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column()
    unit_name: Mapped[str | None] = mapped_column(String(200))
    correct: Mapped[int] = mapped_column()
    total: Mapped[int] = mapped_column()
    prediction: Mapped[int | None] = mapped_column()
    prediction_error: Mapped[int | None] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Certificate(db.Model):
    """A certificate as issued: holder, unit, contest and award are copied at issue, so verification does not change
    when accounts or contests are edited. Revoked certificates stay (verification says they are revoked)."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("kind IN ('award', 'participation')", name="known_kind"),
        Index("ix_certificates_contest", "contest_id", "kind"),
        # One participation certificate per member and round, even when two requests race.
        Index("uq_certificates_participation", "round_id", "user_id", unique=True,
              sqlite_where=text("kind = 'participation'"), postgresql_where=text("kind = 'participation'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(15), default="award")
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="SET NULL"))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("result_awards.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("essay_entries.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    holder_name: Mapped[str] = mapped_column(String(300))
    unit_name: Mapped[str] = mapped_column(String(300), default="")
    contest_title: Mapped[str] = mapped_column(String(300))
    award_label: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str | None] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(400), default="")  # the entry's title or the round's name
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
