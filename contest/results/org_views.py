"""Organiser pages of a contest's results: award tiers and proposals, the awards, result settings (name masking,
certificate signer, participation certificates), publishing and unpublishing.

Every rule is in contest.results.services; these views turn forms into service calls, a ServiceError into errors on
the form or a flash, and commit once per request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from contest.contests import services as contests
from contest.contests.models import Contest
from contest.contests.views import contest_or_404
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.extensions import db
from contest.quiz.models import Round
from contest.results import services
from contest.results.forms import AwardForm, SettingsForm
from contest.results.models import AWARD_TIERS
from contest.units.services import unit_tree

bp = Blueprint("results_admin", __name__)

INDENT = "\u00a0\u00a0\u00a0"
# A service's per-item field -> the field of the form adding one award.
_ITEM_FIELDS = {"tier": "tier", "entry_code": "entry_code", "user_id": "email", "email": "email",
                "round_id": "round_id", "unit_id": "unit_id", "label": "label"}


def _rounds(contest: Contest) -> list[Round]:
    if contest.kind != "quiz":
        return []
    return list(db.session.scalars(select(Round).where(Round.contest_id == contest.id)
                                   .order_by(Round.opens_at, Round.id)))


def _award_form(contest: Contest, rounds: list[Round]) -> AwardForm:
    form = AwardForm(prefix="award")
    form.round_id.choices = [("", _("— the latest finished round they took —"))] + [
        (str(r.id), r.title) for r in rounds]
    form.unit_id.choices = [("", _("— no unit —"))] + [(str(row.id), INDENT * row.depth + row.name)
                                                       for row in unit_tree()]
    return form


def _settings_form(settings, formdata: bool) -> SettingsForm:
    form = SettingsForm(prefix="settings") if formdata else SettingsForm(prefix="settings", formdata=None)
    if not formdata:
        form.fill(settings)
    return form


def _render(contest: Contest, *, award_form: AwardForm | None = None, settings_form: SettingsForm | None = None,
            show_proposal: bool = False, status: int = 200):
    settings = services.settings_for(contest)
    rounds = _rounds(contest)
    publication = services.current_publication(contest.id)
    awards = services.award_items(services.awards_of(contest))
    proposal = services.proposal(contest) if show_proposal else None
    now = clock.utcnow()
    context: dict[str, Any] = {
        "contest": contest, "settings": settings, "publication": publication,
        "changed": services.awards_changed_since_publication(contest), "awards": awards,
        "by_tier": [(tier, [a for a in awards if a["tier"] == tier]) for tier in AWARD_TIERS],
        "proposal": proposal, "digest": services.proposal_digest(proposal) if proposal else "",
        "rounds": rounds, "state": contests.contest_state(contest, now),
        "award_form": award_form or _award_form(contest, rounds),
        "settings_form": settings_form or _settings_form(settings, formdata=False),
        "tier_labels": services.TIER_LABELS,
        "public_url": url_for("results.public_results", slug=contest.slug) if publication else None,
        "certificates_url": url_for("results.org_certificates", slug=contest.slug),
        "dashboard_url": url_for("results_dashboard.dashboard", slug=contest.slug),
    }
    html = render_template("results/org_index.html", **context)
    db.session.commit()  # result settings made on first use, a quiz round finalised by the proposal
    return html, status


@bp.app_context_processor
def _results_links() -> dict[str, Any]:
    """For the contest page: results_links(contest, is_organiser) -> [(label, url, testid)]: the public results
    once published (everyone), the results and awards page and the dashboard (organisers)."""

    def results_links(contest: Contest, is_organiser: bool = False) -> list[tuple[str, str, str]]:
        links = []
        if services.is_published(contest):
            links.append((_("Results"), url_for("results.public_results", slug=contest.slug), "contest-results"))
        if is_organiser:
            links.append((_("Results and awards"), url_for("results_admin.index", slug=contest.slug),
                          "contest-results-admin"))
            links.append((_("Dashboard"), url_for("results_dashboard.dashboard", slug=contest.slug),
                          "contest-dashboard"))
        return links

    return {"results_links": results_links}


def _back(contest: Contest, anchor: str = ""):
    return redirect(url_for("results_admin.index", slug=contest.slug) + anchor)


def _flash_error(exc: ServiceError) -> None:
    flash(str(exc.message), "error")
    for messages in exc.fields.values():
        for message in messages:
            if str(message) != str(exc.message):
                flash(str(message), "error")


@bp.route("/organiser/contests/<slug>/results")
@roles_required("organiser")
def index(slug: str):
    contest = contest_or_404(slug)
    return _render(contest, show_proposal=request.args.get("proposal") == "1")


@bp.route("/organiser/contests/<slug>/results/proposal", methods=["POST"])
@roles_required("organiser")
def use_proposal(slug: str):
    contest = contest_or_404(slug)
    proposal = services.proposal(contest)
    if request.form.get("digest") != services.proposal_digest(proposal):
        db.session.commit()  # a quiz round finalised on the way
        flash(_("The ranking has changed since the proposal was shown: check the new proposal before confirming "
                "it."), "error")
        return redirect(url_for("results_admin.index", slug=contest.slug, proposal=1) + "#proposal")
    try:
        awards = services.set_awards(contest, services.proposal_items(proposal), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
        return _back(contest)
    db.session.commit()
    flash(ngettext("The awards are now the proposal: %(num)d award.",
                   "The awards are now the proposal: %(num)d awards.", len(awards)), "success")
    return _back(contest, "#awards")


@bp.route("/organiser/contests/<slug>/results/awards", methods=["POST"])
@roles_required("organiser")
def add_award(slug: str):
    contest = contest_or_404(slug)
    rounds = _rounds(contest)
    form = _award_form(contest, rounds)
    if not form.validate_on_submit():
        return _render(contest, award_form=form, status=422)
    try:
        services.add_award(contest, form.item(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        placed = False
        for name, messages in exc.fields.items():
            field = getattr(form, _ITEM_FIELDS.get(name, ""), None)
            if field is not None:
                field.errors = [*list(field.errors or []), *(str(m) for m in messages)]
                placed = True
            else:
                for message in messages:
                    flash(str(message), "error")
        if not placed:
            flash(str(exc.message), "error")
        return _render(contest, award_form=form, status=exc.status)
    db.session.commit()
    flash(_("The award has been added."), "success")
    return _back(contest, "#awards")


@bp.route("/organiser/contests/<slug>/results/awards/<int:award_id>/remove", methods=["POST"])
@roles_required("organiser")
def remove_award(slug: str, award_id: int):
    contest = contest_or_404(slug)
    try:
        services.remove_award(contest, award_id, signed_in_user())
    except NotFound:
        abort(404)
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
        return _back(contest, "#awards")
    db.session.commit()
    flash(_("The award has been removed."), "success")
    return _back(contest, "#awards")


@bp.route("/organiser/contests/<slug>/results/settings", methods=["POST"])
@roles_required("organiser")
def save_settings(slug: str):
    contest = contest_or_404(slug)
    form = _settings_form(services.settings_for(contest), formdata=True)
    if contest.kind != "essay":
        form.drop_counts()  # a quiz round's prizes are set on the round
    if not form.validate_on_submit():
        return _render(contest, settings_form=form, status=422)
    try:
        services.update_settings(contest, form.service_data(contest.kind), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        for name, messages in list(exc.fields.items()):
            if name.startswith("award_counts."):
                exc.fields[f"count_{name.split('.', 1)[1]}"] = messages
        apply_service_error(form, exc)
        return _render(contest, settings_form=form, status=exc.status)
    db.session.commit()
    flash(_("The result settings have been saved."), "success")
    return _back(contest, "#settings")


@bp.route("/organiser/contests/<slug>/results/publish", methods=["POST"])
@roles_required("organiser")
def publish(slug: str):
    contest = contest_or_404(slug)
    republished = services.is_published(contest)
    try:
        services.publish_contest(contest, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
        return _back(contest)
    db.session.commit()
    flash(_("The results have been published again.") if republished else _("The results have been published."),
          "success")
    return _back(contest)


@bp.route("/organiser/contests/<slug>/results/unpublish", methods=["POST"])
@roles_required("organiser")
def unpublish(slug: str):
    contest = contest_or_404(slug)
    services.unpublish_contest(contest, signed_in_user())
    db.session.commit()
    flash(_("The results are hidden again. The certificates stay issued but cannot be checked until the results "
            "are published again."), "success")
    return _back(contest)
