"""Question files: import (CSV, XLSX, JSON; every row checked, then all or nothing) and export in the same format.

The format is documented in docs/question-format.md. Reading CSV and XLSX reuses the spreadsheet reader of the
member import (contest.units.imports); JSON is read here. Only import_questions writes to the database.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from contest.core import audit
from contest.core.errors import Invalid
from contest.core.text import unaccent
from contest.extensions import db
from contest.quiz import bank
from contest.quiz.models import Question
from contest.units.imports import Column, ImportFailed, RowError, read_table

MAX_ROWS = 5000
FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
OPTION_COLUMNS = tuple(f"option_{key}" for key in bank.OPTION_KEYS)
COLUMN_NAMES = ("topic", "difficulty", "kind", "text", *OPTION_COLUMNS, "correct", "explanation", "source", "status")
COLUMNS = (
    Column("topic", True, ("chu de",)),
    Column("difficulty", False, ("do kho", "muc do")),
    Column("kind", False, ("loai", "loai cau hoi")),
    Column("text", True, ("cau hoi", "noi dung", "noi dung cau hoi")),
    *(Column(name, name in ("option_a", "option_b"), (key, f"phuong an {key}", f"lua chon {key}"))
      for name, key in zip(OPTION_COLUMNS, bank.OPTION_KEYS, strict=True)),
    Column("correct", True, ("dap an", "dap an dung")),
    Column("explanation", False, ("giai thich",)),
    Column("source", False, ("nguon", "nguon tham khao")),
    Column("status", False, ("trang thai",)),
)
DUPLICATE_POLICIES = ("skip", "error")
_LETTER_SPLIT = re.compile(r"[\s,;/+]+")
# Which file column a service field's message belongs to (the options' messages name the option themselves).
_FIELD_COLUMNS: dict[str, str | None] = {"options": None}


class QuestionImportFailed(ImportFailed):
    """Nothing was imported; .errors lists every problem, by row (header = row 1; JSON: the 1-based index)."""

    code = "invalid_rows"

    @property
    def file_level(self) -> bool:
        """True when the file as a whole was refused (type, encoding, size), before any row was read."""
        return all(error.row is None for error in self.errors)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The problems as the API shows them: [{row, message, column?}], messages in the reader's language."""
        out = []
        for error in self.errors:
            item: dict[str, Any] = {"row": error.row, "message": str(error.message)}
            if error.column:
                item["column"] = error.column
            out.append(item)
        return out


def _failed(errors: Sequence[RowError]) -> QuestionImportFailed:
    return QuestionImportFailed(errors)


@dataclass
class ImportResult:
    imported: int = 0
    duplicates: int = 0
    duplicate_rows: list[int] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


# --- from cells to question data ------------------------------------------------------------------------------

def parse_correct(raw: Any) -> tuple[set[str] | None, Any]:
    """The letters of the correct column ("a", "a, c", "A;C", "ac"); None and a message when it is not letters."""
    if isinstance(raw, list):
        if not all(isinstance(x, str) for x in raw):
            return None, _l("Write the correct options as letters, e.g. “a” or “a, c”.")
        raw = ",".join(raw)
    if raw is None:
        return set(), None
    if not isinstance(raw, str):
        return None, _l("Write the correct options as letters, e.g. “a” or “a, c”.")
    letters: set[str] = set()
    for part in _LETTER_SPLIT.split(unaccent(raw)):
        if not part:
            continue
        if not all(ch in bank.OPTION_KEYS for ch in part):
            return None, _l("Write the correct options as letters a to f, e.g. “a” or “a, c” (not “%(value)s”).",
                            value=raw.strip()[:40])
        letters.update(part)
    return letters, None


def data_from_cells(values: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[tuple[str | None, Any]]]:
    """Question data (as bank.clean_question takes it) from one row's cells, or the problems (column, message)."""
    problems: list[tuple[str | None, Any]] = []
    texts = [values.get(name) or "" for name in OPTION_COLUMNS]
    for name, text in zip(OPTION_COLUMNS, texts, strict=True):
        if not isinstance(text, str):
            problems.append((name, _l("Must be text.")))
    if problems:
        return None, problems
    filled = [bool(text.strip()) for text in texts]
    count = max((i + 1 for i, f in enumerate(filled) if f), default=0)
    for i in range(count):
        if not filled[i]:
            problems.append((OPTION_COLUMNS[i], _l("%(empty)s is empty but %(later)s is not: fill the options from "
                                                   "option_a on, without gaps.", empty=OPTION_COLUMNS[i],
                                                   later=OPTION_COLUMNS[count - 1])))
    letters, problem = parse_correct(values.get("correct"))
    if problem is not None:
        problems.append(("correct", problem))
    elif letters:
        for letter in sorted(letters):
            index = bank.OPTION_KEYS.index(letter)
            if index >= count or not filled[index]:
                problems.append(("correct", _l("Option %(key)s is marked correct but option_%(key)s is empty.",
                                               key=letter)))
    if problems:
        return None, problems
    assert letters is not None
    kind = values.get("kind")
    if kind is None or (isinstance(kind, str) and not kind.strip()):
        # Without a kind, the number of correct letters tells it.
        kind = "multiple" if len(letters) > 1 else "single"
    data = {
        "topic": values.get("topic"), "difficulty": values.get("difficulty"), "kind": kind,
        "text": values.get("text"),
        "options": [{"text": texts[i], "correct": bank.OPTION_KEYS[i] in letters} for i in range(count)],
        "explanation": values.get("explanation"), "source": values.get("source"), "status": values.get("status"),
    }
    return data, []


JSON_FIELDS = frozenset({"topic", "difficulty", "kind", "text", "options", *OPTION_COLUMNS, "correct",
                         "explanation", "source", "status"})
_JSON_TEXT_FIELDS = ("topic", "kind", "text", "explanation", "source", "status")


def data_from_json(item: Any) -> tuple[dict[str, Any] | None, list[tuple[str | None, Any]]]:
    """Question data from one object of a JSON file: the flat form (option_a…option_f and correct letters, like the
    spreadsheet) or the nested form ("options": [{"text", "correct"}])."""
    if not isinstance(item, dict):
        return None, [(None, _l("Each item of the list must be an object (one question)."))]
    problems: list[tuple[str | None, Any]] = []
    unknown = sorted(str(k) for k in item if k not in JSON_FIELDS)
    if unknown:
        problems.append((None, _l("Unknown field: %(names)s. The fields are: %(known)s.", names=", ".join(unknown),
                                  known=", ".join(COLUMN_NAMES[:4] + ("options",) + COLUMN_NAMES[4:]))))
    for name in _JSON_TEXT_FIELDS:
        if item.get(name) is not None and not isinstance(item[name], str):
            problems.append((name, _l("Must be text.")))
    difficulty = item.get("difficulty")
    if difficulty is not None and (isinstance(difficulty, bool) or not isinstance(difficulty, int | str)):
        problems.append(("difficulty", _l("The difficulty must be 1 (easy), 2 (medium) or 3 (hard).")))
    nested = "options" in item
    flat = [name for name in (*OPTION_COLUMNS, "correct") if name in item]
    if nested and flat:
        problems.append((None, _l("Give either “options” or option_a…option_f with “correct”, not both.")))
    if problems:
        return None, problems
    if not nested:
        values = {name: item.get(name) for name in item}
        if isinstance(values.get("difficulty"), int):
            values["difficulty"] = str(values["difficulty"])
        return data_from_cells(values)
    options = item["options"]
    if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
        return None, [("options", _l("“options” must be a list of objects {\"text\": ..., \"correct\": true or "
                                     "false}."))]
    for position, option in enumerate(options):
        extra = sorted(str(k) for k in option if k not in ("text", "correct"))
        if extra:
            problems.append(("options", _l("Option %(n)d has an unknown field: %(names)s.", n=position + 1,
                                           names=", ".join(extra))))
    if problems:
        return None, problems
    data = {name: item.get(name) for name in ("topic", "difficulty", "kind", "text", "explanation", "source",
                                              "status")}
    data["options"] = options
    if not (data["kind"] or "").strip():
        correct = sum(1 for option in options if option.get("correct") is True)
        data["kind"] = "multiple" if correct > 1 else "single"
    return data, []


# --- reading files ----------------------------------------------------------------------------------------------

def _max_rows() -> int:
    return int(current_app.config.get("QUESTION_IMPORT_MAX_ROWS", MAX_ROWS))


def file_format(filename: str) -> str | None:
    name = (filename or "").strip().lower()
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            return fmt
    return None


def _json_items(data: bytes, max_rows: int) -> list[tuple[int, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _failed([RowError(None, _l("The JSON file is not in UTF-8."))]) from None
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        raise _failed([RowError(None, _l("The file is not valid JSON."))]) from None
    if not isinstance(items, list):
        raise _failed([RowError(None, _l("The JSON file must hold a list of questions: [{…}, {…}]."))])
    if not items:
        raise _failed([RowError(None, _l("The file has no questions."))])
    if len(items) > max_rows:
        raise _failed([RowError(None, _l("The file has more than %(n)d questions. Split it into several files "
                                         "and import them one after the other.", n=max_rows))])
    return list(enumerate(items, start=1))


def read_questions(filename: str, data: bytes, max_rows: int | None = None
                   ) -> tuple[list[tuple[int, Any]], list[RowError]]:
    """(row number, question data) of every good row of a file, and the problems of the others."""
    max_rows = _max_rows() if max_rows is None else max_rows
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and len(data) > limit:
        raise _failed([RowError(None, _l("The file is larger than %(mb)d MB.", mb=max(1, limit // (1024 * 1024))))])
    fmt = file_format(filename)
    rows: list[tuple[int, Any]] = []
    errors: list[RowError] = []
    if fmt == "json":
        for number, item in _json_items(data, max_rows):
            found, problems = data_from_json(item)
            if found is not None:
                rows.append((number, found))
            else:
                errors.extend(RowError(number, message, column) for column, message in problems)
        return rows, errors
    if fmt not in ("csv", "xlsx") and not (filename or "").lower().endswith(".xls"):
        raise _failed([RowError(None, _l("Upload a .csv, .xlsx or .json file."))])
    try:
        table = read_table(filename, data, COLUMNS, max_rows)
    except ImportFailed as exc:
        raise _failed(exc.errors) from None
    for number, values in table.rows:
        found, problems = data_from_cells(values)
        if found is not None:
            rows.append((number, found))
        else:
            errors.extend(RowError(number, message, column) for column, message in problems)
    return rows, errors


def check_rows(rows: Iterable[tuple[int, Any]]) -> tuple[list[tuple[int, bank.CleanQuestion]], list[RowError]]:
    """Every row through the bank's rules, and duplicates within the file."""
    good: list[tuple[int, bank.CleanQuestion]] = []
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for number, data in rows:
        try:
            clean = bank.clean_question(data)
        except Invalid as exc:
            for name, messages in exc.fields.items():
                errors.extend(RowError(number, message, _FIELD_COLUMNS.get(name, name)) for message in messages)
            continue
        if clean.norm_hash in first_row:
            errors.append(RowError(number, _l("The same question is also on row %(row)d.",
                                              row=first_row[clean.norm_hash]), "text"))
            continue
        first_row[clean.norm_hash] = number
        good.append((number, clean))
    return good, errors


# --- importing --------------------------------------------------------------------------------------------------

def import_questions(filename: str, data: bytes, actor=None, *, duplicates: str = "skip") -> ImportResult:
    """Add the questions of a file, or raise QuestionImportFailed listing every problem (nothing is added).

    A question the bank already has (same normalised text) is skipped and counted with duplicates="skip", and is
    a problem with duplicates="error". The caller commits on success and rolls back on the error.
    """
    if duplicates not in DUPLICATE_POLICIES:
        raise Invalid(_l("Unknown duplicates policy."), fields={"duplicates": [_l("Choose “skip” or “error”.")]})
    rows, errors = read_questions(filename, data)
    good, problems = check_rows(rows)
    errors.extend(problems)
    known = bank.existing_hashes(clean.norm_hash for _row, clean in good)
    result = ImportResult()
    to_add: list[tuple[int, bank.CleanQuestion]] = []
    for number, clean in good:
        if clean.norm_hash in known:
            if duplicates == "error":
                errors.append(RowError(number, _l("The bank already has this question."), "text"))
            else:
                result.duplicates += 1
                result.duplicate_rows.append(number)
            continue
        to_add.append((number, clean))
    if errors:
        raise _failed(errors)
    spellings = bank.topic_spellings()
    for _number, clean in to_add:
        topic = spellings.setdefault(clean.topic_key, clean.topic)
        result.questions.append(bank.build_question(clean, actor, topic=topic))
    db.session.flush()
    result.imported = len(result.questions)
    audit.record("questions_imported", actor=actor, target_type="question", count=result.imported,
                 duplicates=result.duplicates, filename=(filename or "")[:200])
    return result


def result_message(result: ImportResult) -> Any:
    if not result.duplicates:
        return lazy_ngettext("%(num)d question has been imported.", "%(num)d questions have been imported.",
                             result.imported)
    return _l("Questions imported: %(imported)d. Already in the bank, so skipped: %(duplicates)d.",
              imported=result.imported, duplicates=result.duplicates)


# --- exporting --------------------------------------------------------------------------------------------------

def question_row(question: Question) -> dict[str, Any]:
    """One question in the flat file form (CSV and XLSX columns)."""
    version = question.current_version
    assert version is not None
    row: dict[str, Any] = {"topic": question.topic, "difficulty": question.difficulty, "kind": version.kind,
                           "text": version.text}
    for name, option in zip(OPTION_COLUMNS, [*version.options, *([None] * bank.MAX_OPTIONS)], strict=False):
        row[name] = option["text"] if option else ""
    row["correct"] = ",".join(o["key"] for o in version.options if o.get("correct"))
    row.update({"explanation": version.explanation or "", "source": version.source or "",
                "status": question.status})
    return row


def question_object(question: Question) -> dict[str, Any]:
    """One question in the nested JSON form."""
    version = question.current_version
    assert version is not None
    return {"topic": question.topic, "difficulty": question.difficulty, "kind": version.kind, "text": version.text,
            "options": [{"text": o["text"], "correct": bool(o.get("correct"))} for o in version.options],
            "explanation": version.explanation or "", "source": version.source or "", "status": question.status}


def to_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows the Vietnamese letters right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMN_NAMES])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("questions")
    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        cells = []
        for name in COLUMN_NAMES:
            cell = WriteOnlyCell(sheet, value=row.get(name, ""))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(objects: Iterable[Mapping[str, Any]]) -> bytes:
    return (json.dumps(list(objects), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_questions(questions: Iterable[Question], fmt: str) -> bytes:
    """The questions as a file of the format (csv, xlsx or json) that import_questions reads back."""
    if fmt == "json":
        return to_json(question_object(q) for q in questions)
    if fmt == "csv":
        return to_csv(question_row(q) for q in questions)
    if fmt == "xlsx":
        return to_xlsx(question_row(q) for q in questions)
    raise Invalid(_l("Choose the format: csv, xlsx or json."), fields={"format": [_l("Choose csv, xlsx or json.")]})


# --- the sample file --------------------------------------------------------------------------------------------

SAMPLE: list[dict[str, Any]] = [
    {"topic": "Cuộc đời và sự nghiệp", "difficulty": 1, "kind": "single",
     "text": "Chủ tịch Hồ Chí Minh sinh ngày, tháng, năm nào?",
     "options": [{"text": "19/5/1890", "correct": True}, {"text": "19/5/1891", "correct": False},
                 {"text": "2/9/1890", "correct": False}, {"text": "5/6/1890", "correct": False}],
     "explanation": "Người sinh ngày 19/5/1890 tại xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An.",
     "source": "Bảo tàng Hồ Chí Minh", "status": "approved"},
    {"topic": "Đạo đức Hồ Chí Minh", "difficulty": 2, "kind": "multiple",
     "text": "Những phẩm chất nào nằm trong lời dạy “Cần, kiệm, liêm, chính, chí công vô tư” của Bác?",
     "options": [{"text": "Cần", "correct": True}, {"text": "Kiệm", "correct": True},
                 {"text": "Liêm", "correct": True}, {"text": "Dũng", "correct": False}],
     "explanation": "Cần, kiệm, liêm, chính, chí công vô tư là những phẩm chất đạo đức cách mạng Bác thường dạy.",
     "source": "Hồ Chí Minh Toàn tập", "status": "draft"},
    {"topic": "Chỉ thị 05-CT/TW và Kết luận 01-KL/TW", "difficulty": 2, "kind": "single",
     "text": "Chỉ thị 05-CT/TW của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách "
             "Hồ Chí Minh được ban hành ngày nào?",
     "options": [{"text": "15/5/2016", "correct": True}, {"text": "18/5/2021", "correct": False},
                 {"text": "19/5/2016", "correct": False}],
     "explanation": "Chỉ thị 05-CT/TW do Bộ Chính trị khóa XII ban hành ngày 15/5/2016.",
     "source": "Chỉ thị 05-CT/TW ngày 15/5/2016", "status": "approved"},
]


def sample_rows() -> list[dict[str, Any]]:
    rows = []
    for item in SAMPLE:
        row = {name: item[name] for name in ("topic", "difficulty", "kind", "text", "explanation", "source",
                                             "status")}
        for name, option in zip(OPTION_COLUMNS, [*item["options"], *([None] * bank.MAX_OPTIONS)], strict=False):
            row[name] = option["text"] if option else ""
        row["correct"] = ",".join(key for key, o in zip(bank.OPTION_KEYS, item["options"], strict=False)
                                  if o["correct"])
        rows.append(row)
    return rows


def sample_file(fmt: str) -> bytes:
    if fmt == "json":
        return to_json(SAMPLE)
    if fmt == "csv":
        return to_csv(sample_rows())
    if fmt == "xlsx":
        return to_xlsx(sample_rows())
    raise Invalid(_l("Choose the format: csv, xlsx or json."), fields={"format": [_l("Choose csv, xlsx or json.")]})
