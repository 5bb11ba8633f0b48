"""Registration, tokens (issue, use, expiry, revocation, throttle) and /me through the API."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from contest.accounts import services
from contest.accounts.models import ApiToken, User
from contest.core.clock import utcnow
from contest.extensions import db
from tests import factories

EN = {"Accept-Language": "en"}


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def sign_in(client, email, password=factories.PASSWORD, **kwargs):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password}, **kwargs)


# --- register ---------------------------------------------------------------------------------------------

def test_register_makes_a_member(client, unit):
    resp = client.post("/api/v1/auth/register", json={
        "email": " An.Nguyen@Example.com ", "password": "mật-khẩu-dài", "full_name": "  Nguyễn   Văn An ",
        "unit_id": unit.id})
    assert resp.status_code == 201
    body = resp.json
    assert {k: body[k] for k in ("email", "full_name", "unit_id", "roles")} == {
        "email": "an.nguyen@example.com", "full_name": "Nguyễn Văn An", "unit_id": unit.id, "roles": ["member"]}
    assert datetime.fromisoformat(body["created_at"]).utcoffset() == timedelta(0)
    user = db.session.get(User, body["id"])
    assert user is not None and user.roles == ["member"]
    assert "Set-Cookie" not in resp.headers  # registering through the API signs nobody in


def test_register_accepts_the_unit_id_as_a_string(client, unit):
    resp = client.post("/api/v1/auth/register", json={
        "email": "b@example.com", "password": "mật-khẩu-dài", "full_name": "B", "unit_id": str(unit.id)})
    assert resp.status_code == 201
    assert resp.json["unit_id"] == unit.id


@pytest.mark.parametrize("variant", [
    "tran.thi.hoa@example.com", "TRAN.THI.HOA@EXAMPLE.COM", "  Tran.Thi.Hoa@Example.com\t",
])
def test_register_refuses_a_taken_email_in_any_case_or_spacing(client, unit, variant):
    factories.gen_user(email="tran.thi.hoa@example.com", unit=unit)
    resp = client.post("/api/v1/auth/register", json={
        "email": variant, "password": "mật-khẩu-dài", "full_name": "Trần Thị Hoa", "unit_id": unit.id})
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "email_taken"
    assert "email" in resp.json["error"]["fields"]
    assert count_users() == 1


def test_register_refuses_a_taken_email_in_another_unicode_form(client, unit):
    factories.gen_user(email="hồng@example.com", unit=unit)  # NFC
    decomposed = "HO\u0302\u0300NG@example.com"  # the same letters, decomposed and upper-case
    resp = client.post("/api/v1/auth/register", json={
        "email": decomposed, "password": "mật-khẩu-dài", "full_name": "Hồng", "unit_id": unit.id})
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "email_taken"
    assert count_users() == 1


def test_register_reports_every_bad_field(client, unit):
    resp = client.post("/api/v1/auth/register", headers=EN, json={
        "email": "not-an-email", "password": "short", "full_name": "  ", "unit_id": 99999})
    assert resp.status_code == 422
    error = resp.json["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "password", "full_name", "unit_id"}
    assert error["fields"]["unit_id"] == ["Choose an existing unit."]
    assert count_users() == 0


def test_register_with_missing_fields_is_422(client, unit):
    resp = client.post("/api/v1/auth/register", json={})
    assert resp.status_code == 422
    assert set(resp.json["error"]["fields"]) == {"email", "password", "full_name", "unit_id"}


@pytest.mark.parametrize("field, value", [
    ("email", 42), ("password", ["x"]), ("full_name", {"a": 1}), ("unit_id", True), ("unit_id", 1.5),
    ("unit_id", "abc"), ("unit_id", "9" * 30), ("unit_id", 10**30),
])
def test_register_with_a_wrongly_typed_field_is_400(client, unit, field, value):
    body = {"email": "c@example.com", "password": "mật-khẩu-dài", "full_name": "C", "unit_id": unit.id}
    body[field] = value
    resp = client.post("/api/v1/auth/register", json=body)
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "bad_request"
    assert list(resp.json["error"]["fields"]) == [field]
    assert count_users() == 0


# --- tokens -----------------------------------------------------------------------------------------------

def test_token_for_the_right_password(client, member):
    before = utcnow()
    resp = sign_in(client, " " + member.email.upper())
    assert resp.status_code == 200
    token = resp.json["token"]
    expires_at = datetime.fromisoformat(resp.json["expires_at"])
    assert expires_at.utcoffset() is not None
    assert expires_at > before + timedelta(days=6)
    assert "Set-Cookie" not in resp.headers
    me = client.get("/api/v1/me", headers=factories.bearer(token))
    assert me.status_code == 200
    assert me.json["id"] == member.id
    assert me.json["email"] == member.email
    assert me.json["roles"] == ["member"]
    assert me.json["unit_id"] == member.unit_id
    assert me.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in me.headers  # bearer requests never open a session


def test_wrong_password_is_401_bad_credentials(client, member):
    resp = sign_in(client, member.email, "sai-mật-khẩu", headers=EN)
    assert resp.status_code == 401
    assert resp.json["error"] == {"code": "bad_credentials", "message": "The email or password is not right."}


def test_unknown_email_is_the_same_401(client):
    resp = sign_in(client, "nobody@example.com", "whatever-123", headers=EN)
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "bad_credentials"


def test_token_without_email_or_password_is_422(client):
    resp = client.post("/api/v1/auth/token", json={"email": "a@example.com"})
    assert resp.status_code == 422
    assert list(resp.json["error"]["fields"]) == ["password"]


def test_repeated_failures_for_an_account_are_rate_limited_even_with_the_right_password(client, member):
    for _ in range(5):
        assert sign_in(client, member.email, "sai-mật-khẩu").status_code == 401
    resp = sign_in(client, member.email, "sai-mật-khẩu")
    assert resp.status_code == 429
    assert resp.json["error"]["code"] == "rate_limited"
    resp = sign_in(client, member.email)  # the right password, still refused for now
    assert resp.status_code == 429
    assert resp.json["error"]["code"] == "rate_limited"


def test_repeated_failures_from_an_address_are_rate_limited(client, unit):
    victim = factories.gen_user(email="victim@example.com", unit=unit)
    attacker = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    for n in range(20):
        assert sign_in(client, f"guess{n}@example.com", "sai-mật-khẩu", **attacker).status_code == 401
    assert sign_in(client, victim.email, **attacker).status_code == 429
    # The account itself was not attacked: from another address it signs in.
    assert sign_in(client, victim.email, environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 200


def test_successful_sign_ins_do_not_count(client, member):
    for _ in range(4):
        assert sign_in(client, member.email, "sai-mật-khẩu").status_code == 401
    for _ in range(10):
        assert sign_in(client, member.email).status_code == 200
    assert sign_in(client, member.email, "sai-mật-khẩu").status_code == 401  # the fifth failure
    assert sign_in(client, member.email).status_code == 429


def test_tokens_are_stored_hashed(client, member):
    token = sign_in(client, member.email).json["token"]
    rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert rows[0]._mapping["token_hash"] == hashlib.sha256(token.encode()).hexdigest()


def test_no_token_is_401(client):
    resp = client.get("/api/v1/me", headers=EN)
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "bearer " + "x" * 2000])
def test_unknown_or_malformed_token_is_401(client, member, header):
    resp = client.get("/api/v1/me", headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "unauthorized"


def test_a_bad_token_is_refused_even_on_public_endpoints(client, unit):
    resp = client.get("/api/v1/units", headers=factories.bearer("dead-token"))
    assert resp.status_code == 401


def test_other_authorization_schemes_are_ignored(client, unit):
    # e.g. a staging site behind HTTP basic auth: the header is not ours.
    assert client.get("/api/v1/units", headers={"Authorization": "Basic dXNlcjpwdw=="}).status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwdw=="}).status_code == 401


def test_expired_token_is_401_by_its_row(client, member):
    token = factories.gen_token(member)
    row = db.session.scalar(select(ApiToken))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    resp = client.get("/api/v1/me", headers=factories.bearer(token))
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "unauthorized"


def test_expired_token_is_401_when_time_passes(client, member, app, monkeypatch):
    token = factories.gen_token(member)
    assert client.get("/api/v1/me", headers=factories.bearer(token)).status_code == 200
    later = utcnow() + timedelta(seconds=app.config["API_TOKEN_TTL"] + 1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    assert client.get("/api/v1/me", headers=factories.bearer(token)).status_code == 401


def test_token_of_a_deactivated_account_is_401(client, member):
    token = factories.gen_token(member)
    member.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=factories.bearer(token)).status_code == 401


def test_delete_token_revokes_the_token_used(client, member):
    kept = factories.gen_token(member)
    token = factories.gen_token(member)
    resp = client.delete("/api/v1/auth/token", headers=factories.bearer(token))
    assert resp.status_code == 204
    assert resp.data == b""
    again = client.get("/api/v1/me", headers=factories.bearer(token))
    assert again.status_code == 401
    assert client.delete("/api/v1/auth/token", headers=factories.bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=factories.bearer(kept)).status_code == 200  # only that one


def test_delete_token_without_a_token_is_401(client, member_client):
    assert client.delete("/api/v1/auth/token").status_code == 401
    # The session cookie has no token to revoke.
    assert member_client.delete("/api/v1/auth/token").status_code == 401


def test_me_with_the_session_cookie(member_client, member):
    resp = member_client.get("/api/v1/me")
    assert resp.status_code == 200
    assert resp.json["id"] == member.id
    assert resp.headers["Cache-Control"] == "no-store"


def test_bearer_wins_over_the_session_cookie(member_client, admin):
    token = factories.gen_token(admin)
    resp = member_client.get("/api/v1/me", headers=factories.bearer(token))
    assert resp.json["id"] == admin.id
