"""Round services: creating and editing rounds, the checks against the bank, what freezes once taken, state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Forbidden, Invalid
from contest.extensions import db
from contest.quiz import attempts, rounds
from tests.quiz_factories import T0, gen_contest, gen_question, gen_questions, gen_round


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}  # the messages below are compared in English


def valid(**overrides) -> dict:
    data = {"title": "Tuần 1", "opens_at": T0.isoformat(), "closes_at": (T0 + timedelta(days=7)).isoformat(),
            "time_limit_seconds": 600, "question_count": 4}
    data.update(overrides)
    return data


def fields_of(caught) -> dict:
    return {k: [str(m) for m in v] for k, v in caught.value.fields.items()}


def test_create_a_round_with_the_defaults(clock, organiser):
    gen_questions(4)
    round_ = rounds.create_round(gen_contest(), valid(), organiser)
    db.session.commit()
    assert round_.title == "Tuần 1" and round_.opens_at == T0
    assert (round_.max_attempts, round_.counting, round_.review_policy, round_.grace_seconds) == (
        1, "best", "after_close", 5)
    assert round_.shuffle_questions and round_.shuffle_options and not round_.prediction
    assert round_.prizes == {"first": 1, "second": 2, "third": 3, "consolation": 10}
    assert round_.topic_quotas is None
    assert db.session.scalar(select(AuditEntry.target_id).where(AuditEntry.action == "round_created")) == str(
        round_.id)


def test_unlimited_attempts_and_every_setting(clock, organiser):
    gen_questions(3, topic="Tư tưởng")
    gen_questions(2, topic="Đạo đức")
    round_ = rounds.create_round(gen_contest(), valid(
        question_count=5, topics={"Tư tưởng": 3, "Đạo đức": 2}, max_attempts=None, counting="last",
        shuffle_questions=False, shuffle_options=False, prediction=True, time_tiebreak="duration",
        live_leaderboard=True, review_policy="after_submit", grace_seconds=0,
        prizes={"first": 2, "consolation": 0}), organiser)
    db.session.commit()
    db.session.expire_all()
    assert round_.max_attempts is None
    assert round_.topic_quotas == {"Tư tưởng": 3, "Đạo đức": 2}
    assert (round_.counting, round_.time_tiebreak, round_.review_policy, round_.grace_seconds) == (
        "last", "duration", "after_submit", 0)
    assert round_.prizes == {"first": 2, "second": 2, "third": 3, "consolation": 0}


def test_the_checks_explain_themselves(clock, organiser):
    gen_questions(4)
    contest = gen_contest()
    with pytest.raises(Invalid) as caught:
        rounds.create_round(contest, valid(title=" ", closes_at=T0.isoformat(), time_limit_seconds=0,
                                           max_attempts=0, grace_seconds=-1, counting="sum",
                                           prizes={"gold": 1}), organiser)
    fields = fields_of(caught)
    assert set(fields) == {"title", "closes_at", "time_limit_seconds", "max_attempts", "grace_seconds", "counting",
                           "prizes"}
    assert "after the opening time" in fields["closes_at"][0]


def test_times_need_an_offset(clock, organiser):
    gen_questions(4)
    with pytest.raises(Invalid) as caught:
        rounds.create_round(gen_contest(), valid(opens_at="2026-05-19T08:00:00", closes_at="next week"), organiser)
    assert set(fields_of(caught)) == {"opens_at", "closes_at"}


def test_quotas_must_add_up_to_the_count(clock, organiser):
    gen_questions(5, topic="Tư tưởng")
    with pytest.raises(Invalid) as caught:
        rounds.create_round(gen_contest(), valid(question_count=4, topics={"Tư tưởng": 3}), organiser)
    assert "add up to 3 questions, but the round draws 4" in fields_of(caught)["topics"][0]


def test_quotas_need_enough_approved_questions_per_topic(clock, organiser):
    gen_questions(7, topic="Đạo đức cách mạng")
    gen_questions(3, topic="Đạo đức cách mạng", status="draft")
    gen_questions(2, topic="Đạo đức cách mạng", archived=True)
    with pytest.raises(Invalid) as caught:
        rounds.create_round(gen_contest(), valid(question_count=10, topics={"dao duc cach mang": 10}), organiser)
    assert fields_of(caught)["topics"] == [
        "Only 7 approved questions in topic “dao duc cach mang”; the round draws 10."]


def test_the_count_needs_enough_approved_questions(clock, organiser):
    gen_questions(3)
    gen_question(status="draft")
    with pytest.raises(Invalid) as caught:
        rounds.create_round(gen_contest(), valid(question_count=10), organiser)
    assert fields_of(caught)["question_count"] == ["Only 3 approved questions in the bank; the round draws 10."]


def test_quota_topics_are_checked(clock, organiser):
    gen_questions(4)
    with pytest.raises(Invalid) as caught:
        rounds.create_round(gen_contest(), valid(topics={"A": 0, "": 2, "b": "x"}), organiser)
    assert len(fields_of(caught)["topics"]) == 3
    with pytest.raises(Invalid) as caught:
        rounds.create_round(gen_contest(), valid(topics={"Tư tưởng": 2, "tu tuong": 2}), organiser)
    assert "listed twice" in fields_of(caught)["topics"][0]


def test_only_organisers_and_only_quiz_contests(clock, organiser, member):
    gen_questions(4)
    with pytest.raises(Forbidden):
        rounds.create_round(gen_contest(), valid(), member)
    with pytest.raises(Conflict) as caught:
        rounds.create_round(gen_contest(kind="essay"), valid(), organiser)
    assert caught.value.code == "not_a_quiz"


def test_state_follows_the_clock(clock):
    round_ = gen_round(opens_at=T0, closes_at=T0 + timedelta(hours=1), questions=False)
    assert rounds.round_state(round_, T0 - timedelta(seconds=1)) == "upcoming"
    assert rounds.round_state(round_, T0) == "open"
    assert rounds.round_state(round_, T0 + timedelta(hours=1)) == "closed"


def test_edit_a_round_before_anyone_takes_it(clock, organiser):
    round_ = gen_round(question_count=4)
    rounds.update_round(round_, {"question_count": 3, "prediction": True, "max_attempts": None,
                                 "title": "Tuần 1 (sửa)"}, organiser)
    db.session.commit()
    db.session.expire_all()
    assert (round_.question_count, round_.prediction, round_.max_attempts, round_.title) == (
        3, True, None, "Tuần 1 (sửa)")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round_updated")).one()
    assert entry.details["changes"]["question_count"] == {"old": 4, "new": 3}
    with pytest.raises(Invalid):
        rounds.update_round(round_, {"question_count": 50}, organiser)


def test_a_taken_round_freezes_its_question_settings(clock, organiser, member):
    round_ = gen_round(question_count=4)
    gen_questions(4)
    attempts.start_attempt(round_, member)
    db.session.commit()
    for change in ({"question_count": 5}, {"shuffle_options": False}, {"prediction": True},
                   {"opens_at": (T0 - timedelta(days=2)).isoformat()}, {"time_limit_seconds": 60},
                   {"counting": "last"}, {"time_tiebreak": "duration"}):
        with pytest.raises(Conflict) as caught:
            rounds.update_round(round_, change, organiser)
        assert caught.value.code == "round_has_attempts"
        assert list(caught.value.fields) == list(change)
        db.session.rollback()
    # Unchanged values, and the safe fields, pass.
    rounds.update_round(round_, {"question_count": 4, "title": "Tuần 1", "max_attempts": 3, "grace_seconds": 10,
                                 "review_policy": "after_submit", "live_leaderboard": True,
                                 "prizes": {"first": 3}}, organiser)
    db.session.commit()


def test_moving_the_close_of_a_taken_round_moves_the_deadlines(clock, organiser, member):
    round_ = gen_round(time_limit_seconds=3600)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    rounds.update_round(round_, {"closes_at": (T0 + timedelta(minutes=20)).isoformat()}, organiser)
    db.session.commit()
    assert attempt.deadline_at == T0 + timedelta(minutes=20)
    rounds.update_round(round_, {"closes_at": (T0 + timedelta(days=2)).isoformat()}, organiser)
    assert attempt.deadline_at == T0 + timedelta(hours=1)
    with pytest.raises(Invalid) as caught:
        rounds.update_round(round_, {"closes_at": (T0 - timedelta(minutes=1)).isoformat()}, organiser)
    assert "not into the past" in fields_of(caught)["closes_at"][0]
