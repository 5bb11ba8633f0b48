"""Question bank pages for organisers: search, create, edit (with versions), preview, approve, import and export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.accounts.models import User
from contest.core.access import roles_required
from contest.core.clock import utcnow
from contest.core.errors import Conflict, Invalid, NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.core.text import nfc, unaccent
from contest.extensions import db
from contest.quiz import bank, bank_io
from contest.quiz.bank_forms import ActionForm, ImportForm, QuestionForm, form_data
from contest.quiz.models import Question

bp = Blueprint("quiz_bank", __name__, url_prefix="/organiser/questions")

# The import page lists at most this many problems; the count says how many there are in all.
SHOWN_ERRORS = 500


def _actor():
    return current_user._get_current_object()


def _question_or_404(question_id: int) -> Question:
    try:
        return bank.get_question(question_id)
    except NotFound:
        abort(404)


def search_filters(args) -> dict[str, Any]:
    """The list's filters from the query string; unknown values are ignored rather than refused."""
    difficulty = args.get("difficulty", "")
    status = args.get("status", "")
    kind = args.get("kind", "")
    sort = args.get("sort", "")
    return {
        "q": nfc(args.get("q"))[:200],
        "topic": nfc(args.get("topic"))[:bank.MAX_TOPIC],
        "status": status if status in (*bank.STATUS_LABELS, bank.ARCHIVED) else "",
        "difficulty": int(difficulty) if difficulty in ("1", "2", "3") else None,
        "kind": kind if kind in bank.KIND_LABELS else "",
        "sort": sort if sort in bank.SORTS else "topic",
    }


def _query_args(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters that are set, for links that keep them (pages, export)."""
    return {k: v for k, v in filters.items() if v not in ("", None) and not (k == "sort" and v == "topic")}


@bp.route("/")
@roles_required("organiser")
def index():
    filters = search_filters(request.args)
    page_number = request.args.get("page", "1")
    page_number = int(page_number) if page_number.isdecimal() and len(page_number) < 7 else 1
    page = bank.search(**filters, page=page_number)
    topics = bank.topics()
    totals = {"approved": sum(t.approved for t in topics), "draft": sum(t.draft for t in topics),
              "archived": bank.archived_count()}
    return render_template("quiz/bank/index.html", page=page, filters=filters, query_args=_query_args(filters),
                           topic_key=unaccent(filters["topic"]), topics=topics, totals=totals, labels=_labels(),
                           action=ActionForm())


def _labels() -> dict[str, Any]:
    return {"difficulty": bank.DIFFICULTY_LABELS, "kind": bank.KIND_LABELS, "status": bank.STATUS_LABELS}


def _apply_error(form: QuestionForm, exc: ServiceError) -> None:
    """The service's messages on the form; the options' messages (about the rows as a whole) above the rows."""
    options = exc.fields.get("options")
    if not options:
        apply_service_error(form, exc)
        return
    form.option_errors = list(options)
    flash(exc.message, "error")  # the rows are far down on a phone: say it at the top too
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if name != "options" and field is not None:
            field.errors = [*list(field.errors or []), *messages]


def _checked_data(form: QuestionForm) -> dict[str, Any]:
    """The form's question; Invalid when a row is marked correct without text (with the service's other
    complaints, so that everything wrong shows at once)."""
    data = form.service_data()
    problems = form.option_problems()
    if problems:
        fields: dict[str, list] = {}
        try:
            bank.clean_question(data)
        except Invalid as exc:
            fields = dict(exc.fields)
        fields["options"] = [*problems, *fields.get("options", [])]
        raise Invalid(problems[0], fields=fields)
    return data


def _duplicate_of(exc: ServiceError) -> Question | None:
    if isinstance(exc, Conflict) and exc.code == "duplicate_question":
        return db.session.get(Question, exc.extra.get("existing_id"))
    return None


@bp.route("/new", methods=["GET", "POST"])
@roles_required("organiser")
def create():
    if request.method == "GET":
        topic = nfc(request.args.get("topic"))[:bank.MAX_TOPIC]
        form = QuestionForm(formdata=None, data=form_data({"topic": topic}))
    else:
        form = QuestionForm()
    status = 200
    duplicate = None
    if form.validate_on_submit():
        try:
            question = bank.create_question(_checked_data(form), actor=_actor(),
                                            allow_duplicate=form.allow_duplicate.data)
        except ServiceError as exc:
            db.session.rollback()
            duplicate = _duplicate_of(exc)
            _apply_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Question %(id)d has been saved.", id=question.id), "success")
            if request.form.get("then") == "another":
                return redirect(url_for("quiz_bank.create", topic=question.topic))
            return redirect(url_for("quiz_bank.show", question_id=question.id))
    elif request.method == "POST":
        status = 422
    return render_template("quiz/bank/form.html", form=form, question=None, duplicate=duplicate,
                           topics=bank.topics()), status


def _history(question: Question) -> tuple[list, set[int], dict[int, User]]:
    in_use = bank.versions_in_use(question)
    ids = {v.created_by_id for v in question.versions if v.created_by_id}
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return list(reversed(question.versions)), in_use, authors


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@roles_required("organiser")
def edit(question_id: int):
    question = _question_or_404(question_id)
    if question.archived:
        flash(_("This question is archived. Restore it before editing it."), "warning")
        return redirect(url_for("quiz_bank.show", question_id=question.id))
    if request.method == "GET":
        form = QuestionForm(formdata=None, data=form_data(bank.question_data(question)))
    else:
        form = QuestionForm()
    status = 200
    duplicate = None
    if form.validate_on_submit():
        before = question.current_version.number
        try:
            bank.update_question(question, _checked_data(form), actor=_actor(),
                                 allow_duplicate=form.allow_duplicate.data)
        except ServiceError as exc:
            db.session.rollback()
            duplicate = _duplicate_of(exc)
            _apply_error(form, exc)
            status = exc.status
            question = _question_or_404(question_id)
        else:
            db.session.commit()
            number = question.current_version.number
            if number != before:
                flash(_("The question has been saved as version %(new)d. Attempts that drew version %(old)d keep "
                        "it unchanged.", new=number, old=before), "success")
            else:
                flash(_("Question %(id)d has been saved.", id=question.id), "success")
            return redirect(url_for("quiz_bank.show", question_id=question.id))
    elif request.method == "POST":
        status = 422
    versions, in_use, authors = _history(question)
    return render_template("quiz/bank/form.html", form=form, question=question, duplicate=duplicate,
                           topics=bank.topics(), versions=versions, in_use=in_use, authors=authors,
                           open_rounds=bank.open_rounds_using(question), labels=_labels()), status


@bp.route("/<int:question_id>")
@roles_required("organiser")
def show(question_id: int):
    question = _question_or_404(question_id)
    versions, in_use, authors = _history(question)
    return render_template("quiz/bank/show.html", question=question, version=question.current_version,
                           action=ActionForm(), labels=_labels(), versions=versions, in_use=in_use,
                           open_rounds=bank.open_rounds_using(question))


def _action(question_id: int, run, done):
    question = _question_or_404(question_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = run(question)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("quiz_bank.show", question_id=question_id))
    db.session.commit()
    return done(question, outcome)


@bp.route("/<int:question_id>/approve", methods=["POST"])
@roles_required("organiser")
def approve(question_id: int):
    def done(question, _outcome):
        flash(_("Question %(id)d is approved: rounds may draw it.", id=question.id), "success")
        return redirect(_back(question))

    return _action(question_id, lambda q: bank.set_status(q, "approved", actor=_actor()), done)


@bp.route("/<int:question_id>/unapprove", methods=["POST"])
@roles_required("organiser")
def unapprove(question_id: int):
    def done(question, _outcome):
        flash(_("Question %(id)d is a draft again: rounds will not draw it.", id=question.id), "success")
        return redirect(_back(question))

    return _action(question_id, lambda q: bank.set_status(q, "draft", actor=_actor()), done)


@bp.route("/<int:question_id>/delete", methods=["POST"])
@roles_required("organiser")
def delete(question_id: int):
    def done(question, outcome):
        if outcome == bank.ARCHIVED:
            flash(_("Question %(id)d has been archived: attempts drew it, so it is kept for them, but it is no "
                    "longer in the bank.", id=question_id), "success")
        else:
            flash(_("Question %(id)d has been deleted.", id=question_id), "success")
        return redirect(url_for("quiz_bank.index"))

    return _action(question_id, lambda q: bank.delete_question(q, actor=_actor()), done)


@bp.route("/<int:question_id>/restore", methods=["POST"])
@roles_required("organiser")
def restore(question_id: int):
    def done(question, _outcome):
        flash(_("Question %(id)d is back in the bank, as a draft.", id=question.id), "success")
        return redirect(url_for("quiz_bank.show", question_id=question.id))

    return _action(question_id, lambda q: bank.restore_question(q, actor=_actor()), done)


def _back(question: Question) -> str:
    """Back to the list the button was pressed on (same filters), else to the question."""
    target = request.form.get("next", "")
    if target.startswith(url_for("quiz_bank.index")) and "//" not in target and "\\" not in target:
        return target
    return url_for("quiz_bank.show", question_id=question.id)


# --- import and export ----------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@roles_required("organiser")
def import_questions():
    form = ImportForm()
    errors: list = []
    result = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = bank_io.import_questions(upload.filename or "", upload.read(), actor=_actor(),
                                              duplicates=form.duplicates.data)
        except bank_io.QuestionImportFailed as exc:
            db.session.rollback()
            errors = exc.errors
            flash(exc.message, "error")
            status = exc.status
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = exc.status
        else:
            db.session.commit()
            flash(bank_io.result_message(result), "success")
    elif request.method == "POST":
        status = 422
    max_rows = current_app.config.get("QUESTION_IMPORT_MAX_ROWS", bank_io.MAX_ROWS)
    return render_template("quiz/bank/import.html", form=form, errors=errors[:SHOWN_ERRORS],
                           error_count=len(errors), result=result, max_rows=max_rows,
                           columns=bank_io.COLUMN_NAMES), status


def _download(data: bytes, fmt: str, filename: str) -> Response:
    return Response(data, mimetype=bank_io.MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/export.<fmt>")
@roles_required("organiser")
def export(fmt: str):
    if fmt not in bank_io.FORMATS:
        abort(404)
    filters = search_filters(request.args)
    questions = db.session.scalars(bank.search_statement(**filters)).all()
    stamp = utcnow().strftime("%Y%m%d")
    return _download(bank_io.export_questions(questions, fmt), fmt, f"questions-{stamp}.{fmt}")


@bp.route("/import/sample.<fmt>")
@roles_required("organiser")
def sample(fmt: str):
    if fmt not in bank_io.FORMATS:
        abort(404)
    return _download(bank_io.sample_file(fmt), fmt, f"questions-sample.{fmt}")
