"""The leaderboard API: GET /rounds/{id}/leaderboard, /leaderboard/me and /units; POST /rounds/{id}/publish and
/unpublish; every answer and error, and who may see what."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

import contest.api.leaderboards  # noqa: F401  (registers the routes until contest/api/__init__.py imports it)
from contest.api import openapi
from contest.core.audit import AuditEntry
from contest.core.clock import as_utc, utcnow
from contest.extensions import db
from contest.quiz.models import Round
from tests import factories
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_contest,
    gen_members,
    gen_round,
)

EN = {"Accept-Language": "en"}


def auth(user) -> dict:
    return {**factories.bearer(factories.gen_token(user)), **EN}


@pytest.fixture
def people(app, unit, organiser):
    [member] = gen_members(1, unit)
    return {"organiser": organiser, "member": member, "anonymous": None}


def headers_for(user) -> dict:
    return EN if user is None else auth(user)


def fill(round_, unit, n: int = 3):
    members = gen_members(n, unit)
    base = as_utc(round_.opens_at) + timedelta(hours=1)
    for i, m in enumerate(members):
        gen_attempt(round_, m, correct=10 - i, submitted_at=base + timedelta(minutes=i), prediction=i)
    db.session.commit()
    return members


# --- GET /rounds/{id}/leaderboard -------------------------------------------------------------------------

def test_a_published_board_is_public(client, unit):
    round_ = gen_round(prediction=True)
    members = fill(round_, unit)
    round_.published_at = utcnow()
    db.session.commit()
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert (body["final"], body["published"], body["total"], body["all_correct_count"]) == (True, True, 3, 1)
    assert datetime.fromisoformat(body["published_at"]).utcoffset() is not None
    first = body["items"][0]
    assert set(first) == {"rank", "name", "unit", "correct", "total_questions", "prediction", "submitted_at",
                          "duration_ms"}
    assert (first["rank"], first["name"], first["unit"], first["correct"], first["total_questions"]) == (
        1, members[0].full_name, unit.name, 10, 10)
    assert first["prediction"] == 0
    assert datetime.fromisoformat(first["submitted_at"]).utcoffset() is not None
    assert [i["rank"] for i in body["items"]] == [1, 2, 3]


def test_limit_and_offset(client, unit, organiser):
    round_ = gen_round(state="open")
    fill(round_, unit, 5)
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard?limit=2&offset=3", headers=auth(organiser))
    assert resp.status_code == 200
    assert (resp.json["total"], [i["rank"] for i in resp.json["items"]], resp.json["final"]) == (5, [4, 5], False)
    assert all(i["prediction"] is None for i in resp.json["items"])  # hidden while live
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=x"):
        resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard?{bad}", headers=auth(organiser))
        assert resp.status_code == 400, bad
        assert resp.json["error"]["code"] == "bad_request"


def test_an_unknown_round_is_404(client, organiser):
    for path in ("leaderboard", "leaderboard/me", "units"):
        resp = client.get(f"/api/v1/rounds/999/{path}", headers=auth(organiser))
        assert resp.status_code == 404, path
        assert resp.json["error"]["code"] == "not_found"
    for action in ("publish", "unpublish"):
        assert client.post(f"/api/v1/rounds/999/{action}", headers=auth(organiser)).status_code == 404


def test_a_closed_round_is_finalised_by_its_first_reader(client, unit, organiser):
    round_ = gen_round(prediction=True)
    fill(round_, unit)
    assert round_.finalised_at is None
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=auth(organiser))
    assert resp.json["final"] is True
    db.session.expire_all()
    assert db.session.get(Round, round_.id).finalised_at is not None


def test_a_bad_token_is_401_even_on_a_public_board(client, unit):
    round_ = gen_round(published_at=utcnow())
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401


# --- who may see what -------------------------------------------------------------------------------------

def expected_status(role: str, live: bool, published: bool, state: str) -> tuple[int, str | None]:
    if role == "organiser" or published:
        return 200, None
    if live and state == "open":
        return (401, "unauthorized") if role == "anonymous" else (200, None)
    return (404, "not_found") if role == "anonymous" else (403, "leaderboard_hidden")


@pytest.mark.parametrize("role", ["organiser", "member", "anonymous"])
@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("published", [True, False])
@pytest.mark.parametrize("state", ["open", "closed"])
def test_visibility_matrix(client, people, unit, role, live, published, state):
    round_ = gen_round(state=state, live_leaderboard=live, published_at=utcnow() if published else None)
    user = people[role]
    if user is not None:
        gen_attempt(round_, user, correct=5)
        db.session.commit()
    status, code = expected_status(role, live, published, state)
    for path in ("leaderboard", "units"):
        resp = client.get(f"/api/v1/rounds/{round_.id}/{path}", headers=headers_for(user))
        assert resp.status_code == status, (path, resp.json)
        if code:
            assert resp.json["error"]["code"] == code
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard/me", headers=headers_for(user))
    if role == "anonymous":
        assert resp.status_code == 401
    elif status == 200:
        assert resp.status_code == 200 and resp.json["rank"] == 1
    else:
        assert resp.status_code == 403 and resp.json["error"]["code"] == "leaderboard_hidden"
        assert resp.json["error"]["message"] == "The leaderboard of this round is not shown yet."


def test_rounds_of_draft_contests_are_404_except_for_organisers(client, people):
    round_ = gen_round(gen_contest(status="draft"), published_at=utcnow())
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard").status_code == 404
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=auth(people["member"])).status_code == 404
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard",
                      headers=auth(people["organiser"])).status_code == 200


# --- GET /rounds/{id}/leaderboard/me ----------------------------------------------------------------------

def test_my_rank(client, unit, people):
    round_ = gen_round(state="open", live_leaderboard=True, prediction=True)
    members = fill(round_, unit)
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard/me", headers=auth(members[1]))
    assert resp.status_code == 200
    body = resp.json
    assert (body["rank"], body["correct"], body["total"], body["final"], body["participants"]) == (2, 9, 10, False, 3)
    assert body["prediction"] == 1 and body["prediction_error"] is None
    assert datetime.fromisoformat(body["submitted_at"]).utcoffset() is not None
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard/me", headers=auth(people["member"]))
    assert resp.status_code == 404  # took no attempt
    assert resp.json["error"]["code"] == "not_found"
    resp = client.get(f"/api/v1/rounds/{round_.id}/leaderboard/me", headers=EN)
    assert resp.status_code == 401


def test_my_final_rank_after_publication(client, unit):
    round_ = gen_round(prediction=True)
    members = fill(round_, unit)
    round_.published_at = utcnow()
    db.session.commit()
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard/me", headers=auth(members[2])).json
    # actual = 1 (only the first is all correct); member 2 predicted 2: error 1.
    assert (body["rank"], body["final"], body["prediction_error"]) == (3, True, 1)


# --- GET /rounds/{id}/units -------------------------------------------------------------------------------

def test_unit_leaderboard(client, app, organiser):
    city = factories.gen_unit("Thành phố Huế")
    ward_a = factories.gen_unit("Phường Thuận Hòa", city)
    ward_b = factories.gen_unit("Phường Phú Hội", city)
    round_ = gen_round(state="open")
    for m in gen_members(4, ward_a)[:1] + gen_members(2, ward_b):
        gen_attempt(round_, m, correct=3)
    db.session.commit()
    resp = client.get(f"/api/v1/rounds/{round_.id}/units", headers=auth(organiser))
    assert resp.status_code == 200
    assert resp.json["total"] == 3
    items = resp.json["items"]
    assert [(i["unit_id"], i["participants"], i["members"], i["participation_rate"]) for i in items] == [
        (city.id, 3, 6, 0.5), (ward_b.id, 2, 2, 1.0), (ward_a.id, 1, 4, 0.25)]
    assert items[0]["parent_id"] is None and items[1]["parent_id"] == city.id
    resp = client.get(f"/api/v1/rounds/{round_.id}/units?sort=rate&limit=1", headers=auth(organiser))
    assert [i["unit_id"] for i in resp.json["items"]] == [ward_b.id] and resp.json["total"] == 3
    resp = client.get(f"/api/v1/rounds/{round_.id}/units?sort=name", headers=auth(organiser))
    assert resp.status_code == 400 and "sort" in resp.json["error"]["fields"]


# --- POST /rounds/{id}/publish and /unpublish -------------------------------------------------------------

def test_publish_and_unpublish(client, unit, organiser):
    round_ = gen_round()
    fill(round_, unit)
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard").status_code == 404
    resp = client.post(f"/api/v1/rounds/{round_.id}/publish", headers=auth(organiser))
    assert resp.status_code == 200, resp.json
    assert resp.json["published"] is True
    published_at = datetime.fromisoformat(resp.json["published_at"])
    assert abs(published_at - utcnow()) < timedelta(minutes=1)
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard")
    assert board.status_code == 200 and board.json["final"] is True and board.json["published"] is True
    resp = client.post(f"/api/v1/rounds/{round_.id}/unpublish", headers=auth(organiser))
    assert resp.status_code == 200
    assert resp.json == {"published": False, "published_at": None}
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard").status_code == 404
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "round", AuditEntry.target_id == str(round_.id)).order_by(AuditEntry.id)).all()
    assert actions == ["round_published", "round_unpublished"]


@pytest.mark.parametrize(("state", "code"), [("open", "round_open"), ("upcoming", "round_upcoming")])
def test_publish_is_refused_before_the_round_closes(client, organiser, state, code):
    round_ = gen_round(state=state)
    resp = client.post(f"/api/v1/rounds/{round_.id}/publish", headers=auth(organiser))
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == code
    db.session.expire_all()
    assert db.session.get(Round, round_.id).published_at is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round_published")).all() == []


def test_only_organisers_publish(client, people):
    round_ = gen_round()
    for action in ("publish", "unpublish"):
        resp = client.post(f"/api/v1/rounds/{round_.id}/{action}", headers=auth(people["member"]))
        assert resp.status_code == 403 and resp.json["error"]["code"] == "forbidden"
        assert client.post(f"/api/v1/rounds/{round_.id}/{action}", headers=EN).status_code == 401


def test_the_endpoints_are_documented():
    paths = openapi.document()["paths"]
    assert set(paths["/rounds/{round_id}/leaderboard"]) == {"get"}
    assert set(paths["/rounds/{round_id}/leaderboard/me"]) == {"get"}
    assert set(paths["/rounds/{round_id}/units"]) == {"get"}
    assert "409" in paths["/rounds/{round_id}/publish"]["post"]["responses"]
    assert "post" in paths["/rounds/{round_id}/unpublish"]
