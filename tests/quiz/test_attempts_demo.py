"""The demo quiz contest: three weekly rounds around today, the closed one with results, the open one free for the
demo member to take; loading it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from contest import demo
from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import clock
from contest.extensions import db
from contest.quiz import attempts, rounds
from contest.quiz.demo import DEMO_MEMBER, SLUG, seed_quiz_demo
from contest.quiz.models import Attempt, Round, Standing


def test_the_demo_contest(app):
    accounts_only = len(demo.DEMO_ACCOUNTS) + len(demo.EXTRA_MEMBERS)
    created = demo.seed()  # the whole demo, quiz contest included
    db.session.commit()
    assert created > accounts_only + 4
    contest = db.session.scalar(select(Contest).where(Contest.slug == SLUG))
    assert contest.title == "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026"
    weeks = rounds.rounds_of(contest)
    assert [rounds.round_state(r) for r in weeks] == ["closed", "open", "upcoming"]
    assert weeks[0].finalised_at is not None and weeks[0].published_at is not None  # public results to show
    open_ = weeks[1]
    assert (open_.question_count, open_.time_limit_seconds, open_.prediction, open_.live_leaderboard) == (
        10, 600, True, True)
    members = db.session.scalar(select(func.count()).select_from(Standing).where(Standing.round_id == weeks[0].id))
    assert members >= 10
    assert all(a.status == "submitted" and a.correct is not None for a in db.session.scalars(select(Attempt)))

    member = db.session.scalar(select(User).where(User.email == DEMO_MEMBER))
    attempt, created = attempts.start_attempt(open_, member)
    assert created and len(attempt.questions) == 10

    assert seed_quiz_demo() == 0
    assert db.session.scalar(select(func.count()).select_from(Round)) == 3


def test_the_demo_without_questions_makes_only_the_contest(app, monkeypatch):
    import contest.quiz.demo as quiz_demo

    monkeypatch.setattr(quiz_demo, "_load_questions", lambda: 0)
    assert seed_quiz_demo(clock.utcnow()) == 1
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0
