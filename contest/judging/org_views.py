"""The organiser's judging pages: a writing contest's judging rounds, the round form with its rubric, a round's panel,
entries, assignments, conflicts and blind check, its progress (with reminders and extensions for one judge) and
its results (with the disagreement flags, agreement, reopening a score and advancing entries to a final round).

Every rule is in rounds.py, scoring.py and results.py; these views turn requests into service calls, a
ServiceError into errors on the form or a flash, and commit once per request. Organisers may see judges' names;
nothing here is shown to judges.
"""

from __future__ import annotations

import re
from datetime import timedelta
from math import ceil
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from contest.accounts.models import User
from contest.contests.forms import to_local
from contest.contests.models import Contest
from contest.contests.views import contest_or_404
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.extensions import db
from contest.judging import results, rounds, scoring
from contest.judging.forms import (
    AGGREGATION_HELP,
    AssignmentForm,
    ConflictForm,
    ReasonForm,
    RoundForm,
    judge_choices,
    rows_of,
)
from contest.judging.models import JudgingRound

bp = Blueprint("judging_admin", __name__)

ENTRIES_PER_PAGE = 100
STATUS_LABELS = scoring.STATUS_LABELS
# How to read Krippendorff's alpha, in one line.
ALPHA_HELP = _l("1 means the judges agree perfectly, 0 no better than chance; 0.667 or more is usually taken as "
                "acceptable agreement, below that the rubric or the judges may need a look.")


def _round_or_404(round_id: int) -> JudgingRound:
    try:
        return rounds.round_for(round_id)
    except NotFound:
        abort(404)


def _flash_error(exc: ServiceError) -> None:
    """The service's message, and any message of its fields that says more (plain strings: see apply_service_error).
    A refusal naming judges by id names them."""
    flash(str(exc.message), "error")
    for messages in exc.fields.values():
        for message in messages:
            if str(message) != str(exc.message):
                flash(str(message), "error")
    ids = exc.extra.get("judge_ids") or exc.extra.get("user_ids")
    numbers = [i for i in ids or [] if isinstance(i, int)]
    if numbers:
        names = [u.full_name for u in db.session.scalars(select(User).where(User.id.in_(numbers)))]
        if names:
            flash(_("Concerned: %(names)s.", names=", ".join(names)), "error")


def _back(round_: JudgingRound, default: str = "round_page") -> str:
    """Where a round's small forms return: the page they were posted from (round, progress or results)."""
    page = request.form.get("next")
    endpoint = {"progress": "progress", "results": "results_page"}.get(page, default)
    anchor = request.form.get("anchor", "")
    return url_for(f"judging_admin.{endpoint}", round_id=round_.id) + (
        f"#{anchor}" if re.fullmatch(r"[a-z0-9-]{1,40}", anchor) else "")


@bp.context_processor
def _labels():
    return {"judging_state_labels": rounds.STATE_LABELS, "judging_stage_labels": rounds.STAGE_LABELS,
            "judging_aggregation_labels": rounds.AGGREGATION_LABELS,
            "judging_status_labels": STATUS_LABELS}


@bp.app_template_filter("org_score")
def score_label(value: float | None) -> str:
    """A score for people: at most two decimals, no trailing zeros (locale's decimal sign)."""
    if value is None:
        return "—"
    from flask_babel import format_decimal

    return format_decimal(round(value, 2), format="#,##0.##")


# --- the rounds of a contest ------------------------------------------------------------------------------

@bp.route("/organiser/contests/<slug>/judging")
@roles_required("organiser")
def rounds_page(slug: str):
    contest = contest_or_404(slug, "essay")
    now = clock.utcnow()
    rows = []
    for round_ in rounds.rounds_of(contest):
        rows.append({"round": round_, "state": rounds.round_state(round_, now), "scale": rounds.total_scale(round_),
                     "entries": rounds.entry_count(round_), "panel": len(rounds.panel_of(round_)),
                     "progress": results.progress(round_)["totals"]})
    return render_template("judging/org_rounds.html", contest=contest, rows=rows)


# --- the round form ---------------------------------------------------------------------------------------

def _source_choices(contest: Contest, round_: JudgingRound | None) -> list[tuple[str, str]]:
    return [("", _("— choose a round —"))] + [(str(r.id), r.title) for r in rounds.rounds_of(contest)
                                             if round_ is None or r.id != round_.id]


def _render_form(form: RoundForm, contest: Contest, round_: JudgingRound | None, status: int = 200):
    form.advance_from.choices = _source_choices(contest, round_)
    frozen = {"criteria": round_ is not None and rounds.has_scores(round_),
              "source": round_ is not None and rounds.entries_taken(round_)}
    return render_template("judging/org_round_form.html", form=form, contest=contest, round=round_,
                           rows=form.display_rows(), aggregation_help=AGGREGATION_HELP, frozen=frozen), status


def _place_errors(form: RoundForm, exc: ServiceError) -> None:
    fields = form.place_criteria_errors(exc.fields)
    if "source" in fields:  # the source's problems concern the whole group: shown under its choices
        form.source.errors = [*list(form.source.errors or []), *[str(m) for m in fields.pop("source")]]
    if fields or not exc.fields:
        exc.fields = fields
        apply_service_error(form, exc)
    else:
        flash(str(exc.message), "error")


def _new_round_defaults(contest: Contest) -> RoundForm:
    """A preliminary round opening at the next hour for a week, or (from the results page's "advance") a final
    round taking the best entries of another round, with that round's rubric."""
    start = clock.utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    data: dict[str, Any] = {"stage": "preliminary", "judges_per_entry": 3, "aggregation": "mean",
                            "source": "submitted", "reveal_scores": "after_submit", "same_unit_conflicts": True,
                            "title": _("Preliminary round")}
    criteria: list[dict] = []
    source = None
    try:
        source = rounds.round_for(request.args["advance_from"]) if request.args.get("advance_from") else None
    except NotFound:
        source = None
    if source is not None and source.contest_id == contest.id:
        top = request.args.get("top", type=int)
        min_score = request.args.get("min_score", type=float)
        start = max(start, clock.as_utc(source.closes_at) + timedelta(hours=1))
        data.update(stage="final", title=_("Final round"), advance_from=str(source.id),
                    judges_per_entry=source.judges_per_entry, aggregation=source.aggregation,
                    reveal_scores=source.reveal_scores, same_unit_conflicts=source.same_unit_conflicts)
        if min_score is not None:
            data.update(source="min_score", advance_min_score=min_score)
        else:
            data.update(source="top", advance_top=top if top and top > 0 else 10)
        criteria = rows_of(source.criteria)
        for row in criteria:
            row["id"] = ""  # the final's own criteria, copied
    data.update(opens_at=to_local(start), closes_at=to_local(start + timedelta(days=7)))
    if not criteria:
        criteria = [{"id": "", "name": str(name), "max_score": "10", "weight": weight, "errors": []}
                    for name, weight in ((_l("Content"), "40"), (_l("Creativity"), "20"), (_l("Form"), "10"),
                                         (_l("Impact"), "30"))]
    return RoundForm(formdata=None, data=data, criteria=criteria)


@bp.route("/organiser/contests/<slug>/judging/new", methods=["GET", "POST"])
@roles_required("organiser")
def new_round(slug: str):
    contest = contest_or_404(slug, "essay")
    if request.method == "GET":
        return _render_form(_new_round_defaults(contest), contest, None)
    form = RoundForm()
    form.read_criteria(request.form)
    if not form.validate():
        return _render_form(form, contest, None, 422)
    try:
        round_ = rounds.create_round(contest, form.service_data(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _place_errors(form, exc)
        return _render_form(form, contest, None, exc.status)
    db.session.commit()
    flash(_("The judging round “%(title)s” has been created. Now choose its judges.", title=round_.title),
          "success")
    return redirect(url_for("judging_admin.round_page", round_id=round_.id))


@bp.route("/organiser/judging-rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def edit_round(round_id: int):
    round_ = _round_or_404(round_id)
    contest = round_.contest
    if request.method == "GET":
        return _render_form(RoundForm.for_round(round_), contest, round_)
    form = RoundForm()
    form.read_criteria(request.form)
    if rounds.entries_taken(round_):
        form.source.data = round_.source  # shown disabled: not sent
    if not form.validate():
        return _render_form(form, contest, round_, 422)
    try:
        rounds.update_round(round_, form.service_data(round_), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _place_errors(form, exc)
        return _render_form(form, contest, round_, exc.status)
    db.session.commit()
    flash(_("The judging round has been saved."), "success")
    return redirect(url_for("judging_admin.round_page", round_id=round_.id))


# --- a round: panel, entries, assignments, conflicts, blind check ----------------------------------------------

def _round_context(round_: JudgingRound, outcome: dict | None = None, **forms) -> dict[str, Any]:
    now = clock.utcnow()
    state = rounds.round_state(round_, now)
    panel = rounds.panel_of(round_)
    on_panel = {rj.user_id for rj in panel}
    rows = rounds.assignments_of(round_)
    by_entry: dict[int, list] = {}
    for a in rows:
        by_entry.setdefault(a.entry_id, []).append(a)
    entries = rounds.round_entries(round_)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pages = max(ceil(len(entries) / ENTRIES_PER_PAGE), 1)
    shown = entries[(page - 1) * ENTRIES_PER_PAGE: page * ENTRIES_PER_PAGE]
    short = sum(1 for re in entries if re.entry.status == "submitted"
                and len(by_entry.get(re.entry_id, [])) < round_.judges_per_entry)
    conflicts = rounds.conflicts_of(round_)
    names = {u.id: u.full_name for u in db.session.scalars(
        select(User).where(User.id.in_({c.judge_id for c in conflicts})))} if conflicts else {}
    codes = {e.entry_id: e.entry.code for e in entries}
    missing = [c.entry_id for c in conflicts if c.entry_id not in codes]
    if missing:
        from contest.essays.models import Entry

        codes.update(dict(db.session.execute(select(Entry.id, Entry.code).where(Entry.id.in_(missing))).all()))
    advancing = None
    if round_.source != "submitted" and not rounds.entries_taken(round_) and round_.advance_from is not None:
        ids = results.advancing(round_.advance_from, top=round_.advance_top, min_score=round_.advance_min_score)
        if ids:
            from contest.essays.models import Entry

            found = dict(db.session.execute(select(Entry.id, Entry.code).where(Entry.id.in_(ids))).all())
            advancing = [found[i] for i in ids if i in found]
        else:
            advancing = []
    choices = judge_choices(panel)
    assign_form = forms.get("assign_form") or AssignmentForm(formdata=None)
    conflict_form = forms.get("conflict_form") or ConflictForm(formdata=None)
    assign_form.judge_id.choices = choices
    conflict_form.judge_id.choices = choices
    return {
        "round": round_, "contest": round_.contest, "state": state, "scale": rounds.total_scale(round_),
        "panel": panel, "on_panel": on_panel, "accounts": rounds.judge_candidates(), "entries": shown,
        "entry_total": len(entries), "page": page, "pages": pages, "by_entry": by_entry, "short": short,
        "assignment_total": len(rows), "taken": rounds.entries_taken(round_), "conflicts": conflicts,
        "conflict_names": names, "codes": codes, "conflict_sources": _conflict_sources(conflicts, round_),
        "blind": results.blind_check(round_, now) if state != "closed" else None,
        "outcome": outcome, "assign_form": assign_form, "conflict_form": conflict_form,
        "advancing": advancing, "judge_choices": choices,
    }


def _conflict_sources(conflicts, round_: JudgingRound) -> dict[int, str]:
    """Who recorded each conflict: the judge themself or an organiser."""
    return {c.id: (_("declared by the judge") if c.declared_by_id == c.judge_id else _("added by an organiser"))
            for c in conflicts}


def _render_round(round_: JudgingRound, status: int = 200, **extra):
    return render_template("judging/org_round.html", **_round_context(round_, **extra)), status


@bp.route("/organiser/judging-rounds/<int:round_id>")
@roles_required("organiser")
def round_page(round_id: int):
    return _render_round(_round_or_404(round_id))


@bp.route("/organiser/judging-rounds/<int:round_id>/judges", methods=["POST"])
@roles_required("organiser")
def set_panel(round_id: int):
    round_ = _round_or_404(round_id)
    try:
        panel = rounds.set_judges(round_, request.form.getlist("judge_ids"), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
    else:
        db.session.commit()
        flash(ngettext("The panel has %(num)d judge.", "The panel has %(num)d judges.", len(panel)), "success")
    return redirect(url_for("judging_admin.round_page", round_id=round_.id) + "#panel")


@bp.route("/organiser/judging-rounds/<int:round_id>/take", methods=["POST"])
@roles_required("organiser")
def take_entries(round_id: int):
    round_ = _round_or_404(round_id)
    try:
        count = rounds.take_entries(round_, signed_in_user(), explicit=True)
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
    else:
        db.session.commit()
        flash(ngettext("The round has taken %(num)d entry.", "The round has taken %(num)d entries.", count),
              "success")
    return redirect(url_for("judging_admin.round_page", round_id=round_.id) + "#entries")


@bp.route("/organiser/judging-rounds/<int:round_id>/assign", methods=["POST"])
@roles_required("organiser")
def assign(round_id: int):
    """Assign automatically, then show the round with the outcome (what could not be assigned and why). Posting
    again is harmless: assignments already made are kept."""
    round_ = _round_or_404(round_id)
    try:
        outcome = rounds.assign(round_, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
        return redirect(url_for("judging_admin.round_page", round_id=round_.id))
    db.session.commit()
    flash(ngettext("%(new)d new assignment; the round now has %(num)d assignment.",
                   "%(new)d new assignments; the round now has %(num)d assignments.",
                   outcome["assignments"], new=outcome["new"]), "success")
    return _render_round(round_, outcome=outcome)


@bp.route("/organiser/judging-rounds/<int:round_id>/assignments", methods=["POST"])
@roles_required("organiser")
def add_assignment(round_id: int):
    round_ = _round_or_404(round_id)
    form = AssignmentForm()
    form.judge_id.choices = judge_choices(rounds.panel_of(round_))
    if not form.validate():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(_back(round_))
    try:
        row = rounds.add_assignment(round_, form.entry_code.data, form.judge_id.data, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
    else:
        db.session.commit()
        flash(_("%(judge)s now judges %(code)s.", judge=row.judge.full_name, code=row.entry.code), "success")
    return redirect(_back(round_))


def _assignment_or_404(assignment_id: int):
    try:
        return rounds.assignment_by_id(assignment_id)
    except NotFound:
        abort(404)


@bp.route("/organiser/judging-assignments/<int:assignment_id>/remove", methods=["POST"])
@roles_required("organiser")
def remove_assignment(assignment_id: int):
    row = _assignment_or_404(assignment_id)
    round_ = row.round
    label = {"judge": row.judge.full_name, "code": row.entry.code}
    try:
        rounds.remove_assignment(row, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
    else:
        db.session.commit()
        flash(_("%(judge)s no longer judges %(code)s.", **label), "success")
    return redirect(_back(round_))


@bp.route("/organiser/judging-assignments/<int:assignment_id>/swap", methods=["POST"])
@roles_required("organiser")
def swap_assignment(assignment_id: int):
    row = _assignment_or_404(assignment_id)
    round_ = row.round
    old = row.judge.full_name
    try:
        rounds.swap_assignment(row, request.form.get("judge_id"), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _flash_error(exc)
    else:
        db.session.commit()
        flash(_("%(code)s has moved from %(old)s to %(new)s.", code=row.entry.code, old=old,
                new=row.judge.full_name), "success")
    return redirect(_back(round_))


@bp.route("/organiser/judging-rounds/<int:round_id>/conflicts", methods=["POST"])
@roles_required("organiser")
def add_conflict(round_id: int):
    round_ = _round_or_404(round_id)
    form = ConflictForm()
    form.judge_id.choices = judge_choices(rounds.panel_of(round_))
    if not form.validate():
        return _render_round(round_, 422, conflict_form=form)
    try:
        rounds.take_entries(round_, signed_in_user())
        _row, outcome = rounds.add_conflict(round_, form.entry_code.data, form.judge_id.data, form.reason.data,
                                            signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_round(round_, exc.status, conflict_form=form)
    db.session.commit()
    flash(_("The conflict has been recorded."), "success")
    if outcome:
        flash(ngettext("%(num)d unsubmitted assignment was handed back; %(re)d went to another judge.",
                       "%(num)d unsubmitted assignments were handed back; %(re)d went to another judge.",
                       len(outcome), re=sum(outcome.values())), "info")
    return redirect(url_for("judging_admin.round_page", round_id=round_.id) + "#conflicts")


# --- progress ---------------------------------------------------------------------------------------------

def _render_progress(round_: JudgingRound, status: int = 200, form: ReasonForm | None = None,
                     form_judge: int | None = None):
    panel = {rj.user_id: rj for rj in rounds.panel_of(round_)}
    return render_template("judging/org_progress.html", round=round_, contest=round_.contest,
                           state=rounds.round_state(round_), progress=results.progress(round_), panel=panel,
                           form=form, form_judge=form_judge, blank=ReasonForm(formdata=None)), status


@bp.route("/organiser/judging-rounds/<int:round_id>/progress")
@roles_required("organiser")
def progress(round_id: int):
    return _render_progress(_round_or_404(round_id))


@bp.route("/organiser/judging-rounds/<int:round_id>/remind", methods=["POST"])
@roles_required("organiser")
def remind(round_id: int):
    round_ = _round_or_404(round_id)
    count = results.remind(round_, signed_in_user())
    db.session.commit()
    if count:
        flash(ngettext("A reminder has been mailed to %(num)d judge.", "A reminder has been mailed to %(num)d judges.",
                       count), "success")
    else:
        flash(_("Nobody is behind: no reminder was sent."), "info")
    return redirect(url_for("judging_admin.progress", round_id=round_.id))


@bp.route("/organiser/judging-rounds/<int:round_id>/extend", methods=["POST"])
@roles_required("organiser")
def extend(round_id: int):
    round_ = _round_or_404(round_id)
    judge_id = request.form.get("judge_id", type=int)
    form = ReasonForm()
    if not form.validate():
        return _render_progress(round_, 422, form, judge_id)
    try:
        judge = scoring.extend_for_judge(round_, judge_id, form.until_utc(), form.reason.data, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_progress(round_, exc.status, form, judge_id)
    db.session.commit()
    flash(_("%(judge)s may score in this round until %(until)s.", judge=judge.user.full_name,
            until=_dt(judge.extended_until)), "success")
    return redirect(url_for("judging_admin.progress", round_id=round_.id))


def _dt(value) -> str:
    from flask import current_app

    return current_app.jinja_env.filters["dt"](value)


# --- results ----------------------------------------------------------------------------------------------

def _advance_rule() -> tuple[str, int | None, float | None, list[str]]:
    """The advance preview's ?by=top|min_score&value=..., checked: (by, top, min_score, problems)."""
    by = request.args.get("by", "top")
    raw = (request.args.get("value") or "").strip().replace(",", ".")
    if by not in ("top", "min_score") or not raw:
        return (by if by in ("top", "min_score") else "top"), None, None, []
    if by == "top":
        if not raw.isdecimal() or int(raw) < 1 or len(raw) > 6:
            return by, None, None, [_("Give K as a whole number, 1 or more.")]
        return by, int(raw), None, []
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        return by, None, None, [_("Give the minimum score as a number, 0 or more.")]
    return by, None, value, []


def _render_results(round_: JudgingRound, status: int = 200, form: ReasonForm | None = None,
                    form_assignment: int | None = None):
    by, top, min_score, problems = _advance_rule()
    for problem in problems:
        flash(problem, "error")
    answer = results.results(round_, top=top, min_score=min_score)
    ids = {(a.entry_id, a.judge_id): a.id for a in rounds.assignments_of(round_)}
    panel = rounds.panel_of(round_)
    advancing = [i for i in answer["items"] if i.get("advances")] if (top or min_score is not None) else None
    return render_template(
        "judging/org_results.html", round=round_, contest=round_.contest, state=rounds.round_state(round_),
        answer=answer, assignment_ids=ids, panel=panel, by=by, top=top, min_score=min_score,
        value=request.args.get("value", ""), advancing=advancing, alpha_help=ALPHA_HELP, form=form,
        form_assignment=form_assignment, blank=ReasonForm(formdata=None),
        flagged=sum(1 for i in answer["items"] if i["flagged"])), status


@bp.route("/organiser/judging-rounds/<int:round_id>/results")
@roles_required("organiser")
def results_page(round_id: int):
    return _render_results(_round_or_404(round_id))


@bp.route("/organiser/judging-assignments/<int:assignment_id>/reopen", methods=["POST"])
@roles_required("organiser")
def reopen(assignment_id: int):
    row = _assignment_or_404(assignment_id)
    round_ = row.round
    form = ReasonForm()
    if not form.validate():
        return _render_results(round_, 422, form, row.id)
    try:
        scoring.reopen_assignment(row, form.until_utc(), form.reason.data, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_results(round_, exc.status, form, row.id)
    db.session.commit()
    flash(_("%(judge)s may change their score of %(code)s until %(until)s.", judge=row.judge.full_name,
            code=row.entry.code, until=_dt(row.reopened_until)), "success")
    return redirect(url_for("judging_admin.results_page", round_id=round_.id))


__all__ = ["bp"]
