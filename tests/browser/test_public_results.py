"""A published writing contest, end to end: an anonymous visitor reads the results (names masked, the winning entry
linked); the winner signs in, opens My results and downloads their certificate (a PDF); the verification page for
its code names the holder in full. Runs on a desktop and a 390px phone."""

from __future__ import annotations

import re

import pytest

from contest.extensions import db
from contest.results import services as results
from tests.browser.support import assert_fits_screen, expect, new_context, sign_in
from tests.factories import PASSWORD
from tests.judging_factories import gen_world

pytestmark = pytest.mark.browser


@pytest.fixture
def published(server) -> dict:
    with server.app_context():
        world = gen_world(entries=2, judges=1)
        world.entries[0].publish_consent = True
        results.update_settings(world.contest, {"name_masking": "partial"}, world.organiser)
        results.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[0].code},
                                           {"tier": "second", "entry_code": world.entries[1].code}],
                           world.organiser)
        results.publish_contest(world.contest, world.organiser)
        db.session.commit()
        return {"slug": world.contest.slug, "email": world.writers[0].email, "name": world.writers[0].full_name,
                "title": world.entries[0].title}


def test_public_results_my_certificate_and_its_verification(page, browser, server, device, published):
    visitor = new_context(browser, server.url, device).new_page()
    try:
        assert visitor.goto(f"/contests/{published['slug']}/results").status == 200
        first = visitor.get_by_test_id("tier-first")
        expect(first).to_contain_text("Hoàng T. M. L.")
        expect(visitor.locator("main")).not_to_contain_text(published["name"])
        expect(first.get_by_test_id("entry-link")).to_have_text(published["title"])
        expect(visitor.get_by_test_id("print")).to_be_visible()
        assert_fits_screen(visitor)
    finally:
        visitor.context.close()

    sign_in(page, published["email"], PASSWORD)
    page.get_by_test_id("nav-my-results").click()
    expect(page.get_by_test_id("my-award")).to_have_count(1)
    certificate = page.get_by_test_id("my-certificate")
    expect(certificate).to_have_count(1)
    assert_fits_screen(page)
    code = re.search(r"GCN-[0-9A-Z]{8}", certificate.inner_text()).group(0)
    with page.expect_download() as download:
        certificate.get_by_test_id("certificate-download").click()
    assert download.value.suggested_filename == f"{code}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.goto("/verify")
    page.get_by_test_id("verify-code").fill(code.lower().replace("-", " "))
    page.get_by_test_id("verify-submit").click()
    expect(page).to_have_url(re.compile(f"/verify/{code}$"))
    expect(page.get_by_test_id("holder")).to_have_text(published["name"])
    expect(page.get_by_test_id("valid")).to_be_visible()
    assert_fits_screen(page)
