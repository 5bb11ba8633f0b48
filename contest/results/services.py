"""A contest's results: its result settings, its awards (proposed from the rankings by contest.results.awards, then
set by organisers), and their publication with a frozen snapshot (what the public pages and the results API show,
whatever changes afterwards, until an organiser publishes again).

Writing contests award entries (the author and co-authors hold the award) and units; quiz contests award members
in a round (round_id) and units. Every function flushes and leaves the commit to the request that called it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.accounts.models import User
from contest.contests import services as contests
from contest.contests.models import Contest
from contest.core import audit, clock
from contest.core.clock import as_utc
from contest.core.errors import Conflict, Invalid, NotFound
from contest.core.text import nfc, normalise_email, parse_id
from contest.essays.models import Entry, EntryVersion
from contest.extensions import db
from contest.judging import results as judging_results
from contest.judging import rounds as judging_rounds
from contest.judging.models import JudgingRound
from contest.quiz import leaderboard as lb
from contest.quiz.models import Round, Standing
from contest.results import awards as award_rules
from contest.results.masking import mask_name
from contest.results.models import (
    AWARD_TIERS,
    DEFAULT_AWARD_COUNTS,
    NAME_MASKING,
    Award,
    Certificate,
    Publication,
    ResultSettings,
)
from contest.units.models import Unit

# One msgid per tier, used everywhere (quiz pages, results pages, certificates, exports).
TIER_LABELS = {
    "special": _l("Special prize"),
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
    "consolation": _l("Consolation prize"),
}
assert tuple(TIER_LABELS) == AWARD_TIERS
MASKING_LABELS = {"none": _l("Full names"), "partial": _l("Family name and initials"),
                  "initials": _l("Initials only")}
MASKING_EXAMPLE = "Nguyễn Văn An"

MAX_COUNT = 1000
MAX_AWARDS = 2000
LABEL_MAX = 200
SETTING_LIMITS = {"signer_title": 200, "signer_name": 200, "organisation": 300, "place": 100}
SETTING_FIELDS = ("award_counts", "name_masking", *SETTING_LIMITS, "participation_certificates")
PROPOSAL_TIERS_QUIZ = ("first", "second", "third", "consolation")


# --- settings ---------------------------------------------------------------------------------------------

def settings_for(contest: Contest) -> ResultSettings:
    """The contest's result settings, created with the defaults on first use. Flushes."""
    settings = db.session.get(ResultSettings, contest.id)
    if settings is None:
        settings = ResultSettings(contest_id=contest.id, award_counts=dict(DEFAULT_AWARD_COUNTS))
        db.session.add(settings)
        db.session.flush()
    return settings


def _lock(contest: Contest) -> ResultSettings:
    """The settings row, locked until the commit (PostgreSQL): awards and publication change one at a time."""
    settings_for(contest)
    return db.session.scalar(select(ResultSettings).where(ResultSettings.contest_id == contest.id)
                             .with_for_update().execution_options(populate_existing=True))


def award_counts(settings: ResultSettings) -> dict[str, int]:
    counts = settings.award_counts or {}
    return {tier: int(counts.get(tier, DEFAULT_AWARD_COUNTS[tier]) or 0) for tier in AWARD_TIERS}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def update_settings(contest: Contest, data: Mapping[str, Any], actor=None) -> ResultSettings:
    """Change the given settings (422 with `fields` and nothing changed for a bad value): award_counts ({tier: 0 to
    1,000}, tiers not given keep their count), name_masking (none, partial, initials), signer_title, signer_name,
    organisation, place (text, NFC, length-limited) and participation_certificates (bool). Flushes."""
    settings = settings_for(contest)
    errors: dict[str, list] = {}
    changes: dict[str, Any] = {}
    if data.get("award_counts") is not None:
        raw = data["award_counts"]
        if not isinstance(raw, Mapping):
            errors["award_counts"] = [_l("Give the number of awards per tier.")]
        else:
            counts = award_counts(settings)
            for tier, value in raw.items():
                if tier not in AWARD_TIERS:
                    errors.setdefault("award_counts", []).append(
                        _l("Unknown tier: %(tier)s.", tier=str(tier)[:40]))
                elif not _is_int(value) or not 0 <= value <= MAX_COUNT:
                    errors[f"award_counts.{tier}"] = [_l("Give a whole number from 0 to %(max)d.", max=MAX_COUNT)]
                else:
                    counts[tier] = value
            changes["award_counts"] = counts
    if data.get("name_masking") is not None:
        if data["name_masking"] not in NAME_MASKING:
            errors["name_masking"] = [_l("Choose one of: %(choices)s.", choices=", ".join(NAME_MASKING))]
        else:
            changes["name_masking"] = data["name_masking"]
    for name, limit in SETTING_LIMITS.items():
        if data.get(name) is None:
            continue
        if not isinstance(data[name], str):
            errors[name] = [_l("Must be a string.")]
            continue
        value = nfc(data[name])
        if len(value) > limit:
            errors[name] = [_l("At most %(max)d characters.", max=limit)]
        else:
            changes[name] = value
    if data.get("participation_certificates") is not None:
        if not isinstance(data["participation_certificates"], bool):
            errors["participation_certificates"] = [_l("Must be true or false.")]
        else:
            changes["participation_certificates"] = data["participation_certificates"]
    if errors:
        raise Invalid(_l("Some settings are not valid."), fields=errors)
    for name, value in changes.items():
        setattr(settings, name, value)
    db.session.flush()
    return settings


def settings_json(settings: ResultSettings) -> dict[str, Any]:
    return {"award_counts": award_counts(settings), "name_masking": settings.name_masking,
            **{name: getattr(settings, name) for name in SETTING_LIMITS},
            "participation_certificates": bool(settings.participation_certificates),
            "published_at": _iso(settings.published_at)}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


# --- proposals --------------------------------------------------------------------------------------------

def proposal_round(contest: Contest) -> JudgingRound | None:
    """The judging round a writing contest's awards come from: the latest final round, else the latest round."""
    rounds = judging_rounds.rounds_of(contest)
    finals = [r for r in rounds if r.stage == "final"]
    return (finals or rounds or [None])[-1]


def _quiz_rounds(contest: Contest) -> list[Round]:
    return list(db.session.scalars(select(Round).where(Round.contest_id == contest.id)
                                   .order_by(Round.opens_at, Round.id)))


def proposal(contest: Contest, now: datetime | None = None) -> dict[str, Any]:
    """The awards the rankings propose, with the figures they come from.

    Writing contest: {"kind": "essay", "round": {id, title, stage, state} or None, "counts", "items": [{tier, rank,
    score, entry_id, entry_code, title, name, unit}]} from contest.judging.results over the proposal round (entries
    with a score; the tiers by ResultSettings.award_counts). Quiz contest: {"kind": "quiz", "rounds": [{id, title,
    final, prizes, items}], "items": [...]} with, for each final round, its prize proposal (Round.prizes), each item
    carrying round_id and round_title. Unit awards are never proposed: organisers add them by hand.
    """
    now = now or clock.utcnow()
    if contest.kind == "quiz":
        rounds_out, items = [], []
        for round_ in _quiz_rounds(contest):
            proposed = lb.prize_proposal(round_, now)
            final = proposed is not None
            round_items = [{**p, "round_id": round_.id, "round_title": round_.title} for p in proposed or []]
            rounds_out.append({"id": round_.id, "title": round_.title, "final": final,
                               "prizes": {t: int((round_.prizes or {}).get(t, 0) or 0) for t in PROPOSAL_TIERS_QUIZ},
                               "items": round_items})
            items += round_items
        return {"kind": "quiz", "rounds": rounds_out, "items": items}
    round_ = proposal_round(contest)
    counts = award_counts(settings_for(contest))
    if round_ is None:
        return {"kind": "essay", "round": None, "counts": counts, "items": []}
    ranked_items = [i for i in judging_results.results(round_)["items"] if i["score"] is not None]
    by_entry = {i["entry_id"]: i for i in ranked_items}
    chosen = award_rules.propose([(i["rank"], i["entry_id"]) for i in ranked_items], counts)
    entries = _entries([entry_id for _tier, entry_id in chosen])
    items = []
    for tier, entry_id in chosen:
        item, entry = by_entry[entry_id], entries[entry_id]
        items.append({"tier": tier, "rank": item["rank"], "score": item["score"], "entry_id": entry_id,
                      "entry_code": item["entry_code"], "title": item["title"],
                      "name": ", ".join(_entry_names(entry)), "unit": entry.unit.name if entry.unit else ""})
    return {"kind": "essay", "counts": counts, "items": items,
            "round": {"id": round_.id, "title": round_.title, "stage": round_.stage,
                      "state": judging_rounds.round_state(round_, now)}}


def proposal_items(proposed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The proposal as set_awards items."""
    if proposed["kind"] == "quiz":
        return [{"tier": i["tier"], "user_id": i["user_id"], "round_id": i["round_id"]} for i in proposed["items"]]
    return [{"tier": i["tier"], "entry_code": i["entry_code"]} for i in proposed["items"]]


def proposal_digest(proposed: Mapping[str, Any]) -> str:
    """A short fingerprint of a proposal's awards: confirming checks that the proposal shown is still the one the
    ranking gives (scores may have changed in between)."""
    raw = json.dumps(proposal_items(proposed), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


# --- awards -----------------------------------------------------------------------------------------------

def awards_of(contest: Contest) -> list[Award]:
    """The contest's awards in tier order, then position."""
    rows = db.session.scalars(select(Award).where(Award.contest_id == contest.id).order_by(Award.position, Award.id))
    return sorted(rows, key=lambda a: (AWARD_TIERS.index(a.tier), a.position, a.id))


def _entries(ids: Iterable[int]) -> dict[int, Entry]:
    ids = set(ids)
    return {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_(ids)))} if ids else {}


def _entry_names(entry: Entry) -> list[str]:
    return [entry.author.full_name, *(c.full_name for c in entry.coauthors)]


def _entry_title(entry: Entry) -> str:
    """The submitted version's title (what the judges read), else the working copy's."""
    if entry.submitted_version is not None:
        title = db.session.scalar(select(EntryVersion.title).where(EntryVersion.entry_id == entry.id,
                                                                    EntryVersion.number == entry.submitted_version))
        if title:
            return title
    return entry.title


def _holder_key(item: Mapping[str, Any]) -> tuple:
    if item.get("entry_id") is not None:
        return ("entry", item["entry_id"])
    if item.get("user_id") is not None:
        return ("user", item["user_id"], item.get("round_id"))
    return ("unit", item.get("unit_id"), item.get("round_id"))


class _ItemErrors:
    def __init__(self) -> None:
        self.fields: dict[str, list] = {}

    def add(self, index: int, field: str, message) -> None:
        self.fields.setdefault(f"awards.{index}.{field}", []).append(message)


def _clean_item(contest: Contest, index: int, raw: Any, errors: _ItemErrors,
                rounds: dict[int, Round]) -> dict[str, Any] | None:
    """One award item checked: {tier, label, entry_id | user_id (+ round_id) | unit_id (+ round_id)}."""
    if not isinstance(raw, Mapping):
        errors.add(index, "tier", _l("Each award must be an object."))
        return None
    before = len(errors.fields)
    tier = raw.get("tier")
    if tier not in AWARD_TIERS:
        errors.add(index, "tier", _l("Choose the tier: %(choices)s.", choices=", ".join(AWARD_TIERS)))
    label = raw.get("label")
    if label is None:
        label = ""
    if not isinstance(label, str):
        errors.add(index, "label", _l("Must be a string."))
        label = ""
    label = nfc(label)
    if len(label) > LABEL_MAX:
        errors.add(index, "label", _l("At most %(max)d characters.", max=LABEL_MAX))
    holders = [name for name in ("entry_code", "user_id", "email", "unit_id") if raw.get(name) not in (None, "")]
    if "user_id" in holders and "email" in holders:
        holders.remove("email")
    item: dict[str, Any] = {"tier": tier, "label": label, "entry_id": None, "user_id": None, "unit_id": None,
                            "round_id": None}
    if len(holders) != 1:
        field = "entry_code" if contest.kind == "essay" else "user_id"
        message = (_l("Give the entry code or a unit, not both.") if holders and contest.kind == "essay" else
                   _l("Give the member or a unit, not both.") if holders else
                   _l("Give the entry code or a unit.") if contest.kind == "essay" else
                   _l("Give the member or a unit."))
        errors.add(index, field, message)
        return None
    holder = holders[0]
    round_id = raw.get("round_id")
    if round_id not in (None, ""):
        if contest.kind != "quiz":
            errors.add(index, "round_id", _l("Only awards of a quiz contest belong to a round."))
        else:
            rid = parse_id(round_id)
            if rid is None or rid not in rounds:
                errors.add(index, "round_id", _l("No such round in this contest."))
            else:
                item["round_id"] = rid
    if holder == "entry_code":
        code = raw["entry_code"]
        if contest.kind != "essay":
            errors.add(index, "entry_code", _l("Only writing contests award entries."))
        elif not isinstance(code, str):
            errors.add(index, "entry_code", _l("Must be a string."))
        else:
            entry = db.session.scalar(select(Entry).where(Entry.code == nfc(code).upper()))
            if entry is None or entry.contest_id != contest.id:
                errors.add(index, "entry_code", _l("No entry of this contest has the code %(code)s.",
                                                   code=nfc(code)[:30]))
            elif entry.status != "submitted":
                errors.add(index, "entry_code", _l("The entry %(code)s is not submitted (it is withdrawn, "
                                                   "disqualified or a draft).", code=entry.code))
            else:
                item["entry_id"] = entry.id
    elif holder in ("user_id", "email"):
        field = holder
        user = None
        if holder == "user_id":
            uid = parse_id(raw["user_id"])
            user = db.session.get(User, uid) if uid is not None else None
        elif isinstance(raw["email"], str):
            user = db.session.scalar(select(User).where(User.email == normalise_email(raw["email"])))
        if contest.kind != "quiz":
            errors.add(index, field, _l("Awards of a writing contest go to entries or units."))
        elif user is None:
            errors.add(index, field, _l("No such member."))
        else:
            taken = set(db.session.scalars(select(Standing.round_id).where(
                Standing.user_id == user.id, Standing.round_id.in_(list(rounds)))))
            if item["round_id"] is None and "round_id" not in _fields_at(errors, index):
                finals = [r for r in rounds.values() if r.id in taken and (lb.finalise_if_due(r) or lb.is_final(r))]
                if finals:
                    item["round_id"] = max(finals, key=lambda r: (as_utc(r.closes_at), r.id)).id
                else:
                    errors.add(index, "round_id", _l("%(name)s has no result in a finished round of this "
                                                     "contest; choose the round.", name=user.full_name))
            elif item["round_id"] is not None and item["round_id"] not in taken:
                errors.add(index, field, _l("%(name)s took no part in this round.", name=user.full_name))
            item["user_id"] = user.id
    else:
        uid = parse_id(raw["unit_id"])
        unit = db.session.get(Unit, uid) if uid is not None else None
        if unit is None:
            errors.add(index, "unit_id", _l("No such unit."))
        else:
            item["unit_id"] = unit.id
    return item if len(errors.fields) == before else None


def _fields_at(errors: _ItemErrors, index: int) -> set[str]:
    prefix = f"awards.{index}."
    return {name[len(prefix):] for name in errors.fields if name.startswith(prefix)}


def clean_awards(contest: Contest, items: Any) -> list[dict[str, Any]]:
    """The items checked (422 `invalid_awards` with fields "awards.N.field" for every bad one, and for holders
    given twice)."""
    if not isinstance(items, list | tuple):
        raise Invalid(_l("Give the awards as a list."), code="invalid_awards",
                      fields={"awards": [_l("Give the awards as a list.")]})
    if len(items) > MAX_AWARDS:
        message = _l("At most %(max)d awards.", max=MAX_AWARDS)
        raise Invalid(message, code="invalid_awards", fields={"awards": [message]})
    rounds = {r.id: r for r in _quiz_rounds(contest)} if contest.kind == "quiz" else {}
    errors = _ItemErrors()
    cleaned: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(items):
        item = _clean_item(contest, index, raw, errors, rounds)
        if item is None:
            continue
        key = _holder_key(item)
        if key in seen:
            field = {"entry": "entry_code", "user": "user_id", "unit": "unit_id"}[key[0]]
            errors.add(index, field, _l("The same holder is already awarded (award %(n)d).", n=seen[key] + 1))
            continue
        seen[key] = index
        cleaned.append(item)
    if errors.fields:
        raise Invalid(_l("Some awards are not valid; nothing was changed."), code="invalid_awards",
                      fields=errors.fields)
    return cleaned


def _award_key(award: Award | Mapping[str, Any]) -> tuple:
    get = award.get if isinstance(award, Mapping) else lambda name: getattr(award, name)
    return (get("tier"), get("label") or "", get("entry_id"), get("user_id"), get("unit_id"), get("round_id"))


def set_awards(contest: Contest, items: Any, actor=None) -> list[Award]:
    """Replace the contest's awards by `items` ([{tier, entry_code | user_id (or email) | unit_id, round_id,
    label}]); all or nothing (422 `invalid_awards`). An award that stays the same (tier, label, holder, round) keeps
    its row, so its certificates stay valid; the others are removed and added. Audited "awards_updated"."""
    cleaned = clean_awards(contest, items)
    _lock(contest)
    current = awards_of(contest)
    before = _tier_counts(current)
    kept: dict[tuple, list[Award]] = {}
    for award in current:
        kept.setdefault(_award_key(award), []).append(award)
    out: list[Award] = []
    positions: dict[str, int] = {}
    for item in cleaned:
        position = positions[item["tier"]] = positions.get(item["tier"], 0) + 1
        same = kept.get(_award_key(item))
        if same:
            award = same.pop(0)
            award.position = position
        else:
            award = Award(contest_id=contest.id, tier=item["tier"], label=item["label"], position=position,
                          entry_id=item["entry_id"], user_id=item["user_id"], unit_id=item["unit_id"],
                          round_id=item["round_id"], created_by_id=getattr(actor, "id", None))
            db.session.add(award)
        out.append(award)
    for rest in kept.values():
        for award in rest:
            db.session.delete(award)
    db.session.flush()
    audit.record("awards_updated", actor=actor, target_type="contest", target_id=contest.id,
                 contest_id=contest.id, before=before, after=_tier_counts(out), count_before=len(current),
                 count_after=len(out))
    return sorted(out, key=lambda a: (AWARD_TIERS.index(a.tier), a.position))


def add_award(contest: Contest, item: Mapping[str, Any], actor=None) -> list[Award]:
    """One more award, the others unchanged (set_awards' checks and audit). On 422 `invalid_awards` the new item's
    errors are under its own field names ("tier", "entry_code", ...), not "awards.N.tier"."""
    current = current_items(contest)
    try:
        return set_awards(contest, [*current, dict(item)], actor)
    except Invalid as exc:
        mine = f"awards.{len(current)}."
        exc.fields = {(name[len(mine):] if name.startswith(mine) else name): messages
                      for name, messages in (exc.fields or {}).items()}
        raise


def remove_award(contest: Contest, award_id: int, actor=None) -> list[Award]:
    """The contest's awards without this one (404 when it is not one of them); audited as set_awards."""
    current = current_items(contest)
    remaining = [i for i in current if i["id"] != award_id]
    if len(remaining) == len(current):
        raise NotFound(_l("No such award."))
    return set_awards(contest, remaining, actor)


def current_items(contest: Contest) -> list[dict[str, Any]]:
    """The contest's awards as set_awards items (to add one award to them, or remove one)."""
    awards = awards_of(contest)
    codes = {e.id: e.code for e in _entries(a.entry_id for a in awards if a.entry_id is not None).values()}
    items = []
    for a in awards:
        item: dict[str, Any] = {"id": a.id, "tier": a.tier, "label": a.label or "", "round_id": a.round_id}
        if a.entry_id is not None:
            item["entry_code"] = codes[a.entry_id]
        elif a.user_id is not None:
            item["user_id"] = a.user_id
        else:
            item["unit_id"] = a.unit_id
        items.append(item)
    return items


def _tier_counts(awards: Sequence[Award]) -> dict[str, int]:
    return {tier: n for tier in AWARD_TIERS if (n := sum(1 for a in awards if a.tier == tier))}


def award_items(awards: Sequence[Award], certificates: Mapping[int, Sequence[Certificate]] | None = None
                ) -> list[dict[str, Any]]:
    """The awards as the snapshot and the API describe them (see the brief's published_results), names unmasked.
    `certificates` ({award id: [certificate]}) gives the codes; without it, the unrevoked certificates issued."""
    if certificates is None:
        certificates = issued_certificates([a.id for a in awards])
    entries = _entries(a.entry_id for a in awards if a.entry_id is not None)
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({a.user_id for a in awards if a.user_id is not None})))} if any(a.user_id for a in awards) else {}
    round_ids = {a.round_id for a in awards if a.round_id is not None}
    rounds = {r.id: r for r in db.session.scalars(select(Round).where(Round.id.in_(round_ids)))} if round_ids else {}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(
        Unit.id.in_({a.unit_id for a in awards if a.unit_id is not None})))} if any(a.unit_id for a in awards) else {}
    standing_units = dict(((s.round_id, s.user_id), s.unit_id) for s in db.session.scalars(select(Standing).where(
        Standing.round_id.in_(round_ids), Standing.user_id.in_(list(users))))) if users and round_ids else {}
    out = []
    for award in awards:
        round_ = rounds.get(award.round_id)
        item: dict[str, Any] = {
            "id": award.id, "tier": award.tier, "label": award.label or "", "entry_code": None, "entry_id": None,
            "round_id": award.round_id, "round_title": round_.title if round_ else None, "user_ids": [],
            "unit_id": None, "public_entry": False}
        if award.entry_id is not None:
            entry = entries[award.entry_id]
            names = _entry_names(entry)
            item.update(holder="entry", names=names, name=", ".join(names),
                        unit=entry.unit.name if entry.unit else "", title=_entry_title(entry),
                        entry_code=entry.code, entry_id=entry.id, unit_id=entry.unit_id,
                        user_ids=[entry.author_id, *(c.user_id for c in entry.coauthors if c.user_id)],
                        public_entry=bool(entry.publish_consent))
        elif award.user_id is not None:
            user = users[award.user_id]
            unit_id = standing_units.get((award.round_id, user.id), user.unit_id)
            unit = db.session.get(Unit, unit_id) if unit_id is not None else None
            item.update(holder="user", names=[user.full_name], name=user.full_name,
                        unit=unit.name if unit else "", title=round_.title if round_ else "", user_ids=[user.id],
                        unit_id=unit_id)
        else:
            unit = units[award.unit_id]
            item.update(holder="unit", names=[], name=unit.name, unit=unit.name, title="", unit_id=unit.id)
        codes = [c.code for c in certificates.get(award.id, ())]
        item.update(certificate_code=codes[0] if codes else None, certificate_codes=codes)
        out.append(item)
    return out


def issued_certificates(award_ids: Sequence[int]) -> dict[int, list[Certificate]]:
    """{award id: its unrevoked certificates, oldest first}."""
    out: dict[int, list[Certificate]] = {}
    if not award_ids:
        return out
    for cert in db.session.scalars(select(Certificate).where(Certificate.award_id.in_(list(award_ids)),
                                                             Certificate.revoked_at.is_(None))
                                   .order_by(Certificate.id)):
        out.setdefault(cert.award_id, []).append(cert)
    return out


def display_name(item: Mapping[str, Any], mode: str) -> str:
    """An award item's name as the public sees it: each person's name masked by `mode` (co-authors joined with
    ", "); a unit's name as it is."""
    if item.get("holder") == "unit":
        return item.get("name") or ""
    names = item.get("names")
    if names is None:
        names = [n for n in (item.get("name") or "").split(", ") if n]
    return ", ".join(mask_name(n, mode) for n in names)


# --- publication ------------------------------------------------------------------------------------------

def current_publication(contest_id: int, round_id: int | None = None) -> Publication | None:
    """The publication in force (ended_at NULL) of the contest's results (round_id None) or of a quiz round."""
    stmt = select(Publication).where(Publication.contest_id == contest_id, Publication.ended_at.is_(None))
    stmt = stmt.where(Publication.round_id.is_(None) if round_id is None else Publication.round_id == round_id)
    return db.session.scalar(stmt.order_by(Publication.id.desc()).limit(1))


def _check_publishable(contest: Contest, awards: Sequence[Award], now: datetime) -> None:
    if contest.kind == "essay":
        if contests.contest_state(contest, now) != "closed":
            raise Conflict(_l("The contest is still open; publish its results after it closes."),
                           code="contest_open")
    else:
        round_ids = {a.round_id for a in awards if a.round_id is not None}
        for round_ in (db.session.get(Round, rid) for rid in sorted(round_ids)):
            lb.finalise_if_due(round_, now)
            if not lb.is_final(round_, now):
                raise Conflict(_l("The round “%(title)s” has no final ranking yet; publish after it closes.",
                                  title=round_.title), code="contest_open")
    if not awards:
        raise Conflict(_l("There are no awards to publish yet."), code="no_awards")


def _sync_certificates(contest: Contest, awards: list[Award], actor, now: datetime) -> dict[int, list]:
    from contest.results.issuing import sync_award_certificates  # issuing imports this module's labels

    return sync_award_certificates(contest, awards, actor, now)


def publish_contest(contest: Contest, actor=None, now: datetime | None = None) -> Publication:
    """Publish (or publish again) the contest's awards: 409 `contest_open` while a writing contest is open or a
    quiz round holding an award has no final ranking, 409 `no_awards` without awards. Issues the award
    certificates (contest.results.issuing), freezes the awards into the snapshot, ends the publication in force
    ("republished"). Audited "results_published". Flushes."""
    now = now or clock.utcnow()
    settings = _lock(contest)
    awards = awards_of(contest)
    _check_publishable(contest, awards, now)
    # The awards must still hold (an awarded entry withdrawn or disqualified since, a member's result removed):
    # 422 `invalid_awards` naming them, as when they were set.
    clean_awards(contest, current_items(contest))
    certificates = _sync_certificates(contest, awards, actor, now)
    snapshot = {"published_at": now.isoformat(),
                "contest": {"slug": contest.slug, "title": contest.title, "kind": contest.kind},
                "awards": award_items(awards, certificates)}
    previous = current_publication(contest.id)
    if previous is not None:
        previous.ended_at = now
        previous.ended_by_id = getattr(actor, "id", None)
        previous.end_reason = "republished"
    publication = Publication(contest_id=contest.id, round_id=None, published_at=now,
                              published_by_id=getattr(actor, "id", None), snapshot=snapshot)
    db.session.add(publication)
    settings.published_at = now
    db.session.flush()
    audit.record("results_published", actor=actor, target_type="contest", target_id=contest.id,
                 contest_id=contest.id, republished=previous is not None, awards=len(awards),
                 certificates=sum(len(v) for v in certificates.values()))
    return publication


def unpublish_contest(contest: Contest, actor=None, now: datetime | None = None) -> Publication | None:
    """Hide the contest's results again (the certificates stay, unverifiable while unpublished). Nothing to do,
    and nothing audited, when they are not published. Flushes."""
    now = now or clock.utcnow()
    settings = _lock(contest)
    publication = current_publication(contest.id)
    if publication is None:
        return None
    publication.ended_at = now
    publication.ended_by_id = getattr(actor, "id", None)
    publication.end_reason = "unpublished"
    settings.published_at = None
    db.session.flush()
    audit.record("results_unpublished", actor=actor, target_type="contest", target_id=contest.id,
                 contest_id=contest.id, published_at=as_utc(publication.published_at).isoformat())
    return publication


def is_published(contest: Contest) -> bool:
    return current_publication(contest.id) is not None


def published_results(contest: Contest) -> dict[str, Any]:
    """The snapshot in force (see the module's brief): NotFound before the results are published."""
    publication = current_publication(contest.id)
    if publication is None:
        raise NotFound(_l("The results of this contest are not published yet."), code="not_published")
    return publication.snapshot


def _comparable(items: Iterable[Mapping[str, Any]]) -> list[tuple]:
    return [(i.get("tier"), i.get("label") or "", i.get("entry_id"), tuple(i.get("user_ids") or ())
             if i.get("holder") == "user" else (), i.get("unit_id") if i.get("holder") == "unit" else None,
             i.get("round_id")) for i in items]


def awards_changed_since_publication(contest: Contest) -> bool:
    """Whether the current awards differ (tier, holder, round, label) from the published ones; False when the
    results are not published."""
    publication = current_publication(contest.id)
    if publication is None:
        return False
    current = [{"tier": a.tier, "label": a.label or "", "entry_id": a.entry_id, "round_id": a.round_id,
                "holder": "entry" if a.entry_id else "user" if a.user_id else "unit",
                "user_ids": [a.user_id] if a.user_id else [], "unit_id": a.unit_id} for a in awards_of(contest)]
    return _comparable(current) != _comparable(publication.snapshot.get("awards", []))


__all__ = ["MASKING_LABELS", "TIER_LABELS", "add_award", "award_counts", "award_items",
           "awards_changed_since_publication", "awards_of", "clean_awards", "current_items", "current_publication",
           "display_name", "is_published", "issued_certificates", "proposal", "proposal_digest", "proposal_items",
           "proposal_round", "publish_contest", "published_results", "remove_award", "set_awards", "settings_for",
           "settings_json", "unpublish_contest", "update_settings"]
