"""Organiser reports of a quiz round: participation by day and by unit, the score distribution, and per-question
statistics (share answering correctly, discrimination between strong and weak participants) that point at broken
or too easy questions; and the same counts across a contest's rounds for the organiser's dashboard.

Counting happens in SQL (grouped queries); only the per-question statistics read attempts, in batches by id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Float, and_, case, cast, func, select, union_all

from contest.core import clock
from contest.core.clock import as_utc
from contest.extensions import db
from contest.quiz.models import Attempt, AttemptAnswer, QuestionVersion, Round, Standing

FINALISED_STATUSES = ("submitted", "expired")
GROUP_SHARE = 0.27  # Kelley's upper and lower 27 %
TOO_EASY = 0.9  # more than this share answering correctly
BATCH = 1000

_S = Standing.__table__
_A = Attempt.__table__


# --- pure functions ---------------------------------------------------------------------------------------

def correct_keys(options: Sequence[Mapping]) -> frozenset[str]:
    return frozenset(str(o.get("key")) for o in options or () if o.get("correct"))


def is_correct(choices: str | None, keys: frozenset[str]) -> bool:
    """An answer is correct when it chose exactly the correct options (nothing chosen is wrong)."""
    return bool(choices) and bool(keys) and frozenset(choices) == keys


def mark_attempt(questions: Sequence[Mapping], answers: Mapping[int, str],
                 keys: Mapping[int, frozenset[str]]) -> list[tuple[int, bool]]:
    """[(question version id, answered correctly)] in position order. `questions` is Attempt.questions
    ([{"v": version_id, "o": "cabd"}], position = index + 1), `answers` {position: "ac"}."""
    out = []
    for index, q in enumerate(questions or ()):
        vid = int(q["v"])
        out.append((vid, is_correct(answers.get(index + 1), keys.get(vid, frozenset()))))
    return out


def group_size(n: int) -> int:
    """How many attempts make the top (and the bottom) group: 27 % of them, rounded, at least one."""
    if n <= 0:
        return 0
    return max(1, math.floor(n * GROUP_SHARE + 0.5))


@dataclass
class QuestionStat:
    version_id: int
    drawn: int = 0
    correct: int = 0
    top_drawn: int = 0
    top_correct: int = 0
    bottom_drawn: int = 0
    bottom_correct: int = 0
    question_id: int | None = None
    text: str = ""

    def add(self, ok: bool, group: str | None) -> None:
        self.drawn += 1
        self.correct += ok
        if group == "top":
            self.top_drawn += 1
            self.top_correct += ok
        elif group == "bottom":
            self.bottom_drawn += 1
            self.bottom_correct += ok

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.drawn if self.drawn else None

    @property
    def discrimination(self) -> float | None:
        """Share correct in the top group minus the share in the bottom group; None when a group never drew it."""
        if not self.top_drawn or not self.bottom_drawn:
            return None
        return self.top_correct / self.top_drawn - self.bottom_correct / self.bottom_drawn

    @property
    def too_easy(self) -> bool:
        share = self.share_correct
        return share is not None and share > TOO_EASY

    @property
    def broken(self) -> bool:
        """Weak participants do better on it than strong ones: a wrong key or a misleading wording."""
        d = self.discrimination
        return d is not None and d < 0

    def as_dict(self) -> dict:
        share, d = self.share_correct, self.discrimination
        return {"version_id": self.version_id, "question_id": self.question_id, "text": self.text,
                "drawn": self.drawn, "correct": self.correct,
                "share_correct": None if share is None else round(share, 4),
                "discrimination": None if d is None else round(d, 4),
                "top_drawn": self.top_drawn, "bottom_drawn": self.bottom_drawn,
                "too_easy": self.too_easy, "broken": self.broken}


@dataclass(frozen=True)
class MarkedAttempt:
    attempt_id: int
    score: int
    marks: tuple[tuple[int, bool], ...] = field(default_factory=tuple)


class _Groups:
    """Which group an attempt is in, from the attempts at the two cuts of the order (score desc, id asc):
    the top group is the first k of that order, the bottom group the last k."""

    def __init__(self, top_cut: tuple[int, int] | None, bottom_cut: tuple[int, int] | None) -> None:
        self.top_cut, self.bottom_cut = top_cut, bottom_cut

    def of(self, attempt_id: int, score: int) -> str | None:
        position = (-score, attempt_id)
        if self.top_cut is not None and position <= (-self.top_cut[0], self.top_cut[1]):
            return "top"
        if self.bottom_cut is not None and position >= (-self.bottom_cut[0], self.bottom_cut[1]):
            return "bottom"
        return None


def question_statistics(attempts: Iterable[MarkedAttempt]) -> list[QuestionStat]:
    """Per question version: how many drew it, the share answering correctly, and the discrimination between the
    top 27 % of attempts by score and the bottom 27 % (ties at a cut broken by attempt id, lowest first)."""
    attempts = sorted(attempts, key=lambda a: (-a.score, a.attempt_id))
    k = group_size(len(attempts))
    groups = _Groups((attempts[k - 1].score, attempts[k - 1].attempt_id) if k else None,
                     (attempts[-k].score, attempts[-k].attempt_id) if k else None)
    stats: dict[int, QuestionStat] = {}
    for a in attempts:
        group = groups.of(a.attempt_id, a.score)
        for vid, ok in a.marks:
            stats.setdefault(vid, QuestionStat(vid)).add(ok, group)
    return [stats[v] for v in sorted(stats)]


def day_buckets(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
    """The local days from start to end as (day, first instant, instant after), instants in UTC."""
    start, end = as_utc(start), as_utc(end)
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    out = []
    while day <= last:
        begin = datetime.combine(day, datetime.min.time(), tz)
        after = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
        out.append((day, as_utc(begin), as_utc(after)))
        day += timedelta(days=1)
    return out


def fill_distribution(counts: Mapping[int, int], top: int) -> list[dict]:
    """[{correct, count}] for every score 0..top (and any higher score found), zeros included."""
    top = max([top, *counts]) if counts else top
    return [{"correct": c, "count": int(counts.get(c, 0))} for c in range(top + 1)]


# --- reports from the database ----------------------------------------------------------------------------

def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class DaySource:
    """Rows to count per local day: `when` is the time column, `who` the column counted distinctly, `where` picks
    the rows; the days listed for them run from `start` to `end` (rows before `start` are left out, rows after the
    last day count on it: an answer that arrived in the grace after the close)."""

    when: Any
    who: Any
    where: Any
    start: datetime
    end: datetime


def count_by_day(sources: Sequence[DaySource]) -> list[dict]:
    """[{date, count, distinct}] for every local day (Asia/Ho_Chi_Minh) from the earliest source's first day to the
    latest one's last, days without rows listed with zeros; `distinct` counts `who` once per day across sources.

    One grouped query: each source's rows get their day from a CASE over that source's own day boundaries
    (computed with zoneinfo, so no database time-zone function is needed and SQLite and PostgreSQL agree), the
    sources are joined with UNION ALL, and the count is grouped by day. A source (a round) has days, not thousands
    of them, so each row is compared with a short list.
    """
    tz = _zone()
    spans = [(source, days) for source in sources
             if (days := day_buckets(source.start, source.end, tz))]
    if not spans:
        return []
    first = min(days[0][0] for _source, days in spans)
    last = max(days[-1][0] for _source, days in spans)
    parts = []
    for source, days in spans:
        offset = (days[0][0] - first).days
        bucket = case(*((source.when < after, offset + index) for index, (_day, _begin, after) in enumerate(days)),
                      else_=offset + len(days) - 1)
        parts.append(select(bucket.label("day"), source.who.label("who"))
                     .where(source.where, source.when >= days[0][1]))
    inner = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    rows = db.session.execute(select(inner.c.day, func.count(), func.count(inner.c.who.distinct()))
                              .group_by(inner.c.day)).all()
    found = {int(day): (count, distinct) for day, count, distinct in rows}
    return [{"date": first + timedelta(days=i), "count": found.get(i, (0, 0))[0],
             "distinct": found.get(i, (0, 0))[1]} for i in range((last - first).days + 1)]


def participation_by_day(round_: Round) -> list[dict]:
    """Attempts started and distinct members starting one, per local day (Asia/Ho_Chi_Minh) of the round.

    The days attempts were started on (within the round's times): a round left open for years still has a short
    table. Days without attempts in between are listed with zeros (see count_by_day).
    """
    first, last = db.session.execute(select(func.min(_A.c.started_at), func.max(_A.c.started_at))
                                     .where(_A.c.round_id == round_.id)).one()
    if first is None:
        return []
    rows = count_by_day([DaySource(_A.c.started_at, _A.c.user_id, _A.c.round_id == round_.id,
                                   max(as_utc(first), as_utc(round_.opens_at)),
                                   min(as_utc(last), as_utc(round_.closes_at)))])
    return [{"date": r["date"], "attempts": r["count"], "members": r["distinct"]} for r in rows]


def rounds_by_day(rounds: Sequence[Round], statuses: Sequence[str] = FINALISED_STATUSES) -> list[dict]:
    """Attempts (finalised ones by default) and distinct members per local day across several rounds (a contest's),
    each attempt on the day it was started: [{date, attempts, members}] from the first such day to the last. A
    member taking two rounds on one day counts once that day."""
    if not rounds:
        return []
    by_id = {r.id: r for r in rounds}
    spans = db.session.execute(
        select(_A.c.round_id, func.min(_A.c.started_at), func.max(_A.c.started_at))
        .where(_A.c.round_id.in_(by_id), _A.c.status.in_(statuses)).group_by(_A.c.round_id)).all()
    sources = [DaySource(_A.c.started_at, _A.c.user_id,
                         and_(_A.c.round_id == round_id, _A.c.status.in_(statuses)),
                         max(as_utc(first), as_utc(by_id[round_id].opens_at)),
                         min(as_utc(last), as_utc(by_id[round_id].closes_at)))
               for round_id, first, last in sorted(spans)]
    return [{"date": r["date"], "attempts": r["count"], "members": r["distinct"]} for r in count_by_day(sources)]


SHARE_BUCKETS = 10  # tenths of the questions; a bucket of its own for all correct


def share_bands(rounds: Sequence[Round]) -> list[tuple[int, int | None, int, float | None]]:
    """One grouped scan of the rounds' standings: (round id, band, participations, sum of their shares of correct
    answers) per round and band, the band being the share in tenths (10: every answer correct; None for a standing
    without questions). round_summaries and share_distribution both read it, so a page needing both scans once."""
    ids = [r.id for r in rounds]
    if not ids:
        return []
    band = case((_S.c.total > 0, (_S.c.correct * SHARE_BUCKETS) // _S.c.total))
    share = case((_S.c.total > 0, cast(_S.c.correct, Float) / _S.c.total))
    return [(round_id, None if b is None else int(b), n, total)
            for round_id, b, n, total in db.session.execute(
                select(_S.c.round_id, band, func.count(), func.sum(share)).where(_S.c.round_id.in_(ids))
                .group_by(_S.c.round_id, band))]


def round_summaries(rounds: Sequence[Round], bands: Sequence[tuple] | None = None) -> dict[int, dict]:
    """Per round: {round id: {participants, attempts (finalised), all_correct, mean_share (the mean of each
    participant's share of correct answers in their counted attempt, None without participants)}}, from
    share_bands (given, or read here) and one grouped count of the attempts."""
    ids = [r.id for r in rounds]
    out = {i: {"participants": 0, "attempts": 0, "all_correct": 0, "mean_share": None} for i in ids}
    if not ids:
        return out
    sums: dict[int, list[float]] = {}
    for round_id, band, n, total in (share_bands(rounds) if bands is None else bands):
        row = out[round_id]
        row["participants"] += n
        if band is not None:
            acc = sums.setdefault(round_id, [0, 0.0])
            acc[0] += n
            acc[1] += float(total or 0)
            if band >= SHARE_BUCKETS:
                row["all_correct"] += n
    for round_id, (n, total) in sums.items():
        out[round_id]["mean_share"] = round(total / n, 4) if n else None
    for round_id, attempts in db.session.execute(
            select(_A.c.round_id, func.count()).where(_A.c.round_id.in_(ids), _A.c.status.in_(FINALISED_STATUSES))
            .group_by(_A.c.round_id)):
        out[round_id]["attempts"] = attempts
    return out


def share_distribution(rounds: Sequence[Round], bands: Sequence[tuple] | None = None) -> list[dict]:
    """Participations (a member in a round, their counted attempt) by share of correct answers, in tenths:
    [{bucket, from_percent, to_percent, count}] for buckets 0..9 (from 10 x bucket up to, not including, the next
    tenth) and 10 (every answer correct), zeros included. Comparable across rounds of different lengths."""
    counts: dict[int, int] = {}
    for _round_id, band, n, _total in (share_bands(rounds) if bands is None else bands):
        if band is not None:
            counts[band] = counts.get(band, 0) + n
    step = 100 // SHARE_BUCKETS
    return [{"bucket": b, "from_percent": b * step, "to_percent": min(100, (b + 1) * step),
             "count": counts.get(b, 0)} for b in range(SHARE_BUCKETS + 1)]


def contest_participants(rounds: Sequence[Round]) -> int:
    """Distinct members with a finished attempt in any of the rounds."""
    ids = [r.id for r in rounds]
    if not ids:
        return 0
    return db.session.scalar(select(func.count(_S.c.user_id.distinct())).where(_S.c.round_id.in_(ids))) or 0


def participants_by_unit(rounds: Sequence[Round]) -> dict[int, int]:
    """Distinct members with a finished attempt in any of the rounds, per their current unit (not rolled up): each
    member counts once, where they are now, as the registered members they are compared with do."""
    from contest.accounts.models import User

    ids = [r.id for r in rounds]
    if not ids:
        return {}
    took = select(_S.c.user_id).where(_S.c.round_id.in_(ids))
    return dict(db.session.execute(
        select(User.unit_id, func.count()).where(User.id.in_(took), User.unit_id.is_not(None))
        .group_by(User.unit_id)).all())


def score_distribution(round_: Round) -> list[dict]:
    """Participants per number of correct answers (their counted attempt), 0..question count."""
    counts = dict(db.session.execute(select(_S.c.correct, func.count()).where(_S.c.round_id == round_.id)
                                     .group_by(_S.c.correct)).all())
    return fill_distribution(counts, round_.question_count)


def summary(round_: Round) -> dict:
    attempts, finished = db.session.execute(
        select(func.count(), func.count(case((_A.c.status.in_(FINALISED_STATUSES), 1))))
        .where(_A.c.round_id == round_.id)).one()
    participants, all_correct, average = db.session.execute(
        select(func.count(), func.count(case((and_(_S.c.total > 0, _S.c.correct == _S.c.total), 1))),
               func.avg(_S.c.correct)).where(_S.c.round_id == round_.id)).one()
    return {"attempts": attempts, "finished_attempts": finished, "participants": participants,
            "all_correct": all_correct, "average_correct": None if average is None else round(float(average), 2)}


def _finalised(round_: Round):
    return and_(_A.c.round_id == round_.id, _A.c.status.in_(FINALISED_STATUSES), _A.c.correct.is_not(None))


def round_question_statistics(round_: Round, batch: int = BATCH) -> list[dict]:
    """question_statistics over the round's finalised attempts, read in batches of `batch` by id (the groups'
    cuts come from two ordered queries first, so memory stays one batch)."""
    n = db.session.scalar(select(func.count()).select_from(_A).where(_finalised(round_))) or 0
    k = group_size(n)
    if not k:
        return []
    base = select(_A.c.correct, _A.c.id).where(_finalised(round_))
    top_cut = db.session.execute(base.order_by(_A.c.correct.desc(), _A.c.id).offset(k - 1).limit(1)).one()
    bottom_cut = db.session.execute(base.order_by(_A.c.correct, _A.c.id.desc()).offset(k - 1).limit(1)).one()
    groups = _Groups(tuple(top_cut), tuple(bottom_cut))

    stats: dict[int, QuestionStat] = {}
    keys: dict[int, frozenset[str]] = {}
    last_id = 0
    while True:
        rows = db.session.execute(
            select(_A.c.id, _A.c.correct, _A.c.questions).where(_finalised(round_), _A.c.id > last_id)
            .order_by(_A.c.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1].id
        answers: dict[int, dict[int, str]] = {}
        for attempt_id, position, choices in db.session.execute(
                select(AttemptAnswer.attempt_id, AttemptAnswer.position, AttemptAnswer.choices)
                .where(AttemptAnswer.attempt_id.in_([r.id for r in rows]))):
            answers.setdefault(attempt_id, {})[position] = choices
        missing = {int(q["v"]) for r in rows for q in (r.questions or ())} - keys.keys()
        if missing:
            for vid, qid, text, options in db.session.execute(
                    select(QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.text,
                           QuestionVersion.options).where(QuestionVersion.id.in_(missing))):
                keys[vid] = correct_keys(options)
                stats.setdefault(vid, QuestionStat(vid, question_id=qid, text=text))
        for r in rows:
            group = groups.of(r.id, r.correct)
            for vid, ok in mark_attempt(r.questions or (), answers.get(r.id, {}), keys):
                stats.setdefault(vid, QuestionStat(vid)).add(ok, group)
    ordered = sorted(stats.values(), key=lambda s: (not (s.broken or s.too_easy), s.version_id))
    return [s.as_dict() for s in ordered if s.drawn]


QUESTIONS_TTL = {"live": 60, "final": 600}  # seconds the per-question statistics are kept


def cached_question_statistics(round_: Round, now: datetime | None = None) -> list[dict]:
    """round_question_statistics, kept in the leaderboard cache (a minute while live, ten once final; cleared with
    the round's boards): it reads every finished attempt, which takes a while in a round of a million."""
    from contest.core.cache import get_cache
    from contest.quiz.leaderboard import _cache_key, is_final

    key, _ttl = _cache_key(round_, now or clock.utcnow(), "questions")
    cache = get_cache()
    rows = cache.get(key)
    if rows is None:
        rows = round_question_statistics(round_)
        cache.set(key, rows, QUESTIONS_TTL["final" if is_final(round_, now) else "live"])
    return rows


def round_report(round_: Round, now: datetime | None = None) -> dict:
    """Everything the organiser's report page shows."""
    from contest.quiz.leaderboard import unit_leaderboard

    return {"summary": summary(round_), "by_day": participation_by_day(round_),
            "by_unit": unit_leaderboard(round_, by="tree", now=now), "scores": score_distribution(round_),
            "questions": cached_question_statistics(round_, now)}


__all__ = ["DaySource", "MarkedAttempt", "QuestionStat", "cached_question_statistics", "contest_participants",
           "correct_keys", "count_by_day", "day_buckets", "fill_distribution", "group_size", "is_correct",
           "mark_attempt", "participants_by_unit", "participation_by_day", "question_statistics",
           "round_question_statistics", "round_report", "round_summaries", "rounds_by_day", "score_distribution",
           "share_bands", "share_distribution", "summary"]
