"""The organiser's judging pages through the Flask client: the rounds of a contest, the round form with its rubric
(validation from the services shown on the fields), the panel, taking entries, automatic and manual assignment
with their refusals, conflicts, the blind check, progress with reminders and extensions, results with the
disagreement flag, adding a judge, reopening a score and advancing to a final round; members get 403 and
anonymous visitors are sent to sign in. And the judging demo, seeded twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.judging import rounds
from contest.judging.models import Assignment, JudgingRound
from tests.judging_factories import ROUND_CLOSES, ROUND_OPENS, assignments, gen_round, gen_world, round_data, score


@pytest.fixture
def world(app):
    return gen_world(entries=6, judges=4)


@pytest.fixture
def now(clock):
    return clock.set(ROUND_OPENS + timedelta(hours=1))


@pytest.fixture
def org(app, world):
    """The organiser, reading in English (the messages are checked in English; the lead translates them)."""
    client = app.test_client(user=world.organiser)
    client.get("/lang/en")
    return client


def page(resp) -> str:
    return resp.get_data(as_text=True)


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [m for _c, m in session.get("_flashes", [])]


def local(when) -> str:
    """A UTC time as the datetime-local value of the site's time zone (UTC+7)."""
    return (when + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")


def form_data(**fields) -> dict:
    data = {"title": "Vòng sơ khảo", "stage": "preliminary", "judges_per_entry": "2",
            "opens_at": local(ROUND_OPENS), "closes_at": local(ROUND_CLOSES), "aggregation": "mean",
            "source": "submitted", "advance_from": "", "advance_top": "", "advance_min_score": "",
            "reveal_scores": "after_submit", "disagreement_threshold": "", "same_unit_conflicts": "y",
            "criterion_id": ["", "", "", ""], "criterion_name": ["Nội dung", "Sáng tạo", "", ""],
            "criterion_max": ["10", "10", "", ""], "criterion_weight": ["60", "40", "", ""]}
    data.update(fields)
    return data


def audits(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


# --- access -----------------------------------------------------------------------------------------------

def test_members_get_403_and_visitors_are_sent_to_sign_in(app, world, now):
    round_ = gen_round(world, assign=True)
    row = assignments(round_)[0]
    slug = world.contest.slug
    urls = [f"/organiser/contests/{slug}/judging", f"/organiser/contests/{slug}/judging/new",
            f"/organiser/judging-rounds/{round_.id}", f"/organiser/judging-rounds/{round_.id}/edit",
            f"/organiser/judging-rounds/{round_.id}/progress", f"/organiser/judging-rounds/{round_.id}/results"]
    posts = [f"/organiser/judging-rounds/{round_.id}/judges", f"/organiser/judging-rounds/{round_.id}/assign",
             f"/organiser/judging-rounds/{round_.id}/take", f"/organiser/judging-rounds/{round_.id}/remind",
             f"/organiser/judging-rounds/{round_.id}/assignments", f"/organiser/judging-rounds/{round_.id}/conflicts",
             f"/organiser/judging-rounds/{round_.id}/extend", f"/organiser/judging-assignments/{row.id}/remove",
             f"/organiser/judging-assignments/{row.id}/swap", f"/organiser/judging-assignments/{row.id}/reopen"]
    member = app.test_client(user=world.writers[0])
    judge = app.test_client(user=world.judges[0])
    anonymous = app.test_client()
    for url in urls:
        assert member.get(url).status_code == 403, url
        assert judge.get(url).status_code == 403, url
        resp = anonymous.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url
    for url in posts:
        assert member.post(url).status_code == 403, url
        assert anonymous.post(url).status_code == 302, url
    assert len(assignments(round_)) == 12  # nothing changed


def test_unknown_rounds_and_quiz_contests_are_404(org, world):
    from tests.quiz_factories import gen_contest

    quiz = gen_contest(slug="trac-nghiem", kind="quiz")
    assert org.get(f"/organiser/contests/{quiz.slug}/judging").status_code == 404
    assert org.get("/organiser/contests/nope/judging").status_code == 404
    assert org.get("/organiser/judging-rounds/999999").status_code == 404
    assert org.post("/organiser/judging-assignments/999999/remove").status_code == 404


def test_admins_pass_and_the_contest_page_links_to_judging(app, world, admin):
    admin_client = app.test_client(user=admin)
    assert admin_client.get(f"/organiser/contests/{world.contest.slug}/judging").status_code == 200
    org = app.test_client(user=world.organiser)
    assert f"/organiser/contests/{world.contest.slug}/judging" in page(org.get(f"/contests/{world.contest.slug}"))
    member = app.test_client(user=world.writers[0])
    slug = world.contest.slug
    assert f"/organiser/contests/{slug}/judging" not in page(member.get(f"/contests/{slug}"))


# --- the round form ---------------------------------------------------------------------------------------

def test_the_new_round_form_offers_a_rubric_and_explains_each_aggregation(org, world):
    html = page(org.get(f"/organiser/contests/{world.contest.slug}/judging/new"))
    assert html.count('name="criterion_name"') >= 4 + 1  # filled rows, empty rows, and the JS template
    assert 'id="rubric-total"' in html and ">100<" in html  # the default rubric: 40 + 20 + 10 + 30
    for method in ("mean", "trimmed_mean", "median", "zscore"):
        assert f'value="{method}"' in html
    assert 'type="datetime-local"' in html
    assert "/static/js/judging-org.js" in html
    assert "<script>" not in html and " style=" not in html
    assert '="None"' not in html


def test_creating_a_round_converts_local_times_and_keeps_the_rubric(org, world):
    resp = org.post(f"/organiser/contests/{world.contest.slug}/judging/new", data=form_data())
    assert resp.status_code == 302
    round_ = db.session.scalar(select(JudgingRound))
    assert resp.headers["Location"].endswith(f"/organiser/judging-rounds/{round_.id}")
    assert round_.opens_at.replace(tzinfo=None) == ROUND_OPENS.replace(tzinfo=None)  # 7 hours back to UTC
    assert [(c.name, c.max_score, c.weight) for c in round_.criteria] == [("Nội dung", 10, 60), ("Sáng tạo", 10, 40)]
    assert rounds.total_scale(round_) == 100 and round_.disagreement_threshold == 20
    assert round_.judges_per_entry == 2 and round_.same_unit_conflicts is True
    listing = page(org.get(f"/organiser/contests/{world.contest.slug}/judging"))
    assert "Vòng sơ khảo" in listing and f"/organiser/judging-rounds/{round_.id}" in listing


def test_service_errors_show_on_the_fields_and_rubric_rows(org, world):
    resp = org.post(f"/organiser/contests/{world.contest.slug}/judging/new", data=form_data(
        closes_at=local(ROUND_OPENS - timedelta(days=1)),
        criterion_name=["Nội dung", "nội dung", "", "Hình thức"], criterion_max=["10", "5", "", "abc"],
        criterion_weight=["60", "40", "", "10"]))
    assert resp.status_code == 422
    html = page(resp)
    assert 'aria-invalid="true"' in html and '="None"' not in html
    assert html.count('class="rubric-row has-error"') == 2  # the repeated name and the bad maximum
    assert "abc" in html  # what was typed stays in the form
    assert db.session.scalar(select(func.count()).select_from(JudgingRound)) == 0
    closes = re.search(r'id="closes_at".*?</div>', html, re.S).group(0)
    assert "field-error" in closes


def test_an_empty_rubric_and_a_source_without_a_round_are_refused(org, world):
    resp = org.post(f"/organiser/contests/{world.contest.slug}/judging/new", data=form_data(
        criterion_name=["", ""], criterion_max=["", ""], criterion_weight=["", ""], source="top", advance_top="3"))
    assert resp.status_code == 422
    html = page(resp)
    assert 'data-testid="rubric-error"' in html and 'data-testid="source-error"' in html


def test_editing_a_round_and_the_frozen_rubric(org, world, now):
    round_ = gen_round(world, assign=True)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/edit"))
    assert 'value="Vòng sơ khảo"' in html and 'value="Nội dung"' in html
    assert 'data-testid="rubric-frozen"' not in html
    ids = [str(c.id) for c in round_.criteria]
    data = form_data(title="Sơ khảo đợt 1", judges_per_entry="2", criterion_id=ids,
                     criterion_name=[c.name for c in round_.criteria],
                     criterion_max=[f"{c.max_score:g}" for c in round_.criteria],
                     criterion_weight=[f"{c.weight:g}" for c in round_.criteria])
    data.pop("source")  # disabled once the entries are taken
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/edit", data=data)
    assert resp.status_code == 302
    assert db.session.get(JudgingRound, round_.id).title == "Sơ khảo đợt 1"
    score(assignments(round_)[0])
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/edit"))
    assert 'data-testid="rubric-frozen"' in html and "readonly" in html
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/edit",
                    data={**data, "criterion_weight": ["1", "1", "1", "1"]})
    assert resp.status_code == 409
    assert "can no longer change" in page(resp)


# --- the round page ---------------------------------------------------------------------------------------

def test_the_panel_is_chosen_among_judge_accounts(org, world, now):
    round_ = rounds.create_round(world.contest, round_data(), world.organiser)
    db.session.commit()
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}"))
    for judge in world.judges:
        assert f'data-testid="judge-{judge.id}"' in html
    assert f'data-testid="judge-{world.writers[0].id}"' not in html  # members are not offered
    assert 'data-filter-list="judge-list"' in html
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/judges",
                    data={"judge_ids": [str(j.id) for j in world.judges[:3]]})
    assert resp.status_code == 302
    assert {rj.user_id for rj in rounds.panel_of(round_)} == {j.id for j in world.judges[:3]}
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/judges", data={"judge_ids": [str(world.writers[0].id)]})
    assert any("judge role" in m for m in flashes(org))
    assert len(rounds.panel_of(round_)) == 3


def test_a_judge_who_has_started_cannot_leave_the_panel(org, world, now):
    round_ = gen_round(world, assign=True)
    first = assignments(round_, world.judges[1])[0]
    score(first, submit=False)
    org.post(f"/organiser/judging-rounds/{round_.id}/judges", data={"judge_ids": [str(world.judges[0].id)]})
    messages = flashes(org)
    assert any("started scoring" in m for m in messages)
    assert any(world.judges[1].full_name in m for m in messages)  # named, not only by id
    assert len(rounds.panel_of(round_)) == 4


def test_take_entries_then_assign_shows_the_outcome(org, world, now):
    round_ = gen_round(world, judges=world.judges[:1])  # one judge, two per entry: nobody is fully assigned
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}"))
    assert 'data-testid="take-entries"' in html
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/take")
    assert resp.status_code == 302 and any("6 entries" in m for m in flashes(org))
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/take")
    assert any("already taken" in m for m in flashes(org))
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/assign")
    assert resp.status_code == 200
    html = page(resp)
    assert 'data-testid="assign-outcome"' in html and 'data-testid="unassigned"' in html
    assert "Not enough judges on the panel." in html
    assert html.count("judges missing") + html.count("judge missing") == 6
    rounds.set_judges(round_, [j.id for j in world.judges], world.organiser)
    db.session.commit()
    html = page(org.post(f"/organiser/judging-rounds/{round_.id}/assign"))
    assert "Every entry has all its judges." in html
    assert len(assignments(round_)) == 12


def test_entries_cannot_be_taken_while_submissions_are_open(org, world, clock):
    round_ = gen_round(world)
    clock.set(world.contest.closes_at - timedelta(hours=2))
    org.post(f"/organiser/judging-rounds/{round_.id}/take")
    assert any("still open" in m for m in flashes(org))


def test_manual_add_remove_and_swap_with_the_same_checks(org, world, now):
    round_ = gen_round(world, judges=world.judges[:3], assign=True)
    entry = world.entries[1]  # writer 1, unit 1; judge 0 is in unit 0, judges 1 and 2 in units of their own
    on_entry = {a.judge_id: a for a in assignments(round_) if a.entry_id == entry.id}
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}"))
    assert f'data-testid="assign-row-{entry.code}"' in html
    # The writer of entry 0 is in unit 0 with judge 0: a same-unit conflict is refused, and said why.
    org.post(f"/organiser/judging-rounds/{round_.id}/assignments",
             data={"entry_code": world.entries[0].code, "judge_id": str(world.judges[0].id)})
    assert any("same unit" in m for m in flashes(org))
    free = next(j for j in world.judges[:3] if j.id not in on_entry)
    org.post(f"/organiser/judging-rounds/{round_.id}/assignments",
             data={"entry_code": "VT26-000000", "judge_id": str(free.id)})
    assert any("No entry with this code" in m for m in flashes(org))
    held = next(iter(on_entry.values()))
    org.post(f"/organiser/judging-rounds/{round_.id}/assignments",
             data={"entry_code": entry.code, "judge_id": str(held.judge_id)})
    assert any("already has this entry" in m for m in flashes(org))
    # Swap a pending assignment to the free judge, then remove it.
    resp = org.post(f"/organiser/judging-assignments/{held.id}/swap", data={"judge_id": str(free.id),
                                                                              "anchor": "assignments"})
    assert resp.headers["Location"].endswith("#assignments")
    assert db.session.get(Assignment, held.id).judge_id == free.id
    org.post(f"/organiser/judging-assignments/{held.id}/remove")
    assert db.session.get(Assignment, held.id) is None
    # A started assignment can neither move nor go.
    other = next(a for a in assignments(round_) if a.entry_id == entry.id)
    score(other, submit=False)
    org.post(f"/organiser/judging-assignments/{other.id}/remove")
    assert any("started scoring" in m for m in flashes(org))
    assert db.session.get(Assignment, other.id) is not None
    # And adding back by hand works.
    org.post(f"/organiser/judging-rounds/{round_.id}/assignments",
             data={"entry_code": entry.code, "judge_id": str(free.id)})
    assert any("now judges" in m for m in flashes(org))


def test_conflicts_are_listed_and_added_with_a_reason(org, world, now):
    round_ = gen_round(world, assign=True)
    row = assignments(round_)[0]
    entry = db.session.get(type(world.entries[0]), row.entry_id)
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/conflicts",
                    data={"entry_code": entry.code, "judge_id": str(row.judge_id), "reason": ""})
    assert resp.status_code == 422 and "Give the reason." in page(resp)
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/conflicts",
                    data={"entry_code": "VT26-999999", "judge_id": str(row.judge_id), "reason": "Người nhà"})
    assert resp.status_code == 404 and "Unknown code." in page(resp)
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/conflicts",
                    data={"entry_code": entry.code, "judge_id": str(row.judge_id), "reason": "Người nhà tác giả"})
    assert resp.status_code == 302
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}"))
    assert "Người nhà tác giả" in html and "added by an organiser" in html
    assert db.session.get(Assignment, row.id) is None  # handed back
    assert not [a for a in assignments(round_) if a.entry_id == entry.id and a.judge_id == row.judge_id]


def test_the_blind_check_flags_entries_naming_their_author(org, world, now):
    from tests.essay_factories import gen_entry

    writer = world.writers[2]
    named = gen_entry(world.contest, writer, status="submitted", code="VT26-777777",
                      body_html=f"<p>Tôi là {writer.full_name}, viết về bác tổ trưởng.</p>",
                      submitted_at=ROUND_OPENS - timedelta(days=2))
    round_ = gen_round(world)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}"))
    assert 'data-testid="blind-VT26-777777"' in html and writer.full_name in html
    assert f"/organiser/entries/{named.id}" in html


# --- progress ---------------------------------------------------------------------------------------------

def test_progress_shows_each_judge_with_bars_and_reminds_those_behind(app, org, world, now):
    round_ = gen_round(world, assign=True)
    done = world.judges[1]
    for row in assignments(round_, done):
        score(row)
    score(assignments(round_, world.judges[2])[0], submit=False)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/progress"))
    for judge in world.judges:
        assert f'data-testid="progress-{judge.id}"' in html and judge.full_name in html
    assert html.count('class="stack-bar"') == 4 and "<progress" in html
    assert " style=" not in html
    outbox = app.extensions.setdefault("contest_outbox", [])
    outbox.clear()
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/remind")
    assert resp.status_code == 302
    assert any("mailed to 3 judges" in m for m in flashes(org))
    assert len(outbox) == 3
    assert done.email not in {m["To"] for m in outbox}


def test_reopening_the_round_for_one_judge(org, world, clock):
    clock.set(ROUND_OPENS + timedelta(hours=1))
    round_ = gen_round(world, assign=True)
    judge = world.judges[1]
    clock.set(ROUND_CLOSES + timedelta(hours=1))
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/extend",
                    data={"judge_id": str(judge.id), "until": local(ROUND_CLOSES - timedelta(days=1)), "reason": "x"})
    assert resp.status_code == 422 and "Give a time in the future." in page(resp)
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/extend",
                    data={"judge_id": str(judge.id), "until": local(ROUND_CLOSES + timedelta(days=2)), "reason": ""})
    assert resp.status_code == 422 and "Give the reason." in page(resp)
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/extend",
                    data={"judge_id": str(judge.id), "until": local(ROUND_CLOSES + timedelta(days=2)),
                          "reason": "Ốm mấy hôm cuối"})
    assert resp.status_code == 302
    rj = rounds.round_judge(round_, judge.id)
    assert rj.extended_until is not None and rj.extension_reason == "Ốm mấy hôm cuối"
    assert "Ốm mấy hôm cuối" in page(org.get(f"/organiser/judging-rounds/{round_.id}/progress"))


# --- results ----------------------------------------------------------------------------------------------

def _scored_round(world):
    """Two judges per entry; entry 0's judges disagree (90 and 30), the others agree roughly."""
    round_ = gen_round(world, assign=True)
    by_entry: dict[int, list] = {}
    for row in assignments(round_):
        by_entry.setdefault(row.entry_id, []).append(row)
    fractions = {world.entries[0].id: (0.9, 0.3)}
    for i, entry in enumerate(world.entries):
        pair = fractions.get(entry.id, (0.5 + i * 0.05, 0.55 + i * 0.05))
        for row, fraction in zip(by_entry[entry.id], pair, strict=True):
            score(row, fraction)
    return round_


def test_results_rank_entries_with_each_judge_the_spread_and_the_flag(org, world, now):
    round_ = _scored_round(world)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results"))
    flagged = world.entries[0]
    assert f'data-testid="flag-{flagged.code}"' in html
    assert f'data-testid="add-judge-{flagged.code}"' in html
    assert html.count('data-testid="flag-VT') == 1 and 'data-testid="flag-summary"' in html
    for judge in world.judges:
        assert judge.full_name in html  # organisers see who gave what
    assert "α =" in html and "0.667" in html
    codes = re.findall(r'data-testid="result-(VT26-\d+)"', html)
    assert len(codes) == 6 and codes[0] == world.entries[5].code  # the best first


def test_a_round_without_overlap_says_so(org, world, now):
    round_ = gen_round(world, assign=True)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results"))
    assert 'data-testid="no-agreement"' in html


def test_adding_a_judge_to_a_flagged_entry(org, world, now):
    round_ = _scored_round(world)
    flagged = world.entries[0]
    on_it = {a.judge_id for a in assignments(round_) if a.entry_id == flagged.id}
    # Judge 0 shares the unit of writer 0: the service refuses, the page says why.
    extra = next(j for j in world.judges if j.id not in on_it and j.id != world.judges[0].id)
    resp = org.post(f"/organiser/judging-rounds/{round_.id}/assignments",
                    data={"entry_code": flagged.code, "judge_id": str(extra.id), "next": "results"})
    assert resp.headers["Location"].endswith(f"/organiser/judging-rounds/{round_.id}/results")
    assert any(extra.full_name in m for m in flashes(org))
    assert extra.id in {a.judge_id for a in assignments(round_) if a.entry_id == flagged.id}
    if world.judges[0].id not in on_it:
        org.post(f"/organiser/judging-rounds/{round_.id}/assignments",
                 data={"entry_code": flagged.code, "judge_id": str(world.judges[0].id), "next": "results"})
        assert any("same unit" in m for m in flashes(org))


def test_reopening_a_submitted_score(org, world, now):
    round_ = _scored_round(world)
    row = assignments(round_)[0]
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results"))
    assert f'data-testid="reopen-{row.id}"' in html
    resp = org.post(f"/organiser/judging-assignments/{row.id}/reopen",
                    data={"until": local(ROUND_OPENS + timedelta(days=2)), "reason": ""})
    assert resp.status_code == 422 and "Give the reason." in page(resp)
    resp = org.post(f"/organiser/judging-assignments/{row.id}/reopen",
                    data={"until": local(ROUND_OPENS + timedelta(days=2)), "reason": "Nhầm điểm tiêu chí 2"})
    assert resp.status_code == 302
    assert db.session.get(Assignment, row.id).reopen_reason == "Nhầm điểm tiêu chí 2"
    assert audits("judging.score_reopened") == 1
    pending = next(a for a in assignments(round_) if a.status != "submitted") if any(
        a.status != "submitted" for a in assignments(round_)) else None
    assert pending is None  # every score of _scored_round is submitted


def test_advancing_previews_ties_and_prefills_the_final(org, world, clock):
    clock.set(ROUND_OPENS + timedelta(hours=1))
    round_ = _scored_round(world)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results?by=top&value=2"))
    assert 'data-testid="advancing"' in html
    assert html.count('class="badge jstatus-submitted">advances<') == 2
    assert f"advance_from={round_.id}" in html and "top=2" in html
    bad = org.get(f"/organiser/judging-rounds/{round_.id}/results?by=top&value=zero")
    assert "whole number" in page(bad)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results?by=min_score&value=0"))
    assert html.count('class="badge jstatus-submitted">advances<') == 6
    # The new-round form comes filled in: a final taking the best 2 of this round, with its rubric.
    html = page(org.get(f"/organiser/contests/{world.contest.slug}/judging/new?advance_from={round_.id}&top=2"))
    assert 'selected value="final"' in html and re.search(r'<input checked[^>]*value="top"', html)
    assert re.search(r'<input[^>]*name="advance_top"[^>]*value="2"', html)
    assert 'value="Nội dung"' in html and 'value="Sức lan tỏa"' in html
    resp = org.post(f"/organiser/contests/{world.contest.slug}/judging/new", data=form_data(
        title="Vòng chung khảo", stage="final", source="top", advance_from=str(round_.id), advance_top="2",
        opens_at=local(ROUND_CLOSES + timedelta(days=1)), closes_at=local(ROUND_CLOSES + timedelta(days=8))))
    assert resp.status_code == 302
    final = db.session.scalar(select(JudgingRound).where(JudgingRound.stage == "final"))
    assert (final.source, final.advance_from_id, final.advance_top) == ("top", round_.id, 2)
    html = page(org.get(f"/organiser/judging-rounds/{final.id}"))
    assert 'data-testid="advancing-preview"' in html
    # Once the preliminary round closes, the final takes the two best entries.
    clock.set(ROUND_CLOSES + timedelta(hours=1))
    org.post(f"/organiser/judging-rounds/{final.id}/take")
    assert rounds.entry_count(final) == 2
    assert {re.entry_id for re in rounds.round_entries(final)} == {world.entries[5].id, world.entries[4].id}


# --- the demo ---------------------------------------------------------------------------------------------

def test_the_judging_demo_is_seeded_once_with_a_round_in_progress(app):
    from contest.contests.models import Contest
    from contest.demo import seed
    from contest.judging import results
    from contest.judging.demo import SLUG, seed_judging_demo

    seed()
    db.session.commit()
    counts = {model: db.session.scalar(select(func.count()).select_from(model))
              for model in (Contest, JudgingRound, Assignment)}
    assert seed() == 0 and seed_judging_demo() == 0  # a second run adds nothing
    db.session.commit()
    assert counts == {model: db.session.scalar(select(func.count()).select_from(model)) for model in counts}
    contest = db.session.scalar(select(Contest).where(Contest.slug == SLUG))
    from contest.essays import services as essays

    assert essays.submissions_state(contest) == "closed"
    round_ = rounds.rounds_of(contest)[0]
    assert rounds.round_state(round_) == "open" and rounds.entry_count(round_) == 8
    panel = {rj.user.email for rj in rounds.panel_of(round_)}
    assert panel == {"giamkhao@example.com", "giamkhao2@example.com", "giamkhao3@example.com",
                     "giamkhao4@example.com"}
    progress = {i["name"]: i for i in results.progress(round_)["items"]}
    demo_judge = progress["Trần Thị Bình"]
    assert demo_judge["assigned"] == demo_judge["pending"] > 0
    assert results.progress(round_)["totals"]["submitted"] >= 8
    assert results.progress(round_)["totals"]["in_progress"] == 1
    answer = results.results(round_)
    assert any(i["flagged"] for i in answer["items"])
    assert [f["names"] for f in results.blind_check(round_)] == [["Bùi Văn Hùng"]]
    # Its pages open for the demo organiser.
    from contest.accounts.models import User

    organiser = app.test_client(user=db.session.scalar(select(User).where(User.email == "tochuc@example.com")))
    for url in (f"/organiser/contests/{SLUG}/judging", f"/organiser/judging-rounds/{round_.id}",
                f"/organiser/judging-rounds/{round_.id}/progress", f"/organiser/judging-rounds/{round_.id}/results"):
        resp = organiser.get(url)
        assert resp.status_code == 200, url
        assert '="None"' not in page(resp) and " style=" not in page(resp), url


def test_entries_tied_at_the_kth_place_all_advance(org, world, now):
    round_ = gen_round(world, assign=True)
    best = {world.entries[4].id, world.entries[5].id}
    for row in assignments(round_):
        score(row, 0.9 if row.entry_id in best else 0.5)
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results?by=top&value=1"))
    assert html.count('class="badge jstatus-submitted">advances<') == 2
    assert "tied at place 1" in html
    html = page(org.get(f"/organiser/judging-rounds/{round_.id}/results?by=min_score&value=89,5"))
    assert html.count('class="badge jstatus-submitted">advances<') == 2
    assert "min_score=89.5" in html
