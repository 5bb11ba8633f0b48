"""Results through the API: the organisers' exports of a contest (participants, rankings, attempts, entries,
scores) as CSV or XLSX (see contest.results.exports)."""

from __future__ import annotations

from flask import Response, request, stream_with_context
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.contests import services as contests
from contest.core.errors import BadRequest
from contest.core.text import parse_id
from contest.extensions import db
from contest.results import exports


def _round_arg() -> int | None:
    raw = request.args.get("round")
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        msg = _l("Must be an identifier (a whole number).")
        raise BadRequest(msg, fields={"round": [msg]})
    return value


@bp.get("/contests/<slug>/export")
@roles_required("organiser")
def export_contest(slug: str):
    user = current_api_user()
    contest = contests.get_contest_for(slug, user)
    result = exports.export(contest, request.args.get("what"), request.args.get("format"), actor=user,
                            round_id=_round_arg())
    db.session.commit()  # the audit entry, before any of the file is sent
    body = stream_with_context(result.chunks()) if result.fmt == "csv" else b"".join(result.chunks())
    return Response(body, mimetype=result.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{result.filename}"'})


if not any(tag["name"] == "results" for tag in openapi.BASE["tags"]):
    openapi.BASE["tags"].append({"name": "results", "description": "Results: exports of a contest's people and "
                                                                   "results for organisers."})

openapi.register({
    "/contests/{slug}/export": {"get": openapi.operation(
        "Export a contest's people or results", tag="results", operation_id="exportContest", access="role",
        description="Organisers. `what` for a quiz contest: `participants` (one row per member who took part: "
                    "name, email, unit, rounds taken), `rankings` (per round: rank — final once the round is "
                    "finalised, else the live order — name, unit, correct, questions, prediction, prediction "
                    "error, submission time, duration) or `attempts` (every attempt); for a writing contest: "
                    "`entries`, `scores` (per judging round: entry code, judge, each criterion, total, status, "
                    "submission time), `rankings` (per judging round: rank, entry, author, unit, score, spread, "
                    "flagged) or `participants` (writers and co-authors). `round` narrows to one quiz or judging "
                    "round (404 when it is not this contest's). CSV is UTF-8 with a byte order mark, streamed, "
                    "times ISO 8601 with +07:00; XLSX has real dates in Hà Nội time. The file is named "
                    "`<slug>-<what>.<format>`. 400 for an unknown `what` or `format` (the message lists the "
                    "choices); 422 `not_applicable` for a `what` of the other kind of contest, "
                    "`no_judging_round` for scores or rankings of a writing contest without a judging round. "
                    "Recorded in the audit log (`results.export`).",
        parameters=[openapi.path_param("slug", "The contest's address.", {"type": "string"}),
                    {"name": "what", "in": "query", "required": True,
                     "schema": {"type": "string", "enum": list(exports.ALL_WHAT)}},
                    {"name": "format", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(exports.FORMATS), "default": "xlsx"}},
                    {"name": "round", "in": "query", "required": False, "schema": openapi.ref("Id")}],
        ok=(200, "The file", None), errors=(400, 404, 422))},
})
