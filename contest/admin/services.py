"""Queries behind the administration pages: finding members, reading the audit log, the dashboard counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import selectinload

from contest.accounts.models import ROLES, User, UserRole
from contest.contests.models import Contest
from contest.core.audit import AuditEntry
from contest.core.text import normalise_email, unaccent
from contest.essays.models import Entry
from contest.extensions import db
from contest.judging.models import Assignment, JudgingRound
from contest.quiz.models import Round
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
    "judging.round_created": _l("Judging round created"),
    "judging.round_updated": _l("Judging round changed"),
    "judging.panel_changed": _l("Judging panel changed"),
    "judging.entries_taken": _l("Entries taken for judging"),
    "judging.assigned": _l("Entries assigned to judges"),
    "judging.assignment_added": _l("Judging assignment added"),
    "judging.assignment_removed": _l("Judging assignment removed"),
    "judging.assignment_swapped": _l("Judge replaced on an assignment"),
    "judging.conflict_declared": _l("Judging conflict declared"),
    "judging.reminded": _l("Judges reminded"),
    "judging.score_changed": _l("Score changed"),
    "judging.score_submitted": _l("Score submitted"),
    "judging.score_resubmitted": _l("Score submitted again"),
    "judging.score_reopened": _l("Score reopened"),
    "judging.round_extended": _l("Judging extended for a judge"),
    "essay.settings_updated": _l("Writing contest settings changed"),
    "essay.category_added": _l("Category added"),
    "essay.category_updated": _l("Category changed"),
    "essay.category_deleted": _l("Category deleted"),
    "essay.created": _l("Entry started"),
    "essay.saved": _l("Entry saved"),
    "essay.restored": _l("Earlier version of an entry restored"),
    "essay.submitted": _l("Entry submitted"),
    "essay.resubmitted": _l("Entry submitted again"),
    "essay.withdrawn": _l("Entry withdrawn"),
    "essay.disqualified": _l("Entry disqualified"),
    "essay.reinstated": _l("Entry reinstated"),
    "essay.attachment_added": _l("Attachment added"),
    "essay.attachment_removed": _l("Attachment removed"),
    "essay.similarity_check": _l("Similarity check run"),
    "essay.export": _l("Entries exported"),
    "results.export": _l("Contest data exported"),
    "awards_updated": _l("Awards changed"),
    "results_published": _l("Contest results published"),
    "results_unpublished": _l("Contest results unpublished"),
    "certificate_revoked": _l("Certificate revoked"),
    "certificates_downloaded": _l("Certificates downloaded"),
}

# Human names of what an entry concerns (its target_type); others are shown by their code.
TARGET_LABELS = {
    "user": _l("Account"), "unit": _l("Unit"), "contest": _l("Contest"), "round": _l("Quiz round"),
    "question": _l("Question"), "judging_round": _l("Judging round"), "judging_assignment": _l("Judging assignment"),
    "essay_entry": _l("Entry"), "certificate": _l("Certificate"),
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


def audit_target_types() -> list[str]:
    """What entries may concern, to filter by: the known kinds and any other found in the log."""
    seen = {t for t in db.session.scalars(select(AuditEntry.target_type).distinct()) if t}
    return list(TARGET_LABELS) + sorted(seen - set(TARGET_LABELS))


def audit_contests() -> list[Contest]:
    return list(db.session.scalars(select(Contest).order_by(Contest.title, Contest.id)))


def _about_contest(contest: Contest):
    """Entries concerning a contest: the contest itself, entries naming it in their details (contest_id, or the
    slug as `contest`), and entries about its quiz rounds, judging rounds, judging assignments and writing
    entries (the ids are matched in SQL, however many there are)."""
    def ids(stmt):
        return AuditEntry.target_id.in_(stmt)

    def target(kind: str, condition):
        return and_(AuditEntry.target_type == kind, condition)

    contest_id = AuditEntry.details["contest_id"]
    # PostgreSQL compares the text of the value (a number cast as an integer would fail on any text left there);
    # SQLite's json_extract gives back the number itself.
    named = (contest_id.as_string() == str(contest.id) if db.session.get_bind().dialect.name == "postgresql"
             else contest_id.as_integer() == contest.id)
    return or_(
        target("contest", AuditEntry.target_id == str(contest.id)),
        named,
        AuditEntry.details["contest"].as_string() == contest.slug,
        target("round", ids(select(cast(Round.id, String)).where(Round.contest_id == contest.id))),
        target("judging_round", ids(select(cast(JudgingRound.id, String))
                                    .where(JudgingRound.contest_id == contest.id))),
        target("judging_assignment", ids(select(cast(Assignment.id, String))
                                         .join(JudgingRound, JudgingRound.id == Assignment.round_id)
                                         .where(JudgingRound.contest_id == contest.id))),
        target("essay_entry", ids(select(cast(Entry.id, String)).where(Entry.contest_id == contest.id))),
    )


def local_day_start(day: date) -> datetime:
    """The first instant of a day in Vietnam time, in UTC."""
    return datetime.combine(day, time.min, ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).astimezone(UTC)


def audit_entries(action: str | None = None, actor_email: str | None = None, page: int = 1,
                  per_page: int = PER_PAGE, *, contest: Contest | None = None, target_type: str | None = None,
                  target_id: str | None = None, since: date | None = None, until: date | None = None):
    """One page of the audit log, newest first. actor_email matches part of the actor's email; contest keeps what
    concerns that contest (see _about_contest); target_type (and target_id) what concerns that kind of thing
    (that one); since and until are days in Vietnam time, both included."""
    stmt = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    email = normalise_email(actor_email)
    if email:
        stmt = stmt.join(User, AuditEntry.actor_id == User.id).where(User.email.contains(email, autoescape=True))
    if contest is not None:
        stmt = stmt.where(_about_contest(contest))
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= local_day_start(since))
    if until is not None:
        stmt = stmt.where(AuditEntry.at < local_day_start(until + timedelta(days=1)))
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


def contests_of(entries) -> dict[int, Contest]:
    """The contests an audit page's entries concern (as their target or by contest_id in their details)."""
    ids = set()
    for entry in entries:
        if entry.target_type == "contest" and entry.target_id and entry.target_id.isdigit():
            ids.add(int(entry.target_id))
        value = (entry.details or {}).get("contest_id")
        if isinstance(value, int):
            ids.add(value)
    return {c.id: c for c in db.session.scalars(select(Contest).where(Contest.id.in_(ids)))} if ids else {}
