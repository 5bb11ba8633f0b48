"""Quiz tables: questions (with immutable versions), rounds, attempts, answers and per-member standings.

Attempts point at question *versions*, so editing a question never changes an attempt that drew it. Standings hold
each member's counted attempt per round, keyed so the ranking order is an index scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.clock import utcnow
from contest.core.types import UTCDateTime
from contest.extensions import db

QUESTION_KINDS = ("single", "multiple")
QUESTION_STATUSES = ("draft", "approved")
DIFFICULTIES = (1, 2, 3)  # easy, medium, hard
COUNTING_RULES = ("best", "last")
TIME_TIEBREAKS = ("submitted_at", "duration")
REVIEW_POLICIES = ("after_close", "after_submit", "never")
ATTEMPT_STATUSES = ("in_progress", "submitted", "expired")
PRIZE_TIERS = ("first", "second", "third", "consolation")
DEFAULT_PRIZES = {"first": 1, "second": 2, "third": 3, "consolation": 10}


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("difficulty IN (1, 2, 3)", name="known_difficulty"),
        CheckConstraint("status IN ('draft', 'approved')", name="known_status"),
        Index("ix_questions_status_topic_key", "status", "topic_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(120))
    topic_key: Mapped[str] = mapped_column(String(120))  # unaccented, lower-case: filters ignore diacritics
    difficulty: Mapped[int] = mapped_column(SmallInteger, default=2)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # The version shown and drawn from now on; older versions stay for the attempts that drew them.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version_id"))
    search_text: Mapped[str] = mapped_column(Text, default="")  # unaccented text + source, for search
    norm_hash: Mapped[str] = mapped_column(String(64), index=True)  # duplicate detection on normalised text
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    current_version: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True, lazy="joined")
    versions: Mapped[list[QuestionVersion]] = relationship(
        foreign_keys="QuestionVersion.question_id", back_populates="question", order_by="QuestionVersion.number")


class QuestionVersion(db.Model):
    """One immutable wording of a question. Options: [{"key": "a", "text": "...", "correct": bool}, ...]."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number", name="uq_question_versions_question_number"),
        CheckConstraint("kind IN ('single', 'multiple')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10), default="single")
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(foreign_keys=[question_id], back_populates="versions")


class Round(db.Model):
    """A quiz round (đợt / tuần) of a quiz contest."""

    __tablename__ = "quiz_rounds"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("time_limit_seconds > 0", name="positive_time_limit"),
        CheckConstraint("question_count > 0", name="positive_question_count"),
        CheckConstraint("max_attempts IS NULL OR max_attempts >= 1", name="max_attempts_at_least_one"),
        CheckConstraint("counting IN ('best', 'last')", name="known_counting"),
        CheckConstraint("time_tiebreak IN ('submitted_at', 'duration')", name="known_time_tiebreak"),
        CheckConstraint("review_policy IN ('after_close', 'after_submit', 'never')", name="known_review_policy"),
        CheckConstraint("grace_seconds >= 0", name="grace_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    time_limit_seconds: Mapped[int] = mapped_column(default=600)
    question_count: Mapped[int] = mapped_column(default=20)
    # {topic: how many questions of that topic each attempt draws}; None: any approved question.
    topic_quotas: Mapped[dict[str, int] | None] = mapped_column(JSON)
    max_attempts: Mapped[int | None] = mapped_column(default=1)  # None: unlimited
    counting: Mapped[str] = mapped_column(String(10), default="best")
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    prediction: Mapped[bool] = mapped_column(default=False)
    time_tiebreak: Mapped[str] = mapped_column(String(15), default="submitted_at")
    live_leaderboard: Mapped[bool] = mapped_column(default=False)
    review_policy: Mapped[str] = mapped_column(String(15), default="after_close")
    grace_seconds: Mapped[int] = mapped_column(default=5)
    prizes: Mapped[dict[str, int]] = mapped_column(JSON, default=lambda: dict(DEFAULT_PRIZES))
    # Set when the round has closed and its final ranking (with the prediction tiebreak) is computed.
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    all_correct_count: Mapped[int | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    contest = relationship("Contest")


class Attempt(db.Model):
    """One member's try at a round. The question set and option order are frozen in `questions` at start:
    [{"v": question_version_id, "o": "cabd"}, ...], position = index + 1, "o" the option keys in shown order."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id", "number", name="uq_quiz_attempts_round_user_number"),
        CheckConstraint("status IN ('in_progress', 'submitted', 'expired')", name="known_status"),
        # At most one attempt in progress per member and round, whatever the races.
        Index("uq_quiz_attempts_one_in_progress", "round_id", "user_id", unique=True,
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
        Index("ix_quiz_attempts_status_deadline", "status", "deadline_at"),
        Index("ix_quiz_attempts_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    correct: Mapped[int | None] = mapped_column()
    total: Mapped[int] = mapped_column()
    duration_ms: Mapped[int | None] = mapped_column()
    prediction: Mapped[int | None] = mapped_column()
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    round: Mapped[Round] = relationship()
    user = relationship("User")


class AttemptAnswer(db.Model):
    """The option keys chosen for one position of an attempt, sorted and joined ("ac"); "" when cleared."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    choices: Mapped[str] = mapped_column(String(12), default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Standing(db.Model):
    """A member's counted attempt in a round (best or last, by the round's rule), kept in ranking order.

    `missed` = total - correct, so "more correct first" is an ascending index like the time keys after it.
    The final rank and prediction error live in FinalRank, written once the round is finalised after it closes.
    """

    __tablename__ = "quiz_standings"
    __table_args__ = (
        Index("ix_quiz_standings_by_submission", "round_id", "missed", "submitted_at", "started_at"),
        Index("ix_quiz_standings_by_duration", "round_id", "missed", "duration_ms", "started_at"),
        Index("ix_quiz_standings_round_unit", "round_id", "unit_id"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("quiz_rounds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    correct: Mapped[int] = mapped_column()
    total: Mapped[int] = mapped_column()
    missed: Mapped[int] = mapped_column()
    prediction: Mapped[int | None] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user = relationship("User")
    final_rank: Mapped[FinalRank | None] = relationship(
        primaryjoin="and_(Standing.round_id == foreign(FinalRank.round_id), "
                    "Standing.user_id == foreign(FinalRank.user_id))",
        viewonly=True, uselist=False)

    @property
    def rank(self) -> int | None:
        return self.final_rank.rank if self.final_rank is not None else None

    @property
    def prediction_error(self) -> int | None:
        return self.final_rank.prediction_error if self.final_rank is not None else None


class FinalRank(db.Model):
    """A member's place in a finalised round. Its own table, rebuilt at each finalisation by one INSERT ...
    SELECT: rewriting a million standings in place (with their indexes) takes several times longer.

    Derived data, deliberately without foreign keys: checking them for a million inserted rows tripled the time.
    Every read reaches these rows through the standing of the same round and member, so a row whose round or
    member is gone is never shown, and the next finalisation replaces the round's rows anyway.
    """

    __tablename__ = "quiz_final_ranks"
    __table_args__ = (Index("ix_quiz_final_ranks_rank", "round_id", "rank", "user_id"),)

    round_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rank: Mapped[int] = mapped_column()
    # |prediction - actual all-correct count|; NULL without a prediction (ranks after every real one) or when the
    # round asks none.
    prediction_error: Mapped[int | None] = mapped_column()
