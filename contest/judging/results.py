"""What organisers follow and decide with: the ranked results of a round (aggregated scores, each judge's total,
spread and disagreement flag, agreement between judges), the judges' progress and reminders, and the blind check
(entries whose text names their author) before judging starts.

Only submitted scores count, and only entries still in the contest (withdrawn or disqualified entries leave the
results).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from contest.accounts.models import User
from contest.core import audit, clock
from contest.core.errors import ServiceError
from contest.core.mail import send_mail
from contest.core.text import sort_key
from contest.core.transactions import after_commit
from contest.essays import wordcount
from contest.essays.models import Coauthor, Entry, EntryVersion
from contest.extensions import db
from contest.judging import aggregate, rounds
from contest.judging.blind import names_in_text
from contest.judging.models import Assignment, JudgingRound, RoundEntry, RoundJudge


def _assignments(round_: JudgingRound) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)
                                   .options(selectinload(Assignment.scores)).order_by(Assignment.id)))


def submitted_totals(round_: JudgingRound, rows: Sequence[Assignment] | None = None,
                     entry_ids: set[int] | None = None) -> dict[int, dict[int, float]]:
    """entry id -> judge id -> weighted total, from submitted assignments of entries still in the contest."""
    rows = _assignments(round_) if rows is None else rows
    entry_ids = set(rounds._judged_entry_ids(round_)) if entry_ids is None else entry_ids
    criteria = round_.criteria
    totals: dict[int, dict[int, float]] = {}
    for a in rows:
        if a.status != "submitted" or a.entry_id not in entry_ids:
            continue
        values = {s.criterion_id: s.value for s in a.scores if s.value is not None}
        if all(c.id in values for c in criteria):
            totals.setdefault(a.entry_id, {})[a.judge_id] = aggregate.weighted_total(values, criteria)
    return totals


def aggregated_scores(round_: JudgingRound) -> dict[int, float]:
    """entry id -> the round's score by its aggregation method (entries with at least one submitted score)."""
    return aggregate.aggregate(submitted_totals(round_), round_.aggregation, (0.0, rounds.total_scale(round_)))


def results(round_: JudgingRound, *, top: int | None = None, min_score: float | None = None) -> dict[str, Any]:
    """{"items": [{rank, entry_id, entry_code, title, score, judges: [{judge_id, name, total, status}], spread,
    flagged}], "agreement", "scale", "aggregation"}: ranked entries first (shared ranks for equal scores), then
    entries without a submitted score (rank and score None). With `top` or `min_score`, each item also says
    whether it `advances` by that rule (the preview of a final round taking its entries from this one)."""
    rows = _assignments(round_)
    entry_ids = rounds._judged_entry_ids(round_)
    totals = submitted_totals(round_, rows, set(entry_ids))
    scores = aggregate.aggregate(totals, round_.aggregation, (0.0, rounds.total_scale(round_)))
    ranked = aggregate.rank_entries(scores)
    judges = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({a.judge_id for a in rows})))} \
        if rows else {}
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids)))} \
        if entry_ids else {}
    versions = dict(db.session.execute(
        select(EntryVersion.entry_id, EntryVersion.title).join(
            RoundEntry, (RoundEntry.entry_id == EntryVersion.entry_id) & (RoundEntry.version == EntryVersion.number))
        .where(RoundEntry.round_id == round_.id)).all())
    by_entry: dict[int, list[Assignment]] = {}
    for a in rows:
        by_entry.setdefault(a.entry_id, []).append(a)

    def item(rank: int | None, entry_id: int, score: float | None) -> dict[str, Any]:
        entry_totals = totals.get(entry_id, {})
        values = list(entry_totals.values())
        return {
            "rank": rank, "entry_id": entry_id, "entry_code": entries[entry_id].code,
            "title": versions.get(entry_id, entries[entry_id].title),
            "score": None if score is None else round(score, aggregate.DIGITS),
            "judges": [{"judge_id": a.judge_id, "name": judges[a.judge_id].full_name,
                        "total": entry_totals.get(a.judge_id), "status": a.status}
                       for a in by_entry.get(entry_id, [])],
            "spread": round(aggregate.spread(values), aggregate.DIGITS) if len(values) >= 2 else None,
            "flagged": aggregate.flag_disagreement(values, round_.disagreement_threshold),
        }

    items = [item(rank, eid, score) for rank, eid, score in ranked]
    items += [item(None, eid, None) for eid in entry_ids if eid not in scores]
    if top is not None or min_score is not None:
        chosen = set(aggregate.advance(ranked, top=top, min_score=min_score))
        for i in items:
            i["advances"] = i["entry_id"] in chosen
    return {"items": items, "agreement": aggregate.agreement(totals), "scale": rounds.total_scale(round_),
            "aggregation": round_.aggregation, "threshold": round_.disagreement_threshold}


def advancing(round_: JudgingRound, top: int | None = None, min_score: float | None = None) -> list[int]:
    """The entry ids a final round taking {top} or {min_score} from this round would take (for a preview)."""
    return aggregate.advance(aggregate.rank_entries(aggregated_scores(round_)), top=top, min_score=min_score)


# --- progress and reminders -------------------------------------------------------------------------------

def progress(round_: JudgingRound) -> dict[str, Any]:
    """Per judge of the panel (and anyone else still holding assignments): assigned, pending, in progress
    (draft), submitted, counting entries still in the contest; and the totals."""
    counts: dict[int, dict[str, int]] = {}
    for rj in db.session.scalars(select(RoundJudge).where(RoundJudge.round_id == round_.id)):
        counts.setdefault(rj.user_id, {"pending": 0, "draft": 0, "submitted": 0})
    for judge_id, status in db.session.execute(
            select(Assignment.judge_id, Assignment.status).join(Entry, Entry.id == Assignment.entry_id)
            .where(Assignment.round_id == round_.id, Entry.status == "submitted")):
        counts.setdefault(judge_id, {"pending": 0, "draft": 0, "submitted": 0})[status] += 1
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(counts)))} if counts else {}
    items = []
    for uid, c in counts.items():
        assigned = c["pending"] + c["draft"] + c["submitted"]
        items.append({"judge_id": uid, "name": users[uid].full_name, "assigned": assigned,
                      "pending": c["pending"], "in_progress": c["draft"], "submitted": c["submitted"],
                      "behind": assigned > c["submitted"]})
    items.sort(key=lambda i: (sort_key(i["name"]), i["judge_id"]))
    totals = {key: sum(i[key] for i in items) for key in ("assigned", "pending", "in_progress", "submitted")}
    return {"items": items, "totals": totals}


def remind(round_: JudgingRound, actor, now: datetime | None = None) -> int:
    """Mail every judge with unsubmitted assignments in this round (to the log without a mail server) once the
    transaction commits; how many judges."""
    now = now or clock.utcnow()
    behind = [i for i in progress(round_)["items"] if i["behind"]]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([i["judge_id"] for i in behind])))} \
        if behind else {}
    try:
        link = url_for("judging.queue", _external=True)
    except (BuildError, RuntimeError):  # the judges' pages may not be wired yet; the mail still says what to do
        link = ""
    mails = []
    for item in behind:
        user = users[item["judge_id"]]
        left = item["assigned"] - item["submitted"]
        subject = str(_l("Reminder: entries to score in “%(round)s”", round=round_.title))
        body = "\n\n".join(filter(None, [
            str(_l("Dear %(name)s,", name=user.full_name)),
            ngettext("You still have %(num)d entry to score in the judging round “%(round)s” of “%(contest)s”.",
                     "You still have %(num)d entries to score in the judging round “%(round)s” of “%(contest)s”.",
                     left, round=round_.title, contest=round_.contest.title),
            str(_l("The round closes at %(time)s (UTC).",
                   time=clock.as_utc(round_.closes_at).strftime("%Y-%m-%d %H:%M"))),
            link,
        ]))
        mails.append((user.email, subject, body))

    def send() -> None:
        for to, subject, body in mails:
            try:
                send_mail(to, subject, body)
            except Exception:  # noqa: BLE001 (one failed mail must not stop the others)
                current_app.logger.exception("Could not send the judging reminder to %s", to)

    if mails:
        after_commit(db.session(), send)
    audit.record("judging.reminded", actor=actor, target_type="judging_round", target_id=round_.id,
                 judges=[i["judge_id"] for i in behind], at=now.isoformat())
    return len(mails)


# --- the blind check --------------------------------------------------------------------------------------

def blind_check(round_: JudgingRound, now: datetime | None = None) -> list[dict[str, Any]]:
    """Entries whose judged text (title, subject, body) names the author or a co-author by full name, or gives
    their email address: [{entry_id, entry_code, names, emails}], by code. Before the round takes its entries, the
    entries it would take."""
    if rounds.entries_taken(round_):
        pairs = [(re.entry_id, re.version) for re in db.session.scalars(
            select(RoundEntry).where(RoundEntry.round_id == round_.id))]
    else:
        try:
            pairs = rounds.candidate_entries(round_, now)
        except ServiceError:  # not takeable yet: check every submitted entry's submitted version
            pairs = [(eid, v) for eid, v in db.session.execute(
                select(Entry.id, Entry.submitted_version).where(
                    Entry.contest_id == round_.contest_id, Entry.status == "submitted",
                    Entry.submitted_version.is_not(None)))]
    if not pairs:
        return []
    wanted = dict(pairs)
    ids = list(wanted)
    names: dict[int, list[str]] = {}
    emails: dict[int, list[str]] = {}
    codes: dict[int, str | None] = {}
    for eid, code, full_name, email in db.session.execute(
            select(Entry.id, Entry.code, User.full_name, User.email).join(User, User.id == Entry.author_id)
            .where(Entry.id.in_(ids))):
        names[eid], emails[eid] = [full_name], [email]
        codes[eid] = code
    for eid, full_name, email in db.session.execute(
            select(Coauthor.entry_id, Coauthor.full_name, Coauthor.email)
            .where(Coauthor.entry_id.in_(ids)).order_by(Coauthor.position)):
        names[eid].append(full_name)
        if email and email not in emails[eid]:
            emails[eid].append(email)
    found = []
    versions = []
    for chunk in range(0, len(ids), 500):  # only the judged version of each entry, a few hundred at a time
        part = ids[chunk:chunk + 500]
        versions += [v for v in db.session.scalars(select(EntryVersion).where(
            EntryVersion.entry_id.in_(part), EntryVersion.number.in_({wanted[e] for e in part})))
            if wanted[v.entry_id] == v.number]
    for version in versions:
        text = "\n".join([version.title, version.subject_name, version.subject_description,
                          wordcount.plain_text(version.body_html)])
        hits = names_in_text(text, names[version.entry_id])
        # An address gives the author away as surely as a name, also in a link (mailto:) the text does not show.
        haystack = f"{text}\n{version.body_html}".casefold()
        addresses = [e for e in emails[version.entry_id] if e.casefold() in haystack]
        if hits or addresses:
            found.append({"entry_id": version.entry_id, "entry_code": codes[version.entry_id], "names": hits,
                          "emails": addresses})
    found.sort(key=lambda f: (f["entry_code"] or "", f["entry_id"]))
    return found


__all__ = ["advancing", "aggregated_scores", "blind_check", "progress", "remind", "results", "submitted_totals"]
