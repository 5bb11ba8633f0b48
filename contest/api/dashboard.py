"""A contest's dashboard figures through the API (organisers): the numbers behind the organiser's dashboard page
(contest.results.dashboard), as JSON with ISO dates."""

from __future__ import annotations

from flask import request

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.contests import services as contests
from contest.core import clock
from contest.results import dashboard


@bp.get("/contests/<slug>/dashboard")
@roles_required("organiser")
def contest_dashboard(slug: str):
    contest = contests.get_contest_for(slug, current_api_user())
    round_ = dashboard.pick_round(contest, request.args.get("round")) if contest.kind == "quiz" else None
    data = dashboard.cached_figures(contest, round_, clock.utcnow(), as_json=True)
    return {"contest": {"slug": contest.slug, "title": contest.title, "kind": contest.kind}, **data}


if not any(tag["name"] == "results" for tag in openapi.BASE["tags"]):
    openapi.BASE["tags"].append({"name": "results", "description": "Results: exports of a contest's people and "
                                                                   "results for organisers."})

_INT = {"type": "integer", "minimum": 0}
_SHARE = {"type": ["number", "null"], "minimum": 0}
_UNIT = {"type": "object", "required": ["unit_id", "name", "path", "depth", "participants", "members",
                                        "participation_rate"],
         "properties": {"unit_id": {"type": "integer"}, "name": {"type": "string"}, "path": {"type": "string"},
                        "depth": _INT, "parent_id": {"type": ["integer", "null"]}, "participants": _INT,
                        "members": _INT, "participation_rate": {"type": "number", "minimum": 0},
                        "entries": _INT}}
_BAND = {"type": "object", "required": ["label", "from", "to", "count"],
         "properties": {"label": {"type": "string"}, "from": {"type": "number"}, "to": {"type": "number"},
                        "count": _INT}}

openapi.register(
    paths={"/contests/{slug}/dashboard": {"get": openapi.operation(
        "A contest's dashboard figures", tag="results", operation_id="contestDashboard", access="role",
        description="Organisers. Aggregates only (no names), counted again at most once a minute. Days are Hà Nội "
                    "days (ISO dates). A quiz contest "
                    "(`kind` quiz): `totals` {rounds, participants (distinct members with a finished attempt), "
                    "attempts (finished)}, `rounds` [{round_id, title, opens_at, closes_at, question_count, "
                    "participants, attempts, mean_share, all_correct}], `by_day` [{date, attempts, participants}] "
                    "(finished attempts by the day they were started, every round), `units` (rolled up the unit "
                    "tree in tree order: participants, members, participation_rate), `scores` {by: `share` "
                    "(every round, bands of tenths of the questions answered correctly; the last band is all "
                    "correct) or `correct` (one round), items [{label, from, to, count}]}. `round` narrows units "
                    "and scores to one round (400 when not a whole number, 404 when not a round of this contest). "
                    "A writing contest (`kind` essay): `totals` {entries, submitted, writers, drafts}, `by_day` "
                    "[{date, entries, writers}] by first submission, `categories` [{category_id, name, draft, "
                    "submitted, withdrawn, disqualified, total}], `statuses` [{status, count}], `units` (writers "
                    "of entries still in the contest as participants, with entries), `judging` [{round_id, title, "
                    "stage, judges, entries, assignments, pending, draft, submitted, done_share}], `scores` "
                    "(the latest judging round's aggregated scores in tenths of its scale: {round_id, "
                    "round_title, scale, scored, items}, or null without a judging round).",
        parameters=[openapi.path_param("slug", "The contest's address.", {"type": "string"}),
                    {"name": "round", "in": "query", "required": False, "schema": openapi.ref("Id"),
                     "description": "A quiz round of this contest: its units and score distribution."}],
        ok=(200, "The figures", openapi.ref("Dashboard")), errors=(400, 404))}},
    schemas={"Dashboard": {
        "type": "object", "required": ["contest", "kind", "totals", "by_day", "units", "scores"],
        "properties": {
            "contest": {"type": "object", "properties": {"slug": {"type": "string"}, "title": {"type": "string"},
                                                         "kind": {"type": "string", "enum": ["quiz", "essay"]}}},
            "kind": {"type": "string", "enum": ["quiz", "essay"]},
            "round_id": {"type": ["integer", "null"]},
            "totals": {"type": "object", "additionalProperties": _INT},
            "by_day": {"type": "array", "items": {"type": "object", "required": ["date"], "properties": {
                "date": {"type": "string", "format": "date"}, "attempts": _INT, "participants": _INT,
                "entries": _INT, "writers": _INT}}},
            "rounds": {"type": "array", "items": {"type": "object", "properties": {
                "round_id": {"type": "integer"}, "title": {"type": "string"},
                "opens_at": {"type": "string", "format": "date-time"},
                "closes_at": {"type": "string", "format": "date-time"}, "question_count": _INT,
                "participants": _INT, "attempts": _INT, "mean_share": _SHARE, "all_correct": _INT}}},
            "units": {"type": "array", "items": _UNIT},
            "categories": {"type": "array", "items": {"type": "object", "properties": {
                "category_id": {"type": "integer"}, "name": {"type": "string"}, "draft": _INT, "submitted": _INT,
                "withdrawn": _INT, "disqualified": _INT, "total": _INT}}},
            "statuses": {"type": "array", "items": {"type": "object", "properties": {
                "status": {"type": "string"}, "count": _INT}}},
            "judging": {"type": "array", "items": {"type": "object", "properties": {
                "round_id": {"type": "integer"}, "title": {"type": "string"}, "stage": {"type": "string"},
                "judges": _INT, "entries": _INT, "assignments": _INT, "pending": _INT, "draft": _INT,
                "submitted": _INT, "done_share": _SHARE}}},
            "scores": {"type": ["object", "null"], "properties": {
                "by": {"type": "string", "enum": ["share", "correct"]}, "round_id": {"type": "integer"},
                "round_title": {"type": "string"}, "scale": {"type": "number"}, "scored": _INT,
                "items": {"type": "array", "items": _BAND}}},
        }}},
)
