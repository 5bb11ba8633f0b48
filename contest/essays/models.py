"""Writing-contest tables: per-contest settings, categories, entries with every saved version, co-authors,
attachments, and the pairs of entries the similarity check found.

An entry row is the writer's working copy; each save also writes an immutable EntryVersion. `submitted_version`
names the version that was last submitted (with the pledge and within the word limits): that is what judges read,
so edits after submission never leave half-finished text in the contest until the writer submits them again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.core.clock import utcnow
from contest.core.types import UTCDateTime
from contest.extensions import db

ENTRY_STATUSES = ("draft", "submitted", "withdrawn", "disqualified")
ATTACHMENT_KINDS = ("image", "pdf")


class EssaySettings(db.Model):
    """What a writing contest adds to its Contest row (kind "essay"); the contest's open and close times apply."""

    __tablename__ = "essay_settings"
    __table_args__ = (
        CheckConstraint("max_entries_per_writer IS NULL OR max_entries_per_writer >= 1",
                        name="max_entries_at_least_one"),
        CheckConstraint("similarity_min_words >= 5", name="similarity_min_words_at_least_five"),
    )

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(300), default="")
    rules_html: Mapped[str] = mapped_column(Text, default="")  # sanitised like entries
    # Receipt codes look like VT26-000123: this prefix, a dash and six random digits.
    code_prefix: Mapped[str] = mapped_column(String(8), default="VT")
    max_entries_per_writer: Mapped[int | None] = mapped_column(default=None)  # None: no limit
    allow_collective: Mapped[bool] = mapped_column(default=False)
    pledge_text: Mapped[str] = mapped_column(Text, default="")
    # The similarity check reports pairs sharing a passage of at least this many syllables.
    similarity_min_words: Mapped[int] = mapped_column(default=25)
    similarity_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    contest = relationship("Contest")


class Category(db.Model):
    __tablename__ = "essay_categories"
    __table_args__ = (
        UniqueConstraint("contest_id", "name", name="uq_essay_categories_contest_name"),
        CheckConstraint("min_words IS NULL OR min_words >= 0", name="min_words_not_negative"),
        CheckConstraint("max_words IS NULL OR max_words >= 1", name="max_words_positive"),
        CheckConstraint("min_words IS NULL OR max_words IS NULL OR max_words >= min_words",
                        name="max_words_not_below_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    min_words: Mapped[int | None] = mapped_column()
    max_words: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contest = relationship("Contest")


class Entry(db.Model):
    __tablename__ = "essay_entries"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'withdrawn', 'disqualified')", name="known_status"),
        CheckConstraint("word_count >= 0", name="word_count_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_essay_entries_contest_status", "contest_id", "status"),
        Index("ix_essay_entries_contest_author", "contest_id", "author_id"),
        Index("ix_essay_entries_contest_unit", "contest_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("essay_categories.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The author's unit when the entry was created: filters and judging conflicts use it.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # Given at the first submission and kept for good (withdrawing and submitting again keeps it).
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(15), default="draft")
    title: Mapped[str] = mapped_column(String(300), default="")
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    subject_unit: Mapped[str] = mapped_column(String(300), default="")  # the person's unit or place
    subject_description: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # always the sanitised form
    word_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)  # the number of the latest EntryVersion
    submitted_version: Mapped[int | None] = mapped_column()
    publish_consent: Mapped[bool] = mapped_column(default=False)  # may be shown with the results
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disqualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disqualified_reason: Mapped[str] = mapped_column(Text, default="")
    disqualified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    contest = relationship("Contest")
    category: Mapped[Category] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    unit = relationship("Unit")
    coauthors: Mapped[list[Coauthor]] = relationship(
        back_populates="entry", order_by="Coauthor.position", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry", order_by="Attachment.id", cascade="all, delete-orphan")


class EntryVersion(db.Model):
    """One saved state of an entry, never changed afterwards."""

    __tablename__ = "essay_entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number", name="uq_essay_entry_versions_entry_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    category_id: Mapped[int | None] = mapped_column(ForeignKey("essay_categories.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300), default="")
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    subject_unit: Mapped[str] = mapped_column(String(300), default="")
    subject_description: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    entry: Mapped[Entry] = relationship()


class Coauthor(db.Model):
    """A co-author of a collective entry; linked to an account when the email belongs to one."""

    __tablename__ = "essay_coauthors"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    entry: Mapped[Entry] = relationship(back_populates="coauthors")
    unit = relationship("Unit")


class Attachment(db.Model):
    """A file uploaded with an entry, stored outside the web root under `key` (random) with no trace of its
    original name. Removing one only hides it (`deleted_at`), so older versions that show it still render."""

    __tablename__ = "essay_attachments"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'pdf')", name="known_kind"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(200), default="")  # shown to the writer and organisers only
    size: Mapped[int] = mapped_column()
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[Entry] = relationship(back_populates="attachments")


class SimilarityPair(db.Model):
    """Two submitted entries of a contest that share long passages. Rebuilt for the contest at each check.

    `passages`: [{"a": [start, end], "b": [start, end], "words": n}, ...] as syllable offsets into each entry's
    plain text of the checked version (the texts are recovered from those versions when shown)."""

    __tablename__ = "essay_similarity_pairs"
    __table_args__ = (
        UniqueConstraint("contest_id", "entry_a_id", "entry_b_id", name="uq_essay_similarity_pairs_contest_pair"),
        CheckConstraint("entry_a_id < entry_b_id", name="ordered_pair"),
        CheckConstraint("similarity >= 0 AND similarity <= 1", name="similarity_in_range"),
        Index("ix_essay_similarity_pairs_contest_similarity", "contest_id", "similarity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    entry_a_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), index=True)
    entry_b_id: Mapped[int] = mapped_column(ForeignKey("essay_entries.id", ondelete="CASCADE"), index=True)
    version_a: Mapped[int] = mapped_column()
    version_b: Mapped[int] = mapped_column()
    similarity: Mapped[float] = mapped_column(Float)
    shared_words: Mapped[int] = mapped_column()
    passages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry_a: Mapped[Entry] = relationship(foreign_keys=[entry_a_id])
    entry_b: Mapped[Entry] = relationship(foreign_keys=[entry_b_id])
