"""Judging rounds as organisers run them: the round and its rubric, the panel, the entries it judges, and who
judges which entry (automatic assignment, then add, remove and swap by hand with the same conflict checks).

A conflict between a judge and an entry is: a conflict declared by the judge or added by an organiser (a
Conflict row, for every round of the contest); the judge being the author or a co-author; and, when the round has
`same_unit_conflicts`, the judge's unit being the unit of the author or of a co-author.

Every function flushes and leaves the commit to the caller (the request).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from contest.accounts.models import User, UserRole
from contest.contests.models import Contest
from contest.contests.services import check_times, parse_time
from contest.core import audit, clock
from contest.core.errors import Conflict, Invalid, NotFound
from contest.core.text import nfc, parse_id, sort_key, unaccent
from contest.essays.models import Coauthor, Entry
from contest.extensions import db
from contest.judging import assignment as planner
from contest.judging.models import (
    AGGREGATIONS,
    REVEAL_POLICIES,
    STAGES,
    Assignment,
    Criterion,
    JudgingRound,
    RoundEntry,
    RoundJudge,
    Score,
)
from contest.judging.models import Conflict as ConflictRow

ROUND_STATES = ("upcoming", "open", "closed")
TITLE_MAX = 200
CRITERION_NAME_MAX = 200
CRITERION_DESCRIPTION_MAX = 2000
MAX_CRITERIA = 30
MAX_SCORE_LIMIT = 1000
MAX_WEIGHT = 1000
MAX_JUDGES_PER_ENTRY = 50
MAX_PANEL = 1000
REASON_MAX = 2000
DEFAULT_THRESHOLD_SHARE = 0.2  # without a threshold, entries whose totals differ by more than 20% of the scale

ROUND_DEFAULTS: dict[str, Any] = {"stage": "preliminary", "judges_per_entry": 3, "aggregation": "mean",
                                  "source": "submitted", "reveal_scores": "after_submit",
                                  "same_unit_conflicts": True}
ROUND_FIELDS = ("title", "stage", "judges_per_entry", "criteria", "opens_at", "closes_at", "aggregation", "source",
                "reveal_scores", "disagreement_threshold", "same_unit_conflicts")

STATE_LABELS = {"upcoming": _l("Upcoming"), "open": _l("Open"), "closed": _l("Closed")}
STAGE_LABELS = {"preliminary": _l("Preliminary round"), "final": _l("Final round")}
AGGREGATION_LABELS = {"mean": _l("Mean of the judges"), "trimmed_mean": _l("Trimmed mean (5 judges or more)"),
                      "median": _l("Median"), "zscore": _l("Per-judge z-scores on the rubric's scale")}
REVEAL_LABELS = {"after_submit": _l("After submitting their own"), "never": _l("Never")}
CONFLICT_LABELS = {"declared": _l("a declared conflict"), "author": _l("the judge wrote this entry"),
                   "same_unit": _l("the judge is in the same unit as an author")}
UNASSIGNED_LABELS = {planner.NOT_ENOUGH_JUDGES: _l("Not enough judges on the panel."),
                     planner.CONFLICTS: _l("Too many judges of the panel are in conflict with this entry.")}


# --- state ------------------------------------------------------------------------------------------------

def round_state(round_: JudgingRound, now: datetime | None = None) -> str:
    now = now or clock.utcnow()
    if now < clock.as_utc(round_.opens_at):
        return "upcoming"
    if now < clock.as_utc(round_.closes_at):
        return "open"
    return "closed"


def total_scale(round_: JudgingRound) -> float:
    """A judge's total for an entry goes from 0 to the sum of the weights."""
    return math.fsum(c.weight for c in round_.criteria)


def rounds_of(contest: Contest) -> list[JudgingRound]:
    return list(db.session.scalars(select(JudgingRound).where(JudgingRound.contest_id == contest.id)
                                   .options(selectinload(JudgingRound.criteria))
                                   .order_by(JudgingRound.opens_at, JudgingRound.id)))


def round_for(round_id) -> JudgingRound:
    rid = parse_id(round_id)
    round_ = db.session.get(JudgingRound, rid) if rid is not None else None
    if round_ is None:
        raise NotFound(_l("No such judging round."))
    return round_


def has_scores(round_: JudgingRound) -> bool:
    return db.session.scalar(select(func.count()).select_from(Score).join(Assignment)
                             .where(Assignment.round_id == round_.id)) > 0


# --- checking a round's fields ----------------------------------------------------------------------------

def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _choice(data: Mapping, name: str, choices: Sequence[str], errors: dict[str, list]) -> str | None:
    value = data.get(name)
    if value not in choices:
        errors.setdefault(name, []).append(_l("Choose one of: %(choices)s.", choices=", ".join(choices)))
        return None
    return value


def clean_criteria(value: Any, errors: dict[str, list]) -> list[dict[str, Any]]:
    """[{id (existing criterion, or None), name, description, max_score, weight}], or errors named criteria.N."""
    if not isinstance(value, list) or not value:
        errors.setdefault("criteria", []).append(
            _l("Give the rubric: at least one criterion with a name, a maximum score and a weight."))
        return []
    if len(value) > MAX_CRITERIA:
        errors.setdefault("criteria", []).append(_l("At most %(n)d criteria.", n=MAX_CRITERIA))
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        field = f"criteria.{i}"
        if not isinstance(item, Mapping):
            errors.setdefault(field, []).append(_l("Give each criterion as {name, max_score, weight}."))
            continue
        name = nfc(item.get("name")) if isinstance(item.get("name"), str) else ""
        if not name or len(name) > CRITERION_NAME_MAX:
            errors.setdefault(field, []).append(
                _l("Give the criterion a name of at most %(n)d characters.", n=CRITERION_NAME_MAX))
        elif unaccent(name) in seen:
            errors.setdefault(field, []).append(_l("The criterion “%(name)s” is listed twice.", name=name))
        seen.add(unaccent(name))
        description = item.get("description") or ""
        if not isinstance(description, str) or len(description) > CRITERION_DESCRIPTION_MAX:
            errors.setdefault(field, []).append(
                _l("The description must be text of at most %(n)d characters.", n=CRITERION_DESCRIPTION_MAX))
            description = ""
        max_score, weight = item.get("max_score"), item.get("weight")
        if not _is_number(max_score) or not 0 < max_score <= MAX_SCORE_LIMIT:
            errors.setdefault(field, []).append(
                _l("The maximum score must be a number above 0 and at most %(n)d.", n=MAX_SCORE_LIMIT))
        if not _is_number(weight) or not 0 < weight <= MAX_WEIGHT:
            errors.setdefault(field, []).append(
                _l("The weight must be a number above 0 and at most %(n)d.", n=MAX_WEIGHT))
        out.append({"id": parse_id(item.get("id")), "name": name, "description": nfc(description),
                    "max_score": float(max_score) if _is_number(max_score) else 0.0,
                    "weight": float(weight) if _is_number(weight) else 0.0, "position": i})
    return out


def _clean_source(value: Any, contest: Contest, round_: JudgingRound | None,
                  errors: dict[str, list]) -> dict[str, Any]:
    """{source, advance_from_id, advance_top, advance_min_score} from "submitted" or {advance_from, top} or
    {advance_from, min_score}."""
    if value is None or value == "submitted":
        return {"source": "submitted", "advance_from_id": None, "advance_top": None, "advance_min_score": None}
    message = _l("Give the source as \"submitted\", {advance_from: round id, top: K} or "
                 "{advance_from: round id, min_score: S}.")
    if not isinstance(value, Mapping) or set(value) - {"advance_from", "top", "min_score"}:
        errors.setdefault("source", []).append(message)
        return {}
    top, min_score = value.get("top"), value.get("min_score")
    if (top is None) == (min_score is None):
        errors.setdefault("source", []).append(message)
        return {}
    source_round = None
    source_id = parse_id(value.get("advance_from"))
    if source_id is not None:
        source_round = db.session.get(JudgingRound, source_id)
    if source_round is None or source_round.contest_id != contest.id:
        errors.setdefault("source", []).append(_l("Entries can only advance from another round of this contest."))
        return {}
    if round_ is not None:
        step: JudgingRound | None = source_round
        while step is not None:  # a round may not advance from itself, directly or through others
            if step.id == round_.id:
                errors.setdefault("source", []).append(_l("A round cannot take its entries from itself."))
                return {}
            step = step.advance_from
    if top is not None:
        if not _is_int(top) or not 1 <= top <= 1_000_000:
            errors.setdefault("source", []).append(_l("top must be a whole number, 1 or more."))
            return {}
        return {"source": "top", "advance_from_id": source_round.id, "advance_top": top, "advance_min_score": None}
    scale = total_scale(source_round)
    if not _is_number(min_score) or not 0 <= min_score <= scale:
        errors.setdefault("source", []).append(
            _l("min_score must be a number from 0 to %(scale)s, the scale of that round.", scale=f"{scale:g}"))
        return {}
    return {"source": "min_score", "advance_from_id": source_round.id, "advance_top": None,
            "advance_min_score": float(min_score)}


def _clean_round(data: Mapping[str, Any], contest: Contest, round_: JudgingRound | None
                 ) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """(the given fields, checked; the criteria when given). Invalid naming every field at fault."""
    errors: dict[str, list] = {}
    creating = round_ is None
    if creating:
        data = {**ROUND_DEFAULTS, **{k: v for k, v in data.items() if v is not None}}
    out: dict[str, Any] = {}
    if creating or "title" in data:
        title = nfc(data.get("title")) if isinstance(data.get("title"), str) else ""
        if not title or len(title) > TITLE_MAX:
            errors.setdefault("title", []).append(
                _l("Give the round a title of at most %(n)d characters, such as “Preliminary round”.", n=TITLE_MAX))
        out["title"] = title
    for name, choices in (("stage", STAGES), ("aggregation", AGGREGATIONS), ("reveal_scores", REVEAL_POLICIES)):
        if name in data:
            out[name] = _choice(data, name, choices, errors)
    if "judges_per_entry" in data:
        n = data.get("judges_per_entry")
        if not _is_int(n) or not 1 <= n <= MAX_JUDGES_PER_ENTRY:
            errors.setdefault("judges_per_entry", []).append(
                _l("Give a whole number of judges per entry from 1 to %(n)d.", n=MAX_JUDGES_PER_ENTRY))
        out["judges_per_entry"] = n
    if "same_unit_conflicts" in data:
        if not isinstance(data["same_unit_conflicts"], bool):
            errors.setdefault("same_unit_conflicts", []).append(_l("Must be true or false."))
        out["same_unit_conflicts"] = data["same_unit_conflicts"]
    for name in ("opens_at", "closes_at"):
        if creating or name in data:
            value = parse_time(data.get(name), name, errors)
            if value is None and name not in errors:
                errors.setdefault(name, []).append(_l("Give a date and time."))
            out[name] = value
    opens = out.get("opens_at") or (round_.opens_at if round_ is not None else None)
    closes = out.get("closes_at") or (round_.closes_at if round_ is not None else None)
    if "opens_at" not in errors and "closes_at" not in errors and opens is not None and closes is not None:
        check_times(clock.as_utc(opens), clock.as_utc(closes), errors)
    criteria = None
    if creating or "criteria" in data:
        criteria = clean_criteria(data.get("criteria"), errors)
    if "disagreement_threshold" in data:
        threshold = data.get("disagreement_threshold")
        if not _is_number(threshold) or threshold < 0:
            errors.setdefault("disagreement_threshold", []).append(
                _l("The disagreement threshold must be a number, 0 or more, on the rubric's scale."))
        out["disagreement_threshold"] = threshold
    if creating or "source" in data:
        out.update(_clean_source(data.get("source"), contest, round_, errors))
    if errors:
        raise Invalid(_l("Some fields need attention."), fields=errors)
    return out, criteria


def _require_essay(contest: Contest) -> None:
    if contest.kind != "essay":
        raise Conflict(_l("Judging rounds belong to writing contests."), code="not_an_essay")


def _audit_value(value: Any) -> Any:
    return clock.as_utc(value).isoformat() if isinstance(value, datetime) else value


def create_round(contest: Contest, data: Mapping[str, Any], actor) -> JudgingRound:
    _require_essay(contest)
    fields, criteria = _clean_round(data, contest, None)
    round_ = JudgingRound(contest_id=contest.id, **fields)
    for c in criteria or []:
        round_.criteria.append(Criterion(name=c["name"], description=c["description"], max_score=c["max_score"],
                                         weight=c["weight"], position=c["position"]))
    if "disagreement_threshold" not in fields:
        round_.disagreement_threshold = round(DEFAULT_THRESHOLD_SHARE * total_scale(round_), 6)
    db.session.add(round_)
    db.session.flush()
    audit.record("judging.round_created", actor=actor, target_type="judging_round", target_id=round_.id,
                 contest=contest.slug, title=round_.title, stage=round_.stage)
    return round_


def _criteria_rows(criteria: Sequence[Any]) -> list[tuple]:
    return [(c["name"] if isinstance(c, dict) else c.name,
             c["description"] if isinstance(c, dict) else c.description,
             float(c["max_score"] if isinstance(c, dict) else c.max_score),
             float(c["weight"] if isinstance(c, dict) else c.weight)) for c in criteria]


def _replace_criteria(round_: JudgingRound, criteria: list[dict[str, Any]]) -> None:
    existing = {c.id: c for c in round_.criteria}
    kept: list[Criterion] = []
    for c in criteria:
        row = existing.pop(c["id"], None) if c["id"] is not None else None
        if row is None:
            row = Criterion(name=c["name"])
        row.name, row.description = c["name"], c["description"]
        row.max_score, row.weight, row.position = c["max_score"], c["weight"], c["position"]
        kept.append(row)
    round_.criteria[:] = kept


def update_round(round_: JudgingRound, data: Mapping[str, Any], actor) -> JudgingRound:
    """Change any of the fields. The rubric is frozen once any score is saved (409 `round_has_scores`) and the
    source once the round has taken its entries (409 `entries_taken`)."""
    fields, criteria = _clean_round(data, round_.contest, round_)
    changes: dict[str, Any] = {}
    if criteria is not None and _criteria_rows(criteria) != _criteria_rows(round_.criteria):
        if has_scores(round_):
            raise Conflict(_l("Judges have already scored on this rubric: it can no longer change."),
                           code="round_has_scores")
        changes["criteria"] = [c["name"] for c in criteria]
        _replace_criteria(round_, criteria)
    source_fields = ("source", "advance_from_id", "advance_top", "advance_min_score")
    if round_.entries_taken_at is not None and any(
            name in fields and fields[name] != getattr(round_, name) for name in source_fields):
        raise Conflict(_l("The round has already taken its entries: its source can no longer change."),
                       code="entries_taken")
    for name, value in fields.items():
        old = getattr(round_, name)
        if name in ("opens_at", "closes_at") and old is not None:
            old = clock.as_utc(old)
        if old != value:
            changes[name] = {"old": _audit_value(old), "new": _audit_value(value)}
            setattr(round_, name, value)
    db.session.flush()
    if changes:
        audit.record("judging.round_updated", actor=actor, target_type="judging_round", target_id=round_.id,
                     changes=changes)
    return round_


# --- the panel --------------------------------------------------------------------------------------------

def judge_candidates() -> list[User]:
    """Active accounts holding the judge role, by name (accents and case ignored): who may sit on a panel."""
    users = db.session.scalars(select(User).join(UserRole).where(UserRole.role == "judge", User.active.is_(True)))
    return sorted(users, key=lambda u: (sort_key(u.full_name), u.id))


def panel_of(round_: JudgingRound) -> list[RoundJudge]:
    rows = list(db.session.scalars(select(RoundJudge).where(RoundJudge.round_id == round_.id)
                                   .options(selectinload(RoundJudge.user))))
    return sorted(rows, key=lambda r: (sort_key(r.user.full_name), r.user_id))


def round_judge(round_: JudgingRound, user_id: int) -> RoundJudge | None:
    return db.session.get(RoundJudge, (round_.id, user_id))


def set_judges(round_: JudgingRound, user_ids: Any, actor) -> list[RoundJudge]:
    """Make the panel exactly these accounts, each holding the judge role (422 `not_judges` listing the others in
    `user_ids`). A judge leaving the panel takes their pending assignments along; one who has started scoring
    (a draft or a submitted score) cannot leave (409 `judge_has_started`, their ids in `judge_ids`)."""
    if not isinstance(user_ids, list):
        message = _l("Give the judges as a list of account ids.")
        raise Invalid(message, fields={"user_ids": [message]})
    if len(user_ids) > MAX_PANEL:
        message = _l("At most %(n)d judges on a panel.", n=MAX_PANEL)
        raise Invalid(message, fields={"user_ids": [message]})
    wanted: list[int] = []
    bad: list[Any] = []
    for raw in user_ids:
        uid = parse_id(raw)
        if uid is None:
            bad.append(raw)
        elif uid not in wanted:
            wanted.append(uid)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    bad += [uid for uid in wanted if uid not in users or not users[uid].active or "judge" not in users[uid].roles]
    if bad:
        message = _l("These accounts do not hold the judge role: %(ids)s.", ids=", ".join(str(b) for b in bad))
        raise Invalid(message, code="not_judges", fields={"user_ids": [message]}, user_ids=bad)
    current = {rj.user_id: rj for rj in db.session.scalars(select(RoundJudge)
                                                            .where(RoundJudge.round_id == round_.id))}
    leaving = sorted(set(current) - set(wanted))
    if leaving:
        started = sorted(set(db.session.scalars(
            select(Assignment.judge_id).where(Assignment.round_id == round_.id, Assignment.judge_id.in_(leaving),
                                              Assignment.status != "pending"))))
        if started:
            raise Conflict(_l("Judges who have started scoring cannot leave the panel: %(ids)s. Reopen or finish "
                              "their work first.", ids=", ".join(map(str, started))),
                           code="judge_has_started", judge_ids=started)
        dropped = db.session.execute(delete(Assignment).where(
            Assignment.round_id == round_.id, Assignment.judge_id.in_(leaving))).rowcount
        for uid in leaving:
            db.session.delete(current[uid])
    else:
        dropped = 0
    joining = [uid for uid in wanted if uid not in current]
    for uid in joining:
        db.session.add(RoundJudge(round_id=round_.id, user_id=uid, added_at=clock.utcnow()))
    db.session.flush()
    if joining or leaving:
        audit.record("judging.panel_changed", actor=actor, target_type="judging_round", target_id=round_.id,
                     added=joining, removed=leaving, pending_dropped=dropped)
    return panel_of(round_)


# --- the entries of a round -------------------------------------------------------------------------------

def entries_taken(round_: JudgingRound) -> bool:
    return round_.entries_taken_at is not None


def candidate_entries(round_: JudgingRound, now: datetime | None = None) -> list[tuple[int, int]]:
    """(entry id, version) of the entries the round would take now; Conflict when it cannot take them yet."""
    from contest.essays.services import submissions_state

    now = now or clock.utcnow()
    contest = round_.contest
    if round_.source == "submitted":
        if submissions_state(contest, now) != "closed" and contest.closes_at is not None:
            raise Conflict(_l("Submissions to the contest are still open: the round takes its entries once they "
                              "close, so no late entry is missed."), code="submissions_open")
        rows = db.session.execute(
            select(Entry.id, Entry.submitted_version).where(
                Entry.contest_id == contest.id, Entry.status == "submitted", Entry.submitted_version.is_not(None))
            .order_by(Entry.id)).all()
        return [(eid, version) for eid, version in rows]
    source = round_.advance_from
    if source is None or round_state(source, now) != "closed":
        raise Conflict(_l("The round the entries advance from is still open: take the entries once it closes."),
                       code="source_round_open")
    from contest.judging import aggregate, results

    ranked = aggregate.rank_entries(results.aggregated_scores(source))
    ids = aggregate.advance(ranked, top=round_.advance_top, min_score=round_.advance_min_score)
    if not ids:
        return []
    versions = dict(db.session.execute(
        select(Entry.id, Entry.submitted_version).where(
            Entry.id.in_(ids), Entry.status == "submitted", Entry.submitted_version.is_not(None))).all())
    return [(eid, versions[eid]) for eid in ids if eid in versions]


def take_entries(round_: JudgingRound, actor=None, now: datetime | None = None, *, explicit: bool = False) -> int:
    """Fix the entries the round judges, each at its submitted version: every submitted entry of the contest, or
    those advancing from the source round (closed by then). Once only: an explicit second time is 409
    `entries_taken`; otherwise it is a no-op. How many entries the round has."""
    now = now or clock.utcnow()
    if round_.entries_taken_at is None:
        rows = candidate_entries(round_, now)
        # The claim is one conditional UPDATE, so two organisers assigning at once never take the entries twice.
        claimed = db.session.execute(
            update(JudgingRound).where(JudgingRound.id == round_.id, JudgingRound.entries_taken_at.is_(None))
            .values(entries_taken_at=now).execution_options(synchronize_session=False)).rowcount
        db.session.refresh(round_, ["entries_taken_at"])
        if claimed:
            for eid, version in rows:
                db.session.add(RoundEntry(round_id=round_.id, entry_id=eid, version=version, added_at=now))
            db.session.flush()
            audit.record("judging.entries_taken", actor=actor, target_type="judging_round", target_id=round_.id,
                         entries=len(rows), source=round_.source)
            return len(rows)
    if explicit:
        raise Conflict(_l("This round has already taken its entries."), code="entries_taken")
    return entry_count(round_)


def entry_count(round_: JudgingRound) -> int:
    return db.session.scalar(select(func.count()).select_from(RoundEntry).where(RoundEntry.round_id == round_.id))


def round_entries(round_: JudgingRound) -> list[RoundEntry]:
    return list(db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == round_.id)
                                   .options(selectinload(RoundEntry.entry)).order_by(RoundEntry.entry_id)))


def _judged_entry_ids(round_: JudgingRound) -> list[int]:
    """The round's entries still in the contest (not withdrawn or disqualified since)."""
    return list(db.session.scalars(
        select(RoundEntry.entry_id).join(Entry, Entry.id == RoundEntry.entry_id)
        .where(RoundEntry.round_id == round_.id, Entry.status == "submitted").order_by(RoundEntry.entry_id)))


# --- conflicts --------------------------------------------------------------------------------------------

def entry_infos(entry_ids: Sequence[int]) -> dict[int, planner.EntryInfo]:
    """Each entry's authors (author and co-authors with accounts) and units (theirs and the co-authors')."""
    if not entry_ids:
        return {}
    units: dict[int, set[int]] = {}
    authors: dict[int, set[int]] = {}
    for eid, author_id, unit_id in db.session.execute(
            select(Entry.id, Entry.author_id, Entry.unit_id).where(Entry.id.in_(entry_ids))):
        authors[eid] = {author_id}
        units[eid] = {unit_id} if unit_id is not None else set()
    for eid, user_id, unit_id in db.session.execute(
            select(Coauthor.entry_id, Coauthor.user_id, Coauthor.unit_id).where(Coauthor.entry_id.in_(entry_ids))):
        if user_id is not None:
            authors[eid].add(user_id)
        if unit_id is not None:
            units[eid].add(unit_id)
    return {eid: planner.EntryInfo(eid, frozenset(units[eid]), frozenset(authors[eid])) for eid in authors}


def judge_infos(user_ids: Sequence[int]) -> dict[int, planner.JudgeInfo]:
    if not user_ids:
        return {}
    return {uid: planner.JudgeInfo(uid, unit_id) for uid, unit_id in db.session.execute(
        select(User.id, User.unit_id).where(User.id.in_(user_ids)))}


def declared_conflicts(entry_ids: Sequence[int]) -> list[tuple[int, int]]:
    if not entry_ids:
        return []
    return [(j, e) for j, e in db.session.execute(
        select(ConflictRow.judge_id, ConflictRow.entry_id).where(ConflictRow.entry_id.in_(entry_ids)))]


def conflict_reason(round_: JudgingRound, entry_id: int, judge_id: int) -> str | None:
    """Why this judge may not judge this entry ("declared", "author", "same_unit"), or None."""
    entry = entry_infos([entry_id]).get(entry_id)
    judge = judge_infos([judge_id]).get(judge_id)
    if entry is None or judge is None:
        return None
    if (judge_id, entry_id) in declared_conflicts([entry_id]):
        return "declared"
    if judge_id in entry.author_ids:
        return "author"
    if planner.conflicted_judges(entry, [judge], same_unit_conflicts=round_.same_unit_conflicts):
        return "same_unit"
    return None


def _refuse_conflict(reason: str) -> None:
    raise Conflict(_l("This judge may not judge this entry: %(reason)s.", reason=CONFLICT_LABELS[reason]),
                   code="conflict_of_interest", reason=reason)


def add_conflict(round_: JudgingRound, entry_code: Any, judge_id: Any, reason: Any, actor,
                 now: datetime | None = None) -> tuple[ConflictRow, dict[int, bool]]:
    """An organiser records that this judge may not judge this entry (in every round of the contest). The judge's
    unsubmitted assignments of it, in any round, are handed back (see hand_back); submitted ones stay. (the
    conflict, {round id: reassigned})."""
    entry = entry_by_code(round_, entry_code)
    uid = parse_id(judge_id)
    judge = db.session.get(User, uid) if uid is not None else None
    if judge is None:
        raise NotFound(_l("No such judge."))
    text = _reason(reason)
    row = declare(entry, judge, text, actor)
    return row, hand_back(entry.id, judge.id, actor, now)


def hand_back(entry_id: int, judge_id: int, actor, now: datetime | None = None) -> dict[int, bool]:
    """Remove the judge's unsubmitted (pending or draft) assignments of the entry in every round, each audited
    with the scores it had, and give each round's entry to the least-loaded judge of its panel who may take it.
    {round id: whether another judge took it}."""
    rows = list(db.session.scalars(select(Assignment).where(
        Assignment.entry_id == entry_id, Assignment.judge_id == judge_id, Assignment.status != "submitted")
        .options(selectinload(Assignment.scores), selectinload(Assignment.round))))
    outcome: dict[int, bool] = {}
    for row in rows:
        round_ = row.round
        audit.record("judging.assignment_removed", actor=actor, target_type="judging_assignment", target_id=row.id,
                     round_id=round_.id, entry_id=entry_id, judge_id=judge_id, reason="conflict",
                     scores={str(s.criterion_id): s.value for s in row.scores})
        db.session.delete(row)
        db.session.flush()
        new = reassign(round_, entry_id, now)
        if new is not None:
            audit.record("judging.assignment_added", actor=actor, target_type="judging_assignment",
                         target_id=new.id, round_id=round_.id, entry_id=entry_id, judge_id=new.judge_id,
                         reason="reassigned")
        outcome[round_.id] = new is not None
    return outcome


def _reason(reason: Any) -> str:
    text = nfc(reason) if isinstance(reason, str) else ""
    if not text or len(text) > REASON_MAX:
        message = _l("Give a reason (at most %(n)d characters).", n=REASON_MAX)
        raise Invalid(message, code="reason_required", fields={"reason": [message]})
    return text


def declare(entry: Entry, judge: User, reason: str, actor) -> ConflictRow:
    """The Conflict row of this judge and entry, created or given the new reason; audited."""
    row = db.session.scalar(select(ConflictRow).where(ConflictRow.judge_id == judge.id,
                                                      ConflictRow.entry_id == entry.id))
    if row is None:
        row = ConflictRow(judge_id=judge.id, entry_id=entry.id, reason=reason,
                          declared_by_id=getattr(actor, "id", None), created_at=clock.utcnow())
        db.session.add(row)
    else:
        row.reason = reason
    db.session.flush()
    audit.record("judging.conflict_declared", actor=actor, target_type="essay_entry", target_id=entry.id,
                 judge_id=judge.id, reason=reason)
    return row


def conflicts_of(round_: JudgingRound) -> list[ConflictRow]:
    return list(db.session.scalars(
        select(ConflictRow).join(Entry, Entry.id == ConflictRow.entry_id)
        .where(Entry.contest_id == round_.contest_id).order_by(ConflictRow.id)))


# --- assignments ------------------------------------------------------------------------------------------

def _flush_assignments() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("Someone else changed these assignments at the same moment. Try again."),
                       code="assignment_changed") from None


def assign(round_: JudgingRound, actor, now: datetime | None = None) -> dict[str, Any]:
    """Give every entry of the round its N judges from the panel, keeping every current assignment; the round takes
    its entries first if it has not. {"assignments": how many the round now has, "unassigned": [{entry_id,
    entry (code), missing, reason}]}."""
    now = now or clock.utcnow()
    take_entries(round_, actor, now)
    entry_ids = _judged_entry_ids(round_)
    panel = [rj.user_id for rj in db.session.scalars(select(RoundJudge).where(RoundJudge.round_id == round_.id))]
    existing: dict[int, list[int]] = {}
    for eid, jid in db.session.execute(select(Assignment.entry_id, Assignment.judge_id)
                                       .where(Assignment.round_id == round_.id)):
        existing.setdefault(eid, []).append(jid)
    infos = entry_infos(entry_ids)
    plan = planner.assign_judges([infos[eid] for eid in entry_ids], list(judge_infos(panel).values()),
                                 round_.judges_per_entry, existing=existing,
                                 conflicts=declared_conflicts(entry_ids),
                                 same_unit_conflicts=round_.same_unit_conflicts)
    if plan.new:
        # One multi-row INSERT: 15,000 new assignments take a fraction of a second instead of several.
        try:
            db.session.execute(insert(Assignment), [
                {"round_id": round_.id, "entry_id": eid, "judge_id": jid, "status": "pending", "comment": "",
                 "reopen_reason": "", "assigned_at": now} for eid, jid in plan.new])
        except IntegrityError:
            db.session.rollback()
            raise Conflict(_l("Someone else changed these assignments at the same moment. Try again."),
                           code="assignment_changed") from None
    codes = dict(db.session.execute(select(Entry.id, Entry.code).where(
        Entry.id.in_([u.entry_id for u in plan.unassigned]))).all()) if plan.unassigned else {}
    total = assignment_count(round_)
    audit.record("judging.assigned", actor=actor, target_type="judging_round", target_id=round_.id,
                 new=len(plan.new), total=total, unassigned=len(plan.unassigned))
    return {"assignments": total, "new": len(plan.new),
            "unassigned": [{"entry_id": u.entry_id, "entry": codes.get(u.entry_id), "missing": u.missing,
                            "reason": u.reason, "message": UNASSIGNED_LABELS[u.reason]} for u in plan.unassigned]}


def assignment_count(round_: JudgingRound) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.round_id == round_.id))


def assignments_of(round_: JudgingRound, *, entry_id: int | None = None, judge_id: int | None = None
                   ) -> list[Assignment]:
    stmt = (select(Assignment).where(Assignment.round_id == round_.id)
            .options(selectinload(Assignment.entry), selectinload(Assignment.judge),
                     selectinload(Assignment.scores))
            .order_by(Assignment.entry_id, Assignment.id))
    if entry_id is not None:
        stmt = stmt.where(Assignment.entry_id == entry_id)
    if judge_id is not None:
        stmt = stmt.where(Assignment.judge_id == judge_id)
    return list(db.session.scalars(stmt))


def assignment_by_id(assignment_id) -> Assignment:
    aid = parse_id(assignment_id)
    found = db.session.get(Assignment, aid) if aid is not None else None
    if found is None:
        raise NotFound(_l("No such assignment."))
    return found


def entry_by_code(round_: JudgingRound, code: Any) -> Entry:
    """An entry of the round by its code (the round takes its entries first if it has not)."""
    text = nfc(code) if isinstance(code, str) else ""
    entry = db.session.scalar(select(Entry).join(RoundEntry, RoundEntry.entry_id == Entry.id)
                              .where(RoundEntry.round_id == round_.id, Entry.code == text)) if text else None
    if entry is None:
        raise NotFound(_l("No entry with this code in the round."), fields={"entry_code": [_l("Unknown code.")]})
    return entry


def _panel_judge(round_: JudgingRound, judge_id: Any) -> User:
    uid = parse_id(judge_id)
    if uid is None or round_judge(round_, uid) is None:
        message = _l("This account is not on the round's panel.")
        raise Invalid(message, code="not_on_panel", fields={"judge_id": [message]})
    return db.session.get(User, uid)


def _check_free(round_: JudgingRound, entry: Entry, judge: User) -> None:
    if db.session.scalar(select(Assignment.id).where(Assignment.round_id == round_.id,
                                                     Assignment.entry_id == entry.id,
                                                     Assignment.judge_id == judge.id)) is not None:
        raise Conflict(_l("This judge already has this entry."), code="already_assigned")
    reason = conflict_reason(round_, entry.id, judge.id)
    if reason is not None:
        _refuse_conflict(reason)


def add_assignment(round_: JudgingRound, entry_code: Any, judge_id: Any, actor,
                   now: datetime | None = None) -> Assignment:
    """Give one more judge of the panel an entry of the round, with the same conflict checks as the automatic
    assignment (409 `conflict_of_interest` with its `reason`, 409 `already_assigned`)."""
    now = now or clock.utcnow()
    take_entries(round_, actor, now)
    entry = entry_by_code(round_, entry_code)
    judge = _panel_judge(round_, judge_id)
    _check_free(round_, entry, judge)
    row = Assignment(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, status="pending", assigned_at=now)
    db.session.add(row)
    _flush_assignments()
    audit.record("judging.assignment_added", actor=actor, target_type="judging_assignment", target_id=row.id,
                 round_id=round_.id, entry_id=entry.id, judge_id=judge.id)
    return row


def _require_pending(row: Assignment) -> None:
    if row.status != "pending":
        raise Conflict(_l("The judge has started scoring this entry: the assignment can no longer be removed or "
                          "moved."), code="assignment_started")


def remove_assignment(row: Assignment, actor) -> None:
    """Remove an assignment nobody has started (409 `assignment_started` otherwise). The delete is conditional, so
    a judge who starts scoring at that very moment keeps their work."""
    _require_pending(row)
    details = {"round_id": row.round_id, "entry_id": row.entry_id, "judge_id": row.judge_id}
    done = db.session.execute(delete(Assignment).where(Assignment.id == row.id, Assignment.status == "pending")
                              .execution_options(synchronize_session=False)).rowcount
    if not done:
        db.session.refresh(row)
        _require_pending(row)
    db.session.expunge(row)
    audit.record("judging.assignment_removed", actor=actor, target_type="judging_assignment", target_id=row.id,
                 **details)
    db.session.flush()


def swap_assignment(row: Assignment, judge_id: Any, actor, now: datetime | None = None) -> Assignment:
    """Give a pending assignment to another judge of the panel, with the same checks as adding one."""
    _require_pending(row)
    round_ = row.round
    judge = _panel_judge(round_, judge_id)
    _check_free(round_, row.entry, judge)
    old = row.judge_id
    when = now or clock.utcnow()
    try:
        done = db.session.execute(
            update(Assignment).where(Assignment.id == row.id, Assignment.status == "pending",
                                     Assignment.judge_id == old)
            .values(judge_id=judge.id, assigned_at=when).execution_options(synchronize_session=False)).rowcount
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("Someone else changed these assignments at the same moment. Try again."),
                       code="assignment_changed") from None
    db.session.refresh(row)
    if not done:
        _require_pending(row)
        raise Conflict(_l("Someone else changed these assignments at the same moment. Try again."),
                       code="assignment_changed")
    audit.record("judging.assignment_swapped", actor=actor, target_type="judging_assignment", target_id=row.id,
                 round_id=round_.id, entry_id=row.entry_id, old_judge_id=old, new_judge_id=judge.id)
    return row


def reassign(round_: JudgingRound, entry_id: int, now: datetime | None = None) -> Assignment | None:
    """A new pending assignment of the entry for the least-loaded judge of the panel who may take it (ties: the
    lower id), or None when nobody can. Used when a judge declares a conflict."""
    panel = [rj.user_id for rj in db.session.scalars(select(RoundJudge).where(RoundJudge.round_id == round_.id))]
    on_entry = set(db.session.scalars(select(Assignment.judge_id).where(Assignment.round_id == round_.id,
                                                                        Assignment.entry_id == entry_id)))
    entry = entry_infos([entry_id])[entry_id]
    judges = [j for uid, j in judge_infos(panel).items() if uid not in on_entry]
    blocked = planner.conflicted_judges(entry, judges, declared_conflicts([entry_id]),
                                        same_unit_conflicts=round_.same_unit_conflicts)
    candidates = [j.id for j in judges if j.id not in blocked]
    if not candidates:
        return None
    loads = dict(db.session.execute(select(Assignment.judge_id, func.count()).where(
        Assignment.round_id == round_.id, Assignment.judge_id.in_(candidates)).group_by(Assignment.judge_id)).all())
    chosen = min(candidates, key=lambda uid: (loads.get(uid, 0), uid))
    new = Assignment(round_id=round_.id, entry_id=entry_id, judge_id=chosen, status="pending",
                     assigned_at=now or clock.utcnow())
    db.session.add(new)
    _flush_assignments()
    return new


__all__ = [
    "AGGREGATION_LABELS", "CONFLICT_LABELS", "REVEAL_LABELS", "ROUND_FIELDS", "STAGE_LABELS", "STATE_LABELS",
    "add_assignment", "add_conflict", "assign", "hand_back", "assignment_by_id", "assignment_count", "assignments_of",
    "candidate_entries", "conflict_reason", "conflicts_of", "create_round", "declare", "entries_taken",
    "entry_by_code", "entry_count", "panel_of", "reassign", "remove_assignment", "round_entries", "round_for",
    "round_judge", "round_state", "rounds_of", "set_judges", "swap_assignment", "take_entries", "total_scale",
    "update_round",
]
