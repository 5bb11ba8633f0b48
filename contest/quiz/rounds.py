"""Round rules: create and edit quiz rounds, check them against the question bank, and tell their state.

What may change once members have taken part: a round's question settings and ranking rules are frozen by its
first attempt (LOCKED_ONCE_TAKEN, 409 `round_has_attempts`), since changing them would make earlier attempts
incomparable with later ones. The title, the closing time (not into the past; in-progress deadlines follow it),
attempts allowed, grace, review policy, live leaderboard and prizes stay editable.

Every function flushes and leaves the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, null, select

from contest.contests.models import Contest
from contest.contests.services import check_times, is_organiser, parse_time, require_organiser
from contest.core import audit, clock
from contest.core.errors import Conflict, Invalid, NotFound
from contest.core.text import nfc, unaccent
from contest.extensions import db
from contest.quiz.models import (
    COUNTING_RULES,
    DEFAULT_PRIZES,
    PRIZE_TIERS,
    REVIEW_POLICIES,
    TIME_TIEBREAKS,
    Attempt,
    Question,
    Round,
)

ROUND_STATES = ("upcoming", "open", "closed")
TITLE_MAX = 200
MAX_TIME_LIMIT = 24 * 3600
MAX_QUESTIONS = 200
MAX_GRACE = 600
MAX_ATTEMPTS = 1000
MAX_PRIZES = 100_000

# Field -> default for a new round. `topics` is the API's name for topic_quotas ({topic: count} or None).
ROUND_DEFAULTS: dict[str, Any] = {
    "time_limit_seconds": 600, "question_count": 20, "topics": None, "max_attempts": 1, "counting": "best",
    "shuffle_questions": True, "shuffle_options": True, "prediction": False, "time_tiebreak": "submitted_at",
    "live_leaderboard": False, "review_policy": "after_close", "grace_seconds": 5, "prizes": None,
}
ROUND_FIELDS = ("title", "opens_at", "closes_at", *ROUND_DEFAULTS)
# Fields that decide which questions an attempt gets and how attempts rank: frozen once anyone has started.
LOCKED_ONCE_TAKEN = ("opens_at", "time_limit_seconds", "question_count", "topics", "shuffle_questions",
                     "shuffle_options", "prediction", "counting", "time_tiebreak")
_BOOLEANS = ("shuffle_questions", "shuffle_options", "prediction", "live_leaderboard")
_CHOICES = {"counting": COUNTING_RULES, "time_tiebreak": TIME_TIEBREAKS, "review_policy": REVIEW_POLICIES}

STATE_LABELS = {"upcoming": _l("Upcoming"), "open": _l("Open"), "closed": _l("Closed")}
COUNTING_LABELS = {"best": _l("The best attempt counts"), "last": _l("The last attempt counts")}
TIEBREAK_LABELS = {"submitted_at": _l("Earlier submission"), "duration": _l("Shorter time taken")}
REVIEW_LABELS = {"after_close": _l("After the round closes"), "after_submit": _l("Right after submitting"),
                 "never": _l("Never (organisers only)")}


# --- state ------------------------------------------------------------------------------------------------

def round_state(round_: Round, now: datetime | None = None) -> str:
    now = now or clock.utcnow()
    if now < clock.as_utc(round_.opens_at):
        return "upcoming"
    if now < clock.as_utc(round_.closes_at):
        return "open"
    return "closed"


def topic_quotas(round_: Round) -> dict[str, int] | None:
    return dict(round_.topic_quotas) if round_.topic_quotas else None


def prizes(round_: Round) -> dict[str, int]:
    return {tier: int((round_.prizes or {}).get(tier, DEFAULT_PRIZES[tier])) for tier in PRIZE_TIERS}


# --- the bank as rounds see it ----------------------------------------------------------------------------

def drawable_questions():
    """The filter for questions an attempt may draw: approved, not archived, with a current version."""
    return (Question.status == "approved", Question.archived.is_(False), Question.current_version_id.is_not(None))


def approved_counts() -> dict[str, tuple[str, int]]:
    """{topic_key: (a topic name as the bank writes it, how many drawable questions)}."""
    rows = db.session.execute(
        select(Question.topic_key, func.min(Question.topic), func.count())
        .where(*drawable_questions()).group_by(Question.topic_key)).all()
    return {key: (topic, count) for key, topic, count in rows}


def topic_key(topic: str) -> str:
    return unaccent(nfc(topic))


def check_bank(count: int, quotas: Mapping[str, int] | None, errors: dict[str, list]) -> None:
    """Whether the bank holds enough drawable questions for every quota (or for the count), in words."""
    available = approved_counts()
    if quotas:
        for topic, wanted in quotas.items():
            have = available.get(topic_key(topic), ("", 0))[1]
            if have < wanted:
                errors.setdefault("topics", []).append(_l(
                    "Only %(available)d approved questions in topic “%(topic)s”; the round draws %(wanted)d.",
                    available=have, topic=topic, wanted=wanted))
    else:
        have = sum(n for _topic, n in available.values())
        if have < count:
            errors.setdefault("question_count", []).append(_l(
                "Only %(available)d approved questions in the bank; the round draws %(wanted)d.",
                available=have, wanted=count))


# --- checking the fields ----------------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_in(value: Any, field: str, low: int, high: int, errors: dict[str, list], message) -> int | None:
    if not _is_int(value) or not low <= value <= high:
        errors.setdefault(field, []).append(message)
        return None
    return value


def _clean_quotas(value: Any, errors: dict[str, list]) -> dict[str, int] | None:
    if value is None or value == {}:
        return None
    if not isinstance(value, Mapping):
        errors.setdefault("topics", []).append(_l("Give the topics as {topic: number of questions}."))
        return None
    quotas: dict[str, int] = {}
    seen: dict[str, str] = {}
    for raw_topic, raw_count in value.items():
        topic = nfc(raw_topic) if isinstance(raw_topic, str) else ""
        if not topic:
            errors.setdefault("topics", []).append(_l("Every quota needs a topic name."))
            continue
        key = topic_key(topic)
        if key in seen:
            errors.setdefault("topics", []).append(
                _l("The topic “%(topic)s” is listed twice.", topic=topic))
            continue
        seen[key] = topic
        if not _is_int(raw_count) or not 1 <= raw_count <= MAX_QUESTIONS:
            errors.setdefault("topics", []).append(
                _l("The number of questions from “%(topic)s” must be a whole number from 1 to %(n)d.",
                   topic=topic, n=MAX_QUESTIONS))
            continue
        quotas[topic] = raw_count
    return quotas or None


def _clean_prizes(value: Any, errors: dict[str, list]) -> dict[str, int]:
    if value is None:
        return dict(DEFAULT_PRIZES)
    if not isinstance(value, Mapping):
        errors.setdefault("prizes", []).append(_l("Give the prizes as {first, second, third, consolation}."))
        return dict(DEFAULT_PRIZES)
    unknown = [str(k) for k in value if k not in PRIZE_TIERS]
    if unknown:
        errors.setdefault("prizes", []).append(
            _l("Unknown prize tier: %(tiers)s. The tiers are first, second, third and consolation.",
               tiers=", ".join(unknown)))
    out = dict(DEFAULT_PRIZES)
    for tier in PRIZE_TIERS:
        if tier in value:
            n = value[tier]
            if not _is_int(n) or not 0 <= n <= MAX_PRIZES:
                errors.setdefault("prizes", []).append(
                    _l("The number of prizes must be a whole number from 0 to %(n)d.", n=MAX_PRIZES))
            else:
                out[tier] = n
    return out


def _clean_round(data: Mapping[str, Any], round_: Round | None) -> dict[str, Any]:
    """The given fields (all of them with defaults on create), checked; Invalid naming every field at fault."""
    errors: dict[str, list] = {}
    creating = round_ is None
    data = dict(data)
    if "topic_quotas" in data and "topics" not in data:
        data["topics"] = data.pop("topic_quotas")
    if creating:
        data = {**ROUND_DEFAULTS, **{k: v for k, v in data.items() if v is not None or k in ("topics",
                                                                                                "max_attempts")}}
    out: dict[str, Any] = {}

    if "title" in data or creating:
        title = nfc(data.get("title")) if isinstance(data.get("title"), str) else ""
        if not title:
            errors.setdefault("title", []).append(_l("Give the round a title, such as “Week 1”."))
        elif len(title) > TITLE_MAX:
            errors.setdefault("title", []).append(_l("The title is too long (at most %(n)d characters).",
                                                     n=TITLE_MAX))
        else:
            out["title"] = title
    for field in ("opens_at", "closes_at"):
        if field in data or creating:
            value = parse_time(data.get(field), field, errors)
            if value is None and not errors.get(field):
                errors.setdefault(field, []).append(_l("Give the date and time."))
            elif value is not None:
                out[field] = value
    if "time_limit_seconds" in data:
        out["time_limit_seconds"] = _int_in(
            data["time_limit_seconds"], "time_limit_seconds", 1, MAX_TIME_LIMIT, errors,
            _l("The time limit must be more than 0 seconds and at most 24 hours."))
    if "question_count" in data:
        out["question_count"] = _int_in(
            data["question_count"], "question_count", 1, MAX_QUESTIONS, errors,
            _l("The number of questions must be a whole number from 1 to %(n)d.", n=MAX_QUESTIONS))
    if "topics" in data:
        out["topics"] = _clean_quotas(data["topics"], errors)
    if "max_attempts" in data:
        value = data["max_attempts"]
        out["max_attempts"] = None if value is None else _int_in(
            value, "max_attempts", 1, MAX_ATTEMPTS, errors,
            _l("Attempts allowed must be a whole number from 1 to %(n)d, or empty for unlimited.",
               n=MAX_ATTEMPTS))
    if "grace_seconds" in data:
        out["grace_seconds"] = _int_in(
            data["grace_seconds"], "grace_seconds", 0, MAX_GRACE, errors,
            _l("The grace period must be from 0 to %(n)d seconds.", n=MAX_GRACE))
    for field in _BOOLEANS:
        if field in data:
            if not isinstance(data[field], bool):
                errors.setdefault(field, []).append(_l("Must be true or false."))
            else:
                out[field] = data[field]
    for field, allowed in _CHOICES.items():
        if field in data:
            if data[field] not in allowed:
                errors.setdefault(field, []).append(
                    _l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
            else:
                out[field] = data[field]
    if "prizes" in data:
        out["prizes"] = _clean_prizes(data["prizes"], errors)

    opens_at = out.get("opens_at", round_.opens_at if round_ else None)
    closes_at = out.get("closes_at", round_.closes_at if round_ else None)
    if not errors.get("opens_at") and not errors.get("closes_at"):
        check_times(opens_at and clock.as_utc(opens_at), closes_at and clock.as_utc(closes_at), errors)

    count = out.get("question_count", round_.question_count if round_ else None)
    quotas = out["topics"] if "topics" in out else (topic_quotas(round_) if round_ else None)
    if count is not None and quotas and not errors.get("topics") and not errors.get("question_count"):
        total = sum(quotas.values())
        if total != count:
            errors.setdefault("topics", []).append(_l(
                "The topic quotas add up to %(sum)d questions, but the round draws %(count)d: make them equal "
                "(or leave the topics empty to draw from the whole bank).", sum=total, count=count))
    draws_changed = creating or any(f in out for f in ("question_count", "topics"))
    if draws_changed and count is not None and not errors.get("topics") and not errors.get("question_count"):
        check_bank(count, quotas, errors)
    if errors:
        raise Invalid(_l("Please correct the marked fields."), fields=errors)
    return out


def _differences(round_: Round, values: Mapping[str, Any]) -> dict[str, dict]:
    """{field: {old, new}} for the values that differ from the round's."""
    changed = {}
    for field, value in values.items():
        old = getattr(round_, "topic_quotas" if field == "topics" else field)
        if old != value:  # aware datetimes compare by instant, whatever their offset
            changed[field] = {"old": _audit_value(old), "new": _audit_value(value)}
    return changed


def _apply(round_: Round, values: Mapping[str, Any]) -> dict[str, dict]:
    changed = _differences(round_, values)
    for field in changed:
        setattr(round_, "topic_quotas" if field == "topics" else field, values[field])
    return changed


def _audit_value(value: Any) -> Any:
    return clock.as_utc(value).isoformat() if isinstance(value, datetime) else value


# --- create, edit, read -----------------------------------------------------------------------------------

def create_round(contest: Contest, data: Mapping[str, Any], actor) -> Round:
    """A new round of a quiz contest; the bank must hold enough approved questions for what it draws."""
    require_organiser(actor)
    if contest.kind != "quiz":
        raise Conflict(_l("Only a quiz contest has rounds."), code="not_a_quiz")
    values = _clean_round({k: v for k, v in data.items() if k in ROUND_FIELDS or k == "topic_quotas"}, None)
    round_ = Round(contest_id=contest.id, contest=contest)
    for field, value in values.items():
        # The ORM leaves None out of an INSERT, so a column default would win over "unlimited attempts".
        setattr(round_, "topic_quotas" if field == "topics" else field, null() if value is None else value)
    db.session.add(round_)
    db.session.flush()
    audit.record("round_created", actor=actor, target_type="round", target_id=round_.id, contest=contest.slug,
                 title=round_.title)
    return round_


def attempt_count(round_: Round) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.round_id == round_.id))


def update_round(round_: Round, data: Mapping[str, Any], actor, now: datetime | None = None) -> Round:
    """Change the given fields. Once the round has attempts, LOCKED_ONCE_TAKEN fields are refused (409
    `round_has_attempts`) and the closing time may not move into the past; the deadlines of attempts in progress
    follow a new closing time."""
    require_organiser(actor)
    now = now or clock.utcnow()
    values = _clean_round({k: v for k, v in data.items() if k in ROUND_FIELDS or k == "topic_quotas"}, round_)
    would_change = _differences(round_, values)
    taken = attempt_count(round_) if would_change else 0
    if taken:
        locked = sorted(set(would_change) & set(LOCKED_ONCE_TAKEN))
        if locked:
            msg = _l("Members have already taken this round, so its questions, timing and ranking rules can no "
                     "longer change.")
            raise Conflict(msg, code="round_has_attempts", fields={f: [msg] for f in locked})
        if "closes_at" in would_change and values["closes_at"] <= now:
            msg = _l("Members have already taken this round: its closing time can be moved, but not into the past.")
            raise Invalid(msg, fields={"closes_at": [msg]})
    changed = _apply(round_, values)
    if changed:
        round_.updated_at = now
        if "closes_at" in changed and taken:
            _follow_closing_time(round_)
        db.session.flush()
        audit.record("round_updated", actor=actor, target_type="round", target_id=round_.id,
                     contest=round_.contest.slug, changes=changed)
    return round_


def _follow_closing_time(round_: Round) -> None:
    """Deadlines are min(start + limit, close): recompute them for the attempts still in progress."""
    closes_at = clock.as_utc(round_.closes_at)
    limit = timedelta(seconds=round_.time_limit_seconds)
    for attempt in db.session.scalars(select(Attempt).where(Attempt.round_id == round_.id,
                                                            Attempt.status == "in_progress")):
        attempt.deadline_at = min(clock.as_utc(attempt.started_at) + limit, closes_at)


def rounds_of(contest: Contest) -> list[Round]:
    return list(db.session.scalars(select(Round).where(Round.contest_id == contest.id)
                                   .order_by(Round.opens_at, Round.id)))


def is_row_id(value) -> bool:
    """Whether a value can name a row (a path may carry any integer; a huge one would overflow the driver)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def get_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id) if is_row_id(round_id) else None
    if round_ is None:
        raise NotFound(_l("No such round."))
    return round_


def get_round_for(round_id: int, user) -> Round:
    """The round, if this person may know about it: NotFound in a draft contest unless they organise."""
    round_ = get_round(round_id)
    if round_.contest.status == "draft" and not is_organiser(user):
        raise NotFound(_l("No such round."))
    return round_


__all__ = ["LOCKED_ONCE_TAKEN", "ROUND_DEFAULTS", "ROUND_FIELDS", "ROUND_STATES", "approved_counts",
           "attempt_count", "check_bank", "create_round", "drawable_questions", "get_round", "get_round_for",
           "prizes", "round_state", "rounds_of", "topic_key", "topic_quotas", "update_round"]
