"""Quiz pages: a round, taking it (the answer sheet), the result with its review, and the organiser's round forms.

The answer sheet saves through the API from static/js/attempt.js; without JavaScript it is a plain form that
sends every answer with the submit.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from contest.contests import services as contests
from contest.contests.forms import to_local
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import Invalid, NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.extensions import db
from contest.quiz import attempts, rounds
from contest.quiz.forms import SERVICE_FIELDS, RoundForm, SubmitForm
from contest.quiz.models import Attempt, Round

bp = Blueprint("quiz", __name__)

# Service field -> the form field showing it, for rounds whose LOCKED_ONCE_TAKEN fields are frozen.
_FORM_FIELDS = {service: form for form, service in SERVICE_FIELDS.items() if service != "prizes"}


def _round_or_404(round_id: int) -> Round:
    try:
        return rounds.get_round_for(round_id, signed_in_user())
    except NotFound:
        abort(404)


@bp.app_template_filter("duration")
def duration_label(milliseconds: int | None) -> str:
    """A time taken, for people: "2:05" style minutes and seconds (hours when needed)."""
    if milliseconds is None:
        return ""
    seconds = int(milliseconds) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@bp.app_template_filter("limit_label")
def limit_label(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    if rest == 0:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=rest)


@bp.app_context_processor
def _labels():
    return {"round_state_labels": rounds.STATE_LABELS, "counting_labels": rounds.COUNTING_LABELS,
            "tiebreak_labels": rounds.TIEBREAK_LABELS, "review_labels": rounds.REVIEW_LABELS}


# --- members ----------------------------------------------------------------------------------------------

@bp.route("/rounds/<int:round_id>")
def round_page(round_id: int):
    round_ = _round_or_404(round_id)
    user = signed_in_user()
    now = clock.utcnow()
    mine: list[Attempt] = []
    if user is not None:
        if attempts.finalise_expired(round_id=round_.id, user_id=user.id, now=now):
            db.session.commit()
        mine = attempts.attempts_of(user, [round_.id])[round_.id]
    is_member = user is not None and user.has_role("member")
    organiser = contests.is_organiser(user)
    return render_template(
        "quiz/round.html", round=round_, contest=round_.contest, state=rounds.round_state(round_, now),
        attempts=mine, action=attempts.member_action(round_, mine, now) if is_member else None,
        in_progress=next((a for a in mine if a.status == "in_progress"), None),
        may_take_part=user is not None and contests.may_take_part(round_.contest, user),
        is_organiser=organiser, attempt_total=rounds.attempt_count(round_) if organiser else None,
        prizes=rounds.prizes(round_))


@bp.route("/rounds/<int:round_id>/start", methods=["POST"])
@login_required
def start(round_id: int):
    round_ = _round_or_404(round_id)  # CSRFProtect has checked the form's token already
    try:
        attempt, _created = attempts.start_attempt(round_, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")  # plain text: a flashed lazy string would come back as unescaped markup
        return redirect(url_for("quiz.round_page", round_id=round_.id))
    db.session.commit()
    return redirect(url_for("quiz.attempt_page", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@login_required
def attempt_page(attempt_id: int):
    user = signed_in_user()
    now = clock.utcnow()
    try:
        attempt = attempts.get_attempt_for(attempt_id, user, now)
    except NotFound:
        abort(404)
    db.session.commit()  # a lazy finalisation, if the attempt had expired
    view = attempts.get_attempt_view(attempt, user, now)
    round_ = attempt.round
    if attempt.status == "in_progress" and attempt.user_id == user.id:
        return render_template("quiz/attempt.html", attempt=attempt, view=view, round=round_,
                               contest=round_.contest, grace_ms=round_.grace_seconds * 1000)
    return render_template("quiz/attempt_result.html", attempt=attempt, view=view, round=round_,
                           contest=round_.contest, owner=attempt.user_id == user.id,
                           state=rounds.round_state(round_, now),
                           review_by=view.get("review") and {r["position"]: r for r in view["review"]})


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int):
    """The answer sheet without JavaScript: save every answer the form sends, then submit."""
    user = signed_in_user()
    form = SubmitForm()
    if not form.validate_on_submit():
        flash(_("The prediction must be a whole number, 0 or more."), "error")
        return redirect(url_for("quiz.attempt_page", attempt_id=attempt_id))
    attempt = db.session.get(Attempt, attempt_id) if rounds.is_row_id(attempt_id) else None
    if attempt is None or attempt.user_id != user.id:
        abort(404)
    if attempt.status == "in_progress":
        try:
            for position in range(1, len(attempt.questions) + 1):
                try:
                    attempts.save_answer(attempt.id, position, request.form.getlist(f"q{position}"), user)
                except Invalid:
                    continue  # a tampered field: that answer stays as it was
        except attempts.DeadlinePassed as exc:
            db.session.commit()
            flash(str(exc.message), "error")
            return redirect(url_for("quiz.attempt_page", attempt_id=attempt.id))
        db.session.commit()
    try:
        result = attempts.submit(attempt.id, user, form.prediction.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("quiz.attempt_page", attempt_id=attempt.id))
    db.session.commit()
    if result["status"] == "expired":
        flash(_("The time was over before the submit arrived; the answers saved in time count."), "warning")
    return redirect(url_for("quiz.attempt_page", attempt_id=attempt.id))


# --- organisers -------------------------------------------------------------------------------------------

def _place_errors(form: RoundForm, exc: ServiceError) -> None:
    reverse = {service: name for name, service in SERVICE_FIELDS.items()}
    exc.fields = {reverse.get(k, k): v for k, v in exc.fields.items()}
    apply_service_error(form, exc)


def _render_round_form(form: RoundForm, contest, round_: Round | None, locked: tuple[str, ...] = (),
                       status: int = 200):
    available = sorted(rounds.approved_counts().values())
    return render_template("quiz/round_form.html", form=form, contest=contest, round=round_,
                           locked={_FORM_FIELDS.get(f, f) for f in locked}, available=available,
                           bank_total=sum(n for _t, n in available)), status


@bp.route("/organiser/contests/<slug>/rounds/new", methods=["GET", "POST"])
@roles_required("organiser")
def create_round(slug: str):
    try:
        contest = contests.get_contest_for(slug, signed_in_user())
    except NotFound:
        abort(404)
    if contest.kind != "quiz":
        abort(404)
    if request.method == "GET":
        start_at = clock.utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form = RoundForm(formdata=None, data={"opens_at": to_local(start_at),
                                              "closes_at": to_local(start_at + timedelta(days=7))})
        return _render_round_form(form, contest, None)
    form = RoundForm()
    if not form.validate():
        return _render_round_form(form, contest, None, status=422)
    try:
        round_ = rounds.create_round(contest, form.service_data(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _place_errors(form, exc)
        return _render_round_form(form, contest, None, status=exc.status)
    db.session.commit()
    flash(_("The round “%(title)s” has been created.", title=round_.title), "success")
    return redirect(url_for("quiz.round_page", round_id=round_.id))


@bp.route("/organiser/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def edit_round(round_id: int):
    round_ = _round_or_404(round_id)
    contest = round_.contest
    locked = rounds.LOCKED_ONCE_TAKEN if rounds.attempt_count(round_) else ()
    if request.method == "GET":
        return _render_round_form(RoundForm.for_round(round_), contest, round_, locked)
    form = RoundForm(data=RoundForm.for_round(round_).data)
    for name in locked:
        # Frozen fields are shown disabled, so the browser does not send them: nothing to check.
        getattr(form, _FORM_FIELDS.get(name, name)).validators = []
    if not form.validate():
        return _render_round_form(form, contest, round_, locked, status=422)
    try:
        rounds.update_round(round_, form.service_data(skip=locked, round_=round_), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        _place_errors(form, exc)
        return _render_round_form(form, contest, round_, locked, status=exc.status)
    db.session.commit()
    flash(_("The round has been saved."), "success")
    return redirect(url_for("quiz.round_page", round_id=round_.id))

