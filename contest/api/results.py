"""Results through the API: a contest's awards (set, proposed), result settings, publishing and the published results
(contest.results.services), and the organisers' exports of a contest (participants, rankings, attempts, entries,
scores, awards) as CSV or XLSX (contest.results.exports)."""

from __future__ import annotations

from typing import Any

from flask import Response, request, stream_with_context
from flask_babel import lazy_gettext as _l

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required
from contest.api.common import iso, jsonable, read_json
from contest.contests import services as contests
from contest.core.errors import BadRequest
from contest.core.text import parse_id
from contest.extensions import db
from contest.results import exports, services
from contest.results.masking import masking_for
from contest.results.models import AWARD_TIERS, NAME_MASKING


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
    openapi.BASE["tags"].append({"name": "results", "description": "Results: awards, publishing, the published "
                                                                   "results, and exports for organisers."})

openapi.register({
    "/contests/{slug}/export": {"get": openapi.operation(
        "Export a contest's people or results", tag="results", operation_id="exportContest", access="role",
        description="Organisers. `what` for a quiz contest: `participants` (one row per member who took part: "
                    "name, email, unit, rounds taken), `rankings` (per round: rank — final once the round is "
                    "finalised, else the live order — name, unit, correct, questions, prediction, prediction "
                    "error, submission time, duration) or `attempts` (every attempt); for a writing contest: "
                    "`entries`, `scores` (per judging round: entry code, judge, each criterion, total, status, "
                    "submission time), `rankings` (per judging round: rank, entry, author, unit, score, spread, "
                    "flagged) or `participants` (writers and co-authors); for both, `awards` (the current awards: "
                    "tier, label, holders' names and emails, unit, entry code, title or round, certificate codes, "
                    "when published). `round` narrows to one quiz or judging "
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


# --- awards, settings, publishing, results -----------------------------------------------------------------

ITEM_TYPES = {"tier": str, "entry_code": str, "email": str, "label": str}
ITEM_IDS = ("user_id", "round_id", "unit_id")
SETTINGS_SPEC = {"award_counts": "object", "name_masking": "string", "signer_title": "string",
                 "signer_name": "string", "organisation": "string", "place": "string",
                 "participation_certificates": "boolean"}


def _contest(slug: str):
    return contests.get_contest_for(slug, current_api_user())


def _award_items_in() -> list[dict[str, Any]]:
    """The body's awards, type-checked (400 naming `awards.N.field`); the rules are the service's (422)."""
    body = read_json()
    awards = body.get("awards")
    if not isinstance(awards, list):
        message = _l("Give the awards as a list.")
        raise BadRequest(message, fields={"awards": [message]})
    errors: dict[str, list] = {}
    items = []
    for index, raw in enumerate(awards):
        if not isinstance(raw, dict):
            errors[f"awards.{index}"] = [_l("Must be an object.")]
            continue
        item: dict[str, Any] = {}
        for name, kind in ITEM_TYPES.items():
            value = raw.get(name)
            if value is not None and not isinstance(value, kind):
                errors[f"awards.{index}.{name}"] = [_l("Must be a string.")]
            item[name] = value
        for name in ITEM_IDS:
            value = raw.get(name)
            if value is not None and parse_id(value) is None:
                errors[f"awards.{index}.{name}"] = [_l("Must be an identifier (a whole number).")]
            item[name] = parse_id(value) if value is not None else None
        items.append(item)
    if errors:
        raise BadRequest(_l("Some fields have the wrong type."), fields=errors)
    return items


def _award_json(item: dict[str, Any]) -> dict[str, Any]:
    """An award as organisers see it: the holder's names in full, with the ids."""
    return {key: value for key, value in item.items() if key != "names"}


def _awards_answer(contest) -> dict[str, Any]:
    settings = services.settings_for(contest)
    return {"awards": [_award_json(i) for i in services.award_items(services.awards_of(contest))],
            "published": settings.published_at is not None, "published_at": iso(settings.published_at),
            "changed_since_publication": services.awards_changed_since_publication(contest)}


def _publication_json(contest) -> dict[str, Any]:
    publication = services.current_publication(contest.id)
    return {"published": publication is not None,
            "published_at": iso(publication.published_at) if publication is not None else None}


@bp.get("/contests/<slug>/awards")
@roles_required("organiser")
def get_awards(slug: str):
    answer = _awards_answer(_contest(slug))
    db.session.commit()  # the result settings, made on first use
    return answer


@bp.put("/contests/<slug>/awards")
@roles_required("organiser")
def put_awards(slug: str):
    contest = _contest(slug)
    services.set_awards(contest, _award_items_in(), current_api_user())
    answer = _awards_answer(contest)
    db.session.commit()
    return answer


@bp.get("/contests/<slug>/awards/proposal")
@roles_required("organiser")
def award_proposal(slug: str):
    contest = _contest(slug)
    proposed = services.proposal(contest)
    answer = {**jsonable(proposed), "awards": services.proposal_items(proposed)}
    db.session.commit()  # a quiz round finalised on the way, the result settings made on first use
    return answer


@bp.post("/contests/<slug>/publish")
@roles_required("organiser")
def publish_contest(slug: str):
    contest = _contest(slug)
    services.publish_contest(contest, current_api_user())
    db.session.commit()
    return _publication_json(contest)


@bp.post("/contests/<slug>/unpublish")
@roles_required("organiser")
def unpublish_contest(slug: str):
    contest = _contest(slug)
    services.unpublish_contest(contest, current_api_user())
    db.session.commit()
    return _publication_json(contest)


@bp.get("/contests/<slug>/results")
def contest_results(slug: str):
    contest = _contest(slug)
    snapshot = services.published_results(contest)
    mode = masking_for(contest.id)
    # A certificate's verification names its holder in full: with masked names, the codes would unmask them, so
    # only organisers get them then.
    codes = mode == "none" or contests.is_organiser(current_api_user())
    awards = [{"tier": i["tier"], "tier_label": str(services.TIER_LABELS[i["tier"]]), "label": i["label"],
               "name": services.display_name(i, mode), "unit": i["unit"], "title": i["title"],
               "holder": i["holder"], "entry_code": i["entry_code"], "public_entry": i["public_entry"],
               "round_id": i["round_id"], "round_title": i["round_title"],
               "certificate_code": i["certificate_code"] if codes else None,
               "certificate_codes": i["certificate_codes"] if codes else []}
              for i in snapshot["awards"]]
    return {"published_at": snapshot["published_at"], "contest": snapshot["contest"], "awards": awards}


@bp.get("/contests/<slug>/result-settings")
@roles_required("organiser")
def get_result_settings(slug: str):
    answer = services.settings_json(services.settings_for(_contest(slug)))
    db.session.commit()
    return answer


@bp.patch("/contests/<slug>/result-settings")
@roles_required("organiser")
def update_result_settings(slug: str):
    contest = _contest(slug)
    body = read_json(SETTINGS_SPEC)
    settings = services.update_settings(contest, body, current_api_user())
    answer = services.settings_json(settings)
    db.session.commit()
    return answer


_SLUG = openapi.path_param("slug", "The contest's address.", {"type": "string"})
_ORGANISERS = "Organisers (and admins); 403 for anyone else. "
_TIER = {"type": "string", "enum": list(AWARD_TIERS)}
_STR_OR_NULL = {"type": ["string", "null"]}
_ID_OR_NULL = {"anyOf": [openapi.ref("Id"), {"type": "null"}]}
_AWARD_IN = {"type": "object", "required": ["tier"], "properties": {
    "tier": _TIER,
    "entry_code": {"type": "string", "description": "Writing contests: the entry (submitted, of this contest)."},
    "user_id": {**openapi.ref("Id"), "description": "Quiz contests: the member (with a result in the round)."},
    "email": {"type": "string", "description": "Instead of user_id: the member's email."},
    "round_id": {**openapi.ref("Id"), "description": "Quiz contests: the round; by default the latest finished "
                                                     "round the member took."},
    "unit_id": {**openapi.ref("Id"), "description": "A collective award to a unit."},
    "label": {"type": "string", "maxLength": services.LABEL_MAX, "description": "e.g. the special prize's name."}},
    "description": "Exactly one holder: entry_code, user_id (or email) or unit_id."}
_AWARD = {"type": "object", "required": ["id", "tier", "name", "holder"], "properties": {
    "id": openapi.ref("Id"), "tier": _TIER, "label": {"type": "string"}, "holder": {
        "type": "string", "enum": ["user", "entry", "unit"]},
    "name": {"type": "string", "description": "In full; co-authors joined with \", \"."},
    "unit": {"type": "string"}, "title": {"type": "string"}, "entry_code": _STR_OR_NULL,
    "entry_id": _ID_OR_NULL, "round_id": _ID_OR_NULL, "round_title": _STR_OR_NULL,
    "user_ids": {"type": "array", "items": openapi.ref("Id")}, "unit_id": _ID_OR_NULL,
    "public_entry": {"type": "boolean"}, "certificate_code": _STR_OR_NULL,
    "certificate_codes": {"type": "array", "items": {"type": "string"}}}}
_AWARDS = {"type": "object", "required": ["awards", "published_at", "changed_since_publication"], "properties": {
    "awards": {"type": "array", "items": openapi.ref("Award")}, "published": {"type": "boolean"},
    "published_at": {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]},
    "changed_since_publication": {"type": "boolean"}}}
_PUBLIC_AWARD = {"type": "object", "required": ["tier", "name", "unit", "title", "certificate_code"], "properties": {
    "tier": _TIER, "tier_label": {"type": "string"}, "label": {"type": "string"},
    "name": {"type": "string", "description": "Masked as the contest chose (full, family name and initials, "
                                              "or initials); a unit's name as it is."},
    "unit": {"type": "string"}, "title": {"type": "string"}, "holder": {"type": "string"},
    "entry_code": _STR_OR_NULL, "public_entry": {"type": "boolean"}, "round_id": _ID_OR_NULL,
    "round_title": _STR_OR_NULL, "certificate_code": _STR_OR_NULL,
    "certificate_codes": {"type": "array", "items": {"type": "string"}}}}
_COUNTS = {"type": "object", "properties": {t: {"type": "integer", "minimum": 0, "maximum": services.MAX_COUNT}
                                            for t in AWARD_TIERS}}
_SETTINGS_PROPS = {
    "award_counts": {**_COUNTS, "description": "Writing contests: how many awards of each tier the proposal "
                                               "fills (quiz rounds use their own prizes)."},
    "name_masking": {"type": "string", "enum": list(NAME_MASKING)},
    **{name: {"type": "string", "maxLength": limit} for name, limit in services.SETTING_LIMITS.items()},
    "participation_certificates": {"type": "boolean"}}
_SETTINGS = {"type": "object", "required": list(services.SETTING_FIELDS),
             "properties": {**_SETTINGS_PROPS, "published_at": {"anyOf": [openapi.ref("DateTime"),
                                                                           {"type": "null"}]}}}

openapi.register(
    paths={
        "/contests/{slug}/awards": {
            "get": openapi.operation(
                "A contest's awards", tag="results", operation_id="getAwards", access="role",
                description=_ORGANISERS + "The current awards in tier order (special, first, second, third, "
                            "consolation) with the holders' full names and certificate codes, when the results "
                            "were published, and whether the awards changed since (then publish again).",
                parameters=[_SLUG], ok=(200, "The awards", openapi.ref("Awards")), errors=(404,)),
            "put": openapi.operation(
                "Replace a contest's awards", tag="results", operation_id="setAwards", access="role",
                description=_ORGANISERS + "Replaces every award of the contest, all or nothing. Writing contests "
                            "award entries (by code: submitted entries of this contest) and units; quiz contests "
                            "members in a round (with a result in it) and units. 422 `invalid_awards` with "
                            "`fields` named `awards.N.field` for each bad item (unknown tier, entry or member, an "
                            "entry not submitted, a holder given twice, a label over 200 characters). Recorded in "
                            "the audit log (`awards_updated`). Public only once published.",
                parameters=[_SLUG], body={"type": "object", "required": ["awards"], "properties": {
                    "awards": {"type": "array", "items": _AWARD_IN, "maxItems": services.MAX_AWARDS}}},
                ok=(200, "The awards", openapi.ref("Awards")), errors=(404, 422)),
        },
        "/contests/{slug}/awards/proposal": {"get": openapi.operation(
            "The awards the rankings propose", tag="results", operation_id="proposeAwards", access="role",
            description=_ORGANISERS + "Writing contest: from the latest final judging round (else the latest "
                        "round), the entries with a score ranked, tiers filled by the result settings' "
                        "`award_counts` (a tie at a border is never split). Quiz contest: for each round with a "
                        "final ranking, its prize proposal (the round's prizes), items with `round_id`. `awards` "
                        "is the proposal as a PUT body's awards.",
            parameters=[_SLUG], ok=(200, "The proposal", {"type": "object", "required": ["kind", "items", "awards"],
                                                          "properties": {"kind": {"type": "string"},
                                                                         "items": {"type": "array"},
                                                                         "awards": {"type": "array",
                                                                                    "items": _AWARD_IN}}}),
            errors=(404,))},
        "/contests/{slug}/publish": {"post": openapi.operation(
            "Publish a contest's results", tag="results", operation_id="publishContest", access="role",
            description=_ORGANISERS + "Issues the award certificates and freezes the awards as they are now: a "
                        "change afterwards shows only after publishing again. 409 `contest_open` while a writing "
                        "contest is open or a quiz round holding an award has no final ranking; 409 `no_awards` "
                        "without awards; 422 `invalid_awards` (fields `awards.N.field`) when an award no longer holds "
                        "(its entry withdrawn or disqualified since). Recorded in the audit log "
                        "(`results_published`).",
            parameters=[_SLUG], ok=(200, "Published", openapi.ref("Publication")), errors=(404, 409, 422))},
        "/contests/{slug}/unpublish": {"post": openapi.operation(
            "Unpublish a contest's results", tag="results", operation_id="unpublishContest", access="role",
            description=_ORGANISERS + "Hides the results again (certificates stay, but cannot be verified while "
                        "unpublished). Recorded in the audit log (`results_unpublished`).",
            parameters=[_SLUG], ok=(200, "Not published", openapi.ref("Publication")), errors=(404,))},
        "/contests/{slug}/results": {"get": openapi.operation(
            "A contest's published results", tag="results", operation_id="getContestResults", access="public",
            description="Anyone, once published (404 before, and for a draft contest). The awards as published, "
                        "in tier order (special, first, second, third, consolation); names masked as the "
                        "contest chose. When names are masked, `certificate_code` is null and `certificate_codes` "
                        "empty for everyone but organisers, since a certificate's verification names its holder.",
            parameters=[_SLUG], ok=(200, "The results", {"type": "object", "required": ["published_at", "awards"],
                                                         "properties": {"published_at": openapi.ref("DateTime"),
                                                                        "contest": {"type": "object"},
                                                                        "awards": {"type": "array",
                                                                                   "items": _PUBLIC_AWARD}}}),
            errors=(404,))},
        "/contests/{slug}/result-settings": {
            "get": openapi.operation(
                "A contest's result settings", tag="results", operation_id="getResultSettings", access="role",
                description=_ORGANISERS + "Award counts per tier (writing contests), name masking on public "
                            "pages, the certificate's signer, organisation and place, participation certificates.",
                parameters=[_SLUG], ok=(200, "The settings", openapi.ref("ResultSettings")), errors=(404,)),
            "patch": openapi.operation(
                "Change a contest's result settings", tag="results", operation_id="updateResultSettings",
                access="role", description=_ORGANISERS + "Any of the fields; 422 with `fields` for a bad value "
                                                         "(counts 0 to 1,000), nothing changed.",
                parameters=[_SLUG], body={"type": "object", "properties": _SETTINGS_PROPS},
                ok=(200, "The settings", openapi.ref("ResultSettings")), errors=(404, 422)),
        },
    },
    schemas={"Award": _AWARD, "Awards": _AWARDS, "ResultSettings": _SETTINGS},  # Publication: leaderboards.py
)
