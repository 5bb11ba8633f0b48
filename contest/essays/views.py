"""Writing-contest pages: the essay part of a contest page, a writer's entries (new, the editor, the read-only view,
the receipt, versions), attachments served from outside the web root, and the organiser's settings, categories
and entries (list, filters, exports, one entry, disqualification).

Every rule is in services.py (who may see or change what, and when); these views only turn requests into service
calls and answers into pages. The editor saves through the API from static/js/essay-editor.js; without JavaScript
its form posts here with the version it was shown, so a stale page can never overwrite a newer save.
"""

from __future__ import annotations

from math import ceil

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import login_required

from contest.contests.models import Contest
from contest.contests.views import contest_or_404
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.essays import services
from contest.essays.forms import (
    CategoryForm,
    DisqualifyForm,
    EntryFilterForm,
    EntryForm,
    NewEntryForm,
    SettingsForm,
    SubmitEntryForm,
    category_choices,
    coauthors_from,
)
from contest.essays.models import Entry
from contest.extensions import db
from contest.units.services import unit_tree
from contest.web import api_url

bp = Blueprint("essays", __name__)

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")
HISTORY_LABELS = {
    "essay.created": _l("Entry created"), "essay.saved": _l("Changed after submission"),
    "essay.submitted": lazy_pgettext("status", "Submitted"), "essay.resubmitted": _l("Submitted again"),
    "essay.withdrawn": _l("Withdrawn"), "essay.disqualified": _l("Disqualified"),
    "essay.reinstated": _l("Reinstated"), "essay.restored": _l("Earlier version restored"),
    "essay.attachment_added": _l("Attachment added"), "essay.attachment_removed": _l("Attachment removed"),
}


def _entry_or_404(entry_id: int) -> Entry:
    try:
        return services.entry_for(signed_in_user(), entry_id)
    except NotFound:
        abort(404)


@bp.app_context_processor
def _labels():
    return {"essay_status_labels": services.STATUS_LABELS, "essay_state_labels": services.STATE_LABELS}


@bp.app_template_filter("word_limits")
def word_limits(category) -> str:
    low, high = category.min_words, category.max_words
    if low is not None and high is not None:
        return _("%(low)s to %(high)s words", low=_number(low), high=_number(high))
    if low is not None:
        return _("at least %(low)s words", low=_number(low))
    if high is not None:
        return _("at most %(high)s words", high=_number(high))
    return _("no word limit")


def _number(value: int) -> str:
    from flask_babel import format_decimal

    return format_decimal(value)


def contest_section(contest: Contest, user, now=None) -> dict:
    """What the contest page (contests/show.html) shows of a writing contest, for whoever is reading."""
    now = now or clock.utcnow()
    return {
        "settings": services.settings_for(contest, persist=False),
        "categories": services.categories_of(contest),
        "state": services.submissions_state(contest, now),
        "may_write": services.may_write(contest, user, now),
        "entries": services.entries_of(user, contest, include_coauthored=True) if user is not None else [],
    }


# --- writers -----------------------------------------------------------------------------------------------

@bp.route("/contests/<slug>/entries/new", methods=["GET", "POST"])
@login_required
def new_entry(slug: str):
    contest = contest_or_404(slug, "essay")
    user = signed_in_user()
    categories = services.categories_of(contest)
    form = NewEntryForm()
    form.category_id.choices = category_choices(categories)
    if request.method == "GET" and len(categories) == 1:
        form.category_id.data = str(categories[0].id)
    status = 200
    if form.validate_on_submit():
        try:
            entry = services.create_entry(contest, user, form.service_data())
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            return redirect(url_for("essays.edit", entry_id=entry.id))
    elif form.is_submitted():
        status = 422
    return render_template("essays/new_entry.html", form=form, contest=contest, categories=categories,
                           may_write=services.may_write(contest, user),
                           settings=services.settings_for(contest, persist=False)), status


def _editor(entry: Entry, form: EntryForm, status: int = 200, coauthors: list[dict] | None = None):
    contest = entry.contest
    settings = services.settings_for(contest, persist=False)
    categories = services.categories_of(contest)
    form.category_id.choices = category_choices(categories)
    if coauthors is None:
        coauthors = [{"full_name": c.full_name, "email": c.email} for c in entry.coauthors]
    limits = {str(c.id): [c.min_words, c.max_words] for c in categories}
    return render_template(
        "essays/editor.html", entry=entry, contest=contest, form=form, settings=settings, categories=categories,
        limits=limits, coauthors=coauthors or [{"full_name": "", "email": ""}],
        attachments=services.live_attachments(entry), submit_form=SubmitEntryForm(formdata=None,
                                                                                  publish_consent=entry.publish_consent),
        save_url=api_url(f"entries/{entry.id}"), upload_url=api_url(f"entries/{entry.id}/attachments"),
        state=services.submissions_state(contest)), status


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    user = signed_in_user()
    try:
        services.require_author(entry, user)
    except ServiceError:
        return redirect(url_for("essays.entry", entry_id=entry.id))
    if not services.is_editable(entry):
        # After the close (or a disqualification) the entry is read-only; its page says why.
        return redirect(url_for("essays.entry", entry_id=entry.id))
    if request.method == "GET":
        return _editor(entry, EntryForm.for_entry(entry))
    form = EntryForm()
    coauthors = coauthors_from(request.form) if services.settings_for(entry.contest, persist=False).allow_collective \
        else None
    if not form.validate():
        return _editor(entry, form, 422, coauthors)
    try:
        services.save_entry(entry, user, form.service_data(coauthors), form.base_version())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        if exc.code == "version_conflict":
            # The writer's text is still in this form; the page shows it and how to go on.
            form.version.data = str(services.entry_for(user, entry.id).version)
        return _editor(entry, form, exc.status, coauthors)
    db.session.commit()
    flash(_("Your entry has been saved (version %(n)d).", n=entry.version), "success")
    return redirect(url_for("essays.edit", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/submit", methods=["POST"])
@login_required
def submit(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = SubmitEntryForm()
    if not form.validate():
        abort(400)
    try:
        services.submit_entry(entry, signed_in_user(), bool(form.pledge.data), bool(form.publish_consent.data))
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "error")
        for messages in exc.fields.values():
            for message in messages:
                if str(message) != str(exc.message):
                    flash(str(message), "error")
        return redirect(url_for("essays.edit", entry_id=entry.id))
    db.session.commit()
    flash(_("Your entry has been submitted. Keep the receipt code."), "success")
    return redirect(url_for("essays.receipt", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/withdraw", methods=["POST"])
@login_required
def withdraw(entry_id: int):
    entry = _entry_or_404(entry_id)
    try:
        services.withdraw_entry(entry, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Your entry has been withdrawn. You can submit it again until submissions close."), "success")
    return redirect(url_for("essays.entry", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    user = signed_in_user()
    return render_template(
        "essays/entry.html", entry=entry, contest=entry.contest, is_author=entry.author_id == user.id,
        editable=entry.author_id == user.id and services.is_editable(entry),
        state=services.submissions_state(entry.contest), history=services.entry_history(entry),
        history_labels=HISTORY_LABELS, attachments=services.live_attachments(entry),
        submitted=services.submitted_content(entry))


@bp.route("/entries/<int:entry_id>/receipt")
@login_required
def receipt(entry_id: int):
    entry = _entry_or_404(entry_id)
    if entry.code is None or entry.submitted_at is None:
        abort(404)
    return render_template("essays/receipt.html", entry=entry, contest=entry.contest,
                           submitted=services.submitted_content(entry))


@bp.route("/entries/<int:entry_id>/versions")
@login_required
def versions(entry_id: int):
    entry = _entry_or_404(entry_id)
    user = signed_in_user()
    return render_template("essays/versions.html", entry=entry, contest=entry.contest,
                           versions=services.versions_of(entry),
                           may_restore=entry.author_id == user.id and services.is_editable(entry))


@bp.route("/entries/<int:entry_id>/versions/<int:number>")
@login_required
def version(entry_id: int, number: int):
    entry = _entry_or_404(entry_id)
    user = signed_in_user()
    try:
        row = services.version_of(entry, number)
    except NotFound:
        abort(404)
    return render_template("essays/version.html", entry=entry, contest=entry.contest, version=row,
                           may_restore=entry.author_id == user.id and services.is_editable(entry)
                           and row.number != entry.version)


@bp.route("/entries/<int:entry_id>/versions/<int:number>/restore", methods=["POST"])
@login_required
def restore(entry_id: int, number: int):
    entry = _entry_or_404(entry_id)
    base = request.form.get("version", type=int)
    try:
        services.restore_version(entry, signed_in_user(), number, base)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "error")
        return redirect(url_for("essays.version", entry_id=entry.id, number=number))
    db.session.commit()
    flash(_("Version %(old)d has been restored as version %(new)d.", old=number, new=entry.version), "success")
    return redirect(url_for("essays.edit", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/attachments", methods=["POST"])
@login_required
def upload(entry_id: int):
    """Attachments without JavaScript (the editor's script uploads through the API)."""
    entry = _entry_or_404(entry_id)
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("essays.edit", entry_id=entry.id))
    try:
        services.add_attachment(entry, signed_in_user(), upload_file.filename, upload_file.read())
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The file has been attached."), "success")
    return redirect(url_for("essays.edit", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove_attachment(entry_id: int, attachment_id: int):
    entry = _entry_or_404(entry_id)
    try:
        services.remove_attachment(entry, signed_in_user(), attachment_id)
    except ServiceError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The attachment has been removed."), "success")
    return redirect(url_for("essays.edit", entry_id=entry.id))


@bp.route("/essays/files/<key>")
@login_required
def file(key: str):
    from contest.essays import files

    try:
        attachment = services.attachment_by_key(signed_in_user(), key)
        path = files.path_for(attachment.key)
    except NotFound:
        abort(404)
    extension = path.suffix.lstrip(".")
    resp = send_file(path, mimetype=attachment.content_type, conditional=True, max_age=0)
    # Never the original name: it is the writer's, and a header is no place for what they typed.
    resp.headers["Content-Disposition"] = f'inline; filename="attachment-{attachment.id}.{extension}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    if attachment.kind == "pdf":
        # A PDF opened in the browser's viewer runs in a sandbox: no scripts, no forms, no same-origin access.
        resp.headers["Content-Security-Policy"] = "sandbox"
    return resp


# --- organisers: settings and categories ----------------------------------------------------------------------

def _render_settings(contest: Contest, form: SettingsForm, status: int = 200, category_form=None,
                     edit_forms=None):
    categories = services.categories_of(contest)
    edit_forms = edit_forms or {}
    for category in categories:
        edit_forms.setdefault(category.id, CategoryForm.for_category(category, prefix=f"c{category.id}"))
    return render_template("essays/settings.html", contest=contest, form=form,
                           category_form=category_form or CategoryForm(formdata=None, prefix="new"),
                           categories=categories, edit_forms=edit_forms), status


@bp.route("/organiser/contests/<slug>/essay-settings", methods=["GET", "POST"])
@roles_required("organiser")
def settings(slug: str):
    contest = contest_or_404(slug, "essay")
    if request.method == "GET":
        return _render_settings(contest, SettingsForm.for_settings(services.settings_for(contest, persist=False)))
    form = SettingsForm()
    if not form.validate():
        return _render_settings(contest, form, 422)
    try:
        services.update_settings(contest, form.service_data(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_settings(contest, form, exc.status)
    db.session.commit()
    flash(_("The settings have been saved."), "success")
    return redirect(url_for("essays.settings", slug=contest.slug))


@bp.route("/organiser/contests/<slug>/categories", methods=["POST"])
@roles_required("organiser")
def add_category(slug: str):
    contest = contest_or_404(slug, "essay")
    form = CategoryForm(prefix="new")
    settings_form = SettingsForm.for_settings(services.settings_for(contest, persist=False))
    if not form.validate():
        return _render_settings(contest, settings_form, 422, category_form=form)
    try:
        services.add_category(contest, form.service_data(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_settings(contest, settings_form, exc.status, category_form=form)
    db.session.commit()
    flash(_("The category has been added."), "success")
    return redirect(url_for("essays.settings", slug=contest.slug) + "#categories")


def _category_or_404(category_id: int):
    try:
        category = services.category_for(category_id, signed_in_user())
    except NotFound:
        abort(404)
    return category


@bp.route("/organiser/categories/<int:category_id>/edit", methods=["POST"])
@roles_required("organiser")
def edit_category(category_id: int):
    category = _category_or_404(category_id)
    contest = category.contest
    form = CategoryForm(prefix=f"c{category.id}")
    settings_form = SettingsForm.for_settings(services.settings_for(contest, persist=False))
    if not form.validate():
        return _render_settings(contest, settings_form, 422, edit_forms={category.id: form})
    try:
        services.update_category(category, form.service_data(), signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_settings(contest, settings_form, exc.status, edit_forms={category.id: form})
    db.session.commit()
    flash(_("The category has been saved."), "success")
    return redirect(url_for("essays.settings", slug=contest.slug) + "#categories")


@bp.route("/organiser/categories/<int:category_id>/delete", methods=["POST"])
@roles_required("organiser")
def delete_category(category_id: int):
    category = _category_or_404(category_id)
    slug = category.contest.slug
    try:
        services.delete_category(category, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The category has been removed."), "success")
    return redirect(url_for("essays.settings", slug=slug) + "#categories")


# --- organisers: entries -----------------------------------------------------------------------------------------

def _filter_form(contest: Contest) -> EntryFilterForm:
    form = EntryFilterForm(request.args)
    form.category.choices = [("", _("Any category"))] + [(str(c.id), c.name)
                                                           for c in services.categories_of(contest)]
    form.unit.choices = [("", _("Any unit"))] + [(str(row.id), "\u00a0\u00a0" * row.depth + row.name)
                                                  for row in unit_tree()]
    return form


@bp.route("/organiser/contests/<slug>/entries")
@roles_required("organiser")
def entries(slug: str):
    contest = contest_or_404(slug, "essay")
    form = _filter_form(contest)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    try:
        items, total = services.list_entries(contest, **form.filters(), limit=PAGE_SIZE,
                                             offset=(page - 1) * PAGE_SIZE, actor=signed_in_user())
    except ServiceError as exc:
        flash(str(exc.message), "error")
        items, total = [], 0
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("essays/org_entries.html", contest=contest, form=form, items=items, total=total,
                           page=page, pages=max(ceil(total / PAGE_SIZE), 1), args=args,
                           flagged=services.flagged_ids(contest),
                           similarity_path=f"/organiser/contests/{contest.slug}/similarity")


@bp.route("/organiser/contests/<slug>/entries/export.<fmt>")
@roles_required("organiser")
def export(slug: str, fmt: str):
    from flask import Response

    from contest.essays import exports

    contest = contest_or_404(slug, "essay")
    if fmt not in EXPORT_FORMATS:
        abort(404)
    data, mimetype, filename = exports.entries_workbook(contest, fmt, actor=signed_in_user())
    db.session.commit()  # the export is recorded in the audit log (personal data)
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/organiser/entries/<int:entry_id>")
@roles_required("organiser")
def org_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    return _render_org_entry(entry, DisqualifyForm(formdata=None))


def _render_org_entry(entry: Entry, form: DisqualifyForm, status: int = 200):
    return render_template(
        "essays/org_entry.html", entry=entry, contest=entry.contest, form=form,
        submitted=services.submitted_content(entry), versions=services.versions_of(entry),
        attachments=entry.attachments, history=services.entry_history(entry), history_labels=HISTORY_LABELS,
        flagged=entry.id in services.flagged_ids(entry.contest)), status


@bp.route("/organiser/entries/<int:entry_id>/disqualify", methods=["POST"])
@roles_required("organiser")
def disqualify(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = DisqualifyForm()
    if not form.validate():
        return _render_org_entry(entry, form, 422)
    try:
        services.disqualify_entry(entry, signed_in_user(), form.reason.data)
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_org_entry(entry, form, exc.status)
    db.session.commit()
    flash(_("The entry has been disqualified; the writer has been told why."), "success")
    return redirect(url_for("essays.org_entry", entry_id=entry.id))


@bp.route("/organiser/entries/<int:entry_id>/reinstate", methods=["POST"])
@roles_required("organiser")
def reinstate(entry_id: int):
    entry = _entry_or_404(entry_id)
    try:
        services.reinstate_entry(entry, signed_in_user())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The entry is back in the contest."), "success")
    return redirect(url_for("essays.org_entry", entry_id=entry.id))

