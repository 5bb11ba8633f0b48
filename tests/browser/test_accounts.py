"""Journeys of a member through a real browser: register, sign in and out, switch language, reset a password.

Each runs on a desktop and on a phone (see conftest.py); any console error (CSP included), failed request or
server error fails the test.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from contest.accounts.models import User
from contest.extensions import db
from tests.browser.support import assert_fits_screen, expect, sign_in, submit

pytestmark = pytest.mark.browser


def shown_options(page) -> list[str]:
    """The labels of the unit options the filter leaves visible (the empty "choose" option excluded)."""
    return page.locator("select.unit-select").evaluate(
        "s => Array.from(s.options).filter(o => o.value && !o.hidden).map(o => o.textContent.trim())")


def test_register_with_a_unit_found_without_diacritics(page, server, units):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert_fits_screen(page)
    page.locator("header").get_by_text("Đăng ký", exact=True).click()
    expect(page).to_have_url(re.compile(r"/register$"))
    assert_fits_screen(page)

    form = page.locator("main form")
    form.locator("input[name=full_name]").fill("Lê Thị Hồng Nhung")
    form.locator("input[name=email]").fill("hong.nhung@example.com")
    assert len(shown_options(page)) == len(units)
    page.locator("input.unit-filter").fill("thach ban")
    # While filtering, each option shows its place in the tree.
    assert shown_options(page) == ["Thành phố Hà Nội › Phường Thạch Bàn"]
    page.locator("select.unit-select").select_option(str(units["Phường Thạch Bàn"]))
    expect(page.locator("select.unit-select")).to_have_value(str(units["Phường Thạch Bàn"]))
    form.locator("input[name=password]").fill("một mật khẩu dài")
    form.locator("input[name=password_confirm]").fill("một mật khẩu dài")
    submit(page)

    expect(page.get_by_test_id("nav-profile")).to_have_text("Lê Thị Hồng Nhung")
    expect(page.locator(".flash-success")).to_be_visible()
    assert_fits_screen(page)
    with server.app_context():
        user = db.session.scalar(select(User).where(User.email == "hong.nhung@example.com"))
        assert user is not None
        assert (user.full_name, user.unit_id, user.roles) == ("Lê Thị Hồng Nhung", units["Phường Thạch Bàn"],
                                                               ["member"])


def test_sign_in_refuses_a_wrong_password_then_accepts_the_right_one_and_signs_out(page, member):
    page.goto("/")
    page.locator("header").get_by_role("link", name="Đăng nhập", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login$"))

    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/login")) as answer:
        page.locator("main input[name=email]").fill(member.email)
        page.locator("main input[name=password]").fill("not-the-password")
        submit(page)
    assert answer.value.status == 401
    expect(page.locator(".flash-error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("main h1")).to_have_text("Đăng nhập")
    expect(page.get_by_test_id("nav-profile")).to_have_count(0)

    page.locator("main input[name=email]").fill(member.email)
    page.locator("main input[name=password]").fill(member.password)
    submit(page)
    expect(page.get_by_test_id("nav-profile")).to_have_text(member.full_name)
    expect(page.locator(".flash-success")).to_be_visible()
    assert_fits_screen(page)

    page.get_by_test_id("nav-profile").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text(member.email)
    assert_fits_screen(page)

    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    expect(page.locator(".flash-info")).to_be_visible()
    expect(page.get_by_test_id("nav-profile")).to_have_count(0)
    expect(page.locator("header").get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_language_switch_overrides_the_browser_language(page):
    page.goto("/login")  # the browser context asks for en-US, the site still speaks Vietnamese
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text("Đăng nhập")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))  # back on the same page
    expect(page.locator("main h1")).to_have_text("Sign in")
    expect(page.locator("header").get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_test_id("lang-en")).to_have_count(0)  # the current language is not a link
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is remembered
    assert_fits_screen(page)

    page.get_by_test_id("lang-vi").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("header").get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()


def test_reset_a_forgotten_password(page, server, member):
    page.goto("/login")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    expect(page).to_have_url(re.compile(r"/password/forgot$"))
    page.locator("main input[name=email]").fill(member.email.upper())
    submit(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash-info")).to_be_visible()

    mail = server.last_mail_text()
    assert server.outbox[-1]["To"] == member.email
    links = re.findall(r"https?://\S+", mail)
    assert len(links) == 1, mail
    assert links[0].startswith(f"{server.url}/password/reset/"), links  # the live server's own host, no SERVER_NAME
    page.goto(links[0])
    expect(page.locator("main h1")).to_have_text("Đặt mật khẩu mới")
    page.locator("main input[name=password]").fill("mật khẩu mới tinh")
    page.locator("main input[name=password_confirm]").fill("mật khẩu mới tinh")
    submit(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash-success")).to_be_visible()

    sign_in(page, member.email, "mật khẩu mới tinh")
    expect(page.get_by_test_id("nav-profile")).to_have_text(member.full_name)

    # The link worked once: it dies with the password it was made for.
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    page.goto(links[0])
    expect(page).to_have_url(re.compile(r"/password/forgot$"))
    expect(page.locator(".flash-error")).to_be_visible()


def test_forms_carry_a_csrf_token_and_a_post_without_it_is_refused(page, member):
    page.goto("/login")
    token = page.locator("main form input[name=csrf_token]").input_value()
    assert len(token) > 20
    refused = page.request.post("/login", form={"email": member.email, "password": member.password},
                                max_redirects=0)
    assert refused.status == 400
    accepted = page.request.post("/login", form={"email": member.email, "password": member.password,
                                                 "csrf_token": token}, max_redirects=0)
    assert accepted.status == 302
    page.goto("/")
    expect(page.get_by_test_id("nav-profile")).to_have_text(member.full_name)
