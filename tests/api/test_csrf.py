"""With the session cookie, API changes need the page's CSRF token (X-CSRFToken); bearer and anonymous calls don't."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from contest.extensions import db
from contest.units.models import Unit
from tests import factories


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def page_csrf_token(client) -> str:
    """The token a page gives its scripts (<meta name="csrf-token">)."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert match, "the page has no csrf-token meta tag"
    return match.group(1)


def count_units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_cookie_authenticated_change_without_the_token_is_refused(admin_client):
    resp = admin_client.post("/api/v1/units", json={"name": "Tổ mới"})
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "csrf_failed"
    assert count_units() == 1  # the admin's unit only


def test_cookie_authenticated_change_with_a_wrong_token_is_refused(admin_client):
    page_csrf_token(admin_client)
    resp = admin_client.post("/api/v1/units", json={"name": "Tổ mới"}, headers={"X-CSRFToken": "forged"})
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "csrf_failed"


def test_cookie_authenticated_change_with_the_token_is_accepted(admin_client, member):
    token = page_csrf_token(admin_client)
    resp = admin_client.post("/api/v1/units", json={"name": "Tổ mới"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 201
    resp = admin_client.put(f"/api/v1/users/{member.id}/roles", json={"roles": ["judge"]},
                            headers={"X-CSRFToken": token})
    assert resp.status_code == 200


def test_cookie_authenticated_reads_need_no_token(member_client):
    assert member_client.get("/api/v1/me").status_code == 200


def test_bearer_requests_need_no_token_even_with_a_cookie(admin_client, admin):
    headers = factories.bearer(factories.gen_token(admin))
    resp = admin_client.post("/api/v1/units", json={"name": "Tổ mới"}, headers=headers)
    assert resp.status_code == 201
    assert admin_client.delete("/api/v1/auth/token", headers=headers).status_code == 204


def test_anonymous_requests_need_no_token(client, unit):
    resp = client.post("/api/v1/auth/register", json={
        "email": "moi@example.com", "password": "mật-khẩu-dài", "full_name": "Người Mới", "unit_id": unit.id})
    assert resp.status_code == 201
    resp = client.post("/api/v1/auth/token", json={"email": "moi@example.com", "password": "mật-khẩu-dài"})
    assert resp.status_code == 200


def test_pages_still_need_the_token(member_client):
    # Exempting the API from the global check leaves the pages protected.
    assert member_client.post("/logout").status_code == 400
