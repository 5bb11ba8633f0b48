"""Contests and quiz rounds through the API: list, read, create and edit (organisers)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.api.common import iso, page_params, paginate_list, paginate_query, read_json
from contest.contests import services as contests
from contest.contests.models import CONTEST_KINDS, CONTEST_STATUSES, Contest
from contest.core import clock
from contest.core.errors import BadRequest, Invalid
from contest.essays import services as essays
from contest.extensions import db
from contest.quiz import rounds
from contest.quiz.models import COUNTING_RULES, PRIZE_TIERS, REVIEW_POLICIES, TIME_TIEBREAKS, Round

CONTEST_SPEC = {"slug": "string", "kind": "string", "title": "string", "description": "string",
                "opens_at": "string", "closes_at": "string", "status": "string", "unit_id": "id"}
# Writing contests only (kind "essay"): stored in their EssaySettings.
ESSAY_SPEC = {"theme": "string", "rules_html": "string", "code_prefix": "string", "max_entries_per_writer": "integer",
              "allow_collective": "boolean", "pledge_text": "string", "similarity_min_words": "integer"}
ROUND_SPEC = {"title": "string", "opens_at": "string", "closes_at": "string", "time_limit_seconds": "integer",
              "question_count": "integer", "topics": "object", "topic_quotas": "object", "max_attempts": "integer",
              "counting": "string", "shuffle_questions": "boolean", "shuffle_options": "boolean",
              "prediction": "boolean", "time_tiebreak": "string", "live_leaderboard": "boolean",
              "review_policy": "string", "grace_seconds": "integer", "prizes": "object"}


def given_fields(spec: dict[str, str]) -> dict[str, Any]:
    """The body's fields named in `spec`, type-checked, and only those the client actually sent (so that a PATCH
    can set a field to null without touching the others)."""
    raw = read_json()
    typed = read_json(spec)
    return {name: typed[name] for name in spec if name in raw}


def contest_json(contest: Contest, now=None) -> dict:
    body = {"id": contest.id, "slug": contest.slug, "kind": contest.kind, "title": contest.title,
            "description": contest.description, "status": contest.status, "opens_at": iso(contest.opens_at),
            "closes_at": iso(contest.closes_at), "unit_id": contest.unit_id,
            "state": contests.contest_state(contest, now)}
    if contest.kind == "essay":
        settings = essays.settings_for(contest, persist=False)
        body["essay"] = {field: getattr(settings, field) for field in essays.SETTINGS_FIELDS}
    return body


def _apply_essay_settings(contest: Contest, fields: dict[str, Any], user) -> None:
    """The writing-contest fields of a POST or PATCH: stored for an essay contest, refused (422) for a quiz."""
    if contest.kind == "essay":
        essays.update_settings(contest, fields, user)
    elif fields:
        msg = _l("Only writing contests have this setting.")
        raise Invalid(_l("Please correct the marked fields."), fields={name: [msg] for name in fields})


def round_json(round_: Round, now=None) -> dict:
    return {"id": round_.id, "contest": round_.contest.slug, "title": round_.title,
            "opens_at": iso(round_.opens_at), "closes_at": iso(round_.closes_at),
            "state": rounds.round_state(round_, now), "time_limit_seconds": round_.time_limit_seconds,
            "question_count": round_.question_count, "topics": rounds.topic_quotas(round_),
            "max_attempts": round_.max_attempts, "counting": round_.counting,
            "shuffle_questions": round_.shuffle_questions, "shuffle_options": round_.shuffle_options,
            "prediction": round_.prediction, "time_tiebreak": round_.time_tiebreak,
            "live_leaderboard": round_.live_leaderboard, "review_policy": round_.review_policy,
            "grace_seconds": round_.grace_seconds, "prizes": rounds.prizes(round_),
            "published_at": iso(round_.published_at)}


# --- contests ---------------------------------------------------------------------------------------------

@bp.get("/contests")
def list_contests():
    kind = request.args.get("kind")
    if kind is not None and kind not in CONTEST_KINDS:
        msg = _l("Choose quiz or essay.")
        raise BadRequest(msg, fields={"kind": [msg]})
    page = page_params()
    now = clock.utcnow()
    return paginate_query(contests.visible_contests_query(current_api_user(), kind), lambda c: contest_json(c, now),
                          page)


@bp.post("/contests")
@roles_required("organiser")
def create_contest():
    user = current_api_user()
    contest = contests.create_contest(given_fields(CONTEST_SPEC), user)
    _apply_essay_settings(contest, given_fields(ESSAY_SPEC), user)
    db.session.commit()
    return contest_json(contest), 201


@bp.get("/contests/<slug>")
def get_contest(slug: str):
    return contest_json(contests.get_contest_for(slug, current_api_user()))


@bp.patch("/contests/<slug>")
@roles_required("organiser")
def update_contest(slug: str):
    user = current_api_user()
    contest = contests.get_contest_for(slug, user)
    contests.update_contest(contest, given_fields(CONTEST_SPEC), user)
    _apply_essay_settings(contest, given_fields(ESSAY_SPEC), user)
    db.session.commit()
    return contest_json(contest)


# --- rounds -----------------------------------------------------------------------------------------------

@bp.post("/contests/<slug>/rounds")
@roles_required("organiser")
def create_round(slug: str):
    user = current_api_user()
    contest = contests.get_contest_for(slug, user)
    round_ = rounds.create_round(contest, given_fields(ROUND_SPEC), user)
    db.session.commit()
    return round_json(round_), 201


@bp.get("/contests/<slug>/rounds")
def list_rounds(slug: str):
    contest = contests.get_contest_for(slug, current_api_user())
    now = clock.utcnow()
    return paginate_list(rounds.rounds_of(contest), lambda r: round_json(r, now))


@bp.get("/rounds/<id:round_id>")
def get_round(round_id: int):
    return round_json(rounds.get_round_for(round_id, current_api_user()))


@bp.patch("/rounds/<id:round_id>")
@roles_required("organiser")
def update_round(round_id: int):
    user = current_api_user()
    round_ = rounds.get_round_for(round_id, user)
    rounds.update_round(round_, given_fields(ROUND_SPEC), user)
    db.session.commit()
    return round_json(round_)


# --- the description --------------------------------------------------------------------------------------

_TIME_OR_NULL = {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]}
_ID_OR_NULL = {"anyOf": [openapi.ref("Id"), {"type": "null"}]}
_SLUG = {"type": "string", "pattern": contests.SLUG_RE.pattern, "maxLength": contests.SLUG_MAX}
_CONTEST_PROPS = {
    "slug": _SLUG, "kind": {"type": "string", "enum": list(CONTEST_KINDS)},
    "title": {"type": "string", "maxLength": contests.TITLE_MAX},
    "description": {"type": "string", "description": "Plain text."},
    "opens_at": _TIME_OR_NULL, "closes_at": _TIME_OR_NULL,
    "status": {"type": "string", "enum": list(CONTEST_STATUSES), "default": "announced",
               "description": "`draft`: only organisers see it and nobody can take part."},
    "unit_id": {**_ID_OR_NULL, "description": "Only members of this unit and the units below it take part; "
                                              "null: everyone."},
}
_ESSAY_PROPS = {
    "theme": {"type": "string", "maxLength": essays.THEME_MAX},
    "rules_html": {"type": "string", "description": "Rich text, stored sanitised."},
    "code_prefix": {"type": "string", "pattern": "^[A-Za-z0-9]{2,8}$",
                    "description": "Receipt codes are PREFIX-123456; default VT and the year of opening (VT26)."},
    "max_entries_per_writer": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}],
                               "description": "Submitted entries per writer; null: no limit."},
    "allow_collective": {"type": "boolean", "default": False, "description": "Entries may name co-authors."},
    "pledge_text": {"type": "string", "minLength": 1, "description": "What writers confirm when submitting."},
    "similarity_min_words": {"type": "integer", "minimum": essays.SIMILARITY_MIN_WORDS_RANGE[0],
                             "maximum": essays.SIMILARITY_MIN_WORDS_RANGE[1], "default": 25,
                             "description": "The similarity check reports passages of at least this many words."},
}
_ESSAY_NOTE = (" For a writing contest (`kind` essay) also its settings: " + ", ".join(f"`{f}`" for f in _ESSAY_PROPS)
               + " (422 for a quiz).")
_TOPICS = {"anyOf": [{"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
                     {"type": "null"}],
           "description": "{topic: number of questions} drawn per attempt; must add up to question_count. "
                          "Null or absent: any approved question."}
_PRIZES = {"type": "object", "properties": {t: {"type": "integer", "minimum": 0} for t in PRIZE_TIERS},
           "additionalProperties": False}
_ROUND_PROPS = {
    "title": {"type": "string", "maxLength": rounds.TITLE_MAX},
    "opens_at": openapi.ref("DateTime"), "closes_at": openapi.ref("DateTime"),
    "time_limit_seconds": {"type": "integer", "minimum": 1, "maximum": rounds.MAX_TIME_LIMIT, "default": 600},
    "question_count": {"type": "integer", "minimum": 1, "maximum": rounds.MAX_QUESTIONS, "default": 20},
    "topics": _TOPICS,
    "max_attempts": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "default": 1,
                     "description": "Null: unlimited."},
    "counting": {"type": "string", "enum": list(COUNTING_RULES), "default": "best"},
    "shuffle_questions": {"type": "boolean", "default": True},
    "shuffle_options": {"type": "boolean", "default": True},
    "prediction": {"type": "boolean", "default": False,
                   "description": "Ask each participant how many will answer every question correctly."},
    "time_tiebreak": {"type": "string", "enum": list(TIME_TIEBREAKS), "default": "submitted_at"},
    "live_leaderboard": {"type": "boolean", "default": False},
    "review_policy": {"type": "string", "enum": list(REVIEW_POLICIES), "default": "after_close"},
    "grace_seconds": {"type": "integer", "minimum": 0, "maximum": rounds.MAX_GRACE, "default": 5},
    "prizes": _PRIZES,
}
_SLUG_PARAM = openapi.path_param("slug", "The contest's address.", _SLUG)
_ROUND_PARAM = openapi.path_param("round_id", "The round's id.")
_STATE = {"type": "string", "enum": list(rounds.ROUND_STATES)}

openapi.register(
    paths={
        "/contests": {
            "get": openapi.operation(
                "List contests", tag="contests", operation_id="listContests", access="public",
                description="Announced contests, newest first; organisers also see drafts. `?kind=quiz|essay`.",
                parameters=[*openapi.LIST_PARAMS,
                            {"name": "kind", "in": "query", "required": False,
                             "schema": {"type": "string", "enum": list(CONTEST_KINDS)}}],
                ok=(200, "Contests", openapi.list_of(openapi.ref("Contest"))), errors=(400,)),
            "post": openapi.operation(
                "Create a contest", tag="contests", operation_id="createContest", access="role",
                description="Organisers. 409 `slug_taken` when another contest has the address; 422 with `fields` "
                            "for a missing or bad field (times need an offset; closing after opening)."
                            + _ESSAY_NOTE,
                body={"type": "object", "required": ["slug", "kind", "title"],
                      "properties": {**_CONTEST_PROPS, **_ESSAY_PROPS}},
                ok=(201, "The new contest", openapi.ref("Contest")), errors=(409, 422)),
        },
        "/contests/{slug}": {
            "get": openapi.operation(
                "Read a contest", tag="contests", operation_id="getContest", access="public",
                description="A draft is a 404 except for organisers.", parameters=[_SLUG_PARAM],
                ok=(200, "The contest", openapi.ref("Contest")), errors=(404,)),
            "patch": openapi.operation(
                "Change a contest", tag="contests", operation_id="updateContest", access="role",
                description="Organisers. Any of the fields; the others stay. 409 `slug_taken`." + _ESSAY_NOTE,
                parameters=[_SLUG_PARAM], body={"type": "object", "properties": {**_CONTEST_PROPS, **_ESSAY_PROPS}},
                ok=(200, "The contest", openapi.ref("Contest")), errors=(404, 409, 422)),
        },
        "/contests/{slug}/rounds": {
            "get": openapi.operation(
                "List a quiz contest's rounds", tag="rounds", operation_id="listRounds", access="public",
                description="In opening order, each with its `state`.", parameters=[_SLUG_PARAM, *openapi.LIST_PARAMS],
                ok=(200, "Rounds", openapi.list_of(openapi.ref("Round"))), errors=(400, 404)),
            "post": openapi.operation(
                "Create a round", tag="rounds", operation_id="createRound", access="role",
                description="Organisers. 422 with `fields` when a rule is broken, e.g. the closing time before the "
                            "opening, topic quotas that do not add up to `question_count`, or a bank without enough "
                            "approved questions for a topic or the count. 409 `not_a_quiz` for a writing contest.",
                parameters=[_SLUG_PARAM],
                body={"type": "object", "required": ["title", "opens_at", "closes_at"], "properties": _ROUND_PROPS},
                ok=(201, "The new round", openapi.ref("Round")), errors=(404, 409, 422)),
        },
        "/rounds/{round_id}": {
            "get": openapi.operation(
                "Read a round", tag="rounds", operation_id="getRound", access="public", parameters=[_ROUND_PARAM],
                ok=(200, "The round", openapi.ref("Round")), errors=(404,)),
            "patch": openapi.operation(
                "Change a round", tag="rounds", operation_id="updateRound", access="role",
                description="Organisers. Any round field. Once members have started attempts, 409 "
                            "`round_has_attempts` for " + ", ".join(f"`{f}`" for f in rounds.LOCKED_ONCE_TAKEN)
                            + "; the closing time may still move, though not into the past (422), and the "
                              "deadlines of attempts in progress follow it.",
                parameters=[_ROUND_PARAM], body={"type": "object", "properties": _ROUND_PROPS},
                ok=(200, "The round", openapi.ref("Round")), errors=(404, 409, 422)),
        },
    },
    schemas={
        "Contest": {"type": "object",
                    "required": ["id", "slug", "kind", "title", "status", "opens_at", "closes_at"],
                    "properties": {"id": openapi.ref("Id"), **_CONTEST_PROPS,
                                   "state": {**_STATE, "description": "By the contest's own times."},
                                   "essay": {"type": "object", "properties": _ESSAY_PROPS,
                                             "description": "Writing contests only: their settings."}}},
        "Round": {"type": "object",
                  "required": ["id", "contest", "title", "opens_at", "closes_at", "state", "time_limit_seconds",
                               "question_count"],
                  "properties": {"id": openapi.ref("Id"), "contest": _SLUG, **_ROUND_PROPS, "state": _STATE,
                                 "published_at": _TIME_OR_NULL}},
    },
)
