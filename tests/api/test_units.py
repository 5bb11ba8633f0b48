"""The unit tree through the API: the list (with limit and offset) and creating units."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.units.models import Unit
from tests import factories


def count_units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_list_units_for_anyone_in_tree_order(client):
    city = factories.gen_unit("Hà Nội")
    dong_da = factories.gen_unit("Đống Đa", parent=city)
    ba_dinh = factories.gen_unit("Ba Đình", parent=city)
    resp = client.get("/api/v1/units")
    assert resp.status_code == 200
    assert resp.json == {"total": 3, "items": [
        {"id": city.id, "name": "Hà Nội", "parent_id": None},
        {"id": ba_dinh.id, "name": "Ba Đình", "parent_id": city.id},
        {"id": dong_da.id, "name": "Đống Đa", "parent_id": city.id},
    ]}


def test_list_units_limit_and_offset(client):
    ids = [factories.gen_unit(f"Chi bộ {n:02d}").id for n in range(7)]
    resp = client.get("/api/v1/units?limit=3&offset=2")
    assert resp.status_code == 200
    assert resp.json["total"] == 7
    assert [u["id"] for u in resp.json["items"]] == ids[2:5]
    assert client.get("/api/v1/units?offset=100").json == {"items": [], "total": 7}
    assert len(client.get("/api/v1/units?limit=500").json["items"]) == 7


def test_list_units_default_limit_is_50(client):
    for n in range(52):
        db.session.add(Unit(name=f"Tổ {n:02d}", search_name=f"to {n:02d}"))
    db.session.commit()
    body = client.get("/api/v1/units").json
    assert body["total"] == 52
    assert len(body["items"]) == 50


@pytest.mark.parametrize("query", [
    "limit=0", "limit=501", "limit=-1", "limit=abc", "limit=1.5", "limit=", "offset=-1", "offset=x",
    "offset=" + "9" * 40, "limit=%C2%B2",
])
def test_list_units_refuses_a_bad_limit_or_offset(client, query):
    resp = client.get(f"/api/v1/units?{query}", headers={"Accept-Language": "en"})
    assert resp.status_code == 400
    error = resp.json["error"]
    assert error["code"] == "bad_request"
    assert list(error["fields"]) == [query.split("=")[0]]


def test_admin_creates_a_unit(client, admin):
    city = factories.gen_unit("Hà Nội")
    resp = client.post("/api/v1/units", headers=factories.bearer(factories.gen_token(admin)),
                       json={"name": "  Phường   Láng Thượng ", "parent_id": city.id})
    assert resp.status_code == 201
    assert resp.json == {"id": resp.json["id"], "name": "Phường Láng Thượng", "parent_id": city.id}
    unit = db.session.get(Unit, resp.json["id"])
    assert unit.parent_id == city.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit_created",
                                                       AuditEntry.target_id == str(unit.id)))
    assert entry is not None
    assert entry.actor_id == admin.id


def test_admin_creates_a_top_level_unit(admin_client):
    resp = admin_client.post("/api/v1/units", json={"name": "Thành phố Huế"})
    assert resp.status_code == 201
    assert resp.json["parent_id"] is None


def test_a_duplicate_sibling_name_is_409(admin_client):
    city = factories.gen_unit("Hà Nội")
    factories.gen_unit("Đống Đa", parent=city)
    before = count_units()
    resp = admin_client.post("/api/v1/units", json={"name": "ĐỐNG ĐA", "parent_id": city.id})
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "unit_exists"
    assert count_units() == before


@pytest.mark.parametrize("body, field", [
    ({"name": "  "}, "name"), ({}, "name"), ({"name": "x" * 201}, "name"),
    ({"name": "Tổ 1", "parent_id": 99999}, "parent_id"),
])
def test_an_invalid_name_or_parent_is_422(admin_client, body, field):
    before = count_units()
    resp = admin_client.post("/api/v1/units", json=body)
    assert resp.status_code == 422
    assert field in resp.json["error"]["fields"]
    assert count_units() == before


def test_a_wrongly_typed_parent_is_400(admin_client):
    resp = admin_client.post("/api/v1/units", json={"name": "Tổ 1", "parent_id": [1]})
    assert resp.status_code == 400
    assert list(resp.json["error"]["fields"]) == ["parent_id"]


def test_members_cannot_create_units(client, member):
    for headers in ({}, factories.bearer(factories.gen_token(member))):
        before = count_units()
        resp = client.post("/api/v1/units", headers=headers, json={"name": "Tổ mới"})
        assert resp.status_code == (403 if headers else 401)
        assert resp.json["error"]["code"] == ("forbidden" if headers else "unauthorized")
        assert count_units() == before


@pytest.mark.parametrize("role", ["judge", "organiser"])
def test_other_roles_cannot_create_units(client, unit, role):
    user = factories.gen_user(roles=[role], unit=unit)
    resp = client.post("/api/v1/units", headers=factories.bearer(factories.gen_token(user)), json={"name": "Tổ"})
    assert resp.status_code == 403
