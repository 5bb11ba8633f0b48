"""Races on PostgreSQL: simultaneous starts make one attempt, a double submit one result, and a save either counts
or is refused, never acknowledged and then left out. Each thread has its own app context, so its own session and
connection. SQLite serialises writers, so these only mean something on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.accounts.models import User
from contest.core.errors import ServiceError
from contest.extensions import db
from contest.quiz import attempts, scoring
from contest.quiz.models import Attempt, AttemptAnswer, QuestionVersion, Round, Standing
from tests.quiz_factories import T0, gen_round

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="concurrency needs PostgreSQL: set TEST_DATABASE_URL=postgresql://..."),
]
THREADS = 8


def together(app, work, n: int = THREADS) -> tuple[list, list[Exception]]:
    """Run work(i) in n threads released at once; each commits its own transaction. (results, errors)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[Exception] = []

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[i] = work(i)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 (collected and asserted by the test)
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_simultaneous_starts_make_one_attempt(app, clock, member):
    round_id, user_id = gen_round(max_attempts=1).id, member.id

    def work(_i):
        attempt, created = attempts.start_attempt(db.session.get(Round, round_id), db.session.get(User, user_id))
        return attempt.id, created

    results, errors = together(app, work)
    assert errors == []
    assert len({attempt_id for attempt_id, _created in results}) == 1
    assert sum(created for _id, created in results) == 1
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_double_submit_makes_one_result(app, clock, member):
    round_ = gen_round(question_count=3, max_attempts=None)
    attempt, _ = attempts.start_attempt(round_, member)
    for position, q in enumerate(attempt.questions, start=1):
        attempts.save_answer(attempt.id, position, [q["o"][0]], member)
    db.session.commit()
    attempt_id, user_id = attempt.id, member.id
    clock.advance(minutes=1)

    def work(_i):
        return attempts.submit(attempt_id, db.session.get(User, user_id))

    results, errors = together(app, work)
    assert errors == []
    assert all(r == results[0] for r in results)
    assert db.session.scalar(select(func.count()).select_from(Standing)) == 1
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).status == "submitted"


def warm(attempt_id: int, frozen: list, user_id: int) -> None:
    """Save every position once, then clear: this process knows the attempt and its kinds, and the saves of the
    race take the one-statement path."""
    for position, question in enumerate(frozen, start=1):
        attempts.save_answer(attempt_id, position, [question["o"][0]], user_id)
    db.session.execute(AttemptAnswer.__table__.delete())
    db.session.commit()


# slow: the attempt is new to this process (read FOR SHARE, then upsert); fast: one statement in the caller's
# transaction; autocommit: one statement as a transaction of its own (the API's save with a cached token).
PATHS = ["slow", "fast", "autocommit"]


@pytest.mark.parametrize("path", PATHS)
def test_saves_racing_a_submit_either_count_or_are_refused(app, clock, member, path):
    round_ = gen_round(question_count=THREADS - 1)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    attempt_id, user_id = attempt.id, member.id
    frozen = attempt.questions
    if path != "slow":
        warm(attempt_id, frozen, user_id)

    def work(i):
        if i == 0:
            return ("submit", attempts.submit(attempt_id, db.session.get(User, user_id)))
        try:
            attempts.save_answer(attempt_id, i, [frozen[i - 1]["o"][0]], user_id, commit=path == "autocommit")
            return ("saved", i)
        except ServiceError as exc:
            return ("refused", exc.code)

    results, errors = together(app, work)
    assert errors == []
    db.session.expire_all()
    final = db.session.get(Attempt, attempt_id)
    saved = dict(db.session.execute(select(AttemptAnswer.position, AttemptAnswer.choices)
                                    .where(AttemptAnswer.attempt_id == attempt_id)).all())
    acknowledged = {i for kind, i in results if kind == "saved"}
    assert set(saved) == acknowledged  # nothing refused was stored, nothing stored was refused
    assert all(code == "attempt_submitted" for kind, code in results if kind == "refused")
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion))}
    correct = {q["v"]: scoring.correct_keys(versions[q["v"]].options) for q in frozen}
    assert final.correct == scoring.score(frozen, saved, correct)  # every acknowledged save was scored


@pytest.mark.parametrize("path", PATHS)
def test_saves_racing_the_deadline_and_the_finaliser(app, clock, member, path):
    round_ = gen_round(question_count=THREADS - 1, time_limit_seconds=60, grace_seconds=5)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    attempt_id, user_id, frozen = attempt.id, member.id, attempt.questions
    if path != "slow":
        warm(attempt_id, frozen, user_id)
    clock.set(T0 + timedelta(seconds=66))  # past deadline + grace

    def work(i):
        if i == 0:
            return ("finalised", attempts.finalise_expired())
        try:
            attempts.save_answer(attempt_id, i, [frozen[i - 1]["o"][0]], user_id, commit=path == "autocommit")
            return ("saved", i)
        except attempts.DeadlinePassed:
            db.session.commit()  # as the views do
            return ("refused", "deadline_passed")
        except ServiceError as exc:
            return ("refused", exc.code)

    results, errors = together(app, work)
    assert errors == []
    assert not [r for r in results if r[0] == "saved"]
    db.session.expire_all()
    final = db.session.get(Attempt, attempt_id)
    assert final.status == "expired" and final.submitted_at == T0 + timedelta(seconds=60)
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
    assert db.session.scalar(select(func.count()).select_from(Standing)) == 1
