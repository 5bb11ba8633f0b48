"""PUT /api/v1/users/{id}/roles: admins set roles, every change is audited."""

from __future__ import annotations

from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.extensions import db
from tests import factories


def put_roles(client, user_id, roles, headers=None):
    return client.put(f"/api/v1/users/{user_id}/roles", json={"roles": roles}, headers=headers or {})


def test_admin_sets_roles_and_each_change_is_audited(client, admin, member):
    headers = factories.bearer(factories.gen_token(admin))
    resp = put_roles(client, member.id, ["judge", "organiser"], headers)
    assert resp.status_code == 200
    assert resp.json["id"] == member.id
    assert resp.json["roles"] == ["judge", "organiser"]
    db.session.expire_all()
    assert member.roles == ["judge", "organiser"]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(member.id))
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.details["role"]) for e in entries] == [
        ("role_granted", "judge"), ("role_granted", "organiser"), ("role_revoked", "member")]
    assert all(e.actor_id == admin.id and e.target_type == "user" for e in entries)
    assert all(e.ip == "127.0.0.1" for e in entries)


def test_setting_the_same_roles_changes_and_audits_nothing(admin_client, member):
    resp = put_roles(admin_client, member.id, ["member"])
    assert resp.status_code == 200
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("role_%"))).all() == []


def test_unknown_role_is_422_and_changes_nothing(admin_client, member):
    resp = put_roles(admin_client, member.id, ["judge", "emperor"])
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "unknown_role"
    assert "roles" in resp.json["error"]["fields"]
    db.session.expire_all()
    assert member.roles == ["member"]


def test_missing_roles_is_422(admin_client, member):
    resp = admin_client.put(f"/api/v1/users/{member.id}/roles", json={})
    assert resp.status_code == 422
    assert "roles" in resp.json["error"]["fields"]


def test_roles_of_the_wrong_type_is_400(admin_client, member):
    for roles in ("judge", [1, 2], {"judge": True}):
        resp = put_roles(admin_client, member.id, roles)
        assert resp.status_code == 400, roles
        assert list(resp.json["error"]["fields"]) == ["roles"]


def test_unknown_user_is_404(admin_client):
    resp = put_roles(admin_client, 987654, ["judge"])
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"


def test_admins_cannot_remove_their_own_admin_role(admin_client, admin):
    resp = put_roles(admin_client, admin.id, ["member"])
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "own_admin_role"
    db.session.expire_all()
    assert "admin" in admin.roles


def test_members_and_anonymous_callers_cannot_set_roles(client, member, unit):
    other = factories.gen_user(unit=unit)
    resp = put_roles(client, other.id, ["admin"], factories.bearer(factories.gen_token(member)))
    assert resp.status_code == 403
    assert resp.json["error"]["code"] == "forbidden"
    assert put_roles(client, other.id, ["admin"]).status_code == 401
    db.session.expire_all()
    assert other.roles == ["member"]
    # A member cannot make themselves an admin either.
    assert put_roles(client, member.id, ["admin"], factories.bearer(factories.gen_token(member))).status_code == 403


def test_organisers_cannot_set_roles(organiser_client, member):
    assert put_roles(organiser_client, member.id, ["judge"]).status_code == 403
