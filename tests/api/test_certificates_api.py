"""Certificates through the API: verification (found, revoked with reason, unknown and unpublished 404, rate
limited), PDF downloads (holder, organiser; others 404), the organisers' list, ZIP and revocation (members 403,
reason required, twice 409), a member's own results, participation certificates and their refusals."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.results.models import Certificate
from tests import factories
from tests.judging_factories import COAUTHOR_NAME, gen_world
from tests.quiz.board_factories import gen_attempt
from tests.results.test_issuing import publish, quiz_world, settings_of


def error(resp):
    return resp.json["error"]["code"]


@pytest.fixture
def quiz(app):
    w = quiz_world()
    for user, correct in ((w["winner"], 10), (w["other"], 7)):
        gen_attempt(w["round"], user, correct=correct, total=10)
    db.session.commit()
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]}], w["organiser"],
                    masking="initials")
    w["cert"] = next(iter(certs.values()))[0]
    return w


def test_verification_by_code(client, quiz):
    cert = quiz["cert"]
    resp = client.get(f"/api/v1/certificates/{cert.code.lower()}")
    assert resp.status_code == 200
    body = resp.json
    assert body["code"] == cert.code and body["name"] == "Nguyễn Thị Ánh Tuyết"
    assert body["contest"] == quiz["contest"].title and body["award"] == "Giải Nhất"
    assert body["unit"] == "Phường Ba Đình" and body["detail"] == "Tuần 1"
    assert body["issued_at"].endswith("+00:00") and body["revoked"] is False and body["revoked_at"] is None
    assert body["verify_url"] == f"http://localhost/verify/{cert.code}"
    en = client.get(f"/api/v1/certificates/{cert.code}", headers={"Accept-Language": "en"})
    assert en.json["award"] == "First prize"


def test_a_revoked_certificate_answers_as_revoked_with_its_reason(app, quiz):
    organiser = app.test_client(user=quiz["organiser"])
    cert = quiz["cert"]
    assert error(organiser.post(f"/api/v1/certificates/{cert.code}/revoke", json={})) == "reason_required"
    assert organiser.post(f"/api/v1/certificates/{cert.code}/revoke", json={"reason": 5}).status_code == 400
    resp = organiser.post(f"/api/v1/certificates/{cert.code}/revoke", json={"reason": "Gian lận"})
    assert resp.status_code == 200 and resp.json["revoked"] is True and resp.json["id"] == cert.id
    again = organiser.post(f"/api/v1/certificates/{cert.code}/revoke", json={"reason": "Lần nữa"})
    assert again.status_code == 409 and error(again) == "already_revoked"
    body = app.test_client().get(f"/api/v1/certificates/{cert.code}").json
    assert body["revoked"] is True and body["revoked_reason"] == "Gian lận" and body["revoked_at"]
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "certificate_revoked")) == 1
    assert organiser.post("/api/v1/certificates/GCN-ZZZZZZZZ/revoke", json={"reason": "x"}).status_code == 404


def test_unknown_and_unpublished_are_404(client, quiz):
    assert client.get("/api/v1/certificates/GCN-ZZZZZZZZ").status_code == 404
    settings_of(quiz["contest"], published_at=None)
    db.session.commit()
    resp = client.get(f"/api/v1/certificates/{quiz['cert'].code}")
    assert resp.status_code == 404 and "Nguyễn" not in resp.get_data(as_text=True)


def test_lookups_share_the_pages_rate_limit(client, quiz):
    for _ in range(10):
        client.get("/api/v1/certificates/GCN-ZZZZZZZZ")
        client.get("/verify/GCN-ZZZZZZZZ")
    resp = client.get(f"/api/v1/certificates/{quiz['cert'].code}")
    assert resp.status_code == 429 and error(resp) == "rate_limited"


def test_pdf_for_the_holder_and_organisers_only(app, client, quiz):
    code = quiz["cert"].code
    holder = app.test_client(user=quiz["winner"])
    resp = holder.get(f"/api/v1/certificates/{code}/pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "Nguyễn Thị Ánh Tuyết" in PdfReader(io.BytesIO(resp.data)).pages[0].extract_text()
    assert app.test_client(user=quiz["other"]).get(f"/api/v1/certificates/{code}/pdf").status_code == 404
    assert client.get(f"/api/v1/certificates/{code}/pdf").status_code == 401
    token = factories.gen_token(quiz["organiser"])
    assert client.get(f"/api/v1/certificates/{code}/pdf", headers=factories.bearer(token)).status_code == 200


def test_the_organisers_list_and_zip(app, quiz):
    organiser = app.test_client(user=quiz["organiser"])
    slug = quiz["contest"].slug
    page = organiser.get(f"/api/v1/contests/{slug}/certificates?limit=1")
    assert page.status_code == 200 and page.json["total"] == 1
    item = page.json["items"][0]
    assert item["code"] == quiz["cert"].code and item["user_id"] == quiz["winner"].id
    assert organiser.get(f"/api/v1/contests/{slug}/certificates?limit=0").status_code == 400
    resp = organiser.get(f"/api/v1/contests/{slug}/certificates.zip")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(resp.data)).namelist() == [f"{quiz['cert'].code} - Nguyen Thi Anh Tuyet.pdf"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificates_downloaded")) is not None
    assert organiser.get("/api/v1/contests/nope/certificates").status_code == 404
    assert organiser.get(f"/api/v1/contests/{slug}/certificates.zip?kind=bogus").status_code == 400
    resp = organiser.get(f"/api/v1/contests/{slug}/certificates.zip?kind=participation")
    assert resp.status_code == 404 and error(resp) == "no_certificates"
    app.test_client(user=quiz["other"]).post(f"/api/v1/rounds/{quiz['round'].id}/participation-certificate")
    resp = organiser.get(f"/api/v1/contests/{slug}/certificates.zip?kind=participation")
    assert [n.split(" - ")[1] for n in zipfile.ZipFile(io.BytesIO(resp.data)).namelist()] == ["Tran Van Binh.pdf"]
    assert len(zipfile.ZipFile(io.BytesIO(organiser.get(f"/api/v1/contests/{slug}/certificates.zip").data))
               .namelist()) == 2


def test_members_are_refused_on_organiser_endpoints(app, client, quiz):
    member = app.test_client(user=quiz["winner"])
    slug, code = quiz["contest"].slug, quiz["cert"].code
    assert member.get(f"/api/v1/contests/{slug}/certificates").status_code == 403
    assert member.get(f"/api/v1/contests/{slug}/certificates.zip").status_code == 403
    assert member.post(f"/api/v1/certificates/{code}/revoke", json={"reason": "x"}).status_code == 403
    assert client.get(f"/api/v1/contests/{slug}/certificates").status_code == 401
    assert db.session.get(Certificate, quiz["cert"].id).revoked_at is None


def test_the_zip_is_404_without_certificates(app):
    w = quiz_world()
    resp = app.test_client(user=w["organiser"]).get(f"/api/v1/contests/{w['contest'].slug}/certificates.zip")
    assert resp.status_code == 404 and error(resp) == "no_certificates"


def test_my_results(app, client, quiz):
    resp = app.test_client(user=quiz["winner"]).get("/api/v1/me/results")
    assert resp.status_code == 200
    body = resp.json
    [round_] = body["rounds"]
    assert (round_["round"], round_["rank"], round_["participants"], round_["rank_kind"]) == ("Tuần 1", 1, 2,
                                                                                              "published")
    assert round_["correct"] == 10 and round_["participation_offered"] is True
    assert round_["participation_certificate"] is None
    [award] = body["awards"]
    assert award["tier"] == "first" and award["certificate_code"] == quiz["cert"].code
    assert [c["code"] for c in body["certificates"]] == [quiz["cert"].code]
    assert body["entries"] == []
    other = app.test_client(user=quiz["other"]).get("/api/v1/me/results").json
    assert other["awards"] == [] and other["certificates"] == [] and other["rounds"][0]["rank"] == 2
    assert client.get("/api/v1/me/results").status_code == 401


def test_my_results_of_a_coauthor(app):
    world = gen_world(entries=2, judges=1)
    certs = publish(world.contest, [{"tier": "second", "entry": world.entries[0]}], world.organiser)
    _author, mine = next(iter(certs.values()))
    body = app.test_client(user=world.coauthor).get("/api/v1/me/results").json
    assert [e["code"] for e in body["entries"]] == [world.entries[0].code]
    assert body["entries"][0]["author"] is False
    assert [a["certificate_code"] for a in body["awards"]] == [mine.code]
    assert [(c["name"], c["code"]) for c in body["certificates"]] == [(COAUTHOR_NAME, mine.code)]


def test_participation_certificates(app, quiz):
    member = app.test_client(user=quiz["other"])
    url = f"/api/v1/rounds/{quiz['round'].id}/participation-certificate"
    first = member.post(url)
    assert first.status_code == 201 and first.json["kind"] == "participation" and first.json["name"] == "Trần Văn Bình"
    again = member.post(url)
    assert again.status_code == 200 and again.json["code"] == first.json["code"]
    stranger = app.test_client(user=factories.gen_user(email="la@example.com"))
    resp = stranger.post(url)
    assert resp.status_code == 404 and error(resp) == "no_result"
    assert member.post("/api/v1/rounds/999999/participation-certificate").status_code == 404
    quiz["round"].published_at = None
    db.session.commit()
    resp = member.post(url)
    assert resp.status_code == 409 and error(resp) == "round_not_published"
    settings_of(quiz["contest"], participation_certificates=False)
    db.session.commit()
    resp = member.post(url)
    assert resp.status_code == 409 and error(resp) == "participation_not_offered"
    assert app.test_client().post(url).status_code == 401
