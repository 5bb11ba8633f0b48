"""Judges' pages: their queue of assignments, and one assignment (the blind entry with the rubric to score it, saved
as a draft and submitted, or a conflict to declare).

Every rule is in scoring.py (what a judge may read, when scores may change, ranges, submission, conflicts); these
views only turn requests into its calls and its answers into pages. Blind: the pages show only what
scoring.assignment_view and scoring.my_assignments return, never the entry's author, unit or account. The rubric
autosaves through the API from static/js/judging-score.js; without JavaScript its form posts here.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contest.api.common import iso
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import NotFound, ServiceError
from contest.extensions import db
from contest.judging import rounds, scoring
from contest.web import api_url

bp = Blueprint("judging", __name__)


def _assignment_or_404(assignment_id: int):
    try:
        return scoring.assignment_for_judge(assignment_id, signed_in_user())
    except NotFound:
        abort(404)


@bp.app_context_processor
def _labels():
    return {"judging_status_labels": scoring.STATUS_LABELS, "judging_state_labels": rounds.STATE_LABELS}


@bp.app_template_filter("judge_score")
def score_filter(value: Any) -> str:
    """A score or total as people write it: 7.5, 8, 81.25 (no trailing zeros), in the page's language."""
    if value is None:
        return "—"
    from flask_babel import format_decimal

    return format_decimal(round(float(value), 2), format="#,##0.##")


# --- the queue ---------------------------------------------------------------------------------------------

def _rounds_of(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The queue's items grouped by round, in the order scoring.my_assignments gives them (open rounds first)."""
    groups: dict[int, dict[str, Any]] = {}
    for item in items:
        group = groups.get(item["round_id"])
        if group is None:
            group = groups[item["round_id"]] = {
                "id": item["round_id"], "title": item["round"], "state": item["round_state"],
                "opens_at": item["opens_at"], "closes_at": item["closes_at"], "items": []}
        group["items"].append(item)
        group["closes_at"] = max(group["closes_at"], item["closes_at"])
    for group in groups.values():
        group["submitted"] = sum(1 for i in group["items"] if i["status"] == "submitted")
        group["total"] = len(group["items"])
    return list(groups.values())


@bp.route("/judging")
@roles_required("judge")
def queue():
    items = scoring.my_assignments(signed_in_user())
    return render_template("judging/queue.html", groups=_rounds_of(items))


# --- one assignment ----------------------------------------------------------------------------------------

def _number(text: str) -> float | None | str:
    """A score typed in the no-script form: None when empty, a float, or the text back when it is no number."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _posted(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], str, dict[str, list[str]]]:
    """The rubric form's scores, comments and overall comment as the service takes them, and the fields that are
    not numbers at all (the service checks the ranges)."""
    scores: dict[str, Any] = {}
    comments: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for criterion in view["criteria"]:
        key = str(criterion["id"])
        if f"score-{key}" in request.form:
            value = _number(request.form[f"score-{key}"])
            if isinstance(value, str):
                errors[f"scores.{key}"] = [_("“%(name)s”: give a score from 0 to %(max)s.", name=criterion["name"],
                                             max=f"{criterion['max_score']:g}")]
            else:
                scores[key] = value
        if f"comment-{key}" in request.form:
            comments[key] = request.form[f"comment-{key}"]
    return scores, comments, request.form.get("comment", ""), errors


def _page(row, view: dict[str, Any], *, status: int = 200, errors: dict[str, list[str]] | None = None,
          typed: dict[str, Any] | None = None):
    """The assignment page; after a refused post, `typed` keeps what the judge typed and `errors` says why."""
    values = {key: ("" if value is None else scoring_value(value)) for key, value in view["scores"].items()}
    comments = dict(view["comments"])
    comment = view["comment"]
    if typed is not None:
        values.update(typed["scores"])
        comments.update(typed["comments"])
        comment = typed["comment"]
    return render_template(
        "judging/assignment.html", view=view, values=values, comments=comments, comment=comment,
        errors={k: [str(m) for m in v] for k, v in (errors or {}).items()},
        save_url=api_url(f"assignments/{row.id}/scores"), saved_at=iso(view["saved_at"]) or ""), status


def scoring_value(value: float) -> str:
    """A stored score in a number input: 7.5, 8 (a dot, whatever the language: inputs take no commas)."""
    return f"{value:g}"


@bp.route("/judging/assignments/<int:assignment_id>", methods=["GET", "POST"])
@roles_required("judge")
def assignment(assignment_id: int):
    row = _assignment_or_404(assignment_id)
    try:
        view = scoring.assignment_view(row)
    except ServiceError as exc:  # the round has not opened yet
        flash(str(exc.message), "warning")
        return redirect(url_for("judging.queue"))
    if request.method == "GET":
        return _page(row, view)

    scores, comments, comment, errors = _posted(view)
    submit = request.form.get("action") == "submit"
    typed = {"scores": {str(c["id"]): request.form[f"score-{c['id']}"] for c in view["criteria"]
                        if f"score-{c['id']}" in request.form},
             "comments": comments, "comment": comment}
    if errors:
        flash(_("Some scores are outside their criterion's range."), "error")
        return _page(row, view, status=422, errors=errors, typed=typed)
    try:
        scoring.save_scores(row, signed_in_user(), scores, comments, comment, submit=submit)
    except ServiceError as exc:
        db.session.rollback()
        row = _assignment_or_404(assignment_id)
        view = scoring.assignment_view(row)
        flash(str(exc.message), "error")
        return _page(row, view, status=exc.status, errors=exc.fields, typed=typed)
    db.session.commit()
    if submit:
        flash(_("Your scores have been submitted."), "success")
    else:
        flash(_("Your draft has been saved."), "success")
    return redirect(url_for("judging.assignment", assignment_id=row.id))


@bp.route("/judging/assignments/<int:assignment_id>/conflict", methods=["POST"])
@roles_required("judge")
def conflict(assignment_id: int):
    row = _assignment_or_404(assignment_id)
    try:
        outcome = scoring.declare_conflict(row, signed_in_user(), request.form.get("reason", ""))
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("judging.assignment", assignment_id=assignment_id) + "#conflict")
    db.session.commit()
    if outcome["removed"]:
        flash(_("Thank you: the conflict is recorded and the entry has been handed back for another judge."),
              "success")
    else:
        flash(_("The conflict is recorded. Your submitted score stays until an organiser decides otherwise."),
              "info")
    return redirect(url_for("judging.queue"))
