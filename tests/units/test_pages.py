"""The unit pages: the tree, create, rename, move, delete, and who may open them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.units.models import Unit
from tests import factories


def units_named(name: str) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.name == name)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def unit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


@pytest.fixture
def tree(app):
    city = factories.gen_unit("Thành phố Hà Nội")
    ward = factories.gen_unit("Phường Long Biên", city)
    cell = factories.gen_unit("Chi bộ Tổ dân phố Thạch Bàn 1", ward)
    other = factories.gen_unit("Phường Đống Đa", city)
    return {"city": city, "ward": ward, "cell": cell, "other": other}


def test_the_tree_is_listed_in_order_indented_with_member_counts(admin_client, tree):
    factories.gen_user(unit=tree["cell"])
    factories.gen_user(unit=tree["cell"])
    factories.gen_user(unit=tree["ward"])
    resp = admin_client.get("/admin/units/")
    assert resp.status_code == 200
    html = resp.text
    order = [html.index(name) for name in ("Thành phố Hà Nội", "Phường Đống Đa", "Phường Long Biên", "Chi bộ Tổ")]
    assert order == sorted(order)  # depth first, children by Vietnamese alphabet (Đ before L)
    row = re.search(rf'<tr data-unit-id="{tree["cell"].id}">(.*?)</tr>', html, re.S).group(1)
    assert "tree-depth-2" in row
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "2"]
    row = re.search(rf'<tr data-unit-id="{tree["city"].id}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "3"]  # none directly, three below


def test_search_ignores_diacritics_and_case(admin_client, tree):
    html = admin_client.get("/admin/units/", query_string={"q": "dong da"}).text
    assert f'data-unit-id="{tree["other"].id}"' in html
    assert f'data-unit-id="{tree["ward"].id}"' not in html
    assert "1 unit matches" in html
    html = admin_client.get("/admin/units/", query_string={"q": "THẠCH BÀN"}).text
    assert f'data-unit-id="{tree["cell"].id}"' in html
    assert "Thành phố Hà Nội › Phường Long Biên" in html  # where the match sits


def test_create_a_root_and_a_sub_unit(admin_client, admin, tree):
    resp = admin_client.post("/admin/units/new", data={"name": "  Thành  đoàn Hà Nội ", "parent_id": "", "code": ""})
    assert resp.status_code == 302
    (root,) = units_named("Thành đoàn Hà Nội")
    assert root.parent_id is None and root.code is None
    resp = admin_client.post("/admin/units/new", data={"name": "Đoàn Trường ĐHSP", "parent_id": str(root.id),
                                                       "code": "DHSP"})
    assert resp.status_code == 302
    (child,) = units_named("Đoàn Trường ĐHSP")
    assert (child.parent_id, child.code) == (root.id, "DHSP")
    assert resp.headers["Location"].endswith(f"/admin/units/{child.id}")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit_created",
                                                       AuditEntry.target_id == str(child.id)))
    assert entry.actor_id == admin.id


def test_the_new_unit_page_preselects_the_parent(admin_client, tree):
    html = admin_client.get("/admin/units/new", query_string={"parent": tree["ward"].id}).text
    assert re.search(rf'<option value="{tree["ward"].id}"[^>]*selected', html)


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "parent_id": ""}, "name-error"),
    ({"name": "Phường long biên", "parent_id": "CITY"}, "already exists at this place"),
    ({"name": "Mới", "parent_id": "999999"}, "The parent unit does not exist."),
    ({"name": "Mới", "parent_id": "", "code": "hn-1"}, "Another unit already has the code"),
])
def test_create_refusals_are_shown_and_nothing_is_written(admin_client, tree, data, message):
    db.session.execute(Unit.__table__.update().where(Unit.id == tree["other"].id).values(code="HN-1"))
    db.session.commit()
    data = {k: (str(tree["city"].id) if v == "CITY" else v) for k, v in data.items()}
    before = unit_count()
    resp = admin_client.post("/admin/units/new", data=data)
    assert resp.status_code in (409, 422)
    assert message in resp.text
    assert unit_count() == before


def test_rename_and_change_code(admin_client, tree):
    ward = tree["ward"]
    resp = admin_client.post(f"/admin/units/{ward.id}/rename", data={"rename-name": "Phường Long Biên mới",
                                                                     "rename-code": "LB"})
    assert resp.status_code == 302
    db.session.refresh(ward)
    assert (ward.name, ward.search_name, ward.code) == ("Phường Long Biên mới", "phuong long bien moi", "LB")
    assert audit_actions()[-2:] == ["unit_renamed", "unit_code_changed"]


def test_rename_to_a_sibling_name_is_refused(admin_client, tree):
    resp = admin_client.post(f"/admin/units/{tree['ward'].id}/rename", data={"rename-name": "phường đống đa"})
    assert resp.status_code == 409
    assert "already exists at this place" in resp.text
    db.session.refresh(tree["ward"])
    assert tree["ward"].name == "Phường Long Biên"


def test_move_under_another_unit_and_to_the_top(admin_client, tree):
    cell = tree["cell"]
    resp = admin_client.post(f"/admin/units/{cell.id}/move", data={"move-parent_id": str(tree["other"].id)})
    assert resp.status_code == 302
    db.session.refresh(cell)
    assert cell.parent_id == tree["other"].id
    resp = admin_client.post(f"/admin/units/{cell.id}/move", data={"move-parent_id": ""})
    assert resp.status_code == 302
    db.session.refresh(cell)
    assert cell.parent_id is None
    assert audit_actions()[-2:] == ["unit_moved", "unit_moved"]


@pytest.mark.parametrize("target", ["city", "ward", "cell"])
def test_moving_a_unit_under_itself_or_a_descendant_is_refused(admin_client, tree, target):
    city = tree["city"]
    resp = admin_client.post(f"/admin/units/{city.id}/move", data={"move-parent_id": str(tree[target].id)})
    assert resp.status_code == 422
    assert "cannot be moved under itself or one of its own sub-units" in resp.text
    db.session.refresh(city)
    assert city.parent_id is None
    assert "unit_moved" not in audit_actions()


def test_delete_an_empty_unit(admin_client, tree):
    cell_id = tree["cell"].id
    resp = admin_client.post(f"/admin/units/{cell_id}/delete")
    assert resp.status_code == 302
    assert db.session.get(Unit, cell_id) is None
    assert audit_actions()[-1] == "unit_deleted"
    assert "has been deleted" in admin_client.get(resp.headers["Location"]).text


def test_a_unit_with_members_cannot_be_deleted_and_the_page_says_why(admin_client, tree):
    factories.gen_user(unit=tree["cell"])
    resp = admin_client.post(f"/admin/units/{tree['cell'].id}/delete")
    assert resp.status_code == 409
    assert "cannot be deleted: 1 members belong to it" in resp.text
    assert db.session.get(Unit, tree["cell"].id) is not None


def test_a_unit_with_sub_units_cannot_be_deleted_and_the_page_says_why(admin_client, tree):
    resp = admin_client.post(f"/admin/units/{tree['city'].id}/delete")
    assert resp.status_code == 409
    assert "it has 2 sub-units" in resp.text
    assert db.session.get(Unit, tree["city"].id) is not None


def test_the_unit_page_shows_its_place_members_and_sub_units(admin_client, tree):
    factories.gen_user(unit=tree["ward"])
    factories.gen_user(unit=tree["cell"])
    factories.gen_user(unit=tree["cell"])
    html = admin_client.get(f"/admin/units/{tree['ward'].id}").text
    assert "Thành phố Hà Nội › Phường Long Biên" in html
    assert "1 directly in this unit" in html and "3 with its sub-units" in html
    assert "1 unit below this one" in html
    assert f'href="/admin/units/{tree["cell"].id}"' in html
    assert f'/admin/users?unit={tree["ward"].id}' in html


def test_unknown_units_are_404(admin_client):
    assert admin_client.get("/admin/units/424242").status_code == 404
    assert admin_client.post("/admin/units/424242/delete").status_code == 404


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_writes_need_the_csrf_token(csrf_on, admin_client, tree):
    resp = admin_client.post(f"/admin/units/{tree['cell'].id}/delete")
    assert resp.status_code == 400
    assert db.session.get(Unit, tree["cell"].id) is not None
    page = admin_client.get(f"/admin/units/{tree['cell'].id}").text
    token = re.search(r'name="delete-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = admin_client.post(f"/admin/units/{tree['cell'].id}/delete", data={"delete-csrf_token": token})
    assert resp.status_code == 302
    assert db.session.get(Unit, tree["cell"].id) is None


def test_names_in_messages_and_searches_are_escaped(admin_client):
    unit = factories.gen_unit("<b>Chi bộ</b>")
    factories.gen_user(unit=unit)
    resp = admin_client.post(f"/admin/units/{unit.id}/delete")
    assert resp.status_code == 409
    assert "“&lt;b&gt;Chi bộ&lt;/b&gt;” cannot be deleted" in resp.text
    assert "<b>Chi bộ</b>" not in resp.text
    resp = admin_client.post("/admin/units/new", data={"name": "<b>Chi bộ</b>", "parent_id": ""})
    assert resp.status_code == 409
    assert "<b>" not in resp.text
    html = admin_client.get("/admin/units/", query_string={"q": "<i>x</i>"}).text
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
