"""Factory helpers for leaderboard and report tests: contests, rounds, question versions, finished attempts and
their standings, written directly (not through the attempts services)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from contest.accounts.models import User, UserRole
from contest.contests.models import Contest
from contest.core.cache import get_cache
from contest.core.clock import utcnow
from contest.extensions import db
from contest.quiz.models import Attempt, AttemptAnswer, Question, QuestionVersion, Round
from contest.quiz.standings import record_result

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def clean_cache(request):
    """Start each test that has an app with an empty cache: with REDIS_URL set, Redis outlives the test's
    database (pure tests stay without an app)."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    get_cache().clear()
    yield
    get_cache().clear()


def gen_contest(*, status: str = "announced", unit=None, title: str = "Tìm hiểu tư tưởng Hồ Chí Minh") -> Contest:
    n = next(_seq)
    contest = Contest(slug=f"thi-{n}", kind="quiz", title=f"{title} {n}", status=status,
                      unit_id=unit.id if unit is not None else None)
    db.session.add(contest)
    db.session.flush()
    return contest


def gen_round(contest: Contest | None = None, *, state: str = "closed", now: datetime | None = None,
              **fields) -> Round:
    """A round that is "open" (opened a day ago, closes in a day), "closed" (closed a day ago) or "upcoming"."""
    now = now or utcnow()
    opens, closes = {
        "open": (now - timedelta(days=1), now + timedelta(days=1)),
        "closed": (now - timedelta(days=3), now - timedelta(days=1)),
        "upcoming": (now + timedelta(days=1), now + timedelta(days=3)),
    }[state]
    contest = contest or gen_contest()
    values = {"title": f"Tuần {next(_seq)}", "opens_at": opens, "closes_at": closes, "question_count": 10,
              "time_limit_seconds": 600, **fields}
    round_ = Round(contest_id=contest.id, **values)
    db.session.add(round_)
    db.session.commit()
    return round_


def gen_versions(count: int, *, kind: str = "single") -> list[QuestionVersion]:
    """Question versions whose correct key is "a" (and "c" as well for multiple-answer ones)."""
    out = []
    for _ in range(count):
        n = next(_seq)
        q = Question(topic="Đạo đức", topic_key="dao duc", difficulty=2, status="approved", search_text=f"cau {n}",
                     norm_hash=f"h{n}")
        db.session.add(q)
        db.session.flush()
        correct = {"a", "c"} if kind == "multiple" else {"a"}
        v = QuestionVersion(question_id=q.id, number=1, text=f"Câu hỏi {n}", kind=kind,
                            options=[{"key": k, "text": f"Phương án {k}", "correct": k in correct} for k in "abcd"])
        db.session.add(v)
        db.session.flush()
        q.current_version_id = v.id
        out.append(v)
    db.session.commit()
    return out


def gen_attempt(round_: Round, user, *, correct: int | None, total: int | None = None,
                started_at: datetime | None = None, submitted_at: datetime | None = None,
                duration_ms: int | None = None, prediction: int | None = None, number: int | None = None,
                status: str = "submitted", unit_id: int | None = -1, questions: list[dict] | None = None,
                answers: dict[int, str] | None = None, record: bool = True) -> Attempt:
    """A finished attempt (and, with `record`, the member's standing through standings.record_result), or one
    still in progress (status "in_progress": no score, no standing)."""
    total = round_.question_count if total is None else total
    started_at = started_at or (as_aware(round_.opens_at) + timedelta(hours=1))
    if status == "in_progress":
        correct = submitted_at = duration_ms = None
        record = False
    else:
        if duration_ms is None:
            duration_ms = int((submitted_at - started_at).total_seconds() * 1000) if submitted_at else 120_000
        submitted_at = submitted_at or started_at + timedelta(milliseconds=duration_ms)
    if number is None:
        number = (db.session.query(Attempt).filter_by(round_id=round_.id, user_id=user.id).count()) + 1
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=number,
                      unit_id=user.unit_id if unit_id == -1 else unit_id, status=status, started_at=started_at,
                      deadline_at=min(started_at + timedelta(seconds=round_.time_limit_seconds),
                                      as_aware(round_.closes_at)),
                      submitted_at=submitted_at, correct=correct, total=total, duration_ms=duration_ms,
                      prediction=prediction, questions=questions or [])
    db.session.add(attempt)
    db.session.flush()
    for position, choices in (answers or {}).items():
        db.session.add(AttemptAnswer(attempt_id=attempt.id, position=position, choices=choices))
    if record:
        record_result(attempt, round_)
    db.session.flush()
    return attempt


def as_aware(value: datetime) -> datetime:
    from contest.core.clock import as_utc

    return as_utc(value)


def gen_members(count: int, unit, *, name: str = "Thí sinh", roles=("member",)) -> list[User]:
    """Accounts written directly (no password hashing): many of them, fast. They cannot sign in with a password;
    tests use FlaskLoginClient(user=...) or tokens."""
    users = []
    for _ in range(count):
        n = next(_seq)
        user = User(email=f"ts{n}@example.com", full_name=f"{name} {n}", search_name=f"thi sinh {n}",
                    password_hash="x", unit_id=unit.id if unit is not None else None)
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        users.append(user)
    db.session.commit()
    return users
