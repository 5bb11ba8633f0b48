"""Site-wide behaviour: headers, cookies, CSRF, error pages in both languages, language choice, time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from contest import create_app
from contest.accounts.models import User
from contest.extensions import db
from contest.units.models import Unit
from tests import factories


def test_security_headers(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts(client, unit):
    for path in ["/", "/login", "/register", "/password/forgot"]:
        html = client.get(path).text
        assert "<script>" not in html and "onclick=" not in html and " style=" not in html, path


def test_session_cookie_is_secure_httponly_samesite(client, unit):
    factories.gen_user(email="a@example.com", unit=unit)
    resp = client.post("/login", data={"email": "a@example.com", "password": factories.PASSWORD})
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_signed_in_pages_are_not_cached(member_client):
    assert "no-store" in member_client.get("/account").headers["Cache-Control"]


@pytest.fixture
def csrf_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_form_without_csrf_token_is_refused_and_changes_nothing(csrf_config, app, client, unit):
    resp = client.post("/register", data={"full_name": "A", "email": "a@example.com", "unit_id": str(unit.id),
                                          "password": "mật-khẩu-dài", "password_confirm": "mật-khẩu-dài"})
    assert resp.status_code == 400
    assert "mã bảo mật" in resp.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_form_with_csrf_token_works(csrf_config, app, client, unit):
    import re

    page = client.get("/register").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/register", data={"csrf_token": token, "full_name": "A", "email": "a@example.com",
                                          "unit_id": str(unit.id), "password": "mật-khẩu-dài",
                                          "password_confirm": "mật-khẩu-dài"})
    assert resp.status_code == 302


def test_404_page_in_vietnamese_and_english(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "Không tìm thấy trang" in resp.text
    client.get("/lang/en")
    resp = client.get("/no-such-page")
    assert '<html lang="en">' in resp.text
    assert "Page not found" in resp.text


def test_403_for_a_member_on_admin_pages(member_client):
    resp = member_client.get("/admin/")
    assert resp.status_code == 403
    assert "Không được phép" in resp.text


def test_anonymous_is_sent_to_sign_in(client):
    resp = client.get("/admin/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_oversized_body_gets_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    resp = client.post("/login", data={"email": "a@example.com", "password": "x" * 5000})
    assert resp.status_code == 413
    assert "vượt quá" in resp.text


def test_500_page_rolls_back_the_session(app, client):
    @app.route("/boom")
    def boom():
        db.session.add(Unit(name="Nửa chừng", search_name="nua chung"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = client.get("/boom")
    assert resp.status_code == 500
    assert "Chưa có gì được lưu" in resp.text
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.name == "Nửa chừng")) == 0


def test_429_page_after_failed_sign_ins(app, client, unit):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    factories.gen_user(email="victim@example.com", unit=unit)
    for _ in range(3):
        assert client.post("/login", data={"email": "victim@example.com", "password": "sai"}).status_code == 401
    # Even the right password is refused now, and in another letter case the account is the same one.
    resp = client.post("/login", data={"email": "VICTIM@example.com", "password": factories.PASSWORD})
    assert resp.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in resp.text


def test_successful_sign_ins_do_not_count(app, client, unit):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    factories.gen_user(email="ok@example.com", unit=unit)
    for _ in range(4):
        assert client.post("/login", data={"email": "ok@example.com", "password": factories.PASSWORD}
                           ).status_code == 302
        client.post("/logout")


def test_per_address_limit_covers_many_accounts(app, client, unit):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for i in range(4):
        client.post("/login", data={"email": f"guess{i}@example.com", "password": "sai"})
    factories.gen_user(email="real@example.com", unit=unit)
    resp = client.post("/login", data={"email": "real@example.com", "password": factories.PASSWORD})
    assert resp.status_code == 429


def test_language_switch_keeps_the_page_and_refuses_other_sites(client):
    resp = client.get("/lang/en?next=/login")
    assert resp.headers["Location"] == "/login"
    assert "lang=en" in resp.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/login").text
    assert client.get("/lang/vi?next=//evil.example/").headers["Location"] == "/"


def test_times_are_shown_in_ho_chi_minh_city(app):
    with app.test_request_context("/"):
        shown = render_template_string("{{ t|dt('HH:mm dd/MM/yyyy') }}", t=datetime(2026, 1, 1, 20, 30, tzinfo=UTC))
    assert shown == "03:30 02/01/2026"


def test_production_refuses_to_start_without_a_real_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"CONTEST_ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"CONTEST_ENV": "production", "SECRET_KEY": "short", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app({"CONTEST_ENV": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_configuration_from_environment(monkeypatch):
    from contest.config import from_environment, normalise_database_url

    env = {"DATABASE_URL": "postgres://u@h/db", "MAIL_PORT": "2525", "MAIL_USE_TLS": "false", "REDIS_URL": ""}
    cfg = from_environment(env)
    assert cfg == {"SQLALCHEMY_DATABASE_URI": "postgres://u@h/db", "MAIL_PORT": 2525, "MAIL_USE_TLS": False}
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_lazy_messages_with_user_data_are_escaped(app):
    from flask_babel import lazy_gettext

    with app.test_request_context("/"):
        shown = render_template_string("{{ m }}", m=lazy_gettext("No such unit: %(name)s", name="<b>x</b>"))
    assert "<b>" not in shown and "&lt;b&gt;" in shown


def test_form_fields_are_not_marked_invalid_before_an_error(client, unit):
    html = client.get("/login").text
    assert 'aria-invalid="None"' not in html and 'autocomplete="None"' not in html
    html = client.post("/login", data={"email": "", "password": ""}).text
    assert 'aria-invalid="true"' in html


def test_flashed_messages_with_user_data_are_escaped(app, client):
    from flask import flash
    from flask_babel import lazy_gettext

    @app.route("/flash-test")
    def flash_test():
        flash(lazy_gettext("No such unit: %(name)s", name="<script>alert(1)</script>"), "error")
        return "ok"

    client.get("/flash-test")
    html = client.get("/login").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
