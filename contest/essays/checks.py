"""The similarity check of a writing contest: run it over the submitted entries, store the pairs, read them back.

What is compared is what judges will read: each submitted entry's submitted version (EntryVersion number ==
entry.submitted_version), as plain text. Drafts, withdrawn and disqualified entries take no part. The pairs found
replace the contest's previous ones in one transaction, so readers see the last complete check, never half of one.

Safe to run from cron or a worker while the site is in use: on PostgreSQL a transaction-level advisory lock on the
contest makes a second run wait for the first (and then read the texts afresh); on SQLite the texts are read
without holding the database's single write lock (the site's autosaves keep working during the seconds the check
takes) and the replacement of the pairs is one write transaction, so two runs at once each leave a complete result
and the later one stays.

Like the other services this flushes and leaves the commit to its caller (the request, or the command).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, insert, select, text
from sqlalchemy.orm import selectinload

from contest.contests.models import Contest
from contest.contests.services import get_contest_for
from contest.core import audit, clock
from contest.core.errors import Conflict, NotFound
from contest.essays import wordcount
from contest.essays.models import Entry, EntryVersion, EssaySettings, SimilarityPair
from contest.essays.services import settings_for
from contest.essays.similarity import find_similar
from contest.extensions import db

# The advisory lock's first key: "similarity" in the lock namespace of this application; the second is the contest.
LOCK_CLASS = 0x51A1
# Syllables shown before and after a shared passage on the pair's page.
CONTEXT_WORDS = 20


def essay_contest_for(slug: str, user) -> Contest:
    """The writing contest at this address, as get_contest_for finds it; NotFound for a quiz too."""
    contest = get_contest_for(slug, user)
    if contest.kind != "essay":
        raise NotFound(_l("No such writing contest."))
    return contest


def _lock(contest: Contest) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:cls, :obj)"),
                           {"cls": LOCK_CLASS, "obj": contest.id % 2**31})


def submitted_texts(contest: Contest) -> dict[int, tuple[int, str]]:
    """{entry id: (submitted version number, plain text of that version)} for the contest's submitted entries."""
    rows = db.session.execute(
        select(Entry.id, EntryVersion.number, EntryVersion.body_html)
        .join(EntryVersion, and_(EntryVersion.entry_id == Entry.id, EntryVersion.number == Entry.submitted_version))
        .where(Entry.contest_id == contest.id, Entry.status == "submitted")
        .order_by(Entry.id))
    return {entry_id: (number, wordcount.plain_text(html)) for entry_id, number, html in rows}


def submitted_count(contest: Contest) -> int:
    """How many entries the check compares."""
    return db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.contest_id == contest.id, Entry.status == "submitted", Entry.submitted_version.is_not(None)))


def run_check(contest: Contest, now: datetime | None = None, actor=None) -> int:
    """Compare the submitted entries of a writing contest and replace its pairs; returns how many pairs."""
    if contest.kind != "essay":
        raise Conflict(_l("This is not a writing contest."), code="not_an_essay")
    now = now or clock.utcnow()
    _lock(contest)
    settings = settings_for(contest)
    min_words = settings.similarity_min_words
    texts = submitted_texts(contest)
    matches = find_similar({entry_id: body for entry_id, (_number, body) in texts.items()}, min_words)
    rows = [{"contest_id": contest.id, "entry_a_id": m.a, "entry_b_id": m.b, "version_a": texts[m.a][0],
             "version_b": texts[m.b][0], "similarity": m.similarity, "shared_words": m.shared_words,
             "passages": [{"a": [p.a_start, p.a_end], "b": [p.b_start, p.b_end], "words": p.words}
                          for p in m.passages],
             "computed_at": now}
            for m in matches]
    # From here on one write transaction: the old pairs go and the new ones come in together.
    db.session.execute(delete(SimilarityPair).where(SimilarityPair.contest_id == contest.id),
                       execution_options={"synchronize_session": False})
    if rows:
        db.session.execute(insert(SimilarityPair), rows)
    settings.similarity_checked_at = now
    audit.record("essay.similarity_check", actor=actor, target_type="contest", target_id=contest.id,
                 entries=len(texts), pairs=len(rows), min_words=min_words)
    db.session.flush()
    db.session.expire_all()  # pairs loaded before are gone or changed
    return len(rows)


def checked_at(contest: Contest) -> datetime | None:
    row = db.session.get(EssaySettings, contest.id)
    return None if row is None else row.similarity_checked_at


def pairs_of(contest: Contest, *, limit: int | None = None, offset: int = 0) -> list[SimilarityPair]:
    """The contest's pairs from the last check, most similar first, with both entries (and authors) loaded; one
    page of them with `limit` and `offset`."""
    stmt = (select(SimilarityPair).where(SimilarityPair.contest_id == contest.id)
            .options(selectinload(SimilarityPair.entry_a).selectinload(Entry.author),
                     selectinload(SimilarityPair.entry_b).selectinload(Entry.author))
            .order_by(SimilarityPair.similarity.desc(), SimilarityPair.shared_words.desc(), SimilarityPair.id))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list(db.session.scalars(stmt))


def pair_count(contest: Contest) -> int:
    return db.session.scalar(select(func.count()).select_from(SimilarityPair)
                             .where(SimilarityPair.contest_id == contest.id))


def pair_for(contest: Contest, pair_id: Any) -> SimilarityPair:
    pair = db.session.get(SimilarityPair, pair_id) if isinstance(pair_id, int) else None
    if pair is None or pair.contest_id != contest.id:
        raise NotFound(_l("No such pair of entries."))
    return pair


def flagged_entry_ids(contest: Contest) -> set[int]:
    """Entries in at least one pair of the contest's last check."""
    rows = db.session.execute(select(SimilarityPair.entry_a_id, SimilarityPair.entry_b_id)
                              .where(SimilarityPair.contest_id == contest.id))
    return {entry_id for row in rows for entry_id in row}


def _checked_words(entry_id: int, number: int) -> list[str]:
    html = db.session.scalar(select(EntryVersion.body_html).where(EntryVersion.entry_id == entry_id,
                                                                  EntryVersion.number == number))
    return wordcount.plain_text(html or "").split()


def passages_text(pair: SimilarityPair) -> list[tuple[str, str]]:
    """The shared passages' text, (in entry a, in entry b), from the versions that were checked."""
    return [(view["a"]["text"], view["b"]["text"]) for view in passage_views(pair, context=0)]


def passage_views(pair: SimilarityPair, context: int = CONTEXT_WORDS) -> list[dict[str, Any]]:
    """Each shared passage with up to `context` words before and after it on each side:
    [{"words": n, "a": {"before", "text", "after", "start", "end"}, "b": {...}}, ...] (start/end from 1)."""
    words_a = _checked_words(pair.entry_a_id, pair.version_a)
    words_b = _checked_words(pair.entry_b_id, pair.version_b)

    def side(words: list[str], bounds: list[int]) -> dict[str, Any]:
        start, end = int(bounds[0]), int(bounds[1])
        before = words[max(0, start - context):start]
        after = words[end:end + context]
        return {"before": ("… " if start - context > 0 else "") + " ".join(before),
                "text": " ".join(words[start:end]),
                "after": " ".join(after) + (" …" if end + context < len(words) else ""),
                "start": start + 1, "end": end}

    return [{"words": p["words"], "a": side(words_a, p["a"]), "b": side(words_b, p["b"])} for p in pair.passages]


__all__ = ["CONTEXT_WORDS", "checked_at", "essay_contest_for", "flagged_entry_ids", "pair_count", "pair_for",
           "pairs_of", "passage_views", "passages_text", "run_check", "submitted_count", "submitted_texts"]
