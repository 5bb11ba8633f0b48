"""The similarity API: GET and POST /contests/{slug}/similarity, their answers and errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.essays import checks
from contest.essays.models import EssaySettings
from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.essays.test_similarity import words
from tests.essays.test_similarity_checks import copy_of, html
from tests.quiz_factories import gen_contest

EN = {"Accept-Language": "en"}


def auth(user) -> dict:
    return {**factories.bearer(factories.gen_token(user)), **EN}


@pytest.fixture
def contest(app):
    """A writing contest with three submitted entries: B copies 40 syllables of A, C 120 of A; and a draft that
    copies A too (drafts are not compared)."""
    contest = gen_essay_contest(slug="viet-ve-tam-guong")
    original = words(1000, 300)
    gen_entry(contest, status="submitted", body_html=html(original), code="VT26-000001")
    gen_entry(contest, status="submitted", body_html=html(copy_of(original, 2)), code="VT26-000002")
    gen_entry(contest, status="submitted", body_html=html(copy_of(original, 3, start=0, length=120)),
              code="VT26-000003")
    gen_entry(contest, status="draft", body_html=html(original))
    return contest


def test_before_any_check_the_list_is_empty(contest, organiser, client):
    answer = client.get(f"/api/v1/contests/{contest.slug}/similarity", headers=auth(organiser))
    assert answer.status_code == 200
    assert answer.json == {"items": [], "total": 0, "checked_at": None}


def test_run_then_list_most_similar_first(contest, organiser, client, clock):
    answer = client.post(f"/api/v1/contests/{contest.slug}/similarity", headers=auth(organiser))
    assert answer.status_code == 200, answer.json
    assert answer.json == {"pairs": 2, "checked_at": clock.now.isoformat()}
    assert db.session.get(EssaySettings, contest.id).similarity_checked_at == clock.now
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "essay.similarity_check"))
    assert audit.actor_id == organiser.id

    listing = client.get(f"/api/v1/contests/{contest.slug}/similarity", headers=auth(organiser))
    assert listing.status_code == 200
    body = listing.json
    assert body["total"] == 2 and body["checked_at"] == clock.now.isoformat()
    assert [(i["a"], i["b"]) for i in body["items"]] == [("VT26-000001", "VT26-000003"),
                                                         ("VT26-000001", "VT26-000002")]
    first = body["items"][0]
    assert first["similarity"] == pytest.approx(0.4) and first["shared_words"] == 120 and first["passages"] == 1
    assert 0 < body["items"][1]["similarity"] < first["similarity"]
    paged = client.get(f"/api/v1/contests/{contest.slug}/similarity?limit=1&offset=1", headers=auth(organiser))
    assert paged.json["total"] == 2 and [i["b"] for i in paged.json["items"]] == ["VT26-000002"]


def test_admins_may_run_it(contest, admin, client):
    assert client.post(f"/api/v1/contests/{contest.slug}/similarity", headers=auth(admin)).json["pairs"] == 2
    assert len(checks.pairs_of(contest)) == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_get_401_and_members_403(contest, member, judge, client, method):
    path = f"/api/v1/contests/{contest.slug}/similarity"
    answer = getattr(client, method)(path, headers=EN)
    assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"
    for user in (member, judge):
        answer = getattr(client, method)(path, headers=auth(user))
        assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
    assert db.session.get(EssaySettings, contest.id).similarity_checked_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_contests_and_quizzes_are_404(app, organiser, client, method):
    gen_contest(slug="cau-do", kind="quiz")
    for slug in ("khong-co", "cau-do"):
        answer = getattr(client, method)(f"/api/v1/contests/{slug}/similarity", headers=auth(organiser))
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_the_session_cookie_needs_the_csrf_header_to_run_it(contest, app, organiser):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client(user=organiser)
    answer = client.post(f"/api/v1/contests/{contest.slug}/similarity", headers=EN)
    assert answer.status_code == 400 and answer.json["error"]["code"] == "csrf_failed"
    assert checks.pairs_of(contest) == []
