"""Contest pages: the list, a contest with its rounds, and the organiser's pages to create and edit contests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contest.contests import services
from contest.contests.forms import ContestForm, unit_choices
from contest.contests.models import Contest
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.extensions import db
from contest.quiz import attempts, rounds
from contest.units.services import unit_tree

bp = Blueprint("contests", __name__)

HOME_LIMIT = 6


def contest_or_404(slug: str, kind: str | None = None) -> Contest:
    """The contest at this address as the signed-in reader may see it (drafts only for organisers), of `kind`
    ("quiz" or "essay") when given; otherwise the request ends with 404. For every feature's pages."""
    try:
        contest = services.get_contest_for(slug, signed_in_user())
    except NotFound:
        abort(404)
    if kind is not None and contest.kind != kind:
        abort(404)
    return contest


@bp.app_template_global()
def home_contests(limit: int = HOME_LIMIT) -> list[Contest]:
    """The contests the home page lists (contests/_list.html), for whoever is reading."""
    return services.visible_contests(signed_in_user(), limit)


@bp.app_template_global()
def contest_state(contest: Contest) -> str:
    return services.contest_state(contest)


@bp.app_context_processor
def _labels():
    return {"contest_kind_labels": services.KIND_LABELS, "contest_state_labels": rounds.STATE_LABELS}


@bp.route("/contests")
def index():
    return render_template("contests/index.html", contests=services.visible_contests(signed_in_user()))


@bp.route("/contests/<slug>")
def show(slug: str):
    contest = contest_or_404(slug)
    user = signed_in_user()
    now = clock.utcnow()
    round_rows = []
    if contest.kind == "quiz":
        all_rounds = rounds.rounds_of(contest)
        mine = attempts.attempts_of(user, [r.id for r in all_rounds])
        for round_ in all_rounds:
            round_rows.append({"round": round_, "state": rounds.round_state(round_, now),
                               "attempts": mine.get(round_.id, []),
                               "action": attempts.member_action(round_, mine.get(round_.id, []), now)
                               if user is not None and user.has_role("member") else None})
    essay = None
    if contest.kind == "essay":
        from contest.essays.views import contest_section

        essay = contest_section(contest, user, now)
    from contest.results.exports import WHAT, WHAT_LABELS

    is_organiser = services.is_organiser(user)
    exports = [(what, WHAT_LABELS[what]) for what in WHAT[contest.kind]] if is_organiser else []
    return render_template("contests/show.html", contest=contest, state=services.contest_state(contest, now),
                           round_rows=round_rows, essay=essay, is_organiser=is_organiser, exports=exports,
                           may_take_part=user is not None and services.may_take_part(contest, user))


def _render_form(form: ContestForm, contest: Contest | None, status: int = 200):
    form.unit_id.choices = unit_choices(unit_tree())
    return render_template("contests/form.html", form=form, contest=contest), status


@bp.route("/organiser/contests/new", methods=["GET", "POST"])
@roles_required("organiser")
def create():
    form = ContestForm()
    if form.validate_on_submit():
        try:
            contest = services.create_contest(form.service_data(), signed_in_user())
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            return _render_form(form, None, exc.status)
        db.session.commit()
        flash(_("The contest “%(title)s” has been created.", title=contest.title), "success")
        if contest.kind == "essay":  # next: its theme, rules and categories
            return redirect(url_for("essays.settings", slug=contest.slug))
        return redirect(url_for("contests.show", slug=contest.slug))
    return _render_form(form, None, 422 if form.is_submitted() else 200)


@bp.route("/organiser/contests/<slug>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def edit(slug: str):
    contest = contest_or_404(slug)
    form = ContestForm() if request.method == "POST" else ContestForm.for_contest(contest)
    if form.validate_on_submit():
        try:
            services.update_contest(contest, form.service_data(), signed_in_user())
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            return _render_form(form, contest, exc.status)
        db.session.commit()
        flash(_("The contest has been saved."), "success")
        return redirect(url_for("contests.show", slug=contest.slug))
    return _render_form(form, contest, 422 if form.is_submitted() else 200)
