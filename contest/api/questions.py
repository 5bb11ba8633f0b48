"""The question bank through the API (organisers): list, create, read, change, delete, import, export, topics."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.api.common import FIELD_TYPES, iso, paginate_query, read_json
from contest.core.clock import utcnow
from contest.core.errors import BadRequest, Invalid, UnsupportedMediaType
from contest.core.text import nfc
from contest.extensions import db
from contest.quiz import bank, bank_io
from contest.quiz.models import Question

ROLE = "organiser"
# Fields of a question in a request body, by type (difficulty takes a number or a name and is checked apart).
BODY_FIELDS = {"topic": "string", "text": "string", "kind": "string", "options": "array", "explanation": "string",
               "source": "string", "status": "string"}


def question_json(question: Question) -> dict[str, Any]:
    version = question.current_version
    assert version is not None
    return {
        "id": question.id, "topic": question.topic, "text": version.text, "kind": version.kind,
        "options": [{"key": o["key"], "text": o["text"], "correct": bool(o["correct"])} for o in version.options],
        "explanation": version.explanation or "", "source": version.source or "", "difficulty": question.difficulty,
        "status": question.status, "archived": question.archived, "version": version.number,
        "created_at": iso(question.created_at), "updated_at": iso(question.updated_at),
    }


def _read_body() -> tuple[dict[str, Any], bool]:
    """The question fields present in the JSON body (types checked: 400 when wrong) and allow_duplicate."""
    data = read_json()
    errors: dict[str, list] = {}
    values: dict[str, Any] = {}
    for name, kind in BODY_FIELDS.items():
        if name not in data:
            continue
        check, message = FIELD_TYPES[kind]
        if data[name] is not None and not check(data[name]):
            errors[name] = [message]
        values[name] = data[name]
    if "difficulty" in data:
        value = data["difficulty"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            errors["difficulty"] = [_l("Must be 1, 2 or 3, or “easy”, “medium” or “hard”.")]
        values["difficulty"] = value
    if isinstance(values.get("options"), list):
        for option in values["options"]:
            if not (isinstance(option, dict) and isinstance(option.get("text", ""), str | None)
                    and isinstance(option.get("correct", False), bool | None)):
                errors["options"] = [_l("Each option must be an object {\"text\": string, \"correct\": boolean}.")]
                break
    allow = data.get("allow_duplicate", False)
    if allow is not None and not isinstance(allow, bool):
        errors["allow_duplicate"] = [FIELD_TYPES["boolean"][1]]
    if errors:
        raise BadRequest(_l("Some fields have the wrong type."), fields=errors)
    return values, bool(allow)


def _choice_arg(name: str, parse, message) -> Any:
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    value = parse(raw)
    if value is None:
        raise BadRequest(message, fields={name: [message]})
    return value


def _filters() -> dict[str, Any]:
    """?q=&topic=&status=&difficulty=&kind= of the list and the export; 400 for a value that is not known."""
    status = _choice_arg("status", lambda v: v if v in (*bank.STATUS_LABELS, bank.ARCHIVED) else None,
                         _l("Must be draft, approved or archived."))
    difficulty = _choice_arg("difficulty", bank.parse_difficulty,
                             _l("Must be 1, 2 or 3, or “easy”, “medium” or “hard”."))
    kind = _choice_arg("kind", bank.parse_kind, _l("Must be single or multiple."))
    return {"q": nfc(request.args.get("q"))[:200], "topic": nfc(request.args.get("topic"))[:bank.MAX_TOPIC],
            "status": status, "difficulty": difficulty, "kind": kind}


@bp.get("/questions")
@roles_required(ROLE)
def list_questions():
    return paginate_query(bank.search_statement(**_filters()), question_json)


@bp.post("/questions")
@roles_required(ROLE)
def create_question():
    values, allow_duplicate = _read_body()
    question = bank.create_question(values, actor=current_api_user(), allow_duplicate=allow_duplicate)
    db.session.commit()
    return question_json(question), 201


@bp.get("/questions/<id:question_id>")
@roles_required(ROLE)
def get_question(question_id: int):
    return question_json(bank.get_question(question_id))


@bp.patch("/questions/<id:question_id>")
@roles_required(ROLE)
def update_question(question_id: int):
    question = bank.get_question(question_id)
    values, allow_duplicate = _read_body()
    data = {**bank.question_data(question), **values}
    bank.update_question(question, data, actor=current_api_user(), allow_duplicate=allow_duplicate)
    db.session.commit()
    return question_json(question)


@bp.delete("/questions/<id:question_id>")
@roles_required(ROLE)
def delete_question(question_id: int):
    question = bank.get_question(question_id)
    outcome = bank.delete_question(question, actor=current_api_user())
    db.session.commit()
    return {"id": question_id, "outcome": outcome}


@bp.post("/questions/<id:question_id>/restore")
@roles_required(ROLE)
def restore_question(question_id: int):
    question = bank.restore_question(bank.get_question(question_id), actor=current_api_user())
    db.session.commit()
    return question_json(question)


@bp.get("/questions/topics")
@roles_required(ROLE)
def list_topics():
    items = [{"topic": t.topic, "key": t.key, "approved": t.approved, "draft": t.draft} for t in bank.topics()]
    return {"items": items, "total": len(items)}


@bp.post("/questions/import")
@roles_required(ROLE)
def import_questions():
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(_l("Send the file as multipart/form-data, in the field “file”."))
    upload = request.files.get("file")
    if upload is None:
        msg = _l("Send the file in the field “file”.")
        raise BadRequest(msg, fields={"file": [msg]})
    duplicates = request.form.get("duplicates") or "skip"
    if duplicates not in bank_io.DUPLICATE_POLICIES:
        msg = _l("Must be skip or error.")
        raise BadRequest(msg, fields={"duplicates": [msg]})
    try:
        result = bank_io.import_questions(upload.filename or "", upload.read(), actor=current_api_user(),
                                          duplicates=duplicates)
    except bank_io.QuestionImportFailed as exc:
        code = "invalid_file" if exc.file_level else "invalid_rows"
        message = exc.errors[0].message if exc.file_level and len(exc.errors) == 1 else exc.message
        raise Invalid(message, code=code, rows=exc.rows) from None
    db.session.commit()
    return {"imported": result.imported, "duplicates": result.duplicates, "duplicate_rows": result.duplicate_rows}


@bp.get("/questions/export")
@roles_required(ROLE)
def export_questions():
    fmt = request.args.get("format", "json")
    if fmt not in bank_io.FORMATS:
        msg = _l("Must be csv, xlsx or json.")
        raise BadRequest(msg, fields={"format": [msg]})
    questions = db.session.scalars(bank.search_statement(**_filters())).all()
    filename = f"questions-{utcnow():%Y%m%d}.{fmt}"
    return Response(bank_io.export_questions(questions, fmt), mimetype=bank_io.MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- OpenAPI ----------------------------------------------------------------------------------------------

_ORGANISERS = "Organisers (and admins)."
_FILTER_PARAMS = [
    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Words that must all appear in the question, an option or the source, with or without "
                    "diacritics (`ho chi minh` finds `Hồ Chí Minh`)."},
    {"name": "topic", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A topic, compared without accents or case."},
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": ["draft", "approved", "archived"]},
     "description": "Without it: draft and approved questions (archived ones are left out)."},
    {"name": "difficulty", "in": "query", "required": False,
     "schema": {"anyOf": [{"type": "integer", "enum": [1, 2, 3]},
                          {"type": "string", "enum": ["easy", "medium", "hard"]}]}},
    {"name": "kind", "in": "query", "required": False, "schema": {"type": "string", "enum": ["single", "multiple"]}},
]
_ID = openapi.path_param("question_id", "The question's id.")
_DIFFICULTY = {"anyOf": [{"type": "integer", "enum": [1, 2, 3]},
                         {"type": "string", "enum": ["easy", "medium", "hard", "dễ", "trung bình", "khó"]}],
               "description": "1 easy, 2 medium (the default), 3 hard."}
_OPTION_IN = {"type": "object", "required": ["text", "correct"],
              "properties": {"text": {"type": "string", "minLength": 1, "maxLength": bank.MAX_OPTION},
                             "correct": {"type": "boolean"}}}
_FIELDS_IN = {
    "topic": {"type": "string", "maxLength": bank.MAX_TOPIC,
              "description": "A topic already in the bank (compared without accents or case) keeps its spelling."},
    "text": {"type": "string", "maxLength": bank.MAX_TEXT},
    "kind": {"type": "string", "enum": ["single", "multiple"]},
    "options": {"type": "array", "minItems": bank.MIN_OPTIONS, "maxItems": bank.MAX_OPTIONS, "items": _OPTION_IN,
                "description": "In the order shown to authors; keys a…f follow it. `single`: exactly one correct; "
                               "`multiple`: at least one. Texts distinct."},
    "explanation": {"type": "string", "maxLength": bank.MAX_EXPLANATION},
    "source": {"type": "string", "maxLength": bank.MAX_SOURCE, "examples": ["Hồ Chí Minh Toàn tập, tập 5, tr. 120"]},
    "difficulty": _DIFFICULTY,
    "status": {"type": "string", "enum": ["draft", "approved"], "default": "draft"},
    "allow_duplicate": {"type": "boolean", "default": False,
                        "description": "Save even when the bank has the same wording (else 409 "
                                       "`duplicate_question` with `existing_id`)."},
}
_file_body = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                 "description": "A .csv (UTF-8), .xlsx or .json file in the format of docs/question-format.md."},
        "duplicates": {"type": "string", "enum": ["skip", "error"], "default": "skip",
                       "description": "`skip`: questions the bank already has are skipped and counted; `error`: "
                                      "they are bad rows."},
    }}}}}
_import = openapi.operation(
    "Import questions from a file", tag="questions", operation_id="importQuestions", access="role",
    description=_ORGANISERS + " All or nothing: when any row is bad nothing is imported and the 422 answer has "
                "`code` `invalid_rows` and `rows: [{row, message, column}]` (the header is row 1; in JSON the "
                "1-based index). A file refused as a whole (type, encoding, too many rows) is a 422 `invalid_file`. "
                "A file over the upload limit is a 413.",
    ok=(200, "What was imported", openapi.ref("QuestionImport")), errors=(400, 413, 415, 422))
_import["requestBody"] = _file_body
_export = openapi.operation(
    "Export questions", tag="questions", operation_id="exportQuestions", access="role",
    description=_ORGANISERS + " The questions matching the filters, as a file that the import reads back.",
    parameters=[{"name": "format", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(bank_io.FORMATS), "default": "json"}}, *_FILTER_PARAMS],
    ok=(200, "The file", None), errors=(400,))
_export["responses"]["200"]["content"] = {bank_io.MIMETYPES[fmt]: {"schema": {"type": "string"}}
                                          for fmt in bank_io.FORMATS}

openapi.register(
    paths={
        "/questions": {
            "get": openapi.operation(
                "List questions", tag="questions", operation_id="listQuestions", access="role",
                description=_ORGANISERS + " By topic, then difficulty, then id.",
                parameters=[*_FILTER_PARAMS, *openapi.LIST_PARAMS],
                ok=(200, "Questions", openapi.list_of(openapi.ref("Question"))), errors=(400,)),
            "post": openapi.operation(
                "Create a question", tag="questions", operation_id="createQuestion", access="role",
                description=_ORGANISERS + " 422 with `fields.options` when there are not 2–6 distinct options or "
                            "the correct ones break the kind's rule; 409 `duplicate_question` when the bank has "
                            "the same wording (compared ignoring case, spacing and final punctuation).",
                body=openapi.ref("QuestionCreate"),
                ok=(201, "The new question", openapi.ref("Question")), errors=(409, 422)),
        },
        "/questions/{question_id}": {
            "get": openapi.operation(
                "Read a question", tag="questions", operation_id="getQuestion", access="role",
                description=_ORGANISERS, parameters=[_ID],
                ok=(200, "The question with its answer key", openapi.ref("Question")), errors=(404,)),
            "patch": openapi.operation(
                "Change a question", tag="questions", operation_id="updateQuestion", access="role",
                description=_ORGANISERS + " Any of the fields. A change of wording, options, explanation or source "
                            "makes a new version when attempts have drawn the current one (they keep theirs). "
                            "409 `question_archived` for an archived question.",
                parameters=[_ID], body=openapi.ref("QuestionPatch"),
                ok=(200, "The question", openapi.ref("Question")), errors=(404, 409, 422)),
            "delete": openapi.operation(
                "Delete a question", tag="questions", operation_id="deleteQuestion", access="role",
                description=_ORGANISERS + " A question attempts have drawn is archived instead (kept for them, "
                            "never drawn again).",
                parameters=[_ID],
                ok=(200, "What happened", {"type": "object", "required": ["id", "outcome"], "properties": {
                    "id": openapi.ref("Id"), "outcome": {"type": "string", "enum": ["deleted", "archived"]}}}),
                errors=(404,)),
        },
        "/questions/{question_id}/restore": {
            "post": openapi.operation(
                "Restore an archived question", tag="questions", operation_id="restoreQuestion", access="role",
                description=_ORGANISERS + " It comes back as a draft; 409 `duplicate_question` when the bank has "
                            "its wording again.",
                parameters=[_ID], ok=(200, "The question", openapi.ref("Question")), errors=(404, 409)),
        },
        "/questions/topics": {
            "get": openapi.operation(
                "List the bank's topics", tag="questions", operation_id="listQuestionTopics", access="role",
                description=_ORGANISERS + " With their approved and draft questions (archived left out).",
                ok=(200, "Topics", openapi.list_of(openapi.ref("QuestionTopic")))),
        },
        "/questions/import": {"post": _import},
        "/questions/export": {"get": _export},
    },
    schemas={
        "QuestionOption": {"type": "object", "required": ["key", "text", "correct"],
                           "properties": {"key": {"type": "string", "enum": list(bank.OPTION_KEYS)},
                                          "text": {"type": "string"}, "correct": {"type": "boolean"}}},
        "Question": {
            "type": "object",
            "required": ["id", "topic", "text", "kind", "options", "explanation", "source", "difficulty", "status",
                         "version"],
            "properties": {
                "id": openapi.ref("Id"), "topic": {"type": "string"}, "text": {"type": "string"},
                "kind": {"type": "string", "enum": ["single", "multiple"]},
                "options": {"type": "array", "items": openapi.ref("QuestionOption")},
                "explanation": {"type": "string"}, "source": {"type": "string"},
                "difficulty": {"type": "integer", "enum": [1, 2, 3]},
                "status": {"type": "string", "enum": ["draft", "approved"]},
                "archived": {"type": "boolean"},
                "version": {"type": "integer", "minimum": 1, "description": "The current version's number."},
                "created_at": openapi.ref("DateTime"), "updated_at": openapi.ref("DateTime"),
            },
        },
        "QuestionCreate": {"type": "object", "required": ["topic", "text", "kind", "options"],
                           "properties": _FIELDS_IN},
        "QuestionPatch": {"type": "object", "properties": _FIELDS_IN},
        "QuestionImport": {"type": "object", "required": ["imported", "duplicates"], "properties": {
            "imported": {"type": "integer", "minimum": 0},
            "duplicates": {"type": "integer", "minimum": 0,
                           "description": "Questions the bank already had, skipped."},
            "duplicate_rows": {"type": "array", "items": {"type": "integer"}}}},
        "QuestionTopic": {"type": "object", "required": ["topic", "key", "approved", "draft"], "properties": {
            "topic": {"type": "string"}, "key": {"type": "string", "description": "Without accents, lower case."},
            "approved": {"type": "integer", "minimum": 0}, "draft": {"type": "integer", "minimum": 0}}},
    },
)
