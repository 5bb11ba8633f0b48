"""An organiser runs the similarity check and reads a pair's shared passages, on a desktop and on a phone."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser.support import REPO, assert_fits_screen, expect, make_account, sign_in
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.essays.test_similarity import words
from tests.essays.test_similarity_checks import copy_of, html

SHOTS = REPO / "test-artifacts" / "browser" / "similarity"
SLUG = "viet-ve-guong-sang"


@pytest.fixture
def entries(server, units):
    with server.app_context():
        contest = gen_essay_contest(SLUG)
        original = words(1000, 300)
        writers = [factories.gen_user(full_name=name) for name in ("Trần Thị Hoa", "Lê Văn Nam", "Đỗ Thị Mai")]
        gen_entry(contest, writers[0], status="submitted", body_html=html(original), code="VT26-111111",
                  title="Người thầy của bản")
        gen_entry(contest, writers[1], status="submitted", body_html=html(copy_of(original, 2)),
                  code="VT26-222222", title="Cô giáo vùng cao")
        gen_entry(contest, writers[2], status="submitted", body_html=html(words(3, 300)), code="VT26-333333",
                  title="Bác sĩ của làng")


def test_an_organiser_runs_the_check_and_compares_a_pair(page, server, units, entries, device):
    organiser = make_account(server, units["Thành phố Hà Nội"], "Lê Minh Châu", "tochuc@example.com",
                             roles=["organiser"])
    sign_in(page, organiser.email, organiser.password)
    page.goto(f"/organiser/contests/{SLUG}/similarity")
    expect(page.get_by_test_id("never-checked")).to_be_visible()
    page.get_by_test_id("run-check").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("pair-count")).to_have_text("1")
    table = page.get_by_test_id("pair-table")
    expect(table).to_contain_text("VT26-111111")
    expect(table).to_contain_text("VT26-222222")
    expect(table).not_to_contain_text("VT26-333333")
    assert_fits_screen(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{device}-pairs.png"), full_page=True)

    table.locator("a[data-testid^=pair-link]").click()
    shared = page.locator("mark")
    expect(shared).to_have_count(2)
    first, second = shared.nth(0).inner_text(), shared.nth(1).inner_text()
    assert len(first.split()) == 40 and first.casefold().replace(".", "") == second.casefold().replace(".", "")
    boxes = [shared.nth(i).bounding_box() for i in range(2)]
    if device == "desktop":  # side by side
        assert boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1
    else:  # stacked
        assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
    assert_fits_screen(page)
    page.screenshot(path=str(SHOTS / f"{device}-pair.png"), full_page=True)
