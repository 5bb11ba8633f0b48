"""Importing units from CSV and XLSX through /admin/units/import: all rows good, or nothing written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.units.models import Unit
from contest.units.services import unit_tree
from tests import factories
from tests.units.spreadsheets import csv_bytes, upload, xlsx_bytes

URL = "/admin/units/import"

ROWS = [
    ["name", "parent", "code"],
    ["Phường Long Biên", "Thành phố Hà Nội", "HN-LB"],
    ["Đảng bộ cơ quan Phường Long Biên", "Thành phố Hà Nội / Phường Long Biên", ""],
    ["Chi bộ Văn phòng", "Thành phố Hà Nội / Phường Long Biên / Đảng bộ cơ quan Phường Long Biên", ""],
    ["Thành đoàn Hà Nội", "", "TD"],
]


def paths() -> set[str]:
    """Every unit's path, leaving out the unit the signed-in admin belongs to."""
    return {row.path_label for row in unit_tree()} - {"Phường Thạch Bàn"}


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Unit)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def error_rows(html: str) -> dict[int, str]:
    """Row number -> the text of its problems, read from the error table."""
    found: dict[int, str] = {}
    for number, cells in re.findall(r'<li data-row="(\d*)">(.*?)</li>', html, re.S):
        found[int(number or 0)] = found.get(int(number or 0), "") + " " + re.sub(r"\s+", " ", cells)
    return found


@pytest.fixture
def city(app):
    return factories.gen_unit("Thành phố Hà Nội")


@pytest.mark.parametrize(("filename", "data"), [
    ("units.csv", csv_bytes(ROWS)),
    ("units.csv", csv_bytes(ROWS, delimiter=";", bom=True)),
    ("Đơn vị.XLSX", xlsx_bytes(ROWS)),
])
def test_import_creates_the_tree_in_file_order(admin_client, admin, city, filename, data):
    resp = upload(admin_client, URL, data, filename)
    assert resp.status_code == 302, resp.text
    assert paths() == {
        "Thành phố Hà Nội", "Thành phố Hà Nội › Phường Long Biên",
        "Thành phố Hà Nội › Phường Long Biên › Đảng bộ cơ quan Phường Long Biên",
        "Thành phố Hà Nội › Phường Long Biên › Đảng bộ cơ quan Phường Long Biên › Chi bộ Văn phòng",
        "Thành đoàn Hà Nội",
    }
    assert db.session.scalar(select(Unit.code).where(Unit.name == "Phường Long Biên")) == "HN-LB"
    summary = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "units_imported"))
    assert (summary.actor_id, summary.details["count"]) == (admin.id, 4)
    created = db.session.scalar(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "unit_created", AuditEntry.actor_id == admin.id))
    assert created == 4
    assert "4 units have been imported." in admin_client.get(resp.headers["Location"]).text


def test_several_bad_rows_are_all_reported_and_nothing_is_imported(admin_client, city):
    rows = [
        ["STT", "name", "parent", "code"],
        ["1", "Phường Ngọc Hà", "Thành phố Hà Nội", "NH"],           # 2 good
        ["2", "Chi bộ A", "Thành phố Hà Nội / Phường Không Có", ""],  # 3 unknown parent
        ["3", "", "Thành phố Hà Nội", ""],                            # 4 no name
        [],                                                           # 5 blank, skipped
        ["4", "Chi bộ B", "Thành phố Hà Nội / Phường Tây Hồ", ""],    # 6 parent listed later
        ["5", "Phường Tây Hồ", "Thành phố Hà Nội", "nh"],            # 7 code repeated
        ["6", "Thành phố Hà Nội", "", ""],                            # 8 exists
    ]
    before = counts()
    for filename, data in [("bad.csv", csv_bytes(rows)), ("bad.xlsx", xlsx_bytes(rows))]:
        resp = upload(admin_client, URL, data, filename)
        assert resp.status_code == 422
        assert "Nothing was imported" in resp.text
        found = error_rows(resp.text)
        assert sorted(found) == [3, 4, 6, 7, 8]
        assert "“Thành phố Hà Nội / Phường Không Có” was not found" in found[3]
        assert "name is empty" in found[4]
        assert "is on row 7" in found[6]
        assert "also on row 2" in found[7]
        assert "already exists" in found[8]
        assert counts() == before
    assert paths() == {"Thành phố Hà Nội"}


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("units.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
    ("units.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read"),
    ("units.csv", "name,parent\nHà Nam,\n".encode("cp1252"), "not in UTF-8"),
    ("units.csv", b"unit_name,parent\nA,\n", "The column “name” is missing"),
])
def test_unreadable_files_get_a_clear_reason(admin_client, filename, data, message):
    resp = upload(admin_client, URL, data, filename)
    assert resp.status_code == 422
    assert message in resp.text
    assert counts()[0] == 1  # the admin's own unit only


def test_no_file_chosen(admin_client):
    resp = admin_client.post(URL, data={}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "Choose a file to import." in resp.text


@pytest.fixture
def small_limit(app_config):
    app_config["IMPORT_MAX_ROWS"] = 2


def test_the_row_limit(small_limit, admin_client):
    assert "At most 2 rows per file" in admin_client.get(URL).text
    resp = upload(admin_client, URL, csv_bytes([["name", "parent"], ["A", ""], ["B", ""], ["C", ""]]), "u.csv")
    assert resp.status_code == 422
    assert "more than 2 rows" in resp.text
    assert counts()[0] == 1


def test_cell_text_in_error_messages_is_escaped(admin_client):
    resp = upload(admin_client, URL, csv_bytes([["name", "parent"], ["A", "<script>x()</script>"]]), "u.csv")
    assert resp.status_code == 422
    assert "<script>x()" not in resp.text
    assert "“&lt;script&gt;x()&lt;/script&gt;” was not found" in resp.text


def test_the_page_documents_the_format_and_the_sample_imports_cleanly(admin_client):
    page = admin_client.get(URL).text
    for column in ("<code>name</code>", "<code>parent</code>", "<code>code</code>"):
        assert column in page
    assert 'href="/admin/units/import/sample.csv"' in page
    sample = admin_client.get("/admin/units/import/sample.csv")
    assert sample.status_code == 200
    assert sample.mimetype == "text/csv"
    assert "attachment" in sample.headers["Content-Disposition"]
    assert sample.data.startswith(b"\xef\xbb\xbfname,parent,code\r\n")
    resp = upload(admin_client, URL, sample.data, "units-sample.csv")
    assert resp.status_code == 302, resp.text
    assert "Thành phố Hà Nội › Phường Long Biên › Chi bộ Tổ dân phố Thạch Bàn 1" in paths()
