"""Public result pages (a contest's published results, the winners' entries, certificate verification), a member's
own results and certificates, certificate downloads, and the organisers' list of a contest's certificates (revoke,
download all as a ZIP).

The rules are in contest.results.services (publication), issuing (certificates) and personal (a member's own);
these views turn requests into calls and commit once per request.
"""

from __future__ import annotations

import math
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select

from contest.contests.models import Contest
from contest.contests.views import contest_or_404
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import BadRequest, NotFound, ServiceError
from contest.essays.models import Entry, EntryVersion
from contest.essays.services import STATUS_LABELS as ENTRY_STATUS_LABELS
from contest.extensions import db, limiter
from contest.quiz import leaderboard as lb
from contest.quiz.models import Round
from contest.results import issuing, personal
from contest.results import services as results
from contest.results.certificates import render_certificate
from contest.results.masking import masking_for
from contest.results.models import AWARD_TIERS, Certificate
from contest.web import error_response, page_service_error

bp = Blueprint("results", __name__)

# Certificate look-ups by code, the page and the API together: a person checks a handful, a script guessing codes
# is slowed to a crawl (31**8 possible codes).
LOOKUP_LIMIT = "20 per minute;200 per day"
LOOKUP_SCOPE = "certificate-lookup"
CERTIFICATES_PER_PAGE = 100


def lookup_limit():
    return limiter.shared_limit(LOOKUP_LIMIT, scope=LOOKUP_SCOPE)


def _language() -> str:
    locale = str(get_locale() or "vi")
    return "en" if locale.startswith("en") else "vi"


bp.register_error_handler(ServiceError, page_service_error)


@bp.context_processor
def _labels():
    return {"tier_labels": results.TIER_LABELS, "certificate_award": issuing.award_label}


def _published_or_404(contest: Contest) -> dict:
    try:
        return results.published_results(contest)
    except NotFound:
        abort(404)


def _time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _groups(snapshot: dict, contest: Contest) -> list[dict]:
    """The snapshot's awards by tier (tier order, then as published), names masked as the contest says now."""
    mode = masking_for(contest.id)
    by_tier: dict[str, list] = {}
    for item in snapshot.get("awards", []):
        shown = {**item, "display_name": results.display_name(item, mode)}
        shown["entry_link"] = (contest.kind == "essay" and item.get("public_entry") and item.get("entry_code")
                               and url_for("results.public_entry", slug=contest.slug, code=item["entry_code"]))
        by_tier.setdefault(item.get("tier"), []).append(shown)
    return [{"tier": tier, "label": results.TIER_LABELS[tier], "items": by_tier[tier]}
            for tier in AWARD_TIERS if tier in by_tier]


# --- the public results of a contest -------------------------------------------------------------------------

@bp.route("/contests/<slug>/results")
def public_results(slug: str):
    contest = contest_or_404(slug)
    snapshot = _published_or_404(contest)
    rounds = []
    if contest.kind == "quiz":
        rounds = list(db.session.scalars(select(Round).where(Round.contest_id == contest.id,
                                                             Round.published_at.is_not(None))
                                         .order_by(Round.opens_at, Round.id)))
    groups = _groups(snapshot, contest)
    winners = sum(len(g["items"]) for g in groups)
    return render_template("results/public.html", contest=contest, groups=groups, rounds=rounds,
                           published_at=_time(snapshot.get("published_at")), winners=winners)


@bp.route("/contests/<slug>/results/entries/<code>")
def public_entry(slug: str, code: str):
    """A winning entry as it was judged (its submitted version), when its writers agreed to its publication."""
    contest = contest_or_404(slug)
    if contest.kind != "essay":
        abort(404)
    snapshot = _published_or_404(contest)
    code = (code or "").strip().upper()
    item = next((i for i in snapshot.get("awards", []) if i.get("entry_code") == code and i.get("entry_id")), None)
    if item is None:
        abort(404)
    entry = db.session.get(Entry, item["entry_id"])
    # Consent as it is now: a writer who withdraws it takes the text off the site.
    if entry is None or entry.contest_id != contest.id or not entry.publish_consent or entry.submitted_version is None:
        abort(404)
    version = db.session.scalar(select(EntryVersion).where(EntryVersion.entry_id == entry.id,
                                                           EntryVersion.number == entry.submitted_version))
    if version is None:
        abort(404)
    author = results.display_name(item, masking_for(contest.id))
    return render_template("results/public_entry.html", contest=contest, entry=entry, version=version, item=item,
                           author=author, published_at=_time(snapshot.get("published_at")))


# --- verification --------------------------------------------------------------------------------------------

@bp.route("/verify")
def verify_form():
    typed = request.args.get("code")
    error = None
    if typed is not None:
        code = issuing.canonical_code(typed)
        if code:
            return redirect(url_for("results.verify", code=code))
        error = _("That does not look like a certificate code. It is printed under the QR code, e.g. GCN-7K4M9Q2P.")
    return render_template("results/verify_form.html", typed=typed or "", error=error), 400 if error else 200


@bp.route("/verify/<code>")
@lookup_limit()
def verify(code: str):
    cert = issuing.find_certificate(code)
    if cert is None or not issuing.certificate_is_public(cert):
        return error_response(404, "not_found", _("No certificate has the code %(code)s, or it cannot be checked "
                                                  "at the moment.", code=code[:40]))
    contest = db.session.get(Contest, cert.contest_id)
    return render_template("results/verify.html", cert=cert, contest=contest,
                           award=issuing.award_label(cert), may_download=issuing.may_download(cert, signed_in_user()))


# --- downloads -----------------------------------------------------------------------------------------------

def pdf_response(cert: Certificate, language: str) -> Response:
    pdf = render_certificate(issuing.certificate_data(cert, language))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{cert.code}.pdf"', "Cache-Control": "private, no-store"})


@bp.route("/certificates/<code>.pdf")
def certificate_pdf(code: str):
    try:
        cert = issuing.downloadable_certificate(code, signed_in_user())
    except NotFound:
        abort(404)
    return pdf_response(cert, _language())


# --- a member's own results ----------------------------------------------------------------------------------

@bp.route("/account/results")
@login_required
def my_results():
    data = personal.member_results(signed_in_user(), clock.utcnow())
    db.session.commit()  # reading a closed round's rank may finalise it
    return render_template("results/mine.html", data=data, entry_status_labels=ENTRY_STATUS_LABELS)


@bp.route("/account/results/rounds/<int:round_id>/participation-certificate", methods=["POST"])
@login_required
def participation(round_id: int):
    try:
        round_ = lb.get_round(round_id, signed_in_user())
        cert = issuing.issue_participation(round_, signed_in_user(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("results.my_results"))
    db.session.commit()
    flash(_("Your participation certificate %(code)s is ready.", code=cert.code), "success")
    return redirect(url_for("results.my_results") + "#certificates")


# --- organisers: a contest's certificates --------------------------------------------------------------------

def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < len(raw) < 9 and int(raw) > 0 else 1


@bp.route("/organiser/contests/<slug>/certificates")
@roles_required("organiser")
def org_certificates(slug: str):
    contest = contest_or_404(slug)
    stmt = issuing.certificates_of_contest(contest)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, math.ceil(total / CERTIFICATES_PER_PAGE))
    page = min(_page_number(), pages)
    certs = db.session.scalars(stmt.limit(CERTIFICATES_PER_PAGE).offset((page - 1) * CERTIFICATES_PER_PAGE)).all()
    valid = dict(db.session.execute(
        select(Certificate.kind, func.count()).where(Certificate.contest_id == contest.id,
                                                     Certificate.revoked_at.is_(None))
        .group_by(Certificate.kind)).all())
    return render_template("results/certificates_list.html", contest=contest, certs=certs, total=total,
                           valid=sum(valid.values()), valid_by_kind=valid, page=page, pages=pages,
                           published=results.is_published(contest))


@bp.route("/organiser/contests/<slug>/certificates/<code>/revoke", methods=["POST"])
@roles_required("organiser")
def org_revoke(slug: str, code: str):
    contest = contest_or_404(slug)
    cert = issuing.find_certificate(code)
    if cert is None or cert.contest_id != contest.id:
        abort(404)
    try:
        issuing.revoke(cert, signed_in_user(), request.form.get("reason"))
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Certificate %(code)s has been revoked.", code=cert.code), "success")
    return redirect(url_for("results.org_certificates", slug=contest.slug, page=request.form.get("page") or None)
                    + f"#cert-{cert.id}")


def zip_response(contest: Contest, body: bytes) -> Response:
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{contest.slug}-certificates.zip"',
        "Cache-Control": "private, no-store"})


@bp.route("/organiser/contests/<slug>/certificates.zip")
@roles_required("organiser")
def org_certificates_zip(slug: str):
    contest = contest_or_404(slug)
    try:
        body = issuing.contest_certificates_zip(contest, signed_in_user(), _language(),
                                                kind=request.args.get("kind") or None)
    except BadRequest:
        abort(400)
    except NotFound:
        abort(404)
    db.session.commit()
    return zip_response(contest, body)
