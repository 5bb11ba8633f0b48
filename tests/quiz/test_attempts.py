"""Attempts as services: start, save, submit, deadlines with grace, expiry, limits and who may read what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.core.errors import Conflict, Forbidden, Invalid, NotFound
from contest.extensions import db
from contest.quiz import attempts, scoring
from contest.quiz.models import Attempt, AttemptAnswer, QuestionVersion, Standing
from tests import factories
from tests.quiz_factories import REVIEW_MARKER, T0, gen_contest, gen_question, gen_questions, gen_round


def correct_of(attempt: Attempt) -> dict[int, str]:
    """{position: correct keys} of an attempt, read from the bank as a test may."""
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion))}
    return {p: scoring.correct_keys(versions[q["v"]].options) for p, q in enumerate(attempt.questions, start=1)}


def wrong_of(attempt: Attempt, position: int) -> str:
    right = correct_of(attempt)[position]
    return next(k for k in attempt.questions[position - 1]["o"] if k not in right)


def answer_all(attempt: Attempt, user, right: int) -> None:
    """Answer the first `right` positions correctly and the rest wrongly."""
    for position, keys in correct_of(attempt).items():
        chosen = list(keys) if position <= right else [wrong_of(attempt, position)]
        attempts.save_answer(attempt.id, position, chosen, user)
    db.session.commit()


def count_attempts(**where) -> int:
    stmt = select(func.count()).select_from(Attempt)
    for key, value in where.items():
        stmt = stmt.where(getattr(Attempt, key) == value)
    return db.session.scalar(stmt)


# --- starting ---------------------------------------------------------------------------------------------

def test_start_freezes_questions_and_sets_the_deadline(clock, member):
    round_ = gen_round(question_count=5, time_limit_seconds=600)
    attempt, created = attempts.start_attempt(round_, member)
    db.session.commit()
    assert created
    assert attempt.number == 1 and attempt.status == "in_progress" and attempt.total == 5
    assert attempt.started_at == T0 and attempt.deadline_at == T0 + timedelta(minutes=10)
    assert attempt.unit_id == member.unit_id
    assert len(attempt.questions) == 5 and len({q["v"] for q in attempt.questions}) == 5
    for q in attempt.questions:
        assert sorted(q["o"]) == list("abcd")


def test_the_deadline_never_passes_the_round_close(clock, member):
    round_ = gen_round(closes_at=T0 + timedelta(minutes=3), time_limit_seconds=600)
    attempt, _ = attempts.start_attempt(round_, member)
    assert attempt.deadline_at == T0 + timedelta(minutes=3)


def test_starting_again_resumes_the_attempt_in_progress(clock, member):
    round_ = gen_round()
    first, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    clock.advance(minutes=4)
    again, created = attempts.start_attempt(round_, member)
    assert not created and again.id == first.id and again.deadline_at == T0 + timedelta(minutes=10)
    assert count_attempts() == 1


@pytest.mark.parametrize("when", [T0 - timedelta(days=2), T0 + timedelta(days=8)])
def test_only_an_open_round_can_be_started(clock, member, when):
    round_ = gen_round()
    clock.set(when)
    with pytest.raises(Conflict) as caught:
        attempts.start_attempt(round_, member)
    assert caught.value.code == "round_not_open"


def test_the_round_closes_at_its_closing_time(clock, member):
    round_ = gen_round(closes_at=T0)
    with pytest.raises(Conflict):
        attempts.start_attempt(round_, member)
    clock.set(T0 - timedelta(microseconds=1))
    attempts.start_attempt(round_, member)


def test_attempts_are_limited_and_numbered(clock, member):
    round_ = gen_round(max_attempts=2)
    for number in (1, 2):
        attempt, created = attempts.start_attempt(round_, member)
        assert created and attempt.number == number
        attempts.submit(attempt.id, member)
        db.session.commit()
    with pytest.raises(Conflict) as caught:
        attempts.start_attempt(round_, member)
    assert caught.value.code == "attempts_exhausted"


def test_unlimited_attempts(clock, member):
    round_ = gen_round(max_attempts=None)
    for _ in range(4):
        attempt, _created = attempts.start_attempt(round_, member)
        attempts.submit(attempt, member)  # the Attempt itself, or its id
    assert [a.number for a in db.session.scalars(select(Attempt).order_by(Attempt.id))] == [1, 2, 3, 4]


def test_an_expired_attempt_is_finalised_before_a_new_start_and_counts(clock, member):
    round_ = gen_round(max_attempts=2)
    first, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    clock.advance(minutes=10, seconds=6)
    second, created = attempts.start_attempt(round_, member)
    db.session.commit()
    assert created and second.number == 2
    db.session.refresh(first)
    assert first.status == "expired"
    with pytest.raises(Conflict):
        attempts.submit(second.id, member) and attempts.start_attempt(round_, member)


def test_only_members_start(clock, organiser, judge):
    round_ = gen_round()
    for user in (organiser, judge):
        with pytest.raises(Forbidden):
            attempts.start_attempt(round_, user)


def test_a_draft_contest_cannot_be_taken(clock, member):
    round_ = gen_round(gen_contest(status="draft"))
    with pytest.raises(NotFound):
        attempts.start_attempt(round_, member)


def test_a_unit_contest_is_for_that_unit_and_the_units_below(clock):
    district = factories.gen_unit("Phường Long Biên")
    cell = factories.gen_unit("Chi bộ Thạch Bàn 1", parent=district)
    elsewhere = factories.gen_unit("Phường Ba Đình")
    round_ = gen_round(gen_contest(unit=district))
    inside = factories.gen_user(unit=cell)
    outside = factories.gen_user(unit=elsewhere)
    attempts.start_attempt(round_, inside)
    with pytest.raises(Forbidden) as caught:
        attempts.start_attempt(round_, outside)
    assert caught.value.code == "not_in_unit"


def test_quotas_decide_the_topics_drawn(clock, member):
    gen_questions(4, topic="Tư tưởng")
    gen_questions(4, topic="Đạo đức")
    gen_questions(4, topic="Phong cách")
    round_ = gen_round(question_count=5, topic_quotas={"Tư tưởng": 3, "dao duc": 2}, questions=False)
    attempt, _ = attempts.start_attempt(round_, member)
    versions = {v.id: v.question.topic for v in db.session.scalars(select(QuestionVersion))}
    topics = sorted(versions[q["v"]] for q in attempt.questions)
    assert topics == ["Tư tưởng", "Tư tưởng", "Tư tưởng", "Đạo đức", "Đạo đức"]


def test_only_approved_current_unarchived_versions_are_drawn(clock, member):
    round_ = gen_round(question_count=3, questions=False)
    good = gen_questions(3)
    gen_question(status="draft")
    gen_question(archived=True)
    edited = good[0]
    newer = QuestionVersion(question=edited, number=2, text="Câu hỏi đã sửa?", kind="single",
                            options=[{"key": k, "text": k, "correct": k == "b"} for k in "abc"])
    db.session.add(newer)
    db.session.flush()
    edited.current_version_id = newer.id
    db.session.commit()
    attempt, _ = attempts.start_attempt(round_, member)
    assert {q["v"] for q in attempt.questions} == {newer.id, good[1].current_version_id, good[2].current_version_id}


def test_a_bank_emptied_after_the_round_was_made_is_a_conflict(clock, member):
    round_ = gen_round(question_count=3)
    gen_question().archived = True
    for question in db.session.scalars(select(QuestionVersion)):
        question.question.archived = True
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        attempts.start_attempt(round_, member)
    assert caught.value.code == "not_enough_questions"


def test_a_start_that_loses_the_race_returns_the_winners_attempt(clock, member, monkeypatch):
    """The unique index refuses the second insert; the savepoint keeps the transaction usable."""
    round_ = gen_round(max_attempts=None)  # so that only the index of attempts in progress stands in the way
    winner, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    real = attempts._in_progress
    calls = []

    def blind_once(round_id, user_id):
        calls.append(1)
        return None if len(calls) == 1 else real(round_id, user_id)

    monkeypatch.setattr(attempts, "_in_progress", blind_once)
    again, created = attempts.start_attempt(round_, member)
    db.session.commit()
    assert not created and again.id == winner.id
    assert count_attempts() == 1


# --- saving -----------------------------------------------------------------------------------------------

def test_saving_upserts_one_row_per_position(clock, member):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    key = attempt.questions[0]["o"][0]
    other = attempt.questions[0]["o"][1]
    assert attempts.save_answer(attempt.id, 1, [key], member) == T0
    clock.advance(seconds=3)
    assert attempts.save_answer(attempt.id, 1, [other], member) == T0 + timedelta(seconds=3)
    db.session.commit()
    rows = db.session.scalars(select(AttemptAnswer)).all()
    assert [(r.position, r.choices, r.saved_at) for r in rows] == [(1, other, T0 + timedelta(seconds=3))]
    attempts.save_answer(attempt.id, 1, [], member)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(AttemptAnswer.choices)) == ""


def test_keys_must_be_the_questions_own(clock, member):
    gen_question(kind="multiple", correct="ab")
    round_ = gen_round(question_count=1, questions=False, shuffle_options=False)
    attempt, _ = attempts.start_attempt(round_, member)
    for bad in (["z"], ["a", "z"], ["ab"], [""], "a", [1]):
        with pytest.raises(Invalid) as caught:
            attempts.save_answer(attempt.id, 1, bad, member)
        assert caught.value.code in ("unknown_key", "invalid")
    attempts.save_answer(attempt.id, 1, ["b", "a", "b"], member)
    db.session.commit()
    assert db.session.scalar(select(AttemptAnswer.choices)) == "ab"


def test_a_single_answer_question_takes_one_key(clock, member):
    round_ = gen_round(question_count=1)
    attempt, _ = attempts.start_attempt(round_, member)
    with pytest.raises(Invalid) as caught:
        attempts.save_answer(attempt.id, 1, ["a", "b"], member)
    assert caught.value.code == "single_answer"


@pytest.mark.parametrize("position", [0, 6, -1])
def test_a_position_outside_the_attempt_is_not_found(clock, member, position):
    attempt, _ = attempts.start_attempt(gen_round(question_count=5), member)
    with pytest.raises(NotFound):
        attempts.save_answer(attempt.id, position, [], member)


def test_nobody_else_saves_into_an_attempt(clock, member, organiser, admin):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    other = factories.gen_user()
    for user in (other, organiser, admin):
        with pytest.raises(NotFound):
            attempts.save_answer(attempt.id, 1, [], user)


def test_saves_are_accepted_within_the_grace_and_refused_after(clock, member):
    round_ = gen_round(time_limit_seconds=60, grace_seconds=5)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    key = attempt.questions[0]["o"][0]
    clock.set(T0 + timedelta(seconds=65))  # deadline + grace exactly: still in time
    attempts.save_answer(attempt.id, 1, [key], member)
    db.session.commit()
    clock.set(T0 + timedelta(seconds=65, milliseconds=1))
    with pytest.raises(attempts.DeadlinePassed):
        attempts.save_answer(attempt.id, 2, [key], member)
    db.session.commit()  # as the views do: the finalisation stays
    db.session.refresh(attempt)
    assert attempt.status == "expired"
    assert attempt.submitted_at == T0 + timedelta(seconds=60) and attempt.duration_ms == 60_000
    assert db.session.get(Standing, (round_.id, member.id)).attempt_id == attempt.id
    with pytest.raises(attempts.AttemptSubmitted):
        attempts.save_answer(attempt.id, 1, [key], member)


def test_saving_into_a_submitted_attempt_is_a_conflict(clock, member):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    attempts.submit(attempt.id, member)
    with pytest.raises(Conflict) as caught:
        attempts.save_answer(attempt.id, 1, [], member)
    assert caught.value.code == "attempt_submitted"


# --- submitting -------------------------------------------------------------------------------------------

def test_submit_scores_and_records_the_standing(clock, member):
    round_ = gen_round(question_count=5)
    attempt, _ = attempts.start_attempt(round_, member)
    answer_all(attempt, member, right=3)
    clock.advance(minutes=2, seconds=30)
    result = attempts.submit(attempt.id, member)
    db.session.commit()
    assert result == {"id": attempt.id, "status": "submitted", "correct": 3, "total": 5,
                      "submitted_at": T0 + timedelta(minutes=2, seconds=30), "duration_ms": 150_000,
                      "prediction": None}
    standing = db.session.get(Standing, (round_.id, member.id))
    assert (standing.correct, standing.missed, standing.duration_ms) == (3, 2, 150_000)


def test_multiple_answer_questions_need_every_correct_key(clock, member):
    gen_question(kind="multiple", correct="ac")
    gen_question(kind="multiple", correct="bd")
    round_ = gen_round(question_count=2, questions=False)
    attempt, _ = attempts.start_attempt(round_, member)
    right = correct_of(attempt)
    attempts.save_answer(attempt.id, 1, list(right[1]), member)
    attempts.save_answer(attempt.id, 2, list(right[2])[:1], member)
    assert attempts.submit(attempt.id, member)["correct"] == 1


def test_submit_is_idempotent(clock, member):
    round_ = gen_round(prediction=True)
    attempt, _ = attempts.start_attempt(round_, member)
    answer_all(attempt, member, right=2)
    clock.advance(minutes=1)
    first = attempts.submit(attempt.id, member, prediction=12)
    db.session.commit()
    clock.advance(minutes=1)
    attempts.save_answer  # noqa: B018 (nothing to save now)
    again = attempts.submit(attempt.id, member, prediction=99)
    db.session.commit()
    assert again == first and again["prediction"] == 12
    assert db.session.scalar(select(func.count()).select_from(Standing)) == 1


def test_a_prediction_round_requires_a_whole_number(clock, member):
    round_ = gen_round(prediction=True)
    attempt, _ = attempts.start_attempt(round_, member)
    with pytest.raises(Invalid) as caught:
        attempts.submit(attempt.id, member)
    assert caught.value.code == "prediction_required"
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(Invalid) as caught:
            attempts.submit(attempt.id, member, prediction=bad)
        assert caught.value.code == "invalid_prediction"
    assert attempts.submit(attempt.id, member, prediction=0)["prediction"] == 0


def test_a_prediction_is_ignored_when_the_round_does_not_ask(clock, member):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    assert attempts.submit(attempt.id, member, prediction=-5)["prediction"] is None


def test_a_submit_within_the_grace_counts_at_the_deadline(clock, member):
    round_ = gen_round(time_limit_seconds=60, prediction=True)
    attempt, _ = attempts.start_attempt(round_, member)
    clock.set(T0 + timedelta(seconds=63))
    result = attempts.submit(attempt.id, member, prediction=4)
    assert result["status"] == "submitted" and result["prediction"] == 4
    assert result["submitted_at"] == T0 + timedelta(seconds=60) and result["duration_ms"] == 60_000


def test_a_late_submit_finalises_as_expired_with_what_was_saved(clock, member):
    round_ = gen_round(question_count=3, time_limit_seconds=60, prediction=True)
    attempt, _ = attempts.start_attempt(round_, member)
    answer_all(attempt, member, right=2)
    clock.set(T0 + timedelta(minutes=5))
    result = attempts.submit(attempt.id, member)  # no prediction needed any more: it is too late for one
    assert result["status"] == "expired" and result["correct"] == 2 and result["prediction"] is None
    assert result["submitted_at"] == T0 + timedelta(seconds=60) and result["duration_ms"] == 60_000
    assert attempts.submit(attempt.id, member, prediction=3) == result


def test_nobody_else_submits_an_attempt(clock, member, organiser):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    for user in (factories.gen_user(), organiser):
        with pytest.raises(NotFound):
            attempts.submit(attempt.id, user)
    assert attempt.status == "in_progress"


# --- finalising expired attempts --------------------------------------------------------------------------

def test_finalise_expired_scores_what_was_saved_and_only_past_the_grace(clock):
    round_a = gen_round(question_count=3, time_limit_seconds=60, grace_seconds=5)
    round_b = gen_round(question_count=3, time_limit_seconds=60, grace_seconds=30)
    users = [factories.gen_user() for _ in range(3)]
    early, _ = attempts.start_attempt(round_a, users[0])
    answer_all(early, users[0], right=1)
    late_grace, _ = attempts.start_attempt(round_b, users[1])
    clock.advance(seconds=20)
    fresh, _ = attempts.start_attempt(round_a, users[2])
    db.session.commit()
    clock.set(T0 + timedelta(seconds=66))
    assert attempts.finalise_expired() == 1
    db.session.commit()
    assert (early.status, early.correct, early.submitted_at) == ("expired", 1, T0 + timedelta(seconds=60))
    assert late_grace.status == fresh.status == "in_progress"
    clock.set(T0 + timedelta(seconds=91))
    assert attempts.finalise_expired(round_id=round_a.id) == 1
    assert late_grace.status == "in_progress"
    assert attempts.finalise_expired() == 1
    db.session.commit()
    assert late_grace.status == "expired" and late_grace.correct == 0
    assert attempts.finalise_expired() == 0
    assert db.session.scalar(select(func.count()).select_from(Standing)) == 3


def test_finalise_expired_in_batches(clock, monkeypatch):
    monkeypatch.setattr(attempts, "FINALISE_BATCH", 2)
    round_ = gen_round(question_count=2, time_limit_seconds=60)
    for _ in range(5):
        attempts.start_attempt(round_, factories.gen_user())
    db.session.commit()
    clock.advance(minutes=5)
    assert attempts.finalise_expired(limit=2) == 2
    assert attempts.finalise_expired() == 3
    db.session.commit()
    assert count_attempts(status="expired") == 5


def test_reading_an_expired_attempt_finalises_it(clock, member):
    attempt, _ = attempts.start_attempt(gen_round(time_limit_seconds=60), member)
    db.session.commit()
    clock.advance(minutes=2)
    assert attempts.get_attempt_for(attempt.id, member).status == "expired"


def test_the_cli_command_finalises_expired_attempts(app, clock, member):
    from contest.quiz.cli import quiz

    attempt, _ = attempts.start_attempt(gen_round(time_limit_seconds=60), member)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(quiz, ["finalise-expired"])
    assert result.exit_code == 0, result.output
    assert "0" in result.output
    clock.advance(minutes=2)
    result = runner.invoke(quiz, ["finalise-expired"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status == "expired"


# --- reading and the review -------------------------------------------------------------------------------

def test_the_view_of_an_attempt_in_progress_reveals_nothing(clock, member):
    attempt, _ = attempts.start_attempt(gen_round(question_count=3), member)
    key = attempt.questions[1]["o"][2]
    attempts.save_answer(attempt.id, 2, [key], member)
    view = attempts.get_attempt_view(attempt, member)
    assert set(view) >= {"id", "status", "started_at", "deadline_at", "questions", "answers"}
    assert "review" not in view and "correct" not in view
    assert view["answers"] == {"2": [key]}
    assert [q["position"] for q in view["questions"]] == [1, 2, 3]
    for q, frozen in zip(view["questions"], attempt.questions, strict=True):
        assert [o["key"] for o in q["options"]] == list(frozen["o"])
        assert all(set(o) == {"key", "text"} for o in q["options"])
    assert REVIEW_MARKER not in repr(view)


@pytest.mark.parametrize(("policy", "after_submit", "after_close"), [
    ("after_close", False, True), ("after_submit", True, True), ("never", False, False)])
def test_the_review_follows_the_policy(clock, member, organiser, policy, after_submit, after_close):
    round_ = gen_round(review_policy=policy, closes_at=T0 + timedelta(hours=1))
    attempt, _ = attempts.start_attempt(round_, member)
    assert "review" not in attempts.get_attempt_view(attempt, member)
    assert "review" in attempts.get_attempt_view(attempt, organiser)
    attempts.submit(attempt.id, member)
    assert ("review" in attempts.get_attempt_view(attempt, member)) is after_submit
    clock.set(T0 + timedelta(hours=1))
    view = attempts.get_attempt_view(attempt, member)
    assert ("review" in view) is after_close
    if after_close:
        assert REVIEW_MARKER in view["review"][0]["explanation"]
        assert view["review"][0]["correct_keys"] == list(correct_of(attempt)[1])


def test_only_the_owner_and_organisers_read_an_attempt(clock, member, organiser, judge):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    db.session.commit()
    assert attempts.get_attempt_for(attempt.id, member) is attempt
    assert attempts.get_attempt_for(attempt.id, organiser) is attempt
    for user in (factories.gen_user(), judge, None):
        with pytest.raises(NotFound):
            attempts.get_attempt_for(attempt.id, user)
    with pytest.raises(NotFound):
        attempts.get_attempt_for(attempt.id + 1000, member)


def test_member_action(clock, member):
    round_ = gen_round(max_attempts=1)
    assert attempts.member_action(round_, []) == "start"
    attempt, _ = attempts.start_attempt(round_, member)
    assert attempts.member_action(round_, [attempt]) == "resume"
    attempts.submit(attempt.id, member)
    assert attempts.member_action(round_, [attempt]) == "result"
    clock.set(T0 + timedelta(days=30))
    assert attempts.member_action(round_, []) is None


# --- the one-statement save: once this process knows the attempt ------------------------------------------

def warm(attempt_id: int, user) -> None:
    """One save (then cleared), so that this process knows the attempt's frozen questions: the saves after it
    take the one-statement path."""
    attempts.save_answer(attempt_id, 1, [], user)
    db.session.execute(AttemptAnswer.__table__.delete().where(AttemptAnswer.attempt_id == attempt_id))
    db.session.commit()


def count_statements():
    """A list that fills with (SQL, isolation level of its connection) while the context is open."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[tuple[str, str | None]] = []

        def count(conn, cursor, statement, *args):
            statements.append((statement, conn.get_execution_options().get("isolation_level")))

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    return counting()


def test_saving_into_a_known_attempt_takes_one_statement(app, clock, member):
    """The hottest endpoint. The first save reads the attempt (with its round's grace), the question's kind (once
    per process) and upserts; from then on a save is one statement that checks and writes. If this grows, the
    answer-save benchmark (docs/performance.md) falls below its target."""
    attempt, _ = attempts.start_attempt(gen_round(question_count=2), member)
    db.session.commit()
    attempt_id, member_id = attempt.id, member.id  # loaded before counting
    shown, second = attempt.questions[0]["o"], attempt.questions[1]["o"][0]
    with count_statements() as first:
        attempts.save_answer(attempt_id, 1, [shown[0]], member_id)
    db.session.commit()
    assert len(first) == 3
    with count_statements() as statements:
        attempts.save_answer(attempt_id, 1, [shown[1]], member_id)
    assert len(statements) == 1
    sql, isolation = statements[0]
    assert sql.startswith("INSERT INTO quiz_answers") and "ON CONFLICT" in sql
    assert "quiz_attempts.user_id" in sql and "quiz_attempts.status" in sql and "grace_seconds" in sql
    assert isolation != "AUTOCOMMIT"  # in the caller's transaction, which the caller commits
    attempts.save_answer(attempt_id, 2, [second], member_id)  # one more kind to know
    db.session.commit()
    # commit=True with nothing pending (the API with a cached token): the statement is a transaction of its own.
    db.session.close()
    with count_statements() as statements:
        attempts.save_answer(attempt_id, 2, [], member_id, commit=True)
    assert [isolation for _sql, isolation in statements] == ["AUTOCOMMIT"]
    db.session.close()
    stored = dict(db.session.execute(select(AttemptAnswer.position, AttemptAnswer.choices)).all())
    assert stored == {1: shown[1], 2: ""}


@pytest.mark.parametrize("commit", [False, True])
def test_a_known_attempt_refuses_what_an_unknown_one_refuses(clock, member, organiser, commit):
    """Every error of the slow path, in the same order, with the attempt's questions cached."""
    gen_question(kind="multiple", correct="ab")
    round_ = gen_round(question_count=2, time_limit_seconds=60, grace_seconds=5, shuffle_options=False)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    attempt_id, member_id = attempt.id, member.id
    kinds = [db.session.get(QuestionVersion, q["v"]).kind for q in attempt.questions]
    single = kinds.index("single") + 1
    warm(attempt_id, member)

    def save(position, keys, user=member_id):
        db.session.close()
        return attempts.save_answer(attempt_id, position, keys, user, commit=commit)

    for user in (organiser.id, factories.gen_user().id):
        with pytest.raises(NotFound):
            save(1, [], user)
    for position in (0, 3, -1):
        with pytest.raises(NotFound):
            save(position, [])
    with pytest.raises(Invalid) as caught:
        save(1, ["z"])
    assert caught.value.code == "unknown_key"
    with pytest.raises(Invalid) as caught:
        save(single, ["a", "b"])
    assert caught.value.code == "single_answer"
    clock.set(T0 + timedelta(seconds=65))  # deadline + grace exactly: still in time
    save(single, ["a"])
    if not commit:
        db.session.commit()
    clock.set(T0 + timedelta(seconds=65, milliseconds=1))
    with pytest.raises(attempts.DeadlinePassed):
        save(single, ["b"])
    if not commit:
        db.session.commit()  # as the views do: the finalisation stays
    db.session.expire_all()
    final = db.session.get(Attempt, attempt_id)
    assert final.status == "expired" and final.submitted_at == T0 + timedelta(seconds=60)
    assert dict(db.session.execute(select(AttemptAnswer.position, AttemptAnswer.choices)).all()) == {single: "a"}
    with pytest.raises(attempts.AttemptSubmitted):
        save(single, ["a", "b"])  # finalised comes before the bad keys, as on the slow path


def test_a_known_attempt_that_was_submitted_is_a_conflict_whatever_the_keys(clock, member):
    attempt, _ = attempts.start_attempt(gen_round(question_count=2), member)
    db.session.commit()
    warm(attempt.id, member)
    attempts.submit(attempt.id, member)
    db.session.commit()
    for keys in ([], ["z"], [attempt.questions[0]["o"][0]]):
        with pytest.raises(attempts.AttemptSubmitted):
            attempts.save_answer(attempt.id, 1, keys, member)
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_a_moved_deadline_is_seen_by_a_known_attempt(clock, member):
    """Moving a round's closing time moves the deadlines of the attempts in progress: the cached deadline no
    longer matches, the one statement writes nothing and the slow path decides with the new deadline."""
    round_ = gen_round(question_count=2, time_limit_seconds=600, grace_seconds=5)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    key = attempt.questions[0]["o"][0]
    warm(attempt.id, member)
    attempt.deadline_at = T0 + timedelta(seconds=30)
    db.session.commit()
    clock.set(T0 + timedelta(seconds=34))
    attempts.save_answer(attempt.id, 1, [key], member)  # the new deadline + grace: in time
    db.session.commit()
    clock.set(T0 + timedelta(seconds=36))
    with pytest.raises(attempts.DeadlinePassed):
        attempts.save_answer(attempt.id, 2, [key], member)
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.status == "expired" and attempt.submitted_at == T0 + timedelta(seconds=30)
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1
