"""A writing contest's entries as a spreadsheet for organisers: CSV (UTF-8 with a byte order mark, so that Excel
shows Vietnamese letters) or XLSX (times as real dates in Hà Nội time), written by contest.results.spreadsheets.

Drafts are left out (nobody has entered them yet). What is shown of a submitted entry is its submitted version, the
one judges read; the exports hold personal data, so each one is written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.contests.models import Contest
from contest.core import audit, clock
from contest.core.errors import Invalid
from contest.essays.models import Entry, EntryVersion
from contest.essays.services import STATUS_LABELS, flagged_ids
from contest.extensions import db
from contest.results import spreadsheets

FORMATS = spreadsheets.FORMATS
MIMETYPES = spreadsheets.MIMETYPES
COLUMNS = (
    ("code", _l("Code")), ("status", _l("Status")), ("title", _l("Title")), ("category", _l("Category")),
    ("author", _l("Author")), ("email", _l("Email")), ("unit", _l("Unit")), ("coauthors", _l("Co-authors")),
    ("subject", _l("Person written about")), ("word_count", _l("Words")),
    ("submitted_at", _l("Submitted at (Hà Nội time)")), ("flagged", _l("Flagged as similar")),
    ("disqualified_reason", _l("Reason for disqualification")),
)


def _local(value: datetime | None) -> datetime | None:
    """A stored time in Hà Nội time, without tzinfo (spreadsheets have no time zones)."""
    return spreadsheets.local(value)


def entry_rows(contest: Contest) -> list[dict[str, Any]]:
    """One dict per non-draft entry, by code, with the values of COLUMNS (submitted_at a naive local datetime)."""
    entries = list(db.session.scalars(
        select(Entry).where(Entry.contest_id == contest.id, Entry.status != "draft")
        .options(selectinload(Entry.author), selectinload(Entry.unit), selectinload(Entry.category),
                 selectinload(Entry.coauthors))
        .order_by(Entry.code, Entry.id)))
    versions = {v.entry_id: v for v in db.session.scalars(
        select(EntryVersion).join(Entry, Entry.id == EntryVersion.entry_id)
        .where(Entry.contest_id == contest.id, EntryVersion.number == Entry.submitted_version))}
    flagged = flagged_ids(contest)
    rows = []
    for entry in entries:
        shown = versions.get(entry.id) or entry  # the submitted version, when there is one
        rows.append({
            "code": entry.code or "", "status": str(STATUS_LABELS.get(entry.status, entry.status)),
            "title": shown.title, "category": entry.category.name,
            "author": entry.author.full_name, "email": entry.author.email,
            "unit": entry.unit.name if entry.unit else "",
            "coauthors": "; ".join(c.full_name + (f" <{c.email}>" if c.email else "") for c in entry.coauthors),
            "subject": ", ".join(p for p in (shown.subject_name, shown.subject_unit) if p),
            "word_count": shown.word_count, "submitted_at": _local(entry.submitted_at),
            "flagged": str(_l("Yes")) if entry.id in flagged else "",
            "disqualified_reason": entry.disqualified_reason or "",
        })
    return rows


def _table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    return [str(label) for _key, label in COLUMNS], [[row[key] for key, _label in COLUMNS] for row in rows]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    header, values = _table(rows)
    return spreadsheets.to_csv(header, values, time_format="%Y-%m-%d %H:%M")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    header, values = _table(rows)
    return spreadsheets.to_xlsx(str(_l("Entries")), header, values)


def entries_workbook(contest: Contest, fmt: str, actor=None) -> tuple[bytes, str, str]:
    """(file contents, mimetype, file name) of the contest's entries in `fmt` (csv or xlsx); audit-logged."""
    if fmt not in FORMATS:
        raise Invalid(_l("Choose the format: csv or xlsx."), fields={"format": [_l("Choose csv or xlsx.")]})
    rows = entry_rows(contest)
    data = to_csv(rows) if fmt == "csv" else to_xlsx(rows)
    audit.record("essay.export", actor=actor, target_type="contest", target_id=contest.id, format=fmt,
                 entries=len(rows))
    db.session.flush()
    filename = f"{contest.slug}-entries-{clock.utcnow():%Y%m%d}.{fmt}"
    return data, MIMETYPES[fmt], filename


__all__ = ["COLUMNS", "FORMATS", "MIMETYPES", "entries_workbook", "entry_rows", "to_csv", "to_xlsx"]
