"""The question bank through the API: create, list, read, change, delete, import, export, and who may."""

from __future__ import annotations

import io
import json
import unicodedata

import openpyxl
import pytest
from sqlalchemy import func, select

from contest.api import openapi
from contest.extensions import db
from contest.quiz import bank, bank_io
from contest.quiz.models import Question
from tests import factories
from tests.quiz.test_bank import data as question_fields
from tests.quiz.test_bank import draw, make_round

EN = {"Accept-Language": "en"}


def count_questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def body(**overrides) -> dict:
    values = {"topic": "Tư tưởng Hồ Chí Minh", "text": "Theo Bác, cái gì quý hơn độc lập, tự do?",
              "kind": "single",
              "options": [{"text": "Không có gì", "correct": True}, {"text": "Hòa bình", "correct": False},
                          {"text": "Thống nhất", "correct": False}],
              "explanation": "“Không có gì quý hơn độc lập, tự do” (17/7/1966).",
              "source": "Hồ Chí Minh Toàn tập", "difficulty": 1}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def question(app):
    made = bank.create_question(question_fields())
    db.session.commit()
    return made


def upload(client, filename: str, content: bytes, headers=None, **fields):
    return client.post("/api/v1/questions/import", content_type="multipart/form-data", headers=headers or EN,
                       data={"file": (io.BytesIO(content), filename), **fields})


# --- who may ------------------------------------------------------------------------------------------------------

def requests_for(question_id: int) -> list[tuple[str, str, dict]]:
    return [("get", "/api/v1/questions", {}), ("post", "/api/v1/questions", {"json": body()}),
            ("get", f"/api/v1/questions/{question_id}", {}),
            ("patch", f"/api/v1/questions/{question_id}", {"json": {"status": "draft"}}),
            ("delete", f"/api/v1/questions/{question_id}", {}),
            ("post", f"/api/v1/questions/{question_id}/restore", {}),
            ("get", "/api/v1/questions/topics", {}), ("get", "/api/v1/questions/export", {}),
            ("post", "/api/v1/questions/import", {"content_type": "multipart/form-data",
                                                  "data": {"file": (io.BytesIO(bank_io.sample_file("csv")),
                                                                    "a.csv")}})]


def test_anonymous_callers_get_401(client, question):
    for method, path, kwargs in requests_for(question.id):
        resp = getattr(client, method)(path, **kwargs)
        assert resp.status_code == 401, (method, path)
        assert resp.json["error"]["code"] == "unauthorized"
    assert count_questions() == 1


@pytest.mark.parametrize("role", ["member", "judge"])
def test_members_and_judges_get_403(client, unit, question, role):
    headers = factories.bearer(factories.gen_token(factories.gen_user(roles=[role], unit=unit)))
    for method, path, kwargs in requests_for(question.id):
        resp = getattr(client, method)(path, headers=headers, **kwargs)
        assert resp.status_code == 403, (method, path)
        assert resp.json["error"]["code"] == "forbidden"
    assert count_questions() == 1 and question.status == "approved"


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_organisers_and_admins_with_a_token(client, unit, role):
    headers = factories.bearer(factories.gen_token(factories.gen_user(roles=[role], unit=unit)))
    assert client.post("/api/v1/questions", headers=headers, json=body()).status_code == 201
    assert client.get("/api/v1/questions", headers=headers).json["total"] == 1


# --- create -------------------------------------------------------------------------------------------------------

def test_create_a_question(organiser_client, organiser):
    resp = organiser_client.post("/api/v1/questions", json=body(
        text=unicodedata.normalize("NFD", "  Theo Bác, cái gì quý hơn độc lập, tự do? "), difficulty="hard"))
    assert resp.status_code == 201
    answer = resp.json
    assert answer == {
        "id": answer["id"], "topic": "Tư tưởng Hồ Chí Minh", "text": "Theo Bác, cái gì quý hơn độc lập, tự do?",
        "kind": "single",
        "options": [{"key": "a", "text": "Không có gì", "correct": True},
                    {"key": "b", "text": "Hòa bình", "correct": False},
                    {"key": "c", "text": "Thống nhất", "correct": False}],
        "explanation": "“Không có gì quý hơn độc lập, tự do” (17/7/1966).", "source": "Hồ Chí Minh Toàn tập",
        "difficulty": 3, "status": "draft", "archived": False, "version": 1,
        "created_at": answer["created_at"], "updated_at": answer["updated_at"]}
    assert db.session.get(Question, answer["id"]).created_by_id == organiser.id


def test_a_multiple_answer_question(organiser_client):
    options = [{"text": "Cần", "correct": True}, {"text": "Kiệm", "correct": True}, {"text": "Xa hoa"}]
    resp = organiser_client.post("/api/v1/questions", json=body(kind="multiple", options=options,
                                                                status="approved"))
    assert resp.status_code == 201
    assert [o["correct"] for o in resp.json["options"]] == [True, True, False]
    assert resp.json["status"] == "approved"


@pytest.mark.parametrize("overrides, message", [
    ({"options": [{"text": "Một", "correct": False}, {"text": "Hai", "correct": False}]},
     "needs exactly one correct option; 0 are marked"),
    ({"options": [{"text": "Một", "correct": True}, {"text": "Hai", "correct": True}]},
     "needs exactly one correct option; 2 are marked"),
    ({"kind": "multiple", "options": [{"text": "Một", "correct": False}, {"text": "Hai", "correct": False}]},
     "Mark at least one option as correct."),
    ({"options": []}, "at least 2 options; this one has 0"),
    ({"options": None}, "at least 2 options; this one has 0"),
    ({"options": [{"text": f"Phương án {n}", "correct": n == 0} for n in range(7)]}, "at most 6 options"),
    ({"options": [{"text": "Một", "correct": True}, {"text": " ", "correct": False}]}, "Option b has no text."),
    ({"options": [{"text": "Một", "correct": True}, {"text": "một", "correct": False}]}, "same text"),
])
def test_breaking_an_option_rule_is_422_with_a_message_saying_so(organiser_client, overrides, message):
    resp = organiser_client.post("/api/v1/questions", headers=EN, json=body(**overrides))
    assert resp.status_code == 422
    error = resp.json["error"]
    assert error["code"] == "invalid" and message in error["message"]
    assert message in " ".join(error["fields"]["options"])
    assert count_questions() == 0


@pytest.mark.parametrize("overrides, field", [
    ({"topic": ""}, "topic"), ({"text": None}, "text"), ({"kind": "either"}, "kind"), ({"difficulty": 5}, "difficulty"),
    ({"status": "published"}, "status"), ({"source": "x" * 301}, "source"),
])
def test_other_broken_rules_are_422_by_field(organiser_client, overrides, field):
    resp = organiser_client.post("/api/v1/questions", headers=EN, json=body(**overrides))
    assert resp.status_code == 422
    assert list(resp.json["error"]["fields"]) == [field]


@pytest.mark.parametrize("overrides, field", [
    ({"options": "a,b"}, "options"), ({"options": [{"text": "Một", "correct": "yes"}, {"text": "Hai"}]}, "options"),
    ({"options": ["Một", "Hai"]}, "options"), ({"difficulty": True}, "difficulty"), ({"difficulty": [1]}, "difficulty"),
    ({"text": 42}, "text"), ({"allow_duplicate": "yes"}, "allow_duplicate"),
])
def test_wrong_types_are_400(organiser_client, overrides, field):
    resp = organiser_client.post("/api/v1/questions", headers=EN, json=body(**overrides))
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "bad_request" and list(resp.json["error"]["fields"]) == [field]
    assert count_questions() == 0


def test_malformed_json_is_400(organiser_client):
    resp = organiser_client.post("/api/v1/questions", data="{", content_type="application/json")
    assert resp.status_code == 400 and resp.json["error"]["code"] == "invalid_json"


def test_a_duplicate_is_409_unless_allowed(organiser_client, question):
    resp = organiser_client.post("/api/v1/questions", json=body(text="CHỦ TỊCH HỒ CHÍ MINH SINH NĂM NÀO"))
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "duplicate_question"
    assert resp.json["error"]["existing_id"] == question.id
    assert count_questions() == 1
    resp = organiser_client.post("/api/v1/questions", json=body(text="Chủ tịch Hồ Chí Minh sinh năm nào",
                                                                allow_duplicate=True))
    assert resp.status_code == 201


# --- list, read, topics -------------------------------------------------------------------------------------------

def test_list_with_topic_and_q_with_or_without_diacritics(organiser_client, question):
    other = organiser_client.post("/api/v1/questions", json=body()).json
    resp = organiser_client.get("/api/v1/questions")
    assert resp.status_code == 200
    assert resp.json["total"] == 2 and [q["id"] for q in resp.json["items"]] == [question.id, other["id"]]
    assert resp.json["items"][0]["options"][0] == {"key": "a", "text": "1890", "correct": True}
    for query in ("q=ho+chi+minh+sinh", "q=H%E1%BB%93+Ch%C3%AD+Minh+sinh", "topic=cuoc+doi+va+su+nghiep",
                  "topic=Cu%E1%BB%99c+%C4%91%E1%BB%9Di+v%C3%A0+s%E1%BB%B1+nghi%E1%BB%87p",
                  "difficulty=easy&status=approved"):
        listed = organiser_client.get("/api/v1/questions?" + query).json
        assert [q["id"] for q in listed["items"]] == [question.id], query
    assert organiser_client.get("/api/v1/questions?q=doc+lap&topic=tu+tuong+ho+chi+minh").json["total"] == 1
    assert organiser_client.get("/api/v1/questions?status=draft&kind=multiple").json == {"items": [], "total": 0}


def test_list_limit_and_offset(organiser_client):
    for n in range(5):
        bank.create_question(question_fields(text=f"Câu {n}?"))
    db.session.commit()
    page = organiser_client.get("/api/v1/questions?limit=2&offset=3").json
    assert page["total"] == 5 and len(page["items"]) == 2


@pytest.mark.parametrize("query, field", [
    ("status=published", "status"), ("difficulty=9", "difficulty"), ("kind=x", "kind"), ("limit=0", "limit"),
])
def test_bad_list_parameters_are_400(organiser_client, query, field):
    resp = organiser_client.get("/api/v1/questions?" + query)
    assert resp.status_code == 400 and list(resp.json["error"]["fields"]) == [field]


def test_read_one_question_and_404(organiser_client, question):
    resp = organiser_client.get(f"/api/v1/questions/{question.id}")
    assert resp.status_code == 200 and resp.json["text"] == "Chủ tịch Hồ Chí Minh sinh năm nào?"
    assert organiser_client.get("/api/v1/questions/9999").status_code == 404
    assert organiser_client.get("/api/v1/questions/9999").json["error"]["code"] == "not_found"


def test_topics(organiser_client, question):
    organiser_client.post("/api/v1/questions", json=body())
    resp = organiser_client.get("/api/v1/questions/topics")
    assert resp.json == {"total": 2, "items": [
        {"topic": "Cuộc đời và sự nghiệp", "key": "cuoc doi va su nghiep", "approved": 1, "draft": 0},
        {"topic": "Tư tưởng Hồ Chí Minh", "key": "tu tuong ho chi minh", "approved": 0, "draft": 1}]}


# --- change, delete, restore --------------------------------------------------------------------------------------

def test_patch_changes_only_the_given_fields(organiser_client, question):
    resp = organiser_client.patch(f"/api/v1/questions/{question.id}", json={"status": "draft", "difficulty": 2})
    assert resp.status_code == 200
    assert (resp.json["status"], resp.json["difficulty"], resp.json["version"]) == ("draft", 2, 1)
    assert resp.json["text"] == "Chủ tịch Hồ Chí Minh sinh năm nào?" and len(resp.json["options"]) == 4


def test_patch_after_an_attempt_drew_the_question_makes_version_2(organiser_client, member, question):
    old_version = question.current_version_id
    draw(make_round(), member, old_version)
    resp = organiser_client.patch(f"/api/v1/questions/{question.id}", json={"text": "Bác Hồ sinh năm nào?"})
    assert resp.status_code == 200 and resp.json["version"] == 2
    db.session.expire_all()
    assert question.versions[0].id == old_version
    assert question.versions[0].text == "Chủ tịch Hồ Chí Minh sinh năm nào?"


def test_patch_breaking_a_rule_is_422_and_changes_nothing(organiser_client, question):
    resp = organiser_client.patch(f"/api/v1/questions/{question.id}", headers=EN,
                                  json={"kind": "multiple", "options": [{"text": "A"}, {"text": "B"}],
                                        "status": "draft"})
    assert resp.status_code == 422 and "at least one" in resp.json["error"]["message"]
    db.session.expire_all()
    assert question.status == "approved" and question.current_version.kind == "single"
    assert organiser_client.patch("/api/v1/questions/9999", json={"status": "draft"}).status_code == 404


def test_delete_a_question_or_archive_it_and_restore(organiser_client, member, question):
    other = organiser_client.post("/api/v1/questions", json=body()).json["id"]
    assert organiser_client.delete(f"/api/v1/questions/{other}").json == {"id": other, "outcome": "deleted"}
    draw(make_round(), member, question.current_version_id)
    resp = organiser_client.delete(f"/api/v1/questions/{question.id}")
    assert resp.json == {"id": question.id, "outcome": "archived"}
    assert organiser_client.get("/api/v1/questions").json["total"] == 0
    assert organiser_client.get("/api/v1/questions?status=archived").json["total"] == 1
    resp = organiser_client.patch(f"/api/v1/questions/{question.id}", json={"status": "approved"})
    assert resp.status_code == 409 and resp.json["error"]["code"] == "question_archived"
    resp = organiser_client.post(f"/api/v1/questions/{question.id}/restore")
    assert resp.status_code == 200 and resp.json["archived"] is False and resp.json["status"] == "draft"
    assert organiser_client.delete("/api/v1/questions/9999").status_code == 404


# --- import -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_import_a_file(organiser_client, fmt):
    resp = upload(organiser_client, f"cau-hoi.{fmt}", bank_io.sample_file(fmt))
    assert resp.status_code == 200
    assert resp.json == {"imported": 3, "duplicates": 0, "duplicate_rows": []}
    assert count_questions() == 3
    again = upload(organiser_client, f"cau-hoi.{fmt}", bank_io.sample_file(fmt))
    assert again.status_code == 200 and (again.json["imported"], again.json["duplicates"]) == (0, 3)
    assert count_questions() == 3


def test_import_with_bad_rows_is_422_with_every_row_and_imports_nothing(organiser_client):
    items = json.loads(bank_io.sample_file("json"))
    items[0]["options"] = []
    items[2]["options"][0]["correct"] = False
    items.append(dict(items[1]))
    resp = upload(organiser_client, "cau-hoi.json", json.dumps(items).encode())
    assert resp.status_code == 422
    error = resp.json["error"]
    assert error["code"] == "invalid_rows" and error["message"]
    assert [r["row"] for r in error["rows"]] == [1, 3, 4]
    assert "at least 2 options" in error["rows"][0]["message"]
    assert "exactly one correct option" in error["rows"][1]["message"]
    assert error["rows"][2] == {"row": 4, "message": "The same question is also on row 2.", "column": "text"}
    assert count_questions() == 0


def test_import_duplicates_as_errors(organiser_client):
    upload(organiser_client, "a.csv", bank_io.sample_file("csv"))
    resp = upload(organiser_client, "a.csv", bank_io.sample_file("csv"), duplicates="error")
    assert resp.status_code == 422 and [r["row"] for r in resp.json["error"]["rows"]] == [2, 3, 4]
    resp = upload(organiser_client, "a.csv", bank_io.sample_file("csv"), duplicates="merge")
    assert resp.status_code == 400 and list(resp.json["error"]["fields"]) == ["duplicates"]


@pytest.mark.parametrize("filename, content, message", [
    ("cau-hoi.docx", b"PK\x03\x04", "Upload a .csv, .xlsx or .json file."),
    ("cau-hoi.xlsx", b"not a workbook", "not a valid Excel workbook"),
    ("cau-hoi.json", b"{}", "must hold a list of questions"),
])
def test_import_of_a_wrong_file_is_422_invalid_file(organiser_client, filename, content, message):
    resp = upload(organiser_client, filename, content)
    assert resp.status_code == 422
    assert resp.json["error"]["code"] == "invalid_file" and message in resp.json["error"]["message"]
    assert resp.json["error"]["rows"][0]["row"] is None


def test_import_without_a_file_or_as_json(organiser_client):
    resp = organiser_client.post("/api/v1/questions/import", content_type="multipart/form-data", data={})
    assert resp.status_code == 400 and list(resp.json["error"]["fields"]) == ["file"]
    resp = organiser_client.post("/api/v1/questions/import", json=[body()])
    assert resp.status_code == 415 and resp.json["error"]["code"] == "unsupported_media_type"


def test_import_over_the_size_limit_is_413(app, organiser_client):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    resp = upload(organiser_client, "cau-hoi.csv", bank_io.sample_file("csv") * 3)
    assert resp.status_code == 413 and resp.json["error"]["code"] == "too_large"
    assert count_questions() == 0


def test_import_over_the_row_limit_is_422(app, organiser_client):
    app.config["QUESTION_IMPORT_MAX_ROWS"] = 2
    resp = upload(organiser_client, "cau-hoi.csv", bank_io.sample_file("csv"))
    assert resp.status_code == 422 and "more than 2 rows" in resp.json["error"]["rows"][0]["message"]
    assert count_questions() == 0


# --- export -------------------------------------------------------------------------------------------------------

def test_export_in_every_format(organiser_client, question):
    organiser_client.post("/api/v1/questions", json=body())
    resp = organiser_client.get("/api/v1/questions/export?topic=tu+tuong+ho+chi+minh")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert [item["topic"] for item in json.loads(resp.data)] == ["Tư tưởng Hồ Chí Minh"]
    resp = organiser_client.get("/api/v1/questions/export?format=csv")
    assert resp.mimetype == "text/csv" and resp.data.decode("utf-8-sig").startswith("topic,difficulty,kind,text")
    resp = organiser_client.get("/api/v1/questions/export?format=xlsx&status=approved")
    assert openpyxl.load_workbook(io.BytesIO(resp.data)).worksheets[0].max_row == 2
    resp = organiser_client.get("/api/v1/questions/export?format=pdf")
    assert resp.status_code == 400 and list(resp.json["error"]["fields"]) == ["format"]


def test_every_question_endpoint_is_documented():
    paths = openapi.document()["paths"]
    assert set(paths["/questions"]) == {"get", "post"}
    assert set(paths["/questions/{question_id}"]) == {"get", "patch", "delete"}
    assert "multipart/form-data" in paths["/questions/import"]["post"]["requestBody"]["content"]
    assert {"200", "401", "403", "413", "422"} <= set(paths["/questions/import"]["post"]["responses"])
