"""Writing contests through the API: every endpoint of API.md's writing part, its errors, and who may call it
(another author's entry is a 404, members on organiser endpoints a 403, anonymous callers a 401)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.essays.models import Entry
from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.essays.conftest import text
from tests.quiz_factories import T0, gen_contest

EN = {"Accept-Language": "en"}


@pytest.fixture
def contest(app):
    return gen_essay_contest(slug="viet-ve-bac", categories=[{"name": "Cán bộ, đảng viên", "min_words": 10,
                                                             "max_words": 50}])


@pytest.fixture
def category_id(contest):
    from contest.essays.services import categories_of

    return categories_of(contest)[0].id


def create(client, category_id, **fields):
    return client.post("/api/v1/contests/viet-ve-bac/entries",
                       json={"title": "Người bí thư chi bộ", "category_id": category_id, **fields})


def ready(client, category_id, words=20):
    resp = create(client, category_id, subject_name="Nguyễn Văn Lâm", body_html=text(words))
    assert resp.status_code == 201, resp.json
    return resp.json


def error(resp):
    return resp.json["error"]["code"]


# --- categories -------------------------------------------------------------------------------------------

def test_categories(organiser_client, member_client, client, contest, category_id):
    resp = organiser_client.post("/api/v1/contests/viet-ve-bac/categories",
                                 json={"name": "Học sinh, sinh viên", "min_words": 800, "max_words": 2500})
    assert resp.status_code == 201
    new = resp.json
    assert new["name"] == "Học sinh, sinh viên" and (new["min_words"], new["max_words"]) == (800, 2500)
    listed = client.get("/api/v1/contests/viet-ve-bac/categories").json
    assert listed["total"] == 2 and [c["id"] for c in listed["items"]] == [category_id, new["id"]]
    assert organiser_client.post("/api/v1/contests/viet-ve-bac/categories",
                                 json={"name": "Học sinh, sinh viên"}).status_code == 409
    bad = organiser_client.post("/api/v1/contests/viet-ve-bac/categories",
                                json={"name": "X", "min_words": 10, "max_words": 5})
    assert bad.status_code == 422 and "max_words" in bad.json["error"]["fields"]
    assert organiser_client.post("/api/v1/contests/viet-ve-bac/categories",
                                 json={"name": "X", "min_words": "nhiều"}).status_code == 400
    patched = organiser_client.patch(f"/api/v1/categories/{new['id']}", json={"max_words": 3000})
    assert patched.status_code == 200 and patched.json["max_words"] == 3000
    assert member_client.post("/api/v1/contests/viet-ve-bac/categories", json={"name": "Y"}).status_code == 403
    assert member_client.patch(f"/api/v1/categories/{new['id']}", json={"name": "Y"}).status_code == 403
    assert member_client.delete(f"/api/v1/categories/{new['id']}").status_code == 403
    assert client.post("/api/v1/contests/viet-ve-bac/categories", json={"name": "Y"}).status_code == 401
    assert organiser_client.delete(f"/api/v1/categories/{new['id']}").status_code == 204
    assert organiser_client.delete(f"/api/v1/categories/{new['id']}").status_code == 404
    gen_entry(contest)
    in_use = organiser_client.delete(f"/api/v1/categories/{category_id}")
    assert in_use.status_code == 409 and error(in_use) == "category_in_use"
    quiz = gen_contest(slug="trac-nghiem", kind="quiz")
    assert error(organiser_client.post(f"/api/v1/contests/{quiz.slug}/categories", json={"name": "Z"})) \
        == "not_an_essay"
    assert client.get("/api/v1/contests/khong-co/categories").status_code == 404


def test_categories_of_a_draft_contest_are_hidden(client, member_client, organiser_client):
    gen_essay_contest(slug="nhap", status="draft")
    assert client.get("/api/v1/contests/nhap/categories").status_code == 404
    assert member_client.get("/api/v1/contests/nhap/categories").status_code == 404
    assert organiser_client.get("/api/v1/contests/nhap/categories").json["total"] == 1


# --- essay settings on contests ---------------------------------------------------------------------------

def test_contests_carry_their_essay_settings(organiser_client, client):
    resp = organiser_client.post("/api/v1/contests", json={
        "slug": "viet-2026", "kind": "essay", "title": "Viết về tấm gương điển hình",
        "opens_at": "2026-05-19T08:00:00+07:00", "theme": "Tấm gương quanh ta", "max_entries_per_writer": 2,
        "allow_collective": True, "rules_html": "<p>Thể lệ<script>x</script></p>"})
    assert resp.status_code == 201, resp.json
    essay = resp.json["essay"]
    assert essay["theme"] == "Tấm gương quanh ta" and essay["max_entries_per_writer"] == 2
    assert essay["allow_collective"] is True and essay["code_prefix"] == "VT26" and essay["pledge_text"]
    assert "script" not in essay["rules_html"] and essay["similarity_min_words"] == 25
    patched = organiser_client.patch("/api/v1/contests/viet-2026", json={"code_prefix": "hn26",
                                                                          "max_entries_per_writer": None})
    assert patched.status_code == 200
    assert patched.json["essay"]["code_prefix"] == "HN26" and patched.json["essay"]["max_entries_per_writer"] is None
    bad = organiser_client.patch("/api/v1/contests/viet-2026", json={"pledge_text": "", "code_prefix": "Ư"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"pledge_text", "code_prefix"}
    assert client.get("/api/v1/contests/viet-2026").json["essay"]["code_prefix"] == "HN26"
    quiz = organiser_client.post("/api/v1/contests", json={"slug": "quiz-1", "kind": "quiz", "title": "Q",
                                                          "theme": "x"})
    assert quiz.status_code == 422 and "theme" in quiz.json["error"]["fields"]
    assert client.get("/api/v1/contests/quiz-1").status_code == 404  # nothing was created
    assert "essay" not in organiser_client.post("/api/v1/contests", json={
        "slug": "quiz-2", "kind": "quiz", "title": "Q"}).json


def test_an_essay_contest_without_settings_reads_the_defaults(client):
    gen_contest(slug="cu", kind="essay", opens_at=T0)
    assert client.get("/api/v1/contests/cu").json["essay"]["code_prefix"] == "VT26"


# --- writing ----------------------------------------------------------------------------------------------

def test_create_save_submit_withdraw(app, member_client, clock, contest, category_id):
    resp = create(member_client, category_id, body_html="<p>Mở đầu<img src=x onerror=alert(1)></p>")
    assert resp.status_code == 201
    entry = resp.json
    assert entry["status"] == "draft" and entry["version"] == 1 and entry["word_count"] == 2
    assert entry["code"] is None and "onerror" not in entry["body_html"] and entry["role"] == "author"
    assert entry["editable"] is True and entry["category"]["name"] == "Cán bộ, đảng viên"
    assert "author" not in entry  # organisers only
    eid = entry["id"]
    clock.advance(minutes=1)
    saved = member_client.patch(f"/api/v1/entries/{eid}", json={"body_html": text(20), "subject_name": "Nguyễn Văn Lâm",
                                                                "version": 1})
    assert saved.status_code == 200
    assert saved.json["version"] == 2 and saved.json["word_count"] == 20 and saved.json["saved"] is True
    assert saved.json["saved_at"] == (T0 + timedelta(minutes=1)).isoformat()
    same = member_client.patch(f"/api/v1/entries/{eid}", json={"body_html": text(20), "version": 2})
    assert same.status_code == 200 and same.json["version"] == 2 and same.json["saved"] is False
    stale = member_client.patch(f"/api/v1/entries/{eid}", json={"body_html": text(25), "version": 1}, headers=EN)
    assert stale.status_code == 409 and error(stale) == "version_conflict"
    assert stale.json["error"]["current_version"] == 2 and "newer version" in stale.json["error"]["message"]
    no_pledge = member_client.post(f"/api/v1/entries/{eid}/submit", json={"pledge": False})
    assert no_pledge.status_code == 422 and error(no_pledge) == "pledge_required"
    assert error(member_client.post(f"/api/v1/entries/{eid}/submit", json={})) == "pledge_required"
    submitted = member_client.post(f"/api/v1/entries/{eid}/submit", json={"pledge": True, "publish_consent": True})
    assert submitted.status_code == 200
    body = submitted.json
    assert body["status"] == "submitted" and body["code"].startswith("VT26-") and len(body["code"]) == 11
    assert body["submitted_at"] == (T0 + timedelta(minutes=1)).isoformat() and body["word_count"] == 20
    assert body["submitted_version"] == 2 and body["publish_consent"] is True
    assert app.extensions["contest_outbox"][-1].get_content().count(body["code"]) >= 1
    withdrawn = member_client.post(f"/api/v1/entries/{eid}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert withdrawn.json["code"] == body["code"]
    again = member_client.post(f"/api/v1/entries/{eid}/withdraw")
    assert again.status_code == 409 and error(again) == "not_submitted"


def test_create_errors(member_client, judge_client, client, clock, contest, category_id):
    missing = member_client.post("/api/v1/contests/viet-ve-bac/entries", json={})
    assert missing.status_code == 422 and set(missing.json["error"]["fields"]) == {"title", "category_id"}
    assert member_client.post("/api/v1/contests/viet-ve-bac/entries", json={"title": 5}).status_code == 400
    assert member_client.post("/api/v1/contests/viet-ve-bac/entries", data="x",
                              content_type="text/plain").status_code == 415
    assert create(judge_client, category_id).status_code == 403
    assert create(client, category_id).status_code == 401
    assert member_client.post("/api/v1/contests/khong-co/entries", json={"title": "x"}).status_code == 404
    clock.set(T0 + timedelta(days=30))
    closed = create(member_client, category_id)
    assert closed.status_code == 409 and error(closed) == "contest_closed"
    clock.set(T0 - timedelta(days=2))
    assert error(create(member_client, category_id)) == "contest_not_open"


def test_word_limits_are_422_with_the_numbers(member_client, clock, contest, category_id):
    short = ready(member_client, category_id, words=5)
    resp = member_client.post(f"/api/v1/entries/{short['id']}/submit", json={"pledge": True}, headers=EN)
    assert resp.status_code == 422 and error(resp) == "too_short"
    assert resp.json["error"]["message"] == "Your entry has 5 words; this category needs 10 to 50."
    assert resp.json["error"]["word_count"] == 5 and resp.json["error"]["min_words"] == 10
    long = ready(member_client, category_id, words=51)
    resp = member_client.post(f"/api/v1/entries/{long['id']}/submit", json={"pledge": True})
    assert resp.status_code == 422 and error(resp) == "too_long"
    incomplete = create(member_client, category_id).json
    resp = member_client.post(f"/api/v1/entries/{incomplete['id']}/submit", json={"pledge": True})
    assert resp.status_code == 422 and error(resp) == "incomplete"
    assert set(resp.json["error"]["fields"]) == {"subject_name", "body_html"}


def test_after_the_close_everything_the_author_does_is_409(member_client, clock, contest, category_id):
    entry = ready(member_client, category_id)
    eid = entry["id"]
    assert member_client.post(f"/api/v1/entries/{eid}/submit", json={"pledge": True}).status_code == 200
    clock.set(T0 + timedelta(days=30))
    for resp in (member_client.patch(f"/api/v1/entries/{eid}", json={"title": "Muộn"}),
                 member_client.post(f"/api/v1/entries/{eid}/submit", json={"pledge": True}),
                 member_client.post(f"/api/v1/entries/{eid}/withdraw"),
                 member_client.post(f"/api/v1/entries/{eid}/restore", json={"version": 1})):
        assert resp.status_code == 409 and error(resp) == "contest_closed"
    read = member_client.get(f"/api/v1/entries/{eid}").json
    assert read["status"] == "submitted" and read["editable"] is False and read["submissions"] == "closed"


def test_entry_limit_is_409(member_client, clock, category_id, contest):
    from contest.essays.models import EssaySettings

    db.session.get(EssaySettings, contest.id).max_entries_per_writer = 1
    db.session.commit()
    first, second = ready(member_client, category_id), ready(member_client, category_id)
    assert member_client.post(f"/api/v1/entries/{first['id']}/submit", json={"pledge": True}).status_code == 200
    resp = member_client.post(f"/api/v1/entries/{second['id']}/submit", json={"pledge": True})
    assert resp.status_code == 409 and error(resp) == "entry_limit"


# --- reading and access -----------------------------------------------------------------------------------

def test_who_sees_an_entry(app, member_client, organiser_client, judge_client, client, clock, contest, category_id,
                           member, organiser):
    entry = ready(member_client, category_id)
    eid = entry["id"]
    stranger = app.test_client(user=factories.gen_user())
    for path in (f"/api/v1/entries/{eid}", f"/api/v1/entries/{eid}/versions", f"/api/v1/entries/{eid}/versions/1"):
        assert stranger.get(path).status_code == 404
        assert judge_client.get(path).status_code == 404
        assert client.get(path).status_code == 401
        assert member_client.get(path).status_code == 200
        assert organiser_client.get(path).status_code == 200
    assert stranger.patch(f"/api/v1/entries/{eid}", json={"title": "Của tôi"}).status_code == 404
    assert stranger.post(f"/api/v1/entries/{eid}/submit", json={"pledge": True}).status_code == 404
    assert stranger.post(f"/api/v1/entries/{eid}/withdraw").status_code == 404
    seen = organiser_client.get(f"/api/v1/entries/{eid}").json
    assert seen["author"] == {"id": member.id, "full_name": member.full_name, "email": member.email}
    assert seen["unit"]["id"] == member.unit_id and seen["role"] == "organiser" and seen["editable"] is False
    edit = organiser_client.patch(f"/api/v1/entries/{eid}", json={"title": "Sửa hộ"})
    assert edit.status_code == 403 and error(edit) == "not_author"
    assert member_client.get("/api/v1/entries/999999").status_code == 404


def test_coauthors_read_but_do_not_write(app, member_client, clock, category_id, contest):
    from contest.essays.models import EssaySettings

    db.session.get(EssaySettings, contest.id).allow_collective = True
    db.session.commit()
    friend = factories.gen_user(email="hoa@example.com")
    entry = ready(member_client, category_id)
    resp = member_client.patch(f"/api/v1/entries/{entry['id']}", json={"coauthors": [
        {"full_name": "Trần Thị Hoa", "email": "HOA@example.com"}, {"full_name": "Lê Văn Nam"}]})
    assert resp.status_code == 200
    assert resp.json["coauthors"] == [
        {"full_name": "Trần Thị Hoa", "email": "hoa@example.com", "unit_id": None, "has_account": True},
        {"full_name": "Lê Văn Nam", "email": "", "unit_id": None, "has_account": False}]
    friend_client = app.test_client(user=friend)
    read = friend_client.get(f"/api/v1/entries/{entry['id']}")
    assert read.status_code == 200 and read.json["role"] == "coauthor" and read.json["editable"] is False
    assert "email" not in read.json["coauthors"][0]
    assert friend_client.patch(f"/api/v1/entries/{entry['id']}", json={"title": "x"}).status_code == 403
    mine = friend_client.get("/api/v1/me/entries").json
    assert mine["total"] == 1 and mine["items"][0]["role"] == "coauthor"
    too_many = member_client.patch(f"/api/v1/entries/{entry['id']}",
                                   json={"coauthors": [{"full_name": f"N{i}"} for i in range(11)]})
    assert too_many.status_code == 422


def test_versions_and_restore(member_client, clock, category_id, contest):
    entry = create(member_client, category_id, body_html="<p>bản một</p>").json
    eid = entry["id"]
    clock.advance(minutes=1)
    member_client.patch(f"/api/v1/entries/{eid}", json={"body_html": "<p>bản hai dài hơn</p>", "version": 1})
    versions = member_client.get(f"/api/v1/entries/{eid}/versions").json
    assert versions["total"] == 2
    assert [(v["version"], v["word_count"]) for v in versions["items"]] == [(2, 4), (1, 2)]
    assert versions["items"][0]["saved_at"] == (T0 + timedelta(minutes=1)).isoformat()
    one = member_client.get(f"/api/v1/entries/{eid}/versions/1").json
    assert one["body_html"] == "<p>bản một</p>" and one["version"] == 1
    assert member_client.get(f"/api/v1/entries/{eid}/versions/7").status_code == 404
    restored = member_client.post(f"/api/v1/entries/{eid}/restore", json={"version": 1, "base_version": 2})
    assert restored.status_code == 200 and restored.json["version"] == 3
    assert restored.json["body_html"] == "<p>bản một</p>"
    stale = member_client.post(f"/api/v1/entries/{eid}/restore", json={"version": 1, "base_version": 2})
    assert stale.status_code == 409 and error(stale) == "version_conflict"
    assert member_client.post(f"/api/v1/entries/{eid}/restore", json={}).status_code == 422
    assert member_client.post(f"/api/v1/entries/{eid}/restore", json={"version": 99}).status_code == 404


def test_my_entries(member_client, client, clock, category_id, contest, member):
    first = create(member_client, category_id).json
    other = gen_essay_contest(slug="khac")
    gen_entry(other, member)
    gen_entry(contest)  # someone else's
    assert member_client.get("/api/v1/me/entries").json["total"] == 2
    mine = member_client.get("/api/v1/me/entries?contest=viet-ve-bac").json
    assert mine["total"] == 1 and mine["items"][0]["id"] == first["id"] and mine["items"][0]["role"] == "author"
    assert member_client.get("/api/v1/me/entries?contest=khong-co").status_code == 404
    assert client.get("/api/v1/me/entries").status_code == 401


# --- attachments ------------------------------------------------------------------------------------------

def png_bytes(size=(40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, eid, data, name="anh.png", content_type="multipart/form-data"):
    return client.post(f"/api/v1/entries/{eid}/attachments", data={"file": (io.BytesIO(data), name)},
                       content_type=content_type)


def test_attachments(app, member_client, organiser_client, clock, category_id, contest, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    eid = create(member_client, category_id).json["id"]
    resp = upload(member_client, eid, png_bytes())
    assert resp.status_code == 201, resp.json
    att = resp.json
    assert att["kind"] == "image" and (att["width"], att["height"]) == (40, 30) and att["name"] == "anh.png"
    assert att["url"] == f"/essays/files/{att['key']}" and att["size"] > 0
    html = f'<p>Ảnh <img src="{att["url"]}" alt="Bác Lâm"></p>'
    saved = member_client.patch(f"/api/v1/entries/{eid}", json={"body_html": html}).json
    assert att["key"] in saved["body_html"] and [a["id"] for a in saved["attachments"]] == [att["id"]]
    bad = upload(member_client, eid, b"<svg onload=alert(1)></svg>", name="anh.png")
    assert bad.status_code in (415, 422)
    assert member_client.post(f"/api/v1/entries/{eid}/attachments", json={}).status_code == 415
    assert member_client.post(f"/api/v1/entries/{eid}/attachments", data={},
                              content_type="multipart/form-data").status_code == 400
    assert upload(organiser_client, eid, png_bytes()).status_code == 403
    assert upload(app.test_client(user=factories.gen_user()), eid, png_bytes()).status_code == 404
    assert member_client.delete(f"/api/v1/entries/{eid}/attachments/{att['id']}").status_code == 204
    assert member_client.delete(f"/api/v1/entries/{eid}/attachments/{att['id']}").status_code == 404
    assert member_client.get(f"/api/v1/entries/{eid}").json["attachments"] == []


def test_at_most_ten_attachments(app, member_client, clock, category_id, contest, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    eid = create(member_client, category_id).json["id"]
    data = png_bytes()
    for _ in range(10):
        assert upload(member_client, eid, data).status_code == 201
    resp = upload(member_client, eid, data)
    assert resp.status_code == 409 and error(resp) == "attachment_limit"


# --- organisers -------------------------------------------------------------------------------------------

def test_organisers_list_entries_with_filters(organiser_client, member_client, judge_client, client, contest,
                                              category_id):
    ward = factories.gen_unit("Phường Ba Đình")
    lan = factories.gen_user(full_name="Hoàng Thị Lan", unit=factories.gen_unit("Chi bộ số 5", parent=ward))
    a = gen_entry(contest, lan, status="submitted", title="Người giữ lửa ở Đống Đa")
    b = gen_entry(contest, status="draft", title="Cô giáo vùng cao")
    resp = organiser_client.get("/api/v1/contests/viet-ve-bac/entries")
    assert resp.status_code == 200 and resp.json["total"] == 2
    item = resp.json["items"][1]
    assert item["id"] == a.id and item["author"] == {"id": lan.id, "full_name": "Hoàng Thị Lan", "email": lan.email}
    assert item["unit"]["name"] == "Chi bộ số 5" and item["code"] == a.code and item["flagged"] is False
    assert [i["id"] for i in organiser_client.get(
        f"/api/v1/contests/viet-ve-bac/entries?unit_id={ward.id}").json["items"]] == [a.id]
    assert [i["id"] for i in organiser_client.get(
        "/api/v1/contests/viet-ve-bac/entries?status=draft").json["items"]] == [b.id]
    assert [i["id"] for i in organiser_client.get(
        "/api/v1/contests/viet-ve-bac/entries?q=dong+da").json["items"]] == [a.id]
    assert [i["id"] for i in organiser_client.get(
        f"/api/v1/contests/viet-ve-bac/entries?category_id={category_id}&limit=1&offset=1").json["items"]] == [a.id]
    assert organiser_client.get("/api/v1/contests/viet-ve-bac/entries?flagged=false").json["total"] == 2
    for bad in ("status=zzz", "flagged=maybe", "unit_id=abc", "limit=0"):
        assert organiser_client.get(f"/api/v1/contests/viet-ve-bac/entries?{bad}").status_code == 400, bad
    assert member_client.get("/api/v1/contests/viet-ve-bac/entries").status_code == 403
    assert judge_client.get("/api/v1/contests/viet-ve-bac/entries").status_code == 403
    assert client.get("/api/v1/contests/viet-ve-bac/entries").status_code == 401
    assert judge_client.get(f"/api/v1/entries/{a.id}").status_code == 404


def test_disqualify_and_reinstate(app, organiser_client, member_client, clock, contest, category_id, member):
    eid = ready(member_client, category_id)["id"]
    member_client.post(f"/api/v1/entries/{eid}/submit", json={"pledge": True})
    assert member_client.post(f"/api/v1/entries/{eid}/disqualify", json={"reason": "x"}).status_code == 403
    assert member_client.post(f"/api/v1/entries/{eid}/reinstate").status_code == 403
    assert organiser_client.post(f"/api/v1/entries/{eid}/disqualify", json={}).status_code == 422
    resp = organiser_client.post(f"/api/v1/entries/{eid}/disqualify", json={"reason": "Sao chép bài báo."})
    assert resp.status_code == 200 and resp.json["status"] == "disqualified"
    assert resp.json["disqualified_reason"] == "Sao chép bài báo."
    assert app.extensions["contest_outbox"][-1]["To"] == member.email
    mine = member_client.get(f"/api/v1/entries/{eid}").json
    assert mine["status"] == "disqualified" and mine["disqualified_reason"] == "Sao chép bài báo."
    assert mine["editable"] is False
    assert error(organiser_client.post(f"/api/v1/entries/{eid}/disqualify", json={"reason": "x"})) \
        == "already_disqualified"
    back = organiser_client.post(f"/api/v1/entries/{eid}/reinstate")
    assert back.status_code == 200 and back.json["status"] == "submitted"
    assert error(organiser_client.post(f"/api/v1/entries/{eid}/reinstate")) == "not_disqualified"
    assert organiser_client.post("/api/v1/entries/999999/reinstate").status_code == 404


def test_export(organiser_client, member_client, contest):
    gen_entry(contest, status="submitted", title="Người giữ lửa")
    resp = organiser_client.get("/api/v1/contests/viet-ve-bac/entries/export?format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "Người giữ lửa" in resp.data.decode("utf-8-sig")
    assert "attachment" in resp.headers["Content-Disposition"]
    xlsx = organiser_client.get("/api/v1/contests/viet-ve-bac/entries/export")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert organiser_client.get("/api/v1/contests/viet-ve-bac/entries/export?format=pdf").status_code == 400
    assert member_client.get("/api/v1/contests/viet-ve-bac/entries/export").status_code == 403
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "essay.export")).all()) == 2


def test_the_api_writes_each_save_as_a_version_row(member_client, clock, category_id, contest):
    eid = create(member_client, category_id).json["id"]
    for n in range(2, 5):
        member_client.patch(f"/api/v1/entries/{eid}", json={"body_html": text(n), "version": n - 1})
    db.session.expire_all()
    assert db.session.get(Entry, eid).version == 4
