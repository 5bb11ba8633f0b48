"""Taking a quiz round through the API: start (or resume) an attempt, save answers, submit, read it back."""

from __future__ import annotations

from typing import Any

from contest.api import bp, openapi
from contest.api.auth import current_api_user, current_api_user_id, roles_required, signed_in
from contest.api.common import iso, read_json
from contest.core import clock
from contest.extensions import db
from contest.quiz import attempts, rounds
from contest.quiz.models import Attempt

_TIMES = ("started_at", "deadline_at", "now", "submitted_at")


def view_json(view: dict[str, Any]) -> dict[str, Any]:
    """An attempt view (attempts.get_attempt_view) with its times in ISO 8601."""
    return {key: iso(value) if key in _TIMES else value for key, value in view.items()}


def result_json(result: dict[str, Any]) -> dict[str, Any]:
    return {**result, "submitted_at": iso(result["submitted_at"])}


def summary_json(attempt: Attempt) -> dict[str, Any]:
    return {"id": attempt.id, "number": attempt.number, "status": attempt.status,
            "started_at": iso(attempt.started_at), "deadline_at": iso(attempt.deadline_at),
            "submitted_at": iso(attempt.submitted_at), "correct": attempt.correct, "total": attempt.total,
            "duration_ms": attempt.duration_ms}


@bp.post("/rounds/<id:round_id>/attempts")
@roles_required("member")
def start_attempt(round_id: int):
    user = current_api_user()
    now = clock.utcnow()
    round_ = rounds.get_round_for(round_id, user)
    attempt, created = attempts.start_attempt(round_, user, now)
    db.session.commit()
    return view_json(attempts.get_attempt_view(attempt, user, now)), 201 if created else 200


@bp.get("/rounds/<id:round_id>/attempts")
@signed_in
def my_attempts(round_id: int):
    user = current_api_user()
    round_ = rounds.get_round_for(round_id, user)
    attempts.finalise_expired(round_id=round_.id, user_id=user.id)
    db.session.commit()
    mine = attempts.attempts_of(user, [round_.id])[round_.id]
    return {"items": [summary_json(a) for a in mine], "total": len(mine)}


@bp.put("/attempts/<id:attempt_id>/answers/<int:position>")
@signed_in
def save_answer(attempt_id: int, position: int):
    body = read_json({"choices": "string[]"})
    # The caller's id is all a save needs of the account: no User is loaded on this hot path. commit=True: the
    # save commits itself (usually one statement in a transaction of its own), and so does the finalisation
    # behind a 409 deadline_passed.
    saved_at = attempts.save_answer(attempt_id, position, body["choices"], current_api_user_id(), commit=True)
    return {"saved_at": iso(saved_at)}


@bp.post("/attempts/<id:attempt_id>/submit")
@signed_in
def submit_attempt(attempt_id: int):
    body = read_json({"prediction": "integer"}, optional=True)
    result = attempts.submit(attempt_id, current_api_user(), body["prediction"])
    db.session.commit()
    return result_json(result)


@bp.get("/attempts/<id:attempt_id>")
@signed_in
def get_attempt(attempt_id: int):
    user = current_api_user()
    now = clock.utcnow()
    attempt = attempts.get_attempt_for(attempt_id, user, now)
    db.session.commit()  # a lazy finalisation, if the attempt had expired
    return view_json(attempts.get_attempt_view(attempt, user, now))


# --- the description --------------------------------------------------------------------------------------

_ATTEMPT_PARAM = openapi.path_param("attempt_id", "The attempt's id.")
_ROUND_PARAM = openapi.path_param("round_id", "The round's id.")
_KEYS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 1}}
_STATUS = {"type": "string", "enum": ["in_progress", "submitted", "expired"]}
_NULLABLE_TIME = {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]}
_NULLABLE_INT = {"anyOf": [{"type": "integer"}, {"type": "null"}]}

openapi.register(
    paths={
        "/rounds/{round_id}/attempts": {
            "post": openapi.operation(
                "Start or resume an attempt", tag="attempts", operation_id="startAttempt", access="role",
                description="Members (of the contest's unit, when it has one: else 403 `not_in_unit`). 201 with a "
                            "new attempt, or 200 with the one already in progress (its time keeps running). 409 "
                            "`round_not_open` outside the round's times, `attempts_exhausted` when every allowed "
                            "attempt is used. Nothing in the questions tells which option is correct.",
                parameters=[_ROUND_PARAM],
                ok=(201, "The new attempt (200: the attempt in progress)", openapi.ref("Attempt")),
                errors=(404, 409)),
            "get": openapi.operation(
                "My attempts in a round", tag="attempts", operation_id="listMyAttempts", access="signed_in",
                description="The signed-in member's attempts in this round, first to last (attempts past their "
                            "deadline are finalised first).",
                parameters=[_ROUND_PARAM],
                ok=(200, "Attempts", openapi.list_of(openapi.ref("AttemptSummary"))), errors=(404,)),
        },
        "/attempts/{attempt_id}/answers/{position}": {"put": openapi.operation(
            "Save the answer to one question", tag="attempts", operation_id="saveAnswer", access="signed_in",
            description="The attempt's owner only (404 for anyone else). `choices` are option keys; [] clears the "
                        "answer. 422 `unknown_key` for a key the question lacks, `single_answer` for several keys "
                        "on a single-answer question. 409 `attempt_submitted` once finalised; 409 "
                        "`deadline_passed` after the deadline plus the round's grace (the attempt is then "
                        "finalised with what was saved).",
            parameters=[_ATTEMPT_PARAM, openapi.path_param("position", "The question's position, from 1.",
                                                           {"type": "integer", "minimum": 1})],
            body={"type": "object", "required": ["choices"], "properties": {"choices": _KEYS}},
            ok=(200, "Saved", {"type": "object", "required": ["saved_at"],
                               "properties": {"saved_at": openapi.ref("DateTime")}}),
            errors=(404, 409, 422))},
        "/attempts/{attempt_id}/submit": {"post": openapi.operation(
            "Submit an attempt", tag="attempts", operation_id="submitAttempt", access="signed_in",
            description="The owner only. `prediction` (a whole number >= 0) is required when the round asks for it "
                        "(422 `prediction_required`), ignored otherwise. Repeating the submit returns the same "
                        "result and changes nothing. A submit after the deadline plus grace is not an error: the "
                        "attempt is finalised with the answers saved in time, `status` \"expired\", submitted_at = "
                        "the deadline, and a late prediction is not kept.",
            parameters=[_ATTEMPT_PARAM],
            body={"type": "object", "properties": {"prediction": {"type": "integer", "minimum": 0}}},
            ok=(200, "The result", openapi.ref("AttemptResult")), errors=(404, 422))},
        "/attempts/{attempt_id}": {"get": openapi.operation(
            "Read an attempt", tag="attempts", operation_id="getAttempt", access="signed_in",
            description="The owner or an organiser (404 for anyone else). `review` (correct keys and explanations) "
                        "appears only when the round's review policy allows: by default once the round has "
                        "closed; organisers always.",
            parameters=[_ATTEMPT_PARAM], ok=(200, "The attempt", openapi.ref("Attempt")), errors=(404,))},
    },
    schemas={
        "Attempt": {
            "type": "object",
            "required": ["id", "status", "started_at", "deadline_at", "questions", "answers"],
            "properties": {
                "id": openapi.ref("Id"), "round_id": openapi.ref("Id"), "number": {"type": "integer"},
                "status": _STATUS, "started_at": openapi.ref("DateTime"), "deadline_at": openapi.ref("DateTime"),
                "now": {**openapi.ref("DateTime"),
                        "description": "The server's time when answering: count down from deadline_at - now."},
                "time_limit_seconds": {"type": "integer"}, "prediction_asked": {"type": "boolean"},
                "questions": {"type": "array", "items": {
                    "type": "object", "required": ["position", "text", "kind", "options"],
                    "properties": {"position": {"type": "integer"}, "text": {"type": "string"},
                                   "kind": {"type": "string", "enum": ["single", "multiple"]},
                                   "options": {"type": "array", "items": {
                                       "type": "object", "required": ["key", "text"],
                                       "properties": {"key": {"type": "string"}, "text": {"type": "string"}}}}}}},
                "answers": {"type": "object", "additionalProperties": _KEYS,
                            "description": "{position: chosen keys} of the answered positions."},
                "correct": _NULLABLE_INT, "total": {"type": "integer"}, "submitted_at": _NULLABLE_TIME,
                "duration_ms": _NULLABLE_INT, "prediction": _NULLABLE_INT,
                "review": {"type": "array", "items": {
                    "type": "object", "required": ["position", "correct_keys", "explanation"],
                    "properties": {"position": {"type": "integer"}, "correct_keys": _KEYS,
                                   "chosen_correct": {"type": "boolean"}, "explanation": {"type": "string"},
                                   "source": {"type": "string"}}}},
            },
        },
        "AttemptResult": {
            "type": "object", "required": ["status", "correct", "total", "submitted_at", "duration_ms"],
            "properties": {"id": openapi.ref("Id"), "status": {"type": "string", "enum": ["submitted", "expired"]},
                           "correct": {"type": "integer"}, "total": {"type": "integer"},
                           "submitted_at": openapi.ref("DateTime"), "duration_ms": {"type": "integer"},
                           "prediction": _NULLABLE_INT}},
        "AttemptSummary": {
            "type": "object", "required": ["id", "number", "status", "started_at", "deadline_at"],
            "properties": {"id": openapi.ref("Id"), "number": {"type": "integer"}, "status": _STATUS,
                           "started_at": openapi.ref("DateTime"), "deadline_at": openapi.ref("DateTime"),
                           "submitted_at": _NULLABLE_TIME, "correct": _NULLABLE_INT, "total": {"type": "integer"},
                           "duration_ms": _NULLABLE_INT}},
    },
)
