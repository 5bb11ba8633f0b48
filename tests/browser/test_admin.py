"""An administrator finds a member by a name typed without diacritics and grants a role, in a real browser."""

from __future__ import annotations

import re

import pytest

from contest.accounts.models import User
from contest.extensions import db
from tests.browser.support import assert_fits_screen, expect, make_account, sign_in

pytestmark = pytest.mark.browser


def test_admin_finds_a_member_without_diacritics_and_grants_the_judge_role(page, server, units, admin_account,
                                                                            member):
    other = make_account(server, units["Phường Ba Đình"], "Trần Văn Hùng", "van.hung@example.com")
    sign_in(page, admin_account.email, admin_account.password)
    expect(page.get_by_test_id("nav-profile")).to_have_text(admin_account.full_name)

    page.goto("/admin/users")
    expect(page.get_by_test_id(f"user-link-{other.id}")).to_be_visible()
    search = page.locator("main input[name=q]")
    search.fill("thu huong")  # for "Trần Thị Thu Hương"
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/users\?(.*&)?q=thu\+huong"))
    expect(page.get_by_test_id(f"user-link-{member.id}")).to_have_text(member.full_name)
    expect(page.get_by_test_id(f"user-link-{other.id}")).to_have_count(0)
    expect(page.get_by_test_id(f"user-link-{admin_account.id}")).to_have_count(0)
    assert_fits_screen(page)  # a wide table scrolls inside its wrapper, never the whole page

    page.get_by_test_id(f"user-link-{member.id}").click()
    expect(page).to_have_url(re.compile(rf"/admin/users/{member.id}$"))
    expect(page.locator("main h1")).to_have_text(member.full_name)
    expect(page.get_by_test_id("role-member")).to_be_checked()
    expect(page.get_by_test_id("role-judge")).not_to_be_checked()
    page.get_by_test_id("role-judge").check()
    page.get_by_test_id("save-roles").click()

    expect(page.locator(".flash-success")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/admin/users/{member.id}$"))
    expect(page.get_by_test_id("role-judge")).to_be_checked()
    expect(page.get_by_test_id("role-member")).to_be_checked()
    assert_fits_screen(page)
    with server.app_context():
        assert db.session.get(User, member.id).roles == ["member", "judge"]
        assert db.session.get(User, other.id).roles == ["member"]
