"""Question files: round trips in CSV, XLSX and JSON, atomic imports with every bad row reported, duplicates."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.core.errors import Invalid
from contest.extensions import db
from contest.quiz import bank, bank_io
from contest.quiz.models import Question
from tests.quiz.test_bank import data as question_fields
from tests.quiz.test_bank import draw, make_round

ROOT = Path(__file__).resolve().parents[2]
HEADER = ",".join(bank_io.COLUMN_NAMES)


@pytest.fixture(autouse=True)
def _english(app):
    """The messages are checked in English; without a request the site speaks Vietnamese."""
    with force_locale("en"):
        yield


def count_questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def snapshot() -> list[tuple]:
    """Everything a file carries, for every question in the bank, in a stable order."""
    questions = db.session.scalars(select(Question).order_by(Question.topic_key, Question.norm_hash)).all()
    return [(q.topic, q.difficulty, q.status, q.current_version.kind, q.current_version.text,
             [(o["key"], o["text"], o["correct"]) for o in q.current_version.options],
             q.current_version.explanation, q.current_version.source) for q in questions]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def row(topic="Tư tưởng Hồ Chí Minh", difficulty="2", kind="single", text="Câu hỏi?", options=("Một", "Hai"),
        correct="a", explanation="", source="", status="approved") -> str:
    cells = [topic, difficulty, kind, text, *options, *[""] * (6 - len(options)), correct, explanation, source,
             status]
    return ",".join(f'"{c}"' if "," in c else c for c in cells)


def errors_of(exc_info) -> list[tuple]:
    return [(e.row, e.column, str(e.message)) for e in exc_info.value.errors]


@pytest.fixture
def varied_bank(app, organiser):
    bank.create_question({"topic": "Cuộc đời và sự nghiệp", "difficulty": 1, "kind": "single",
                          "text": "Bác Hồ sinh ngày nào?",
                          "options": [{"text": "19/5/1890", "correct": True}, {"text": "2/9/1890", "correct": False}],
                          "explanation": "Dòng đầu.\nDòng sau, có dấu phẩy.\n\nĐoạn hai: “ngoặc kép”.",
                          "source": "Bảo tàng Hồ Chí Minh", "status": "approved"}, actor=organiser)
    bank.create_question({"topic": "Đạo đức Hồ Chí Minh", "difficulty": 3, "kind": "multiple",
                          "text": "Những phẩm chất nào thuộc lời dạy của Bác?",
                          "options": [{"text": t, "correct": t != "Xa hoa"}
                                      for t in ("Cần", "Kiệm", "Liêm", "Chính", "Chí công vô tư", "Xa hoa")],
                          "explanation": "", "source": "", "status": "draft"})
    bank.create_question({"topic": "Đạo đức Hồ Chí Minh", "difficulty": 2, "kind": "multiple",
                          "text": "=Một câu bắt đầu bằng dấu bằng, như công thức?",
                          "options": [{"text": "=1+1", "correct": True}, {"text": "-2", "correct": False},
                                      {"text": "1945", "correct": False}],
                          "explanation": "Số và dấu bằng vẫn là chữ.", "source": "Ví dụ", "status": "approved"})
    db.session.commit()
    return snapshot()


def empty_the_bank() -> None:
    for question in db.session.scalars(select(Question)).all():
        bank.delete_question(question)
    db.session.commit()
    assert count_questions() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_into_an_empty_bank_gives_the_same_questions(varied_bank, organiser, fmt):
    questions = db.session.scalars(bank.search_statement()).all()
    data = bank_io.export_questions(questions, fmt)
    empty_the_bank()
    result = bank_io.import_questions(f"questions.{fmt}", data, actor=organiser)
    db.session.commit()
    assert (result.imported, result.duplicates) == (3, 0)
    assert snapshot() == varied_bank
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "questions_imported"))
    assert entry.details["count"] == 3 and entry.actor_id == organiser.id


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_importing_an_export_again_skips_every_question_as_a_duplicate(varied_bank, fmt):
    data = bank_io.export_questions(db.session.scalars(bank.search_statement()).all(), fmt)
    result = bank_io.import_questions(f"questions.{fmt}", data)
    assert (result.imported, result.duplicates, result.duplicate_rows) == (0, 3, [2, 3, 4] if fmt != "json"
                                                                           else [1, 2, 3])
    assert count_questions() == 3


def test_csv_export_has_the_documented_columns_and_a_bom(varied_bank):
    data = bank_io.export_questions(db.session.scalars(bank.search_statement()).all(), "csv")
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert ",\"a,b,c,d,e\"," in data.decode("utf-8-sig")


def test_xlsx_export_keeps_text_that_looks_like_a_formula(varied_bank):
    data = bank_io.export_questions(db.session.scalars(bank.search_statement()).all(), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(app):
    data = csv_file(
        row(text="Câu tốt?"),                                             # 2: good
        row(topic="", text="Không có chủ đề?"),                            # 3
        row(text="Hai đáp án đúng?", correct="a,b"),                       # 4: single with two correct
        row(text="Có chỗ trống?", options=("Một", "", "Ba")),             # 5: gap
        row(text="Chữ cái lạ?", correct="x"),                              # 6
        row(text="Đáp án trỏ vào ô trống?", correct="c"),                  # 7
        row(text="Câu tốt?"),                                             # 8: same as row 2
        row(text="Một phương án?", options=("Một",)),                      # 9
        row(text="Độ khó lạ?", difficulty="9", status="xong"),             # 10: two problems
        row(text="Hai phương án giống nhau?", options=("Cần", "cần")),     # 11
    )
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions("cau-hoi.csv", data)
    db.session.rollback()
    found = errors_of(exc)
    assert [r for r, _c, _m in found] == [3, 4, 5, 6, 7, 8, 9, 10, 10, 11]
    messages = dict(((r, c), m) for r, c, m in found)
    assert messages[(3, "topic")] == "Give the question's topic."
    assert "exactly one correct option" in messages[(4, None)]
    assert messages[(5, "option_b")].startswith("option_b is empty but option_c is not")
    assert "letters a to f" in messages[(6, "correct")]
    assert messages[(7, "correct")] == "Option c is marked correct but option_c is empty."
    assert messages[(8, "text")] == "The same question is also on row 2."
    assert "at least 2 options" in messages[(9, None)]
    assert (10, "difficulty") in messages and (10, "status") in messages
    assert messages[(11, None)] == "Two options have the same text: “cần”."
    assert exc.value.code == "invalid_rows" and not exc.value.file_level
    assert exc.value.rows[0] == {"row": 3, "message": "Give the question's topic.", "column": "topic"}
    assert count_questions() == 0


def test_duplicates_of_the_bank_are_skipped_and_counted_or_refused(app):
    bank.create_question({"topic": "Tư tưởng", "kind": "single", "text": "Câu đã có?",
                          "options": [{"text": "Một", "correct": True}, {"text": "Hai", "correct": False}]})
    db.session.commit()
    data = csv_file(row(text="câu ĐÃ có"), row(text="Câu mới?"))
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions("a.csv", data, duplicates="error")
    db.session.rollback()
    assert errors_of(exc) == [(2, "text", "The bank already has this question.")]
    assert count_questions() == 1
    result = bank_io.import_questions("a.csv", data)
    db.session.commit()
    assert (result.imported, result.duplicates, result.duplicate_rows) == (1, 1, [2])
    assert count_questions() == 2
    assert str(bank_io.result_message(result)) == ("Questions imported: 1. Already in the bank, so skipped: 1.")


def test_an_archived_question_is_not_a_duplicate(app, member):
    archived = bank.create_question(question_fields())
    db.session.commit()
    draw(make_round(), member, archived.current_version_id)
    bank.delete_question(archived)
    db.session.commit()
    data = bank_io.export_questions([archived], "json")
    assert bank_io.import_questions("a.json", data).imported == 1


def test_the_kind_follows_the_correct_letters_when_left_empty(app):
    result = bank_io.import_questions("a.csv", csv_file(
        row(kind="", text="Một đáp án?", options=("Một", "Hai", "Ba"), correct="B"),
        row(kind="", text="Nhiều đáp án?", options=("Một", "Hai", "Ba"), correct="a; C"),
        row(kind="nhiều đáp án", text="Loại viết bằng tiếng Việt?", options=("Một", "Hai"), correct="ab"),
    ))
    kinds = [(q.current_version.kind, bank.correct_keys(q.current_version)) for q in result.questions]
    assert kinds == [("single", ["b"]), ("multiple", ["a", "c"]), ("multiple", ["a", "b"])]


def test_vietnamese_headers_semicolons_and_defaults(app):
    header = "STT;Chủ đề;Câu hỏi;A;B;C;Đáp án đúng;Giải thích;Nguồn"
    data = (header + "\n1;Phong cách Hồ Chí Minh;Bác thường mặc gì?;Bộ quần áo ka ki;Com lê;Áo dài;a;;\n"
            ).encode("utf-8-sig")
    [question] = bank_io.import_questions("phong-cach.csv", data).questions
    assert (question.topic, question.difficulty, question.status, question.current_version.kind) == (
        "Phong cách Hồ Chí Minh", 2, "draft", "single")
    assert [o["text"] for o in question.current_version.options] == ["Bộ quần áo ka ki", "Com lê", "Áo dài"]


def test_a_missing_or_unknown_column_is_reported_on_row_1(app):
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions("a.csv", csv_file(row(), header=HEADER.replace("correct", "dung")))
    found = errors_of(exc)
    assert {r for r, _c, _m in found} == {1}
    assert any("“correct” is missing" in m for _r, _c, m in found)
    assert any("Unknown column “dung”" in m for _r, _c, m in found)


def test_json_in_the_nested_and_the_flat_form(app):
    items = [
        {"topic": "Tư tưởng", "difficulty": "hard", "kind": "multiple", "text": "Lồng nhau?",
         "options": [{"text": "Một", "correct": True}, {"text": "Hai", "correct": True}], "status": "approved"},
        {"topic": "Tư tưởng", "difficulty": 1, "text": "Phẳng?", "option_a": "Một", "option_b": "Hai",
         "option_c": "Ba", "correct": ["c"]},
    ]
    result = bank_io.import_questions("a.json", json.dumps(items).encode())
    first, second = result.questions
    assert (first.difficulty, first.status, bank.correct_keys(first.current_version)) == (3, "approved", ["a", "b"])
    assert (second.difficulty, second.current_version.kind, bank.correct_keys(second.current_version)) == (
        1, "single", ["c"])


def test_bad_json_items_are_reported_by_their_index(app):
    items = [
        {"topic": "T", "text": "Tốt?", "options": [{"text": "Một", "correct": True}, {"text": "Hai"}]},
        "not an object",
        {"topic": "T", "text": "Lạ?", "options": [{"text": "Một", "correct": "yes"}, {"text": "Hai"}]},
        {"topic": "T", "text": "Cả hai dạng?", "options": [], "option_a": "Một"},
        {"topic": "T", "text": "Trường lạ?", "optoins": [], "difficulty": True},
        {"topic": 5, "text": "Chủ đề là số?", "option_a": "Một", "option_b": "Hai", "correct": "a"},
        {"topic": "T", "text": "Phương án lạ?", "options": [{"text": "Một", "correct": True, "why": 1},
                                                             {"text": "Hai"}]},
    ]
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions("a.json", json.dumps(items, ensure_ascii=False).encode())
    found = errors_of(exc)
    assert [r for r, _c, _m in found] == [2, 3, 4, 5, 5, 6, 7]
    assert count_questions() == 0


@pytest.mark.parametrize("filename, data, message", [
    ("cau-hoi.txt", b"topic,text", "Upload a .csv, .xlsx or .json file."),
    ("cau-hoi.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read"),
    ("cau-hoi.xlsx", b"PK\x03\x04 not really a zip", "not a valid Excel workbook"),
    ("cau-hoi.xlsx", b"topic,text\n", "not a valid Excel workbook"),
    ("cau-hoi.csv", "chủ đề".encode("utf-16"), "not in UTF-8"),
    ("cau-hoi.csv", b"", "The file is empty."),
    ("cau-hoi.csv", (HEADER + "\r\n").encode(), "no rows to import"),
    ("cau-hoi.json", b"{\"topic\": 1}", "must hold a list of questions"),
    ("cau-hoi.json", b"[1, 2", "not valid JSON"),
    ("cau-hoi.json", b"[]", "no questions"),
    ("cau-hoi.json", "[]".encode("utf-16"), "not in UTF-8"),
])
def test_a_file_of_the_wrong_kind_is_refused_with_a_clear_message(app, filename, data, message):
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions(filename, data)
    assert message in str(exc.value.errors[0].message)
    assert count_questions() == 0


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_too_many_rows_are_refused(app, fmt):
    app.config["QUESTION_IMPORT_MAX_ROWS"] = 3
    rows = [row(text=f"Câu {n}?") for n in range(4)]
    if fmt == "csv":
        data = csv_file(*rows)
    else:
        data = json.dumps([{"topic": "T", "text": f"Câu {n}?", "option_a": "A", "option_b": "B", "correct": "a"}
                           for n in range(4)]).encode()
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions(f"a.{fmt}", data)
    assert "more than 3" in str(exc.value.errors[0].message)
    app.config["QUESTION_IMPORT_MAX_ROWS"] = 4
    assert bank_io.import_questions(f"a.{fmt}", data).imported == 4


def test_a_file_over_the_upload_limit_is_refused(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    with pytest.raises(bank_io.QuestionImportFailed) as exc:
        bank_io.import_questions("a.csv", csv_file(*[row(text=f"Câu {n}?") for n in range(40)]))
    assert exc.value.file_level
    assert str(exc.value.errors[0].message) == "The file is larger than 1 MB."


def test_an_unknown_duplicates_policy_is_refused(app):
    with pytest.raises(Invalid):
        bank_io.import_questions("a.csv", csv_file(row()), duplicates="merge")


# --- samples ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_sample_files_import_and_describe_the_same_questions(app, fmt):
    result = bank_io.import_questions(f"sample.{fmt}", bank_io.sample_file(fmt))
    assert result.imported == len(bank_io.SAMPLE)
    assert [bank_io.question_object(q) for q in result.questions] == bank_io.SAMPLE


def test_the_documented_samples_are_the_generated_ones(app):
    samples = ROOT / "docs" / "samples"
    assert (samples / "questions.csv").read_bytes() == bank_io.sample_file("csv")
    assert json.loads((samples / "questions.json").read_text("utf-8")) == bank_io.SAMPLE
    book = openpyxl.load_workbook(samples / "questions.xlsx", read_only=True)
    try:  # a read-only workbook keeps its file open until closed
        rows = [[("" if v is None else v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    assert rows[0] == list(bank_io.COLUMN_NAMES)
    assert rows[1:] == [[r[name] for name in bank_io.COLUMN_NAMES] for r in bank_io.sample_rows()]
