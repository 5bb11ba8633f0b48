"""An organiser judges a writing contest in a real browser, on a desktop and a 390px phone: creates a preliminary
round with a rubric (a criterion removed, one added, the total scale following live), chooses the panel from a
searchable list, assigns automatically, follows the progress once some judges have scored (their scores are
submitted through the services in the test), reminds the judge who is behind, adds a judge to the entry whose
judges disagree, and advances the two best entries to a final round, which takes them once the preliminary round
closes.

Screenshots of every page go to test-artifacts/browser/judging/ (org-<device>-<page>.png).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import User
from contest.core import clock
from contest.extensions import db
from contest.judging import rounds, scoring
from contest.judging.models import JudgingRound
from tests import factories
from tests.browser.support import REPO, assert_fits_screen, expect, sign_in
from tests.judging_factories import gen_world

pytestmark = pytest.mark.browser

SHOTS = REPO / "test-artifacts" / "browser" / "judging"


def shot(page, device: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"org-{device}-{name}.png"), full_page=True)


def local(when) -> str:
    return (when + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(server):
    """A closed writing contest with six submitted entries (writers in three units), four judges and the
    organiser; plain values only (no ORM object outlives the block)."""
    with server.app_context():
        w = gen_world(entries=6, judges=4)
        return {"slug": w.contest.slug, "organiser": w.organiser.email,
                "judges": [(j.id, j.full_name) for j in w.judges],
                "entries": [(e.id, e.code) for e in w.entries]}


def score_all_but(server, round_id: int, behind: int) -> tuple[str, int]:
    """Every judge but `behind` submits all their scores: one entry (both of its judges among them) is scored
    90 and 30, the rest alike. (The entry's code, a judge who is on the panel but not on that entry.)"""
    with server.app_context():
        round_ = db.session.get(JudgingRound, round_id)
        rows = rounds.assignments_of(round_)
        by_entry: dict[int, list] = {}
        for row in rows:
            by_entry.setdefault(row.entry_id, []).append(row)
        apart = next(eid for eid, rs in sorted(by_entry.items()) if all(r.judge_id != behind for r in rs))
        for n, row in enumerate(rows):
            if row.judge_id == behind:
                continue
            if row.entry_id == apart:
                fraction = 0.9 if row is by_entry[apart][0] else 0.3
            else:
                fraction = 0.6 + 0.05 * (row.entry_id % 5) + 0.01 * (n % 2)
            judge = db.session.get(User, row.judge_id)
            scoring.save_scores(row, judge, {str(c.id): c.max_score * fraction for c in round_.criteria},
                                submit=True)
        on_it = {r.judge_id for r in by_entry[apart]}
        code = by_entry[apart][0].entry.code
        free = next(rj.user_id for rj in rounds.panel_of(round_)
                    if rj.user_id not in on_it and rounds.conflict_reason(round_, apart, rj.user_id) is None)
        return code, free


def test_an_organiser_runs_a_preliminary_round_and_advances_the_best_to_a_final(page, server, world, device):
    sign_in(page, world["organiser"], factories.PASSWORD)
    page.goto(f"/contests/{world['slug']}")
    page.get_by_test_id("judging-rounds-link").click()
    expect(page).to_have_url(re.compile(r"/organiser/contests/.+/judging$"))
    page.get_by_test_id("new-judging-round").click()

    # The round form: the default rubric is on a 100-point scale; the organiser reshapes it.
    form = page.get_by_test_id("judging-round-form")
    expect(page.get_by_test_id("rubric-total")).to_have_text("100")
    form.locator("input[name=title]").fill("Vòng sơ khảo")
    form.locator("input[name=judges_per_entry]").fill("2")
    now = clock.utcnow()
    form.locator("input[name=opens_at]").fill(local(now - timedelta(hours=1)))
    form.locator("input[name=closes_at]").fill(local(now + timedelta(days=7)))
    rows = page.get_by_test_id("rubric-row")
    rows.nth(3).locator(".remove-criterion").click()  # "Impact", weight 30
    expect(page.get_by_test_id("rubric-total")).to_have_text("70")
    page.get_by_test_id("add-criterion").click()
    new = page.get_by_test_id("rubric-row").last
    new.locator("input[name=criterion_name]").fill("Sức lan tỏa")
    new.locator("input[name=criterion_max]").fill("10")
    new.locator("input[name=criterion_weight]").fill("30")
    expect(page.get_by_test_id("rubric-total")).to_have_text("100")
    page.get_by_test_id("rubric-row").first.locator("input[name=criterion_name]").fill("Nội dung")
    assert_fits_screen(page)
    shot(page, device, "round-form")
    page.get_by_test_id("save-judging-round").click()
    expect(page).to_have_url(re.compile(r"/organiser/judging-rounds/\d+$"))
    round_id = int(page.url.rsplit("/", 1)[1])
    with server.app_context():
        round_ = db.session.get(JudgingRound, round_id)
        assert [(c.name, c.weight) for c in round_.criteria][-1] == ("Sức lan tỏa", 30)
        assert rounds.total_scale(round_) == 100 and len(round_.criteria) == 4

    # The panel: the list filters as the organiser types, without accents.
    judges = world["judges"]
    page.locator("#judge-filter").fill("vuong")
    expect(page.locator("#judge-list li:visible")).to_have_count(1)
    expect(page.locator("#judge-list li:visible")).to_contain_text("Vương Hải Yến")
    page.locator("#judge-filter").fill("")
    for judge_id, _name in judges:
        page.get_by_test_id(f"judge-{judge_id}").check()
    page.get_by_test_id("save-panel").click()
    expect(page.locator(".flash-success")).to_be_visible()

    # Automatic assignment: six entries, two judges each.
    page.get_by_test_id("assign").click()
    outcome = page.get_by_test_id("assign-outcome")
    expect(outcome).to_be_visible()
    expect(outcome).to_contain_text("12")
    expect(page.get_by_test_id("unassigned")).to_have_count(0)
    assert_fits_screen(page)
    shot(page, device, "round")

    # Three judges score everything; the fourth has not started.
    behind = judges[3][0]
    flagged_code, free_judge = score_all_but(server, round_id, behind)

    page.get_by_test_id("tab-progress").click()
    expect(page.get_by_test_id("progress-table")).to_be_visible()
    expect(page.locator(".stack-bar")).to_have_count(4)
    expect(page.get_by_test_id(f"progress-{behind}").locator(".badge-flag")).to_be_visible()
    server.outbox.clear()
    page.get_by_test_id("remind").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert len(server.outbox) == 1 and judges[3][1] in server.last_mail_text()
    assert_fits_screen(page)
    shot(page, device, "progress")

    # Results: the entry whose judges disagree is flagged; the organiser adds a judge to it.
    page.get_by_test_id("tab-results").click()
    expect(page.get_by_test_id(f"flag-{flagged_code}")).to_be_visible()
    expect(page.get_by_test_id("agreement")).to_contain_text("α")
    assert_fits_screen(page)
    shot(page, device, "results")
    page.get_by_test_id(f"add-judge-select-{flagged_code}").select_option(str(free_judge))
    page.get_by_test_id(f"add-judge-save-{flagged_code}").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/organiser/judging-rounds/{round_id}/results$"))
    with server.app_context():
        round_ = db.session.get(JudgingRound, round_id)
        on_flagged = [a.judge_id for a in rounds.assignments_of(round_) if a.entry.code == flagged_code]
        assert free_judge in on_flagged and len(on_flagged) == 3

    # Advance the best two to a final round.
    page.get_by_test_id("advance-value").fill("2")
    page.get_by_test_id("advance-preview").click()
    advancing = page.get_by_test_id("advancing")
    expect(advancing).to_be_visible()
    codes = advancing.locator(".badge.code").all_inner_texts()
    assert len(codes) >= 2
    shot(page, device, "advance")
    page.get_by_test_id("create-final").click()
    expect(page.locator("select[name=stage]")).to_have_value("final")
    expect(page.locator("input[name=advance_top]")).to_have_value("2")
    expect(page.get_by_test_id("rubric-total")).to_have_text("100")
    assert_fits_screen(page)
    page.get_by_test_id("save-judging-round").click()
    expect(page).to_have_url(re.compile(r"/organiser/judging-rounds/\d+$"))
    final_id = int(page.url.rsplit("/", 1)[1])
    assert final_id != round_id
    expect(page.get_by_test_id("advancing-preview")).to_contain_text(codes[0])

    # The preliminary round closes; the final takes the advancing entries.
    with server.app_context():
        round_ = db.session.get(JudgingRound, round_id)
        round_.opens_at, round_.closes_at = now - timedelta(days=3), now - timedelta(minutes=1)
    page.reload()
    page.get_by_test_id("take-entries").click()
    expect(page.locator(".flash-success")).to_be_visible()
    with server.app_context():
        final = db.session.get(JudgingRound, final_id)
        taken = sorted(re.entry.code for re in rounds.round_entries(final))
    assert taken == sorted(codes)
    assert_fits_screen(page)
    shot(page, device, "final")
    page.goto(f"/organiser/contests/{world['slug']}/judging")
    expect(page.get_by_test_id(f"judging-round-{final_id}")).to_be_visible()
    assert_fits_screen(page)
    shot(page, device, "rounds")


def test_the_round_form_works_without_javascript(browser, server, world):
    """Without scripts: no add/remove buttons, a few empty rows to fill, and the rubric saved from them."""
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, world["organiser"], factories.PASSWORD)
        page.goto(f"/organiser/contests/{world['slug']}/judging/new")
        expect(page.get_by_test_id("add-criterion")).to_be_hidden()
        rows = page.get_by_test_id("rubric-row")
        assert rows.count() >= 6
        rows.nth(4).locator("input[name=criterion_name]").fill("Chính tả")
        rows.nth(4).locator("input[name=criterion_max]").fill("5")
        rows.nth(4).locator("input[name=criterion_weight]").fill("5")
        page.get_by_test_id("save-judging-round").click()
        expect(page).to_have_url(re.compile(r"/organiser/judging-rounds/\d+$"))
        with server.app_context():
            round_ = db.session.scalar(select(JudgingRound))
            assert [c.name for c in round_.criteria][-1] == "Chính tả" and rounds.total_scale(round_) == 105
    finally:
        context.close()
