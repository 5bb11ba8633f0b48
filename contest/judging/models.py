"""Judging tables: rounds with their rubric (criteria), panel (judges) and entries, assignments of entries to
judges, the scores given per criterion, and declared conflicts.

A round judges a fixed set of entries (RoundEntry), each at the version that was submitted when the set was taken,
so a writer's later edits never change what the judges read. Scores belong to an assignment (one judge, one entry,
one round); after the round closes they are read-only unless an organiser reopens one assignment, or the round for
one judge, with a reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.clock import utcnow
from contest.core.types import UTCDateTime
from contest.extensions import db

STAGES = ("preliminary", "final")
AGGREGATIONS = ("mean", "trimmed_mean", "median", "zscore")
SOURCES = ("submitted", "top", "min_score")
REVEAL_POLICIES = ("after_submit", "never")
ASSIGNMENT_STATUSES = ("pending", "draft", "submitted")


class JudgingRound(db.Model):
    __tablename__ = "judging_rounds"
    __table_args__ = (
        CheckConstraint("stage IN ('preliminary', 'final')", name="known_stage"),
        CheckConstraint("aggregation IN ('mean', 'trimmed_mean', 'median', 'zscore')", name="known_aggregation"),
        CheckConstraint("source IN ('submitted', 'top', 'min_score')", name="known_source"),
        CheckConstraint("reveal_scores IN ('after_submit', 'never')", name="known_reveal_scores"),
        CheckConstraint("judges_per_entry >= 1", name="judges_per_entry_positive"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("advance_top IS NULL OR advance_top >= 1", name="advance_top_positive"),
        CheckConstraint("disagreement_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("source = 'submitted' OR advance_from_id IS NOT NULL", name="advancing_needs_a_round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(12), default="preliminary")
    judges_per_entry: Mapped[int] = mapped_column(default=3)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    aggregation: Mapped[str] = mapped_column(String(15), default="mean")
    # Which entries the round judges: every submitted entry, or those advanced from another round.
    source: Mapped[str] = mapped_column(String(12), default="submitted")
    # NO ACTION (checked at the end of the statement): a contest deleted with all its rounds goes through, while
    # deleting only a round another one advances from is refused.
    advance_from_id: Mapped[int | None] = mapped_column(ForeignKey("judging_rounds.id"))
    advance_top: Mapped[int | None] = mapped_column()
    advance_min_score: Mapped[float | None] = mapped_column(Float)
    reveal_scores: Mapped[str] = mapped_column(String(15), default="after_submit")
    # Entries whose judges' totals differ by more than this (on the rubric's scale) are flagged.
    disagreement_threshold: Mapped[float] = mapped_column(Float, default=20.0)
    same_unit_conflicts: Mapped[bool] = mapped_column(default=True)
    entries_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    contest = relationship("Contest")
    advance_from: Mapped[JudgingRound | None] = relationship(remote_side=[id])
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan")


class Criterion(db.Model):
    """One line of a round's rubric: a score from 0 to max_score, worth `weight` points of the total."""

    __tablename__ = "judging_criteria"
    __table_args__ = (
        CheckConstraint("max_score > 0", name="max_score_positive"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    max_score: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[JudgingRound] = relationship(back_populates="criteria")


class RoundJudge(db.Model):
    """A judge on a round's panel; `extended_until` lets this one judge keep scoring after the round closes."""

    __tablename__ = "judging_round_judges"

    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    extended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_reason: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User")


class RoundEntry(db.Model):
    """An entry judged in a round, at the version submitted when the round took its entries."""

    __tablename__ = "judging_round_entries"

    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    version: Mapped[int] = mapped_column()
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry = relationship("Entry")


class Assignment(db.Model):
    __tablename__ = "judging_assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "entry_id", "judge_id", name="uq_judging_assignments_round_entry_judge"),
        CheckConstraint("status IN ('pending', 'draft', 'submitted')", name="known_status"),
        Index("ix_judging_assignments_judge_status", "judge_id", "status"),
        Index("ix_judging_assignments_round_entry", "round_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("judging_rounds.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    comment: Mapped[str] = mapped_column(Text, default="")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when an organiser reopens this submitted score (the judge may change it until then, round closed or not).
    reopened_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[JudgingRound] = relationship()
    entry = relationship("Entry")
    judge = relationship("User")
    scores: Mapped[list[Score]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class Score(db.Model):
    __tablename__ = "judging_scores"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("judging_assignments.id", ondelete="CASCADE"),
                                               primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("judging_criteria.id", ondelete="CASCADE"),
                                              primary_key=True)
    # None while the judge has written a comment but not yet chosen the score (drafts are autosaved).
    value: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="scores")


class Conflict(db.Model):
    """A judge may not judge this entry, in any round of its contest (declared by the judge or an organiser)."""

    __tablename__ = "judging_conflicts"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id", name="uq_judging_conflicts_judge_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
