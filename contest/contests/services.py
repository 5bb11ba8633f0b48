"""Contest rules: create and edit contests, who sees which contest, and the checks on times every feature shares.

Every function flushes and leaves the commit to the request (or command) that called it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from contest.contests.models import CONTEST_KINDS, CONTEST_STATUSES, Contest
from contest.core import audit, clock
from contest.core.errors import Conflict, Forbidden, Invalid, NotFound
from contest.core.text import nfc
from contest.extensions import db
from contest.units.models import Unit
from contest.units.services import ancestors

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80
TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
CONTEST_FIELDS = ("slug", "kind", "title", "description", "opens_at", "closes_at", "status", "unit_id")

KIND_LABELS = {"quiz": _l("Quiz"), "essay": _l("Writing contest")}
STATUS_LABELS = {"draft": _l("Draft"), "announced": _l("Announced")}


# --- values every feature checks the same way -------------------------------------------------------------

def is_organiser(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", True) and user.has_role("organiser")


def require_organiser(user) -> None:
    if not is_organiser(user):
        raise Forbidden(_l("Only organisers can do this."))


def parse_time(value: Any, field: str, errors: dict[str, list]) -> datetime | None:
    """An aware datetime from a datetime or an ISO 8601 string with an offset; None for None or "".

    A time without an offset is refused rather than guessed: "8:00" in Hà Nội and in UTC are seven hours apart.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault(field, []).append(
                _l("Give a date and time in ISO 8601 with an offset, such as 2026-05-19T08:00:00+07:00."))
            return None
    if not isinstance(value, datetime):
        errors.setdefault(field, []).append(_l("Give a date and time."))
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors.setdefault(field, []).append(
            _l("Give the time with its offset from UTC, such as 2026-05-19T08:00:00+07:00."))
        return None
    return clock.as_utc(value)


def check_times(opens_at: datetime | None, closes_at: datetime | None, errors: dict[str, list]) -> None:
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_l("The closing time must come after the opening time."))


def clean_text_block(value: Any) -> str:
    """Multi-line plain text: NFC, Unix line ends, no trailing spaces, no runs of blank lines at the ends."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").strip()


def _string(value: Any, field: str, errors: dict[str, list]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_l("Must be a string."))
        return None
    return value


# --- contests ---------------------------------------------------------------------------------------------

def _clean_contest(data: Mapping[str, Any], contest: Contest | None) -> dict[str, Any]:
    """The given fields, checked and normalised; Invalid naming every field at fault. On create (contest None)
    slug, kind and title are required."""
    errors: dict[str, list] = {}
    out: dict[str, Any] = {}
    creating = contest is None

    if "slug" in data or creating:
        slug = (_string(data.get("slug"), "slug", errors) or "").strip()
        if not slug:
            errors.setdefault("slug", []).append(_l("Give the contest an address (slug)."))
        elif len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
            errors.setdefault("slug", []).append(_l(
                "Use lower-case letters without accents, digits and single hyphens (at most %(n)d characters), "
                "such as hoc-tap-2026.", n=SLUG_MAX))
        else:
            out["slug"] = slug
    if "kind" in data or creating:
        kind = data.get("kind")
        if kind not in CONTEST_KINDS:
            errors.setdefault("kind", []).append(_l("Choose quiz or writing contest."))
        elif contest is not None and kind != contest.kind and _has_rounds(contest):
            errors.setdefault("kind", []).append(_l("A contest with rounds stays a quiz."))
        else:
            out["kind"] = kind
    if "title" in data or creating:
        title = nfc(_string(data.get("title"), "title", errors))
        if not title:
            errors.setdefault("title", []).append(_l("Give the contest a title."))
        elif len(title) > TITLE_MAX:
            errors.setdefault("title", []).append(_l("The title is too long (at most %(n)d characters).",
                                                     n=TITLE_MAX))
        else:
            out["title"] = title
    if "description" in data:
        description = clean_text_block(_string(data.get("description"), "description", errors))
        if len(description) > DESCRIPTION_MAX:
            errors.setdefault("description", []).append(
                _l("The description is too long (at most %(n)d characters).", n=DESCRIPTION_MAX))
        out["description"] = description
    if "status" in data:
        status = data.get("status")
        if status is None and creating:
            status = "announced"
        if status not in CONTEST_STATUSES:
            errors.setdefault("status", []).append(_l("Choose draft or announced."))
        else:
            out["status"] = status
    for field in ("opens_at", "closes_at"):
        if field in data:
            out[field] = parse_time(data.get(field), field, errors)
    if "unit_id" in data:
        unit_id = data.get("unit_id")
        if unit_id in (None, ""):
            out["unit_id"] = None
        else:
            text = str(unit_id)
            unit = db.session.get(Unit, int(text)) if text.isdigit() and len(text) <= 18 else None
            if unit is None:
                errors.setdefault("unit_id", []).append(_l("Choose an existing unit."))
            else:
                out["unit_id"] = unit.id
    opens_at = out.get("opens_at", contest.opens_at if contest else None)
    closes_at = out.get("closes_at", contest.closes_at if contest else None)
    if not errors.get("opens_at") and not errors.get("closes_at"):
        check_times(opens_at, closes_at, errors)
    if errors:
        raise Invalid(_l("Please correct the marked fields."), fields=errors)
    return out


def _has_rounds(contest: Contest) -> bool:
    from contest.quiz.models import Round

    return db.session.scalar(select(func.count()).select_from(Round).where(Round.contest_id == contest.id)) > 0


def _check_slug_free(slug: str, contest: Contest | None = None) -> None:
    stmt = select(Contest.id).where(Contest.slug == slug)
    if contest is not None:
        stmt = stmt.where(Contest.id != contest.id)
    if db.session.scalar(stmt) is not None:
        msg = _l("Another contest already uses this address.")
        raise Conflict(msg, code="slug_taken", fields={"slug": [msg]})


def create_contest(data: Mapping[str, Any], actor) -> Contest:
    """A new contest from {slug, kind, title, description, opens_at, closes_at, status, unit_id}."""
    require_organiser(actor)
    values = _clean_contest(data, None)
    _check_slug_free(values["slug"])
    contest = Contest(description="", status="announced", created_by_id=getattr(actor, "id", None))
    for key, value in values.items():
        setattr(contest, key, value)
    db.session.add(contest)
    db.session.flush()
    audit.record("contest_created", actor=actor, target_type="contest", target_id=contest.id, slug=contest.slug,
                 kind=contest.kind, status=contest.status)
    return contest


def update_contest(contest: Contest, data: Mapping[str, Any], actor) -> Contest:
    """Change any of the fields given; the audit log keeps what changed."""
    require_organiser(actor)
    values = _clean_contest({k: v for k, v in data.items() if k in CONTEST_FIELDS}, contest)
    if "slug" in values and values["slug"] != contest.slug:
        _check_slug_free(values["slug"], contest)
    changed = {}
    for key, value in values.items():
        if getattr(contest, key) != value:
            old = getattr(contest, key)
            changed[key] = {"old": _audit_value(old), "new": _audit_value(value)}
            setattr(contest, key, value)
    if changed:
        contest.updated_at = clock.utcnow()
        db.session.flush()
        audit.record("contest_updated", actor=actor, target_type="contest", target_id=contest.id,
                     slug=contest.slug, changes=changed)
    return contest


def _audit_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return clock.as_utc(value).isoformat()
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


def visible_contests_query(user, kind: str | None = None):
    """The select of contests this person may see, newest first: announced ones, and drafts for organisers."""
    stmt = select(Contest)
    if not is_organiser(user):
        stmt = stmt.where(Contest.status == "announced")
    if kind is not None:
        stmt = stmt.where(Contest.kind == kind)
    return stmt.order_by(Contest.opens_at.desc().nulls_last(), Contest.id.desc())


def visible_contests(user, limit: int | None = None) -> list[Contest]:
    """The contests this person may see (visible_contests_query), the first `limit` of them."""
    stmt = visible_contests_query(user)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def get_contest_for(slug: str, user) -> Contest:
    """The contest at this address; NotFound for an unknown slug, and for a draft unless the person organises."""
    contest = db.session.scalar(select(Contest).where(Contest.slug == slug)) if isinstance(slug, str) else None
    if contest is None or (contest.status == "draft" and not is_organiser(user)):
        raise NotFound(_l("No such contest."))
    return contest


def contest_state(contest: Contest, now: datetime | None = None) -> str:
    """upcoming, open or closed by the contest's own times (a missing time leaves that side open)."""
    now = now or clock.utcnow()
    if contest.opens_at is not None and now < clock.as_utc(contest.opens_at):
        return "upcoming"
    if contest.closes_at is not None and now >= clock.as_utc(contest.closes_at):
        return "closed"
    return "open"


def may_take_part(contest: Contest, user) -> bool:
    """Whether this person belongs to the unit the contest is for (its whole subtree); any unit when it has none."""
    if contest.unit_id is None:
        return True
    unit = getattr(user, "unit", None)
    if unit is None:
        return False
    return unit.id == contest.unit_id or any(up.id == contest.unit_id for up in ancestors(unit))


__all__ = ["CONTEST_FIELDS", "KIND_LABELS", "STATUS_LABELS", "check_times", "clean_text_block", "contest_state",
           "create_contest", "get_contest_for", "is_organiser", "may_take_part", "parse_time",
           "require_organiser", "update_contest", "visible_contests", "visible_contests_query"]
