"""Leaderboards of quiz rounds: the final ranking computed in SQL when a round closes, pages of the board (live or
final) and a member's own rank, unit leaderboards, prize proposals, publishing, and the cache of computed pages.

Publishing freezes a snapshot (quiz_published_ranks and a results Publication): everyone but the organisers reads a
published round from it, so a change afterwards shows only once the round is published again; organisers read the
live final board.

The order is ranking.py's rule, in set-based SQL (window functions) that runs the same on SQLite and PostgreSQL:
a round of a million attempts is finalised in a few statements, and a page of the board is an index scan.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, exists, func, insert, null, select, text, tuple_, update
from sqlalchemy.orm import aliased

from contest.accounts.models import User, UserRole
from contest.contests.models import Contest
from contest.contests.services import is_organiser
from contest.core import audit, clock
from contest.core.cache import get_cache
from contest.core.clock import as_utc
from contest.core.errors import Conflict, Forbidden, NotFound, Unauthorized
from contest.core.transactions import after_commit
from contest.extensions import db
from contest.quiz.models import PRIZE_TIERS, Attempt, FinalRank, Round, Standing
from contest.quiz.ranking import NO_PREDICTION, Ranked, Result, prize_tiers
from contest.quiz.rounds import round_state
from contest.results.masking import mask_name, masking_for
from contest.results.models import AWARD_TIERS, Award, Publication, PublishedRank
from contest.units.models import Unit
from contest.units.services import descendant_ids, subtree_member_counts, unit_tree

FINALISED_STATUSES = ("submitted", "expired")
# Negative: KiB. 256 MiB while a round is finalised on SQLite.
SQLITE_FINALISE_CACHE_KIB = -262144
LIVE_TTL = 5  # seconds a computed page of a live board is served from the cache
FINAL_TTL = 120  # a final board changes only when it is finalised again, which changes its cache key
DEFAULT_AWARDS = 3

_S = Standing.__table__
_R = FinalRank.__table__
_A = Attempt.__table__
_P = PublishedRank.__table__

HIDDEN = _l("The leaderboard of this round is not shown yet.")
NO_ROUND = _l("No such round.")


# --- the round's clock (round_state, "upcoming", "open" or "closed", is rounds.round_state) ---------------

def settled_at(round_: Round) -> datetime:
    """When the last answer can arrive: the close plus the grace for network lag. Finalising waits for it."""
    return as_utc(round_.closes_at) + timedelta(seconds=round_.grace_seconds or 0)


def is_final(round_: Round, now: datetime | None = None) -> bool:
    """The round has closed and its final ranking (with the prediction tiebreak) is stored. A round whose close
    was moved after it was finalised is not final any more."""
    now = now or clock.utcnow()
    if round_.finalised_at is None or now < as_utc(round_.closes_at):
        return False
    return as_utc(round_.finalised_at) >= as_utc(round_.closes_at)


def is_due(round_: Round, now: datetime | None = None) -> bool:
    """Closed, past the grace, and not finalised: the next reader (or the CLI) finalises it."""
    now = now or clock.utcnow()
    return now >= settled_at(round_) and not is_final(round_, now)


# --- who may see what -------------------------------------------------------------------------------------

def can_manage(user, round_: Round) -> bool:
    """Organisers (and admins) manage every round (contests.services.is_organiser, the one rule for it)."""
    return is_organiser(user)


def members_may_see(round_: Round, now: datetime | None = None) -> bool:
    """Once published, or while the round is open when it has a live leaderboard."""
    if round_.published_at is not None:
        return True
    return bool(round_.live_leaderboard) and round_state(round_, now) == "open"


def get_round(round_id: int, user=None) -> Round:
    """The round, or 404 when it does not exist or belongs to a draft contest the reader may not see."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(NO_ROUND)
    contest = db.session.get(Contest, round_.contest_id)
    if (contest is None or contest.status == "draft") and not can_manage(user, round_):
        raise NotFound(NO_ROUND)
    return round_


def check_board_access(round_: Round, user, now: datetime | None = None) -> None:
    """The leaderboard (and the unit leaderboard) is for organisers always, for everyone once published, and for
    signed-in people while the round is open if it has a live leaderboard.

    Otherwise: 403 `leaderboard_hidden` for a signed-in person; for an anonymous one 401 when signing in would
    show it (open, live), else 404 - an anonymous reader only ever learns of published boards.
    """
    if can_manage(user, round_) or members_may_see(round_, now):
        if user is None and round_.published_at is None:
            raise Unauthorized(_l("Sign in to see the live leaderboard."))
        return
    if user is None:
        raise NotFound(NO_ROUND)
    raise Forbidden(HIDDEN, code="leaderboard_hidden")


def check_my_rank_access(round_: Round, user, now: datetime | None = None) -> None:
    """A member's own rank is shown exactly when the board is: 401 anonymous, 403 `leaderboard_hidden`."""
    if user is None:
        raise Unauthorized(_l("Sign in to see your rank."))
    if can_manage(user, round_) or members_may_see(round_, now):
        return
    raise Forbidden(HIDDEN, code="leaderboard_hidden")


# --- the cache --------------------------------------------------------------------------------------------

def _generation_key(round_id: int) -> str:
    return f"lb:{round_id}:gen"


def _cache_key(round_: Round, now: datetime, *parts: Any) -> tuple[str, int]:
    """A key that changes when the cache is cleared and when the round is finalised (again), so no page of a live
    board is ever served as the final one, even from another process's memory."""
    cache = get_cache()
    generation = cache.get(_generation_key(round_.id)) or 0
    if is_final(round_, now):
        state, ttl = "final-" + as_utc(round_.finalised_at).isoformat(), FINAL_TTL
    else:
        state, ttl = "live", LIVE_TTL
    return ":".join(str(p) for p in ("lb", round_.id, generation, state, *parts)), ttl


def clear_leaderboard_cache(round_id: int) -> None:
    """Forget every computed page of this round's boards. Call it after every write that changes standings
    (standings.record_result) and after finalising or publishing; cheap (one counter increment). It clears again
    after the transaction commits, so a page computed meanwhile from the old standings is not served."""
    cache = get_cache()
    cache.incr(_generation_key(round_id))
    after_commit(db.session(), lambda: cache.incr(_generation_key(round_id)), key=f"lb:{round_id}")


# --- finalisation -----------------------------------------------------------------------------------------

def _time_key(table, round_: Round):
    return table.c.submitted_at if round_.time_tiebreak == "submitted_at" else table.c.duration_ms


def _full_order(table, round_: Round, actual: int, missed) -> list:
    """ranking.sort_key in SQL: missed, (the prediction's distance, a missing one after every real one), time,
    start. The prediction keys only when the round asks for one."""
    keys = [missed]
    if round_.prediction:
        keys += [case((table.c.prediction.is_(None), 1), else_=0), func.abs(table.c.prediction - actual)]
    keys += [_time_key(table, round_), table.c.started_at]
    return keys


def _finalise_expired(round_id: int, now: datetime) -> None:
    try:
        from contest.quiz.attempts import finalise_expired
    except ModuleNotFoundError as exc:  # the attempts module is written alongside; nothing to finalise without it
        if exc.name != "contest.quiz.attempts":
            raise
        current_app.logger.warning("contest.quiz.attempts is missing: expired attempts were not finalised")
        return
    finalise_expired(round_id=round_id, now=now)


def _recount(round_: Round, order: list) -> None:
    """Make each member's standing their first finalised attempt under `order` (only members with several
    attempts can differ), in one UPDATE ... FROM (SELECT ... ROW_NUMBER() OVER (PARTITION BY user ...))."""
    finalised = and_(_A.c.round_id == round_.id, _A.c.status.in_(FINALISED_STATUSES), _A.c.correct.is_not(None),
                     _A.c.submitted_at.is_not(None), _A.c.duration_ms.is_not(None))
    repeaters = select(_A.c.user_id).where(finalised, _A.c.number > 1)
    best = (select(_A.c.id, _A.c.user_id, _A.c.unit_id, _A.c.correct, _A.c.total, _A.c.prediction,
                   _A.c.submitted_at, _A.c.duration_ms, _A.c.started_at,
                   func.row_number().over(partition_by=_A.c.user_id, order_by=[*order, _A.c.id]).label("rn"))
            .where(finalised, _A.c.user_id.in_(repeaters))
            .subquery("best"))
    db.session.execute(
        update(_S)
        .where(_S.c.round_id == round_.id, _S.c.user_id == best.c.user_id, best.c.rn == 1,
               _S.c.attempt_id != best.c.id)
        .values(attempt_id=best.c.id, unit_id=best.c.unit_id, correct=best.c.correct, total=best.c.total,
                missed=best.c.total - best.c.correct, prediction=best.c.prediction, submitted_at=best.c.submitted_at,
                duration_ms=best.c.duration_ms, started_at=best.c.started_at))


def _widen_sqlite_cache() -> None:
    """SQLite: a page cache big enough to hold the ranks' index while a million ranks are written, and sorts in
    memory (about a third less time at a million attempts). The connection's own settings come back once the
    transaction commits, so the pooled connection does not keep the larger cache. Widening twice in a transaction
    (publishing finalises first) keeps the first saved settings; where SQLite refuses to change the temporary
    storage inside a transaction that has already written, the cache alone is widened."""
    raw = db.session.connection().connection.dbapi_connection
    saved = {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "temp_store")}
    if saved["cache_size"] == SQLITE_FINALISE_CACHE_KIB:
        return
    raw.execute(f"PRAGMA cache_size = {SQLITE_FINALISE_CACHE_KIB}")
    try:
        raw.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.OperationalError:
        del saved["temp_store"]

    def restore() -> None:
        for name, value in saved.items():
            raw.execute(f"PRAGMA {name} = {int(value)}")

    after_commit(db.session(), restore, key="quiz:sqlite-cache")


def _for_large_statements() -> None:
    """Settings for statements over every standing of a round, for this transaction only: on PostgreSQL sorts and
    hashes fit in memory instead of spilling to disk; on SQLite see _widen_sqlite_cache."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))
    else:
        _widen_sqlite_cache()


def finalise_round(round_: Round, now: datetime | None = None) -> Round:
    """Compute the final ranking of a closed round and store it: each standing's prediction_error and rank,
    the round's all_correct_count and finalised_at. Flushes; the caller commits.

    1. Expired attempts are finalised first (attempts.finalise_expired), so they count.
    2. With several attempts per member the counted attempt is recomputed from the finalised attempts, since
       standings hold the best by the live keys and the prediction can change which attempt is best (and "last"
       is taken by submission then start, exactly as ranking.counted_results does).
    3. actual = participants whose counted attempt has every answer correct.
    4. One INSERT INTO quiz_final_ranks SELECT user_id, RANK() OVER (ORDER BY the full key) stores every rank
       (after deleting the round's previous ones): equal keys share a rank. prediction_error is
       |prediction - actual|, NULL when the member gave none (that ranks after every real prediction, as
       ranking.NO_PREDICTION does) or when the round asks no prediction.
    """
    now = now or clock.utcnow()
    if now < as_utc(round_.closes_at):
        raise Conflict(_l("The round is still open."), code="round_open")
    db.session.flush()
    # Serialise with other finalisations of this round, then wait for attempts another transaction is finalising
    # right now (a late submit, the finalise-expired command): their standings must be in before ranking.
    # PostgreSQL only; SQLite has one writer at a time anyway.
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update()).all()
    db.session.execute(select(_A.c.id).where(_A.c.round_id == round_.id, _A.c.status == "in_progress")
                       .with_for_update()).all()
    _finalise_expired(round_.id, now)
    db.session.flush()
    _for_large_statements()  # the window sorts of a large round fit in memory

    repeats = db.session.scalar(select(exists().where(
        _A.c.round_id == round_.id, _A.c.number > 1, _A.c.status.in_(FINALISED_STATUSES))))
    if repeats and round_.counting == "last":
        _recount(round_, [_A.c.submitted_at.desc(), _A.c.started_at.desc()])

    actual = db.session.scalar(select(func.count()).select_from(_S).where(
        _S.c.round_id == round_.id, _S.c.total > 0, _S.c.correct == _S.c.total)) or 0

    if repeats and round_.counting == "best" and round_.prediction:
        _recount(round_, _full_order(_A, round_, actual, _A.c.total - _A.c.correct))

    error = (case((_S.c.prediction.is_(None), None), else_=func.abs(_S.c.prediction - actual))
             if round_.prediction else null())
    db.session.execute(delete(_R).where(_R.c.round_id == round_.id))
    db.session.execute(insert(_R).from_select(
        ["round_id", "user_id", "rank", "prediction_error"],
        select(_S.c.round_id, _S.c.user_id,
               func.rank().over(order_by=_full_order(_S, round_, actual, _S.c.missed)), error)
        .where(_S.c.round_id == round_.id)))

    round_.all_correct_count = actual
    round_.finalised_at = max(now, as_utc(round_.closes_at))
    db.session.flush()
    # The bulk statements went around the ORM: reload any standing (and its final rank) this session holds.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Standing | FinalRank) and obj.round_id == round_.id:
            db.session.expire(obj)
    clear_leaderboard_cache(round_.id)
    return round_


def finalise_if_due(round_: Round, now: datetime | None = None) -> bool:
    """Finalise a closed round nobody has finalised yet, and commit: the first reader of its board does it once.

    The round's row is locked first (PostgreSQL), so concurrent readers wait and then find it done.
    """
    now = now or clock.utcnow()
    if not is_due(round_, now):
        return False
    db.session.execute(select(Round).where(Round.id == round_.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    if not is_due(round_, now):
        db.session.commit()
        return False
    finalise_round(round_, now)
    db.session.commit()
    return True


def finalise_closed_rounds(now: datetime | None = None) -> list[int]:
    """Finalise every round that has closed (past its grace) and is not final; commits each. For the CLI
    (`flask --app contest quiz finalise-rounds`) or a timer, so that no reader has to wait for it."""
    now = now or clock.utcnow()
    candidates = db.session.scalars(
        select(Round).where(Round.closes_at <= now).where(
            (Round.finalised_at.is_(None)) | (Round.finalised_at < Round.closes_at))
        .order_by(Round.closes_at)).all()
    done = []
    for round_ in candidates:
        if finalise_if_due(round_, now):
            done.append(round_.id)
    return done


# --- reading the board ------------------------------------------------------------------------------------

_BOARD_COLUMNS = ("user_id", "unit_id", "correct", "total", "missed", "prediction", "submitted_at", "duration_ms",
                  "started_at")
_FINAL_COLUMNS = ("rank", "prediction_error")


def _board_rows(round_: Round, order: list[str], limit: int | None = None, offset: int = 0, where=None,
                final: bool = False) -> list:
    """Standings of the round ordered by the named columns (ascending), a slice of them, with the member's name
    and the unit's name. The slice is cut from standings alone (an index scan), or, for a final board, from the
    final ranks joined to their standings; then only its rows are joined to people and units."""
    if final:
        source = _R.join(_S, and_(_S.c.round_id == _R.c.round_id, _S.c.user_id == _R.c.user_id))
        columns = [_S.c[name] for name in _BOARD_COLUMNS if name != "user_id"]
        columns += [_R.c.user_id, *(_R.c[name] for name in _FINAL_COLUMNS)]
        page = select(*columns).select_from(source).where(_R.c.round_id == round_.id)
        sort = [_R.c[name] if name in ("rank", "user_id") else _S.c[name] for name in order]
    else:
        columns = [*(_S.c[name] for name in _BOARD_COLUMNS), *(null().label(name) for name in _FINAL_COLUMNS)]
        page = select(*columns).where(_S.c.round_id == round_.id)
        sort = [_S.c[name] for name in order]
    page = page.order_by(*sort).offset(offset)
    if where is not None:
        page = page.where(where)
    if limit is not None:
        page = page.limit(limit)
    page = page.subquery("page")
    stmt = (select(page, User.full_name, Unit.name.label("unit_name"))
            .select_from(page.join(User, User.id == page.c.user_id).outerjoin(Unit, Unit.id == page.c.unit_id))
            .order_by(*(page.c[name] for name in order)))
    return db.session.execute(stmt).all()


def _live_order(round_: Round) -> list[str]:
    time_key = "submitted_at" if round_.time_tiebreak == "submitted_at" else "duration_ms"
    return ["missed", time_key, "started_at", "user_id"]


FINAL_ORDER = ["rank", "user_id"]


def _live_key_columns(round_: Round) -> list:
    return [_S.c.missed, _time_key(_S, round_), _S.c.started_at]


def _live_key(row, round_: Round) -> tuple:
    time_key = as_utc(row.submitted_at) if round_.time_tiebreak == "submitted_at" else row.duration_ms
    return (row.missed, time_key, as_utc(row.started_at))


def _count_better(round_: Round, key: tuple) -> int:
    """How many standings have a strictly better live key: a row-value comparison the index answers."""
    return db.session.scalar(select(func.count()).select_from(_S).where(
        _S.c.round_id == round_.id, tuple_(*_live_key_columns(round_)) < tuple(key))) or 0


def _item(row, rank: int, final: bool) -> dict:
    return {
        "rank": rank,
        "user_id": row.user_id,
        "name": row.full_name,
        "unit": row.unit_name,
        "correct": row.correct,
        "total_questions": row.total,
        # Others' predictions are not shown while the round is live: they would help later participants guess.
        "prediction": row.prediction if final else None,
        "prediction_error": row.prediction_error if final else None,
        "submitted_at": as_utc(row.submitted_at).isoformat(),
        "duration_ms": row.duration_ms,
    }


def _participant_count(round_: Round, now: datetime) -> int:
    key, ttl = _cache_key(round_, now, "total")
    cache = get_cache()
    total = cache.get(key)
    if total is None:
        total = _participants(round_)
        cache.set(key, total, ttl)
    return total


def _compute_page(round_: Round, limit: int, offset: int, final: bool) -> list[dict]:
    if final:
        rows = _board_rows(round_, FINAL_ORDER, limit, offset, final=True)
        return [_item(r, r.rank, True) for r in rows]
    rows = _board_rows(round_, _live_order(round_), limit, offset)
    items = []
    previous = None
    rank = 0
    for index, row in enumerate(rows):
        key = _live_key(row, round_)
        if index == 0:
            rank = _count_better(round_, key) + 1
        elif key != previous:
            rank = offset + index + 1
        items.append(_item(row, rank, False))
        previous = key
    return items


def _revive(items: list[dict]) -> list[dict]:
    return [{**item, "submitted_at": datetime.fromisoformat(item["submitted_at"])} for item in items]


def leaderboard(round_: Round, limit: int = 50, offset: int = 0, now: datetime | None = None, *,
                public: bool = False, me: int | None = None) -> dict:
    """A page of the board: {final, published, published_at, all_correct_count, total, items: [{rank, user_id,
    name, unit, correct, total_questions, prediction, prediction_error, submitted_at, duration_ms}], snapshot,
    awards}.

    Live: ordered by the live keys (missed, time, start), ranks computed for the page (equal keys share one).
    Final: ordered by the stored rank. A closed round not finalised yet is finalised first (and committed).
    `public`: read as someone who is not an organiser (public_reader): a published round's board is its frozen
    snapshot (snapshot True, awards: its winners), and names are masked as the contest chose, except the name of
    the member `me` (a user id). Pages are cached per round for a few seconds (clear_leaderboard_cache forgets
    them). No access check here: callers check_board_access first.
    """
    now = now or clock.utcnow()
    if public:
        meta = _snapshot_meta(round_)
        if meta is not None:
            return _snapshot_board(round_, meta, limit, offset, me)
    finalise_if_due(round_, now)
    final = is_final(round_, now)
    key, ttl = _cache_key(round_, now, "page", limit, offset)
    cache = get_cache()
    items = cache.get(key)
    if items is None:
        items = _compute_page(round_, limit, offset, final)
        cache.set(key, items, ttl)
    items = _revive(items)
    if public:
        mask_names(items, round_.contest_id, me)
    return {"final": final, "published": round_.published_at is not None,
            "published_at": round_.published_at, "all_correct_count": round_.all_correct_count if final else None,
            "total": _participant_count(round_, now), "items": items, "snapshot": False, "awards": []}


def my_rank(round_: Round, user, now: datetime | None = None, *, public: bool = False) -> dict:
    """The member's place: {rank, correct, total, total_questions, prediction, prediction_error, submitted_at,
    duration_ms, final, participants}. While live: 1 + the standings with a strictly better live key; when final:
    the stored rank; `public` and published: the frozen rank of the snapshot. 404 when the member has no finished
    attempt in the round (or no place in the snapshot). No access check here."""
    now = now or clock.utcnow()
    if public:
        meta = _snapshot_meta(round_)
        if meta is not None:
            frozen = db.session.execute(select(_P).where(_P.c.round_id == round_.id,
                                                         _P.c.user_id == user.id)).first()
            if frozen is None:
                raise NotFound(_l("You have no place in the published results of this round."))
            return {"rank": frozen.rank, "correct": frozen.correct, "total": frozen.total,
                    "total_questions": frozen.total, "prediction": frozen.prediction,
                    "prediction_error": frozen.prediction_error, "submitted_at": as_utc(frozen.submitted_at),
                    "duration_ms": frozen.duration_ms, "final": True, "participants": meta["participants"]}
    finalise_if_due(round_, now)
    final = is_final(round_, now)
    row = db.session.execute(
        select(_S, _R.c.rank, _R.c.prediction_error)
        .select_from(_S.outerjoin(_R, and_(_R.c.round_id == _S.c.round_id, _R.c.user_id == _S.c.user_id)))
        .where(_S.c.round_id == round_.id, _S.c.user_id == user.id)).first()
    if row is None:
        raise NotFound(_l("You have no finished attempt in this round."))
    rank = row.rank if final and row.rank is not None else _count_better(round_, _live_key(row, round_)) + 1
    participants = _participant_count(round_, now)
    return {"rank": rank, "correct": row.correct, "total": row.total, "total_questions": row.total,
            "prediction": row.prediction, "prediction_error": row.prediction_error if final else None,
            "submitted_at": as_utc(row.submitted_at), "duration_ms": row.duration_ms, "final": final,
            "participants": participants}


# --- the published snapshot -------------------------------------------------------------------------------

def public_reader(round_: Round, user) -> bool:
    """Whether `user` reads the round's results as the public: everyone but the organisers. A public reader reads
    a published round's frozen snapshot (organisers read the live final board) and sees names masked."""
    return not can_manage(user, round_)


def mask_names(items: list[dict], contest_id: int, me: int | None = None) -> list[dict]:
    """Mask each item's "name" in place as the contest chose (results.masking), except the member `me`'s own."""
    mode = masking_for(contest_id)
    if mode != "none":
        for item in items:
            if me is None or item.get("user_id") != me:
                item["name"] = mask_name(item["name"], mode)
    return items


def _snapshot_key(round_: Round, publication_id: int | None, *parts: Any) -> str:
    """Keys of the snapshot's pages: apart from the live and final ones, and dropped with them by
    clear_leaderboard_cache (publishing and unpublishing clear it)."""
    generation = get_cache().get(_generation_key(round_.id)) or 0
    return ":".join(str(p) for p in ("lb", round_.id, generation, f"published-{publication_id}", *parts))


def _snapshot_meta(round_: Round) -> dict | None:
    """The round's current publication as the public pages need it (cached): {id, published_at (ISO),
    participants, all_correct_count, finalised_at, awards}; None when not published, or published before
    publications froze a snapshot (such a round is read live until it is published again)."""
    if round_.published_at is None:
        return None
    cache = get_cache()
    key = _snapshot_key(round_, "current")
    found = cache.get(key)
    if found is None:
        publication = current_publication(round_)
        if publication is None:
            found = {"id": None}
        else:
            snapshot = publication.snapshot or {}
            found = {"id": publication.id, "published_at": as_utc(publication.published_at).isoformat(),
                     "participants": snapshot.get("participants", 0),
                     "all_correct_count": snapshot.get("all_correct_count"),
                     "finalised_at": snapshot.get("finalised_at"), "awards": snapshot.get("awards", [])}
        cache.set(key, found, FINAL_TTL)
    return found if found["id"] is not None else None


def _published_item(row) -> dict:
    return {"rank": row.rank, "user_id": row.user_id, "name": row.name, "unit": row.unit_name,
            "correct": row.correct, "total_questions": row.total, "prediction": row.prediction,
            "prediction_error": row.prediction_error, "submitted_at": as_utc(row.submitted_at).isoformat(),
            "duration_ms": row.duration_ms}


def _snapshot_board(round_: Round, meta: dict, limit: int, offset: int, me: int | None) -> dict:
    key = _snapshot_key(round_, meta["id"], "page", limit, offset)
    cache = get_cache()
    items = cache.get(key)
    if items is None:
        rows = db.session.execute(select(_P).where(_P.c.round_id == round_.id)
                                  .order_by(_P.c.rank, _P.c.user_id).limit(limit).offset(offset)).all()
        items = [_published_item(r) for r in rows]
        cache.set(key, items, FINAL_TTL)
    items = mask_names(_revive(items), round_.contest_id, me)
    awards = mask_names([dict(a) for a in meta["awards"]], round_.contest_id, me)
    return {"final": True, "published": True, "published_at": datetime.fromisoformat(meta["published_at"]),
            "all_correct_count": meta["all_correct_count"], "total": meta["participants"], "items": items,
            "snapshot": True, "awards": awards}


def _snapshot_units(round_: Round, publication_id: int) -> list[dict]:
    key = _snapshot_key(round_, publication_id, "units")
    cache = get_cache()
    rows = cache.get(key)
    if rows is None:
        publication = db.session.get(Publication, publication_id)
        rows = list(((publication.snapshot or {}) if publication is not None else {}).get("units", []))
        cache.set(key, rows, FINAL_TTL)
    return rows


# --- prizes -----------------------------------------------------------------------------------------------

def prize_count(round_: Round) -> int:
    prizes = round_.prizes or {}
    return sum(max(0, int(prizes.get(tier, 0) or 0)) for tier in PRIZE_TIERS)


def prize_proposal(round_: Round, now: datetime | None = None) -> list[dict] | None:
    """The proposed winners of a final round by ranking.prize_tiers: [{tier, rank, user_id, name, unit, correct,
    total_questions, prediction, prediction_error, submitted_at, duration_ms}], or None while not final.

    Only the top of the board is read: the rows ranked no lower than the one at position sum(prizes), which
    includes everyone tied with the last prize place.
    """
    now = now or clock.utcnow()
    finalise_if_due(round_, now)
    if not is_final(round_, now):
        return None
    places = prize_count(round_)
    if places == 0:
        return []
    last_rank = db.session.scalar(select(_R.c.rank).where(_R.c.round_id == round_.id)
                                  .order_by(_R.c.rank).offset(places - 1).limit(1))
    rows = _board_rows(round_, FINAL_ORDER, where=None if last_rank is None else _R.c.rank <= last_rank,
                       final=True)
    ranked = [Ranked(r.rank, Result(user_id=r.user_id, correct=r.correct, total=r.total,
                                    submitted_at=as_utc(r.submitted_at), duration_ms=r.duration_ms,
                                    started_at=as_utc(r.started_at), prediction=r.prediction),
                     NO_PREDICTION if r.prediction_error is None else r.prediction_error) for r in rows]
    tiers = prize_tiers(ranked, round_.prizes or {})
    out = []
    for row in rows:
        tier = tiers.get(row.user_id)
        if tier is None:
            continue
        item = _item(row, row.rank, True)
        item["submitted_at"] = as_utc(row.submitted_at)
        out.append({"tier": tier, **item})
    return out


# --- unit leaderboards ------------------------------------------------------------------------------------

MEMBER_COUNTS_TTL = 300  # registered members per unit change slowly and do not depend on the round


def member_counts_by_unit() -> dict[int, int]:
    """Active accounts with the member role per unit (not rolled up); cached for a few minutes."""
    cache = get_cache()
    found = cache.get("units:member-counts")
    if found is None:
        found = {str(unit_id): n for unit_id, n in db.session.execute(
            select(User.unit_id, func.count()).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "member", User.active.is_(True), User.unit_id.is_not(None))
            .group_by(User.unit_id)).all()}
        cache.set("units:member-counts", found, MEMBER_COUNTS_TTL)
    return {int(unit_id): n for unit_id, n in found.items()}


def _unit_counts(round_: Round) -> dict:
    participants = dict(db.session.execute(
        select(_S.c.unit_id, func.count()).where(_S.c.round_id == round_.id, _S.c.unit_id.is_not(None))
        .group_by(_S.c.unit_id)).all())
    return {"participants": participants, "members": member_counts_by_unit()}


def unit_rows(round_: Round, tree=None, participants: dict | None = None, members: dict | None = None,
              scope_unit_id: int | None = None) -> list[dict]:
    """Every unit of the contest's subtree with participants or members, in tree order: {unit_id, name, path,
    depth, participants, members, participation_rate}, each count rolled up over the unit's whole subtree.

    participants: distinct members with a standing in the round (a member counts in the unit they took it in);
    members: active accounts with the member role; participation_rate = participants / members (0 without
    members; above 1 only when people moved units after taking part).
    """
    tree = tree if tree is not None else unit_tree()
    if participants is None or members is None:
        counts = _unit_counts(round_)
        participants, members = counts["participants"], counts["members"]
    took = subtree_member_counts(tree, participants)
    registered = subtree_member_counts(tree, members)
    scope = descendant_ids(scope_unit_id, tree) if scope_unit_id is not None else None
    base_depth = min((row.depth for row in tree if scope is None or row.id in scope), default=0)
    rows = []
    for row in tree:
        if scope is not None and row.id not in scope:
            continue
        n, m = took.get(row.id, 0), registered.get(row.id, 0)
        if not n and not m:
            continue
        rows.append({"unit_id": row.id, "name": row.name, "path": " › ".join(row.path), "depth": row.depth - base_depth,
                     "parent_id": row.parent_id, "participants": n, "members": m,
                     "participation_rate": round(n / m, 4) if m else 0.0})
    return rows


def sort_unit_rows(rows: list[dict], by: str = "participants") -> list[dict]:
    """By participants (then rate), or by rate (then participants); then by name. "tree": as given."""
    from contest.core.text import sort_key

    if by == "tree":
        return list(rows)
    if by == "rate":
        return sorted(rows, key=lambda r: (-r["participation_rate"], -r["participants"], sort_key(r["name"])))
    return sorted(rows, key=lambda r: (-r["participants"], -r["participation_rate"], sort_key(r["name"])))


def unit_leaderboard(round_: Round, by: str = "participants", now: datetime | None = None, *,
                     public: bool = False) -> list[dict]:
    """The unit leaderboard of a round (see unit_rows), sorted (see sort_unit_rows); cached like the board's
    pages. `public` (public_reader) and published: the rows frozen in the publication's snapshot. No access
    check here: callers check_board_access first."""
    now = now or clock.utcnow()
    if public:
        meta = _snapshot_meta(round_)
        if meta is not None:
            return sort_unit_rows(_snapshot_units(round_, meta["id"]), by)
    key, ttl = _cache_key(round_, now, "units")
    cache = get_cache()
    rows = cache.get(key)
    if rows is None:
        contest = db.session.get(Contest, round_.contest_id)
        rows = unit_rows(round_, scope_unit_id=contest.unit_id if contest is not None else None)
        cache.set(key, rows, ttl)
    return sort_unit_rows(rows, by)


def _top_with_ties(rows: list[dict], key, top: int) -> list[dict]:
    ordered = sorted(rows, key=key)
    if top <= 0 or not ordered:
        return []
    stop = min(top, len(ordered))
    while stop < len(ordered) and key(ordered[stop])[:2] == key(ordered[stop - 1])[:2]:
        stop += 1
    return ordered[:stop]


def award_levels(rows: list[dict]) -> list[int]:
    return sorted({r["depth"] for r in rows})


def default_award_level(rows: list[dict]) -> int | None:
    """The units just below the top of the contest's tree (the wards of a city), or the top when alone."""
    levels = award_levels(rows)
    if not levels:
        return None
    return levels[1] if len(levels) > 1 else levels[0]


def unit_awards(rows: list[dict], top: int = DEFAULT_AWARDS, level: int | None = None,
                min_members: int = 1) -> dict:
    """Proposed unit awards among the units of one level of the tree (default: see default_award_level):
    {level, most_participants: [...], highest_rate: [...]}, the top N of each (more when tied at the border).
    The rate award only considers units with at least `min_members` registered members and one participant."""
    from contest.core.text import sort_key

    if level is None:
        level = default_award_level(rows)
    same_level = [r for r in rows if r["depth"] == level]
    by_participants = _top_with_ties(
        [r for r in same_level if r["participants"] > 0],
        lambda r: (-r["participants"], -r["participation_rate"], sort_key(r["name"])), top)
    by_rate = _top_with_ties(
        [r for r in same_level if r["participants"] > 0 and r["members"] >= max(1, min_members)],
        lambda r: (-r["participation_rate"], -r["participants"], sort_key(r["name"])), top)
    return {"level": level, "most_participants": by_participants, "highest_rate": by_rate}


# --- publishing -------------------------------------------------------------------------------------------

def _check_publishable(round_: Round, now: datetime) -> None:
    state = round_state(round_, now)
    if state == "upcoming":
        raise Conflict(_l("The round has not opened yet; its results cannot be published."), code="round_upcoming")
    if state == "open" or now < settled_at(round_):
        raise Conflict(_l("The round is still open; publish its results after it closes."), code="round_open")


def _freeze_ranks(round_: Round) -> int:
    """Replace the round's published ranks by its final ranks, with each member's name and unit as they are now:
    one INSERT ... SELECT (a million rows stay in the database). Returns how many were frozen."""
    db.session.execute(delete(_P).where(_P.c.round_id == round_.id))
    columns = ["round_id", "user_id", "rank", "name", "unit_id", "unit_name", "correct", "total", "prediction",
               "prediction_error", "submitted_at", "duration_ms", "started_at"]
    source = (_R.join(_S, and_(_S.c.round_id == _R.c.round_id, _S.c.user_id == _R.c.user_id))
              .join(User, User.id == _R.c.user_id)
              .outerjoin(Unit, Unit.id == _S.c.unit_id))
    result = db.session.execute(insert(_P).from_select(columns, select(
        _R.c.round_id, _R.c.user_id, _R.c.rank, User.full_name, _S.c.unit_id, Unit.name, _S.c.correct, _S.c.total,
        _S.c.prediction, _R.c.prediction_error, _S.c.submitted_at, _S.c.duration_ms, _S.c.started_at)
        .select_from(source).where(_R.c.round_id == round_.id)
        # In the primary key's order, so its index grows at one end: a third less time on SQLite (200,000 ranks:
        # 1.1 s -> 0.6 s), a little less on PostgreSQL.
        .order_by(_R.c.user_id)))
    if result.rowcount is not None and result.rowcount >= 0:
        return result.rowcount
    return db.session.scalar(select(func.count()).select_from(_P).where(_P.c.round_id == round_.id)) or 0


def round_awards(round_: Round) -> list[dict]:
    """The round's confirmed awards (Award rows of this round) as the snapshot keeps them: [{tier, position,
    user_id, name, unit, label}] in tier order (special, first, ... consolation), then position. A member's unit is
    the one they took the round in (else their account's); a unit's award has the unit's name and no unit."""
    holder_unit = aliased(Unit)
    member_unit = aliased(Unit)
    tier_order = case({tier: index for index, tier in enumerate(AWARD_TIERS)}, value=Award.tier, else_=len(AWARD_TIERS))
    rows = db.session.execute(
        select(Award.tier, Award.position, Award.user_id, Award.label, User.full_name,
               holder_unit.name.label("holder_unit"), member_unit.name.label("member_unit"))
        .select_from(Award)
        .outerjoin(User, User.id == Award.user_id)
        .outerjoin(_S, and_(_S.c.round_id == Award.round_id, _S.c.user_id == Award.user_id))
        .outerjoin(holder_unit, holder_unit.id == Award.unit_id)
        .outerjoin(member_unit, member_unit.id == func.coalesce(_S.c.unit_id, User.unit_id))
        .where(Award.round_id == round_.id)
        .order_by(tier_order, Award.position, Award.id)).all()
    out = []
    for row in rows:
        if row.user_id is not None:
            name, unit = row.full_name or "", row.member_unit or row.holder_unit or ""
        else:
            name, unit = row.holder_unit or "", ""
        out.append({"tier": row.tier, "position": row.position, "user_id": row.user_id, "name": name,
                    "unit": unit, "label": row.label or ""})
    return out


def current_publication(round_: Round) -> Publication | None:
    """The round's current publication (ended_at NULL), or None."""
    return db.session.scalars(
        select(Publication).where(Publication.contest_id == round_.contest_id, Publication.round_id == round_.id,
                                  Publication.ended_at.is_(None))
        .order_by(Publication.published_at.desc(), Publication.id.desc()).limit(1)).first()


def _end_publications(round_: Round, actor, now: datetime, reason: str) -> list[Publication]:
    ended = db.session.scalars(select(Publication).where(
        Publication.contest_id == round_.contest_id, Publication.round_id == round_.id,
        Publication.ended_at.is_(None))).all()
    for publication in ended:
        publication.ended_at = now
        publication.ended_by_id = getattr(actor, "id", None)
        publication.end_reason = reason
    return list(ended)


def publish_round(round_: Round, actor=None, now: datetime | None = None) -> Round:
    """Publish the round's final results: refused (409 `round_open`, `round_upcoming`) before it has closed;
    finalises it first when needed; then freezes them: the final ranks (with names and units as they are now) into
    quiz_published_ranks, and the participants, all-correct count, unit leaderboard and confirmed awards into a new
    Publication, which is what everyone but the organisers reads until the next publication. Publishing again
    re-publishes (the previous publication ends as "republished"; audited again). Flushes."""
    now = now or clock.utcnow()
    _check_publishable(round_, now)
    if not is_final(round_, now):
        finalise_round(round_, now)
    republished = round_.published_at is not None
    _for_large_statements()
    participants = _freeze_ranks(round_)
    contest = db.session.get(Contest, round_.contest_id)
    snapshot = {
        "participants": participants,
        "all_correct_count": round_.all_correct_count,
        "finalised_at": as_utc(round_.finalised_at).isoformat(),
        "units": unit_rows(round_, scope_unit_id=contest.unit_id if contest is not None else None),
        "awards": round_awards(round_),
    }
    _end_publications(round_, actor, now, "republished")
    publication = Publication(contest_id=round_.contest_id, round_id=round_.id, published_at=now,
                              published_by_id=getattr(actor, "id", None), snapshot=snapshot)
    db.session.add(publication)
    round_.published_at = now
    db.session.flush()
    audit.record("round_published", actor=actor, target_type="round", target_id=round_.id,
                 contest_id=round_.contest_id, republished=republished, participants=participants,
                 all_correct_count=round_.all_correct_count, publication_id=publication.id)
    clear_leaderboard_cache(round_.id)
    return round_


def unpublish_round(round_: Round, actor=None, now: datetime | None = None) -> Round:
    """Hide the round's results again: its published ranks are deleted and its publication ends ("unpublished");
    audited when they were published. Flushes."""
    now = now or clock.utcnow()
    db.session.execute(delete(_P).where(_P.c.round_id == round_.id))
    ended = _end_publications(round_, actor, now, "unpublished")
    if round_.published_at is not None:
        previous = as_utc(round_.published_at).isoformat()
        round_.published_at = None
        db.session.flush()
        audit.record("round_unpublished", actor=actor, target_type="round", target_id=round_.id,
                     contest_id=round_.contest_id, published_at=previous,
                     publication_id=ended[-1].id if ended else None)
    db.session.flush()
    clear_leaderboard_cache(round_.id)
    return round_


def publication_status(round_: Round) -> dict | None:
    """For the organisers: the current publication and whether the results changed since - the round was
    finalised again after it, or its confirmed awards differ from the snapshot's. None when not published.
    {published_at, publication_id (None for a round published before snapshots existed), finalised_again,
    awards_changed, changed}."""
    if round_.published_at is None:
        return None
    publication = current_publication(round_)
    if publication is None:  # published before publications froze anything: the public reads the live board
        return {"published_at": as_utc(round_.published_at), "publication_id": None, "finalised_again": False,
                "awards_changed": False, "changed": True}
    published_at = as_utc(publication.published_at)
    finalised_again = round_.finalised_at is None or as_utc(round_.finalised_at) > published_at
    key = lambda a: (a["tier"], a["position"], a["user_id"], a["name"], a["label"])  # noqa: E731
    awards_changed = ([key(a) for a in round_awards(round_)]
                      != [key(a) for a in (publication.snapshot or {}).get("awards", [])])
    return {"published_at": published_at, "publication_id": publication.id, "finalised_again": finalised_again,
            "awards_changed": awards_changed, "changed": finalised_again or awards_changed}


def _participants(round_: Round) -> int:
    return db.session.scalar(select(func.count()).select_from(_S).where(_S.c.round_id == round_.id)) or 0


__all__ = ["check_board_access", "check_my_rank_access", "clear_leaderboard_cache", "current_publication",
           "finalise_closed_rounds", "finalise_if_due", "finalise_round", "get_round", "is_due", "is_final",
           "leaderboard", "mask_names", "my_rank", "prize_proposal", "publication_status", "publish_round",
           "public_reader", "round_awards", "round_state", "sort_unit_rows", "unit_awards", "unit_leaderboard",
           "unit_rows", "unpublish_round"]
