"""Results through the API: awards (get, replace, proposal), result settings, publishing and the published results
— every endpoint of API.md's results part and its errors (anonymous 401, a member 403, 404, 400, 409, 422), the
snapshot (a change shows only after publishing again) and name masking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.quiz_factories import T0
from tests.results.test_awards import _contest_of, final_quiz, scored_essay


@pytest.fixture
def world(app):
    return scored_essay()


@pytest.fixture
def org(app, world):
    return app.test_client(user=world.organiser)


def url(contest, tail: str) -> str:
    return f"/api/v1/contests/{contest.slug}/{tail}"


def code(resp) -> str:
    return resp.json["error"]["code"]


ORGANISER_ENDPOINTS = [("get", "awards"), ("put", "awards"), ("get", "awards/proposal"), ("post", "publish"),
                       ("post", "unpublish"), ("get", "result-settings"), ("patch", "result-settings")]


@pytest.mark.parametrize(("method", "tail"), ORGANISER_ENDPOINTS)
def test_organiser_endpoints_refuse_anonymous_and_members(app, world, member_client, method, tail):
    body = {"json": {"awards": []}} if method in ("put", "patch") else {}
    assert getattr(app.test_client(), method)(url(world.contest, tail), **body).status_code == 401
    resp = getattr(member_client, method)(url(world.contest, tail), **body)
    assert resp.status_code == 403 and code(resp) == "forbidden"
    assert getattr(app.test_client(user=world.organiser), method)("/api/v1/contests/khong-co/" + tail,
                                                                  **body).status_code == 404


def test_put_and_get_awards(world, org):
    e = world.entries
    resp = org.put(url(world.contest, "awards"), json={"awards": [
        {"tier": "second", "entry_code": e[2].code},
        {"tier": "first", "entry_code": e[0].code},
        {"tier": "special", "unit_id": world.units[1].id, "label": "Đơn vị xuất sắc"}]})
    assert resp.status_code == 200, resp.json
    assert [(a["tier"], a["holder"]) for a in resp.json["awards"]] == [("special", "unit"), ("first", "entry"),
                                                                         ("second", "entry")]
    first = resp.json["awards"][1]
    assert first["name"] == f"{world.writers[0].full_name}, {world.coauthor.full_name}"
    assert first["entry_code"] == e[0].code and first["user_ids"] == [world.writers[0].id, world.coauthor.id]
    assert resp.json["published_at"] is None and resp.json["changed_since_publication"] is False
    assert org.get(url(world.contest, "awards")).json == resp.json


@pytest.mark.parametrize("body", [
    {"awards": {"tier": "first"}}, {"awards": "first"}, {}, {"awards": ["first"]},
    {"awards": [{"tier": 1, "entry_code": "X"}]}, {"awards": [{"tier": "first", "unit_id": "một"}]},
    {"awards": [{"tier": "first", "entry_code": 12}]},
])
def test_malformed_awards_are_400(world, org, body):
    resp = org.put(url(world.contest, "awards"), json=body)
    assert resp.status_code == 400


def test_not_json_is_refused(world, org):
    resp = org.put(url(world.contest, "awards"), data="{awards", content_type="application/json")
    assert resp.status_code == 400 and code(resp) == "invalid_json"


def test_invalid_awards_are_422_per_item_and_change_nothing(world, org):
    e = world.entries
    org.put(url(world.contest, "awards"), json={"awards": [{"tier": "first", "entry_code": e[1].code}]})
    resp = org.put(url(world.contest, "awards"), json={"awards": [
        {"tier": "first", "entry_code": e[0].code}, {"tier": "gold", "entry_code": e[2].code},
        {"tier": "second", "entry_code": "KHONG-CO"}, {"tier": "third", "entry_code": e[0].code},
        {"tier": "third", "user_id": world.writers[3].id}]})
    assert resp.status_code == 422 and code(resp) == "invalid_awards"
    assert set(resp.json["error"]["fields"]) == {"awards.1.tier", "awards.2.entry_code", "awards.3.entry_code",
                                                 "awards.4.user_id"}
    assert [a["entry_code"] for a in org.get(url(world.contest, "awards")).json["awards"]] == [e[1].code]


def test_proposal_then_publish_then_results(app, world, org):
    resp = org.get(url(world.contest, "awards/proposal"))
    assert resp.status_code == 200
    proposal = resp.json
    assert proposal["kind"] == "essay" and proposal["round"]["stage"] == "final"
    # Default counts: 1 first, 2 second, 3 third; the tie of entries 2 and 3 falls within second.
    assert [i["tier"] for i in proposal["items"]] == ["first", "second", "second", "third", "third", "third"]
    assert proposal["awards"][0] == {"tier": "first", "entry_code": world.entries[1].code}
    anonymous = app.test_client()
    assert anonymous.get(url(world.contest, "results")).status_code == 404
    resp = org.post(url(world.contest, "publish"))
    assert resp.status_code == 409 and code(resp) == "no_awards"
    assert org.put(url(world.contest, "awards"), json={"awards": proposal["awards"]}).status_code == 200
    resp = org.post(url(world.contest, "publish"))
    assert resp.status_code == 200 and resp.json["published"] is True and resp.json["published_at"]
    results = anonymous.get(url(world.contest, "results"))
    assert results.status_code == 200
    assert results.json["published_at"] == resp.json["published_at"]
    awards = results.json["awards"]
    assert [a["tier"] for a in awards] == [i["tier"] for i in proposal["items"]]
    assert awards[0]["name"] == world.writers[1].full_name and awards[0]["title"] == world.entries[1].title
    assert awards[0]["certificate_code"] and awards[0]["unit"] == world.units[1].name
    assert "user_ids" not in awards[0]

    # A change shows only after publishing again.
    org.put(url(world.contest, "awards"), json={"awards": proposal["awards"][:1]})
    state = org.get(url(world.contest, "awards")).json
    assert state["changed_since_publication"] is True and state["published_at"] == resp.json["published_at"]
    assert len(anonymous.get(url(world.contest, "results")).json["awards"]) == 6
    assert org.post(url(world.contest, "publish")).status_code == 200
    assert len(anonymous.get(url(world.contest, "results")).json["awards"]) == 1

    resp = org.post(url(world.contest, "unpublish"))
    assert resp.status_code == 200 and resp.json == {"published": False, "published_at": None}
    assert anonymous.get(url(world.contest, "results")).status_code == 404
    assert org.post(url(world.contest, "unpublish")).json == {"published": False, "published_at": None}


def test_results_names_are_masked(app, world, org):
    org.put(url(world.contest, "awards"), json={"awards": [
        {"tier": "first", "entry_code": world.entries[0].code},
        {"tier": "second", "unit_id": world.units[2].id}]})
    org.post(url(world.contest, "publish"))
    for mode, name in [("partial", "Hoàng T. M. L., Vũ T. H. D."), ("initials", "H. T. M. L., V. T. H. D."),
                       ("none", "Hoàng Thị Mai Lan, Vũ Thị Hạnh Dung")]:
        assert org.patch(url(world.contest, "result-settings"), json={"name_masking": mode}).status_code == 200
        awards = app.test_client().get(url(world.contest, "results")).json["awards"]
        assert [a["name"] for a in awards] == [name, world.units[2].name]
        # Verification names holders in full, so masked results give the public no codes; organisers get them.
        public_codes = [a["certificate_code"] for a in awards]
        assert all(public_codes) if mode == "none" else public_codes == [None, None]
        assert all(a["certificate_code"] for a in org.get(url(world.contest, "results")).json["awards"])


def test_publishing_an_open_contest_is_409(app, clock, organiser):
    contest = gen_essay_contest(opens_at=T0 - timedelta(days=1), closes_at=T0 + timedelta(days=1))
    entry = gen_entry(contest, status="submitted")
    client = app.test_client(user=organiser)
    assert client.put(url(contest, "awards"), json={"awards": [{"tier": "first", "entry_code": entry.code}]}
                      ).status_code == 200
    resp = client.post(url(contest, "publish"))
    assert resp.status_code == 409 and code(resp) == "contest_open"


def test_results_of_a_draft_contest_are_404_for_the_public(app, world, org):
    org.put(url(world.contest, "awards"), json={"awards": [{"tier": "first", "entry_code": world.entries[1].code}]})
    org.post(url(world.contest, "publish"))
    world.contest.status = "draft"
    db.session.commit()
    assert app.test_client().get(url(world.contest, "results")).status_code == 404
    assert org.get(url(world.contest, "results")).status_code == 200


def test_result_settings(world, org):
    resp = org.get(url(world.contest, "result-settings"))
    assert resp.status_code == 200
    assert resp.json["award_counts"] == {"special": 0, "first": 1, "second": 2, "third": 3, "consolation": 10}
    resp = org.patch(url(world.contest, "result-settings"), json={
        "award_counts": {"first": 2}, "signer_name": "Nguyễn Văn Ký", "participation_certificates": True})
    assert resp.status_code == 200
    assert resp.json["award_counts"]["first"] == 2 and resp.json["signer_name"] == "Nguyễn Văn Ký"
    resp = org.patch(url(world.contest, "result-settings"), json={"award_counts": {"first": 5000}})
    assert resp.status_code == 422 and "award_counts.first" in resp.json["error"]["fields"]
    resp = org.patch(url(world.contest, "result-settings"), json={"participation_certificates": "yes"})
    assert resp.status_code == 400
    resp = org.patch(url(world.contest, "result-settings"), json={"name_masking": "secret"})
    assert resp.status_code == 422
    assert org.get(url(world.contest, "result-settings")).json["award_counts"]["first"] == 2


def test_quiz_awards_by_member_and_round(app, unit, admin):
    round_, _open, members = final_quiz(unit)
    contest = _contest_of(round_)
    client = app.test_client(user=admin)  # admins may do what organisers do
    proposal = client.get(url(contest, "awards/proposal")).json
    assert proposal["awards"][0] == {"tier": "first", "user_id": members[0].id, "round_id": round_.id}
    assert proposal["rounds"][0]["items"][0]["submitted_at"].endswith("+00:00")
    resp = client.put(url(contest, "awards"), json={"awards": [
        {"tier": "first", "user_id": str(members[0].id)}, {"tier": "second", "user_id": members[1].id,
                                                          "round_id": round_.id}]})
    assert resp.status_code == 200, resp.json
    assert [(a["user_ids"], a["round_id"]) for a in resp.json["awards"]] == [([members[0].id], round_.id),
                                                                            ([members[1].id], round_.id)]
    assert client.post(url(contest, "publish")).status_code == 200
    awards = app.test_client().get(url(contest, "results")).json["awards"]
    assert [(a["name"], a["title"], a["round_title"]) for a in awards] == [
        (members[0].full_name, round_.title, round_.title), (members[1].full_name, round_.title, round_.title)]


def test_a_bearer_token_works(app, world):
    token = factories.gen_token(world.organiser)
    resp = app.test_client().get(url(world.contest, "awards"), headers=factories.bearer(token))
    assert resp.status_code == 200
