"""Exports of a writing contest's entries: CSV that Excel reads as UTF-8, XLSX with real dates in Hà Nội time,
the submitted version's text, no drafts, no formulas from writers' titles, and an audit entry per export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.errors import Invalid
from contest.essays import exports
from contest.essays import services as essays
from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.quiz_factories import T0

HEADER = ["Code", "Status", "Title", "Category", "Author", "Email", "Unit", "Co-authors", "Person written about",
          "Words", "Submitted at (Hà Nội time)", "Flagged as similar", "Reason for disqualification"]


@pytest.fixture
def filled(app, monkeypatch):
    contest = gen_essay_contest(categories=[{"name": "Cán bộ, đảng viên"}])
    unit = factories.gen_unit("Chi bộ Tổ dân phố số 5")
    lan = factories.gen_user(full_name="Hoàng Thị Lan", email="lan@example.com", unit=unit)
    first = gen_entry(contest, lan, status="submitted", title="Người giữ lửa ở Đống Đa", code="VT26-000001",
                      versions=2, submitted_at=T0 + timedelta(hours=3),
                      coauthors=[{"full_name": "Trần Thị Hoa", "email": "hoa@example.com"}])
    # Edited after submission: the export shows the submitted version, not the working copy.
    first.title = "Tiêu đề đang sửa"
    first.version = 3
    second = gen_entry(contest, status="disqualified", title="=HYPERLINK(\"http://x\")", code="VT26-000002",
                       disqualified_reason="Sao chép")
    gen_entry(contest, status="draft", title="Bản nháp chưa nộp")
    gen_entry(gen_essay_contest(), status="submitted", title="Cuộc thi khác")
    db.session.commit()
    monkeypatch.setattr(exports, "flagged_ids", lambda _contest: {second.id})
    return contest, first, second


def test_csv_has_a_bom_and_every_column(filled, organiser):
    contest, first, second = filled
    with force_locale("en"):
        data, mimetype, filename = exports.entries_workbook(contest, "csv", actor=organiser)
    assert data.startswith(b"\xef\xbb\xbf") and mimetype.startswith("text/csv") and filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert len(rows) == 3  # no draft, nothing from the other contest
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["Code"] == "VT26-000001" and row["Status"] == "Submitted"
    assert row["Title"] == "Người giữ lửa ở Đống Đa" and row["Category"] == "Cán bộ, đảng viên"
    assert row["Author"] == "Hoàng Thị Lan" and row["Email"] == "lan@example.com"
    assert row["Unit"] == "Chi bộ Tổ dân phố số 5" and row["Co-authors"] == "Trần Thị Hoa <hoa@example.com>"
    assert row["Person written about"] == "Nguyễn Văn Lâm, Tổ dân phố số 5, Phường Ba Đình"
    assert row["Words"] == "150" and row["Submitted at (Hà Nội time)"] == "2026-05-19 11:00"
    assert row["Flagged as similar"] == ""
    other = dict(zip(HEADER, rows[2], strict=True))
    assert other["Title"] == "'=HYPERLINK(\"http://x\")"  # text, never a formula
    assert other["Flagged as similar"] == "Yes" and other["Reason for disqualification"] == "Sao chép"
    assert other["Status"] == "Disqualified"


def test_xlsx_rows_with_real_dates(filled, organiser):
    contest, first, second = filled
    with force_locale("en"):
        data, mimetype, filename = exports.entries_workbook(contest, "xlsx", actor=organiser)
    assert mimetype.endswith("spreadsheetml.sheet") and filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert list(rows[0]) == HEADER and len(rows) == 3
    row = dict(zip(HEADER, rows[1], strict=True))
    assert row["Code"] == "VT26-000001" and row["Title"] == "Người giữ lửa ở Đống Đa" and row["Words"] == 150
    assert row["Submitted at (Hà Nội time)"] == datetime(2026, 5, 19, 11, 0)
    assert rows[2][2] == "=HYPERLINK(\"http://x\")"  # stored as a string cell, shown as text


def test_each_export_is_audited(filled, organiser):
    contest, *_ = filled
    exports.entries_workbook(contest, "csv", actor=organiser)
    db.session.commit()
    logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "essay.export")).all()
    assert len(logged) == 1 and logged[0].actor_id == organiser.id and logged[0].details == {
        "format": "csv", "entries": 2}
    with pytest.raises(Invalid):
        exports.entries_workbook(contest, "pdf", actor=organiser)


def test_an_empty_contest_exports_a_header(app, organiser):
    contest = gen_essay_contest()
    data, _mimetype, _name = exports.entries_workbook(contest, "csv", actor=organiser)
    assert len(data.decode("utf-8-sig").strip().splitlines()) == 1
    assert essays.list_entries(contest) == ([], 0)
