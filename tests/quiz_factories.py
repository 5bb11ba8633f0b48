"""Factory helpers for contests, rounds and questions, and a clock that tests move by hand.

Questions are made as rows directly (not through the bank's services), so quiz tests do not depend on them.
Every explanation carries REVIEW_MARKER, so a test can scan a response for anything that would reveal answers.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import null

from contest.contests.models import Contest
from contest.core import clock
from contest.core.text import unaccent
from contest.extensions import db
from contest.quiz.models import Question, QuestionVersion, Round

REVIEW_MARKER = "GIAI-THICH-BI-MAT"
T0 = datetime(2026, 5, 19, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội on Uncle Hồ's birthday
_seq = itertools.count(1)


class Clock:
    """contest.core.clock.utcnow, held at a time the test chooses."""

    def __init__(self, monkeypatch, start: datetime = T0) -> None:
        self.now = start
        monkeypatch.setattr(clock, "utcnow", lambda: self.now)

    def set(self, when: datetime) -> datetime:
        self.now = when
        return when

    def advance(self, **delta) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def gen_question(topic: str = "Tư tưởng Hồ Chí Minh", kind: str = "single", correct: str = "a",
                 keys: str = "abcd", status: str = "approved", archived: bool = False,
                 text: str | None = None) -> Question:
    n = next(_seq)
    text = text or f"Câu hỏi số {n} về {topic}?"
    options = [{"key": k, "text": f"Phương án {k.upper()} của câu {n}", "correct": k in correct} for k in keys]
    question = Question(topic=topic, topic_key=unaccent(topic), status=status, archived=archived,
                        search_text=unaccent(text), norm_hash=f"hash-{n}")
    version = QuestionVersion(question=question, number=1, text=text, kind=kind, options=options,
                              explanation=f"{REVIEW_MARKER}-{n}: vì sao đáp án đúng là {correct}.",
                              source="Hồ Chí Minh Toàn tập, tập 5, tr. 120")
    db.session.add_all([question, version])
    db.session.flush()
    question.current_version_id = version.id
    db.session.commit()
    return question


def gen_questions(count: int, topic: str = "Tư tưởng Hồ Chí Minh", **kwargs) -> list[Question]:
    return [gen_question(topic=topic, **kwargs) for _ in range(count)]


def gen_contest(slug: str | None = None, kind: str = "quiz", status: str = "announced", title: str | None = None,
                unit=None, created_by=None, **fields) -> Contest:
    n = next(_seq)
    contest = Contest(slug=slug or f"cuoc-thi-{n}", kind=kind, status=status,
                      title=title or f"Cuộc thi tìm hiểu số {n}", description="Thể lệ cuộc thi.",
                      unit_id=unit.id if unit is not None else None,
                      created_by_id=created_by.id if created_by is not None else None, **fields)
    db.session.add(contest)
    db.session.commit()
    return contest


def gen_round(contest: Contest | None = None, *, opens_at: datetime | None = None,
              closes_at: datetime | None = None, question_count: int = 5, time_limit_seconds: int = 600,
              questions: bool = True, **fields) -> Round:
    """A round open from T0 - 1 day to T0 + 7 days by default; with `questions`, enough approved questions in
    the bank for it (none are made when quotas are given: make them per topic)."""
    contest = contest or gen_contest()
    if "max_attempts" in fields and fields["max_attempts"] is None:
        fields["max_attempts"] = null()  # None would let the column default (1) win
    round_ = Round(contest_id=contest.id, title=fields.pop("title", f"Tuần {next(_seq)}"),
                   opens_at=opens_at or T0 - timedelta(days=1), closes_at=closes_at or T0 + timedelta(days=7),
                   question_count=question_count, time_limit_seconds=time_limit_seconds, **fields)
    db.session.add(round_)
    db.session.commit()
    if questions and not fields.get("topic_quotas"):
        gen_questions(question_count)
    return round_
