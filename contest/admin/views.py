"""Administration pages: the dashboard, members and their roles, the member import and the audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from contest.accounts import services as accounts
from contest.accounts.models import ROLE_LABELS, ROLES, User
from contest.admin import services
from contest.admin.forms import ImportForm, RolesForm
from contest.contests.models import Contest
from contest.core.access import roles_required
from contest.core.errors import NotFound, ServiceError
from contest.extensions import db
from contest.units import imports
from contest.units.services import ancestors, unit_tree
from contest.units.views import csv_download, run_import

bp = Blueprint("admin", __name__, url_prefix="/admin")


# Names of the details the services write to the audit log; others are shown by their key.
DETAIL_LABELS = {
    "role": _l("Role"), "email": _l("Email"), "name": _l("Name"), "old": _l("Before"), "new": _l("After"),
    "parent_id": _l("Parent unit"), "old_parent_id": _l("Previous parent unit"),
    "new_parent_id": _l("New parent unit"), "count": _l("Count"), "filename": _l("File"), "source": _l("Source"),
    "contest_id": _l("Contest"), "contest": _l("Contest"), "title": _l("Title"), "reason": _l("Reason"),
    "code": _l("Code"), "changes": _l("Changes"), "what": _l("What"), "format": _l("Format"), "rows": _l("Rows"),
    "republished": _l("Published again"), "awards": _l("Awards"), "certificates": _l("Certificates"),
}
_SOURCES = {"import": _l("spreadsheet import")}


def describe_details(entry, units: dict, contests: dict | None = None) -> list[tuple[object, object]]:
    """The details of an audit entry as (label, value) pairs for people: role names, unit and contest names, no
    ids."""
    pairs = []
    for key, value in (entry.details or {}).items():
        if key == "email" and entry.target_type == "user":
            continue  # shown as the target
        if key == "contest_id" and entry.target_type == "contest" and str(value) == entry.target_id:
            continue  # shown as the target
        if key == "contest_id" and contests and value in contests:
            value = contests[value].title
        elif key == "role":
            value = ROLE_LABELS.get(value, value)
        elif key.endswith("parent_id"):
            value = units[value].name if value in units else (_("top level") if value is None else f"#{value}")
        elif key == "source":
            value = _SOURCES.get(value, value)
        elif value is None or value == "":
            value = "—"
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        pairs.append((DETAIL_LABELS.get(key, key), value))
    return pairs


@bp.context_processor
def _page_links():
    def page_url(page: int) -> str:
        args = request.args.to_dict()
        args["page"] = page
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    return {"page_url": page_url}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


@bp.route("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html", counts=services.dashboard_counts())


@bp.route("/users")
@roles_required("admin")
def users():
    tree = unit_tree()
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    unit_id = _int_arg("unit")
    page = services.search_users(q=q, role=role, unit_id=unit_id, page=_int_arg("page") or 1, tree=tree)
    paths = {row.id: row.path_label for row in tree}
    return render_template("admin/users.html", page=page, tree=tree, paths=paths, q=q,
                           role=role if role in ROLES else "", unit_id=unit_id, roles=ROLES)


def _user_or_404(user_id: int) -> User:
    try:
        return accounts.get_user(user_id)
    except NotFound:
        abort(404)


def _render_user(user: User, status: int = 200):
    form = RolesForm(formdata=None, data={"roles": user.roles})
    chain = [*ancestors(user.unit), user.unit] if user.unit is not None else []
    return render_template("admin/user.html", user=user, form=form, unit_chain=chain, roles=ROLES), status


@bp.route("/users/<int:user_id>")
@roles_required("admin")
def user(user_id: int):
    return _render_user(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@roles_required("admin")
def user_roles(user_id: int):
    user = _user_or_404(user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        flash(_("The form could not be read. Please try again."), "error")
        return _render_user(user, 422)
    try:
        accounts.set_roles(user, form.roles.data, actor=current_user._get_current_object(), ip=request.remote_addr)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render_user(user, exc.status)
    db.session.commit()
    flash(_("The roles of %(name)s have been saved.", name=user.full_name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"])
@roles_required("admin")
def import_users():
    actor = current_user._get_current_object()
    return run_import(
        ImportForm(), lambda name, data: imports.import_members(name, data, actor=actor, ip=request.remote_addr),
        "admin/import_users.html",
        lambda n: ngettext("%(num)d account has been created.", "%(num)d accounts have been created.", n),
        "admin.users", roles=ROLES)


@bp.route("/users/import/sample.csv")
@roles_required("admin")
def import_users_sample():
    return csv_download(imports.MEMBER_SAMPLE, "members-sample.csv")


def _date_arg(name: str, errors: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Not a date: give it as year-month-day, e.g. 2026-05-19.")
        return None


@bp.route("/audit")
@roles_required("admin")
def audit():
    """The audit log, filtered by action, who did it, the contest or the kind of thing (and its id) it concerns,
    and a range of days in Vietnam time. A filter that cannot be read is said so and left out."""
    action = request.args.get("action", "").strip()
    actor = request.args.get("actor", "").strip()
    target = request.args.get("target", "").strip()[:32]
    target_id = request.args.get("target_id", "").strip()[:64]
    errors: dict[str, str] = {}
    since, until = _date_arg("since", errors), _date_arg("until", errors)
    if since and until and until < since:
        errors["until"] = _("The last day is before the first day.")
        since = until = None
    contest_id = _int_arg("contest")
    contest = db.session.get(Contest, contest_id) if contest_id is not None else None
    if request.args.get("contest", "").strip() and contest is None:
        errors["contest"] = _("No such contest.")
    page = services.audit_entries(action=action or None, actor_email=actor or None, page=_int_arg("page") or 1,
                                  contest=contest, target_type=target or None, target_id=target_id or None,
                                  since=since, until=until)
    users, units = services.targets_of(page.items)
    return render_template("admin/audit.html", page=page, action=action, actor=actor, target=target,
                           target_id=target_id, since=request.args.get("since", "").strip()[:20],
                           until=request.args.get("until", "").strip()[:20], contest=contest, errors=errors,
                           contests=services.audit_contests(), target_types=services.audit_target_types(),
                           target_labels=services.TARGET_LABELS, entry_contests=services.contests_of(page.items),
                           actions=services.audit_actions(), action_labels=services.ACTION_LABELS,
                           target_users=users, target_units=units, describe=describe_details)
