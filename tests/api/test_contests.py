"""Contests and rounds through the API: lists, reading, creating and editing, and every error API.md names."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from contest.contests.models import Contest
from contest.extensions import db
from contest.quiz import attempts
from contest.quiz.models import Round
from tests import factories
from tests.quiz_factories import T0, gen_contest, gen_questions, gen_round

EN = {"Accept-Language": "en"}


def contest_body(**overrides) -> dict:
    body = {"slug": "hoc-tap-2026", "kind": "quiz", "title": "Tìm hiểu tư tưởng Hồ Chí Minh năm 2026",
            "description": "Thể lệ", "opens_at": "2026-05-19T08:00:00+07:00",
            "closes_at": "2026-12-31T17:00:00+07:00"}
    body.update(overrides)
    return body


def round_body(**overrides) -> dict:
    body = {"title": "Tuần 1", "opens_at": "2026-05-18T08:00:00+07:00", "closes_at": "2026-05-25T08:00:00+07:00",
            "time_limit_seconds": 600, "question_count": 3}
    body.update(overrides)
    return body


# --- contests ---------------------------------------------------------------------------------------------

def test_list_contests_hides_drafts_except_from_organisers(client, organiser, clock):
    gen_contest(slug="cong-khai")
    gen_contest(slug="nhap", status="draft")
    gen_contest(slug="bai-viet", kind="essay")
    body = client.get("/api/v1/contests").json
    assert body["total"] == 2 and {c["slug"] for c in body["items"]} == {"cong-khai", "bai-viet"}
    item = next(c for c in body["items"] if c["slug"] == "cong-khai")
    assert set(item) >= {"id", "slug", "kind", "title", "status", "opens_at", "closes_at"}
    token = factories.gen_token(organiser)
    body = client.get("/api/v1/contests", headers=factories.bearer(token)).json
    assert body["total"] == 3
    assert [c["slug"] for c in client.get("/api/v1/contests?kind=essay").json["items"]] == ["bai-viet"]
    assert client.get("/api/v1/contests?kind=poem").status_code == 400
    assert client.get("/api/v1/contests?limit=1&offset=1").json["total"] == 2


def test_create_a_contest(organiser_client):
    resp = organiser_client.post("/api/v1/contests", json=contest_body())
    assert resp.status_code == 201
    body = resp.json
    assert body["slug"] == "hoc-tap-2026" and body["status"] == "announced" and body["kind"] == "quiz"
    assert body["opens_at"] == "2026-05-19T01:00:00+00:00"
    assert db.session.scalar(select(Contest.title)) == "Tìm hiểu tư tưởng Hồ Chí Minh năm 2026"


def test_create_a_draft(organiser_client, client):
    resp = organiser_client.post("/api/v1/contests", json=contest_body(status="draft"))
    assert resp.json["status"] == "draft"
    assert client.get("/api/v1/contests/hoc-tap-2026").status_code == 404


def test_create_refuses_a_taken_slug(organiser_client):
    organiser_client.post("/api/v1/contests", json=contest_body())
    resp = organiser_client.post("/api/v1/contests", json=contest_body(), headers=EN)
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "slug_taken" and "slug" in resp.json["error"]["fields"]


def test_create_explains_bad_fields(organiser_client):
    resp = organiser_client.post("/api/v1/contests", headers=EN, json=contest_body(
        slug="Học Tập", kind="poem", closes_at="2026-05-01T08:00:00+07:00", opens_at="2026-05-19T08:00:00"))
    assert resp.status_code == 422
    assert set(resp.json["error"]["fields"]) == {"slug", "kind", "opens_at"}
    resp = organiser_client.post("/api/v1/contests", json=contest_body(closes_at="2026-05-01T08:00:00+07:00"))
    assert list(resp.json["error"]["fields"]) == ["closes_at"]
    resp = organiser_client.post("/api/v1/contests", json=contest_body(title=5))
    assert resp.status_code == 400
    assert db.session.scalar(select(Contest)) is None


def test_only_organisers_create(client, member_client):
    assert client.post("/api/v1/contests", json=contest_body()).status_code == 401
    resp = member_client.post("/api/v1/contests", json=contest_body())
    assert resp.status_code == 403 and resp.json["error"]["code"] == "forbidden"


def test_read_a_contest(client, member_client, organiser_client):
    gen_contest(slug="cong-khai")
    gen_contest(slug="nhap", status="draft")
    resp = client.get("/api/v1/contests/cong-khai")
    assert resp.status_code == 200 and resp.json["slug"] == "cong-khai"
    assert member_client.get("/api/v1/contests/nhap").status_code == 404
    assert organiser_client.get("/api/v1/contests/nhap").status_code == 200
    assert client.get("/api/v1/contests/khong-co").json["error"]["code"] == "not_found"


def test_patch_a_contest(organiser_client, member_client):
    organiser_client.post("/api/v1/contests", json=contest_body())
    resp = organiser_client.patch("/api/v1/contests/hoc-tap-2026", json={"title": "Tên mới", "closes_at": None})
    assert resp.status_code == 200
    assert resp.json["title"] == "Tên mới" and resp.json["closes_at"] is None
    assert resp.json["opens_at"] == "2026-05-19T01:00:00+00:00"  # untouched
    gen_contest(slug="khac")
    assert organiser_client.patch("/api/v1/contests/hoc-tap-2026", json={"slug": "khac"}).status_code == 409
    assert organiser_client.patch("/api/v1/contests/hoc-tap-2026", json={"status": "x"}).status_code == 422
    assert organiser_client.patch("/api/v1/contests/khong-co", json={"title": "x"}).status_code == 404
    assert member_client.patch("/api/v1/contests/hoc-tap-2026", json={"title": "x"}).status_code == 403


# --- rounds -----------------------------------------------------------------------------------------------

def test_create_a_round(organiser_client, clock):
    gen_contest(slug="tuan-le")
    gen_questions(2, topic="Tư tưởng")
    gen_questions(1, topic="Đạo đức")
    resp = organiser_client.post("/api/v1/contests/tuan-le/rounds", json=round_body(
        topics={"Tư tưởng": 2, "Đạo đức": 1}, max_attempts=None, prediction=True, time_tiebreak="duration",
        live_leaderboard=True))
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["topics"] == {"Tư tưởng": 2, "Đạo đức": 1} and body["max_attempts"] is None
    assert body["prediction"] and body["live_leaderboard"] and body["time_tiebreak"] == "duration"
    assert body["state"] == "open" and body["contest"] == "tuan-le"
    assert body["prizes"] == {"first": 1, "second": 2, "third": 3, "consolation": 10}
    assert body["opens_at"] == "2026-05-18T01:00:00+00:00"


def test_create_round_errors(organiser_client, member_client, clock):
    gen_contest(slug="tuan-le")
    gen_contest(slug="bai-viet", kind="essay")
    gen_questions(7, topic="Đạo đức")
    post = organiser_client.post
    resp = post("/api/v1/contests/tuan-le/rounds", headers=EN,
                json=round_body(question_count=10, topics={"Đạo đức": 10}))
    assert resp.status_code == 422
    assert resp.json["error"]["fields"]["topics"] == [
        "Only 7 approved questions in topic “Đạo đức”; the round draws 10."]
    resp = post("/api/v1/contests/tuan-le/rounds", json=round_body(question_count=10))
    assert "question_count" in resp.json["error"]["fields"]
    resp = post("/api/v1/contests/tuan-le/rounds", json=round_body(question_count=5, topics={"Đạo đức": 3}))
    assert "topics" in resp.json["error"]["fields"]
    resp = post("/api/v1/contests/tuan-le/rounds", json=round_body(closes_at="2026-05-01T08:00:00+07:00",
                                                                  time_limit_seconds=0))
    assert set(resp.json["error"]["fields"]) == {"closes_at", "time_limit_seconds"}
    assert post("/api/v1/contests/tuan-le/rounds", json=round_body(prediction="yes")).status_code == 400
    resp = post("/api/v1/contests/bai-viet/rounds", json=round_body())
    assert resp.status_code == 409 and resp.json["error"]["code"] == "not_a_quiz"
    assert post("/api/v1/contests/khong-co/rounds", json=round_body()).status_code == 404
    assert member_client.post("/api/v1/contests/tuan-le/rounds", json=round_body()).status_code == 403
    assert db.session.scalar(select(Round)) is None


def test_list_rounds_with_their_state(client, clock):
    contest = gen_contest(slug="tuan-le")
    gen_round(contest, title="Tuần 1", opens_at=T0 - timedelta(days=8), closes_at=T0 - timedelta(days=1),
              questions=False)
    gen_round(contest, title="Tuần 2", questions=False)
    gen_round(contest, title="Tuần 3", opens_at=T0 + timedelta(days=7), closes_at=T0 + timedelta(days=14),
              questions=False)
    body = client.get("/api/v1/contests/tuan-le/rounds").json
    assert body["total"] == 3
    assert [(r["title"], r["state"]) for r in body["items"]] == [
        ("Tuần 1", "closed"), ("Tuần 2", "open"), ("Tuần 3", "upcoming")]
    one = client.get(f"/api/v1/rounds/{body['items'][0]['id']}").json
    assert one["title"] == "Tuần 1" and one["state"] == "closed"
    assert client.get("/api/v1/rounds/999999").status_code == 404
    draft = gen_round(gen_contest(slug="nhap", status="draft"), questions=False)
    assert client.get("/api/v1/contests/nhap/rounds").status_code == 404
    assert client.get(f"/api/v1/rounds/{draft.id}").status_code == 404


def test_patch_a_round(organiser_client, member, clock):
    round_ = gen_round(question_count=3)
    resp = organiser_client.patch(f"/api/v1/rounds/{round_.id}", json={"closes_at": "2026-06-01T08:00:00+07:00",
                                                                       "max_attempts": None})
    assert resp.status_code == 200
    assert resp.json["closes_at"] == "2026-06-01T01:00:00+00:00" and resp.json["max_attempts"] is None
    attempts.start_attempt(round_, member)
    db.session.commit()
    resp = organiser_client.patch(f"/api/v1/rounds/{round_.id}", json={"question_count": 2}, headers=EN)
    assert resp.status_code == 409 and resp.json["error"]["code"] == "round_has_attempts"
    assert list(resp.json["error"]["fields"]) == ["question_count"]
    assert organiser_client.patch(f"/api/v1/rounds/{round_.id}", json={"title": "Tuần 1 mới"}).status_code == 200
    assert organiser_client.patch("/api/v1/rounds/999999", json={"title": "x"}).status_code == 404


def test_patch_round_needs_an_organiser(member_client, client, clock):
    round_ = gen_round(questions=False)
    assert member_client.patch(f"/api/v1/rounds/{round_.id}", json={"title": "x"}).status_code == 403
    assert client.patch(f"/api/v1/rounds/{round_.id}", json={"title": "x"}).status_code == 401
