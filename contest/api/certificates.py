"""Certificates through the API: verification by code (anyone, rate limited), PDF downloads (the holder, organisers),
a contest's certificates and their ZIP (organisers), revocation, a member's own results, participation
certificates. The rules are contest.results.issuing's and personal's, as for the pages."""

from __future__ import annotations

from flask import request

from contest.api import bp, openapi
from contest.api.auth import current_api_user, roles_required, signed_in
from contest.api.common import iso, page_params, paginate_query, read_json
from contest.contests import services as contests
from contest.core import clock
from contest.core.errors import NotFound
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.results import issuing, personal
from contest.results.models import Certificate
from contest.results.views import lookup_limit, pdf_response, zip_response


def _language() -> str:
    from flask_babel import get_locale

    return "en" if str(get_locale() or "vi").startswith("en") else "vi"


def certificate_json(cert: Certificate) -> dict:
    """A certificate as verification shows it (API.md: code, name, contest, award, issued_at, and more)."""
    return {"code": cert.code, "kind": cert.kind, "name": cert.holder_name, "unit": cert.unit_name or "",
            "contest": cert.contest_title, "award": issuing.award_label(cert), "tier": cert.tier,
            "detail": cert.detail or "", "issued_at": iso(cert.issued_at), "revoked": cert.revoked_at is not None,
            "revoked_at": iso(cert.revoked_at), "revoked_reason": cert.revoked_reason or None,
            "verify_url": issuing.verify_url(cert)}


def certificate_record_json(cert: Certificate) -> dict:
    """What organisers see of a certificate: the public fields and what it is attached to."""
    return {**certificate_json(cert), "id": cert.id, "user_id": cert.user_id, "entry_id": cert.entry_id,
            "unit_id": cert.unit_id, "round_id": cert.round_id, "award_id": cert.award_id}


@bp.get("/certificates/<code>")
@lookup_limit()
def get_certificate(code: str):
    return certificate_json(issuing.public_certificate(code))


@bp.get("/certificates/<code>/pdf")
@signed_in
def certificate_pdf(code: str):
    return pdf_response(issuing.downloadable_certificate(code, current_api_user()), _language())


@bp.post("/certificates/<code>/revoke")
@roles_required("organiser")
def revoke_certificate(code: str):
    data = read_json({"reason": "string"})
    cert = issuing.find_certificate(code)
    if cert is None:
        raise NotFound(issuing.NO_CERTIFICATE)
    issuing.revoke(cert, current_api_user(), data["reason"])
    db.session.commit()
    return certificate_record_json(cert)


@bp.get("/contests/<slug>/certificates")
@roles_required("organiser")
def contest_certificates(slug: str):
    contest = contests.get_contest_for(slug, current_api_user())
    return paginate_query(issuing.certificates_of_contest(contest), certificate_record_json, page_params())


@bp.get("/contests/<slug>/certificates.zip")
@roles_required("organiser")
def contest_certificates_zip(slug: str):
    contest = contests.get_contest_for(slug, current_api_user())
    body = issuing.contest_certificates_zip(contest, current_api_user(), _language(),
                                            kind=request.args.get("kind") or None)
    db.session.commit()  # the audit entry, before the file is sent
    return zip_response(contest, body)


def _round_json(row: dict) -> dict:
    return {"round_id": row["round_id"], "round": row["round_title"], "contest_slug": row["contest_slug"],
            "contest": row["contest_title"], "correct": row["correct"], "total": row["total"],
            "duration_ms": row["duration_ms"], "submitted_at": iso(row["submitted_at"]), "rank": row["rank"],
            "participants": row["participants"], "rank_kind": row["rank_kind"], "published": row["published"],
            "participation_offered": row["participation_offered"],
            "participation_certificate": row["participation"].code if row["participation"] else None}


def _entry_json(row: dict) -> dict:
    return {"id": row["entry_id"], "contest_slug": row["contest_slug"], "contest": row["contest_title"],
            "code": row["code"], "title": row["title"], "status": row["status"], "author": row["author"]}


def _award_json(row: dict) -> dict:
    from contest.results.services import TIER_LABELS

    return {"contest_slug": row["contest_slug"], "contest": row["contest_title"], "tier": row["tier"],
            "tier_label": str(TIER_LABELS.get(row["tier"], "")), "label": row["label"], "title": row["title"],
            "entry_code": row["entry_code"], "round": row["round_title"],
            "certificate_code": row["certificate_code"], "published_at": iso(row["published_at"])}


@bp.get("/me/results")
@signed_in
def my_results():
    data = personal.member_results(current_api_user(), clock.utcnow())
    db.session.commit()  # reading a closed round's rank may finalise it
    return {"rounds": [_round_json(r) for r in data["rounds"]], "entries": [_entry_json(e) for e in data["entries"]],
            "awards": [_award_json(a) for a in data["awards"]],
            "certificates": [certificate_json(c) for c in data["certificates"]]}


@bp.post("/rounds/<id:round_id>/participation-certificate")
@signed_in
def participation_certificate(round_id: int):
    user = current_api_user()
    round_ = lb.get_round(round_id, user)
    existing = issuing.participation_certificate(round_, user)
    cert = issuing.issue_participation(round_, user, user)
    db.session.commit()
    return certificate_json(cert), 200 if existing is not None else 201


# --- OpenAPI -----------------------------------------------------------------------------------------------------

if not any(tag["name"] == "certificates" for tag in openapi.BASE["tags"]):
    openapi.BASE["tags"].append({"name": "certificates", "description": "Certificates: verification by code, "
                                                                        "downloads, revocation; a member's own "
                                                                        "results."})

_CODE = openapi.path_param("code", "The certificate's code, e.g. GCN-7K4M9Q2P (case, spaces and dashes do not "
                                   "matter).", {"type": "string"})
_SLUG = openapi.path_param("slug", "The contest's address.", {"type": "string"})
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_TIME = {"anyOf": [openapi.ref("DateTime"), {"type": "null"}]}
_PDF = {"content": {"application/pdf": {"schema": {"type": "string", "contentEncoding": "binary"}}}}
_ZIP = {"content": {"application/zip": {"schema": {"type": "string", "contentEncoding": "binary"}}}}


def _binary(op: dict, status: str, extra: dict) -> dict:
    op["responses"][status].update(extra)
    return op


openapi.register(
    paths={
        "/certificates/{code}": {"get": openapi.operation(
            "Verify a certificate", tag="certificates", operation_id="getCertificate", access="public",
            description="Anyone. The holder's name in full (a certificate names its holder), unit, contest, award "
                        "(in the language of Accept-Language unless it is a named prize), detail (the entry's "
                        "title or the round) and issue time; a revoked certificate answers with `revoked` true, "
                        "its time and reason. 404 for an unknown code and while the contest's results (for a "
                        "participation certificate: its round's) are not published. Look-ups by code are "
                        "limited per address (20 a minute, 200 a day, with the verification page): 429 beyond.",
            parameters=[_CODE], ok=(200, "The certificate", openapi.ref("CertificateCheck")), errors=(404, 429))},
        "/certificates/{code}/pdf": {"get": _binary(openapi.operation(
            "Download a certificate", tag="certificates", operation_id="getCertificatePdf", access="signed_in",
            description="The holder, once the certificate can be verified; organisers at any time. Anyone else: "
                        "404. A revoked certificate carries the revoked mark. In the caller's language (vi by "
                        "default, en).",
            parameters=[_CODE], ok=(200, "The PDF", None), errors=(404,)), "200", _PDF)},
        "/certificates/{code}/revoke": {"post": openapi.operation(
            "Revoke a certificate", tag="certificates", operation_id="revokeCertificate", access="role",
            description="Organisers. A reason is required (422 `reason_required`); 409 `already_revoked` when it "
                        "is. The certificate stays verifiable, shown as revoked with the reason. Audited "
                        "(`certificate_revoked`).",
            parameters=[_CODE],
            body={"type": "object", "required": ["reason"],
                  "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 1000}}},
            ok=(200, "The revoked certificate", openapi.ref("CertificateRecord")), errors=(404, 409, 422))},
        "/contests/{slug}/certificates": {"get": openapi.operation(
            "A contest's certificates", tag="certificates", operation_id="listContestCertificates",
            access="role",
            description="Organisers. Every certificate issued for the contest (award certificates, then "
                        "participation ones, in order of issue), revoked ones included.",
            parameters=[_SLUG, *openapi.LIST_PARAMS],
            ok=(200, "A page of certificates", openapi.list_of(openapi.ref("CertificateRecord"))),
            errors=(400, 404))},
        "/contests/{slug}/certificates.zip": {"get": _binary(openapi.operation(
            "Download a contest's certificates", tag="certificates", operation_id="downloadContestCertificates",
            access="role",
            description="Organisers. One PDF per valid (not revoked) certificate, named `<code> - <holder>.pdf`, "
                        "in one ZIP; 404 `no_certificates` when there is none. Audited "
                        "(`certificates_downloaded`).",
            parameters=[_SLUG, {"name": "kind", "in": "query", "required": False,
                                "description": "Only award or only participation certificates (each PDF takes "
                                               "some 40 ms to draw).",
                                "schema": {"type": "string", "enum": ["award", "participation"]}}],
            ok=(200, "The ZIP", None), errors=(400, 404)), "200", _ZIP)},
        "/me/results": {"get": openapi.operation(
            "My results", tag="certificates", operation_id="myResults", access="signed_in",
            description="The caller's quiz rounds (with their rank: `published` from the published results, "
                        "`live` or `final` while the round's leaderboard is shown to members, else null), their "
                        "entries, their awards in published results and their certificates that can be verified. "
                        "Nothing about anyone else.",
            ok=(200, "The caller's results", openapi.ref("MyResults")))},
        "/rounds/{round_id}/participation-certificate": {"post": openapi.operation(
            "Get a participation certificate", tag="certificates", operation_id="issueParticipationCertificate",
            access="signed_in",
            description="A member with a place in a published quiz round, when the contest offers participation "
                        "certificates: 201 with the new certificate, 200 with the one already issued. 409 "
                        "`participation_not_offered`, `round_not_published`; 404 `no_result` without a place in "
                        "the published results, `not_found` for an unknown round.",
            parameters=[openapi.path_param("round_id", "The round's id.")],
            ok=(201, "The certificate", openapi.ref("CertificateCheck")), errors=(404, 409))},
    },
    schemas={
        "CertificateCheck": {
            "type": "object",
            "required": ["code", "name", "contest", "award", "issued_at", "revoked", "revoked_at", "revoked_reason",
                         "unit", "detail"],
            "properties": {
                "code": {"type": "string"}, "kind": {"type": "string", "enum": ["award", "participation"]},
                "name": {"type": "string"}, "unit": {"type": "string"}, "contest": {"type": "string"},
                "award": {"type": "string"}, "tier": _NULLABLE_STRING, "detail": {"type": "string"},
                "issued_at": openapi.ref("DateTime"), "revoked": {"type": "boolean"}, "revoked_at": _NULLABLE_TIME,
                "revoked_reason": _NULLABLE_STRING, "verify_url": {"type": "string", "format": "uri"},
            }},
        "CertificateRecord": {"allOf": [openapi.ref("CertificateCheck"), {
            "type": "object", "required": ["id"],
            "properties": {"id": openapi.ref("Id"), "user_id": _NULLABLE_INT, "entry_id": _NULLABLE_INT,
                           "unit_id": _NULLABLE_INT, "round_id": _NULLABLE_INT, "award_id": _NULLABLE_INT}}]},
        "MyResults": {
            "type": "object", "required": ["rounds", "entries", "awards", "certificates"],
            "properties": {
                "rounds": {"type": "array", "items": {
                    "type": "object", "required": ["round_id", "round", "contest", "correct", "total", "rank"],
                    "properties": {
                        "round_id": openapi.ref("Id"), "round": {"type": "string"},
                        "contest_slug": {"type": "string"}, "contest": {"type": "string"},
                        "correct": {"type": "integer"}, "total": {"type": "integer"},
                        "duration_ms": {"type": "integer"}, "submitted_at": openapi.ref("DateTime"),
                        "rank": _NULLABLE_INT, "participants": _NULLABLE_INT,
                        "rank_kind": {"type": ["string", "null"], "enum": ["published", "final", "live", None]},
                        "published": {"type": "boolean"}, "participation_offered": {"type": "boolean"},
                        "participation_certificate": _NULLABLE_STRING}}},
                "entries": {"type": "array", "items": {
                    "type": "object", "required": ["id", "contest", "code", "title", "status"],
                    "properties": {"id": openapi.ref("Id"), "contest_slug": {"type": "string"},
                                   "contest": {"type": "string"}, "code": _NULLABLE_STRING,
                                   "title": {"type": "string"}, "status": {"type": "string"},
                                   "author": {"type": "boolean"}}}},
                "awards": {"type": "array", "items": {
                    "type": "object", "required": ["contest", "tier", "certificate_code"],
                    "properties": {"contest_slug": {"type": "string"}, "contest": {"type": "string"},
                                   "tier": {"type": "string"}, "tier_label": {"type": "string"},
                                   "label": {"type": "string"}, "title": {"type": "string"},
                                   "entry_code": _NULLABLE_STRING, "round": _NULLABLE_STRING,
                                   "certificate_code": _NULLABLE_STRING, "published_at": openapi.ref("DateTime")}}},
                "certificates": {"type": "array", "items": openapi.ref("CertificateCheck")},
            }},
    },
)
