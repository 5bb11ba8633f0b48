"""Writing contests through the API: categories, entries, versions, submission, withdrawal, attachments, the
organisers' list, disqualification and export."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required, signed_in
from contest.api.common import iso, page_params, paginate_list, read_json
from contest.contests import services as contests
from contest.core.errors import BadRequest, Invalid, UnsupportedMediaType
from contest.core.text import parse_id
from contest.essays import exports
from contest.essays import services as essays
from contest.essays.models import ENTRY_STATUSES, Attachment, Category, Entry, EntryVersion
from contest.extensions import db

CATEGORY_SPEC = {"name": "string", "description": "string", "min_words": "integer", "max_words": "integer",
                 "position": "integer"}
ENTRY_SPEC = {"title": "string", "category_id": "id", "subject_name": "string", "subject_unit": "string",
              "subject_description": "string", "body_html": "string", "coauthors": "array",
              "publish_consent": "boolean"}
FILE_PATH = "/essays/files/{key}"  # where the site serves an attachment (the sanitiser allows only these images)


def _given(spec: dict[str, str], extra: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the fields of `spec` the client sent, type-checked; the values of `extra`, None when absent)."""
    raw = read_json()
    typed = read_json({**spec, **(extra or {})})
    return {name: typed[name] for name in spec if name in raw}, {name: typed[name] for name in (extra or {})}


# --- answers ----------------------------------------------------------------------------------------------

def category_json(category: Category) -> dict[str, Any]:
    return {"id": category.id, "name": category.name, "description": category.description,
            "min_words": category.min_words, "max_words": category.max_words, "position": category.position}


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    return {"id": attachment.id, "key": attachment.key, "url": FILE_PATH.format(key=attachment.key),
            "kind": attachment.kind, "content_type": attachment.content_type, "name": attachment.original_name,
            "size": attachment.size, "width": attachment.width, "height": attachment.height,
            "created_at": iso(attachment.created_at)}


def _person(user) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "full_name": user.full_name, "email": user.email}


def _unit(unit) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit.id, "name": unit.name}


def _role(entry: Entry, user) -> str:
    if entry.author_id == user.id:
        return "author"
    if contests.is_organiser(user):
        return "organiser"
    return "coauthor"


def entry_json(entry: Entry, user, now=None, *, saved: bool | None = None) -> dict[str, Any]:
    """The entry as its reader may see it: the author and organisers see co-authors' emails; organisers also the
    author and unit."""
    role = _role(entry, user)
    sees_emails = role != "coauthor"
    body: dict[str, Any] = {
        "id": entry.id, "contest": entry.contest.slug, "code": entry.code, "status": entry.status,
        "title": entry.title, "category_id": entry.category_id, "category": category_json(entry.category),
        "subject_name": entry.subject_name, "subject_unit": entry.subject_unit,
        "subject_description": entry.subject_description, "body_html": entry.body_html,
        "word_count": entry.word_count, "version": entry.version, "submitted_version": entry.submitted_version,
        "unsubmitted_changes": entry.submitted_version is not None and entry.submitted_version != entry.version,
        "publish_consent": entry.publish_consent, "created_at": iso(entry.created_at),
        "saved_at": iso(entry.saved_at), "submitted_at": iso(entry.submitted_at),
        "first_submitted_at": iso(entry.first_submitted_at), "withdrawn_at": iso(entry.withdrawn_at),
        "disqualified_at": iso(entry.disqualified_at), "disqualified_reason": entry.disqualified_reason or None,
        "coauthors": [{"full_name": c.full_name, **({"email": c.email} if sees_emails else {}),
                       "unit_id": c.unit_id, "has_account": c.user_id is not None} for c in entry.coauthors],
        "attachments": [attachment_json(a) for a in essays.live_attachments(entry)],
        "role": role, "editable": role == "author" and essays.is_editable(entry, now),
        "submissions": essays.submissions_state(entry.contest, now),
    }
    if saved is not None:
        body["saved"] = saved
    if role == "organiser":
        body["author"] = _person(entry.author)
        body["unit"] = _unit(entry.unit)
    return body


def summary_json(entry: Entry, flagged: set[int] | None = None) -> dict[str, Any]:
    """An entry in the organisers' list."""
    return {"id": entry.id, "code": entry.code, "status": entry.status, "title": entry.title,
            "category": {"id": entry.category.id, "name": entry.category.name}, "word_count": entry.word_count,
            "version": entry.version, "submitted_version": entry.submitted_version,
            "saved_at": iso(entry.saved_at), "submitted_at": iso(entry.submitted_at),
            "author": _person(entry.author), "unit": _unit(entry.unit),
            "coauthors": [c.full_name for c in entry.coauthors],
            "flagged": entry.id in flagged if flagged is not None else False,
            "disqualified_reason": entry.disqualified_reason or None}


def my_entry_json(entry: Entry, user) -> dict[str, Any]:
    return {"id": entry.id, "contest": entry.contest.slug, "code": entry.code, "status": entry.status,
            "title": entry.title, "category": {"id": entry.category.id, "name": entry.category.name},
            "word_count": entry.word_count, "version": entry.version, "submitted_version": entry.submitted_version,
            "saved_at": iso(entry.saved_at), "submitted_at": iso(entry.submitted_at),
            "role": "author" if entry.author_id == user.id else "coauthor"}


def version_json(version: EntryVersion, *, full: bool = False) -> dict[str, Any]:
    body = {"version": version.number, "saved_at": iso(version.saved_at), "word_count": version.word_count,
            "title": version.title, "category_id": version.category_id}
    if full:
        body.update(subject_name=version.subject_name, subject_unit=version.subject_unit,
                    subject_description=version.subject_description, body_html=version.body_html)
    return body


def _contest(slug: str):
    return contests.get_contest_for(slug, current_api_user())


def _entry(entry_id: int) -> Entry:
    return essays.entry_for(current_api_user(), entry_id)


# --- categories -------------------------------------------------------------------------------------------

@bp.get("/contests/<slug>/categories")
def list_categories(slug: str):
    return paginate_list(essays.categories_of(_contest(slug)), category_json)


@bp.post("/contests/<slug>/categories")
@roles_required("organiser")
def add_category(slug: str):
    data, _ = _given(CATEGORY_SPEC)
    category = essays.add_category(_contest(slug), data, current_api_user())
    db.session.commit()
    return category_json(category), 201


@bp.patch("/categories/<id:category_id>")
@roles_required("organiser")
def update_category(category_id: int):
    user = current_api_user()
    category = essays.category_for(category_id, user)
    data, _ = _given(CATEGORY_SPEC)
    essays.update_category(category, data, user)
    db.session.commit()
    return category_json(category)


@bp.delete("/categories/<id:category_id>")
@roles_required("organiser")
def delete_category(category_id: int):
    user = current_api_user()
    essays.delete_category(essays.category_for(category_id, user), user)
    db.session.commit()
    return "", 204


# --- entries ----------------------------------------------------------------------------------------------

@bp.post("/contests/<slug>/entries")
@roles_required("member")
def create_entry(slug: str):
    user = current_api_user()
    contest = _contest(slug)
    data, _ = _given(ENTRY_SPEC)
    entry = essays.create_entry(contest, user, data)
    db.session.commit()
    return entry_json(entry, user), 201


@bp.get("/entries/<id:entry_id>")
@signed_in
def get_entry(entry_id: int):
    return entry_json(_entry(entry_id), current_api_user())


@bp.patch("/entries/<id:entry_id>")
@signed_in
def save_entry(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    data, extra = _given(ENTRY_SPEC, {"version": "integer"})
    before = entry.version
    essays.save_entry(entry, user, data, extra["version"])
    db.session.commit()
    return entry_json(entry, user, saved=entry.version != before)


@bp.post("/entries/<id:entry_id>/submit")
@signed_in
def submit_entry(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    body = read_json({"pledge": "boolean", "publish_consent": "boolean"}, optional=True)
    essays.submit_entry(entry, user, body["pledge"] is True, body["publish_consent"])
    db.session.commit()
    return entry_json(entry, user)


@bp.post("/entries/<id:entry_id>/withdraw")
@signed_in
def withdraw_entry(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    read_json({}, optional=True)
    essays.withdraw_entry(entry, user)
    db.session.commit()
    return entry_json(entry, user)


@bp.get("/entries/<id:entry_id>/versions")
@signed_in
def list_versions(entry_id: int):
    return paginate_list(essays.versions_of(_entry(entry_id)), version_json)


@bp.get("/entries/<id:entry_id>/versions/<int:number>")
@signed_in
def get_version(entry_id: int, number: int):
    return version_json(essays.version_of(_entry(entry_id), number), full=True)


@bp.post("/entries/<id:entry_id>/restore")
@signed_in
def restore_version(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    body = read_json({"version": "integer", "base_version": "integer"})
    if body["version"] is None:
        msg = _l("Give the number of the version to restore.")
        raise Invalid(msg, fields={"version": [msg]})
    essays.restore_version(entry, user, body["version"], body["base_version"])
    db.session.commit()
    return entry_json(entry, user, saved=True)


@bp.post("/entries/<id:entry_id>/attachments")
@signed_in
def add_attachment(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(_l("Send the file as multipart/form-data, in the field “file”."))
    upload = request.files.get("file")
    if upload is None:
        msg = _l("Send the file in the field “file”.")
        raise BadRequest(msg, fields={"file": [msg]})
    attachment = essays.add_attachment(entry, user, upload.filename or "", upload.read())
    db.session.commit()
    return attachment_json(attachment), 201


@bp.delete("/entries/<id:entry_id>/attachments/<id:attachment_id>")
@signed_in
def remove_attachment(entry_id: int, attachment_id: int):
    essays.remove_attachment(_entry(entry_id), current_api_user(), attachment_id)
    db.session.commit()
    return "", 204


@bp.get("/me/entries")
@signed_in
def my_entries():
    user = current_api_user()
    slug = request.args.get("contest")
    contest = _contest(slug) if slug else None
    return paginate_list(essays.entries_of(user, contest, include_coauthored=True),
                         lambda e: my_entry_json(e, user))


# --- organisers -------------------------------------------------------------------------------------------

def _id_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        msg = _l("Must be an identifier (a whole number).")
        raise BadRequest(msg, fields={name: [msg]})
    return value


def _filters() -> dict[str, Any]:
    status = request.args.get("status") or None
    if status is not None and status not in ENTRY_STATUSES:
        msg = _l("Must be one of: %(values)s.", values=", ".join(ENTRY_STATUSES))
        raise BadRequest(msg, fields={"status": [msg]})
    flagged_raw = (request.args.get("flagged") or "").strip().lower()
    if flagged_raw not in ("", "true", "false", "1", "0"):
        msg = _l("Must be true or false.")
        raise BadRequest(msg, fields={"flagged": [msg]})
    return {"category_id": _id_arg("category_id"), "unit_id": _id_arg("unit_id"), "status": status,
            "flagged": None if not flagged_raw else flagged_raw in ("true", "1"), "q": request.args.get("q")}


@bp.get("/contests/<slug>/entries")
@roles_required("organiser")
def list_entries(slug: str):
    user = current_api_user()
    contest = _contest(slug)
    filters = _filters()
    page = page_params()
    items, total = essays.list_entries(contest, **filters, limit=page.limit, offset=page.offset, actor=user)
    flagged = essays.flagged_ids(contest)
    return {"items": [summary_json(e, flagged) for e in items], "total": total}


@bp.get("/contests/<slug>/entries/export")
@roles_required("organiser")
def export_entries(slug: str):
    user = current_api_user()
    contest = _contest(slug)
    fmt = request.args.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        msg = _l("Must be csv or xlsx.")
        raise BadRequest(msg, fields={"format": [msg]})
    data, mimetype, filename = exports.entries_workbook(contest, fmt, actor=user)
    db.session.commit()  # the audit entry of the export
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/entries/<id:entry_id>/disqualify")
@roles_required("organiser")
def disqualify_entry(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    body = read_json({"reason": "string"})
    essays.disqualify_entry(entry, user, body["reason"] or "")
    db.session.commit()
    return entry_json(entry, user)


@bp.post("/entries/<id:entry_id>/reinstate")
@roles_required("organiser")
def reinstate_entry(entry_id: int):
    user = current_api_user()
    entry = _entry(entry_id)
    read_json({}, optional=True)
    essays.reinstate_entry(entry, user)
    db.session.commit()
    return entry_json(entry, user)


# --- the description --------------------------------------------------------------------------------------

if not any(tag["name"] == "essays" for tag in openapi.BASE["tags"]):
    openapi.BASE["tags"].append({"name": "essays", "description": "Writing contests: categories, entries with "
                                                                  "their versions and attachments, submission."})

_TAG = "essays"
_SLUG_PARAM = openapi.path_param("slug", "The contest's address.", {"type": "string"})
_ENTRY_PARAM = openapi.path_param("entry_id", "The entry's id.")
_CATEGORY_PARAM = openapi.path_param("category_id", "The category's id.")
_NULLABLE_TIME = {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]}
_NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
_NULLABLE_STR = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_STATUS = {"type": "string", "enum": list(ENTRY_STATUSES)}
_LIMIT = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]}
_CATEGORY_PROPS = {"name": {"type": "string", "maxLength": essays.CATEGORY_NAME_MAX},
                   "description": {"type": "string", "maxLength": essays.CATEGORY_DESCRIPTION_MAX},
                   "min_words": {**_LIMIT, "description": "Null: no minimum."},
                   "max_words": {**_LIMIT, "description": "Null: no maximum; never below min_words."},
                   "position": {"type": "integer", "minimum": 0, "description": "Display order."}}
_COAUTHOR_IN = {"type": "object", "required": ["full_name"],
                "properties": {"full_name": {"type": "string"}, "email": {"type": "string"},
                               "unit_id": {"anyOf": [openapi.ref("Id"), {"type": "null"}]}}}
_ENTRY_PROPS = {
    "title": {"type": "string", "maxLength": essays.TITLE_MAX},
    "category_id": openapi.ref("Id"),
    "subject_name": {"type": "string", "maxLength": essays.SUBJECT_NAME_MAX,
                     "description": "The person the entry is about."},
    "subject_unit": {"type": "string", "maxLength": essays.SUBJECT_UNIT_MAX,
                     "description": "Their unit or place."},
    "subject_description": {"type": "string", "maxLength": essays.SUBJECT_DESCRIPTION_MAX},
    "body_html": {"type": "string", "description": "Rich text; stored and answered in its sanitised form (images "
                                                   "only from this entry's attachments)."},
    "coauthors": {"type": "array", "maxItems": essays.MAX_COAUTHORS, "items": _COAUTHOR_IN,
                  "description": "Only in contests that accept collective entries. A co-author whose email "
                                 "belongs to an account can read the entry."},
    "publish_consent": {"type": "boolean", "description": "The entry may be published with the results."},
}
_WRITER_ERRORS = ("`contest_closed` (409) after the close, when the entry is read-only; `contest_not_open` (409) "
                  "before the opening; `entry_disqualified` (409)")
_ONLY_AUTHOR = ("The author only: 404 for those who may not see the entry, 403 `not_author` for co-authors and "
                "organisers.")

openapi.register(
    paths={
        "/contests/{slug}/categories": {
            "get": openapi.operation(
                "List a writing contest's categories", tag=_TAG, operation_id="listCategories", access="public",
                description="Anyone who can see the contest, in display order.",
                parameters=[_SLUG_PARAM, *openapi.LIST_PARAMS],
                ok=(200, "Categories", openapi.list_of(openapi.ref("Category"))), errors=(400, 404)),
            "post": openapi.operation(
                "Add a category", tag=_TAG, operation_id="addCategory", access="role",
                description="Organisers. 409 `category_taken` for a name the contest already has, `not_an_essay` "
                            "for a quiz; 422 for bad word limits.",
                parameters=[_SLUG_PARAM],
                body={"type": "object", "required": ["name"], "properties": _CATEGORY_PROPS},
                ok=(201, "The new category", openapi.ref("Category")), errors=(404, 409, 422)),
        },
        "/categories/{category_id}": {
            "patch": openapi.operation(
                "Change a category", tag=_TAG, operation_id="updateCategory", access="role",
                description="Organisers. New word limits apply to submissions from then on.",
                parameters=[_CATEGORY_PARAM], body={"type": "object", "properties": _CATEGORY_PROPS},
                ok=(200, "The category", openapi.ref("Category")), errors=(404, 409, 422)),
            "delete": openapi.operation(
                "Remove a category", tag=_TAG, operation_id="deleteCategory", access="role",
                description="Organisers. 409 `category_in_use` while any entry uses it.",
                parameters=[_CATEGORY_PARAM], ok=(204, "Removed", None), errors=(404, 409)),
        },
        "/contests/{slug}/entries": {
            "post": openapi.operation(
                "Start an entry", tag=_TAG, operation_id="createEntry", access="role",
                description="Members who may take part (403 `not_in_unit`), while submissions are open. A draft "
                            "needs a category and a title; the rest may follow. 409 `contest_not_open`, "
                            "`contest_closed`, `no_categories`, `not_an_essay`, `too_many_drafts`; 422 with "
                            "`fields`.",
                parameters=[_SLUG_PARAM],
                body={"type": "object", "required": ["title", "category_id"], "properties": _ENTRY_PROPS},
                ok=(201, "The new draft, version 1", openapi.ref("Entry")), errors=(404, 409, 422)),
            "get": openapi.operation(
                "List a contest's entries", tag=_TAG, operation_id="listEntries", access="role",
                description="Organisers. Newest first, with author and unit. Filters: `category_id`, `unit_id` "
                            "(that unit and the units below it), `status`, `flagged` (by the similarity check), "
                            "`q` (title, author's name or code, with or without accents).",
                parameters=[_SLUG_PARAM, *openapi.LIST_PARAMS,
                            {"name": "category_id", "in": "query", "required": False, "schema": openapi.ref("Id")},
                            {"name": "unit_id", "in": "query", "required": False, "schema": openapi.ref("Id")},
                            {"name": "status", "in": "query", "required": False, "schema": _STATUS},
                            {"name": "flagged", "in": "query", "required": False, "schema": {"type": "boolean"}},
                            {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}}],
                ok=(200, "Entries", openapi.list_of(openapi.ref("EntrySummary"))), errors=(400, 404)),
        },
        "/contests/{slug}/entries/export": {"get": openapi.operation(
            "Export a contest's entries", tag=_TAG, operation_id="exportEntries", access="role",
            description="Organisers. Every entry except drafts, as CSV (UTF-8 with BOM) or XLSX: code, status, "
                        "title, category, author, email, unit, co-authors, subject, word count, submission time "
                        "(Hà Nội), flagged, reason for disqualification. Recorded in the audit log.",
            parameters=[_SLUG_PARAM, {"name": "format", "in": "query", "required": False,
                                      "schema": {"type": "string", "enum": ["csv", "xlsx"], "default": "xlsx"}}],
            ok=(200, "The file", None), errors=(400, 404))},
        "/entries/{entry_id}": {
            "get": openapi.operation(
                "Read an entry", tag=_TAG, operation_id="getEntry", access="signed_in",
                description="The author, co-authors with accounts (read only) and organisers (who also see "
                            "`author` and `unit`); 404 for anyone else.",
                parameters=[_ENTRY_PARAM], ok=(200, "The entry", openapi.ref("Entry")), errors=(404,)),
            "patch": openapi.operation(
                "Save an entry", tag=_TAG, operation_id="saveEntry", access="signed_in",
                description=_ONLY_AUTHOR + " Any of the fields; a save that changes something is version N+1 "
                            "(`saved`: true), one that changes nothing keeps the version (`saved`: false). Send "
                            "`version`, the version your editor started from: when another save got there first "
                            "the answer is 409 `version_conflict` with the current version in `current_version` "
                            "and nothing is saved. Without it the save applies to the latest version. "
                            + _WRITER_ERRORS + "; 422 with `fields`.",
                parameters=[_ENTRY_PARAM],
                body={"type": "object", "properties": {**_ENTRY_PROPS, "version": {
                    "type": "integer", "minimum": 1, "description": "The base version."}}},
                ok=(200, "The entry", openapi.ref("Entry")), errors=(403, 404, 409, 422)),
        },
        "/entries/{entry_id}/submit": {"post": openapi.operation(
            "Submit an entry", tag=_TAG, operation_id="submitEntry", access="signed_in",
            description=_ONLY_AUTHOR + " Submits the current version with the pledge. The first submission gives "
                        "the receipt `code` (kept for good) and a receipt mail; submitting again after edits or "
                        "after withdrawing moves `submitted_version` and `submitted_at`. 422 `pledge_required`, "
                        "`incomplete` (title, subject_name or text missing; `fields`), `too_short` / `too_long` "
                        "(the message gives the count and the limits; also `word_count`, `min_words`, "
                        "`max_words`); 409 `entry_limit` when the writer has submitted as many entries as the "
                        "contest allows, " + _WRITER_ERRORS + ".",
            parameters=[_ENTRY_PARAM],
            body={"type": "object", "required": ["pledge"],
                  "properties": {"pledge": {"type": "boolean", "const": True},
                                 "publish_consent": {"type": "boolean"}}},
            ok=(200, "The submitted entry", openapi.ref("Entry")), errors=(403, 404, 409, 422))},
        "/entries/{entry_id}/withdraw": {"post": openapi.operation(
            "Withdraw an entry", tag=_TAG, operation_id="withdrawEntry", access="signed_in",
            description=_ONLY_AUTHOR + " Until the close; the entry keeps its code and may be submitted again. "
                        "409 `not_submitted`, " + _WRITER_ERRORS + ".",
            parameters=[_ENTRY_PARAM], ok=(200, "The withdrawn entry", openapi.ref("Entry")),
            errors=(403, 404, 409))},
        "/entries/{entry_id}/versions": {"get": openapi.operation(
            "List an entry's versions", tag=_TAG, operation_id="listEntryVersions", access="signed_in",
            description="Those who may read the entry. Newest first.",
            parameters=[_ENTRY_PARAM, *openapi.LIST_PARAMS],
            ok=(200, "Versions", openapi.list_of(openapi.ref("EntryVersion"))), errors=(400, 404))},
        "/entries/{entry_id}/versions/{number}": {"get": openapi.operation(
            "Read one version of an entry", tag=_TAG, operation_id="getEntryVersion", access="signed_in",
            description="Those who may read the entry; with its text.",
            parameters=[_ENTRY_PARAM, openapi.path_param("number", "The version number, from 1.",
                                                         {"type": "integer", "minimum": 1})],
            ok=(200, "The version", openapi.ref("EntryVersion")), errors=(404,))},
        "/entries/{entry_id}/restore": {"post": openapi.operation(
            "Restore an earlier version", tag=_TAG, operation_id="restoreEntryVersion", access="signed_in",
            description=_ONLY_AUTHOR + " Saves the content of `version` as a new version (nothing is lost). "
                        "`base_version` as for saves (409 `version_conflict`). 404 for an unknown version.",
            parameters=[_ENTRY_PARAM],
            body={"type": "object", "required": ["version"],
                  "properties": {"version": {"type": "integer", "minimum": 1},
                                 "base_version": {"type": "integer", "minimum": 1}}},
            ok=(200, "The entry", openapi.ref("Entry")), errors=(403, 404, 409, 422))},
        "/entries/{entry_id}/attachments": {"post": {
            **openapi.operation(
                "Attach a file", tag=_TAG, operation_id="addAttachment", access="signed_in",
                description=_ONLY_AUTHOR + " A JPEG, PNG or PDF in the multipart field `file`, checked by its "
                            "content; images are re-encoded without metadata, PDFs lose their document "
                            "information. 413 over the size limit, 415 for another type, 422 for a damaged file, "
                            "409 `attachment_limit` beyond " + str(essays.MAX_ATTACHMENTS) + " files. Show an "
                            "image in the text with `<img src=\"{url}\">`.",
                parameters=[_ENTRY_PARAM], ok=(201, "The attachment", openapi.ref("Attachment")),
                errors=(400, 403, 404, 409, 413, 415, 422)),
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
        }},
        "/entries/{entry_id}/attachments/{attachment_id}": {"delete": openapi.operation(
            "Remove an attachment", tag=_TAG, operation_id="removeAttachment", access="signed_in",
            description=_ONLY_AUTHOR + " It leaves the entry (and its text at the next save); earlier versions "
                        "still show it.",
            parameters=[_ENTRY_PARAM, openapi.path_param("attachment_id", "The attachment's id.")],
            ok=(204, "Removed", None), errors=(403, 404, 409))},
        "/me/entries": {"get": openapi.operation(
            "My entries", tag=_TAG, operation_id="listMyEntries", access="signed_in",
            description="The entries the caller wrote or is a co-author of (`role`), newest first; "
                        "`?contest=slug` for one contest.",
            parameters=[*openapi.LIST_PARAMS,
                        {"name": "contest", "in": "query", "required": False, "schema": {"type": "string"}}],
            ok=(200, "Entries", openapi.list_of(openapi.ref("MyEntry"))), errors=(400, 404))},
        "/entries/{entry_id}/disqualify": {"post": openapi.operation(
            "Disqualify an entry", tag=_TAG, operation_id="disqualifyEntry", access="role",
            description="Organisers. A submitted entry, with a `reason` the writer is told by mail. 422 without "
                        "a reason; 409 `not_submitted`, `already_disqualified`.",
            parameters=[_ENTRY_PARAM],
            body={"type": "object", "required": ["reason"],
                  "properties": {"reason": {"type": "string", "maxLength": essays.REASON_MAX}}},
            ok=(200, "The entry", openapi.ref("Entry")), errors=(404, 409, 422))},
        "/entries/{entry_id}/reinstate": {"post": openapi.operation(
            "Reinstate a disqualified entry", tag=_TAG, operation_id="reinstateEntry", access="role",
            description="Organisers. The entry is submitted again; the writer is told. 409 `not_disqualified`.",
            parameters=[_ENTRY_PARAM], ok=(200, "The entry", openapi.ref("Entry")), errors=(404, 409))},
    },
    schemas={
        "Category": {"type": "object", "required": ["id", "name", "min_words", "max_words"],
                     "properties": {"id": openapi.ref("Id"), **_CATEGORY_PROPS}},
        "Attachment": {"type": "object", "required": ["id", "key", "url", "kind", "name", "size"],
                       "properties": {"id": openapi.ref("Id"), "key": {"type": "string"},
                                      "url": {"type": "string", "description": "Where the site serves it."},
                                      "kind": {"type": "string", "enum": ["image", "pdf"]},
                                      "content_type": {"type": "string"}, "name": {"type": "string"},
                                      "size": {"type": "integer"}, "width": _NULLABLE_INT, "height": _NULLABLE_INT,
                                      "created_at": openapi.ref("DateTime")}},
        "Entry": {
            "type": "object",
            "required": ["id", "code", "title", "body_html", "status", "word_count", "version"],
            "properties": {
                "id": openapi.ref("Id"), "contest": {"type": "string"}, "code": {
                    **_NULLABLE_STR, "description": "The receipt code, e.g. VT26-000123, from the first submission."},
                "status": _STATUS, **{k: v for k, v in _ENTRY_PROPS.items() if k != "coauthors"},
                "category": openapi.ref("Category"), "word_count": {"type": "integer"},
                "version": {"type": "integer", "description": "The latest version: send it back as `version`."},
                "submitted_version": _NULLABLE_INT, "unsubmitted_changes": {"type": "boolean"},
                "created_at": openapi.ref("DateTime"), "saved_at": openapi.ref("DateTime"),
                "submitted_at": _NULLABLE_TIME, "first_submitted_at": _NULLABLE_TIME,
                "withdrawn_at": _NULLABLE_TIME, "disqualified_at": _NULLABLE_TIME,
                "disqualified_reason": _NULLABLE_STR,
                "coauthors": {"type": "array", "items": {"type": "object", "properties": {
                    "full_name": {"type": "string"}, "email": {"type": "string"}, "unit_id": _NULLABLE_INT,
                    "has_account": {"type": "boolean"}}}},
                "attachments": {"type": "array", "items": openapi.ref("Attachment")},
                "role": {"type": "string", "enum": ["author", "coauthor", "organiser"]},
                "editable": {"type": "boolean", "description": "Whether the caller may change it now."},
                "submissions": {"type": "string", "enum": list(essays.SUBMISSION_STATES)},
                "saved": {"type": "boolean", "description": "After a save: whether it made a new version."},
                "author": {"type": "object", "description": "Organisers only.", "properties": {
                    "id": openapi.ref("Id"), "full_name": {"type": "string"}, "email": {"type": "string"}}},
                "unit": {"anyOf": [{"type": "object", "properties": {"id": openapi.ref("Id"),
                                                                     "name": {"type": "string"}}},
                                   {"type": "null"}], "description": "Organisers only."},
            },
        },
        "EntrySummary": {
            "type": "object", "required": ["id", "code", "status", "title", "author", "unit"],
            "properties": {"id": openapi.ref("Id"), "code": _NULLABLE_STR, "status": _STATUS,
                           "title": {"type": "string"}, "category": {"type": "object"},
                           "word_count": {"type": "integer"}, "version": {"type": "integer"},
                           "submitted_version": _NULLABLE_INT, "saved_at": openapi.ref("DateTime"),
                           "submitted_at": _NULLABLE_TIME, "author": {"type": "object"},
                           "unit": {"anyOf": [{"type": "object"}, {"type": "null"}]},
                           "coauthors": {"type": "array", "items": {"type": "string"}},
                           "flagged": {"type": "boolean"}, "disqualified_reason": _NULLABLE_STR}},
        "MyEntry": {
            "type": "object", "required": ["id", "contest", "status", "title", "role"],
            "properties": {"id": openapi.ref("Id"), "contest": {"type": "string"}, "code": _NULLABLE_STR,
                           "status": _STATUS, "title": {"type": "string"}, "category": {"type": "object"},
                           "word_count": {"type": "integer"}, "version": {"type": "integer"},
                           "submitted_version": _NULLABLE_INT, "saved_at": openapi.ref("DateTime"),
                           "submitted_at": _NULLABLE_TIME, "role": {"type": "string",
                                                                     "enum": ["author", "coauthor"]}}},
        "EntryVersion": {
            "type": "object", "required": ["version", "saved_at", "word_count"],
            "properties": {"version": {"type": "integer"}, "saved_at": openapi.ref("DateTime"),
                           "word_count": {"type": "integer"}, "title": {"type": "string"},
                           "category_id": _NULLABLE_INT, "subject_name": {"type": "string"},
                           "subject_unit": {"type": "string"}, "subject_description": {"type": "string"},
                           "body_html": {"type": "string", "description": "Only when reading one version."}}},
    },
)
