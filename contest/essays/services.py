"""Writing-contest rules: settings and categories, entries with a version per save, submission with the pledge and
a receipt code, withdrawal, disqualification, attachments, and the organisers' list of entries.

Who may write: a signed-in member who may take part in the contest (its unit and below), in an announced writing
contest with at least one category, while submissions are open (the contest's own open and close times). After the
close everything an author does is refused with Conflict `contest_closed`: the entry is read-only.

Saves never lose text: each one that changes something writes version N+1 with a single conditional
`UPDATE essay_entries SET ..., version = version + 1 WHERE id = :id AND version = :base`, so of two tabs saving from
the same base exactly one wins and the other gets Conflict `version_conflict` (with the current version), never a
silent overwrite. A save that changes nothing writes no version and answers with the same one.

Every function flushes and leaves the commit to the request (or command); the receipt and disqualification mails
go out only once that commit has happened.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale, format_datetime, format_decimal, gettext, lazy_ngettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.routing import BuildError

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.contests.services import clean_text_block, contest_state, is_organiser, may_take_part, require_organiser
from contest.core import audit, clock
from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Forbidden, Invalid, NotFound
from contest.core.mail import send_mail
from contest.core.text import nfc, normalise_email, parse_id, unaccent
from contest.core.transactions import after_commit
from contest.essays import sanitise, wordcount
from contest.essays.models import ENTRY_STATUSES, Attachment, Category, Coauthor, Entry, EntryVersion, EssaySettings
from contest.extensions import db
from contest.units.models import Unit
from contest.units.services import descendant_ids

SUBMISSION_STATES = ("not_open", "open", "closed")
THEME_MAX = 300
RULES_MAX = 100_000
PLEDGE_MAX = 5_000
CATEGORY_NAME_MAX = 200
CATEGORY_DESCRIPTION_MAX = 2_000
MAX_WORD_LIMIT = 1_000_000
TITLE_MAX = 300
SUBJECT_NAME_MAX = 200
SUBJECT_UNIT_MAX = 300
SUBJECT_DESCRIPTION_MAX = 3_000
BODY_HTML_MAX = 1_000_000  # characters of sanitised HTML: about 150,000 words, far above any contest's limit
REASON_MAX = 2_000
MAX_COAUTHORS = 10
MAX_ATTACHMENTS = 10
# Drafts (entries never submitted) a writer may keep in one contest: enough for any honest use, and a bound on abuse.
MAX_DRAFTS = 20
SIMILARITY_MIN_WORDS_RANGE = (5, 1_000)
CODE_DIGITS = 6
CODE_ATTEMPTS = 50
CODE_PREFIX_RE = re.compile(r"^[A-Z0-9]{2,8}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EDITABLE_FIELDS = ("title", "category_id", "subject_name", "subject_unit", "subject_description", "body_html",
                   "coauthors", "publish_consent")
# What one EntryVersion holds (besides word_count, computed from body_html).
VERSIONED_FIELDS = ("category_id", "title", "subject_name", "subject_unit", "subject_description", "body_html")
SETTINGS_FIELDS = ("theme", "rules_html", "code_prefix", "max_entries_per_writer", "allow_collective",
                   "pledge_text", "similarity_min_words")

DEFAULT_PLEDGE = _l(
    "I pledge that this entry is my own work (or the work of the co-authors named with it), that it has not been "
    "published or entered in another contest, and that what it tells about the person it portrays is true. I "
    "accept the contest rules and the organisers' decisions.")
# "Submitted" alone is also a column of submission times; the status has its own context.
STATUS_LABELS = {"draft": _l("Draft"), "submitted": lazy_pgettext("status", "Submitted"), "withdrawn": _l("Withdrawn"),
                 "disqualified": _l("Disqualified")}
STATE_LABELS = {"not_open": _l("Not open yet"), "open": _l("Open for entries"), "closed": _l("Closed")}

FIELDS_TO_CORRECT = _l("Please correct the marked fields.")


def _now(now: datetime | None) -> datetime:
    return now if now is not None else clock.utcnow()


def _number(value: int) -> str:
    """A count as the reader's language writes it: 1.000 in Vietnamese, 1,000 in English."""
    return format_decimal(value)


# --- settings ---------------------------------------------------------------------------------------------

def _default_prefix(contest: Contest) -> str:
    """VT and the two last digits of the year submissions open in (Hà Nội time), e.g. VT26."""
    from zoneinfo import ZoneInfo

    when = contest.opens_at or contest.created_at or clock.utcnow()
    year = clock.as_utc(when).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).year
    return f"VT{year % 100:02d}"


def default_pledge_text() -> str:
    """The default pledge in the site's default language (Vietnamese), as stored in a new contest's settings."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return str(DEFAULT_PLEDGE)


def settings_for(contest: Contest, *, persist: bool = True) -> EssaySettings:
    """The contest's writing settings, made with the defaults on first use. With persist=False (for readers, on
    GET) a missing row is not added: the defaults come back in an object the session does not hold."""
    row = db.session.get(EssaySettings, contest.id)
    if row is not None:
        return row
    row = EssaySettings(contest_id=contest.id, theme="", rules_html="", code_prefix=_default_prefix(contest),
                        max_entries_per_writer=None, allow_collective=False, pledge_text=default_pledge_text(),
                        similarity_min_words=25)
    if persist:
        db.session.add(row)
        db.session.flush()
    return row


def _require_essay(contest: Contest) -> None:
    if contest.kind != "essay":
        raise Conflict(_l("This is not a writing contest."), code="not_an_essay")


def _int_or_none(value: Any, field: str, errors: dict[str, list], low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal() and len(value.strip()) < 12:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(field, []).append(_l("Give a whole number."))
        return None
    if not low <= value <= high:
        errors.setdefault(field, []).append(
            _l("Give a whole number from %(low)s to %(high)s.", low=_number(low), high=_number(high)))
        return None
    return value


def _bool(value: Any, field: str, errors: dict[str, list]) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes", "0", "false", "off", "no", ""):
        return value.strip().lower() in ("1", "true", "on", "yes")
    if value is None:
        return False
    errors.setdefault(field, []).append(_l("Must be true or false."))
    return None


def _text(value: Any, field: str, errors: dict[str, list]) -> str | None:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_l("Must be text."))
        return None
    return value


def _line(value: Any, field: str, errors: dict[str, list], limit: int) -> str | None:
    """One line of text: NFC, whitespace collapsed, at most `limit` characters."""
    raw = _text(value, field, errors)
    if raw is None:
        return None
    text = nfc(raw)
    if len(text) > limit:
        errors.setdefault(field, []).append(_l("At most %(n)s characters.", n=_number(limit)))
        return None
    return text


def _block(value: Any, field: str, errors: dict[str, list], limit: int) -> str | None:
    """Multi-line plain text, at most `limit` characters."""
    raw = _text(value, field, errors)
    if raw is None:
        return None
    text = clean_text_block(raw)
    if len(text) > limit:
        errors.setdefault(field, []).append(_l("At most %(n)s characters.", n=_number(limit)))
        return None
    return text


def _html(value: Any, field: str, errors: dict[str, list], limit: int) -> str | None:
    raw = _text(value, field, errors)
    if raw is None:
        return None
    if len(raw) > sanitise.MAX_INPUT_CHARS:
        errors.setdefault(field, []).append(_l("The text is too long to be saved (more than %(n)s characters "
                                               "including formatting).", n=_number(sanitise.MAX_INPUT_CHARS)))
        return None
    try:
        html = sanitise.clean_html(raw)
    except Invalid as exc:
        errors.setdefault(field, []).append(exc.message)
        return None
    if len(html) > limit:
        errors.setdefault(field, []).append(_l("The text is too long."))
        return None
    return html


def update_settings(contest: Contest, data: Mapping[str, Any], actor) -> EssaySettings:
    """Change any of theme, rules_html, code_prefix, max_entries_per_writer, allow_collective, pledge_text,
    similarity_min_words; Invalid naming every field at fault, nothing changed then."""
    require_organiser(actor)
    _require_essay(contest)
    errors: dict[str, list] = {}
    values: dict[str, Any] = {}
    if "theme" in data:
        values["theme"] = _line(data["theme"], "theme", errors, THEME_MAX)
    if "rules_html" in data:
        values["rules_html"] = _html(data["rules_html"], "rules_html", errors, RULES_MAX)
    if "code_prefix" in data:
        raw = _text(data["code_prefix"], "code_prefix", errors)
        if raw is not None:
            prefix = nfc(raw).upper()
            if not CODE_PREFIX_RE.match(prefix):
                errors.setdefault("code_prefix", []).append(
                    _l("Use 2 to 8 letters (A–Z, without accents) or digits, such as VT26."))
            else:
                values["code_prefix"] = prefix
    if "max_entries_per_writer" in data:
        n = _int_or_none(data["max_entries_per_writer"], "max_entries_per_writer", errors, 1, 1000)
        if "max_entries_per_writer" not in errors:
            values["max_entries_per_writer"] = n
    if "allow_collective" in data:
        flag = _bool(data["allow_collective"], "allow_collective", errors)
        if flag is not None:
            values["allow_collective"] = flag
    if "pledge_text" in data:
        pledge = _block(data["pledge_text"], "pledge_text", errors, PLEDGE_MAX)
        if pledge == "":
            errors.setdefault("pledge_text", []).append(_l("Write the pledge writers confirm when they submit."))
        elif pledge is not None:
            values["pledge_text"] = pledge
    if "similarity_min_words" in data:
        low, high = SIMILARITY_MIN_WORDS_RANGE
        n = _int_or_none(data["similarity_min_words"], "similarity_min_words", errors, low, high)
        if n is None and "similarity_min_words" not in errors:
            errors["similarity_min_words"] = [_l("Give a whole number from %(low)s to %(high)s.",
                                                 low=_number(low), high=_number(high))]
        elif n is not None:
            values["similarity_min_words"] = n
    if errors:
        raise Invalid(FIELDS_TO_CORRECT, fields=errors)
    settings = settings_for(contest)
    changed = {}
    for key, value in values.items():
        if getattr(settings, key) != value:
            changed[key] = _audit_value(value)
            setattr(settings, key, value)
    if changed:
        settings.updated_at = clock.utcnow()
        db.session.flush()
        audit.record("essay.settings_updated", actor=actor, target_type="contest", target_id=contest.id,
                     changes=changed)
    return settings


def _audit_value(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


# --- categories -------------------------------------------------------------------------------------------

def categories_of(contest: Contest) -> list[Category]:
    return list(db.session.scalars(select(Category).where(Category.contest_id == contest.id)
                                   .order_by(Category.position, Category.id)))


def category_for(category_id, user) -> Category:
    """A category by id; NotFound when missing, or in a draft contest for anyone but organisers."""
    cid = parse_id(category_id)
    category = db.session.get(Category, cid) if cid is not None else None
    if category is None or (category.contest.status == "draft" and not is_organiser(user)):
        raise NotFound(_l("No such category."))
    return category


def _clean_category(data: Mapping[str, Any], contest: Contest, category: Category | None) -> dict[str, Any]:
    errors: dict[str, list] = {}
    out: dict[str, Any] = {}
    creating = category is None
    if "name" in data or creating:
        name = _line(data.get("name"), "name", errors, CATEGORY_NAME_MAX)
        if name == "":
            errors.setdefault("name", []).append(_l("Give the category a name."))
        elif name is not None:
            taken = select(Category.id).where(Category.contest_id == contest.id, Category.name == name)
            if category is not None:
                taken = taken.where(Category.id != category.id)
            if db.session.scalar(taken) is not None:
                msg = _l("The contest already has a category with this name.")
                raise Conflict(msg, code="category_taken", fields={"name": [msg]})
            out["name"] = name
    if "description" in data:
        description = _block(data.get("description"), "description", errors, CATEGORY_DESCRIPTION_MAX)
        if description is not None:
            out["description"] = description
    for field, low in (("min_words", 0), ("max_words", 1)):
        if field in data:
            n = _int_or_none(data.get(field), field, errors, low, MAX_WORD_LIMIT)
            if field not in errors:
                out[field] = n
    if "position" in data:
        n = _int_or_none(data.get("position"), "position", errors, 0, 10_000)
        if "position" not in errors and n is not None:
            out["position"] = n
    low = out.get("min_words", category.min_words if category else None)
    high = out.get("max_words", category.max_words if category else None)
    if low is not None and high is not None and high < low and "max_words" not in errors:
        errors.setdefault("max_words", []).append(_l("The maximum must not be below the minimum."))
    if errors:
        raise Invalid(FIELDS_TO_CORRECT, fields=errors)
    return out


def add_category(contest: Contest, data: Mapping[str, Any], actor) -> Category:
    """A new category from {name, description, min_words, max_words, position}; the limits may be empty."""
    require_organiser(actor)
    _require_essay(contest)
    values = _clean_category(data, contest, None)
    if "position" not in values:
        last = db.session.scalar(select(func.max(Category.position)).where(Category.contest_id == contest.id))
        values["position"] = (last or 0) + 1
    category = Category(contest_id=contest.id, **{"description": "", **values})
    db.session.add(category)
    db.session.flush()
    audit.record("essay.category_added", actor=actor, target_type="contest", target_id=contest.id,
                 category_id=category.id, name=category.name, min_words=category.min_words,
                 max_words=category.max_words)
    return category


def update_category(category: Category, data: Mapping[str, Any], actor) -> Category:
    """Change any of the fields given. New word limits apply to submissions from then on."""
    require_organiser(actor)
    values = _clean_category(data, category.contest, category)
    changed = {}
    for key, value in values.items():
        if getattr(category, key) != value:
            changed[key] = {"old": getattr(category, key), "new": value}
            setattr(category, key, value)
    if changed:
        db.session.flush()
        audit.record("essay.category_updated", actor=actor, target_type="contest", target_id=category.contest_id,
                     category_id=category.id, changes=changed)
    return category


def delete_category(category: Category, actor) -> None:
    """Remove a category no entry uses (Conflict `category_in_use` otherwise)."""
    require_organiser(actor)
    used = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.category_id == category.id))
    if used:
        raise Conflict(_l("Entries use this category; it cannot be removed."), code="category_in_use")
    audit.record("essay.category_deleted", actor=actor, target_type="contest", target_id=category.contest_id,
                 category_id=category.id, name=category.name)
    db.session.delete(category)
    db.session.flush()


# --- who may write, and when ------------------------------------------------------------------------------

def submissions_state(contest: Contest, now: datetime | None = None) -> str:
    """not_open, open or closed, by the contest's open and close times (None: open on that side)."""
    return {"upcoming": "not_open", "open": "open", "closed": "closed"}[contest_state(contest, _now(now))]


def _closed() -> Conflict:
    return Conflict(_l("Submissions to this contest have closed: entries can no longer be changed."),
                    code="contest_closed")


def _check_open(contest: Contest, now: datetime) -> None:
    state = submissions_state(contest, now)
    if state == "closed":
        raise _closed()
    if state == "not_open" or contest.status != "announced":
        raise Conflict(_l("This contest does not take entries yet."), code="contest_not_open")


def check_may_write(contest: Contest, user) -> None:
    """Whether this person may write entries for this contest (times aside): NotFound for a draft contest they
    cannot see, Forbidden without the member role or outside the contest's unit, Conflict when the contest is not a
    writing contest or has no category yet."""
    if user is None or not getattr(user, "is_authenticated", True):
        raise Forbidden(_l("Sign in to write an entry."), code="sign_in")
    if contest.status == "draft" and not is_organiser(user):
        raise NotFound(_l("No such contest."))
    _require_essay(contest)
    if not user.has_role("member"):
        raise Forbidden(_l("Only members can enter writing contests."), code="members_only")
    if not may_take_part(contest, user):
        raise Forbidden(_l("This contest is for the members of “%(unit)s” and its units.",
                           unit=contest.unit.name if contest.unit else ""), code="not_in_unit")
    if db.session.scalar(select(Category.id).where(Category.contest_id == contest.id).limit(1)) is None:
        raise Conflict(_l("This contest has no categories yet, so it cannot take entries."), code="no_categories")


def may_write(contest: Contest, user, now: datetime | None = None) -> bool:
    """For pages: whether to offer "write an entry" to this person now."""
    try:
        check_may_write(contest, user)
        _check_open(contest, _now(now))
    except (Conflict, Forbidden, NotFound):
        return False
    return True


# --- reading entries --------------------------------------------------------------------------------------

def _is_coauthor(entry: Entry, user) -> bool:
    uid = getattr(user, "id", None)
    return uid is not None and any(c.user_id == uid for c in entry.coauthors)


def may_read(entry: Entry, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return entry.author_id == user.id or is_organiser(user) or _is_coauthor(entry, user)


def entry_for(user, entry_id) -> Entry:
    """The entry, for its author, its co-authors with accounts (read only) and organisers; NotFound for anyone else
    (another writer must not learn that it exists)."""
    eid = parse_id(entry_id)
    entry = db.session.get(Entry, eid) if eid is not None else None
    if entry is None or not may_read(entry, user):
        raise NotFound(_l("No such entry."))
    return entry


def require_author(entry: Entry, user) -> None:
    """Only the author changes an entry: NotFound for those who may not see it, Forbidden for co-authors and
    organisers, who may."""
    if user is not None and entry.author_id == getattr(user, "id", None):
        return
    if not may_read(entry, user):
        raise NotFound(_l("No such entry."))
    raise Forbidden(_l("Only the author can change this entry."), code="not_author")


def is_editable(entry: Entry, now: datetime | None = None) -> bool:
    """Whether the author may still change (save, submit, withdraw) this entry now."""
    return entry.status != "disqualified" and submissions_state(entry.contest, now) == "open" \
        and entry.contest.status == "announced"


def _check_editable(entry: Entry, now: datetime) -> None:
    if submissions_state(entry.contest, now) == "closed":
        raise _closed()
    if entry.status == "disqualified":
        raise Conflict(_l("This entry has been disqualified and can no longer be changed."),
                       code="entry_disqualified")
    _check_open(entry.contest, now)


def entries_of(user, contest: Contest | None = None, *, include_coauthored: bool = False) -> list[Entry]:
    """The writer's own entries (in one contest or all), newest first; with include_coauthored also those that
    name them as a co-author."""
    owner = Entry.author_id == user.id
    if include_coauthored:
        owner = or_(owner, Entry.id.in_(select(Coauthor.entry_id).where(Coauthor.user_id == user.id)))
    stmt = select(Entry).where(owner).options(selectinload(Entry.category), selectinload(Entry.contest))
    if contest is not None:
        stmt = stmt.where(Entry.contest_id == contest.id)
    return list(db.session.scalars(stmt.order_by(Entry.created_at.desc(), Entry.id.desc())))


def live_attachments(entry: Entry) -> list[Attachment]:
    return [a for a in entry.attachments if a.deleted_at is None]


# --- creating and saving ----------------------------------------------------------------------------------

def _clean_coauthors(value: Any, entry_author_id: int, errors: dict[str, list]) -> list[dict[str, Any]] | None:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        errors.setdefault("coauthors", []).append(_l("Give a list of co-authors."))
        return None
    if len(value) > MAX_COAUTHORS:
        errors.setdefault("coauthors", []).append(
            _l("At most %(n)d co-authors.", n=MAX_COAUTHORS))
        return None
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            errors.setdefault("coauthors", []).append(_l("Co-author %(n)d: give a name.", n=i))
            continue
        name = _line(item.get("full_name"), "coauthors", errors, SUBJECT_NAME_MAX)
        raw_email = _text(item.get("email"), "coauthors", errors)
        email = normalise_email(raw_email) if raw_email else ""
        if name == "":
            errors.setdefault("coauthors", []).append(_l("Co-author %(n)d: give a name.", n=i))
        if email and (len(email) > 254 or not EMAIL_RE.match(email)):
            errors.setdefault("coauthors", []).append(_l("Co-author %(n)d: the email address is not valid.", n=i))
            email = ""
        if email and email in seen:
            errors.setdefault("coauthors", []).append(_l("Co-author %(n)d is named twice.", n=i))
        if email:
            seen.add(email)
        unit_id = None
        if item.get("unit_id") not in (None, ""):
            unit_id = parse_id(item.get("unit_id"))
            if unit_id is None or db.session.get(Unit, unit_id) is None:
                errors.setdefault("coauthors", []).append(_l("Co-author %(n)d: choose an existing unit.", n=i))
                unit_id = None
        user_id = None
        if email:
            user_id = db.session.scalar(select(User.id).where(User.email == email))
            if user_id == entry_author_id:
                errors.setdefault("coauthors", []).append(
                    _l("Co-author %(n)d is you: the author is not listed as a co-author.", n=i))
        out.append({"full_name": name or "", "email": email, "unit_id": unit_id, "user_id": user_id})
    return out


def _coauthor_rows(entry: Entry) -> list[dict[str, Any]]:
    return [{"full_name": c.full_name, "email": c.email, "unit_id": c.unit_id, "user_id": c.user_id}
            for c in entry.coauthors]


def _clean_entry(data: Mapping[str, Any], contest: Contest, author_id: int, *, creating: bool) -> dict[str, Any]:
    """The given fields, checked and normalised; Invalid naming every field at fault. Creating needs a category
    and a title; everything else may wait until submission."""
    errors: dict[str, list] = {}
    out: dict[str, Any] = {}
    if "category_id" in data or creating:
        cid = parse_id(data.get("category_id"))
        category = db.session.get(Category, cid) if cid is not None else None
        if category is None or category.contest_id != contest.id:
            errors.setdefault("category_id", []).append(_l("Choose one of the contest's categories."))
        else:
            out["category_id"] = category.id
    if "title" in data or creating:
        title = _line(data.get("title"), "title", errors, TITLE_MAX)
        if title == "":
            errors.setdefault("title", []).append(_l("Give your entry a title."))
        elif title is not None:
            out["title"] = title
    for field, limit in (("subject_name", SUBJECT_NAME_MAX), ("subject_unit", SUBJECT_UNIT_MAX)):
        if field in data:
            value = _line(data.get(field), field, errors, limit)
            if value is not None:
                out[field] = value
    if "subject_description" in data:
        value = _block(data.get("subject_description"), "subject_description", errors, SUBJECT_DESCRIPTION_MAX)
        if value is not None:
            out["subject_description"] = value
    if "body_html" in data:
        value = _html(data.get("body_html"), "body_html", errors, BODY_HTML_MAX)
        if value is not None:
            out["body_html"] = value
    if "publish_consent" in data:
        flag = _bool(data.get("publish_consent"), "publish_consent", errors)
        if flag is not None:
            out["publish_consent"] = flag
    if "coauthors" in data:
        rows = _clean_coauthors(data.get("coauthors"), author_id, errors)
        if rows and not settings_for(contest).allow_collective:
            errors.setdefault("coauthors", []).append(_l("This contest does not accept collective entries."))
        elif rows is not None:
            out["coauthors"] = rows
    if errors:
        raise Invalid(FIELDS_TO_CORRECT, fields=errors)
    return out


_IMG_TAG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)


def _strip_images(html: str, allowed: set[str]) -> str:
    """The (sanitised) HTML without images of uploads that are not among `allowed` (this entry's live
    attachments): a writer cannot show another entry's files through their own."""
    keys = sanitise.attachment_keys(html)
    if keys <= allowed:
        return html

    def keep(match: re.Match) -> str:
        found = sanitise.attachment_keys(match.group(0))
        return match.group(0) if found and found <= allowed else ""

    # The HTML is already the sanitiser's output: <img> tags are well-formed, attributes quoted.
    cleaned = _IMG_TAG.sub(keep, html)
    return sanitise.clean_html(cleaned)


def _set_coauthors(entry: Entry, rows: Sequence[Mapping[str, Any]]) -> None:
    entry.coauthors.clear()
    db.session.flush()
    for position, row in enumerate(rows, start=1):
        entry.coauthors.append(Coauthor(position=position, full_name=row["full_name"], email=row["email"],
                                        unit_id=row["unit_id"], user_id=row["user_id"]))


def create_entry(contest: Contest, user, data: Mapping[str, Any], now: datetime | None = None) -> Entry:
    """A new draft (version 1) from {title, category_id, and optionally subject_name, subject_unit,
    subject_description, body_html, coauthors, publish_consent}."""
    now = _now(now)
    check_may_write(contest, user)
    _check_open(contest, now)
    values = _clean_entry(data, contest, user.id, creating=True)
    drafts = db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.contest_id == contest.id, Entry.author_id == user.id, Entry.code.is_(None)))
    if drafts >= MAX_DRAFTS:
        raise Conflict(_l("You already have %(n)d unsubmitted drafts in this contest. Finish or reuse one of them.",
                          n=MAX_DRAFTS), code="too_many_drafts")
    coauthors = values.pop("coauthors", [])
    body = _strip_images(values.get("body_html", ""), set())  # a new entry has no attachments yet
    values["body_html"] = body
    words = wordcount.count_words(body)
    entry = Entry(contest_id=contest.id, author_id=user.id, unit_id=user.unit_id, status="draft", version=1,
                  word_count=words, created_at=now, saved_at=now, **values)
    db.session.add(entry)
    db.session.flush()
    if coauthors:
        _set_coauthors(entry, coauthors)
    db.session.add(_version_row(entry.id, 1, {k: getattr(entry, k) for k in VERSIONED_FIELDS}, words, now,
                                user.id))
    db.session.flush()
    audit.record("essay.created", actor=user, target_type="essay_entry", target_id=entry.id,
                 contest_id=contest.id, category_id=entry.category_id)
    return entry


def _version_row(entry_id: int, number: int, content: Mapping[str, Any], words: int, now: datetime,
                 user_id: int | None) -> EntryVersion:
    return EntryVersion(entry_id=entry_id, number=number, word_count=words, saved_at=now, saved_by_id=user_id,
                        **{k: content[k] for k in VERSIONED_FIELDS})


def _conflict(current: int | None) -> Conflict:
    msg = _l("A newer version of this entry was saved elsewhere (another tab or device). Your changes were not "
             "saved: reload the entry to see the latest version, then make your changes again.")
    return Conflict(msg, code="version_conflict", fields={"version": [str(current)] if current else []},
                    current_version=current)


def _current_version(entry_id: int) -> int | None:
    return db.session.scalar(select(Entry.version).where(Entry.id == entry_id)
                             .execution_options(populate_existing=True))


def _apply(entry: Entry, user, content: dict[str, Any], extra: dict[str, Any], coauthors: list | None,
           base_version: int | None, now: datetime) -> bool:
    """Write the new content as version N+1 (or check the base only, when nothing changed). True when a version
    was written."""
    current = {k: getattr(entry, k) for k in VERSIONED_FIELDS}
    new_content = {**current, **content}
    changed = new_content != current or any(getattr(entry, k) != v for k, v in extra.items()) \
        or (coauthors is not None and coauthors != _coauthor_rows(entry))
    if not changed:
        if base_version is not None and _current_version(entry.id) != base_version:
            raise _conflict(_current_version(entry.id))
        return False
    words = wordcount.count_words(new_content["body_html"]) if "body_html" in content else entry.word_count
    values = {**content, **extra, "word_count": words, "saved_at": now}
    stmt = update(Entry).where(Entry.id == entry.id)
    if base_version is not None:
        stmt = stmt.where(Entry.version == base_version)
    stmt = (stmt.values(version=Entry.version + 1, **values).returning(Entry.version)
            .execution_options(synchronize_session=False))
    number = db.session.execute(stmt).scalar()
    if number is None:
        raise _conflict(_current_version(entry.id))
    # The row changed under the ORM's feet: tell the loaded object what it now holds (without a reload).
    for key, value in {**values, "version": number}.items():
        set_committed_value(entry, key, value)
    if coauthors is not None and coauthors != _coauthor_rows(entry):
        _set_coauthors(entry, coauthors)
    db.session.add(_version_row(entry.id, number, new_content, words, now, user.id))
    db.session.flush()
    return True


def save_entry(entry: Entry, user, data: Mapping[str, Any], base_version: int | None = None,
               now: datetime | None = None) -> Entry:
    """Save any of title, category_id, subject_name, subject_unit, subject_description, body_html, coauthors,
    publish_consent as version N+1.

    base_version: the version the writer's editor started from; when another save got there first, Conflict
    `version_conflict` and nothing is written. Without it the save applies to whatever is latest. A save that
    changes nothing writes no version (the entry keeps its version number). Images in body_html that are not this
    entry's attachments are dropped.
    """
    now = _now(now)
    require_author(entry, user)
    _check_editable(entry, now)
    if base_version is not None and (isinstance(base_version, bool) or not isinstance(base_version, int)):
        raise Invalid(FIELDS_TO_CORRECT, fields={"version": [_l("Give the version number your editor started "
                                                                "from.")]})
    values = _clean_entry({k: v for k, v in data.items() if k in EDITABLE_FIELDS}, entry.contest, user.id,
                          creating=False)
    coauthors = values.pop("coauthors", None)
    extra = {k: values.pop(k) for k in ("publish_consent",) if k in values}
    if "body_html" in values:
        values["body_html"] = _strip_images(values["body_html"], {a.key for a in live_attachments(entry)})
    wrote = _apply(entry, user, values, extra, coauthors, base_version, now)
    if wrote and entry.code is not None:
        audit.record("essay.saved", actor=user, target_type="essay_entry", target_id=entry.id, version=entry.version,
                     status=entry.status)
    return entry


# --- versions ---------------------------------------------------------------------------------------------

def versions_of(entry: Entry) -> list[EntryVersion]:
    """Every saved version, newest first."""
    return list(db.session.scalars(select(EntryVersion).where(EntryVersion.entry_id == entry.id)
                                   .order_by(EntryVersion.number.desc())))


def version_of(entry: Entry, number) -> EntryVersion:
    n = parse_id(number)
    row = db.session.scalar(select(EntryVersion).where(EntryVersion.entry_id == entry.id,
                                                       EntryVersion.number == n)) if n else None
    if row is None:
        raise NotFound(_l("This entry has no such version."))
    return row


def restore_version(entry: Entry, user, number, base_version: int | None, now: datetime | None = None) -> Entry:
    """A new version with the content of an earlier one (its category, when that still exists). Images of
    attachments removed since then are left out."""
    now = _now(now)
    require_author(entry, user)
    _check_editable(entry, now)
    old = version_of(entry, number)
    content = {k: getattr(old, k) for k in VERSIONED_FIELDS}
    if content["category_id"] is None:
        content["category_id"] = entry.category_id
    content["body_html"] = _strip_images(content["body_html"], {a.key for a in live_attachments(entry)})
    wrote = _apply(entry, user, content, {}, None, base_version, now)
    if wrote and entry.code is not None:
        audit.record("essay.restored", actor=user, target_type="essay_entry", target_id=entry.id,
                     version=entry.version, restored=old.number, status=entry.status)
    return entry


# --- submission, withdrawal, disqualification ------------------------------------------------------------

def word_limit_problem(category: Category, words: int) -> tuple[str, Any] | None:
    """(code, message) when `words` is outside the category's limits, else None."""
    low, high = category.min_words, category.max_words
    if (low is None or words >= low) and (high is None or words <= high):
        return None
    count = _number(words)
    if low is not None and high is not None:
        limits = _l("this category needs %(low)s to %(high)s.", low=_number(low), high=_number(high))
    elif low is not None:
        limits = _l("this category needs at least %(low)s.", low=_number(low))
    else:
        limits = _l("this category allows at most %(high)s.", high=_number(high))
    message = _l("Your entry has %(count)s words; %(limits)s", count=count, limits=limits)
    return ("too_short" if low is not None and words < low else "too_long"), message


def _new_code(prefix: str) -> str:
    return f"{prefix}-{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _give_code(entry: Entry, prefix: str) -> str:
    """A receipt code no other entry has: random digits, checked, and in the end guarded by the unique index
    (a savepoint lets a collision with a simultaneous submission retry instead of failing the request)."""
    for _ in range(CODE_ATTEMPTS):
        code = _new_code(prefix)
        if db.session.scalar(select(Entry.id).where(Entry.code == code)) is not None:
            continue
        try:
            with db.session.begin_nested():
                db.session.execute(update(Entry).where(Entry.id == entry.id, Entry.code.is_(None))
                                   .values(code=code).execution_options(synchronize_session=False))
        except IntegrityError:
            continue
        set_committed_value(entry, "code", code)
        return code
    raise Conflict(_l("No receipt code could be given just now. Please submit again."), code="code_unavailable")


def submit_entry(entry: Entry, user, pledge: bool, publish_consent: bool | None = None,
                 now: datetime | None = None, *, notify: bool = True) -> Entry:
    """Submit the entry's current version with the pledge. The first submission gives the receipt code, which is
    kept for good; submitting again after edits (or after withdrawing) moves submitted_version and submitted_at.
    A receipt mail goes to the author once the request commits (notify=False: none, for demo data)."""
    now = _now(now)
    require_author(entry, user)
    _check_editable(entry, now)
    if pledge is not True:
        msg = _l("Confirm the pledge to submit your entry.")
        raise Invalid(msg, code="pledge_required", fields={"pledge": [msg]})
    missing: dict[str, list] = {}
    if not entry.title:
        missing["title"] = [_l("Give your entry a title.")]
    if not entry.subject_name:
        missing["subject_name"] = [_l("Name the person you write about.")]
    if entry.word_count == 0 or not wordcount.plain_text(entry.body_html).strip():
        missing["body_html"] = [_l("Write the text of your entry.")]
    if missing:
        raise Invalid(_l("Your entry is not complete yet."), code="incomplete", fields=missing)
    problem = word_limit_problem(entry.category, entry.word_count)
    if problem is not None:
        code, message = problem
        raise Invalid(message, code=code, fields={"body_html": [message]}, word_count=entry.word_count,
                      min_words=entry.category.min_words, max_words=entry.category.max_words)
    if entry.status == "submitted" and entry.submitted_version == entry.version:
        if publish_consent is not None and publish_consent != entry.publish_consent:
            entry.publish_consent = publish_consent
            db.session.flush()
        return entry  # already submitted as it is: nothing to do
    settings = settings_for(entry.contest)
    if settings.max_entries_per_writer is not None and entry.status != "submitted":
        # Lock the writer's entries in this contest so that two submissions at once cannot both pass the limit.
        db.session.execute(select(Entry.id).where(Entry.contest_id == entry.contest_id,
                                                  Entry.author_id == entry.author_id).with_for_update())
        counted = db.session.scalar(select(func.count()).select_from(Entry).where(
            Entry.contest_id == entry.contest_id, Entry.author_id == entry.author_id, Entry.id != entry.id,
            Entry.status.in_(("submitted", "disqualified"))))
        if counted >= settings.max_entries_per_writer:
            raise Conflict(lazy_ngettext("Each writer may submit %(num)d entry to this contest.",
                                         "Each writer may submit %(num)d entries to this contest.",
                                         settings.max_entries_per_writer), code="entry_limit")
    again = entry.submitted_version is not None
    entry.status = "submitted"
    entry.submitted_version = entry.version
    entry.submitted_at = now
    entry.first_submitted_at = entry.first_submitted_at or now
    entry.withdrawn_at = None
    if publish_consent is not None:
        entry.publish_consent = publish_consent
    # Written before the code's savepoint: SQLite's driver opens its transaction at the first write, and a
    # savepoint opened before it would be committed on its own by its RELEASE.
    db.session.flush()
    if entry.code is None:
        _give_code(entry, settings.code_prefix)
    audit.record("essay.resubmitted" if again else "essay.submitted", actor=user, target_type="essay_entry",
                 target_id=entry.id, code=entry.code, version=entry.version, word_count=entry.word_count)
    if notify:
        _mail_after_commit(*_receipt_mail(entry, user))
    return entry


def receipt_url(entry: Entry) -> str:
    """The absolute address of the entry's receipt page (the path alone when no address can be built)."""
    try:
        return url_for("essays.receipt", entry_id=entry.id, _external=True)
    except (BuildError, RuntimeError):
        return f"/entries/{entry.id}/receipt"


def _receipt_mail(entry: Entry, user) -> tuple[str, str, str]:
    when = format_datetime(entry.submitted_at, "short")  # in the site's time zone, Asia/Ho_Chi_Minh
    subject = gettext("Receipt for your entry %(code)s", code=entry.code)
    body = gettext(
        "Dear %(name)s,\n\n"
        "Your entry to “%(contest)s” has been received.\n\n"
        "Receipt code: %(code)s\n"
        "Title: %(title)s\n"
        "Submitted at: %(when)s (Hà Nội time)\n"
        "Words: %(words)s\n\n"
        "You can still change or withdraw it until submissions close. Your receipt: %(url)s\n",
        name=user.full_name, contest=entry.contest.title, code=entry.code, title=entry.title, when=when,
        words=_number(entry.word_count), url=receipt_url(entry))
    return user.email, subject, body


def withdraw_entry(entry: Entry, user, now: datetime | None = None) -> Entry:
    """Take a submitted entry out of the contest (until the close); it keeps its code and may be submitted again."""
    now = _now(now)
    require_author(entry, user)
    _check_editable(entry, now)
    if entry.status != "submitted":
        raise Conflict(_l("Only a submitted entry can be withdrawn."), code="not_submitted")
    entry.status = "withdrawn"
    entry.withdrawn_at = now
    db.session.flush()
    audit.record("essay.withdrawn", actor=user, target_type="essay_entry", target_id=entry.id, code=entry.code)
    return entry


def disqualify_entry(entry: Entry, actor, reason: str, now: datetime | None = None) -> Entry:
    """An organiser takes a submitted entry out of the contest for a reason the writer is told (by mail)."""
    require_organiser(actor)
    errors: dict[str, list] = {}
    text = _block(reason, "reason", errors, REASON_MAX)
    if not errors and not text:
        errors["reason"] = [_l("Give the reason; the writer will be told.")]
    if errors:
        raise Invalid(FIELDS_TO_CORRECT, fields=errors)
    if entry.status == "disqualified":
        raise Conflict(_l("This entry is already disqualified."), code="already_disqualified")
    if entry.status != "submitted":
        raise Conflict(_l("Only a submitted entry can be disqualified."), code="not_submitted")
    entry.status = "disqualified"
    entry.disqualified_at = _now(now)
    entry.disqualified_reason = text
    entry.disqualified_by_id = actor.id
    db.session.flush()
    audit.record("essay.disqualified", actor=actor, target_type="essay_entry", target_id=entry.id, code=entry.code,
                 reason=text)
    author = entry.author
    subject = gettext("Your entry %(code)s has been disqualified", code=entry.code)
    body = gettext("Dear %(name)s,\n\nThe organisers of “%(contest)s” have disqualified your entry %(code)s "
                   "(“%(title)s”).\n\nReason: %(reason)s\n\nIf you think this is a mistake, reply to the organisers.\n",
                   name=author.full_name, contest=entry.contest.title, code=entry.code, title=entry.title,
                   reason=text)
    _mail_after_commit(author.email, subject, body)
    return entry


def reinstate_entry(entry: Entry, actor, now: datetime | None = None) -> Entry:
    """Undo a disqualification: the entry is submitted again, as it was."""
    require_organiser(actor)
    if entry.status != "disqualified":
        raise Conflict(_l("This entry is not disqualified."), code="not_disqualified")
    reason = entry.disqualified_reason
    entry.status = "submitted"
    entry.disqualified_at = None
    entry.disqualified_reason = ""
    entry.disqualified_by_id = None
    db.session.flush()
    audit.record("essay.reinstated", actor=actor, target_type="essay_entry", target_id=entry.id, code=entry.code,
                 previous_reason=reason)
    author = entry.author
    subject = gettext("Your entry %(code)s is back in the contest", code=entry.code)
    body = gettext("Dear %(name)s,\n\nThe organisers of “%(contest)s” have reinstated your entry %(code)s "
                   "(“%(title)s”): it takes part in the contest again.\n",
                   name=author.full_name, contest=entry.contest.title, code=entry.code, title=entry.title)
    _mail_after_commit(author.email, subject, body)
    return entry


def entry_history(entry: Entry) -> list[AuditEntry]:
    """What happened to the entry, oldest first (the audit log)."""
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "essay_entry",
                                                            AuditEntry.target_id == str(entry.id))
                                   .order_by(AuditEntry.at, AuditEntry.id)))


# --- mail once the transaction is committed --------------------------------------------------------------

def _mail_after_commit(to: str, subject: str, body: str) -> None:
    """Send this mail when the current transaction commits; never if it rolls back (the mail would tell of
    something that did not happen)."""
    after_commit(db.session(), lambda: send_mail(to, subject, body))


# --- attachments ------------------------------------------------------------------------------------------

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def add_attachment(entry: Entry, user, filename: str, data: bytes, now: datetime | None = None) -> Attachment:
    """Check (by content), clean and store an uploaded JPEG, PNG or PDF for the entry; at most MAX_ATTACHMENTS live
    ones. Invalid / TooLarge / UnsupportedMediaType from files.inspect_upload."""
    now = _now(now)
    require_author(entry, user)
    _check_editable(entry, now)
    if len(live_attachments(entry)) >= MAX_ATTACHMENTS:
        raise Conflict(_l("An entry can have at most %(n)d attachments. Remove one first.", n=MAX_ATTACHMENTS),
                       code="attachment_limit")
    from contest.essays import files

    clean = files.inspect_upload(data, filename or "")
    key = files.store(clean.data, clean.extension)
    name = nfc((filename or "").replace("\\", "/").rsplit("/", 1)[-1])[:200]
    attachment = Attachment(entry_id=entry.id, key=key, kind=clean.kind, content_type=clean.content_type,
                            original_name=name, size=len(clean.data), width=clean.width, height=clean.height,
                            uploaded_by_id=user.id, created_at=now)
    entry.attachments.append(attachment)
    db.session.flush()
    if entry.code is not None:
        audit.record("essay.attachment_added", actor=user, target_type="essay_entry", target_id=entry.id,
                     attachment_id=attachment.id, kind=attachment.kind, size=attachment.size)
    return attachment


def remove_attachment(entry: Entry, user, attachment_id, now: datetime | None = None) -> None:
    """Hide an attachment: it leaves the entry's list (and its text at the next save); versions that showed it
    still do, for those who may read the entry."""
    now = _now(now)
    require_author(entry, user)
    _check_editable(entry, now)
    aid = parse_id(attachment_id)
    attachment = next((a for a in live_attachments(entry) if a.id == aid), None)
    if attachment is None:
        raise NotFound(_l("No such attachment."))
    attachment.deleted_at = now
    db.session.flush()
    if entry.code is not None:
        audit.record("essay.attachment_removed", actor=user, target_type="essay_entry", target_id=entry.id,
                     attachment_id=attachment.id)


def attachment_by_key(user, key: str) -> Attachment:
    """The attachment stored under this key, for those who may read its entry; NotFound for anyone else."""
    attachment = None
    if isinstance(key, str) and KEY_RE.match(key):
        attachment = db.session.scalar(select(Attachment).where(Attachment.key == key))
    if attachment is None or not (may_read(attachment.entry, user) or _judges_it(attachment.entry, user)):
        raise NotFound(_l("No such file."))
    return attachment


def _judges_it(entry: Entry, user) -> bool:
    """Judges read the files of the entries assigned to them (served under neutral names, see the file view)."""
    from contest.judging.scoring import judge_may_read_entry

    return judge_may_read_entry(user, entry.id)


# --- organisers' list -------------------------------------------------------------------------------------

def flagged_ids(contest: Contest) -> set[int]:
    """Entries the similarity check flagged (empty until that check exists and has run)."""
    try:
        from contest.essays.checks import flagged_entry_ids
    except ImportError:
        return set()
    return set(flagged_entry_ids(contest))


def list_entries(contest: Contest, *, category_id: int | None = None, unit_id: int | None = None,
                 status: str | None = None, flagged: bool | None = None, q: str | None = None,
                 limit: int = 50, offset: int = 0, actor=None) -> tuple[list[Entry], int]:
    """One page of the contest's entries for organisers, newest first, and how many match: by category, unit (and
    the units below it), status, flagged by the similarity check, and q (title, author's name or code, with or
    without accents). With `actor`, refused unless they organise."""
    if actor is not None:
        require_organiser(actor)
    stmt = select(Entry.id).where(Entry.contest_id == contest.id)
    if category_id is not None:
        stmt = stmt.where(Entry.category_id == category_id)
    if unit_id is not None:
        stmt = stmt.where(Entry.unit_id.in_(descendant_ids(unit_id)))
    if status is not None:
        if status not in ENTRY_STATUSES:
            raise Invalid(_l("Unknown status."), fields={"status": [_l("Unknown status.")]})
        stmt = stmt.where(Entry.status == status)
    if flagged is not None:
        ids = flagged_ids(contest)
        stmt = stmt.where(Entry.id.in_(ids)) if flagged else stmt.where(Entry.id.not_in(ids))
    stmt = stmt.order_by(Entry.id.desc())
    needle = unaccent(q)
    if needle:
        # Titles have no accent-free column to search in SQL: match in Python over this contest's rows, a few
        # thousand at most.
        rows = db.session.execute(
            stmt.add_columns(Entry.title, Entry.code, User.search_name).join(User, User.id == Entry.author_id)).all()
        ids = [row[0] for row in rows
               if needle in unaccent(row[1]) or needle in (row[3] or "") or needle in unaccent(row[2] or "")]
        total = len(ids)
        page_ids = ids[offset:offset + limit]
    else:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        page_ids = list(db.session.scalars(stmt.limit(limit).offset(offset)))
    if not page_ids:
        return [], total
    loaded = {e.id: e for e in db.session.scalars(
        select(Entry).where(Entry.id.in_(page_ids)).options(
            selectinload(Entry.author), selectinload(Entry.unit), selectinload(Entry.category),
            selectinload(Entry.coauthors)))}
    return [loaded[i] for i in page_ids if i in loaded], total


def submitted_content(entry: Entry) -> EntryVersion | None:
    """The version that was last submitted (what judges read), None for an entry never submitted."""
    if entry.submitted_version is None:
        return None
    return db.session.scalar(select(EntryVersion).where(EntryVersion.entry_id == entry.id,
                                                        EntryVersion.number == entry.submitted_version))


__all__ = [
    "DEFAULT_PLEDGE", "MAX_ATTACHMENTS", "MAX_COAUTHORS", "SETTINGS_FIELDS", "STATE_LABELS", "STATUS_LABELS",
    "add_attachment", "add_category", "attachment_by_key", "categories_of", "category_for", "check_may_write",
    "create_entry", "delete_category", "disqualify_entry", "entries_of", "entry_for", "entry_history",
    "flagged_ids", "is_editable", "list_entries", "live_attachments", "may_read", "may_write", "receipt_url",
    "reinstate_entry", "remove_attachment", "require_author", "restore_version", "save_entry", "settings_for",
    "submissions_state", "submit_entry", "submitted_content", "update_category", "update_settings",
    "version_of", "versions_of", "withdraw_entry", "word_limit_problem",
]
