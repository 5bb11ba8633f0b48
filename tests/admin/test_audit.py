"""The audit log page: newest first, Vietnam time, filters by action and by who did it, pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.core import audit
from contest.extensions import db
from tests import factories


def rows(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", row) for row in re.findall(r'<tr data-action="[^"]*">(.*?)</tr>', html, re.S)]


def actions(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]*)">', html)


def add(action: str, at: datetime, actor=None, **kwargs):
    entry = audit.record(action, actor=actor, **kwargs)
    entry.at = at
    return entry


@pytest.fixture
def log(app, admin, unit):
    """Three entries by the admin, one by another admin, one by the command line; the unit fixture wrote one."""
    db.session.execute(audit.AuditEntry.__table__.delete())
    other = factories.gen_user("hoa.le@example.com", "Lê Thị Hoa", roles=["admin"], unit=unit)
    member = factories.gen_user("an@example.com", "Nguyễn Văn An", unit=unit)
    start = datetime(2025, 1, 1, 17, 30, tzinfo=UTC)  # 00:30 on 2 January in Hà Nội
    add("role_granted", start, admin, target_type="user", target_id=member.id, ip="203.0.113.7", role="judge",
        email=member.email)
    add("unit_renamed", start + timedelta(hours=1), admin, target_type="unit", target_id=unit.id, old="Cũ",
        new=unit.name)
    add("role_revoked", start + timedelta(hours=2), other, target_type="user", target_id=member.id, ip="198.51.100.2",
        role="judge", email=member.email)
    add("token_issued", start + timedelta(hours=3), None, ip="cli")
    add("unit_deleted", start + timedelta(hours=4), admin, target_type="unit", target_id=987654, name="Chi bộ cũ")
    db.session.commit()
    return {"admin": admin, "other": other, "member": member}


def test_newest_first_with_time_actor_action_target_details_and_address(admin_client, log):
    html = admin_client.get("/admin/audit").text
    assert actions(html) == ["unit_deleted", "token_issued", "role_revoked", "unit_renamed", "role_granted"]
    granted = rows(html)[-1]
    assert "1/2/25, 12:30" in granted  # shown in Asia/Ho_Chi_Minh, seven hours ahead of UTC
    assert "Role granted" in granted
    assert f'href="/admin/users/{log["admin"].id}"' in granted and log["admin"].email in granted
    assert f'href="/admin/users/{log["member"].id}"' in granted and "Nguyễn Văn An" in granted
    assert "Role:</small> Judge" in granted
    assert "203.0.113.7" in granted
    renamed = rows(html)[-2]
    assert "Unit renamed" in renamed and "Before:</small> Cũ" in renamed and "Phường Thạch Bàn" in renamed
    cli = rows(html)[1]
    assert "system" in cli and "token_issued" in cli  # an action without a label shows its code
    deleted = rows(html)[0]
    assert "Unit #987654" in deleted and "Chi bộ cũ" in deleted


def test_filter_by_action(admin_client, log):
    html = admin_client.get("/admin/audit", query_string={"action": "role_revoked"}).text
    assert actions(html) == ["role_revoked"]
    assert re.search(r'<option value="role_revoked" selected>Role revoked</option>', html)
    assert '<option value="token_issued">token_issued</option>' in html  # actions found in the log are offered


@pytest.mark.parametrize(("actor", "expected"), [
    ("hoa.le@example.com", ["role_revoked"]),
    ("  HOA.LE@", ["role_revoked"]),
    ("user", ["unit_deleted", "unit_renamed", "role_granted"]),  # the admin's generated address user<n>@...
    ("nobody@example.com", []),
])
def test_filter_by_who_did_it(admin_client, log, actor, expected):
    html = admin_client.get("/admin/audit", query_string={"actor": actor}).text
    assert actions(html) == expected


def test_both_filters_together(admin_client, log):
    html = admin_client.get("/admin/audit", query_string={"actor": log["admin"].email, "action": "role_granted"}).text
    assert actions(html) == ["role_granted"]


def test_fifty_entries_per_page(admin_client, admin):
    db.session.execute(audit.AuditEntry.__table__.delete())
    start = datetime(2025, 3, 1, tzinfo=UTC)
    for n in range(52):
        add("unit_created", start + timedelta(minutes=n), admin, target_type="unit", target_id=n, name=f"U{n}")
    db.session.commit()
    html = admin_client.get("/admin/audit", query_string={"action": "unit_created"}).text
    assert len(actions(html)) == 50
    assert "</small> U51</div>" in rows(html)[0]
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "action=unit_created" in link
    second = admin_client.get(link).text
    assert len(actions(second)) == 2
    assert "</small> U1</div>" in rows(second)[0] and "</small> U0</div>" in rows(second)[1]
