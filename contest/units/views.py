"""Unit pages for administrators: the tree, create, rename, move, delete and the spreadsheet import."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.core.access import roles_required
from contest.core.errors import NotFound, ServiceError
from contest.core.forms import apply_service_error
from contest.core.text import nfc, sort_key, unaccent
from contest.extensions import db
from contest.units import imports, services
from contest.units.forms import DeleteUnitForm, ImportForm, MoveUnitForm, RenameUnitForm, UnitForm
from contest.units.models import Unit

bp = Blueprint("units", __name__, url_prefix="/admin/units")

# The import page lists at most this many problems; the count says how many there are in all.
SHOWN_ERRORS = 500


def _actor():
    return current_user._get_current_object()


def _unit_or_404(unit_id: int) -> Unit:
    try:
        return services.get_unit(unit_id)
    except NotFound:
        abort(404)


@bp.route("/")
@roles_required("admin")
def index():
    tree = services.unit_tree()
    counts = services.member_counts()
    totals = services.subtree_member_counts(tree, counts)
    q = nfc(request.args.get("q"))
    rows = tree
    if q:
        folded = unaccent(q)
        rows = [row for row in tree if folded in unaccent(row.name) or (row.code and folded in unaccent(row.code))]
    return render_template("units/index.html", rows=rows, total=len(tree), q=q, counts=counts, totals=totals)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def create():
    tree = services.unit_tree()
    form = UnitForm()
    if request.method == "GET":
        wanted = request.args.get("parent", "")
        form.parent_id.data = wanted if any(str(row.id) == wanted for row in tree) else ""
    status = 200
    if form.validate_on_submit():
        try:
            code = services.clean_unit_code(form.code.data)
            unit = services.create_unit(form.name.data, form.parent_id.data or None, actor=_actor(), code=code)
        except ServiceError as exc:
            db.session.rollback()
            apply_service_error(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(_("The unit “%(name)s” has been created.", name=unit.name), "success")
            return redirect(url_for("units.show", unit_id=unit.id))
    elif request.method == "POST":
        status = 422
    return render_template("units/new.html", form=form, tree=tree), status


def _render_unit(unit: Unit, status: int = 200, rename: RenameUnitForm | None = None,
                 move: MoveUnitForm | None = None, delete: DeleteUnitForm | None = None):
    tree = services.unit_tree()
    if rename is None:
        rename = RenameUnitForm(prefix="rename", formdata=None, data={"name": unit.name, "code": unit.code or ""})
    if move is None:
        move = MoveUnitForm(prefix="move", formdata=None, data={"parent_id": str(unit.parent_id or "")})
    delete = delete or DeleteUnitForm(prefix="delete", formdata=None)
    children = sorted(unit.children, key=lambda u: sort_key(u.name))
    counts = services.member_counts()
    subtree = services.descendant_ids(unit.id, tree)
    return render_template("units/show.html", unit=unit, ancestors=services.ancestors(unit), children=children,
                           members=counts.get(unit.id, 0), members_below=sum(counts.get(i, 0) for i in subtree),
                           subtree_size=len(subtree) - 1, rename=rename, move=move, delete=delete, tree=tree), status


@bp.route("/<int:unit_id>")
@roles_required("admin")
def show(unit_id: int):
    return _render_unit(_unit_or_404(unit_id))


@bp.route("/<int:unit_id>/rename", methods=["POST"])
@roles_required("admin")
def rename(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = RenameUnitForm(prefix="rename")
    if not form.validate_on_submit():
        return _render_unit(unit, 422, rename=form)
    try:
        if nfc(form.name.data) != unit.name:
            services.rename_unit(unit, form.name.data, actor=_actor())
        services.set_unit_code(unit, form.code.data, actor=_actor())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_unit(unit, exc.status, rename=form)
    db.session.commit()
    flash(_("The unit has been saved as “%(name)s”.", name=unit.name), "success")
    return redirect(url_for("units.show", unit_id=unit.id))


@bp.route("/<int:unit_id>/move", methods=["POST"])
@roles_required("admin")
def move(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = MoveUnitForm(prefix="move")
    if not form.validate_on_submit():
        return _render_unit(unit, 422, move=form)
    try:
        services.move_unit(unit, form.parent_id.data or None, actor=_actor())
    except ServiceError as exc:
        db.session.rollback()
        apply_service_error(form, exc)
        return _render_unit(unit, exc.status, move=form)
    db.session.commit()
    if unit.parent is None:
        flash(_("“%(name)s” is now a top-level unit.", name=unit.name), "success")
    else:
        flash(_("“%(name)s” now belongs to “%(parent)s”.", name=unit.name, parent=unit.parent.name), "success")
    return redirect(url_for("units.show", unit_id=unit.id))


@bp.route("/<int:unit_id>/delete", methods=["POST"])
@roles_required("admin")
def delete(unit_id: int):
    unit = _unit_or_404(unit_id)
    form = DeleteUnitForm(prefix="delete")
    if not form.validate_on_submit():
        return _render_unit(unit, 422, delete=form)
    name = unit.name
    try:
        services.delete_unit(unit, actor=_actor())
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render_unit(unit, exc.status, delete=form)
    db.session.commit()
    flash(_("The unit “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("units.index"))


def run_import(form: ImportForm, importer, template: str, done_message, done_endpoint: str, **context):
    """The upload page flow shared by the unit and member imports: all rows good, or nothing written."""
    errors: list[imports.RowError] = []
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = importer(upload.filename or "", upload.read())
        except imports.ImportFailed as exc:
            db.session.rollback()
            errors = exc.errors  # listed in a table, with the count, at the top of the page
            status = exc.status
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = exc.status
        else:
            db.session.commit()
            flash(done_message(len(created)), "success")
            return redirect(url_for(done_endpoint))
    elif request.method == "POST":
        status = 422
    max_rows = current_app.config.get("IMPORT_MAX_ROWS", imports.MAX_ROWS)
    return render_template(template, form=form, errors=errors[:SHOWN_ERRORS], error_count=len(errors),
                           max_rows=max_rows, **context), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_units():
    return run_import(
        ImportForm(), lambda name, data: imports.import_units(name, data, actor=_actor()), "units/import.html",
        lambda n: ngettext("%(num)d unit has been imported.", "%(num)d units have been imported.", n),
        "units.index")


def csv_download(rows, filename: str) -> Response:
    return Response(imports.sample_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/import/sample.csv")
@roles_required("admin")
def import_sample():
    return csv_download(imports.UNIT_SAMPLE, "units-sample.csv")
