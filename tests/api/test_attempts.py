"""Taking a round through the API: start or resume, save answers, submit, read back; every error of API.md, and
no response before the review policy allows carries a correct answer or an explanation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.extensions import db
from contest.quiz.models import Attempt, AttemptAnswer, Standing
from tests import factories
from tests.quiz.test_attempts import correct_of, wrong_of
from tests.quiz_factories import REVIEW_MARKER, T0, gen_contest, gen_question, gen_round

EN = {"Accept-Language": "en"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


@pytest.fixture
def api(member_client):
    return member_client


def start(client, round_, **kwargs):
    return client.post(f"/api/v1/rounds/{round_.id}/attempts", **kwargs)


def save(client, attempt_id, position, choices, **kwargs):
    return client.put(f"/api/v1/attempts/{attempt_id}/answers/{position}", json={"choices": choices}, **kwargs)


def attempt_row(attempt_id) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


# --- start ------------------------------------------------------------------------------------------------

def test_start_then_resume(api, clock):
    round_ = gen_round(question_count=3)
    resp = start(api, round_)
    assert resp.status_code == 201
    body = resp.json
    assert body["status"] == "in_progress" and body["answers"] == {}
    assert ISO.match(body["started_at"]) and ISO.match(body["deadline_at"]) and ISO.match(body["now"])
    assert body["deadline_at"] == (T0 + timedelta(minutes=10)).isoformat()
    assert [q["position"] for q in body["questions"]] == [1, 2, 3]
    for q in body["questions"]:
        assert set(q) == {"position", "text", "kind", "options"} and q["kind"] == "single"
        assert all(set(o) == {"key", "text"} for o in q["options"])
    clock.advance(minutes=2)
    again = start(api, round_)
    assert again.status_code == 200 and again.json["id"] == body["id"]
    assert again.json["questions"] == body["questions"]
    assert again.json["now"] == (T0 + timedelta(minutes=2)).isoformat()


def test_start_errors(api, clock, member):
    upcoming = gen_round(opens_at=T0 + timedelta(days=1), closes_at=T0 + timedelta(days=2))
    resp = start(api, upcoming, headers=EN)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "round_not_open"
    assert resp.json["error"]["message"] == "This round is not open."
    once = gen_round(max_attempts=1)
    attempt_id = start(api, once).json["id"]
    api.post(f"/api/v1/attempts/{attempt_id}/submit", json={})
    resp = start(api, once)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "attempts_exhausted"
    assert api.post("/api/v1/rounds/999999/attempts").status_code == 404
    draft = gen_round(gen_contest(status="draft"))
    assert start(api, draft).status_code == 404


def test_who_may_start(client, organiser_client, clock):
    round_ = gen_round()
    assert start(client, round_).status_code == 401
    resp = start(organiser_client, round_)
    assert resp.status_code == 403
    elsewhere = gen_round(gen_contest(unit=factories.gen_unit("Phường Sơn Tây")))
    outsider = factories.gen_user()
    resp = client.post(f"/api/v1/rounds/{elsewhere.id}/attempts",
                       headers=factories.bearer(factories.gen_token(outsider)))
    assert resp.status_code == 403 and resp.json["error"]["code"] == "not_in_unit"


# --- answers ----------------------------------------------------------------------------------------------

def test_save_answers(api, clock, member):
    gen_question(kind="multiple", correct="ab")
    round_ = gen_round(question_count=1, questions=False)
    body = start(api, round_).json
    keys = [o["key"] for o in body["questions"][0]["options"]]
    clock.advance(seconds=30)
    resp = save(api, body["id"], 1, [keys[2], keys[0]])
    assert resp.status_code == 200
    assert resp.json == {"saved_at": (T0 + timedelta(seconds=30)).isoformat()}
    assert save(api, body["id"], 1, [keys[1]]).status_code == 200
    assert api.get(f"/api/v1/attempts/{body['id']}").json["answers"] == {"1": [keys[1]]}
    assert save(api, body["id"], 1, []).status_code == 200
    assert api.get(f"/api/v1/attempts/{body['id']}").json["answers"] == {}
    assert db.session.query(AttemptAnswer).count() == 1


@pytest.mark.parametrize("how", ["cookie", "bearer"])
def test_save_errors(app, clock, member, how):
    api = app.test_client(user=member) if how == "cookie" else app.test_client()
    if how == "bearer":
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {factories.gen_token(member)}"
    round_ = gen_round(question_count=2, time_limit_seconds=60, grace_seconds=5)
    body = start(api, round_).json
    attempt_id = body["id"]
    key = body["questions"][0]["options"][0]["key"]
    assert save(api, attempt_id, 1, [key]).status_code == 200  # from now on the one-statement save
    resp = save(api, attempt_id, 1, ["z"], headers=EN)
    assert resp.status_code == 422 and resp.json["error"]["code"] == "unknown_key"
    resp = save(api, attempt_id, 1, [key, body["questions"][0]["options"][1]["key"]])
    assert resp.status_code == 422 and resp.json["error"]["code"] == "single_answer"
    assert api.put(f"/api/v1/attempts/{attempt_id}/answers/1", json={"choices": "a"}).status_code == 400
    assert api.put(f"/api/v1/attempts/{attempt_id}/answers/1", json={}).status_code == 422
    assert save(api, attempt_id, 3, [key]).status_code == 404
    assert save(api, attempt_id, 0, [key]).status_code == 404
    assert save(api, 999999, 1, [key]).status_code == 404
    clock.set(T0 + timedelta(seconds=66))
    resp = save(api, attempt_id, 1, [key])
    assert resp.status_code == 409 and resp.json["error"]["code"] == "deadline_passed"
    assert attempt_row(attempt_id).status == "expired"  # finalised on the spot, and kept
    assert db.session.get(Standing, (round_.id, member.id)) is not None
    resp = save(api, attempt_id, 1, [key])
    assert resp.status_code == 409 and resp.json["error"]["code"] == "attempt_submitted"


def test_another_members_attempt_is_a_404(client, clock, member):
    round_ = gen_round()
    attempt_id = start(client, round_, headers=factories.bearer(factories.gen_token(member))).json["id"]
    other = factories.bearer(factories.gen_token(factories.gen_user()))
    organiser = factories.bearer(factories.gen_token(factories.gen_user(roles=["organiser"])))
    for headers in (other, organiser):
        assert save(client, attempt_id, 1, [], headers=headers).status_code == 404
        assert client.post(f"/api/v1/attempts/{attempt_id}/submit", json={}, headers=headers).status_code == 404
    resp = client.get(f"/api/v1/attempts/{attempt_id}", headers=other)
    assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/attempts/{attempt_id}", headers=organiser).status_code == 200
    assert attempt_row(attempt_id).status == "in_progress"


def test_a_bearer_save_takes_one_statement_and_no_account(client, clock, member):
    """The hottest request. Once this process has seen the token (cached for a few seconds) and the attempt (its
    frozen questions): one statement, run as a transaction of its own (no BEGIN, no COMMIT), and no User built."""
    from sqlalchemy import event

    from contest.accounts.models import User

    headers = factories.bearer(factories.gen_token(member))
    body = start(client, gen_round(question_count=1), headers=headers).json
    key = body["questions"][0]["options"][0]["key"]
    assert save(client, body["id"], 1, [key], headers=headers).status_code == 200  # token, attempt, kind: once
    db.session.expunge_all()
    statements, users = [], []

    def count(conn, cursor, statement, *args):
        statements.append((statement, conn.get_execution_options().get("isolation_level")))

    def loaded(target, context):
        users.append(target)

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(User, "load", loaded)
    try:
        assert save(client, body["id"], 1, [key], headers=headers).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(User, "load", loaded)
    assert len(statements) == 1 and users == []
    sql, isolation = statements[0]
    assert sql.startswith("INSERT INTO quiz_answers") and isolation == "AUTOCOMMIT"
    assert db.session.scalar(select(AttemptAnswer.choices)) == key


def test_a_bearer_save_sees_a_revocation_or_a_deactivation_made_in_this_process_at_once(client, clock, member):
    token = factories.gen_token(member)
    kept = factories.bearer(factories.gen_token(member))
    headers = factories.bearer(token)
    body = start(client, gen_round(question_count=1), headers=headers).json
    assert save(client, body["id"], 1, [], headers=headers).status_code == 200
    member.active = False
    db.session.commit()
    assert save(client, body["id"], 1, [], headers=headers).status_code == 401
    member.active = True
    db.session.commit()
    assert save(client, body["id"], 1, [], headers=headers).status_code == 200
    assert save(client, body["id"], 1, [], headers=kept).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert save(client, body["id"], 1, [], headers=headers).status_code == 401
    assert save(client, body["id"], 1, [], headers=kept).status_code == 200


def test_a_token_revoked_by_another_process_dies_within_the_cache_window(client, clock, member, monkeypatch):
    """Another app process (or someone in the database) deletes the token: this process accepts it from its cache
    for up to TOKEN_CACHE_SECONDS, never longer."""
    from contest.accounts.models import ApiToken
    from contest.api import auth

    headers = factories.bearer(factories.gen_token(member))
    body = start(client, gen_round(question_count=1), headers=headers).json
    assert save(client, body["id"], 1, [], headers=headers).status_code == 200
    db.session.execute(ApiToken.__table__.delete())  # no ORM event: what this process cannot see
    db.session.commit()
    assert save(client, body["id"], 1, [], headers=headers).status_code == 200  # within the window
    later = auth._monotonic() + auth.TOKEN_CACHE_SECONDS
    monkeypatch.setattr(auth, "_monotonic", lambda: later)
    assert save(client, body["id"], 1, [], headers=headers).status_code == 401


def test_without_the_token_cache_a_revocation_anywhere_is_seen_at_once(app, client, clock, member):
    from contest.accounts.models import ApiToken

    app.config["API_TOKEN_CACHE_SECONDS"] = 0
    headers = factories.bearer(factories.gen_token(member))
    body = start(client, gen_round(question_count=1), headers=headers).json
    assert save(client, body["id"], 1, [], headers=headers).status_code == 200
    db.session.execute(ApiToken.__table__.delete())
    db.session.commit()
    assert save(client, body["id"], 1, [], headers=headers).status_code == 401


def test_a_bearer_save_leaves_the_session_cookie_alone(app, clock, member, admin):
    """The answer save with a bearer token does not even open the session (web.is_bearer_answer_save): the
    token decides who saves, and the browser's cookie comes out as it went in."""
    client = app.test_client(user=admin)  # a session cookie of somebody else
    headers = factories.bearer(factories.gen_token(member))
    body = start(client, gen_round(question_count=1), headers=headers).json
    key = body["questions"][0]["options"][0]["key"]
    for _ in range(2):  # the second time on the one-statement path
        resp = save(client, body["id"], 1, [key], headers=headers)
        assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
    assert client.get("/api/v1/me").json["id"] == admin.id
    assert save(client, body["id"], 1, [key]).status_code == 404  # the cookie alone: the admin's, not theirs


def test_the_session_cookie_needs_the_csrf_header(app, app_config, clock, member):
    app.config["WTF_CSRF_ENABLED"] = True
    round_ = gen_round(question_count=1)
    client = app.test_client(user=member)
    page = client.get(f"/rounds/{round_.id}").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert start(client, round_).json["error"]["code"] == "csrf_failed"
    body = start(client, round_, headers={"X-CSRFToken": token}).json
    key = body["questions"][0]["options"][0]["key"]
    assert save(client, body["id"], 1, [key]).status_code == 400
    assert save(client, body["id"], 1, [key], headers={"X-CSRFToken": token}).status_code == 200


# --- submit -----------------------------------------------------------------------------------------------

def test_submit_and_repeat(api, clock, member):
    round_ = gen_round(question_count=3, prediction=True)
    attempt_id = start(api, round_).json["id"]
    attempt = attempt_row(attempt_id)
    for position, keys in correct_of(attempt).items():
        save(api, attempt_id, position, list(keys) if position < 3 else [wrong_of(attempt, position)])
    resp = api.post(f"/api/v1/attempts/{attempt_id}/submit", json={}, headers=EN)
    assert resp.status_code == 422 and resp.json["error"]["code"] == "prediction_required"
    assert api.post(f"/api/v1/attempts/{attempt_id}/submit", json={"prediction": "3"}).status_code == 400
    assert api.post(f"/api/v1/attempts/{attempt_id}/submit", json={"prediction": -1}).status_code == 422
    clock.advance(minutes=1, seconds=15)
    resp = api.post(f"/api/v1/attempts/{attempt_id}/submit", json={"prediction": 40})
    assert resp.status_code == 200
    result = resp.json
    assert {k: result[k] for k in ("status", "correct", "total", "duration_ms", "prediction")} == {
        "status": "submitted", "correct": 2, "total": 3, "duration_ms": 75_000, "prediction": 40}
    assert result["submitted_at"] == (T0 + timedelta(minutes=1, seconds=15)).isoformat()
    clock.advance(minutes=1)
    again = api.post(f"/api/v1/attempts/{attempt_id}/submit", json={"prediction": 1})
    assert again.status_code == 200 and again.json == result
    assert api.post(f"/api/v1/attempts/{attempt_id}/submit").json == result  # an empty body is fine too


def test_a_late_submit_returns_the_expired_result(api, clock):
    round_ = gen_round(question_count=2, time_limit_seconds=60)
    attempt_id = start(api, round_).json["id"]
    clock.advance(minutes=3)
    resp = api.post(f"/api/v1/attempts/{attempt_id}/submit", json={})
    assert resp.status_code == 200
    assert resp.json["status"] == "expired" and resp.json["correct"] == 0 and resp.json["duration_ms"] == 60_000
    assert resp.json["submitted_at"] == (T0 + timedelta(seconds=60)).isoformat()


def test_my_attempts_in_a_round(api, clock):
    round_ = gen_round(max_attempts=None, time_limit_seconds=60)
    first = start(api, round_).json["id"]
    clock.advance(minutes=5)  # the first expires
    second = start(api, round_).json["id"]
    body = api.get(f"/api/v1/rounds/{round_.id}/attempts").json
    assert body["total"] == 2
    assert [(a["id"], a["number"], a["status"]) for a in body["items"]] == [
        (first, 1, "expired"), (second, 2, "in_progress")]


# --- reading and the review -------------------------------------------------------------------------------

def test_no_response_reveals_answers_before_the_review(app, clock, member):
    """Every response a member gets while the round is open carries no explanation and no correct key."""
    round_ = gen_round(question_count=3, closes_at=T0 + timedelta(hours=1), max_attempts=2)
    client = app.test_client(user=member)
    bodies = []

    def call(resp):
        bodies.append(resp.get_data(as_text=True))
        return resp

    body = call(start(client, round_)).json
    attempt_id = body["id"]
    for position in (1, 2, 3):
        call(save(client, attempt_id, position, [body["questions"][position - 1]["options"][0]["key"]]))
    call(client.get(f"/api/v1/attempts/{attempt_id}"))
    call(client.get(f"/attempts/{attempt_id}"))
    call(client.post(f"/api/v1/attempts/{attempt_id}/submit", json={}))
    call(client.get(f"/api/v1/attempts/{attempt_id}"))
    call(client.get(f"/attempts/{attempt_id}"))
    call(client.get(f"/rounds/{round_.id}"))
    call(client.get(f"/api/v1/rounds/{round_.id}/attempts"))
    call(start(client, round_))
    for text in bodies:
        assert REVIEW_MARKER not in text
        assert "correct_keys" not in text and '"correct": true' not in text and '"explanation"' not in text
    clock.set(T0 + timedelta(hours=1))
    review = client.get(f"/api/v1/attempts/{attempt_id}").json["review"]
    assert [r["position"] for r in review] == [1, 2, 3]
    assert all(REVIEW_MARKER in r["explanation"] for r in review)
    assert review[0]["correct_keys"] == list(correct_of(attempt_row(attempt_id))[1])


def test_organisers_read_an_attempt_with_its_review(client, clock, member):
    attempt_id = start(client, gen_round(), headers=factories.bearer(factories.gen_token(member))).json["id"]
    organiser = factories.bearer(factories.gen_token(factories.gen_user(roles=["organiser"])))
    body = client.get(f"/api/v1/attempts/{attempt_id}", headers=organiser).json
    assert body["status"] == "in_progress" and len(body["review"]) == 5


def test_reading_an_expired_attempt_finalises_it(api, clock):
    attempt_id = start(api, gen_round(time_limit_seconds=60)).json["id"]
    clock.advance(minutes=2)
    body = api.get(f"/api/v1/attempts/{attempt_id}").json
    assert body["status"] == "expired" and body["correct"] == 0 and body["duration_ms"] == 60_000
    assert attempt_row(attempt_id).status == "expired"


def test_reading_needs_a_sign_in(client, clock, member):
    attempt = db.session.scalar(select(Attempt))
    assert attempt is None
    assert client.get("/api/v1/attempts/1").status_code == 401
