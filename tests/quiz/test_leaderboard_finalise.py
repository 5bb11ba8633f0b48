"""Finalisation in SQL agrees with the pure ranking rule (ranking.rank_results) on random rounds: ties at every
level, several attempts per member, no prediction, nobody all correct, best and last counting, both time keys."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.clock import as_utc, utcnow
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.models import Attempt, Round, Standing
from contest.quiz.ranking import NO_PREDICTION, Result, rank_results, sort_key
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_members,
    gen_round,
)


def _random_round(rng: random.Random, members, *, prediction=None, counting=None, max_attempts=None,
                  time_tiebreak=None, nobody_all_correct=None, state="closed"):
    prediction = rng.random() < 0.7 if prediction is None else prediction
    counting = counting or rng.choice(["best", "best", "last"])
    time_tiebreak = time_tiebreak or rng.choice(["submitted_at", "duration"])
    if max_attempts is None:
        max_attempts = rng.choice([1, 3, 3, None])
    elif max_attempts == 0:
        max_attempts = None
    nobody_all_correct = rng.random() < 0.2 if nobody_all_correct is None else nobody_all_correct
    total = rng.choice([2, 3, 4])
    round_ = gen_round(state=state, question_count=total, prediction=prediction, counting=counting,
                       time_tiebreak=time_tiebreak, max_attempts=max_attempts)
    base = as_utc(round_.opens_at)
    results = []
    for user in members:
        if rng.random() < 0.1:
            continue  # did not take part
        attempts = 1 if max_attempts == 1 else rng.randint(1, 3)
        for _ in range(attempts):
            correct = rng.randint(0, total - 1 if nobody_all_correct else total)
            # Few distinct values, so that every key ties somewhere.
            started = base + timedelta(minutes=rng.choice([0, 1, 2]))
            submitted = base + timedelta(minutes=rng.choice([10, 11, 12]))
            duration = rng.choice([60_000, 90_000, 120_000])
            guess = rng.choice([None, 0, 1, 2, 3, 4, 5, 8]) if prediction else None
            attempt = gen_attempt(round_, user, correct=correct, total=total, started_at=started,
                                  submitted_at=submitted, duration_ms=duration, prediction=guess,
                                  status=rng.choice(["submitted", "submitted", "expired"]))
            results.append(Result(user_id=user.id, correct=correct, total=total, submitted_at=submitted,
                                  duration_ms=duration, started_at=started, prediction=guess,
                                  attempt_id=attempt.id))
    db.session.commit()
    return round_, results


def _standings(round_id: int) -> dict[int, Standing]:
    return {s.user_id: s for s in db.session.scalars(select(Standing).where(Standing.round_id == round_id))}


def _as_result(s: Standing) -> Result:
    return Result(user_id=s.user_id, correct=s.correct, total=s.total, submitted_at=as_utc(s.submitted_at),
                  duration_ms=s.duration_ms, started_at=as_utc(s.started_at), prediction=s.prediction)


def assert_agrees(round_: Round, results: list[Result]) -> None:
    ranked, actual = rank_results(results, time_tiebreak=round_.time_tiebreak, final=True, counting=round_.counting)
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    assert round_.all_correct_count == actual
    assert round_.finalised_at is not None
    standings = _standings(round_.id)
    assert set(standings) == {r.result.user_id for r in ranked}
    for item in ranked:
        s = standings[item.result.user_id]
        expected_error = item.prediction_error if round_.prediction else None
        if expected_error == NO_PREDICTION:
            expected_error = None
        assert (s.rank, s.prediction_error) == (item.rank, expected_error), (round_.counting, item, s.__dict__)
        # The counted attempt is the pure rule's, or one with the very same key.
        assert sort_key(_as_result(s), time_tiebreak=round_.time_tiebreak, actual=actual) == sort_key(
            item.result, time_tiebreak=round_.time_tiebreak, actual=actual)
        attempt = db.session.get(Attempt, s.attempt_id)
        assert (attempt.user_id, attempt.correct, attempt.prediction) == (s.user_id, s.correct, s.prediction)
    # The final board lists the same order as the pure rule (ties by user id).
    board = lb.leaderboard(round_, limit=500)
    assert board["final"] is True
    assert [(i["rank"], i["user_id"]) for i in board["items"]] == [(r.rank, r.result.user_id) for r in ranked]


@pytest.mark.parametrize("seed", range(30))
def test_finalisation_agrees_with_the_pure_rule(app, unit, seed):
    rng = random.Random(seed)
    members = gen_members(rng.randint(8, 25), unit)
    round_, results = _random_round(rng, members)
    lb.finalise_round(round_)
    db.session.commit()
    assert_agrees(round_, results)


@pytest.mark.parametrize(("counting", "time_tiebreak"), [("best", "submitted_at"), ("best", "duration"),
                                                          ("last", "submitted_at"), ("last", "duration")])
@pytest.mark.parametrize("seed", range(3))
def test_several_attempts_with_a_prediction(app, unit, seed, counting, time_tiebreak):
    """The case where the standing held by the live keys is not the counted attempt once the prediction counts."""
    rng = random.Random(1000 + seed)
    members = gen_members(15, unit)
    round_, results = _random_round(rng, members, prediction=True, counting=counting, max_attempts=0,
                                    time_tiebreak=time_tiebreak, nobody_all_correct=False)
    lb.finalise_round(round_)
    db.session.commit()
    assert_agrees(round_, results)


@pytest.mark.parametrize("seed", range(3))
def test_nobody_all_correct_and_no_prediction(app, unit, seed):
    rng = random.Random(2000 + seed)
    members = gen_members(12, unit)
    for prediction in (True, False):
        round_, results = _random_round(rng, members, prediction=prediction, nobody_all_correct=True)
        lb.finalise_round(round_)
        db.session.commit()
        assert_agrees(round_, results)
        assert db.session.get(Round, round_.id).all_correct_count == 0


def test_a_better_prediction_in_a_later_attempt_counts(app, unit):
    [member] = gen_members(1, unit)
    [other] = gen_members(1, unit)
    round_ = gen_round(question_count=3, prediction=True, max_attempts=None)
    base = as_utc(round_.opens_at)
    # Both attempts all correct; the first is earlier (so it is the live standing) but predicts badly.
    first = gen_attempt(round_, member, correct=3, started_at=base, submitted_at=base + timedelta(minutes=1),
                        prediction=50)
    second = gen_attempt(round_, member, correct=3, started_at=base + timedelta(minutes=5),
                         submitted_at=base + timedelta(minutes=6), prediction=2)
    gen_attempt(round_, other, correct=3, started_at=base, submitted_at=base + timedelta(minutes=2), prediction=10)
    db.session.commit()
    assert db.session.get(Standing, (round_.id, member.id)).attempt_id == first.id
    lb.finalise_round(round_)
    db.session.commit()
    db.session.expire_all()
    standing = db.session.get(Standing, (round_.id, member.id))
    assert (standing.attempt_id, standing.prediction, standing.prediction_error, standing.rank) == (second.id, 2, 0, 1)
    assert db.session.get(Standing, (round_.id, other.id)).rank == 2
    assert db.session.get(Round, round_.id).all_correct_count == 2


def test_finalising_an_open_round_is_refused(app, unit):
    round_ = gen_round(state="open")
    with pytest.raises(lb.Conflict) as info:
        lb.finalise_round(round_)
    assert info.value.code == "round_open"


def test_finalise_closed_rounds_finalises_each_once(app, unit):
    members = gen_members(3, unit)
    closed = gen_round()
    open_ = gen_round(state="open")
    for i, m in enumerate(members):
        gen_attempt(closed, m, correct=10 - i)
        gen_attempt(open_, m, correct=5)
    db.session.commit()
    assert lb.finalise_closed_rounds() == [closed.id]
    assert lb.finalise_closed_rounds() == []
    assert db.session.get(Round, closed.id).finalised_at is not None
    assert db.session.get(Round, open_.id).finalised_at is None
    # A standing that changes after finalisation voids it, and the next run finalises again.
    gen_attempt(closed, members[2], correct=10, number=2,
                started_at=as_utc(closed.opens_at) + timedelta(hours=2))
    db.session.commit()
    assert lb.finalise_closed_rounds() == [closed.id]
    ranks = {s.user_id: s.rank for s in _standings(closed.id).values()}
    assert ranks == {members[0].id: 1, members[1].id: 3, members[2].id: 2}


def test_a_round_within_its_grace_is_not_finalised_yet(app, unit):
    now = utcnow()
    round_ = gen_round(state="open", closes_at=now - timedelta(seconds=2), grace_seconds=5,
                       opens_at=now - timedelta(days=1))
    assert not lb.is_due(round_, now)
    assert lb.finalise_closed_rounds(now) == []
    assert lb.is_due(round_, now + timedelta(seconds=4))


def test_expired_attempts_are_finalised_and_ranked_first(app, unit):
    from contest.quiz.attempts import finalise_expired  # noqa: F401  (the attempts module does the finalising)
    from tests.quiz.board_factories import gen_versions

    round_ = gen_round(question_count=2)
    versions = gen_versions(2)
    questions = [{"v": v.id, "o": "abcd"} for v in versions]
    done, late = gen_members(2, unit)
    gen_attempt(round_, done, correct=1, total=2, questions=questions, answers={1: "a", 2: "b"})
    # Never submitted: the server finalises it with the answers saved so far (both correct).
    expired = gen_attempt(round_, late, correct=None, total=2, status="in_progress", questions=questions,
                          answers={1: "a", 2: "a"})
    db.session.commit()
    lb.finalise_round(round_)
    db.session.commit()
    db.session.expire_all()
    attempt = db.session.get(Attempt, expired.id)
    assert (attempt.status, attempt.correct) == ("expired", 2)
    assert db.session.get(Standing, (round_.id, late.id)).rank == 1
    assert db.session.get(Standing, (round_.id, done.id)).rank == 2
    assert db.session.get(Round, round_.id).all_correct_count == 1


def test_the_finalise_rounds_command(app, unit):
    from contest.quiz.board_views import finalise_rounds_command

    round_ = gen_round()
    gen_attempt(round_, gen_members(1, unit)[0], correct=3)
    db.session.commit()
    result = app.test_cli_runner().invoke(finalise_rounds_command)
    assert result.exit_code == 0 and f"Finalised 1 round(s): {round_.id}." in result.output
    result = app.test_cli_runner().invoke(finalise_rounds_command)
    assert "Finalised 0 round(s)." in result.output


def test_the_connection_gets_its_own_settings_back_after_finalising(app, unit):
    """Finalising widens SQLite's page cache (PostgreSQL: work_mem) for its own transaction only."""
    from sqlalchemy import text

    rng = random.Random(7)
    round_, results = _random_round(rng, gen_members(5, unit), prediction=True)
    if db.engine.dialect.name == "sqlite":
        raw = db.session.connection().connection.dbapi_connection

        def settings():
            return [raw.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "temp_store")]

        during = lb.SQLITE_FINALISE_CACHE_KIB
    else:
        def settings():
            return [db.session.execute(text("SHOW work_mem")).scalar()]

        during = "256MB"
    before = settings()
    lb.finalise_round(round_)
    assert during in settings()  # while it works
    db.session.commit()
    assert settings() == before
    assert_agrees(round_, results)
