"""An organiser, on the results page of a closed writing contest whose final judging round is scored, uses the
proposal, publishes, and the contest page then shows the "Results" link — on a desktop and a 390px phone.

Screenshots go to test-artifacts/browser/results/ (awards-<device>-<page>.png).
"""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.support import REPO, assert_fits_screen, expect, sign_in
from tests.results.test_awards import scored_essay

pytestmark = pytest.mark.browser

SHOTS = REPO / "test-artifacts" / "browser" / "results"


def shot(page, device: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"awards-{device}-{name}.png"), full_page=True)


def test_an_organiser_confirms_the_proposal_and_publishes(page, server, device):
    with server.app_context():
        world = scored_essay()
        slug, organiser, best = world.contest.slug, world.organiser.email, world.entries[1].code
    sign_in(page, organiser, factories.PASSWORD)
    page.goto(f"/contests/{slug}")
    expect(page.get_by_test_id("contest-results")).to_have_count(0)
    page.get_by_test_id("contest-results-admin").click()
    expect(page.get_by_test_id("not-published")).to_be_visible()
    expect(page.get_by_test_id("no-awards")).to_be_visible()
    assert_fits_screen(page)
    shot(page, device, "empty")

    page.get_by_test_id("show-proposal").click()
    proposal = page.get_by_test_id("proposal")
    expect(proposal.locator("tbody tr")).to_have_count(6)  # 1 first, 2 second (a tie), 3 third
    expect(proposal.locator("tbody tr").first).to_contain_text(best)
    assert_fits_screen(page)
    shot(page, device, "proposal")
    page.get_by_test_id("confirm-proposal").click()
    awards = page.get_by_test_id("awards")
    expect(awards.locator("tbody tr")).to_have_count(6)
    expect(awards.locator("tbody tr").first).to_contain_text(best)

    page.get_by_test_id("publish-toggle").click()
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("published")).to_be_visible()
    expect(page.get_by_test_id("awards-changed")).to_have_count(0)
    expect(page.get_by_test_id("public-results")).to_be_visible()
    assert_fits_screen(page)
    shot(page, device, "published")

    page.goto(f"/contests/{slug}")
    link = page.get_by_test_id("contest-results")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/contests/{slug}/results")
    assert_fits_screen(page)
