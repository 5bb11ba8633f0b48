"""Registration, sign-in, profile, password change and reset through the pages."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from contest.accounts.models import User
from contest.extensions import db
from tests import factories


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def register(client, unit, email="an.nguyen@example.com", password="mật-khẩu-dài", name="Nguyễn Văn An"):
    return client.post("/register", data={"full_name": name, "email": email, "unit_id": str(unit.id),
                                          "password": password, "password_confirm": password})


def test_home_is_vietnamese_by_default(client):
    resp = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert resp.status_code == 200
    assert '<html lang="vi">' in resp.text
    assert "Đăng ký" in resp.text


def test_register_signs_in_and_makes_a_member(client, unit):
    resp = register(client, unit)
    assert resp.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "an.nguyen@example.com"
    assert user.roles == ["member"]
    assert user.unit_id == unit.id
    assert "Nguyễn Văn An" in client.get("/").text


def test_register_refuses_the_same_email_in_another_case_spacing_or_unicode_form(client, unit):
    factories.gen_user(email="tran.thi.hoa@example.com", unit=unit)
    for variant in ["  TRAN.THI.HOA@EXAMPLE.COM ", "Tran.Thi.Hoa@Example.com"]:
        resp = register(client, unit, email=variant)
        assert resp.status_code == 422, variant
        assert "đã có tài khoản" in resp.text or "already exists" in resp.text
    assert count_users() == 1


def test_email_unicode_forms_are_one_account(client, unit):
    composed = "hồng@example.com"  # NFC
    decomposed = "ho\u0302\u0300ng@example.com"  # the same letters, decomposed (NFD)
    assert composed != decomposed
    assert register(client, unit, email=composed).status_code == 302
    client.post("/logout")
    assert register(client, unit, email=decomposed.upper()).status_code == 422
    assert count_users() == 1


def test_register_checks_every_field(client, unit):
    resp = client.post("/register", data={"full_name": "  ", "email": "not-an-email", "unit_id": "99999",
                                          "password": "short", "password_confirm": "short"})
    assert resp.status_code == 422
    assert count_users() == 0


def test_password_mismatch_is_refused(client, unit):
    resp = client.post("/register", data={"full_name": "A", "email": "a@example.com", "unit_id": str(unit.id),
                                          "password": "mật-khẩu-dài", "password_confirm": "khác-hẳn-rồi"})
    assert resp.status_code == 422
    assert count_users() == 0


def test_login_and_logout(client, unit):
    user = factories.gen_user(email="b@example.com", unit=unit)
    resp = client.post("/login", data={"email": " B@Example.com ", "password": factories.PASSWORD})
    assert resp.status_code == 302
    assert user.full_name in client.get("/").text
    assert client.post("/logout").status_code == 302
    assert user.full_name not in client.get("/").text


def test_login_with_a_wrong_password_is_refused(client, unit):
    factories.gen_user(email="c@example.com", unit=unit)
    resp = client.post("/login", data={"email": "c@example.com", "password": "wrong-password"})
    assert resp.status_code == 401
    assert "không đúng" in resp.text


def test_login_next_never_leaves_the_site(client, unit):
    factories.gen_user(email="d@example.com", unit=unit)
    resp = client.post("/login?next=https://evil.example/", data={"email": "d@example.com",
                                                                 "password": factories.PASSWORD})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_profile_edit(member_client, member, unit):
    other = factories.gen_unit("Phường Long Biên")
    resp = member_client.post("/account", data={"full_name": "  Lê   Thị Hoa ", "unit_id": str(other.id)})
    assert resp.status_code == 302
    db.session.refresh(member)
    assert member.full_name == "Lê Thị Hoa"
    assert member.unit_id == other.id


def test_change_password(member_client, member):
    resp = member_client.post("/account/password", data={"current_password": "wrong",
                                                         "new_password": "mật-khẩu-mới-1",
                                                         "new_password_confirm": "mật-khẩu-mới-1"})
    assert resp.status_code == 422
    resp = member_client.post("/account/password", data={"current_password": factories.PASSWORD,
                                                         "new_password": "mật-khẩu-mới-1",
                                                         "new_password_confirm": "mật-khẩu-mới-1"})
    assert resp.status_code == 302


def test_password_reset_by_mailed_link(app, client, unit):
    factories.gen_user(email="e@example.com", unit=unit)
    resp = client.post("/password/forgot", data={"email": "E@example.com"})
    assert resp.status_code == 302
    mail = app.extensions["contest_outbox"][-1]
    link = re.search(r"http://localhost(/password/reset/\S+)", mail.get_content()).group(1)
    assert client.get(link).status_code == 200
    resp = client.post(link, data={"password": "mật-khẩu-mới-2", "password_confirm": "mật-khẩu-mới-2"})
    assert resp.status_code == 302
    # The link works once.
    assert client.get(link).status_code == 302
    resp = client.post("/login", data={"email": "e@example.com", "password": "mật-khẩu-mới-2"})
    assert resp.status_code == 302


def test_forgot_password_does_not_reveal_accounts(app, client):
    resp = client.post("/password/forgot", data={"email": "nobody@example.com"})
    assert resp.status_code == 302
    assert not app.extensions.get("contest_outbox")
