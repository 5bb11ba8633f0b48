"""Judging as judges do it: their queue, the blind view of an entry, scores saved as drafts and submitted,
declaring a conflict; and the organisers' reopening of a submitted score or of a closed round for one judge.

Blind: what a judge reads is built here and only here (`assignment_view`), from the judged version of the entry
(title, category, the person written about, the text) and the attachments' random keys. Nothing in it names or
points to the author: no author or co-author name, account, email or unit, no original file names, no entry id.

A judge may save while the round is open for them: from opens_at until closes_at, or until their own extension
(RoundJudge.extended_until). A submitted score is read-only unless an organiser reopened that assignment
(reopened_until in the future); every change to it is audited with the old and new values, and submitting it
again ends the reopening.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, selectinload

from contest.core import audit, clock
from contest.core.errors import Conflict, Invalid, NotFound
from contest.core.text import parse_id
from contest.essays.models import Attachment, Category, Entry, EntryVersion
from contest.extensions import db
from contest.judging import aggregate, rounds
from contest.judging.models import Assignment, JudgingRound, RoundEntry, RoundJudge, Score

COMMENT_MAX = 10_000
FILE_PATH = "/essays/files/{key}"
# "Submitted" alone is also a column of times; the status has its own context.
STATUS_LABELS = {"pending": _l("Not started"), "draft": _l("Draft"), "submitted": lazy_pgettext("status", "Submitted")}


# --- finding an assignment --------------------------------------------------------------------------------

def assignment_for_judge(assignment_id: Any, user) -> Assignment:
    """The judge's own assignment; NotFound for anyone else's (a judge must not learn which others exist), and for
    an entry withdrawn or disqualified since the round took it."""
    aid = parse_id(assignment_id)
    row = db.session.get(Assignment, aid) if aid is not None else None
    if row is None or user is None or row.judge_id != user.id or row.entry.status != "submitted":
        raise NotFound(_l("No such assignment."))
    return row


def judge_may_read_entry(user, entry_id: int) -> bool:
    """Whether this account judges the entry in a round that has opened (for serving its attachments)."""
    if user is None or getattr(user, "id", None) is None:
        return False
    now = clock.utcnow()
    return db.session.scalar(
        select(Assignment.id).join(JudgingRound, JudgingRound.id == Assignment.round_id)
        .where(Assignment.judge_id == user.id, Assignment.entry_id == entry_id, JudgingRound.opens_at <= now)
        .limit(1)) is not None


# --- windows ----------------------------------------------------------------------------------------------

def _after(value: datetime | None, now: datetime) -> bool:
    return value is not None and clock.as_utc(value) > now


def closes_for(row: Assignment, judge: RoundJudge | None = None) -> datetime:
    """When this judge's scoring window closes: the round's close or their own extension, whichever is later."""
    round_ = row.round
    judge = judge if judge is not None else rounds.round_judge(round_, row.judge_id)
    closes = clock.as_utc(round_.closes_at)
    if judge is not None and judge.extended_until is not None:
        closes = max(closes, clock.as_utc(judge.extended_until))
    return closes


def is_reopened(row: Assignment, now: datetime) -> bool:
    return row.status == "submitted" and _after(row.reopened_until, now)


def may_edit(row: Assignment, now: datetime | None = None) -> bool:
    now = now or clock.utcnow()
    if now < clock.as_utc(row.round.opens_at):
        return False
    if row.status == "submitted":
        return is_reopened(row, now)
    return now < closes_for(row)


def _check_editable(row: Assignment, now: datetime) -> None:
    if now < clock.as_utc(row.round.opens_at):
        raise Conflict(_l("The judging round has not opened yet."), code="round_not_open")
    if row.status == "submitted":
        if is_reopened(row, now):
            return
        if now >= closes_for(row):
            raise Conflict(_l("The judging round has closed: scores are read-only."), code="round_closed")
        raise Conflict(_l("You have submitted this score; ask an organiser to reopen it to change it."),
                       code="already_submitted")
    if now >= closes_for(row):
        raise Conflict(_l("The judging round has closed: scores are read-only."), code="round_closed")


# --- the queue and the blind view -------------------------------------------------------------------------

def _judged_versions(pairs: list[tuple[int, int]], *, with_body: bool = True
                     ) -> dict[tuple[int, int], EntryVersion]:
    """(round id, entry id) -> the EntryVersion the round judges (only those rows, the text left out unless
    `with_body`)."""
    if not pairs:
        return {}
    stmt = (select(RoundEntry.round_id, EntryVersion)
            .join(EntryVersion, (EntryVersion.entry_id == RoundEntry.entry_id)
                  & (EntryVersion.number == RoundEntry.version))
            .where(RoundEntry.round_id.in_({r for r, _ in pairs}), RoundEntry.entry_id.in_({e for _, e in pairs})))
    if not with_body:
        stmt = stmt.options(defer(EntryVersion.body_html))
    wanted = set(pairs)
    return {(r, v.entry_id): v for r, v in db.session.execute(stmt) if (r, v.entry_id) in wanted}


def my_assignments(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """The judge's assignments of entries still in the contest, rounds open first (then upcoming, then closed),
    each by entry code: plain data for the queue (id, entry_code, title, category, status, round, closes_at,
    editable)."""
    now = now or clock.utcnow()
    rows = list(db.session.scalars(
        select(Assignment).join(Entry, Entry.id == Assignment.entry_id)
        .where(Assignment.judge_id == user.id, Entry.status == "submitted")
        .options(selectinload(Assignment.round), selectinload(Assignment.entry))))
    versions = _judged_versions([(a.round_id, a.entry_id) for a in rows], with_body=False)
    category_ids = {v.category_id for v in versions.values()} | {a.entry.category_id for a in rows}
    categories = {c.id: c.name for c in db.session.scalars(select(Category).where(Category.id.in_(category_ids)))}
    extensions = {(rj.round_id, rj.user_id): rj for rj in db.session.scalars(
        select(RoundJudge).where(RoundJudge.user_id == user.id))}
    order = {"open": 0, "upcoming": 1, "closed": 2}
    items = []
    for a in rows:
        version = versions.get((a.round_id, a.entry_id))
        state = rounds.round_state(a.round, now)
        items.append({
            "id": a.id, "entry_code": a.entry.code,
            "title": version.title if version else a.entry.title,
            "category": categories.get(version.category_id if version else a.entry.category_id),
            "status": a.status, "round_id": a.round_id, "round": a.round.title, "round_state": state,
            "opens_at": a.round.opens_at, "closes_at": closes_for(a, extensions.get((a.round_id, a.judge_id))),
            "saved_at": a.saved_at, "submitted_at": a.submitted_at,
            "reopened_until": a.reopened_until if is_reopened(a, now) else None,
            "editable": may_edit(a, now),
        })
    items.sort(key=lambda i: (order[i["round_state"]], i["closes_at"], i["entry_code"] or "", i["id"]))
    return items


def _attachments(entry_id: int, taken_at: datetime | None) -> list[Attachment]:
    """The entry's attachments as they stood when the round took it (all live ones if unknown)."""
    rows = db.session.scalars(select(Attachment).where(Attachment.entry_id == entry_id).order_by(Attachment.id))
    if taken_at is None:
        return [a for a in rows if a.deleted_at is None]
    at = clock.as_utc(taken_at)
    return [a for a in rows if clock.as_utc(a.created_at) <= at
            and (a.deleted_at is None or clock.as_utc(a.deleted_at) > at)]


def criteria_of(round_: JudgingRound) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "description": c.description, "max_score": c.max_score,
             "weight": c.weight} for c in round_.criteria]


def judge_total(row: Assignment) -> float | None:
    """The judge's weighted total (0..Σ weights) when every criterion is scored, else None."""
    values = {s.criterion_id: s.value for s in row.scores if s.value is not None}
    criteria = row.round.criteria
    if not criteria or any(c.id not in values for c in criteria):
        return None
    return aggregate.weighted_total(values, criteria)


def other_totals(row: Assignment) -> list[dict[str, Any]]:
    """The other judges' submitted totals of this entry, without names: judge 1, judge 2... in assignment order."""
    others = db.session.scalars(
        select(Assignment).where(Assignment.round_id == row.round_id, Assignment.entry_id == row.entry_id,
                                 Assignment.id != row.id).options(selectinload(Assignment.scores))
        .order_by(Assignment.id)).all()
    out = []
    for number, other in enumerate(others, start=1):
        if other.status == "submitted":
            out.append({"judge": number, "total": judge_total(other)})
    return out


def assignment_view(row: Assignment, now: datetime | None = None) -> dict[str, Any]:
    """What the judge reads and scores: only blind data (see the module's docstring)."""
    now = now or clock.utcnow()
    round_ = row.round
    if now < clock.as_utc(round_.opens_at):
        raise Conflict(_l("The judging round has not opened yet: entries can be read once it opens."),
                       code="round_not_open")
    judged = db.session.get(RoundEntry, (round_.id, row.entry_id))
    version = _judged_versions([(round_.id, row.entry_id)]).get((round_.id, row.entry_id))
    entry = row.entry
    category = db.session.get(Category, version.category_id if version and version.category_id
                              else entry.category_id)
    source = version or entry
    view: dict[str, Any] = {
        "id": row.id, "status": row.status,
        "round": {"id": round_.id, "title": round_.title, "stage": round_.stage,
                  "state": rounds.round_state(round_, now), "opens_at": round_.opens_at,
                  "closes_at": closes_for(row), "scale": rounds.total_scale(round_)},
        "entry": {"code": entry.code, "title": source.title, "category": category.name if category else None,
                  "subject_name": source.subject_name, "subject_description": source.subject_description,
                  "body_html": source.body_html, "word_count": source.word_count,
                  "attachments": [{"url": FILE_PATH.format(key=a.key), "kind": a.kind,
                                   "content_type": a.content_type, "size": a.size, "width": a.width,
                                   "height": a.height}
                                  for a in _attachments(entry.id, judged.added_at if judged else None)]},
        "criteria": criteria_of(round_),
        "scores": {str(s.criterion_id): s.value for s in row.scores},
        "comments": {str(s.criterion_id): s.comment for s in row.scores if s.comment},
        "comment": row.comment, "total": judge_total(row),
        "saved_at": row.saved_at, "submitted_at": row.submitted_at,
        "reopened_until": row.reopened_until if is_reopened(row, now) else None,
        "editable": may_edit(row, now),
    }
    if round_.reveal_scores == "after_submit" and row.status == "submitted":
        view["others"] = other_totals(row)
    return view


# --- saving scores ----------------------------------------------------------------------------------------

def _criterion_key(key: Any, known: Mapping[int, Any]) -> int | None:
    cid = parse_id(key)
    return cid if cid in known else None


def save_scores(row: Assignment, user, scores: Mapping[Any, Any] | None = None,
                comments: Mapping[Any, Any] | None = None, comment: Any = None, submit: bool = False,
                now: datetime | None = None) -> Assignment:
    """Save the judge's scores ({criterion id: number, or None to clear}) and comments (per criterion, with or
    without its score yet, and overall) as a draft, or submit them (`submit`: every criterion scored, else 422
    `incomplete`). Scores and comments not given keep their value. 422 `score_out_of_range` (fields
    `scores.<id>`) for a score outside 0..max_score or not a number, `unknown_criterion` for an id outside the
    rubric; 409 `round_not_open`, `round_closed`,
    `already_submitted`. Nothing is saved when anything is refused."""
    now = now or clock.utcnow()
    if user is None or row.judge_id != user.id:
        raise NotFound(_l("No such assignment."))
    _check_editable(row, now)
    criteria = {c.id: c for c in row.round.criteria}
    errors: dict[str, list] = {}
    new_values: dict[int, float | None] = {}
    for key, value in (scores or {}).items():
        cid = _criterion_key(key, criteria)
        if cid is None:
            raise Invalid(_l("There is no criterion %(id)s in this round's rubric.", id=key),
                          code="unknown_criterion", fields={f"scores.{key}": [_l("Unknown criterion.")]})
        if value is None:
            new_values[cid] = None
            continue
        c = criteria[cid]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or not 0 <= value <= c.max_score:
            errors[f"scores.{cid}"] = [_l("“%(name)s”: give a score from 0 to %(max)s.", name=c.name,
                                          max=f"{c.max_score:g}")]
            continue
        new_values[cid] = float(value)
    if errors:
        raise Invalid(_l("Some scores are outside their criterion's range."), code="score_out_of_range",
                      fields=errors)
    new_comments: dict[int, str] = {}
    for key, value in (comments or {}).items():
        cid = _criterion_key(key, criteria)
        if cid is None:
            raise Invalid(_l("There is no criterion %(id)s in this round's rubric.", id=key),
                          code="unknown_criterion", fields={f"comments.{key}": [_l("Unknown criterion.")]})
        text = nfc_block(value)
        if text is None:
            errors[f"comments.{cid}"] = [_l("A comment is text of at most %(n)d characters.", n=COMMENT_MAX)]
        else:
            new_comments[cid] = text
    overall = None
    if comment is not None:
        overall = nfc_block(comment)
        if overall is None:
            errors["comment"] = [_l("A comment is text of at most %(n)d characters.", n=COMMENT_MAX)]
    if errors:
        raise Invalid(_l("Some comments are too long."), fields=errors)

    current = {s.criterion_id: s for s in row.scores}
    after = {cid: s.value for cid, s in current.items()}
    after.update(new_values)
    after = {cid: v for cid, v in after.items() if v is not None}
    if submit or row.status == "submitted":
        missing = [c for c in row.round.criteria if c.id not in after]
        if missing:
            raise Invalid(_l("Score every criterion before submitting."), code="incomplete",
                          fields={f"scores.{c.id}": [_l("“%(name)s” has no score.", name=c.name)]
                                  for c in missing})

    # A criterion's row holds its score, its comment, or both: a comment may come before the score (value None),
    # and a row left with neither is removed.
    changes: dict[str, Any] = {}
    for cid in sorted(set(new_values) | set(new_comments)):
        old = current.get(cid)
        old_value = old.value if old is not None else None
        old_text = old.comment if old is not None else ""
        value = new_values.get(cid, old_value)
        text = new_comments.get(cid, old_text)
        if value != old_value:
            changes[str(cid)] = {"old": old_value, "new": value}
        if text != old_text:
            changes[f"comment.{cid}"] = {"old": old_text, "new": text}
        if old is None:
            if value is not None or text:
                row.scores.append(Score(criterion_id=cid, value=value, comment=text))
        elif value is None and not text:
            row.scores.remove(old)
        else:
            if old.value != value:
                old.value = value
            if old.comment != text:
                old.comment = text
    if overall is not None and overall != row.comment:
        changes["comment"] = {"old": row.comment, "new": overall}
        row.comment = overall
    was_submitted = row.status == "submitted"
    row.saved_at = now
    if submit:
        if not was_submitted:
            row.submitted_at = now
        row.status = "submitted"
        row.reopened_until = None
    elif not was_submitted:
        row.status = "draft"
    try:
        db.session.flush()
    except IntegrityError:  # the same score saved at the same moment from another tab
        db.session.rollback()
        raise Conflict(_l("These scores were saved from elsewhere at the same moment. Reload and try again."),
                       code="scores_changed") from None
    if was_submitted and changes:
        audit.record("judging.score_changed", actor=user, target_type="judging_assignment", target_id=row.id,
                     round_id=row.round_id, entry_id=row.entry_id, changes=changes,
                     reason=row.reopen_reason or None)
    if submit:
        audit.record("judging.score_resubmitted" if was_submitted else "judging.score_submitted", actor=user,
                     target_type="judging_assignment", target_id=row.id, round_id=row.round_id,
                     entry_id=row.entry_id, total=judge_total(row))
    return row


def nfc_block(value: Any) -> str | None:
    """A comment: NFC text with its line breaks, at most COMMENT_MAX characters; None when it is not text."""
    if not isinstance(value, str):
        return None
    from contest.contests.services import clean_text_block

    text = clean_text_block(value)
    return text if len(text) <= COMMENT_MAX else None


# --- conflicts --------------------------------------------------------------------------------------------

def declare_conflict(row: Assignment, user, reason: Any, now: datetime | None = None) -> dict[str, Any]:
    """The judge may not judge this entry, in every round of the contest. Their unsubmitted assignments of it (this
    one and any in other rounds) are removed and each goes to the least-loaded judge of that round's panel who may
    take it, if any (rounds.hand_back); a submitted one stays (its score counts until an organiser decides
    otherwise). {"reassigned_to": whether another judge took this assignment's entry, "removed": whether this
    assignment was removed}."""
    now = now or clock.utcnow()
    if user is None or row.judge_id != user.id:
        raise NotFound(_l("No such assignment."))
    text = rounds._reason(reason)
    rounds.declare(row.entry, user, text, user)
    round_id, submitted = row.round_id, row.status == "submitted"
    outcome = rounds.hand_back(row.entry_id, user.id, user, now)
    if submitted:
        return {"reassigned_to": False, "removed": False}
    return {"reassigned_to": outcome.get(round_id, False), "removed": True}


# --- reopening (organisers) -------------------------------------------------------------------------------

def _until(value: Any, now: datetime) -> datetime:
    from contest.contests.services import parse_time

    errors: dict[str, list] = {}
    until = parse_time(value, "until", errors)
    if until is None and not errors:
        errors["until"] = [_l("Give a date and time.")]
    if until is not None and until <= now:
        errors["until"] = [_l("Give a time in the future.")]
    if errors:
        raise Invalid(_l("Some fields need attention."), fields=errors)
    return until


def reopen_assignment(row: Assignment, until: Any, reason: Any, actor, now: datetime | None = None) -> Assignment:
    """Let the judge change a submitted score until `until`, with a reason; audited (409 `not_submitted`)."""
    now = now or clock.utcnow()
    if row.status != "submitted":
        raise Conflict(_l("Only a submitted score can be reopened."), code="not_submitted")
    text = rounds._reason(reason)
    when = _until(until, now)
    row.reopened_until, row.reopen_reason = when, text
    db.session.flush()
    audit.record("judging.score_reopened", actor=actor, target_type="judging_assignment", target_id=row.id,
                 round_id=row.round_id, entry_id=row.entry_id, judge_id=row.judge_id, until=when.isoformat(),
                 reason=text)
    return row


def extend_for_judge(round_: JudgingRound, judge_id: Any, until: Any, reason: Any, actor,
                     now: datetime | None = None) -> RoundJudge:
    """Keep the round open for one judge of the panel until `until`, with a reason; audited (422
    `not_on_panel`)."""
    now = now or clock.utcnow()
    uid = parse_id(judge_id)
    judge = rounds.round_judge(round_, uid) if uid is not None else None
    if judge is None:
        message = _l("This account is not on the round's panel.")
        raise Invalid(message, code="not_on_panel", fields={"judge_id": [message]})
    text = rounds._reason(reason)
    when = _until(until, now)
    judge.extended_until, judge.extension_reason = when, text
    db.session.flush()
    audit.record("judging.round_extended", actor=actor, target_type="judging_round", target_id=round_.id,
                 judge_id=uid, until=when.isoformat(), reason=text)
    return judge


__all__ = [
    "STATUS_LABELS", "assignment_for_judge", "assignment_view", "closes_for", "criteria_of", "declare_conflict",
    "extend_for_judge", "judge_may_read_entry", "judge_total", "may_edit", "my_assignments", "other_totals",
    "reopen_assignment", "save_scores",
]
