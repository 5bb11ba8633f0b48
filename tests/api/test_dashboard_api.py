"""GET /api/v1/contests/{slug}/dashboard: the dashboard's figures as JSON for organisers (dates ISO, numbers);
401 anonymous, 403 members, 404 unknown contests and rounds, 400 a round that is not a number."""

from __future__ import annotations

from tests import factories
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_contest,
)
from tests.quiz.board_factories import gen_round as gen_quiz_round
from tests.results.test_dashboard import essay, quiz  # noqa: F401  (fixtures)


def url(contest, query: str = "") -> str:
    return f"/api/v1/contests/{contest.slug}/dashboard" + (f"?{query}" if query else "")


def test_quiz_dashboard(quiz, organiser_client):  # noqa: F811
    resp = organiser_client.get(url(quiz["contest"]))
    assert resp.status_code == 200
    body = resp.json
    assert body["contest"] == {"slug": quiz["contest"].slug, "title": quiz["contest"].title, "kind": "quiz"}
    assert body["kind"] == "quiz" and body["round_id"] is None
    assert body["totals"] == {"rounds": 2, "participants": 5, "attempts": 7}
    assert body["by_day"][0] == {"date": "2026-05-03", "attempts": 1, "participants": 1}
    assert [d["date"] for d in body["by_day"]] == ["2026-05-03", "2026-05-04", "2026-05-05", "2026-05-06",
                                                   "2026-05-07"]
    first = body["rounds"][0]
    assert (first["opens_at"], first["closes_at"]) == ("2026-05-02T17:00:00+00:00", "2026-05-06T17:00:00+00:00")
    assert (first["participants"], first["attempts"], first["all_correct"], first["mean_share"]) == (4, 4, 1, 0.5625)
    assert [(u["name"], u["participants"], u["members"]) for u in body["units"]] == [
        ("Quận Ba Đình", 5, 6), ("Phường Kim Mã", 3, 3), ("Phường Ngọc Hà", 2, 3)]
    assert body["scores"]["by"] == "share" and body["scores"]["items"][-1] == {
        "label": "100%", "from": 100, "to": 100, "count": 3}


def test_quiz_dashboard_of_one_round(quiz, organiser_client):  # noqa: F811
    body = organiser_client.get(url(quiz["contest"], f"round={quiz['r2'].id}")).json
    assert body["round_id"] == quiz["r2"].id
    assert body["scores"]["by"] == "correct"
    assert [i["count"] for i in body["scores"]["items"]] == [0, 1, 0, 0, 0, 2]


def test_essay_dashboard(essay, admin_client):  # noqa: F811
    body = admin_client.get(url(essay["world"].contest)).json
    assert body["kind"] == "essay"
    assert body["totals"] == {"entries": 8, "submitted": 5, "writers": 5, "drafts": 1}
    assert body["by_day"][0] == {"date": "2026-05-16", "entries": 1, "writers": 1}
    assert body["statuses"] == [{"status": "draft", "count": 1}, {"status": "submitted", "count": 5},
                                {"status": "withdrawn", "count": 1}, {"status": "disqualified", "count": 1}]
    [judging] = body["judging"]
    assert (judging["assignments"], judging["pending"], judging["draft"], judging["submitted"]) == (10, 6, 1, 3)
    assert judging["done_share"] == 0.3
    assert body["scores"]["round_id"] == essay["round"].id and body["scores"]["scored"] == 2


def test_access_and_errors(quiz, organiser_client, member_client, client, app):  # noqa: F811
    contest = quiz["contest"]
    assert client.get(url(contest)).status_code == 401
    assert member_client.get(url(contest)).status_code == 403
    missing = organiser_client.get("/api/v1/contests/khong-co/dashboard")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    bad = organiser_client.get(url(contest, "round=abc"))
    assert bad.status_code == 400 and "round" in bad.json["error"]["fields"]
    other = gen_quiz_round(gen_contest())
    assert organiser_client.get(url(contest, f"round={other.id}")).status_code == 404
    token = factories.gen_token(factories.gen_user(roles=["organiser"]))
    assert client.get(url(contest), headers=factories.bearer(token)).status_code == 200
    draft = gen_contest(status="draft")
    assert organiser_client.get(url(draft)).status_code == 200  # organisers see drafts too
