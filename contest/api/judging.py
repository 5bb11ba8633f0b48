"""Judging through the API: rounds and rubrics, panels, entries and assignments (organisers); the queue, the blind
entry, scores and conflicts (judges); results, progress, reopening, reminders and the blind check (organisers).

Judges' answers are built only from scoring.assignment_view and scoring.my_assignments, which carry nothing that
names or points to an entry's author.
"""

from __future__ import annotations

import math
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.api.common import iso, jsonable, paginate_list, read_json
from contest.contests import services as contests
from contest.core.errors import BadRequest
from contest.core.text import parse_id
from contest.extensions import db
from contest.judging import results, rounds, scoring
from contest.judging.models import AGGREGATIONS, ASSIGNMENT_STATUSES, REVEAL_POLICIES, STAGES, Assignment, JudgingRound

ROUND_SPEC = {"title": "string", "stage": "string", "judges_per_entry": "integer", "criteria": "array",
              "opens_at": "string", "closes_at": "string", "aggregation": "string", "reveal_scores": "string",
              "disagreement_threshold": "number", "same_unit_conflicts": "boolean"}


def _round_fields() -> dict[str, Any]:
    """The round fields the client sent, type-checked (400 for a wrong type); `source` as sent."""
    raw = read_json()
    typed = read_json(ROUND_SPEC)
    given = {name: typed[name] for name in ROUND_SPEC if name in raw}
    if "source" in raw:
        if raw["source"] is not None and not isinstance(raw["source"], str | dict):
            message = _l("Give the source as \"submitted\" or an object.")
            raise BadRequest(message, fields={"source": [message]})
        given["source"] = raw["source"]
    return given


# --- answers ----------------------------------------------------------------------------------------------

def source_json(round_: JudgingRound) -> Any:
    if round_.source == "top":
        return {"advance_from": round_.advance_from_id, "top": round_.advance_top}
    if round_.source == "min_score":
        return {"advance_from": round_.advance_from_id, "min_score": round_.advance_min_score}
    return "submitted"


def round_json(round_: JudgingRound) -> dict[str, Any]:
    return {
        "id": round_.id, "contest": round_.contest.slug, "title": round_.title, "stage": round_.stage,
        "judges_per_entry": round_.judges_per_entry, "criteria": scoring.criteria_of(round_),
        "scale": rounds.total_scale(round_), "opens_at": iso(round_.opens_at), "closes_at": iso(round_.closes_at),
        "state": rounds.round_state(round_), "aggregation": round_.aggregation, "source": source_json(round_),
        "reveal_scores": round_.reveal_scores, "disagreement_threshold": round_.disagreement_threshold,
        "same_unit_conflicts": round_.same_unit_conflicts, "entries_taken_at": iso(round_.entries_taken_at),
        "judges": [{"id": rj.user_id, "full_name": rj.user.full_name, "extended_until": iso(rj.extended_until),
                    "extension_reason": rj.extension_reason or None} for rj in rounds.panel_of(round_)],
        "entries": rounds.entry_count(round_), "assignments": rounds.assignment_count(round_),
        "created_at": iso(round_.created_at), "updated_at": iso(round_.updated_at),
    }


def assignment_json(row: Assignment) -> dict[str, Any]:
    """An assignment as organisers see it: the judge's name, scores and comments."""
    return {"id": row.id, "round_id": row.round_id, "entry_id": row.entry_id, "entry_code": row.entry.code,
            "judge_id": row.judge_id, "judge": row.judge.full_name, "status": row.status,
            "scores": {str(s.criterion_id): s.value for s in row.scores},
            "comments": {str(s.criterion_id): s.comment for s in row.scores if s.comment},
            "comment": row.comment, "total": scoring.judge_total(row),
            "assigned_at": iso(row.assigned_at), "saved_at": iso(row.saved_at),
            "submitted_at": iso(row.submitted_at), "reopened_until": iso(row.reopened_until),
            "reopen_reason": row.reopen_reason or None}


def _contest(slug: str):
    return contests.get_contest_for(slug, current_api_user())


def _round(round_id: int) -> JudgingRound:
    return rounds.round_for(round_id)


# --- rounds -----------------------------------------------------------------------------------------------

@bp.post("/contests/<slug>/judging-rounds")
@roles_required("organiser")
def create_judging_round(slug: str):
    contest = _contest(slug)
    round_ = rounds.create_round(contest, _round_fields(), current_api_user())
    db.session.commit()
    return round_json(round_), 201


@bp.get("/contests/<slug>/judging-rounds")
@roles_required("organiser")
def list_judging_rounds(slug: str):
    return paginate_list(rounds.rounds_of(_contest(slug)), round_json)


@bp.get("/judging-rounds/<id:round_id>")
@roles_required("organiser")
def get_judging_round(round_id: int):
    return round_json(_round(round_id))


@bp.patch("/judging-rounds/<id:round_id>")
@roles_required("organiser")
def update_judging_round(round_id: int):
    round_ = _round(round_id)
    rounds.update_round(round_, _round_fields(), current_api_user())
    db.session.commit()
    return round_json(round_)


@bp.put("/judging-rounds/<id:round_id>/judges")
@roles_required("organiser")
def set_round_judges(round_id: int):
    round_ = _round(round_id)
    body = read_json({"user_ids": "array"})
    rounds.set_judges(round_, body["user_ids"], current_api_user())
    db.session.commit()
    return round_json(round_)


# --- entries and assignments ------------------------------------------------------------------------------

@bp.get("/judging-rounds/<id:round_id>/entries")
@roles_required("organiser")
def list_round_entries(round_id: int):
    round_ = _round(round_id)
    counts: dict[int, int] = {}
    for row in rounds.assignments_of(round_):
        counts[row.entry_id] = counts.get(row.entry_id, 0) + 1
    return paginate_list(rounds.round_entries(round_), lambda re: {
        "entry_id": re.entry_id, "entry_code": re.entry.code, "title": re.entry.title, "status": re.entry.status,
        "version": re.version, "judges": counts.get(re.entry_id, 0), "added_at": iso(re.added_at)})


@bp.post("/judging-rounds/<id:round_id>/entries")
@roles_required("organiser")
def take_round_entries(round_id: int):
    round_ = _round(round_id)
    read_json({}, optional=True)
    count = rounds.take_entries(round_, current_api_user(), explicit=True)
    db.session.commit()
    return {"entries": count, "entries_taken_at": iso(round_.entries_taken_at)}


@bp.post("/judging-rounds/<id:round_id>/assign")
@roles_required("organiser")
def assign_round(round_id: int):
    round_ = _round(round_id)
    read_json({}, optional=True)
    answer = rounds.assign(round_, current_api_user())
    db.session.commit()
    return jsonable({**answer, "unassigned": [{**u, "message": str(u["message"])} for u in answer["unassigned"]]})


@bp.get("/judging-rounds/<id:round_id>/assignments")
@roles_required("organiser")
def list_round_assignments(round_id: int):
    round_ = _round(round_id)
    entry_id = judge_id = None
    if request.args.get("entry_code") is not None:
        entry_id = rounds.entry_by_code(round_, request.args["entry_code"]).id
    if request.args.get("judge_id") is not None:
        judge_id = parse_id(request.args["judge_id"])
        if judge_id is None:
            message = _l("Must be an identifier (a whole number).")
            raise BadRequest(message, fields={"judge_id": [message]})
    return paginate_list(rounds.assignments_of(round_, entry_id=entry_id, judge_id=judge_id), assignment_json)


@bp.post("/judging-rounds/<id:round_id>/assignments")
@roles_required("organiser")
def add_round_assignment(round_id: int):
    round_ = _round(round_id)
    body = read_json({"entry_code": "string", "judge_id": "id"})
    row = rounds.add_assignment(round_, body["entry_code"], body["judge_id"], current_api_user())
    db.session.commit()
    return assignment_json(row), 201


@bp.delete("/assignments/<id:assignment_id>")
@roles_required("organiser")
def remove_assignment(assignment_id: int):
    rounds.remove_assignment(rounds.assignment_by_id(assignment_id), current_api_user())
    db.session.commit()
    return "", 204


@bp.post("/assignments/<id:assignment_id>/swap")
@roles_required("organiser")
def swap_assignment(assignment_id: int):
    row = rounds.assignment_by_id(assignment_id)
    body = read_json({"judge_id": "id"})
    rounds.swap_assignment(row, body["judge_id"], current_api_user())
    db.session.commit()
    return assignment_json(row)


@bp.get("/judging-rounds/<id:round_id>/conflicts")
@roles_required("organiser")
def list_round_conflicts(round_id: int):
    return paginate_list(rounds.conflicts_of(_round(round_id)), lambda c: {
        "id": c.id, "judge_id": c.judge_id, "entry_id": c.entry_id, "reason": c.reason,
        "declared_by_id": c.declared_by_id, "created_at": iso(c.created_at)})


@bp.post("/judging-rounds/<id:round_id>/conflicts")
@roles_required("organiser")
def add_round_conflict(round_id: int):
    round_ = _round(round_id)
    body = read_json({"entry_code": "string", "judge_id": "id", "reason": "string"})
    rounds.take_entries(round_, current_api_user())
    row, outcome = rounds.add_conflict(round_, body["entry_code"], body["judge_id"], body["reason"],
                                       current_api_user())
    db.session.commit()
    return {"id": row.id, "judge_id": row.judge_id, "entry_id": row.entry_id, "reason": row.reason,
            "created_at": iso(row.created_at), "removed": len(outcome),
            "reassigned": sum(outcome.values())}, 201


# --- judges -----------------------------------------------------------------------------------------------

@bp.get("/me/assignments")
@roles_required("judge")
def my_assignments():
    items = scoring.my_assignments(current_api_user())
    counts = {status: sum(1 for i in items if i["status"] == status) for status in ASSIGNMENT_STATUSES}
    return {**paginate_list(items, jsonable),
            "progress": {"assigned": len(items), "pending": counts["pending"], "in_progress": counts["draft"],
                         "submitted": counts["submitted"]}}


@bp.get("/assignments/<id:assignment_id>")
@roles_required("judge")
def get_assignment(assignment_id: int):
    row = scoring.assignment_for_judge(assignment_id, current_api_user())
    return jsonable(scoring.assignment_view(row))


def _numbers_or_null(value: Any, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        message = _l("Must be an object.")
        raise BadRequest(message, fields={name: [message]})
    for key, v in value.items():
        ok = v is None or (isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v))
        if name == "comments":
            ok = v is None or isinstance(v, str)
        if not ok:
            message = _l("Must be a number.") if name == "scores" else _l("Must be a string.")
            raise BadRequest(message, fields={f"{name}.{key}": [message]})


@bp.put("/assignments/<id:assignment_id>/scores")
@roles_required("judge")
def save_scores(assignment_id: int):
    user = current_api_user()
    row = scoring.assignment_for_judge(assignment_id, user)
    body = read_json({"scores": "object", "comments": "object", "comment": "string", "submit": "boolean"})
    _numbers_or_null(body["scores"], "scores")
    _numbers_or_null(body["comments"], "comments")
    comments = {k: v for k, v in (body["comments"] or {}).items() if v is not None}
    scoring.save_scores(row, user, body["scores"], comments, body["comment"], bool(body["submit"]))
    db.session.commit()
    return jsonable(scoring.assignment_view(row))


@bp.post("/assignments/<id:assignment_id>/conflict")
@roles_required("judge")
def declare_conflict(assignment_id: int):
    user = current_api_user()
    row = scoring.assignment_for_judge(assignment_id, user)
    body = read_json({"reason": "string"})
    answer = scoring.declare_conflict(row, user, body["reason"])
    db.session.commit()
    return answer


# --- organisers: results, progress, reopening, reminders, blind check ------------------------------------

def _advance_params() -> tuple[int | None, float | None]:
    """?top=K and ?min_score=S of the results preview; 400 when malformed."""
    top = request.args.get("top")
    min_score = request.args.get("min_score")
    out_top = out_min = None
    if top is not None:
        text = top.strip()
        if not (text.isascii() and text.isdecimal()) or len(text) > 9 or int(text) < 1:
            message = _l("Must be a whole number, 1 or more.")
            raise BadRequest(message, fields={"top": [message]})
        out_top = int(text)
    if min_score is not None:
        try:
            out_min = float(min_score)
        except ValueError:
            out_min = None
        if out_min is None or not math.isfinite(out_min) or out_min < 0:
            message = _l("Must be a number, 0 or more.")
            raise BadRequest(message, fields={"min_score": [message]})
    return out_top, out_min


@bp.get("/judging-rounds/<id:round_id>/results")
@roles_required("organiser")
def round_results(round_id: int):
    top, min_score = _advance_params()
    answer = results.results(_round(round_id), top=top, min_score=min_score)
    return {**paginate_list(answer["items"], lambda i: i), "agreement": answer["agreement"],
            "scale": answer["scale"], "aggregation": answer["aggregation"], "threshold": answer["threshold"]}


@bp.get("/judging-rounds/<id:round_id>/progress")
@roles_required("organiser")
def round_progress(round_id: int):
    answer = results.progress(_round(round_id))
    return {**paginate_list(answer["items"], lambda i: i), "totals": answer["totals"]}


@bp.post("/judging-rounds/<id:round_id>/reopen")
@roles_required("organiser")
def extend_round(round_id: int):
    round_ = _round(round_id)
    body = read_json({"judge_id": "id", "until": "string", "reason": "string"})
    judge = scoring.extend_for_judge(round_, body["judge_id"], body["until"], body["reason"], current_api_user())
    db.session.commit()
    return {"round_id": round_.id, "judge_id": judge.user_id, "extended_until": iso(judge.extended_until),
            "reason": judge.extension_reason}


@bp.post("/assignments/<id:assignment_id>/reopen")
@roles_required("organiser")
def reopen_assignment(assignment_id: int):
    row = rounds.assignment_by_id(assignment_id)
    body = read_json({"until": "string", "reason": "string"})
    scoring.reopen_assignment(row, body["until"], body["reason"], current_api_user())
    db.session.commit()
    return assignment_json(row)


@bp.post("/judging-rounds/<id:round_id>/remind")
@roles_required("organiser")
def remind_judges(round_id: int):
    round_ = _round(round_id)
    read_json({}, optional=True)
    sent = results.remind(round_, current_api_user())
    db.session.commit()
    return {"reminded": sent}


@bp.get("/judging-rounds/<id:round_id>/blind-check")
@roles_required("organiser")
def blind_check(round_id: int):
    return paginate_list(results.blind_check(_round(round_id)), lambda i: i)


# --- the description --------------------------------------------------------------------------------------

if not any(tag["name"] == "judging" for tag in openapi.BASE["tags"]):
    openapi.BASE["tags"].append({"name": "judging", "description": "Judging writing contests: rounds, rubrics, "
                                                                   "panels, assignments, blind scoring, results."})

_TAG = "judging"
_SLUG = openapi.path_param("slug", "The contest's address.", {"type": "string"})
_ROUND = openapi.path_param("round_id", "The judging round's id.")
_ASSIGNMENT = openapi.path_param("assignment_id", "The assignment's id.")
_TIME = {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]}
_NUM = {"anyOf": [{"type": "number"}, {"type": "null"}]}
_STATUS = {"type": "string", "enum": list(ASSIGNMENT_STATUSES)}
_ORGANISERS = "Organisers (and admins); 403 for anyone else. "
_JUDGES = "Judges; 403 without the judge role. Only the judge's own assignment: 404 for anyone else's. "
_CRITERION = {"type": "object", "required": ["id", "name", "max_score", "weight"],
              "properties": {"id": openapi.ref("Id"), "name": {"type": "string"}, "description": {"type": "string"},
                             "max_score": {"type": "number"}, "weight": {"type": "number"}}}
_CRITERION_IN = {"type": "object", "required": ["name", "max_score", "weight"],
                 "properties": {"id": {**openapi.ref("Id"), "description": "On a change: keep this criterion."},
                                "name": {"type": "string", "maxLength": rounds.CRITERION_NAME_MAX},
                                "description": {"type": "string"},
                                "max_score": {"type": "number", "exclusiveMinimum": 0,
                                              "maximum": rounds.MAX_SCORE_LIMIT},
                                "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": rounds.MAX_WEIGHT}}}
_SOURCE = {"anyOf": [
    {"type": "string", "const": "submitted"},
    {"type": "object", "required": ["advance_from", "top"],
     "properties": {"advance_from": openapi.ref("Id"), "top": {"type": "integer", "minimum": 1}}},
    {"type": "object", "required": ["advance_from", "min_score"],
     "properties": {"advance_from": openapi.ref("Id"), "min_score": {"type": "number", "minimum": 0}}}],
    "description": "Every submitted entry, or the best of another round of the contest (top K, ties kept; or a "
                   "minimum score), taken once that round has closed."}
_ROUND_PROPS = {
    "title": {"type": "string", "maxLength": rounds.TITLE_MAX},
    "stage": {"type": "string", "enum": list(STAGES), "default": "preliminary"},
    "judges_per_entry": {"type": "integer", "minimum": 1, "maximum": rounds.MAX_JUDGES_PER_ENTRY, "default": 3},
    "criteria": {"type": "array", "minItems": 1, "maxItems": rounds.MAX_CRITERIA, "items": _CRITERION_IN,
                 "description": "The rubric; the total scale is the sum of the weights. Frozen once a score is "
                                "saved (409 `round_has_scores`)."},
    "opens_at": openapi.ref("DateTime"), "closes_at": openapi.ref("DateTime"),
    "aggregation": {"type": "string", "enum": list(AGGREGATIONS), "default": "mean"},
    "source": _SOURCE,
    "reveal_scores": {"type": "string", "enum": list(REVEAL_POLICIES), "default": "after_submit",
                      "description": "Whether judges see the other judges' totals (never their names) after "
                                     "submitting their own."},
    "disagreement_threshold": {"type": "number", "minimum": 0,
                               "description": "Entries whose judges' totals differ by more are flagged; by "
                                              "default 20% of the scale."},
    "same_unit_conflicts": {"type": "boolean", "default": True,
                            "description": "A judge in the unit of an author or co-author is in conflict."},
}
_ROUND_ERRORS = ("422 with `fields` (criteria as `criteria.N`); 409 `not_an_essay` for a quiz contest, "
                 "`round_has_scores` when changing a scored rubric, `entries_taken` when changing the source "
                 "after the round took its entries.")
_ASSIGNMENT_SCHEMA = {"type": "object", "required": ["id", "entry_code", "judge_id", "status"],
                      "properties": {"id": openapi.ref("Id"), "round_id": openapi.ref("Id"),
                                     "entry_id": openapi.ref("Id"), "entry_code": {"type": "string"},
                                     "judge_id": openapi.ref("Id"), "judge": {"type": "string"}, "status": _STATUS,
                                     "scores": {"type": "object", "additionalProperties": {"type": "number"}},
                                     "comments": {"type": "object", "additionalProperties": {"type": "string"}},
                                     "comment": {"type": "string"}, "total": _NUM,
                                     "assigned_at": openapi.ref("DateTime"), "saved_at": _TIME,
                                     "submitted_at": _TIME, "reopened_until": _TIME}}
_UNTIL_REASON = {"until": {**openapi.ref("DateTime"), "description": "In the future."},
                 "reason": {"type": "string", "maxLength": rounds.REASON_MAX}}

openapi.register(
    paths={
        "/contests/{slug}/judging-rounds": {
            "post": openapi.operation(
                "Create a judging round", tag=_TAG, operation_id="createJudgingRound", access="role",
                description=_ORGANISERS + "title, criteria, opens_at and closes_at are required. " + _ROUND_ERRORS,
                parameters=[_SLUG],
                body={"type": "object", "required": ["title", "criteria", "opens_at", "closes_at"],
                      "properties": _ROUND_PROPS},
                ok=(201, "The new round", openapi.ref("JudgingRound")), errors=(404, 409, 422)),
            "get": openapi.operation(
                "List a contest's judging rounds", tag=_TAG, operation_id="listJudgingRounds", access="role",
                description=_ORGANISERS + "By opening time.", parameters=[_SLUG, *openapi.LIST_PARAMS],
                ok=(200, "Rounds", openapi.list_of(openapi.ref("JudgingRound"))), errors=(400, 404)),
        },
        "/judging-rounds/{round_id}": {
            "get": openapi.operation(
                "Read a judging round", tag=_TAG, operation_id="getJudgingRound", access="role",
                description=_ORGANISERS, parameters=[_ROUND],
                ok=(200, "The round", openapi.ref("JudgingRound")), errors=(404,)),
            "patch": openapi.operation(
                "Change a judging round", tag=_TAG, operation_id="updateJudgingRound", access="role",
                description=_ORGANISERS + "Any of the fields. " + _ROUND_ERRORS, parameters=[_ROUND],
                body={"type": "object", "properties": _ROUND_PROPS},
                ok=(200, "The round", openapi.ref("JudgingRound")), errors=(404, 409, 422)),
        },
        "/judging-rounds/{round_id}/judges": {"put": openapi.operation(
            "Set a round's panel", tag=_TAG, operation_id="setJudgingPanel", access="role",
            description=_ORGANISERS + "Exactly these accounts, each holding the judge role (422 `not_judges`, the "
                        "others listed in `user_ids`). A judge leaving takes their pending assignments along; one "
                        "who has started scoring cannot leave (409 `judge_has_started`, `judge_ids`).",
            parameters=[_ROUND],
            body={"type": "object", "required": ["user_ids"],
                  "properties": {"user_ids": {"type": "array", "items": openapi.ref("Id")}}},
            ok=(200, "The round with its panel", openapi.ref("JudgingRound")), errors=(404, 409, 422))},
        "/judging-rounds/{round_id}/entries": {
            "get": openapi.operation(
                "List a round's entries", tag=_TAG, operation_id="listJudgingRoundEntries", access="role",
                description=_ORGANISERS + "The entries the round judges, each at the version it judges, with how "
                            "many judges it has.",
                parameters=[_ROUND, *openapi.LIST_PARAMS],
                ok=(200, "Entries", openapi.list_of({"type": "object", "required": ["entry_code", "version"],
                                                     "properties": {"entry_id": openapi.ref("Id"),
                                                                    "entry_code": {"type": "string"},
                                                                    "title": {"type": "string"},
                                                                    "version": {"type": "integer"},
                                                                    "judges": {"type": "integer"}}})),
                errors=(400, 404)),
            "post": openapi.operation(
                "Take the round's entries", tag=_TAG, operation_id="takeJudgingRoundEntries", access="role",
                description=_ORGANISERS + "Fixes the entries the round judges, each at its submitted version: "
                            "every submitted entry (409 `submissions_open` before the contest closes), or those "
                            "advancing from the source round (409 `source_round_open` until it closes). Once "
                            "only (409 `entries_taken`); assigning does it by itself the first time.",
                parameters=[_ROUND], ok=(200, "How many entries", {
                    "type": "object", "required": ["entries"],
                    "properties": {"entries": {"type": "integer"}, "entries_taken_at": openapi.ref("DateTime")}}),
                errors=(404, 409)),
        },
        "/judging-rounds/{round_id}/assign": {"post": openapi.operation(
            "Assign judges", tag=_TAG, operation_id="assignJudges", access="role",
            description=_ORGANISERS + "Every entry gets judges_per_entry distinct judges of the panel, never one in "
                        "conflict (declared, author or co-author, same unit when the round says so), loads within "
                        "one of each other where possible. Current assignments are kept. `assignments` is how "
                        "many the round now has; `unassigned` lists entries left short with `reason` "
                        "(`not_enough_judges` or `conflicts`) and `missing`. Takes the entries first if needed "
                        "(409 as there).",
            parameters=[_ROUND], ok=(200, "The assignment", {
                "type": "object", "required": ["assignments", "unassigned"],
                "properties": {"assignments": {"type": "integer"}, "new": {"type": "integer"},
                               "unassigned": {"type": "array", "items": {
                                   "type": "object", "required": ["entry", "reason"],
                                   "properties": {"entry": {"type": "string"}, "entry_id": openapi.ref("Id"),
                                                  "missing": {"type": "integer"},
                                                  "reason": {"type": "string",
                                                             "enum": ["not_enough_judges", "conflicts"]},
                                                  "message": {"type": "string"}}}}}}),
            errors=(404, 409))},
        "/judging-rounds/{round_id}/assignments": {
            "get": openapi.operation(
                "List a round's assignments", tag=_TAG, operation_id="listJudgingAssignments", access="role",
                description=_ORGANISERS + "By entry, with each judge's scores and comments (`?entry_code=` for "
                            "one entry, `?judge_id=` for one judge).",
                parameters=[_ROUND, *openapi.LIST_PARAMS,
                            {"name": "entry_code", "in": "query", "required": False, "schema": {"type": "string"}},
                            {"name": "judge_id", "in": "query", "required": False, "schema": openapi.ref("Id")}],
                ok=(200, "Assignments", openapi.list_of(_ASSIGNMENT_SCHEMA)), errors=(400, 404)),
            "post": openapi.operation(
                "Add an assignment", tag=_TAG, operation_id="addJudgingAssignment", access="role",
                description=_ORGANISERS + "A judge of the panel (422 `not_on_panel`) for an entry of the round "
                            "(404 for an unknown code). 409 `conflict_of_interest` with `reason` (`declared`, "
                            "`author`, `same_unit`), `already_assigned`.",
                parameters=[_ROUND],
                body={"type": "object", "required": ["entry_code", "judge_id"],
                      "properties": {"entry_code": {"type": "string"}, "judge_id": openapi.ref("Id")}},
                ok=(201, "The assignment", _ASSIGNMENT_SCHEMA), errors=(404, 409, 422)),
        },
        "/assignments/{assignment_id}": {
            "get": openapi.operation(
                "Read an assigned entry", tag=_TAG, operation_id="getJudgingAssignment", access="role",
                description=_JUDGES + "Blind: the entry's code, title, category, the person written about, the "
                            "text and attachments (by random key) of the version the round judges, never anything "
                            "naming or pointing to its author. `others` (the other judges' totals, numbered, "
                            "without names) once this judge has submitted, when the round reveals them. 409 "
                            "`round_not_open` before the round opens.",
                parameters=[_ASSIGNMENT], ok=(200, "The assignment", openapi.ref("JudgingAssignment")),
                errors=(404, 409)),
            "delete": openapi.operation(
                "Remove an assignment", tag=_TAG, operation_id="removeJudgingAssignment", access="role",
                description=_ORGANISERS + "Only one nobody has started (409 `assignment_started`).",
                parameters=[_ASSIGNMENT], ok=(204, "Removed", None), errors=(404, 409)),
        },
        "/assignments/{assignment_id}/swap": {"post": openapi.operation(
            "Give an assignment to another judge", tag=_TAG, operation_id="swapJudgingAssignment", access="role",
            description=_ORGANISERS + "Only one nobody has started (409 `assignment_started`); the same checks as "
                        "adding one.",
            parameters=[_ASSIGNMENT],
            body={"type": "object", "required": ["judge_id"], "properties": {"judge_id": openapi.ref("Id")}},
            ok=(200, "The assignment", _ASSIGNMENT_SCHEMA), errors=(404, 409, 422))},
        "/assignments/{assignment_id}/reopen": {"post": openapi.operation(
            "Reopen a submitted score", tag=_TAG, operation_id="reopenJudgingAssignment", access="role",
            description=_ORGANISERS + "The judge may change it until `until`, round closed or not; submitting it "
                        "again ends the reopening. Every change is audited with the old and new values. 409 "
                        "`not_submitted`; 422 `reason_required`.",
            parameters=[_ASSIGNMENT],
            body={"type": "object", "required": ["until", "reason"], "properties": _UNTIL_REASON},
            ok=(200, "The assignment", _ASSIGNMENT_SCHEMA), errors=(404, 409, 422))},
        "/judging-rounds/{round_id}/conflicts": {
            "get": openapi.operation(
                "List declared conflicts", tag=_TAG, operation_id="listJudgingConflicts", access="role",
                description=_ORGANISERS + "Every conflict declared in the contest (they hold in all its rounds).",
                parameters=[_ROUND, *openapi.LIST_PARAMS],
                ok=(200, "Conflicts", openapi.list_of(openapi.ref("JudgingConflict"))), errors=(400, 404)),
            "post": openapi.operation(
                "Add a conflict", tag=_TAG, operation_id="addJudgingConflict", access="role",
                description=_ORGANISERS + "This judge may not judge this entry, in any round of the contest. "
                            "Their unsubmitted assignments of it go (`removed`), each to the least-loaded judge of "
                            "that round's panel who may take it (`reassigned`: how many found one); submitted ones "
                            "stay. 422 `reason_required`.",
                parameters=[_ROUND],
                body={"type": "object", "required": ["entry_code", "judge_id", "reason"],
                      "properties": {"entry_code": {"type": "string"}, "judge_id": openapi.ref("Id"),
                                     "reason": {"type": "string"}}},
                ok=(201, "The conflict", {"allOf": [openapi.ref("JudgingConflict"), {
                    "type": "object", "properties": {"removed": {"type": "integer"},
                                                     "reassigned": {"type": "integer"}}}]}),
                errors=(404, 409, 422)),
        },
        "/me/assignments": {"get": openapi.operation(
            "My assignments", tag=_TAG, operation_id="listMyJudgingAssignments", access="role",
            description="Judges; 403 without the judge role. Open rounds first, then upcoming, then closed; "
                        "`progress` counts them all (assigned, pending, in progress, submitted).",
            parameters=list(openapi.LIST_PARAMS),
            ok=(200, "Assignments", {"allOf": [openapi.list_of(openapi.ref("MyJudgingAssignment")), {
                "type": "object", "properties": {"progress": {"type": "object", "properties": {
                    k: {"type": "integer"} for k in ("assigned", "pending", "in_progress", "submitted")}}}}]}),
            errors=(400,))},
        "/assignments/{assignment_id}/scores": {"put": openapi.operation(
            "Save or submit scores", tag=_TAG, operation_id="saveJudgingScores", access="role",
            description=_JUDGES + "`scores` {criterion id: number from 0 to its max_score, or null to clear}; "
                        "criteria not sent keep their score. `comments` {criterion id: text} (a comment may come "
                        "before its score, which then reads null), `comment` overall. `submit`: true needs every "
                        "criterion (422 `incomplete`). 422 `score_out_of_range` (fields `scores.<id>`), "
                        "`unknown_criterion`; 409 `round_not_open`, `round_closed` (after the close, unless "
                        "extended for this judge), `already_submitted` (until an organiser reopens it).",
            parameters=[_ASSIGNMENT],
            body={"type": "object", "properties": {
                "scores": {"type": "object", "additionalProperties": _NUM},
                "comments": {"type": "object", "additionalProperties": {"type": "string"}},
                "comment": {"type": "string"}, "submit": {"type": "boolean", "default": False}}},
            ok=(200, "The assignment", openapi.ref("JudgingAssignment")), errors=(404, 409, 422))},
        "/assignments/{assignment_id}/conflict": {"post": openapi.operation(
            "Declare a conflict", tag=_TAG, operation_id="declareJudgingConflict", access="role",
            description=_JUDGES + "With a `reason` (422 `reason_required`). The conflict holds for this judge and "
                        "entry in every round of the contest. An unsubmitted assignment is removed and the entry "
                        "goes to the least-loaded judge of the panel who may take it (`reassigned_to`: whether "
                        "one could); a submitted one stays (`removed`: false).",
            parameters=[_ASSIGNMENT],
            body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
            ok=(200, "Done", {"type": "object", "required": ["reassigned_to"],
                              "properties": {"reassigned_to": {"type": "boolean"}, "removed": {"type": "boolean"}}}),
            errors=(404, 422))},
        "/judging-rounds/{round_id}/results": {"get": openapi.operation(
            "A round's results", tag=_TAG, operation_id="getJudgingResults", access="role",
            description=_ORGANISERS + "Entries ranked by the aggregated score of their submitted scores (equal "
                        "scores share a rank), then entries without one (`rank` null); each with its judges' "
                        "totals, the spread and `flagged` when the spread passes the threshold; `agreement` is "
                        "Krippendorff's alpha (interval) between the judges, null when it cannot be computed. "
                        "With `?top=K` or `?min_score=S` each item says whether it `advances` by that rule (ties "
                        "at the K-th place all advance), as a final round taking its entries from this one would.",
            parameters=[_ROUND, *openapi.LIST_PARAMS,
                        {"name": "top", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1}},
                        {"name": "min_score", "in": "query", "required": False,
                         "schema": {"type": "number", "minimum": 0}}],
            ok=(200, "Results", openapi.ref("JudgingResults")),
            errors=(400, 404))},
        "/judging-rounds/{round_id}/progress": {"get": openapi.operation(
            "A round's progress", tag=_TAG, operation_id="getJudgingProgress", access="role",
            description=_ORGANISERS + "Per judge: assigned, pending, in progress (draft), submitted; and totals.",
            parameters=[_ROUND, *openapi.LIST_PARAMS], ok=(200, "Progress", openapi.ref("JudgingProgress")),
            errors=(400, 404))},
        "/judging-rounds/{round_id}/reopen": {"post": openapi.operation(
            "Keep a round open for one judge", tag=_TAG, operation_id="extendJudgingRound", access="role",
            description=_ORGANISERS + "The judge (422 `not_on_panel`) may save and submit until `until`; audited "
                        "with the reason (422 `reason_required`).",
            parameters=[_ROUND],
            body={"type": "object", "required": ["judge_id", "until", "reason"],
                  "properties": {"judge_id": openapi.ref("Id"), **_UNTIL_REASON}},
            ok=(200, "The extension", {"type": "object", "required": ["judge_id", "extended_until"],
                                       "properties": {"round_id": openapi.ref("Id"), "judge_id": openapi.ref("Id"),
                                                      "extended_until": openapi.ref("DateTime"),
                                                      "reason": {"type": "string"}}}),
            errors=(404, 422))},
        "/judging-rounds/{round_id}/remind": {"post": openapi.operation(
            "Remind judges who are behind", tag=_TAG, operation_id="remindJudges", access="role",
            description=_ORGANISERS + "A mail to every judge with unsubmitted assignments in the round.",
            parameters=[_ROUND], ok=(200, "How many were reminded", {
                "type": "object", "required": ["reminded"], "properties": {"reminded": {"type": "integer"}}}),
            errors=(404,))},
        "/judging-rounds/{round_id}/blind-check": {"get": openapi.operation(
            "Entries that name their author", tag=_TAG, operation_id="judgingBlindCheck", access="role",
            description=_ORGANISERS + "Entries whose judged text names the author or a co-author by full name "
                        "(ignoring case and accents) or gives their email address (also in a link), with the "
                        "names and addresses found; before the round takes its entries, the entries it would "
                        "take.",
            parameters=[_ROUND, *openapi.LIST_PARAMS], ok=(200, "Entries", openapi.list_of({
                "type": "object", "required": ["entry_code", "names"],
                "properties": {"entry_id": openapi.ref("Id"), "entry_code": {"type": "string"},
                               "names": {"type": "array", "items": {"type": "string"}},
                               "emails": {"type": "array", "items": {"type": "string"}}}})),
            errors=(400, 404))},
    },
    schemas={
        "JudgingRound": {
            "type": "object",
            "required": ["id", "title", "stage", "judges_per_entry", "criteria", "scale", "opens_at", "closes_at",
                         "aggregation", "source"],
            "properties": {
                "id": openapi.ref("Id"), "contest": {"type": "string"}, **_ROUND_PROPS,
                "criteria": {"type": "array", "items": _CRITERION},
                "scale": {"type": "number", "description": "The sum of the weights: a judge's total is 0..scale."},
                "state": {"type": "string", "enum": list(rounds.ROUND_STATES)},
                "entries_taken_at": _TIME,
                "judges": {"type": "array", "items": {"type": "object", "properties": {
                    "id": openapi.ref("Id"), "full_name": {"type": "string"}, "extended_until": _TIME}}},
                "entries": {"type": "integer"}, "assignments": {"type": "integer"},
            }},
        "MyJudgingAssignment": {
            "type": "object", "required": ["id", "entry_code", "title", "category", "status"],
            "properties": {"id": openapi.ref("Id"), "entry_code": {"type": "string"}, "title": {"type": "string"},
                           "category": {"type": "string"}, "status": _STATUS, "round_id": openapi.ref("Id"),
                           "round": {"type": "string"}, "round_state": {"type": "string"},
                           "opens_at": openapi.ref("DateTime"),
                           "closes_at": {**openapi.ref("DateTime"),
                                         "description": "For this judge (an extension included)."},
                           "saved_at": _TIME, "submitted_at": _TIME, "reopened_until": _TIME,
                           "editable": {"type": "boolean"}}},
        "JudgingAssignment": {
            "type": "object", "required": ["id", "entry", "criteria", "scores", "comment", "status"],
            "properties": {
                "id": openapi.ref("Id"), "status": _STATUS,
                "round": {"type": "object", "properties": {
                    "id": openapi.ref("Id"), "title": {"type": "string"}, "stage": {"type": "string"},
                    "state": {"type": "string"}, "opens_at": openapi.ref("DateTime"),
                    "closes_at": openapi.ref("DateTime"), "scale": {"type": "number"}}},
                "entry": {"type": "object", "required": ["code", "title", "category", "body_html"], "properties": {
                    "code": {"type": "string"}, "title": {"type": "string"}, "category": {"type": "string"},
                    "subject_name": {"type": "string", "description": "The person written about."},
                    "subject_description": {"type": "string"}, "body_html": {"type": "string"},
                    "word_count": {"type": "integer"},
                    "attachments": {"type": "array", "items": {"type": "object", "properties": {
                        "url": {"type": "string"}, "kind": {"type": "string", "enum": ["image", "pdf"]},
                        "content_type": {"type": "string"}, "size": {"type": "integer"}}}}}},
                "criteria": {"type": "array", "items": _CRITERION},
                "scores": {"type": "object", "additionalProperties": {"type": "number"},
                           "description": "{criterion id: score} of the criteria scored so far."},
                "comments": {"type": "object", "additionalProperties": {"type": "string"}},
                "comment": {"type": "string"}, "total": _NUM, "saved_at": _TIME, "submitted_at": _TIME,
                "reopened_until": _TIME, "editable": {"type": "boolean"},
                "others": {"type": "array", "items": {"type": "object", "properties": {
                    "judge": {"type": "integer", "description": "Judge 1, 2... (never a name)."},
                    "total": {"type": "number"}}}},
            }},
        "JudgingConflict": {
            "type": "object", "required": ["id", "judge_id", "entry_id", "reason"],
            "properties": {"id": openapi.ref("Id"), "judge_id": openapi.ref("Id"), "entry_id": openapi.ref("Id"),
                           "reason": {"type": "string"}, "created_at": openapi.ref("DateTime")}},
        "JudgingResults": {
            "type": "object", "required": ["items", "total", "agreement"],
            "properties": {
                "items": {"type": "array", "items": {
                    "type": "object", "required": ["entry_code", "score", "judges", "spread", "flagged"],
                    "properties": {
                        "rank": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "entry_id": openapi.ref("Id"),
                        "entry_code": {"type": "string"}, "title": {"type": "string"}, "score": _NUM,
                        "judges": {"type": "array", "items": {"type": "object", "properties": {
                            "judge_id": openapi.ref("Id"), "name": {"type": "string"}, "total": _NUM,
                            "status": _STATUS}}},
                        "spread": _NUM, "flagged": {"type": "boolean"},
                        "advances": {"type": "boolean", "description": "With ?top or ?min_score only."}}}},
                "total": {"type": "integer"}, "agreement": _NUM, "scale": {"type": "number"},
                "aggregation": {"type": "string", "enum": list(AGGREGATIONS)}, "threshold": {"type": "number"}}},
        "JudgingProgress": {
            "type": "object", "required": ["items", "total", "totals"],
            "properties": {
                "items": {"type": "array", "items": {
                    "type": "object", "required": ["judge_id", "assigned", "submitted"],
                    "properties": {"judge_id": openapi.ref("Id"), "name": {"type": "string"},
                                   "assigned": {"type": "integer"}, "pending": {"type": "integer"},
                                   "in_progress": {"type": "integer"}, "submitted": {"type": "integer"},
                                   "behind": {"type": "boolean"}}}},
                "total": {"type": "integer"},
                "totals": {"type": "object", "properties": {k: {"type": "integer"} for k in (
                    "assigned", "pending", "in_progress", "submitted")}}}},
    },
)
