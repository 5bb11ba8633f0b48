"""The question bank pages: who may open them, the list and its filters, the forms, preview, import and export."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from contest.extensions import db
from contest.quiz import bank, bank_io
from contest.quiz.models import Question
from tests.quiz.test_bank import data, draw, make_round

PAGES = ["/organiser/questions/", "/organiser/questions/new", "/organiser/questions/import",
         "/organiser/questions/export.csv", "/organiser/questions/import/sample.json"]


@pytest.fixture
def organiser_client(organiser_client):
    """The organiser reads the site in English, the language the tests check messages in."""
    organiser_client.set_cookie("lang", "en")
    return organiser_client


def count_questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def form_fields(**overrides) -> dict:
    """A filled question form as a browser sends it: six option rows, two filled, the first marked correct."""
    fields = {"topic": "Tư tưởng Hồ Chí Minh", "difficulty": "2", "kind": "single",
              "text": "Tư tưởng Hồ Chí Minh về độc lập dân tộc gắn với gì?",
              **{f"options-{n}-text": "" for n in range(6)},
              "options-0-text": "Chủ nghĩa xã hội", "options-0-correct": "y",
              "options-1-text": "Chủ nghĩa tư bản",
              "explanation": "Độc lập dân tộc gắn liền với chủ nghĩa xã hội.", "source": "Hồ Chí Minh Toàn tập",
              "status": "draft"}
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.fixture
def question(app):
    made = bank.create_question(data())
    db.session.commit()
    return made


def page_paths(question_id: int) -> list[str]:
    return [*PAGES, f"/organiser/questions/{question_id}", f"/organiser/questions/{question_id}/edit"]


# Each test uses one client: the app context the fixtures hold keeps the signed-in user in `g` across requests.
@pytest.mark.parametrize("who", ["organiser_client", "admin_client"])
def test_organisers_and_admins_open_every_page(request, question, who):
    client = request.getfixturevalue(who)
    for path in page_paths(question.id):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("who", ["member_client", "judge_client"])
def test_members_and_judges_get_403(request, question, who):
    client = request.getfixturevalue(who)
    for path in page_paths(question.id):
        assert client.get(path).status_code == 403, path
    for action in ("approve", "unapprove", "delete", "restore"):
        assert client.post(f"/organiser/questions/{question.id}/{action}").status_code == 403
    assert client.post("/organiser/questions/new", data=form_fields()).status_code == 403
    assert count_questions() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, question):
    for path in page_paths(question.id):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
    assert client.post("/organiser/questions/new", data=form_fields()).status_code == 302
    assert count_questions() == 1


def test_a_missing_question_is_404(organiser_client):
    for path in ("/organiser/questions/999", "/organiser/questions/999/edit"):
        assert organiser_client.get(path).status_code == 404
    assert organiser_client.post("/organiser/questions/999/approve").status_code == 404
    assert organiser_client.get("/organiser/questions/export.pdf").status_code == 404


def test_the_list_searches_with_or_without_diacritics_and_filters(organiser_client, question):
    other = bank.create_question(data(topic="Đạo đức Hồ Chí Minh", text="Bác dạy cán bộ điều gì?", status="draft",
                                      source="Sửa đổi lối làm việc"))
    db.session.commit()

    def listed(query: str) -> set[int]:
        html = organiser_client.get("/organiser/questions/?" + query).get_data(as_text=True)
        return {int(n) for n in re.findall(r'data-question-id="(\d+)"', html)}

    assert listed("") == {question.id, other.id}
    assert listed("q=chu+tich+ho+chi+minh") == {question.id}
    assert listed("q=Ch%E1%BB%A7+t%E1%BB%8Bch") == {question.id}  # "Chủ tịch"
    assert listed("q=sua+doi+loi+lam+viec") == {other.id}
    assert listed("topic=dao+duc+ho+chi+minh") == {other.id}
    assert listed("status=draft") == {other.id}
    assert listed("status=approved&difficulty=1") == {question.id}
    assert listed("difficulty=3") == set()
    assert listed("status=bogus&difficulty=x&sort=bogus&page=abc") == {question.id, other.id}
    html = organiser_client.get("/organiser/questions/").get_data(as_text=True)
    assert 'name="q"' in html and "Đạo đức Hồ Chí Minh" in html


def test_the_list_paginates_and_keeps_the_filters(organiser_client):
    for n in range(30):
        bank.create_question(data(text=f"Câu hỏi số {n}?", status="draft"))
    db.session.commit()
    html = organiser_client.get("/organiser/questions/?status=draft").get_data(as_text=True)
    assert html.count("data-question-id=") == bank.PER_PAGE
    assert "page=2" in html and "status=draft" in html
    second = organiser_client.get("/organiser/questions/?status=draft&page=2").get_data(as_text=True)
    assert second.count("data-question-id=") == 30 - bank.PER_PAGE


def test_create_a_question_with_the_form(organiser_client, organiser):
    resp = organiser_client.post("/organiser/questions/new", data=form_fields())
    assert resp.status_code == 302
    question = db.session.scalars(select(Question)).one()
    assert resp.headers["Location"].endswith(f"/organiser/questions/{question.id}")
    assert [o["text"] for o in question.current_version.options] == ["Chủ nghĩa xã hội", "Chủ nghĩa tư bản"]
    assert bank.correct_keys(question.current_version) == ["a"]
    assert question.created_by_id == organiser.id and question.status == "draft"


def test_save_and_write_another_keeps_the_topic(organiser_client):
    resp = organiser_client.post("/organiser/questions/new", data=form_fields(then="another"))
    assert resp.status_code == 302 and "/organiser/questions/new?topic=" in resp.headers["Location"]
    html = organiser_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'value="Tư tưởng Hồ Chí Minh"' in html


@pytest.mark.parametrize("overrides, message", [
    ({"options-0-correct": None}, "exactly one correct option; 0 are marked"),
    ({"options-1-correct": "y"}, "exactly one correct option; 2 are marked"),
    ({"kind": "multiple", "options-0-correct": None}, "Mark at least one option as correct."),
    ({"options-1-text": ""}, "at least 2 options; this one has 1"),
    ({"options-1-text": "chủ nghĩa xã hội"}, "Two options have the same text: “chủ nghĩa xã hội”."),
    ({"options-3-correct": "y", "options-0-correct": None}, "Option D is marked correct but has no text."),
    ({"text": "  "}, "Write the question."),
    ({"topic": ""}, "Give the question"),
])
def test_the_form_shows_what_is_wrong_and_saves_nothing(organiser_client, overrides, message):
    resp = organiser_client.post("/organiser/questions/new", data=form_fields(**overrides))
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert count_questions() == 0


def test_six_options_are_offered_and_empty_rows_ignored(organiser_client):
    html = organiser_client.get("/organiser/questions/new").get_data(as_text=True)
    assert all(f'name="options-{n}-text"' in html and f'name="options-{n}-correct"' in html for n in range(6))
    assert 'name="options-6-text"' not in html
    fields = form_fields(**{"kind": "multiple", "options-4-text": "Chủ nghĩa dân tộc", "options-4-correct": "y",
                            "options-5-text": "Chủ nghĩa nhân văn"})
    assert organiser_client.post("/organiser/questions/new", data=fields).status_code == 302
    version = db.session.scalars(select(Question)).one().current_version
    assert [(o["key"], o["correct"]) for o in version.options] == [("a", True), ("b", False), ("c", True),
                                                                    ("d", False)]


def test_a_duplicate_is_shown_and_can_be_saved_anyway(organiser_client, question):
    fields = form_fields(text="chủ tịch hồ chí minh SINH NĂM NÀO")
    resp = organiser_client.post("/organiser/questions/new", data=fields)
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert 'data-testid="duplicate-warning"' in html and f"/organiser/questions/{question.id}" in html
    assert count_questions() == 1
    assert organiser_client.post("/organiser/questions/new", data={**fields, "allow_duplicate": "y"}
                                 ).status_code == 302
    assert count_questions() == 2


def test_edit_prefills_the_form_and_saves(organiser_client, question):
    html = organiser_client.get(f"/organiser/questions/{question.id}/edit").get_data(as_text=True)
    assert "Chủ tịch Hồ Chí Minh sinh năm nào?" in html and 'value="1911"' in html
    assert 'data-testid="version-history"' in html
    resp = organiser_client.post(f"/organiser/questions/{question.id}/edit", data=form_fields(status="approved"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert question.current_version.text == "Tư tưởng Hồ Chí Minh về độc lập dân tộc gắn với gì?"
    assert question.status == "approved" and [v.number for v in question.versions] == [1]


def test_edit_after_an_attempt_drew_it_saves_a_new_version_and_lists_both(organiser_client, member, question):
    draw(make_round(), member, question.current_version_id)
    html = organiser_client.get(f"/organiser/questions/{question.id}/edit").get_data(as_text=True)
    assert 'data-testid="open-round-warning"' in html
    resp = organiser_client.post(f"/organiser/questions/{question.id}/edit", data=form_fields(), follow_redirects=True)
    assert "version 2" in resp.get_data(as_text=True)
    html = organiser_client.get(f"/organiser/questions/{question.id}/edit").get_data(as_text=True)
    assert 'data-version="2"' in html and 'data-version="1"' in html
    assert "Chủ tịch Hồ Chí Minh sinh năm nào?" in html  # version 1, kept


def test_the_preview_shows_the_member_view_and_the_answer_key_apart(organiser_client, question):
    html = organiser_client.get(f"/organiser/questions/{question.id}").get_data(as_text=True)
    preview = html.split('data-testid="member-preview"')[1].split("</article>")[0]
    key = html.split('data-testid="answer-key"')[1].split("</article>")[0]
    assert "Chủ tịch Hồ Chí Minh sinh năm nào?" in preview and "1911" in preview
    assert "correct" not in preview.lower() and "✓" not in preview
    assert 'data-testid="correct-option">A. 1890' in key
    assert "Kim Liên" in key and "Bảo tàng Hồ Chí Minh" in key


def test_approve_and_unapprove(organiser_client, question):
    resp = organiser_client.post(f"/organiser/questions/{question.id}/unapprove",
                                 data={"next": "/organiser/questions/?status=draft"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/organiser/questions/?status=draft")
    db.session.expire_all()
    assert question.status == "draft"
    resp = organiser_client.post(f"/organiser/questions/{question.id}/approve", data={"next": "https://evil.example"})
    assert resp.headers["Location"].endswith(f"/organiser/questions/{question.id}")
    db.session.expire_all()
    assert question.status == "approved"


def test_delete_or_archive(organiser_client, member, question):
    spare = bank.create_question(data(text="Câu không ai rút?"))
    db.session.commit()
    spare_id = spare.id
    assert organiser_client.post(f"/organiser/questions/{spare_id}/delete").status_code == 302
    assert db.session.get(Question, spare_id) is None
    draw(make_round(), member, question.current_version_id)
    html = organiser_client.get(f"/organiser/questions/{question.id}").get_data(as_text=True)
    assert "Archive" in html
    organiser_client.post(f"/organiser/questions/{question.id}/delete")
    db.session.expire_all()
    assert question.archived
    assert organiser_client.get(f"/organiser/questions/{question.id}/edit").status_code == 302
    html = organiser_client.get(f"/organiser/questions/{question.id}").get_data(as_text=True)
    assert 'data-testid="archived-note"' in html
    organiser_client.post(f"/organiser/questions/{question.id}/restore")
    db.session.expire_all()
    assert not question.archived


# --- import and export ------------------------------------------------------------------------------------------

def upload(client, filename: str, content: bytes, **fields):
    return client.post("/organiser/questions/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), filename), **fields})


def test_import_a_file(organiser_client):
    resp = upload(organiser_client, "mau.json", bank_io.sample_file("json"))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'data-testid="import-result"' in html and "3 questions have been imported." in html
    assert count_questions() == 3
    html = upload(organiser_client, "mau.csv", bank_io.sample_file("csv")).get_data(as_text=True)
    assert "3 questions were already in the bank and were skipped." in html
    assert count_questions() == 3


def test_import_lists_every_bad_row_and_imports_nothing(organiser_client):
    rows = json.loads(bank_io.sample_file("json"))
    rows[0]["topic"] = ""
    rows[2]["options"][1]["correct"] = True
    resp = upload(organiser_client, "mau.json", json.dumps(rows).encode())
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'data-testid="import-errors"' in html
    assert re.findall(r'<tr data-row="(\d*)">', html) == ["1", "3"]
    assert count_questions() == 0


def test_import_refuses_a_wrong_file_and_a_missing_one(organiser_client):
    resp = upload(organiser_client, "mau.pdf", b"%PDF-1.4")
    assert resp.status_code == 422 and "Upload a .csv, .xlsx or .json file." in resp.get_data(as_text=True)
    resp = organiser_client.post("/organiser/questions/import", data={})
    assert resp.status_code == 422 and "Choose a file to import." in resp.get_data(as_text=True)


def test_export_downloads_the_filtered_questions(organiser_client, question):
    bank.create_question(data(topic="Đạo đức", text="Câu khác?"))
    db.session.commit()
    resp = organiser_client.get("/organiser/questions/export.json?topic=cuoc+doi+va+su+nghiep")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert [item["text"] for item in json.loads(resp.data)] == ["Chủ tịch Hồ Chí Minh sinh năm nào?"]
    resp = organiser_client.get("/organiser/questions/export.csv")
    assert resp.mimetype == "text/csv" and resp.data.decode("utf-8-sig").count("\r\n") == 3
    resp = organiser_client.get("/organiser/questions/export.xlsx?q=khac")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).worksheets[0]
    assert sheet.max_row == 2 and sheet.cell(2, 4).value == "Câu khác?"


def test_sample_downloads(organiser_client):
    for fmt in bank_io.FORMATS:
        resp = organiser_client.get(f"/organiser/questions/import/sample.{fmt}")
        assert resp.status_code == 200 and resp.data == bank_io.sample_file(fmt) or fmt == "xlsx"
