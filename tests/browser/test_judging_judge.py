"""A judge scores an entry in a real browser, on a desktop and a 390px phone: the queue, the blind entry with its
rubric, the draft saved as they type and still there after a reload, an out-of-range score refused in the browser
before it reaches the server, the weighted total, submitting with confirmation, and the read-only page after.

Screenshots of the queue, the scoring page and the submitted page go to test-artifacts/browser/judging/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest.accounts.models import User
from contest.core import clock
from contest.core.text import unaccent
from contest.extensions import db
from contest.judging import rounds, scoring
from contest.judging.models import Assignment
from contest.units.models import Unit
from tests import factories
from tests.browser.support import REPO, assert_fits_screen, expect, sign_in
from tests.judging_factories import COAUTHOR_NAME, gen_round, gen_world

pytestmark = pytest.mark.browser

SHOTS = REPO / "test-artifacts" / "browser" / "judging"


def shot(page, device: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{device}-{name}.png"), full_page=True)


@pytest.fixture
def judging(server) -> dict:
    """A writing contest with six submitted entries and an open preliminary round, assigned (two judges each)."""
    with server.app_context():
        world = gen_world()
        now = clock.utcnow()
        round_ = gen_round(world, opens_at=(now - timedelta(hours=1)).isoformat(),
                           closes_at=(now + timedelta(days=7)).isoformat(), same_unit_conflicts=False)
        rounds.assign(round_, world.organiser)
        db.session.commit()
        judge = world.judges[0]
        row = rounds.assignments_of(round_, judge_id=judge.id)[0]
        entry = row.entry
        author = entry.author
        unit = db.session.get(Unit, entry.unit_id)
        secrets = [author.full_name, author.email, unit.name, COAUTHOR_NAME, world.coauthor.email]
        return {"judge": judge.email, "assignment": row.id, "code": entry.code, "organiser": world.organiser.id,
                "criteria": [(c.id, c.max_score) for c in round_.criteria],
                "secrets": secrets + [unaccent(s) for s in secrets]}


def server_scores(server, assignment_id: int) -> tuple[str, dict[int, float | None]]:
    with server.app_context():
        row = db.session.get(Assignment, assignment_id)
        return row.status, {s.criterion_id: s.value for s in row.scores}


def assert_blind(page, secrets: list[str]) -> None:
    content = page.content()
    for text in (content, unaccent(content)):
        for secret in secrets:
            assert secret not in text, f"{secret!r} on the judge's page {page.url}"


def test_a_judge_scores_an_entry_saves_a_draft_and_submits(page, server, judging, device):
    (content, _), (creativity, creativity_max), (form, _), (impact, _) = judging["criteria"]
    sign_in(page, judging["judge"], factories.PASSWORD)
    expect(page.get_by_test_id("nav-judging")).to_have_attribute("href", "/judging")
    page.goto("/judging")
    expect(page.get_by_test_id("queue-round")).to_have_count(1)
    expect(page.get_by_test_id("round-progress")).to_contain_text("0")
    assert_fits_screen(page)
    assert_blind(page, judging["secrets"])
    shot(page, device, "queue")
    page.goto(f"/judging/assignments/{judging['assignment']}")
    page.screenshot(path=str(SHOTS / f"{device}-entry-screen.png"))  # the first screen of the entry
    page.go_back()

    page.locator(f"a[href='/judging/assignments/{judging['assignment']}']").click()
    expect(page.get_by_test_id("entry-code")).to_have_text(judging["code"])
    expect(page.get_by_test_id("entry-body")).to_be_visible()
    assert_fits_screen(page)
    assert_blind(page, judging["secrets"])

    if device == "phone":  # the rubric follows the text: one tap takes the judge there
        page.get_by_test_id("jump-to-rubric").click()
        expect(page.locator("#rubric-heading")).to_be_in_viewport()
    else:  # beside the text
        expect(page.get_by_test_id("jump-to-rubric")).to_be_hidden()
        expect(page.locator("#rubric-heading")).to_be_in_viewport()

    # Two scores and a comment on a criterion not scored yet: saved as a draft while the judge types.
    page.locator(f"#score-{content}").fill("8")
    page.locator(f"#score-{form}").fill("4.5")
    page.locator(f"#score-{impact}").locator("xpath=ancestor::div[@data-testid='criterion']") \
        .locator("summary").click()
    page.locator(f"#comment-{impact}").fill("Phần kết cần sâu hơn.")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    expect(page.get_by_test_id("judge-total")).to_have_text(re.compile(r"^41$"))  # 32 + 9 of 100, so far
    status, scores = server_scores(server, judging["assignment"])
    assert status == "draft" and scores == {content: 8, form: 4.5, impact: None}

    # A reload keeps them (from the server).
    page.reload()
    expect(page.locator(f"#score-{content}")).to_have_value("8")
    expect(page.locator(f"#score-{form}")).to_have_value("4.5")
    expect(page.locator(f"#comment-{impact}")).to_have_value("Phần kết cần sâu hơn.")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved")

    # Out of range: refused in the browser with the criterion's range, and not sent.
    creativity_input = page.locator(f"#score-{creativity}")
    creativity_input.fill(f"{creativity_max + 5:g}")
    error = creativity_input.locator("xpath=ancestor::div[@data-testid='criterion']").get_by_test_id("score-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(creativity_input.get_attribute("data-msg-range"))
    expect(creativity_input).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "error")
    assert creativity not in server_scores(server, judging["assignment"])[1]

    creativity_input.fill("7.5")
    expect(error).to_be_hidden()
    page.locator(f"#score-{impact}").fill("9")
    expect(page.get_by_test_id("judge-total")).to_have_text(re.compile(r"^83$"))  # 32 + 15 + 9 + 27
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    shot(page, device, "scoring")
    page.screenshot(path=str(SHOTS / f"{device}-scoring-screen.png"))  # what the judge sees while scoring

    # Submit, confirming; the page comes back read-only.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit-scores").click()
    expect(page.get_by_test_id("read-only")).to_be_visible(timeout=10_000)
    expect(page.locator(f"#score-{content}")).to_be_disabled()
    expect(page.get_by_test_id("submit-scores")).to_have_count(0)
    expect(page.get_by_test_id("judge-total")).to_have_text("83")
    status, scores = server_scores(server, judging["assignment"])
    assert status == "submitted" and scores == {content: 8, creativity: 7.5, form: 4.5, impact: 9}
    assert_fits_screen(page)
    assert_blind(page, judging["secrets"])
    shot(page, device, "submitted")

    page.goto("/judging")
    expect(page.get_by_test_id("round-progress")).to_contain_text("1")


def ignore_expected_failures(problems) -> None:
    """Saves refused while offline, and the 409 after the close, were the point of the test."""
    problems.items[:] = [p for p in problems.items
                         if "ERR_INTERNET_DISCONNECTED" not in p and "/api/v1/assignments/" not in p]


def test_scores_typed_offline_are_kept_and_a_closed_round_locks_the_page(page, context, server, judging, device,
                                                                        problems):
    (content, _), (creativity, _), (form, _), _ = judging["criteria"]
    url = f"/judging/assignments/{judging['assignment']}"
    sign_in(page, judging["judge"], factories.PASSWORD)
    page.goto(url)
    page.locator(f"#score-{content}").fill("6")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)

    # The connection drops: the state says so, with a retry button, and the score is kept on this device.
    context.set_offline(True)
    page.locator(f"#score-{form}").fill("3")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "offline", timeout=10_000)
    expect(page.get_by_test_id("retry-save")).to_be_visible()
    kept = page.evaluate(f"localStorage.getItem('contest-judging-{judging['assignment']}')")
    assert kept and '"3"' in kept
    assert form not in server_scores(server, judging["assignment"])[1]
    shot(page, device, "offline")

    # The tab is dropped; back online, the page opens with the score from this device and saves it.
    page.close()
    page = context.new_page()
    context.set_offline(False)
    page.goto(url)
    expect(page.locator(f"#score-{form}")).to_have_value("3")
    expect(page.locator("#judge-message")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    assert server_scores(server, judging["assignment"])[1] == {content: 6, form: 3}

    # A range the page does not know (a stale page, say) is refused by the server: its message shows at the field.
    page.evaluate(f"document.getElementById('score-{creativity}').dataset.max = '100'")
    page.locator(f"#score-{creativity}").fill("50")
    server_error = page.locator(f"#score-{creativity}-error")
    expect(server_error).to_be_visible(timeout=10_000)
    expect(server_error).to_have_text(page.locator(f"#score-{creativity}").get_attribute("data-msg-range"))
    expect(page.locator("#judge-message")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "error")
    assert creativity not in server_scores(server, judging["assignment"])[1]
    page.evaluate(f"document.getElementById('score-{creativity}').dataset.max = '10'")
    page.locator(f"#score-{creativity}").fill("")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-state", "saved", timeout=10_000)

    # The round closes while the page is open: the next save is refused, the page says why and locks.
    with server.app_context():
        row = db.session.get(Assignment, judging["assignment"])
        row.round.closes_at = clock.utcnow() - timedelta(seconds=1)
        db.session.commit()
    page.locator(f"#score-{creativity}").fill("5")
    expect(page.locator("#judge-message")).to_be_visible(timeout=10_000)
    expect(page.locator(f"#score-{creativity}")).to_be_disabled()
    expect(page.get_by_test_id("submit-scores")).to_be_disabled()
    assert creativity not in server_scores(server, judging["assignment"])[1]
    ignore_expected_failures(problems)

    # Reloaded, the page is read-only and says the round closed.
    page.reload()
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.locator(f"#score-{form}")).to_be_disabled()
    expect(page.locator(f"#score-{form}")).to_have_value("3")
    assert_fits_screen(page)
    shot(page, device, "closed")


def test_a_reopened_score_is_changed_and_submitted_again(page, server, judging, device):
    (content, _), *_ = judging["criteria"]
    with server.app_context():
        row = db.session.get(Assignment, judging["assignment"])
        judge = row.judge
        scoring.save_scores(row, judge, {str(c.id): c.max_score * 0.6 for c in row.round.criteria}, submit=True)
        scoring.reopen_assignment(row, (clock.utcnow() + timedelta(days=1)).isoformat(), "Nhập nhầm điểm",
                                  db.session.get(User, judging["organiser"]))
        db.session.commit()
    sign_in(page, judging["judge"], factories.PASSWORD)
    page.goto(f"/judging/assignments/{judging['assignment']}")
    expect(page.get_by_test_id("reopened")).to_be_visible()
    expect(page.get_by_test_id("save-draft")).to_have_count(0)
    page.locator(f"#score-{content}").fill("9")
    expect(page.get_by_test_id("judge-total")).to_have_text("72")  # 36 + 12 + 6 + 18
    assert server_scores(server, judging["assignment"])[1][content] == 6  # not autosaved: sent on submit
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit-scores").click()
    expect(page.get_by_test_id("read-only")).to_be_visible(timeout=10_000)
    status, scores = server_scores(server, judging["assignment"])
    assert status == "submitted" and scores[content] == 9
    assert_fits_screen(page)
