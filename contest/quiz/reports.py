"""Organiser reports of a quiz round: participation by day and by unit, the score distribution, and per-question
statistics (share answering correctly, discrimination between strong and weak participants) that point at broken
or too easy questions.

Counting happens in SQL (grouped queries); only the per-question statistics read attempts, in batches by id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, func, select

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


def participation_by_day(round_: Round) -> list[dict]:
    """Attempts started and distinct members starting one, per local day (Asia/Ho_Chi_Minh) of the round.

    One grouped query: the day of each attempt is a CASE over the day boundaries (computed with zoneinfo, so no
    database time-zone function is needed and SQLite and PostgreSQL agree) from the first to the last attempt's
    day; a round has days, not thousands of them. Days without attempts in between are listed with zeros.
    """
    first, last = db.session.execute(select(func.min(_A.c.started_at), func.max(_A.c.started_at))
                                     .where(_A.c.round_id == round_.id)).one()
    if first is None:
        return []
    # The days attempts were started on (within the round's times): a round left open for years still has a
    # short table.
    days = day_buckets(max(as_utc(first), as_utc(round_.opens_at)), min(as_utc(last), as_utc(round_.closes_at)),
                       _zone())
    if not days:
        return []
    bucket = case(*((_A.c.started_at < after, index) for index, (_day, _begin, after) in enumerate(days)),
                  else_=len(days) - 1)
    inner = (select(bucket.label("day"), _A.c.user_id)
             .where(_A.c.round_id == round_.id, _A.c.started_at >= days[0][1])
             .subquery())
    rows = db.session.execute(select(inner.c.day, func.count(), func.count(inner.c.user_id.distinct()))
                              .group_by(inner.c.day)).all()
    found = {int(day): (attempts, members) for day, attempts, members in rows}
    return [{"date": day, "attempts": found.get(i, (0, 0))[0], "members": found.get(i, (0, 0))[1]}
            for i, (day, _begin, _after) in enumerate(days)]


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


__all__ = ["MarkedAttempt", "QuestionStat", "correct_keys", "day_buckets", "fill_distribution", "group_size",
           "is_correct", "mark_attempt", "participation_by_day", "question_statistics", "round_question_statistics",
           "round_report", "score_distribution", "summary", "cached_question_statistics"]
