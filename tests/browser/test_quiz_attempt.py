"""A member takes a quiz round in a real browser: the answer sheet saves each answer as it is chosen, survives a
dropped connection and a reload, shows one question at a time or all, submits, and submits by itself when the
time runs out. Runs on a desktop and a 390px phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core import clock
from contest.extensions import db
from contest.quiz.models import Attempt, AttemptAnswer
from tests.browser.support import assert_fits_screen, expect, sign_in
from tests.quiz_factories import gen_contest, gen_round

pytestmark = pytest.mark.browser


@pytest.fixture
def quiz_round(server):
    """An open round of 3 questions (no shuffling, so the test knows what it sees)."""
    with server.app_context():
        now = clock.utcnow()
        round_ = gen_round(gen_contest(slug="tuan-le"), title="Tuần 2", question_count=3, time_limit_seconds=600,
                           opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1),
                           shuffle_questions=False, shuffle_options=False)
        return round_.id


def saved_answers(server) -> dict[int, str]:
    with server.app_context():
        return dict(db.session.execute(select(AttemptAnswer.position, AttemptAnswer.choices)).all())


def start(page, member, round_id):
    sign_in(page, member.email, member.password)
    page.goto("/contests")
    page.locator(".cards a").first.click()
    assert_fits_screen(page)
    page.goto(f"/rounds/{round_id}")
    assert_fits_screen(page)
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("answer-sheet")).to_be_visible()


def test_take_a_round_one_question_at_a_time(page, server, member, quiz_round):
    start(page, member, quiz_round)
    expect(page.get_by_test_id("timer")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    expect(page.get_by_test_id("question-1")).to_be_visible()
    expect(page.get_by_test_id("question-2")).to_be_hidden()
    assert_fits_screen(page)

    page.get_by_test_id("question-1").locator("label.option").nth(1).click()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved")
    expect(page.locator('.palette-item[data-goto="1"]')).to_have_class(re.compile("answered"))
    page.get_by_test_id("question-1").get_by_role("button", name=re.compile("Next|Câu sau|Tiếp")).click()
    expect(page.get_by_test_id("question-2")).to_be_visible()
    page.get_by_test_id("question-2").locator("label.option").nth(0).click()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved")
    assert saved_answers(server) == {1: "b", 2: "a"}

    # All at once, remembered after a reload; the server's answers come back.
    page.get_by_test_id("view-toggle").click()
    expect(page.get_by_test_id("question-3")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("question-1")).to_be_visible()
    expect(page.get_by_test_id("question-3")).to_be_visible()
    expect(page.get_by_test_id("question-1").locator("input[value=b]")).to_be_checked()
    assert_fits_screen(page)

    page.get_by_test_id("question-3").locator("label.option").nth(0).click()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    expect(page.get_by_test_id("score")).to_contain_text("/3")
    assert_fits_screen(page)
    with server.app_context():
        assert db.session.scalar(select(Attempt.status)) == "submitted"


def test_answers_survive_a_dropped_connection(page, context, server, member, quiz_round, problems):
    start(page, member, quiz_round)
    context.set_offline(True)
    page.get_by_test_id("question-1").locator("label.option").nth(2).click()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "offline")
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('contest-attempt-'))"
                         ".map(k => localStorage.getItem(k))")
    assert kept == ['{"1":["c"]}']
    assert saved_answers(server) == {}
    context.set_offline(False)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    assert saved_answers(server) == {1: "c"}
    # The failed requests were the point of this test.
    problems.items[:] = [p for p in problems.items if "/answers/" not in p and "ERR_INTERNET_DISCONNECTED" not in p]


def test_the_sheet_submits_itself_when_the_time_runs_out(page, server, member):
    with server.app_context():
        now = clock.utcnow()
        round_id = gen_round(gen_contest(slug="nhanh"), question_count=2, time_limit_seconds=4, grace_seconds=5,
                             opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1)).id
    start(page, member, round_id)
    page.get_by_test_id("question-1").locator("label.option").nth(0).click()
    expect(page.get_by_test_id("score")).to_be_visible(timeout=12_000)
    with server.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.status == "submitted" and attempt.duration_ms <= 4000
