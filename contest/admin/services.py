"""Queries behind the administration pages: finding members, reading the audit log, the dashboard counts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from contest.accounts.models import ROLES, User, UserRole
from contest.core.audit import AuditEntry
from contest.core.text import normalise_email, unaccent
from contest.extensions import db
from contest.units.models import Unit
from contest.units.services import TreeRow, descendant_ids

PER_PAGE = 50

# Human names of the audit actions; an action missing here is shown by its code.
ACTION_LABELS = {
    "role_granted": _l("Role granted"),
    "role_revoked": _l("Role revoked"),
    "password_reset": _l("Password reset"),
    "unit_created": _l("Unit created"),
    "unit_renamed": _l("Unit renamed"),
    "unit_moved": _l("Unit moved"),
    "unit_deleted": _l("Unit deleted"),
    "unit_code_changed": _l("Unit code changed"),
    "units_imported": _l("Units imported"),
    "members_imported": _l("Members imported"),
    "contest_created": _l("Contest created"),
    "contest_updated": _l("Contest changed"),
    "round_created": _l("Round created"),
    "round_updated": _l("Round changed"),
    "round_published": _l("Round results published"),
    "round_unpublished": _l("Round results unpublished"),
    "question_edited_during_round": _l("Question edited during an open round"),
    "question_deleted": _l("Question deleted"),
    "question_archived": _l("Question archived"),
    "question_restored": _l("Question restored"),
    "questions_imported": _l("Questions imported"),
}


def dashboard_counts() -> dict[str, int]:
    def count(stmt) -> int:
        return db.session.scalar(stmt) or 0

    return {
        "units": count(select(func.count()).select_from(Unit)),
        "users": count(select(func.count()).select_from(User)),
        "admins": count(select(func.count()).select_from(UserRole).where(UserRole.role == "admin")),
        "audit": count(select(func.count()).select_from(AuditEntry)),
    }


def search_users(q: str | None = None, role: str | None = None, unit_id: int | None = None, page: int = 1,
                 per_page: int = PER_PAGE, tree: list[TreeRow] | None = None):
    """One page of accounts, by name: q matches the name with or without accents, or part of the email; unit_id
    keeps the unit and everything below it."""
    stmt = select(User).options(selectinload(User.unit))
    if q and q.strip():
        stmt = stmt.where(or_(User.search_name.contains(unaccent(q), autoescape=True),
                              User.email.contains(normalise_email(q), autoescape=True)))
    if role in ROLES:
        stmt = stmt.where(User.role_rows.any(UserRole.role == role))
    if unit_id is not None:
        stmt = stmt.where(User.unit_id.in_(descendant_ids(unit_id, tree)))
    stmt = stmt.order_by(User.search_name, User.id)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False)


def audit_actions() -> list[str]:
    """Actions to filter by: the known ones and any other found in the log."""
    seen = set(db.session.scalars(select(AuditEntry.action).distinct()))
    return list(ACTION_LABELS) + sorted(seen - set(ACTION_LABELS))


def audit_entries(action: str | None = None, actor_email: str | None = None, page: int = 1,
                  per_page: int = PER_PAGE):
    """One page of the audit log, newest first; actor_email matches part of the actor's email."""
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    email = normalise_email(actor_email)
    if email:
        stmt = stmt.join(User, AuditEntry.actor_id == User.id).where(User.email.contains(email, autoescape=True))
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False)


def targets_of(entries) -> tuple[dict[int, User], dict[int, Unit]]:
    """The accounts and units an audit page refers to, loaded in two queries, by id."""
    user_ids, unit_ids = set(), set()
    for entry in entries:
        ids = user_ids if entry.target_type == "user" else unit_ids if entry.target_type == "unit" else None
        if ids is not None and entry.target_id and entry.target_id.isdigit():
            ids.add(int(entry.target_id))
        for key in ("parent_id", "old_parent_id", "new_parent_id"):
            value = (entry.details or {}).get(key)
            if isinstance(value, int):
                unit_ids.add(value)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    return users, units
