"""Publishing a closed quiz round freezes its results: an organiser publishes on the round's results page, an
anonymous visitor sees the published board with the time of publication; a change afterwards is noticed on the
organiser's page and shows publicly only once the round is published again. Runs on a desktop and a 390px phone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from contest.core.cache import get_cache
from contest.core.clock import as_utc, utcnow
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.models import Round, Standing
from contest.units.models import Unit
from tests.browser.support import assert_fits_screen, expect, make_account, new_context, sign_in
from tests.quiz.board_factories import gen_attempt, gen_contest, gen_members, gen_round

pytestmark = pytest.mark.browser


@pytest.fixture
def organiser(server, units):
    return make_account(server, units["Thành phố Hà Nội"], "Nguyễn Văn Tổ Chức", "tochuc@example.com",
                        roles=["organiser", "member"])


@pytest.fixture
def closed_round(server, units) -> tuple[int, int]:
    """A closed round: An 10 right, Bình 9, Châu 8. Returns the round's id and Châu's."""
    with server.app_context():
        get_cache().clear()
        unit = db.session.get(Unit, units["Phường Ba Đình"])
        round_ = gen_round(gen_contest(title="Tìm hiểu Di chúc của Bác"), state="closed", title="Tuần 1")
        members = gen_members(3, unit)
        for i, (member, name) in enumerate(zip(members, ("Lê Văn An", "Trần Thị Bình", "Phạm Minh Châu"),
                                               strict=True)):
            member.full_name = name
            gen_attempt(round_, member, correct=10 - i, duration_ms=200_000)
        return round_.id, members[2].id


def test_publish_then_the_public_sees_the_frozen_board_until_published_again(page, browser, server, device,
                                                                            organiser, closed_round):
    round_id, chau = closed_round
    sign_in(page, organiser.email, organiser.password)
    page.goto(f"/organiser/rounds/{round_id}/results")
    page.get_by_test_id("publish").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("publication")).to_have_text(re.compile(r"^Đã công bố lúc .*\d"))
    expect(page.get_by_test_id("publication-current")).to_be_visible()

    visitor = new_context(browser, server.url, device).new_page()
    try:
        assert visitor.goto(f"/rounds/{round_id}/leaderboard").status == 200
        expect(visitor.get_by_test_id("published-at")).to_have_text(re.compile(r"công bố lúc .*\d"))
        rows = visitor.get_by_test_id("leaderboard").locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("Lê Văn An")
        expect(rows.nth(2)).to_contain_text("Phạm Minh Châu")
        assert_fits_screen(visitor)

        # Châu's result is corrected and the round finalised again: the organiser sees it and is told to publish
        # again; the public board stays as published.
        with server.app_context():
            round_ = db.session.get(Round, round_id)
            db.session.execute(update(Standing).where(Standing.round_id == round_id, Standing.user_id == chau)
                               .values(correct=10, missed=0, submitted_at=as_utc(round_.opens_at)))
            lb.clear_leaderboard_cache(round_id)
            lb.finalise_round(round_, utcnow())
        page.reload()
        expect(page.get_by_test_id("publication-changed")).to_be_visible()
        expect(page.get_by_test_id("leaderboard").locator("tbody tr").nth(0)).to_contain_text("Phạm Minh Châu")
        assert_fits_screen(page)
        visitor.reload()
        expect(rows.nth(0)).to_contain_text("Lê Văn An")

        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("publication-current")).to_be_visible()
        visitor.reload()
        expect(rows.nth(0)).to_contain_text("Phạm Minh Châu")
    finally:
        visitor.context.close()
