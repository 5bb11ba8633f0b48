"""Quiz pages: the round page, starting, the answer sheet, the submit without JavaScript, the result and review,
and the organiser's round forms."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from contest.extensions import db
from contest.quiz import attempts
from contest.quiz.models import Attempt, AttemptAnswer, Round
from tests import factories
from tests.quiz.test_attempts import correct_of
from tests.quiz_factories import REVIEW_MARKER, T0, gen_contest, gen_questions, gen_round


def en(client):
    client.set_cookie("lang", "en")
    return client


def assert_no_inline_code(html: str) -> None:
    """The CSP allows scripts and styles from our own files only."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=", html), "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


# --- the round page ---------------------------------------------------------------------------------------

def test_the_round_page_for_a_member_starts_and_resumes(clock, member, member_client):
    round_ = gen_round(title="Tuần 2", question_count=3)
    page = en(member_client).get(f"/rounds/{round_.id}")
    assert page.status_code == 200
    assert 'data-testid="start"' in page.text and "Tuần 2" in page.text
    assert_no_inline_code(page.text)
    resp = member_client.post(f"/rounds/{round_.id}/start")
    attempt = db.session.scalar(select(Attempt))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/attempts/{attempt.id}")
    page = member_client.get(f"/rounds/{round_.id}").text
    assert 'data-testid="resume"' in page and 'data-testid="start"' not in page
    # Starting again (a second tab) resumes the same attempt.
    assert member_client.post(f"/rounds/{round_.id}/start").headers["Location"].endswith(f"/attempts/{attempt.id}")
    assert db.session.query(Attempt).count() == 1


def test_a_refused_start_is_explained(clock, member_client):
    round_ = gen_round(opens_at=T0 + timedelta(days=1), closes_at=T0 + timedelta(days=2))
    resp = en(member_client).post(f"/rounds/{round_.id}/start", follow_redirects=True)
    assert "This round is not open." in resp.text
    assert "The round opens on" in resp.text


def test_the_round_page_for_anonymous_readers_and_organisers(clock, client, organiser_client):
    round_ = gen_round()
    assert "/login" in client.get(f"/rounds/{round_.id}").text
    page = organiser_client.get(f"/rounds/{round_.id}").text
    assert 'data-testid="edit-round"' in page and 'data-testid="attempt-total"' in page
    draft = gen_round(gen_contest(status="draft"))
    assert client.get(f"/rounds/{draft.id}").status_code == 404
    assert client.get("/rounds/99999").status_code == 404


# --- the answer sheet -------------------------------------------------------------------------------------

def test_the_answer_sheet_carries_the_server_time_and_no_answers(clock, member, member_client):
    round_ = gen_round(question_count=4, prediction=True)
    attempt, _ = attempts.start_attempt(round_, member)
    key = attempt.questions[1]["o"][0]
    attempts.save_answer(attempt.id, 2, [key], member)
    db.session.commit()
    clock.advance(minutes=3)
    resp = en(member_client).get(f"/attempts/{attempt.id}")
    html = resp.text
    assert resp.status_code == 200
    assert f'data-deadline="{(T0 + timedelta(minutes=10)).isoformat()}"' in html
    assert f'data-now="{(T0 + timedelta(minutes=3)).isoformat()}"' in html
    assert f'data-answers-url="/api/v1/attempts/{attempt.id}/answers/"' in html
    assert 'data-msg-saved="Saved"' in html and 'data-msg-offline="Connection lost – retrying"' in html
    assert 'data-prediction="required"' in html and 'name="prediction"' in html
    assert html.count('class="question"') == 4
    assert re.search(rf'name="q2" value="{key}" checked', html)
    assert REVIEW_MARKER not in html and "correct" not in re.sub(r'data-msg[^>]*|Choose every correct answer|'
                                                                 r'answer every question correctly', "", html)
    assert '<script src="/static/js/attempt.js' in html
    assert_no_inline_code(html)


def test_someone_elses_attempt_is_a_404(clock, member, member_client):
    other = factories.gen_user()
    attempt, _ = attempts.start_attempt(gen_round(), other)
    db.session.commit()
    assert member_client.get(f"/attempts/{attempt.id}").status_code == 404
    assert member_client.post(f"/attempts/{attempt.id}/submit", data={}).status_code == 404


def test_submit_without_javascript_saves_every_answer_then_scores(clock, member, member_client):
    round_ = gen_round(question_count=3, review_policy="after_submit")
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    right = correct_of(attempt)
    form = {"q1": list(right[1]), "q2": list(right[2]), "q3": "z"}  # a tampered key is ignored
    resp = en(member_client).post(f"/attempts/{attempt.id}/submit", data=form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/attempts/{attempt.id}")
    db.session.refresh(attempt)
    assert (attempt.status, attempt.correct) == ("submitted", 2)
    assert db.session.query(AttemptAnswer).count() == 2  # the tampered one was not saved
    page = member_client.get(f"/attempts/{attempt.id}").text
    assert 'data-testid="score"' in page and "<strong>2</strong>/3" in page
    assert 'data-testid="review"' in page and REVIEW_MARKER in page
    assert_no_inline_code(page)


def test_submit_without_javascript_asks_for_the_prediction(clock, member, member_client):
    round_ = gen_round(question_count=2, prediction=True)
    attempt, _ = attempts.start_attempt(round_, member)
    db.session.commit()
    key = attempt.questions[0]["o"][0]
    resp = en(member_client).post(f"/attempts/{attempt.id}/submit", data={"q1": key}, follow_redirects=True)
    assert "This round asks for your prediction" in resp.text
    db.session.refresh(attempt)
    assert attempt.status == "in_progress"
    assert db.session.scalar(select(AttemptAnswer.choices).where(AttemptAnswer.position == 1)) == key  # kept
    member_client.post(f"/attempts/{attempt.id}/submit", data={"q1": key, "prediction": "7"})
    db.session.refresh(attempt)
    assert (attempt.status, attempt.prediction) == ("submitted", 7)


def test_a_late_page_submit_shows_the_expired_result(clock, member, member_client):
    attempt, _ = attempts.start_attempt(gen_round(time_limit_seconds=60), member)
    db.session.commit()
    clock.advance(minutes=5)
    resp = en(member_client).post(f"/attempts/{attempt.id}/submit", data={}, follow_redirects=True)
    assert "the answers saved in time count" in resp.text
    db.session.refresh(attempt)
    assert attempt.status == "expired"


def test_the_review_waits_for_the_round_to_close(clock, member, member_client):
    round_ = gen_round(question_count=2, closes_at=T0 + timedelta(hours=2))
    attempt, _ = attempts.start_attempt(round_, member)
    attempts.submit(attempt.id, member)
    db.session.commit()
    page = en(member_client).get(f"/attempts/{attempt.id}").text
    assert 'data-testid="review-later"' in page and REVIEW_MARKER not in page
    clock.set(T0 + timedelta(hours=2))
    page = member_client.get(f"/attempts/{attempt.id}").text
    assert 'data-testid="review"' in page and REVIEW_MARKER in page


def test_an_organiser_reads_a_members_attempt_with_the_review(clock, member, organiser_client):
    attempt, _ = attempts.start_attempt(gen_round(), member)
    db.session.commit()
    page = organiser_client.get(f"/attempts/{attempt.id}").text
    assert 'data-testid="answer-sheet"' not in page
    assert REVIEW_MARKER in page


# --- the organiser's round forms --------------------------------------------------------------------------

def round_form(**overrides) -> dict:
    data = {"title": "Tuần 1", "opens_at": "2026-05-19T08:00", "closes_at": "2026-05-26T08:00",
            "time_limit_minutes": "10", "question_count": "3", "topics_text": "", "max_attempts": "1",
            "counting": "best", "shuffle_questions": "y", "shuffle_options": "y", "time_tiebreak": "submitted_at",
            "review_policy": "after_close", "grace_seconds": "5", "prize_first": "1", "prize_second": "2",
            "prize_third": "3", "prize_consolation": "10"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_a_round_through_the_form(clock, organiser_client):
    contest = gen_contest(slug="tuan-le")
    gen_questions(2, topic="Tư tưởng")
    gen_questions(1, topic="Đạo đức")
    page = organiser_client.get("/organiser/contests/tuan-le/rounds/new").text
    assert 'data-testid="bank-topics"' in page and "Tư tưởng: 2" in page
    assert 'aria-invalid="None"' not in page  # a valid field has no aria-invalid, not the text "None"
    resp = organiser_client.post("/organiser/contests/tuan-le/rounds/new", data=round_form(
        topics_text="Tư tưởng: 2\nĐạo đức: 1", max_attempts="", prediction="y", live_leaderboard="y"))
    assert resp.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert round_.contest_id == contest.id and round_.opens_at == T0
    assert round_.topic_quotas == {"Tư tưởng": 2, "Đạo đức": 1}
    assert round_.max_attempts is None and round_.prediction and round_.live_leaderboard
    assert round_.time_limit_seconds == 600


def test_the_round_form_explains_the_bank(clock, organiser_client):
    gen_contest(slug="tuan-le")
    gen_questions(2, topic="Tư tưởng")
    resp = en(organiser_client).post("/organiser/contests/tuan-le/rounds/new",
                                     data=round_form(topics_text="Tư tưởng: 3"))
    assert resp.status_code == 422
    assert "Only 2 approved questions in topic “Tư tưởng”; the round draws 3." in resp.text
    assert 'aria-invalid="true"' in resp.text and 'aria-invalid="None"' not in resp.text
    resp = en(organiser_client).post("/organiser/contests/tuan-le/rounds/new",
                                     data=round_form(topics_text="Tư tưởng 3"))
    assert "Line 1 is not “topic: number”." in resp.text


def test_edit_a_taken_round_keeps_its_frozen_fields(clock, member, organiser_client):
    round_ = gen_round(question_count=3, time_limit_seconds=90)
    attempts.start_attempt(round_, member)
    db.session.commit()
    page = en(organiser_client).get(f"/organiser/rounds/{round_.id}/edit").text
    assert 'data-testid="locked-note"' in page
    assert re.search(r'<input[^>]*disabled[^>]*name="question_count"|<input[^>]*name="question_count"[^>]*disabled',
                     page)
    # A browser sends no disabled field; the safe ones change.
    form = round_form(title="Tuần 1 (gia hạn)", closes_at="2026-05-27T08:00", max_attempts="2")
    for frozen in ("opens_at", "question_count", "time_limit_minutes", "topics_text", "counting", "time_tiebreak",
                   "shuffle_questions", "shuffle_options"):
        form.pop(frozen, None)
    resp = organiser_client.post(f"/organiser/rounds/{round_.id}/edit", data=form)
    assert resp.status_code == 302, resp.text
    db.session.refresh(round_)
    assert (round_.title, round_.max_attempts, round_.question_count, round_.time_limit_seconds) == (
        "Tuần 1 (gia hạn)", 2, 3, 90)
    assert round_.shuffle_questions and round_.opens_at == T0 - timedelta(days=1)


def test_edit_a_round_nobody_took(clock, organiser_client):
    round_ = gen_round(question_count=3, time_limit_seconds=90)
    page = organiser_client.get(f"/organiser/rounds/{round_.id}/edit").text
    assert 'data-testid="locked-note"' not in page
    resp = organiser_client.post(f"/organiser/rounds/{round_.id}/edit", data=round_form(
        time_limit_minutes="2", question_count="2", shuffle_options=None))
    assert resp.status_code == 302
    db.session.refresh(round_)
    assert (round_.time_limit_seconds, round_.question_count, round_.shuffle_options) == (90, 2, False)


def test_round_forms_are_for_organisers(clock, member_client):
    round_ = gen_round()
    assert member_client.get(f"/organiser/rounds/{round_.id}/edit").status_code == 403
    assert member_client.get(f"/organiser/contests/{round_.contest.slug}/rounds/new").status_code == 403


def test_names_in_messages_are_escaped(clock, member_client, organiser_client):
    """Lazy messages count as safe markup: a topic or unit name quoted in one must still be escaped."""
    gen_contest(slug="tuan-le")
    resp = organiser_client.post("/organiser/contests/tuan-le/rounds/new",
                                 data=round_form(topics_text="<b>Chủ đề</b>: 3"))
    assert resp.status_code == 422
    assert "&lt;b&gt;Chủ đề&lt;/b&gt;" in resp.text and "<b>Chủ đề</b>" not in resp.text
    elsewhere = gen_round(gen_contest(unit=factories.gen_unit("<i>Phường</i>")))
    page = member_client.post(f"/rounds/{elsewhere.id}/start", follow_redirects=True).text
    assert "&lt;i&gt;Phường&lt;/i&gt;" in page and "<i>Phường</i>" not in page


def test_ids_too_large_for_the_database_are_404s(member_client):
    huge = 10**30
    assert member_client.get(f"/rounds/{huge}").status_code == 404
    assert member_client.post(f"/rounds/{huge}/start").status_code == 404
    assert member_client.get(f"/attempts/{huge}").status_code == 404
    assert member_client.post(f"/attempts/{huge}/submit").status_code == 404
    assert member_client.get(f"/organiser/rounds/{huge}/edit").status_code in (403, 404)
