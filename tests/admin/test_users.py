"""The members list (search, filters, pages) and a member's page with the roles form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.extensions import db
from tests import factories


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="user-link-(\d+)"', html)]


def entries(action: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


@pytest.fixture
def people(app, unit):
    city = factories.gen_unit("Thành phố Hà Nội")
    ward = factories.gen_unit("Phường Long Biên", city)
    cell = factories.gen_unit("Chi bộ Thạch Bàn", ward)
    other = factories.gen_unit("Phường Đống Đa", city)
    return {
        "an": factories.gen_user("an.nguyen@example.com", "Nguyễn Văn An", unit=cell),
        "binh": factories.gen_user("binh.tran@example.com", "Trần Thị Bình", roles=["member", "judge"], unit=ward),
        "dung": factories.gen_user("dung@example.com", "Phạm Quốc Dũng", roles=["organiser"], unit=other),
        "units": {"city": city, "ward": ward, "cell": cell, "other": other},
    }


def test_the_list_links_every_member_and_has_a_search_box(admin_client, admin, people):
    html = admin_client.get("/admin/users").text
    assert sorted(listed_ids(html)) == sorted([admin.id, people["an"].id, people["binh"].id, people["dung"].id])
    assert f'href="/admin/users/{people["an"].id}" data-testid="user-link-{people["an"].id}"' in html
    assert re.search(r'<input type="search" name="q"', html)
    assert "Thành phố Hà Nội › Phường Long Biên › Chi bộ Thạch Bàn" in html  # the unit's path
    assert "4 accounts found." in html


@pytest.mark.parametrize(("q", "who"), [
    ("nguyen van an", ["an"]),
    ("NGUYỄN VĂN", ["an", "admin"]),  # the admin is "Nguyễn Văn Thử"
    ("dung", ["dung"]),  # "Dũng" without its accent
    ("Trần", ["binh"]),
    ("BINH.TRAN@", ["binh"]),
    ("@EXAMPLE.com", ["an", "binh", "dung", "admin"]),
    ("100%", []),
])
def test_search_by_name_with_or_without_accents_or_by_email(admin_client, admin, people, q, who):
    html = admin_client.get("/admin/users", query_string={"q": q}).text
    assert sorted(listed_ids(html)) == sorted({**people, "admin": admin}[k].id for k in who)


def test_filter_by_role(admin_client, people):
    html = admin_client.get("/admin/users", query_string={"role": "judge"}).text
    assert listed_ids(html) == [people["binh"].id]
    html = admin_client.get("/admin/users", query_string={"role": "organiser", "q": "dung"}).text
    assert listed_ids(html) == [people["dung"].id]


def test_filter_by_unit_includes_its_sub_units(admin_client, people):
    units = people["units"]
    html = admin_client.get("/admin/users", query_string={"unit": units["ward"].id}).text
    assert sorted(listed_ids(html)) == sorted([people["an"].id, people["binh"].id])
    html = admin_client.get("/admin/users", query_string={"unit": units["cell"].id}).text
    assert listed_ids(html) == [people["an"].id]
    html = admin_client.get("/admin/users", query_string={"unit": units["city"].id, "role": "organiser"}).text
    assert listed_ids(html) == [people["dung"].id]


def test_fifty_per_page_and_the_pages_keep_the_filters(admin_client, unit):
    for n in range(55):
        factories.gen_user(f"thanh.vien{n:02d}@example.com", f"Thành viên {n:02d}", unit=unit)
    html = admin_client.get("/admin/users", query_string={"q": "thanh vien"}).text
    first = listed_ids(html)
    assert len(first) == 50
    assert "55 accounts found." in html and "Page 1 of 2" in html
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "q=thanh+vien" in link or "q=thanh%20vien" in link
    second = listed_ids(admin_client.get(link).text)
    assert len(second) == 5
    assert not set(first) & set(second)
    assert listed_ids(admin_client.get("/admin/users?q=thanh+vien&page=99").text) == []


def test_the_member_page_has_one_checkbox_per_role(admin_client, people):
    binh = people["binh"]
    html = admin_client.get(f"/admin/users/{binh.id}").text
    assert "binh.tran@example.com" in html
    for role, label, checked in [("member", "Member", True), ("judge", "Judge", True),
                                 ("organiser", "Organiser", False), ("admin", "Administrator", False)]:
        match = re.search(rf'<input type="checkbox" name="roles" value="{role}" data-testid="role-{role}"'
                          rf'( checked)?>\s*{label}', html)
        assert match, role
        assert bool(match.group(1)) is checked, role
    assert 'data-testid="save-roles"' in html
    assert f'action="/admin/users/{binh.id}/roles"' in html


def test_granting_and_revoking_roles_writes_the_audit_log(admin_client, admin, people):
    an = people["an"]
    resp = admin_client.post(f"/admin/users/{an.id}/roles", data={"roles": ["member", "judge", "organiser"]},
                             environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert resp.status_code == 302
    db.session.refresh(an)
    assert an.roles == ["member", "judge", "organiser"]
    granted = entries("role_granted")
    assert [(e.details["role"], e.actor_id, e.target_id, e.ip) for e in granted] == [
        ("judge", admin.id, str(an.id), "203.0.113.9"), ("organiser", admin.id, str(an.id), "203.0.113.9")]
    resp = admin_client.post(f"/admin/users/{an.id}/roles", data={"roles": ["organiser"]})
    assert resp.status_code == 302
    db.session.refresh(an)
    assert an.roles == ["organiser"]
    assert sorted(e.details["role"] for e in entries("role_revoked")) == ["judge", "member"]
    assert "have been saved" in admin_client.get(resp.headers["Location"]).text


def test_an_admin_cannot_remove_their_own_admin_role(admin_client, admin):
    resp = admin_client.post(f"/admin/users/{admin.id}/roles", data={"roles": ["member"]})
    assert resp.status_code == 409
    assert "You cannot remove your own admin role" in resp.text
    db.session.expire_all()
    assert db.session.get(User, admin.id).roles == ["admin"]
    assert entries("role_granted") == entries("role_revoked") == []
    # The page shows the roles actually held.
    assert re.search(r'data-testid="role-admin" checked', resp.text)


def test_an_admin_may_remove_another_admins_role(admin_client, unit):
    other = factories.gen_user(roles=["admin"], unit=unit)
    assert admin_client.post(f"/admin/users/{other.id}/roles", data={"roles": ["member"]}).status_code == 302
    db.session.refresh(other)
    assert other.roles == ["member"]


def test_unknown_roles_are_refused(admin_client, people):
    an = people["an"]
    resp = admin_client.post(f"/admin/users/{an.id}/roles", data={"roles": ["member", "king"]})
    assert resp.status_code == 422
    assert "Unknown role: king." in resp.text
    db.session.refresh(an)
    assert an.roles == ["member"]


def test_unknown_members_are_404(admin_client):
    assert admin_client.get("/admin/users/424242").status_code == 404
    assert admin_client.post("/admin/users/424242/roles", data={"roles": ["member"]}).status_code == 404
