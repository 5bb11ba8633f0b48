"""Reading and checking import files: pure functions, no application or database."""

from __future__ import annotations

import unicodedata

import pytest

from contest.units import imports
from contest.units.imports import (
    MEMBER_COLUMNS,
    UNIT_COLUMNS,
    ImportFailed,
    check_members,
    check_units,
    detect_delimiter,
    parse_roles,
    read_table,
    resolve_unit,
    split_path,
    table_from_rows,
)
from contest.units.services import flatten_tree, subtree_member_counts
from tests.units.spreadsheets import csv_bytes, xlsx_bytes

TREE = flatten_tree([
    (1, "Thành phố Hà Nội", None, "HN"),
    (2, "Phường Long Biên", 1, "HN-LB"),
    (3, "Chi bộ Tổ dân phố Thạch Bàn 1", 2, None),
    (4, "Thành đoàn Hà Nội", None, None),
    (5, "Phường Long Biên", 4, None),  # the same name elsewhere in the tree
])


def failure(call) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportFailed) as info:
        call()
    return [(e.row, e.column, str(e.message)) for e in info.value.errors]


def problems(errors) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.column, str(e.message)) for e in errors]


def unit_rows(*rows):
    return [(number, {"name": name, "parent": parent, "code": code}) for number, (name, parent, code)
            in enumerate(rows, start=2)]


def member_rows(*rows):
    keys = ("email", "full_name", "unit", "roles", "password")
    return [(number, dict(zip(keys, row, strict=False))) for number, row in enumerate(rows, start=2)]


def check(rows, existing=frozenset(), min_length=8):
    return check_members(rows, TREE, existing_emails=set(existing), min_password_length=min_length)


# --- reading --------------------------------------------------------------------------------------------------

def test_csv_with_bom_keeps_spreadsheet_row_numbers_across_blank_rows():
    data = csv_bytes([["name", "parent", "code"], ["A", "", "X"], ["", "", ""], ["B", "A", ""]], bom=True)
    table = read_table("units.CSV", data, UNIT_COLUMNS)
    assert table.header_row == 1
    assert table.rows == [(2, {"name": "A", "parent": "", "code": "X"}), (4, {"name": "B", "parent": "A", "code": ""})]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_with_semicolons_or_tabs(delimiter):
    data = csv_bytes([["email", "full_name", "unit"], ["a@example.com", "Lê Văn A, con", "HN"]], delimiter=delimiter)
    table = read_table("members.csv", data, MEMBER_COLUMNS)
    assert table.rows == [(2, {"email": "a@example.com", "full_name": "Lê Văn A, con", "unit": "HN"})]


def test_excel_separator_hint_line_is_obeyed_and_not_counted():
    data = b"sep=;\r\nname;parent\r\nA, B;\r\n"
    assert read_table("u.csv", data, UNIT_COLUMNS).rows == [(2, {"name": "A, B", "parent": ""})]


def test_detect_delimiter_prefers_comma_on_a_tie():
    assert detect_delimiter("name;parent;code\n") == ";"
    assert detect_delimiter("name,parent\n") == ","
    assert detect_delimiter("name\n") == ","


def test_xlsx_cells_become_text_and_only_the_first_sheet_counts():
    data = xlsx_bytes([["email", "full_name", "unit", "password"], ["b@example.com", "Trần B", 15, 12345678],
                       [None, None, None, None], ["c@example.com", "Đỗ C", "HN", 1.5]])
    table = read_table("members.xlsx", data, MEMBER_COLUMNS)
    assert [n for n, _ in table.rows] == [2, 4]
    assert table.rows[0][1] == {"email": "b@example.com", "full_name": "Trần B", "unit": "15", "password": "12345678"}
    assert table.rows[1][1]["password"] == "1.5"


def test_header_may_use_vietnamese_names_and_a_numbering_column_is_skipped():
    data = csv_bytes([["STT", "Họ và tên", "Thư điện tử", "Đơn vị", "Vai trò"], ["1", "An", "a@x.vn", "HN", "judge"]])
    table = read_table("m.csv", data, MEMBER_COLUMNS)
    assert table.rows == [(2, {"full_name": "An", "email": "a@x.vn", "unit": "HN", "roles": "judge"})]


def test_missing_unknown_and_repeated_columns_are_reported_on_the_header_row():
    data = csv_bytes([["", "email", "fullname", "email"], ["", "a@x.vn", "A", "b@x.vn"]])
    found = failure(lambda: read_table("m.csv", data, MEMBER_COLUMNS))
    assert all(row == 1 for row, _, _ in found)
    text = " | ".join(msg for _, _, msg in found)
    assert "Unknown column “fullname”" in text
    assert "“email” appears twice" in text
    assert "“full_name” is missing" in text and "“unit” is missing" in text
    assert "“roles” is missing" not in text  # optional


@pytest.mark.parametrize(("filename", "data", "expected"), [
    ("members.txt", b"email\n", "Upload a .csv or .xlsx file."),
    ("members", b"email\n", "Upload a .csv or .xlsx file."),
    ("old.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "not a valid Excel workbook"),
    ("text.xlsx", b"email,full_name\n", "not a valid Excel workbook"),
    ("latin.csv", "name,parent\nHà Nam,\n".encode("cp1252"), "not in UTF-8"),
    ("empty.csv", b"", "The file is empty."),
    ("blank.csv", b"\r\n,,\r\n", "The file is empty."),
    ("header.csv", b"name,parent\r\n", "no rows to import"),
])
def test_files_that_cannot_be_read_are_refused_with_a_reason(filename, data, expected):
    found = failure(lambda: read_table(filename, data, UNIT_COLUMNS))
    assert len(found) == 1
    assert expected in found[0][2]


def test_too_many_rows_are_refused_at_the_first_row_beyond_the_limit():
    rows = [["name", "parent"], ["A", ""], [], ["B", ""], ["C", ""], ["D", ""]]
    assert len(table_from_rows(rows[:5], UNIT_COLUMNS, max_rows=3).rows) == 3
    found = failure(lambda: table_from_rows(rows, UNIT_COLUMNS, max_rows=3))
    assert found[0][0] == 6
    assert "more than 3 rows" in found[0][2]
    found = failure(lambda: read_table("u.xlsx", xlsx_bytes(rows), UNIT_COLUMNS, max_rows=3))
    assert found[0][0] == 6


# --- paths and roles ------------------------------------------------------------------------------------------

def test_split_path():
    assert split_path(" Thành phố Hà Nội  /  Phường Long Biên ") == ("Thành phố Hà Nội", "Phường Long Biên")
    assert split_path("Thành phố Hà Nội › Phường Long Biên") == ("Thành phố Hà Nội", "Phường Long Biên")
    assert split_path("Tổ dân phố 3/2") == ("Tổ dân phố 3/2",)
    assert split_path("") == ()


def test_parse_roles():
    assert parse_roles("") == (("member",), [])
    assert parse_roles("Judge; organiser, member") == (("member", "judge", "organiser"), [])
    assert parse_roles("giám khảo, Quản trị") == (("judge", "admin"), [])
    assert parse_roles("member, boss") == (("member",), ["boss"])


def test_resolve_unit_by_path_or_code():
    paths = imports.path_index(TREE)
    codes = {"hn": 1, "hn-lb": 2}
    assert resolve_unit("thành phố hà nội / PHƯỜNG LONG BIÊN", paths, codes) == (2, None)
    assert resolve_unit("hn-lb", paths, codes) == (2, None)
    unit, reason = resolve_unit("Phường Long Biên", paths, codes)
    assert unit is None and "was not found" in str(reason)


# --- units ----------------------------------------------------------------------------------------------------

def test_units_may_hang_under_existing_units_and_under_earlier_rows():
    nfd = unicodedata.normalize("NFD", "Chi bộ Thạch Bàn 2")
    records, errors = check_units(unit_rows(
        ("Đảng bộ cơ quan", "Thành phố Hà Nội / Phường Long Biên", "LB-CQ"),
        ("Chi bộ Văn phòng", "thành phố hà nội / phường long biên / đảng bộ cơ quan", ""),
        (nfd, "Thành phố Hà Nội › Phường Long Biên", ""),
        ("Tỉnh mới", "", "TM"),
    ), TREE)
    assert errors == []
    assert [(r.row, r.name, r.parent_path, r.code) for r in records] == [
        (2, "Đảng bộ cơ quan", ("Thành phố Hà Nội", "Phường Long Biên"), "LB-CQ"),
        (3, "Chi bộ Văn phòng", ("thành phố hà nội", "phường long biên", "đảng bộ cơ quan"), None),
        (4, "Chi bộ Thạch Bàn 2", ("Thành phố Hà Nội", "Phường Long Biên"), None),
        (5, "Tỉnh mới", (), "TM"),
    ]
    assert records[2].name == unicodedata.normalize("NFC", nfd)


def test_every_bad_unit_row_is_reported_with_its_reason():
    records, errors = check_units(unit_rows(
        ("Chi bộ A", "Thành phố Hà Nội / Phường Không Có", ""),      # 2 unknown parent
        ("", "Thành phố Hà Nội", ""),                                # 3 empty name
        ("Chi bộ B", "Thành phố Hà Nội / Mới", ""),                  # 4 parent listed later
        ("Mới", "Thành phố Hà Nội", "hn"),                           # 5 code of an existing unit
        ("Phường Long Biên", "Thành phố Hà Nội", ""),                # 6 exists already
        ("Khối 1", "Thành đoàn Hà Nội", "K1"),                       # 7 good
        ("khối 1", "thành đoàn hà nội", ""),                         # 8 repeated in the file
        ("Khối 2", "Thành đoàn Hà Nội", "k1"),                       # 9 code repeated in the file
        ("A / B", "", ""),                                           # 10 separator in a name
        ("X" * 201, "", ""),                                         # 11 too long
    ), TREE)
    assert [r.row for r in records] == [7]
    found = problems(errors)
    assert [(row, column) for row, column, _ in found] == [
        (2, "parent"), (3, "name"), (4, "parent"), (5, "code"), (6, "name"), (8, "name"), (9, "code"), (10, "name"),
        (11, "name")]
    messages = dict(((row, column), msg) for row, column, msg in found)
    assert "“Thành phố Hà Nội / Phường Không Có” was not found" in messages[(2, "parent")]
    assert "is on row 5" in messages[(4, "parent")]
    assert "“hn”" in messages[(5, "code")]
    assert "already exists" in messages[(6, "name")]
    assert "also on row 7" in messages[(8, "name")]
    assert "also on row 7" in messages[(9, "code")]


def test_a_child_of_a_bad_row_is_not_blamed_for_a_missing_parent():
    _records, errors = check_units(unit_rows(("Mới", "", "HN"), ("Con", "Mới", "")), TREE)
    assert [(e.row, e.column) for e in errors] == [(2, "code")]
    _records, errors = check_units(unit_rows(("Mới", "Không có", ""), ("Con", "Không có / Mới", "")), TREE)
    assert [(e.row, e.column) for e in errors] == [(2, "parent"), (3, "parent")]
    assert "on row 2 has errors" in str(errors[1].message)


# --- members --------------------------------------------------------------------------------------------------

def test_good_member_rows_become_records():
    records, errors = check(member_rows(
        (" An.Nguyen@Example.COM ", "  Nguyễn   Văn An ", "Thành phố Hà Nội / Phường Long Biên", "", ""),
        ("binh@example.com", "Trần Thị Bình", "hn-lb", "judge; organiser", "mật-khẩu-dài"),
    ))
    assert errors == []
    assert records[0].email == "an.nguyen@example.com"
    assert records[0].full_name == "Nguyễn Văn An"
    assert (records[0].unit_id, records[0].roles, records[0].password) == (2, ("member",), None)
    assert (records[1].unit_id, records[1].roles, records[1].password) == (2, ("judge", "organiser"), "mật-khẩu-dài")
    assert "mật-khẩu-dài" not in repr(records[1])


def test_every_bad_member_row_is_reported_with_its_reason():
    records, errors = check(member_rows(
        ("not-an-email", "A", "HN", "", ""),                       # 2
        ("ok@example.com", "", "HN", "", ""),                      # 3
        ("c@example.com", "C", "Thành phố Hà Nội / Không có", "", ""),  # 4
        ("d@example.com", "D", "HN", "member, chief", ""),         # 5
        ("e@example.com", "E", "HN", "", "short"),                 # 6
        ("taken@example.com", "F", "HN", "", ""),                  # 7
        ("good@example.com", "G", "HN", "", ""),                   # 8
    ), existing={"taken@example.com"})
    assert [r.row for r in records] == [8]
    found = problems(errors)
    assert [(row, column) for row, column, _ in found] == [
        (2, "email"), (3, "full_name"), (4, "unit"), (5, "roles"), (6, "password"), (7, "email")]
    messages = {row: msg for row, _, msg in found}
    assert "not a valid email" in messages[2]
    assert "full name" in messages[3]
    assert "“Thành phố Hà Nội / Không có” was not found" in messages[4]
    assert "chief" in messages[5]
    assert "at least 8 characters" in messages[6]
    assert "already exists" in messages[7]


def test_one_email_twice_in_other_case_or_unicode_form_is_an_error_on_the_later_rows():
    composed = "hồng@example.com"
    decomposed = unicodedata.normalize("NFD", composed).upper()
    records, errors = check(member_rows(
        (composed, "Hồng", "HN"), ("other@example.com", "O", "HN"), (decomposed, "Hồng 2", "HN"),
        ("  HỒNG@example.com", "Hồng 3", "HN"),
    ))
    assert [r.row for r in records] == [2, 3]
    assert [(e.row, e.column) for e in errors] == [(4, "email"), (5, "email")]
    assert all("also on row 2" in str(e.message) for e in errors)


def test_a_row_may_hold_several_problems():
    _records, errors = check(member_rows(("", "", "", "boss", "x")))
    assert [e.column for e in errors] == ["email", "full_name", "unit", "roles", "password"]
    assert {e.row for e in errors} == {2}


# --- the tree -------------------------------------------------------------------------------------------------

def test_subtree_member_counts_roll_up_the_tree():
    totals = subtree_member_counts(TREE, {1: 1, 2: 2, 3: 4, 5: 8})
    assert totals == {1: 7, 2: 6, 3: 4, 4: 8, 5: 8}
