"""Quiz results through the API: a round's leaderboard, the caller's own rank, the unit leaderboard, and
publishing (organisers). Who sees what is decided by contest.quiz.leaderboard, as for the pages."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required, signed_in
from contest.api.common import iso, page_params, paginate_list
from contest.core import clock
from contest.core.errors import BadRequest
from contest.extensions import db
from contest.quiz import leaderboard as lb

UNIT_SORTS = ("participants", "rate")


def board_item_json(item: dict) -> dict:
    return {"rank": item["rank"], "name": item["name"], "unit": item["unit"], "correct": item["correct"],
            "total_questions": item["total_questions"], "prediction": item["prediction"],
            "submitted_at": iso(item["submitted_at"]), "duration_ms": item["duration_ms"]}


def unit_row_json(row: dict) -> dict:
    return {"unit_id": row["unit_id"], "name": row["name"], "parent_id": row["parent_id"], "path": row["path"],
            "participants": row["participants"], "members": row["members"],
            "participation_rate": row["participation_rate"]}


def publication_json(round_) -> dict:
    return {"published": round_.published_at is not None, "published_at": iso(round_.published_at)}


@bp.get("/rounds/<id:round_id>/leaderboard")
def round_leaderboard(round_id: int):
    user, now = current_api_user(), clock.utcnow()
    round_ = lb.get_round(round_id, user)
    lb.check_board_access(round_, user, now)
    page = page_params()
    board = lb.leaderboard(round_, limit=page.limit, offset=page.offset, now=now,
                           public=lb.public_reader(round_, user), me=user.id if user else None)
    return {"final": board["final"], "published": board["published"], "published_at": iso(board["published_at"]),
            "all_correct_count": board["all_correct_count"], "total": board["total"],
            "items": [board_item_json(i) for i in board["items"]]}


@bp.get("/rounds/<id:round_id>/leaderboard/me")
@signed_in
def my_rank(round_id: int):
    user, now = current_api_user(), clock.utcnow()
    round_ = lb.get_round(round_id, user)
    lb.check_my_rank_access(round_, user, now)
    mine = lb.my_rank(round_, user, now, public=lb.public_reader(round_, user))
    return {**mine, "submitted_at": iso(mine["submitted_at"])}


@bp.get("/rounds/<id:round_id>/units")
def round_units(round_id: int):
    user, now = current_api_user(), clock.utcnow()
    sort = request.args.get("sort", "participants")
    if sort not in UNIT_SORTS:
        msg = _l("Sort by “participants” or “rate”.")
        raise BadRequest(msg, fields={"sort": [msg]})
    page = page_params()
    round_ = lb.get_round(round_id, user)
    lb.check_board_access(round_, user, now)
    return paginate_list(lb.unit_leaderboard(round_, by=sort, now=now, public=lb.public_reader(round_, user)),
                         unit_row_json, page)


@bp.post("/rounds/<id:round_id>/publish")
@roles_required("organiser")
def publish_round(round_id: int):
    round_ = lb.get_round(round_id, current_api_user())
    lb.publish_round(round_, actor=current_api_user())
    db.session.commit()
    return publication_json(round_)


@bp.post("/rounds/<id:round_id>/unpublish")
@roles_required("organiser")
def unpublish_round(round_id: int):
    round_ = lb.get_round(round_id, current_api_user())
    lb.unpublish_round(round_, actor=current_api_user())
    db.session.commit()
    return publication_json(round_)


_ROUND_ID = openapi.path_param("round_id", "The round's id.")
_NULLABLE_INT = {"type": ["integer", "null"]}
_VISIBILITY = (
    "Visible to organisers always, to everyone once the round's results are published, and to signed-in people "
    "while the round is open if it has a live leaderboard. Otherwise 403 `leaderboard_hidden` for a signed-in "
    "caller; an anonymous caller gets 401 when signing in would show it (open round, live leaderboard), else 404. "
    "Rounds of draft contests are 404 except for organisers. Once published, everyone but the organisers reads the "
    "results frozen at the last publication (`published_at`): a later change shows only after publishing again; "
    "organisers read the live final ranking. Names are masked as the contest chose (e.g. `Nguyễn V. A.`), except "
    "the caller's own.")

openapi.register(
    paths={
        "/rounds/{round_id}/leaderboard": {"get": openapi.operation(
            "A round's leaderboard", tag="quiz", operation_id="roundLeaderboard", access="public",
            description=_VISIBILITY + " Each member appears once, with their counted attempt; equal keys share a "
                                      "rank. `final` is false until the round has closed and the prediction "
                                      "tiebreak is applied (a closed round is finalised by its first reader); "
                                      "while not final, ranks ignore the prediction and `prediction` is null.",
            parameters=[_ROUND_ID, *openapi.LIST_PARAMS],
            ok=(200, "A page of the leaderboard", openapi.ref("Leaderboard")),
            errors=(400, 403, 404))},
        "/rounds/{round_id}/leaderboard/me": {"get": openapi.operation(
            "The caller's own rank", tag="quiz", operation_id="myRoundRank", access="signed_in",
            description="403 `leaderboard_hidden` until members may see the board (open with a live leaderboard, "
                        "or published); 404 when the caller has no finished attempt in the round (once published: "
                        "no place in the published results, which are what members read). `total` is the "
                        "number of questions, `participants` the number of ranked members.",
            parameters=[_ROUND_ID],
            ok=(200, "The caller's place", openapi.ref("MyRank")),
            errors=(403, 404))},
        "/rounds/{round_id}/units": {"get": openapi.operation(
            "A round's unit leaderboard", tag="quiz", operation_id="roundUnits", access="public",
            description=_VISIBILITY + " Counts roll up the unit tree (a district counts its wards): `participants` "
                                      "are members with a finished attempt in the round, `members` the accounts "
                                      "with the member role; `participation_rate` = participants / members (0 "
                                      "without members). `?sort=participants` (default) or `rate`.",
            parameters=[_ROUND_ID, *openapi.LIST_PARAMS,
                        {"name": "sort", "in": "query", "required": False, "description": "The order.",
                         "schema": {"type": "string", "enum": list(UNIT_SORTS), "default": "participants"}}],
            ok=(200, "Units", openapi.list_of(openapi.ref("UnitStanding"))),
            errors=(400, 403, 404))},
        "/rounds/{round_id}/publish": {"post": openapi.operation(
            "Publish a round's results", tag="quiz", operation_id="publishRound", access="role",
            description="Organisers. Finalises the ranking first when needed, then freezes the final ranking, the "
                        "unit leaderboard and the round's confirmed awards: that is what everyone else reads until "
                        "the next publication. Publishing again re-publishes (a new time, a new snapshot). "
                        "409 `round_open` while the round is open (or within its grace for late answers), "
                        "`round_upcoming` before it opens. Audited.",
            parameters=[_ROUND_ID],
            ok=(200, "Published", openapi.ref("Publication")),
            errors=(404, 409))},
        "/rounds/{round_id}/unpublish": {"post": openapi.operation(
            "Hide a round's results again", tag="quiz", operation_id="unpublishRound", access="role",
            description="Organisers. The frozen results are deleted; audited when the results were published.",
            parameters=[_ROUND_ID],
            ok=(200, "Not published", openapi.ref("Publication")),
            errors=(404,))},
    },
    schemas={
        "Leaderboard": {
            "type": "object", "required": ["final", "published", "total", "items"],
            "properties": {
                "final": {"type": "boolean"},
                "published": {"type": "boolean"},
                "published_at": {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]},
                "all_correct_count": {**_NULLABLE_INT, "description": "Known once final."},
                "total": {"type": "integer", "minimum": 0},
                "items": {"type": "array", "items": openapi.ref("LeaderboardItem")},
            }},
        "LeaderboardItem": {
            "type": "object",
            "required": ["rank", "name", "unit", "correct", "total_questions", "prediction", "submitted_at",
                         "duration_ms"],
            "properties": {
                "rank": {"type": "integer", "minimum": 1}, "name": {"type": "string"},
                "unit": {"type": ["string", "null"]}, "correct": {"type": "integer", "minimum": 0},
                "total_questions": {"type": "integer", "minimum": 0},
                "prediction": {**_NULLABLE_INT, "description": "Null while the board is not final."},
                "submitted_at": openapi.ref("DateTime"), "duration_ms": {"type": "integer", "minimum": 0},
            }},
        "MyRank": {
            "type": "object", "required": ["rank", "correct", "total", "final"],
            "properties": {
                "rank": {"type": "integer", "minimum": 1}, "correct": {"type": "integer"},
                "total": {"type": "integer"}, "total_questions": {"type": "integer"},
                "prediction": _NULLABLE_INT, "prediction_error": _NULLABLE_INT,
                "submitted_at": openapi.ref("DateTime"), "duration_ms": {"type": "integer"},
                "final": {"type": "boolean"}, "participants": {"type": "integer"},
            }},
        "UnitStanding": {
            "type": "object", "required": ["unit_id", "name", "participants", "members", "participation_rate"],
            "properties": {
                "unit_id": openapi.ref("Id"), "name": {"type": "string"},
                "parent_id": {"anyOf": [openapi.ref("Id"), {"type": "null"}]},
                "path": {"type": "string", "description": "The names from the top of the tree, joined by ›."},
                "participants": {"type": "integer", "minimum": 0}, "members": {"type": "integer", "minimum": 0},
                "participation_rate": {"type": "number", "minimum": 0},
            }},
        "Publication": {
            "type": "object", "required": ["published", "published_at"],
            "properties": {"published": {"type": "boolean"},
                           "published_at": {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]}}},
    },
)
