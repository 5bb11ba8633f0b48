"""Spreadsheet imports of units and members: read a CSV or XLSX file, check every row, then write all or nothing.

Reading (read_table) and checking (check_units, check_members) are pure functions: rows in, clean records and
per-row errors out. Only import_units and import_members touch the database; they raise ImportFailed, having
written nothing the caller keeps, unless every row is good (the caller rolls back on the error).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.accounts import services as accounts
from contest.accounts.models import ROLES, User
from contest.core import audit
from contest.core.errors import Invalid, ServiceError
from contest.core.text import nfc, normalise_email, unaccent
from contest.extensions import db
from contest.units.models import Unit
from contest.units.services import TreeRow, create_unit, unit_tree

MAX_ROWS = 20_000
# Levels of a unit path: "Thành phố Hà Nội / Phường Long Biên". The "›" the pages show is accepted too, so a path
# copied from the site works. Spaces around the mark are required: "Tổ 3/2" is one name.
PATH_SEPARATOR = " / "
_PATH_SPLIT = re.compile(r"\s+[/›]\s+")
# Numbering columns that spreadsheets often carry; they are skipped rather than refused.
_IGNORED_HEADERS = frozenset({"stt", "tt", "no", "no.", "#"})
_MAX_PASSWORD = 1024


# --- results -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row it is on (the header is row 1; None for the file as a whole), the
    column it concerns when there is one, and a translatable message."""

    row: int | None
    message: Any
    column: str | None = None


class ImportFailed(Invalid):
    """Nothing was imported; .errors lists every problem found, in row order."""

    code = "import_failed"

    def __init__(self, errors: Sequence[RowError]) -> None:
        ordered = sorted(errors, key=lambda e: (e.row or 0))
        super().__init__(_l("Nothing was imported. Problems found: %(num)d.", num=len(ordered)))
        self.errors = ordered


def _fail(message: Any, row: int | None = None, column: str | None = None) -> ImportFailed:
    return ImportFailed([RowError(row, message, column)])


@dataclass(frozen=True)
class Column:
    key: str
    required: bool
    # Other spellings accepted in the header, compared without accents or case ("Họ và tên" -> "ho va ten").
    aliases: tuple[str, ...] = ()


UNIT_COLUMNS = (
    Column("name", True, ("ten", "ten don vi")),
    Column("parent", True, ("don vi cap tren", "cap tren", "don vi cha")),
    Column("code", False, ("ma", "ma don vi")),
)
MEMBER_COLUMNS = (
    Column("email", True, ("e-mail", "thu dien tu")),
    Column("full_name", True, ("ho ten", "ho va ten")),
    Column("unit", True, ("don vi",)),
    Column("roles", False, ("role", "vai tro")),
    Column("password", False, ("mat khau",)),
)
# Role names accepted in the roles column besides the role keys themselves.
_ROLE_ALIASES = {
    "organizer": "organiser", "administrator": "admin",
    "thanh vien": "member", "hoi vien": "member", "giam khao": "judge", "to chuc": "organiser",
    "ban to chuc": "organiser", "quan tri": "admin", "quan tri vien": "admin",
}
_ROLE_SPLIT = re.compile(r"[,;]")


@dataclass(frozen=True)
class Table:
    """Data rows of a file: (spreadsheet row number, {column key: raw cell text}); blank rows are left out."""

    header_row: int
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


# --- reading files ---------------------------------------------------------------------------------------------

def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def detect_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many European and Vietnamese locales) or tab, judged by the header line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(_l("The CSV file is not in UTF-8. In Excel choose “CSV UTF-8 (Comma delimited)” when "
                       "saving, or upload the .xlsx file instead.")) from None
    if "\x00" in text:
        raise _fail(_l("This does not look like a CSV text file. Save it as “CSV UTF-8” or upload the .xlsx "
                       "file instead."))
    delimiter = detect_delimiter(text)
    first, _newline, rest = text.partition("\n")
    if first.lower().startswith("sep=") and len(first.rstrip("\r")) == 5:
        # Excel's hint line ("sep=;"): Excel itself hides it, so the header stays row 1.
        delimiter, text = first[4], rest
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise _fail(_l("The CSV file could not be read after row %(row)d. Check its quotation marks.",
                       row=reader.line_num)) from None


def _xlsx_rows(data: bytes, max_rows: int) -> list[list[str]]:
    """The cells of the first sheet as text, read until one row more than the limit allows (enough to refuse)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    rows: list[list[str]] = []
    filled = 0
    # Files from other programs make openpyxl warn about styles and extensions it ignores; the data is intact.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
            raise _fail(_l("The file is not a valid Excel workbook (.xlsx).")) from None
        try:
            if not book.worksheets:
                raise _fail(_l("The workbook has no worksheet."))
            for values in book.worksheets[0].iter_rows(values_only=True):
                cells = [_cell_text(v) for v in values]
                rows.append(cells)
                if any(c.strip() for c in cells):
                    filled += 1
                    if filled > max_rows + 1:  # the header and max_rows rows, then one too many
                        break
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            raise _fail(_l("The file is not a valid Excel workbook (.xlsx).")) from None
        finally:
            book.close()
    return rows


def _header_key(cell: str) -> str:
    return unaccent(cell).replace("_", " ").strip()


def _map_header(cells: list[str], columns: Sequence[Column], row: int) -> dict[str, int]:
    lookup: dict[str, str] = {}
    for col in columns:
        for spelling in (col.key, *col.aliases):
            lookup[_header_key(spelling)] = col.key
    found: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        label = _header_key(cell)
        if not label or label in _IGNORED_HEADERS:
            continue
        key = lookup.get(label)
        if key is None:
            errors.append(RowError(row, _l("Unknown column “%(name)s”. The columns are: %(columns)s.",
                                           name=nfc(cell), columns=", ".join(c.key for c in columns))))
        elif key in found:
            errors.append(RowError(row, _l("The column “%(name)s” appears twice.", name=key), key))
        else:
            found[key] = index
    for col in columns:
        if col.required and col.key not in found:
            errors.append(RowError(row, _l("The column “%(name)s” is missing. The first row must hold the column "
                                           "names: %(columns)s.", name=col.key,
                                           columns=", ".join(c.key for c in columns)), col.key))
    if errors:
        raise ImportFailed(errors)
    return found


def table_from_rows(rows: Iterable[Sequence[str]], columns: Sequence[Column], max_rows: int = MAX_ROWS) -> Table:
    """Find the header (the first non-blank row), map its columns and collect the data rows with their numbers."""
    mapping: dict[str, int] | None = None
    table: Table | None = None
    for number, cells in enumerate(rows, start=1):
        cells = list(cells)
        blank = not any(c.strip() for c in cells)
        if mapping is None:
            if not blank:
                mapping = _map_header(cells, columns, number)
                table = Table(header_row=number)
            continue
        if blank:
            continue
        assert table is not None
        if len(table.rows) >= max_rows:
            raise _fail(_l("The file has more than %(n)d rows. Split it into several files and import them one "
                           "after the other.", n=max_rows), number)
        table.rows.append((number, {key: (cells[i] if i < len(cells) else "") for key, i in mapping.items()}))
    if table is None:
        raise _fail(_l("The file is empty."))
    if not table.rows:
        raise _fail(_l("The file has column names but no rows to import."))
    return table


def read_table(filename: str, data: bytes, columns: Sequence[Column], max_rows: int = MAX_ROWS) -> Table:
    """The rows of an uploaded .csv (UTF-8, comma or semicolon) or .xlsx file (its first sheet)."""
    name = (filename or "").strip().lower()
    if name.endswith(".csv"):
        return table_from_rows(_csv_rows(data), columns, max_rows)
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise _fail(_l("The file is not a valid Excel workbook (.xlsx)."))
        return table_from_rows(_xlsx_rows(data, max_rows), columns, max_rows)
    if name.endswith(".xls"):
        raise _fail(_l("Old Excel files (.xls) cannot be read. Save the file as .xlsx or as CSV UTF-8."))
    raise _fail(_l("Upload a .csv or .xlsx file."))


# --- unit paths ------------------------------------------------------------------------------------------------

def split_path(text: str | None) -> tuple[str, ...]:
    """ "Thành phố Hà Nội / Phường Long Biên" -> ("Thành phố Hà Nội", "Phường Long Biên"); "" -> ()."""
    text = nfc(text)
    if not text:
        return ()
    return tuple(nfc(part) for part in _PATH_SPLIT.split(text))


def path_key(path: Iterable[str]) -> tuple[str, ...]:
    """Paths compare like unit names do: NFC, whitespace collapsed, without regard to case."""
    return tuple(nfc(part).casefold() for part in path)


def path_index(tree: Iterable[TreeRow]) -> dict[tuple[str, ...], list[int]]:
    index: dict[tuple[str, ...], list[int]] = {}
    for row in tree:
        index.setdefault(path_key(row.path), []).append(row.id)
    return index


def _show(path: Sequence[str]) -> str:
    return PATH_SEPARATOR.join(path)


# --- checking units --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitRecord:
    row: int
    name: str
    parent_path: tuple[str, ...]
    code: str | None = None


def check_units(rows: Iterable[tuple[int, dict[str, str]]], tree: Sequence[TreeRow]
                ) -> tuple[list[UnitRecord], list[RowError]]:
    """Check unit rows against the existing tree and against each other; a parent may be a unit of an earlier row."""
    rows = list(rows)
    known = path_index(tree)
    known_codes = {row.code.casefold() for row in tree if row.code}
    # Where every valid path of the file is first listed, to tell "list the parent first" from "no such unit".
    first_listed: dict[tuple[str, ...], int] = {}
    for number, values in rows:
        name = nfc(values.get("name"))
        if name:
            first_listed.setdefault(path_key((*split_path(values.get("parent")), name)), number)
    records: list[UnitRecord] = []
    errors: list[RowError] = []
    new_paths: dict[tuple[str, ...], int] = {}
    new_codes: dict[str, int] = {}
    for number, values in rows:
        found: list[RowError] = []
        name = nfc(values.get("name"))
        parent = split_path(values.get("parent"))
        if not name:
            found.append(RowError(number, _l("The unit's name is empty."), "name"))
        elif len(name) > 200:
            found.append(RowError(number, _l("The name is too long (at most 200 characters)."), "name"))
        elif _PATH_SPLIT.search(name):
            found.append(RowError(number, _l("A unit's name cannot contain “ / ”: it separates the levels of a "
                                             "path."), "name"))
        if parent:
            key = path_key(parent)
            if len(known.get(key, ())) > 1:
                found.append(RowError(number, _l("Several units have the path “%(path)s”; the parent cannot be "
                                                 "told apart.", path=_show(parent)), "parent"))
            elif key not in known and key not in new_paths:
                listed = first_listed.get(key)
                if listed is not None and listed > number:
                    msg = _l("The parent “%(path)s” is on row %(row)d: list a unit before its sub-units.",
                             path=_show(parent), row=listed)
                elif listed is not None:
                    msg = _l("The parent “%(path)s” on row %(row)d has errors.", path=_show(parent), row=listed)
                else:
                    msg = _l("The parent “%(path)s” was not found. Give the full path from the top of the tree, "
                             "levels separated by “ / ”, of an existing unit or of a unit on an earlier row.",
                             path=_show(parent))
                found.append(RowError(number, msg, "parent"))
        if name and not found:
            key = path_key((*parent, name))
            if key in known:
                found.append(RowError(number, _l("The unit “%(path)s” already exists.",
                                                 path=_show((*parent, name))), "name"))
            elif key in new_paths:
                found.append(RowError(number, _l("The same unit is also on row %(row)d.", row=new_paths[key]),
                                      "name"))
            else:
                new_paths[key] = number
        code = nfc(values.get("code")) or None
        if code is not None:
            if len(code) > 50:
                found.append(RowError(number, _l("The code is too long (at most 50 characters)."), "code"))
            elif code.casefold() in known_codes:
                found.append(RowError(number, _l("Another unit already has the code “%(code)s”.", code=code),
                                      "code"))
            elif code.casefold() in new_codes:
                found.append(RowError(number, _l("The code “%(code)s” is also on row %(row)d.", code=code,
                                                 row=new_codes[code.casefold()]), "code"))
            else:
                new_codes[code.casefold()] = number
        if found:
            errors.extend(found)
        else:
            records.append(UnitRecord(number, name, parent, code))
    return records, errors


# --- checking members ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRecord:
    row: int
    email: str
    full_name: str
    unit_id: int
    roles: tuple[str, ...] = ("member",)
    password: str | None = field(default=None, repr=False)


def parse_roles(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """Roles named in a cell (comma- or semicolon-separated; English keys or Vietnamese names) and the unknown ones.

    An empty cell means a member.
    """
    wanted: set[str] = set()
    unknown: list[str] = []
    for part in _ROLE_SPLIT.split(nfc(text)):
        label = unaccent(part)
        if not label:
            continue
        role = label if label in ROLES else _ROLE_ALIASES.get(label)
        if role is None:
            unknown.append(nfc(part))
        else:
            wanted.add(role)
    roles = tuple(r for r in ROLES if r in wanted) or (("member",) if not unknown else ())
    return roles, unknown


def resolve_unit(text: str | None, paths: dict[tuple[str, ...], list[int]], codes: dict[str, int]
                 ) -> tuple[int | None, Any]:
    """The unit named by its full path or its code, or None and the reason."""
    value = nfc(text)
    if not value:
        return None, _l("The unit is empty: give its full path or its code.")
    candidates = set(paths.get(path_key(split_path(value)), ()))
    if value.casefold() in codes:
        candidates.add(codes[value.casefold()])
    if len(candidates) == 1:
        return candidates.pop(), None
    if candidates:
        return None, _l("“%(unit)s” names several units; use the unit's code.", unit=value)
    return None, _l("The unit “%(unit)s” was not found. Give its full path from the top of the tree, levels "
                    "separated by “ / ”, or its code.", unit=value)


def _field_errors(row: int, exc: ServiceError, columns: dict[str, str]) -> list[RowError]:
    found = [RowError(row, message, columns.get(name, name)) for name, messages in exc.fields.items()
             for message in messages]
    return found or [RowError(row, exc.message)]


_MEMBER_FIELDS = {"email": "email", "full_name": "full_name", "unit_id": "unit", "password": "password",
                  "roles": "roles"}


def check_members(rows: Iterable[tuple[int, dict[str, str]]], tree: Sequence[TreeRow], *,
                  existing_emails: set[str], min_password_length: int) -> tuple[list[MemberRecord], list[RowError]]:
    """Check member rows: email (valid, not taken, once in the file), name, unit (path or code), roles, password.

    existing_emails holds the normalised emails of the file that already have an account.
    """
    paths = path_index(tree)
    codes = {row.code.casefold(): row.id for row in tree if row.code}
    records: list[MemberRecord] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for number, values in rows:
        found: list[RowError] = []
        email = full_name = None
        try:
            email = accounts.clean_email(values.get("email"))
        except Invalid as exc:
            found.extend(_field_errors(number, exc, _MEMBER_FIELDS))
        if email is not None:
            if email in first_row:
                found.append(RowError(number, _l("The email %(email)s is also on row %(row)d.", email=email,
                                                 row=first_row[email]), "email"))
            else:
                first_row[email] = number
                if email in existing_emails:
                    found.append(RowError(number, _l("An account with the email %(email)s already exists.",
                                                     email=email), "email"))
        try:
            full_name = accounts.clean_full_name(values.get("full_name"))
        except Invalid as exc:
            found.extend(_field_errors(number, exc, _MEMBER_FIELDS))
        unit_id, problem = resolve_unit(values.get("unit"), paths, codes)
        if problem is not None:
            found.append(RowError(number, problem, "unit"))
        roles, unknown = parse_roles(values.get("roles"))
        if unknown:
            found.append(RowError(number, _l("Unknown role: %(roles)s. The roles are: %(known)s.",
                                             roles=", ".join(unknown), known=", ".join(ROLES)), "roles"))
        password = values.get("password") or ""
        if not password.strip():
            password = None
        elif len(password) < min_password_length:
            found.append(RowError(number, _l("The password must have at least %(n)d characters.",
                                             n=min_password_length), "password"))
        elif len(password) > _MAX_PASSWORD:
            found.append(RowError(number, _l("The password is too long."), "password"))
        if found:
            errors.extend(found)
        else:
            assert email is not None and full_name is not None and unit_id is not None
            records.append(MemberRecord(number, email, full_name, unit_id, roles, password))
    return records, errors


# --- writing ---------------------------------------------------------------------------------------------------

def _max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", MAX_ROWS))


def import_units(filename: str, data: bytes, actor=None) -> list[Unit]:
    """Create the units of a file in its order, or raise ImportFailed listing every bad row.

    The caller commits on success and rolls back on ImportFailed.
    """
    table = read_table(filename, data, UNIT_COLUMNS, _max_rows())
    tree = unit_tree()
    records, errors = check_units(table.rows, tree)
    if errors:
        raise ImportFailed(errors)
    ids = {key: found[0] for key, found in path_index(tree).items() if len(found) == 1}
    created: list[Unit] = []
    for record in records:
        parent_id = ids.get(path_key(record.parent_path)) if record.parent_path else None
        if record.parent_path and parent_id is None:
            errors.append(RowError(record.row, _l("The parent “%(path)s” could not be created.",
                                                  path=_show(record.parent_path)), "parent"))
            continue
        try:
            unit = create_unit(record.name, parent_id, actor=actor, code=record.code)
        except ServiceError as exc:
            errors.extend(_field_errors(record.row, exc, {"parent_id": "parent"}))
            continue
        ids[path_key((*record.parent_path, record.name))] = unit.id
        created.append(unit)
    if errors:
        raise ImportFailed(errors)
    audit.record("units_imported", actor=actor, target_type="unit", count=len(created), filename=filename[:200])
    return created


def existing_emails(emails: Iterable[str]) -> set[str]:
    """Which of these normalised emails already have an account (asked in chunks to keep queries small)."""
    wanted = sorted({e for e in emails if e})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(db.session.scalars(select(User.email).where(User.email.in_(chunk))))
    return found


def import_members(filename: str, data: bytes, actor=None, ip: str | None = None) -> list[User]:
    """Create the accounts of a file, or raise ImportFailed listing every bad row.

    A row without a password makes an account with no usable password; the person sets one through "forgot
    password". Every
    role given is written to the audit log. The caller commits on success and rolls back on ImportFailed.
    """
    table = read_table(filename, data, MEMBER_COLUMNS, _max_rows())
    tree = unit_tree()
    emails = existing_emails(normalise_email(values.get("email")) for _row, values in table.rows)
    records, errors = check_members(table.rows, tree, existing_emails=emails,
                                    min_password_length=current_app.config["PASSWORD_MIN_LENGTH"])
    if errors:
        raise ImportFailed(errors)
    users: list[User] = []
    for record in records:
        try:
            user = accounts.register(record.email, record.password or None, record.full_name, record.unit_id,
                                     roles=record.roles, without_password=not record.password)
        except ServiceError as exc:
            errors.extend(_field_errors(record.row, exc, _MEMBER_FIELDS))
            continue
        for role in user.roles:
            audit.record("role_granted", actor=actor, target_type="user", target_id=user.id, ip=ip, role=role,
                         email=user.email, source="import")
        users.append(user)
    if errors:
        raise ImportFailed(errors)
    audit.record("members_imported", actor=actor, target_type="user", ip=ip, count=len(users),
                 filename=filename[:200])
    return users


# --- sample files ----------------------------------------------------------------------------------------------

UNIT_SAMPLE = [
    ("name", "parent", "code"),
    ("Thành phố Hà Nội", "", "HN"),
    ("Phường Long Biên", "Thành phố Hà Nội", "HN-LB"),
    ("Chi bộ Tổ dân phố Thạch Bàn 1", "Thành phố Hà Nội / Phường Long Biên", ""),
    ("Chi đoàn Tổ dân phố Thạch Bàn", "Thành phố Hà Nội / Phường Long Biên", ""),
]
MEMBER_SAMPLE = [
    ("email", "full_name", "unit", "roles", "password"),
    ("nguyen.van.an@example.com", "Nguyễn Văn An",
     "Thành phố Hà Nội / Phường Long Biên / Chi bộ Tổ dân phố Thạch Bàn 1", "member", ""),
    ("tran.thi.binh@example.com", "Trần Thị Bình", "HN-LB", "member, judge", "mat-khau-tam-thoi"),
    ("le.minh.chau@example.com", "Lê Minh Châu", "Thành phố Hà Nội", "organiser", ""),
]


def sample_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """A CSV file with a byte order mark, so that Excel opens the Vietnamese letters right."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")
