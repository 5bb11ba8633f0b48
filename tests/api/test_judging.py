"""Judging through the API: every endpoint of API.md's judging part and its errors, who may call it (members 403,
anonymous 401, another judge's assignment 404), and a scan of every judge-facing answer for anything that names
the author."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.text import unaccent
from contest.extensions import db
from contest.judging import rounds
from contest.judging.models import Assignment
from tests.essay_factories import gen_entry
from tests.judging_factories import (
    COAUTHOR_NAME,
    ROUND_CLOSES,
    ROUND_OPENS,
    RUBRIC,
    assignments,
    full_scores,
    gen_round,
    gen_world,
    round_data,
    score,
)
from tests.quiz_factories import gen_contest


@pytest.fixture
def world(app):
    return gen_world()


@pytest.fixture
def now(clock):
    return clock.set(ROUND_OPENS + timedelta(hours=1))


@pytest.fixture
def org(app, world):
    return app.test_client(user=world.organiser)


@pytest.fixture
def writer_client(app, world):
    return app.test_client(user=world.writers[0])


def as_judge(app, judge):
    return app.test_client(user=judge)


def error(resp):
    return resp.json["error"]["code"]


def rounds_url(world):
    return f"/api/v1/contests/{world.contest.slug}/judging-rounds"


# --- rounds -----------------------------------------------------------------------------------------------

def test_create_read_list_and_change_a_round(world, org):
    resp = org.post(rounds_url(world), json=round_data())
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert [c["name"] for c in body["criteria"]] == [c["name"] for c in RUBRIC]
    assert all(c["id"] for c in body["criteria"]) and body["scale"] == 100
    assert body["source"] == "submitted" and body["disagreement_threshold"] == 20
    assert body["opens_at"] == ROUND_OPENS.isoformat()
    assert org.get(f"/api/v1/judging-rounds/{body['id']}").json == body
    listed = org.get(rounds_url(world)).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    final = org.post(rounds_url(world), json=round_data(
        title="Chung khảo", stage="final", source={"advance_from": body["id"], "min_score": 85},
        opens_at="2026-06-01T08:00:00+07:00", closes_at="2026-06-10T17:00:00+07:00"))
    assert final.status_code == 201
    assert final.json["source"] == {"advance_from": body["id"], "min_score": 85}
    assert final.json["opens_at"] == "2026-06-01T01:00:00+00:00"
    patched = org.patch(f"/api/v1/judging-rounds/{body['id']}", json={"title": "Sơ khảo", "judges_per_entry": 3,
                                                                       "aggregation": "zscore"})
    assert patched.status_code == 200
    assert (patched.json["title"], patched.json["judges_per_entry"], patched.json["aggregation"]) == \
        ("Sơ khảo", 3, "zscore")


def test_bad_rounds_are_refused(world, org):
    resp = org.post(rounds_url(world), json=round_data(criteria=[{"name": "Nội dung", "max_score": 0, "weight": 4}],
                                                       closes_at="2026-05-01T00:00:00+07:00"))
    assert resp.status_code == 422 and {"criteria.0", "closes_at"} <= set(resp.json["error"]["fields"])
    assert org.post(rounds_url(world), json=round_data(judges_per_entry="ba")).status_code == 400
    assert org.post(rounds_url(world), json=round_data(source=5)).status_code == 400
    assert org.post(rounds_url(world), data="{", content_type="application/json").status_code == 400
    quiz = gen_contest(slug="trac-nghiem", kind="quiz")
    resp = org.post(f"/api/v1/contests/{quiz.slug}/judging-rounds", json=round_data())
    assert resp.status_code == 409 and error(resp) == "not_an_essay"
    assert org.post("/api/v1/contests/khong-co/judging-rounds", json=round_data()).status_code == 404
    assert org.get("/api/v1/judging-rounds/999999").status_code == 404


def test_organiser_endpoints_refuse_members_judges_and_anonymous(app, world, client, writer_client, now):
    round_ = gen_round(world, assign=True)
    row = assignments(round_)[0]
    judge = as_judge(app, world.judges[0])
    calls = [
        ("post", rounds_url(world), round_data()), ("get", rounds_url(world), None),
        ("get", f"/api/v1/judging-rounds/{round_.id}", None),
        ("patch", f"/api/v1/judging-rounds/{round_.id}", {"title": "X"}),
        ("put", f"/api/v1/judging-rounds/{round_.id}/judges", {"user_ids": []}),
        ("get", f"/api/v1/judging-rounds/{round_.id}/entries", None),
        ("post", f"/api/v1/judging-rounds/{round_.id}/entries", None),
        ("post", f"/api/v1/judging-rounds/{round_.id}/assign", None),
        ("get", f"/api/v1/judging-rounds/{round_.id}/assignments", None),
        ("post", f"/api/v1/judging-rounds/{round_.id}/assignments", {"entry_code": "x", "judge_id": 1}),
        ("delete", f"/api/v1/assignments/{row.id}", None),
        ("post", f"/api/v1/assignments/{row.id}/swap", {"judge_id": 1}),
        ("post", f"/api/v1/assignments/{row.id}/reopen", {"until": "x", "reason": "x"}),
        ("get", f"/api/v1/judging-rounds/{round_.id}/conflicts", None),
        ("post", f"/api/v1/judging-rounds/{round_.id}/conflicts", {"entry_code": "x", "judge_id": 1, "reason": "x"}),
        ("get", f"/api/v1/judging-rounds/{round_.id}/results", None),
        ("get", f"/api/v1/judging-rounds/{round_.id}/progress", None),
        ("post", f"/api/v1/judging-rounds/{round_.id}/reopen", {"judge_id": 1, "until": "x", "reason": "x"}),
        ("post", f"/api/v1/judging-rounds/{round_.id}/remind", None),
        ("get", f"/api/v1/judging-rounds/{round_.id}/blind-check", None),
    ]
    for method, url, body in calls:
        for caller, status in ((writer_client, 403), (judge, 403), (client, 401)):
            kwargs = {"json": body} if body is not None else {}
            resp = getattr(caller, method)(url, **kwargs)
            assert resp.status_code == status, (method, url, status, resp.json)
    assert db.session.get(Assignment, row.id) is not None


def test_a_scored_rubric_and_a_taken_source_are_frozen(world, org, now):
    round_ = gen_round(world, assign=True)
    url = f"/api/v1/judging-rounds/{round_.id}"
    other = gen_round(world, title="Vòng khác")
    resp = org.patch(url, json={"source": {"advance_from": other.id, "top": 3}})
    assert resp.status_code == 409 and error(resp) == "entries_taken"
    score(assignments(round_)[0])
    resp = org.patch(url, json={"criteria": RUBRIC[:1]})
    assert resp.status_code == 409 and error(resp) == "round_has_scores"
    same = org.patch(url, json={"criteria": RUBRIC, "disagreement_threshold": 15})
    assert same.status_code == 200 and same.json["disagreement_threshold"] == 15
    assert [c["id"] for c in same.json["criteria"]] == [c.id for c in round_.criteria]


# --- panel, entries, assignment ---------------------------------------------------------------------------

def test_the_panel(world, org, now):
    round_ = gen_round(world, judges=[])
    url = f"/api/v1/judging-rounds/{round_.id}/judges"
    bad = org.put(url, json={"user_ids": [world.judges[0].id, world.writers[0].id]})
    assert bad.status_code == 422 and error(bad) == "not_judges"
    assert bad.json["error"]["user_ids"] == [world.writers[0].id] and "user_ids" in bad.json["error"]["fields"]
    assert org.put(url, json={"user_ids": "all"}).status_code == 400
    resp = org.put(url, json={"user_ids": [j.id for j in world.judges]})
    assert resp.status_code == 200
    assert sorted(j["id"] for j in resp.json["judges"]) == sorted(j.id for j in world.judges)
    org.post(f"/api/v1/judging-rounds/{round_.id}/assign")
    started = assignments(round_, world.judges[1])[0]
    score(started, submit=False)
    refused = org.put(url, json={"user_ids": [world.judges[0].id]})
    assert refused.status_code == 409 and error(refused) == "judge_has_started"
    assert refused.json["error"]["judge_ids"] == [world.judges[1].id]


def test_entries_and_assignment(world, org, now):
    round_ = gen_round(world)
    resp = org.post(f"/api/v1/judging-rounds/{round_.id}/assign")
    assert resp.status_code == 200
    assert resp.json == {"assignments": 2 * len(world.entries), "new": 2 * len(world.entries), "unassigned": []}
    again = org.post(f"/api/v1/judging-rounds/{round_.id}/assign").json
    assert (again["assignments"], again["new"]) == (2 * len(world.entries), 0)
    taken = org.get(f"/api/v1/judging-rounds/{round_.id}/entries").json
    assert taken["total"] == len(world.entries) and all(i["judges"] == 2 and i["version"] == 2
                                                       for i in taken["items"])
    resp = org.post(f"/api/v1/judging-rounds/{round_.id}/entries")
    assert resp.status_code == 409 and error(resp) == "entries_taken"
    listed = org.get(f"/api/v1/judging-rounds/{round_.id}/assignments?limit=500").json
    assert listed["total"] == 2 * len(world.entries)
    row = score(assignments(round_)[0], 0.5)
    one = org.get(f"/api/v1/judging-rounds/{round_.id}/assignments?entry_code={row.entry.code}").json
    assert one["total"] == 2 and {i["entry_code"] for i in one["items"]} == {row.entry.code}
    scored = next(i for i in one["items"] if i["id"] == row.id)
    assert scored["total"] == pytest.approx(50) and len(scored["scores"]) == len(RUBRIC)
    mine = org.get(f"/api/v1/judging-rounds/{round_.id}/assignments?judge_id={row.judge_id}").json
    assert {i["judge_id"] for i in mine["items"]} == {row.judge_id}
    assert org.get(f"/api/v1/judging-rounds/{round_.id}/assignments?judge_id=x").status_code == 400
    assert org.get(f"/api/v1/judging-rounds/{round_.id}/assignments?entry_code=VT26-X").status_code == 404
    short = gen_round(world, judges=world.judges[:2])
    resp = org.post(f"/api/v1/judging-rounds/{short.id}/assign").json
    assert {u["entry"] for u in resp["unassigned"]} == {e.code for e in world.entries
                                                        if e.unit_id == world.units[0].id}
    assert {u["reason"] for u in resp["unassigned"]} == {"conflicts"}


def test_entries_wait_for_the_close_of_submissions_and_of_the_source_round(world, org, clock):
    clock.set(ROUND_OPENS + timedelta(hours=1))
    first = gen_round(world)
    final = gen_round(world, stage="final", source={"advance_from": first.id, "top": 3})
    resp = org.post(f"/api/v1/judging-rounds/{final.id}/entries")
    assert resp.status_code == 409 and error(resp) == "source_round_open"
    world.contest.closes_at = ROUND_CLOSES
    db.session.commit()
    resp = org.post(f"/api/v1/judging-rounds/{first.id}/assign")
    assert resp.status_code == 409 and error(resp) == "submissions_open"


def test_manual_add_remove_and_swap(world, org, now):
    round_ = gen_round(world, judges_per_entry=1, assign=True)
    entry = next(e for e in world.entries if e.unit_id == world.units[0].id)
    holder = rounds.assignments_of(round_, entry_id=entry.id)[0]
    url = f"/api/v1/judging-rounds/{round_.id}/assignments"
    resp = org.post(url, json={"entry_code": entry.code, "judge_id": world.judges[0].id})
    assert resp.status_code == 409 and error(resp) == "conflict_of_interest"
    assert resp.json["error"]["reason"] == "same_unit"
    resp = org.post(url, json={"entry_code": entry.code, "judge_id": holder.judge_id})
    assert resp.status_code == 409 and error(resp) == "already_assigned"
    resp = org.post(url, json={"entry_code": entry.code, "judge_id": world.writers[0].id})
    assert resp.status_code == 422 and error(resp) == "not_on_panel"
    assert org.post(url, json={"entry_code": "VT26-KHONG", "judge_id": holder.judge_id}).status_code == 404
    assert org.post(url, json={"entry_code": entry.code, "judge_id": "một"}).status_code == 400
    free = [j for j in world.judges[1:] if j.id != holder.judge_id]
    added = org.post(url, json={"entry_code": entry.code, "judge_id": free[0].id})
    assert added.status_code == 201 and added.json["status"] == "pending" and added.json["judge_id"] == free[0].id
    swap = org.post(f"/api/v1/assignments/{holder.id}/swap", json={"judge_id": world.judges[0].id})
    assert swap.status_code == 409 and error(swap) == "conflict_of_interest"
    swap = org.post(f"/api/v1/assignments/{holder.id}/swap", json={"judge_id": free[1].id})
    assert swap.status_code == 200 and swap.json["judge_id"] == free[1].id
    assert org.delete(f"/api/v1/assignments/{added.json['id']}").status_code == 204
    assert org.delete(f"/api/v1/assignments/{added.json['id']}").status_code == 404
    score(db.session.get(Assignment, holder.id), submit=False)
    resp = org.delete(f"/api/v1/assignments/{holder.id}")
    assert resp.status_code == 409 and error(resp) == "assignment_started"
    resp = org.post(f"/api/v1/assignments/{holder.id}/swap", json={"judge_id": free[0].id})
    assert resp.status_code == 409 and error(resp) == "assignment_started"


def test_organisers_add_conflicts(world, org, now):
    round_ = gen_round(world, assign=True)
    row = assignments(round_, world.judges[2])[0]
    entry_code, row_id, entry_id = row.entry.code, row.id, row.entry_id
    url = f"/api/v1/judging-rounds/{round_.id}/conflicts"
    resp = org.post(url, json={"entry_code": entry_code, "judge_id": world.judges[2].id, "reason": ""})
    assert resp.status_code == 422 and error(resp) == "reason_required"
    resp = org.post(url, json={"entry_code": entry_code, "judge_id": world.judges[2].id,
                               "reason": "Cùng cơ quan với tác giả."})
    assert resp.status_code == 201 and (resp.json["removed"], resp.json["reassigned"]) == (1, 1)
    db.session.expire_all()
    assert db.session.get(Assignment, row_id) is None
    assert org.get(url).json["total"] == 1
    assert org.post(f"/api/v1/judging-rounds/{round_.id}/assign").json["new"] == 0
    holders = {a.judge_id for a in rounds.assignments_of(round_, entry_id=entry_id)}
    assert world.judges[2].id not in holders and len(holders) == 2


# --- judges -----------------------------------------------------------------------------------------------

def test_a_judge_scores_an_entry(app, world, now):
    round_ = gen_round(world, assign=True)
    judge = world.judges[1]
    jc = as_judge(app, judge)
    queue = jc.get("/api/v1/me/assignments")
    assert queue.status_code == 200
    mine = assignments(round_, judge)
    assert queue.json["total"] == len(mine)
    first = queue.json["items"][0]
    assert set(first) >= {"id", "entry_code", "title", "category", "status", "round", "closes_at"}
    assert first["status"] == "pending" and first["closes_at"] == ROUND_CLOSES.isoformat()
    url = f"/api/v1/assignments/{first['id']}"
    view = jc.get(url)
    assert view.status_code == 200
    assert set(view.json["entry"]) >= {"code", "title", "category", "body_html"}
    assert [c["id"] for c in view.json["criteria"]] == [c.id for c in round_.criteria]
    assert view.json["scores"] == {} and view.json["status"] == "pending"
    content, creativity, form, impact = (str(c.id) for c in round_.criteria)

    bad = jc.put(url + "/scores", json={"scores": {content: 11, form: 5}})
    assert bad.status_code == 422 and error(bad) == "score_out_of_range"
    assert set(bad.json["error"]["fields"]) == {f"scores.{content}"}
    assert jc.put(url + "/scores", json={"scores": {content: "tám"}}).status_code == 400
    assert jc.put(url + "/scores", json={"scores": [8]}).status_code == 400
    resp = jc.put(url + "/scores", json={"scores": {"999999": 1}})
    assert resp.status_code == 422 and error(resp) == "unknown_criterion"

    draft = jc.put(url + "/scores", json={"scores": {content: 8, form: 4}, "comments": {content: "Sâu sắc."},
                                          "comment": "Bài viết cảm động."})
    assert draft.status_code == 200
    assert draft.json["status"] == "draft" and draft.json["scores"] == {content: 8, form: 4}
    assert draft.json["comments"] == {content: "Sâu sắc."} and draft.json["comment"] == "Bài viết cảm động."
    incomplete = jc.put(url + "/scores", json={"submit": True})
    assert incomplete.status_code == 422 and error(incomplete) == "incomplete"
    assert set(incomplete.json["error"]["fields"]) == {f"scores.{creativity}", f"scores.{impact}"}
    noted = jc.put(url + "/scores", json={"comments": {impact: "Chưa rõ."}})
    assert noted.status_code == 200 and noted.json["scores"] == {content: 8, form: 4, impact: None}
    assert noted.json["total"] is None and noted.json["comments"][impact] == "Chưa rõ."
    done = jc.put(url + "/scores", json={"scores": {creativity: 5, impact: 10}, "submit": True})
    assert done.status_code == 200 and done.json["status"] == "submitted"
    assert done.json["total"] == pytest.approx(32 + 10 + 8 + 30)
    again = jc.put(url + "/scores", json={"scores": {content: 9}})
    assert again.status_code == 409 and error(again) == "already_submitted"
    after = jc.get("/api/v1/me/assignments").json
    assert {i["id"]: i["status"] for i in after["items"]}[first["id"]] == "submitted"
    assert after["progress"] == {"assigned": len(mine), "pending": len(mine) - 1, "in_progress": 0,
                                 "submitted": 1}


def test_judges_read_only_their_own_assignments(app, world, client, writer_client, org, now):
    round_ = gen_round(world, assign=True)
    mine = assignments(round_, world.judges[1])[0]
    other_judge = next(j for j in world.judges if j.id != mine.judge_id)
    other = as_judge(app, other_judge)
    for method, path, body in (("get", "", None), ("put", "/scores", {"scores": {}}),
                               ("post", "/conflict", {"reason": "x"})):
        url = f"/api/v1/assignments/{mine.id}{path}"
        kwargs = {"json": body} if body is not None else {}
        assert getattr(other, method)(url, **kwargs).status_code == 404
        assert getattr(writer_client, method)(url, **kwargs).status_code == 403
        assert getattr(org, method)(url, **kwargs).status_code == 403  # organisers do not hold the judge role
        assert getattr(client, method)(url, **kwargs).status_code == 401
    assert writer_client.get("/api/v1/me/assignments").status_code == 403
    assert client.get("/api/v1/me/assignments").status_code == 401
    assert as_judge(app, world.judges[1]).get("/api/v1/assignments/999999").status_code == 404


def test_scores_follow_the_round_times(app, world, clock):
    clock.set(ROUND_OPENS - timedelta(hours=1))
    round_ = gen_round(world, assign=True)
    row = assignments(round_)[0]
    jc = as_judge(app, row.judge)
    url = f"/api/v1/assignments/{row.id}"
    scores = full_scores(round_)
    early = jc.put(url + "/scores", json={"scores": scores})
    assert early.status_code == 409 and error(early) == "round_not_open"
    assert error(jc.get(url)) == "round_not_open"
    clock.set(ROUND_CLOSES + timedelta(minutes=1))
    late = jc.put(url + "/scores", json={"scores": scores})
    assert late.status_code == 409 and error(late) == "round_closed"
    org = app.test_client(user=world.organiser)
    until = (ROUND_CLOSES + timedelta(days=2)).isoformat()
    resp = org.post(f"/api/v1/judging-rounds/{round_.id}/reopen", json={"judge_id": row.judge_id, "until": until,
                                                                        "reason": "Giám khảo đi công tác."})
    assert resp.status_code == 200 and resp.json["extended_until"] == until
    bad = org.post(f"/api/v1/judging-rounds/{round_.id}/reopen", json={"judge_id": world.writers[0].id,
                                                                       "until": until, "reason": "x"})
    assert bad.status_code == 422 and error(bad) == "not_on_panel"
    assert org.post(f"/api/v1/judging-rounds/{round_.id}/reopen",
                    json={"judge_id": row.judge_id, "until": "mai", "reason": "x"}).status_code == 422
    assert jc.put(url + "/scores", json={"scores": scores, "submit": True}).status_code == 200
    assert error(jc.put(url + "/scores", json={"scores": scores})) == "already_submitted"


def test_reopening_a_submitted_score_is_audited(app, world, clock):
    clock.set(ROUND_OPENS + timedelta(hours=1))
    round_ = gen_round(world, assign=True)
    row = score(assignments(round_)[0], 0.8)
    pending = next(a for a in assignments(round_) if a.status == "pending")
    clock.set(ROUND_CLOSES + timedelta(hours=1))
    org = app.test_client(user=world.organiser)
    until = (ROUND_CLOSES + timedelta(days=1)).isoformat()
    resp = org.post(f"/api/v1/assignments/{pending.id}/reopen", json={"until": until, "reason": "Sửa"})
    assert resp.status_code == 409 and error(resp) == "not_submitted"
    resp = org.post(f"/api/v1/assignments/{row.id}/reopen", json={"until": until, "reason": ""})
    assert resp.status_code == 422 and error(resp) == "reason_required"
    resp = org.post(f"/api/v1/assignments/{row.id}/reopen", json={"until": until, "reason": "Chấm nhầm."})
    assert resp.status_code == 200 and resp.json["reopened_until"] == until
    jc = as_judge(app, row.judge)
    content = str(round_.criteria[0].id)
    changed = jc.put(f"/api/v1/assignments/{row.id}/scores", json={"scores": {content: 5}, "submit": True})
    assert changed.status_code == 200 and changed.json["scores"][content] == 5
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "judging.score_changed"))
    assert audit.details["changes"] == {content: {"old": 8.0, "new": 5.0}}
    closed = jc.put(f"/api/v1/assignments/{row.id}/scores", json={"scores": {content: 6}})
    assert closed.status_code == 409 and error(closed) == "round_closed"


def test_declaring_a_conflict(app, world, now):
    round_ = gen_round(world, assign=True)
    row = assignments(round_, world.judges[1])[0]
    jc = as_judge(app, world.judges[1])
    url = f"/api/v1/assignments/{row.id}/conflict"
    resp = jc.post(url, json={"reason": "  "})
    assert resp.status_code == 422 and error(resp) == "reason_required"
    assert jc.post(url, json={"reason": 5}).status_code == 400
    resp = jc.post(url, json={"reason": "Tác giả là đồng nghiệp của tôi."})
    assert resp.status_code == 200 and resp.json == {"reassigned_to": True, "removed": True}
    assert jc.get(f"/api/v1/assignments/{row.id}").status_code == 404
    assert len(rounds.assignments_of(round_, entry_id=row.entry_id)) == 2


# --- organisers' views ------------------------------------------------------------------------------------

def test_results_progress_reminders_and_the_blind_check(app, world, org, now):
    round_ = gen_round(world, assign=True)
    fractions = {e.id: 0.4 + 0.1 * i for i, e in enumerate(world.entries)}
    for row in assignments(round_):
        if row.judge_id != world.judges[3].id:
            score(row, fractions[row.entry_id])
    resp = org.get(f"/api/v1/judging-rounds/{round_.id}/results")
    assert resp.status_code == 200
    items = resp.json["items"]
    assert items[0]["entry_code"] == world.entries[-1].code and items[0]["rank"] == 1
    assert set(items[0]) >= {"entry_code", "score", "judges", "spread", "flagged"}
    assert {j["status"] for i in items for j in i["judges"]} <= {"pending", "submitted"}
    assert "agreement" in resp.json and resp.json["total"] == len(world.entries)
    preview = org.get(f"/api/v1/judging-rounds/{round_.id}/results?top=2").json["items"]
    assert [i["advances"] for i in preview] == [True, True] + [False] * (len(preview) - 2)
    by_score = org.get(f"/api/v1/judging-rounds/{round_.id}/results?min_score=75").json["items"]
    assert {i["entry_code"] for i in by_score if i["advances"]} == {i["entry_code"] for i in items
                                                                    if (i["score"] or 0) >= 75}
    for query in ("top=0", "top=ba", "min_score=-1", "min_score=nan"):
        assert org.get(f"/api/v1/judging-rounds/{round_.id}/results?{query}").status_code == 400, query
    progress = org.get(f"/api/v1/judging-rounds/{round_.id}/progress").json
    lazy = next(i for i in progress["items"] if i["judge_id"] == world.judges[3].id)
    assert lazy["submitted"] == 0 and lazy["assigned"] > 0
    assert progress["totals"]["assigned"] == 2 * len(world.entries)
    app.extensions.pop("contest_outbox", None)
    assert org.post(f"/api/v1/judging-rounds/{round_.id}/remind").json == {"reminded": 1}
    assert [m["To"] for m in app.extensions["contest_outbox"]] == [world.judges[3].email]
    assert org.get(f"/api/v1/judging-rounds/{round_.id}/blind-check").json == {"items": [], "total": 0}
    named = gen_entry(world.contest, world.writers[2], status="submitted",
                      body_html=f"<p>Tác giả {world.writers[2].full_name} xin kể…</p>")
    fresh = gen_round(world, title="Vòng phụ")
    check = org.get(f"/api/v1/judging-rounds/{fresh.id}/blind-check").json
    assert check["items"] == [{"entry_id": named.id, "entry_code": named.code,
                               "names": [world.writers[2].full_name], "emails": []}]


# --- blind: nothing in a judge's answers names the author --------------------------------------------------

def _secrets(world, entry) -> list[str]:
    author = next(w for w in world.writers if w.id == entry.author_id)
    unit = next(u for u in world.units if u.id == entry.unit_id)
    values = [author.full_name, author.email, unit.name, COAUTHOR_NAME, world.coauthor.email, world.units[1].name]
    return values + [unaccent(v) for v in values]


def _scan(resp, secrets) -> None:
    assert resp.status_code < 400, resp.json
    raw = resp.get_data(as_text=True)
    readable = json.dumps(resp.json, ensure_ascii=False)
    for text in (raw, readable, unaccent(readable)):
        for secret in secrets:
            assert secret not in text, f"{secret!r} in a judge's answer"
    assert "author" not in readable and "unit" not in readable and "email" not in readable


def test_no_judge_facing_answer_names_the_author(app, world, now):
    round_ = gen_round(world, assign=True, same_unit_conflicts=False)
    collective = world.entries[0]  # with a co-author who has an account
    secrets = _secrets(world, collective)
    for row in rounds.assignments_of(round_, entry_id=collective.id):
        jc = as_judge(app, row.judge)
        url = f"/api/v1/assignments/{row.id}"
        _scan(jc.get("/api/v1/me/assignments"), secrets)
        _scan(jc.get(url), secrets)
        content = str(round_.criteria[0].id)
        _scan(jc.put(url + "/scores", json={"scores": {content: 7}, "comments": {content: "Tốt."}}), secrets)
        _scan(jc.put(url + "/scores", json={"scores": full_scores(round_), "submit": True}), secrets)
        _scan(jc.get(url), secrets)  # now with the other judges' totals
    other = assignments(round_, world.judges[2])
    row = next(a for a in other if a.status == "pending")
    _scan(as_judge(app, world.judges[2]).post(f"/api/v1/assignments/{row.id}/conflict",
                                              json={"reason": "Người quen."}), _secrets(world, row.entry))
