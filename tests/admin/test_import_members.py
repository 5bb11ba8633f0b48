"""Importing members from CSV and XLSX through /admin/users/import: all rows good, or nothing written."""

from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import func, select

from contest.accounts import services as accounts
from contest.accounts.models import User
from contest.core.audit import AuditEntry
from contest.core.errors import Invalid
from contest.extensions import db
from contest.units import imports
from contest.units.services import set_unit_code
from tests import factories
from tests.units.spreadsheets import csv_bytes, upload, xlsx_bytes

URL = "/admin/users/import"
HEADER = ["email", "full_name", "unit", "roles", "password"]


@pytest.fixture
def units(app):
    city = factories.gen_unit("Thành phố Hà Nội")
    ward = factories.gen_unit("Phường Long Biên", city)
    cell = factories.gen_unit("Chi bộ Thạch Bàn", ward)
    set_unit_code(ward, "HN-LB")
    db.session.commit()
    return {"city": city, "ward": ward, "cell": cell}


def user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def error_rows(html: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for number, cells in re.findall(r'<li data-row="(\d*)">(.*?)</li>', html, re.S):
        found[int(number or 0)] = found.get(int(number or 0), "") + " " + re.sub(r"\s+", " ", cells)
    return found


GOOD = [
    HEADER,
    ["An.Nguyen@Example.com", "Nguyễn Văn An", "Thành phố Hà Nội / Phường Long Biên / Chi bộ Thạch Bàn", "", ""],
    ["binh@example.com", "Trần Thị Bình", "hn-lb", "member; judge", "mật-khẩu-của-bình"],
    ["chau@example.com", "Lê Minh Châu", "Thành phố Hà Nội", "Organiser, admin", ""],
]


@pytest.mark.parametrize(("filename", "data"), [
    ("members.csv", csv_bytes(GOOD)),
    ("members.csv", csv_bytes(GOOD, delimiter=";", bom=True)),
    ("members.xlsx", xlsx_bytes(GOOD)),
])
def test_import_creates_the_accounts(admin_client, admin, units, filename, data):
    resp = upload(admin_client, URL, data, filename)
    assert resp.status_code == 302, resp.text
    an, binh, chau = user("an.nguyen@example.com"), user("binh@example.com"), user("chau@example.com")
    assert (an.full_name, an.search_name, an.unit_id, an.roles) == (
        "Nguyễn Văn An", "nguyen van an", units["cell"].id, ["member"])
    assert (binh.unit_id, binh.roles) == (units["ward"].id, ["member", "judge"])
    assert (chau.unit_id, chau.roles) == (units["city"].id, ["organiser", "admin"])
    # The given password works; without one nobody can sign in until the person sets a password.
    assert accounts.verify_password(binh, "mật-khẩu-của-bình")
    assert an.password_hash == chau.password_hash == accounts.UNUSABLE_PASSWORD
    for guess in ("", accounts.UNUSABLE_PASSWORD, "!unusable"):
        assert not accounts.verify_password(an, guess)
    assert "3 accounts have been created." in admin_client.get(resp.headers["Location"]).text


def test_every_role_given_by_the_import_is_in_the_audit_log(admin_client, admin, units):
    resp = upload(admin_client, URL, csv_bytes(GOOD), "members.csv")
    assert resp.status_code == 302
    granted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "role_granted")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.details["email"], e.details["role"]) for e in granted] == [
        ("an.nguyen@example.com", "member"), ("binh@example.com", "member"), ("binh@example.com", "judge"),
        ("chau@example.com", "organiser"), ("chau@example.com", "admin")]
    assert {e.actor_id for e in granted} == {admin.id}
    assert {e.details["source"] for e in granted} == {"import"}
    assert [e.target_id for e in granted][-1] == str(user("chau@example.com").id)
    summary = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "members_imported"))
    assert (summary.actor_id, summary.details["count"], summary.details["filename"]) == (admin.id, 3, "members.csv")


def test_several_bad_rows_are_all_reported_and_nothing_is_imported(admin_client, units):
    factories.gen_user("taken@example.com", unit=units["city"])
    rows = [
        HEADER,
        ["good@example.com", "Người Tốt", "HN-LB", "", ""],                 # 2 good, yet not imported
        ["not-an-email", "Người Sai", "HN-LB", "", ""],                     # 3
        ["", "", "", "", ""],                                               # 4 blank, skipped
        ["TAKEN@example.com ", "Người Trùng", "HN-LB", "", ""],             # 5 existing account
        ["x@example.com", "", "Thành phố Hà Nội / Không Có", "", ""],       # 6 two problems
        ["y@example.com", "Người Y", "HN-LB", "member, chief", "ngắn"],     # 7 two problems
        ["Good@Example.com", "Người Tốt 2", "HN-LB", "", ""],               # 8 repeats row 2
    ]
    before = counts()
    for filename, data in [("bad.csv", csv_bytes(rows)), ("bad.xlsx", xlsx_bytes(rows))]:
        resp = upload(admin_client, URL, data, filename)
        assert resp.status_code == 422
        found = error_rows(resp.text)
        assert sorted(found) == [3, 5, 6, 7, 8]
        assert "not a valid email address" in found[3]
        assert "An account with the email taken@example.com already exists" in found[5]
        assert "Enter your full name" in found[6] and "“Thành phố Hà Nội / Không Có” was not found" in found[6]
        assert "Unknown role: chief" in found[7] and "at least 8 characters" in found[7]
        assert "also on row 2" in found[8]
        assert "because of 7 problems" in resp.text
        assert counts() == before
    assert user("good@example.com") is None


def test_an_email_in_another_unicode_form_is_the_same_email(admin_client, units):
    factories.gen_user("hồng@example.com", unit=units["city"])
    decomposed = unicodedata.normalize("NFD", "HỒNG@example.com")
    assert decomposed.casefold() != "hồng@example.com"
    rows = [HEADER, [decomposed, "Hồng", "HN-LB", "", ""],
            ["lan@example.com", "Lan", "HN-LB", "", ""], [" LAN@EXAMPLE.COM", "Lan 2", "HN-LB", "", ""]]
    before = counts()
    resp = upload(admin_client, URL, csv_bytes(rows), "m.csv")
    assert resp.status_code == 422
    found = error_rows(resp.text)
    assert sorted(found) == [2, 4]
    assert "hồng@example.com already exists" in found[2]
    assert "also on row 3" in found[4]
    assert counts() == before


def test_errors_raised_while_writing_undo_the_rows_already_written(admin_client, units, monkeypatch):
    """The service can still refuse a row the checks let through (say, an account made meanwhile)."""
    real = accounts.register

    def register(email, *args, **kwargs):
        if email == "c@example.com":
            msg = "Refused for the test."
            raise Invalid(msg, fields={"email": [msg]})
        return real(email, *args, **kwargs)

    monkeypatch.setattr(imports.accounts, "register", register)
    rows = [HEADER, ["a@example.com", "A", "HN-LB"], ["b@example.com", "B", "HN-LB"], ["c@example.com", "C", "HN-LB"]]
    before = counts()
    resp = upload(admin_client, URL, csv_bytes(rows), "m.csv")
    assert resp.status_code == 422
    found = error_rows(resp.text)
    assert list(found) == [4]
    assert "Refused for the test." in found[4] and "email" in found[4]
    db.session.expire_all()
    assert counts() == before
    assert user("a@example.com") is None


def test_the_page_documents_the_format_and_the_sample_imports_cleanly(admin_client):
    page = admin_client.get(URL).text
    for column in HEADER:
        assert f"<code>{column}</code>" in page
    assert "Forgot your password?" in page
    assert 'href="/admin/users/import/sample.csv"' in page
    unit_sample = admin_client.get("/admin/units/import/sample.csv").data
    assert upload(admin_client, "/admin/units/import", unit_sample, "units.csv").status_code == 302
    sample = admin_client.get("/admin/users/import/sample.csv")
    assert sample.status_code == 200 and sample.mimetype == "text/csv"
    assert sample.data.startswith(b"\xef\xbb\xbfemail,full_name,unit,roles,password\r\n")
    resp = upload(admin_client, URL, sample.data, "members-sample.csv")
    assert resp.status_code == 302, resp.text
    assert user("tran.thi.binh@example.com").roles == ["member", "judge"]
