"""Attempt rules: start one (draw and freeze its questions), save answers, submit, finalise the expired ones, and
what a reader of an attempt may see.

The server's clock is the only one that counts (contest.core.clock.utcnow). An attempt's deadline is
min(start + time limit, round close); saves and submits are accepted until deadline + the round's grace. Past that,
an attempt is finalised as "expired" with the answers saved so far, submitted_at = deadline, and counts like a
submitted one: lazily (when its member starts again or anyone reads it, when a leaderboard is ranked) and by the
`flask --app contest quiz finalise-expired` command from cron. A submit that arrives too late is not an error: it
finalises the attempt the same way and answers with that result (status "expired"); a prediction sent with it is
not kept, since it came after the deadline.

Every function flushes and leaves the commit to the caller, with one exception the callers must honour: a save
refused with DeadlinePassed has finalised the attempt, and the caller commits that before answering.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Insert, Select, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from contest.contests.services import is_organiser, may_take_part
from contest.core import clock
from contest.core.errors import Conflict, Forbidden, Invalid, NotFound
from contest.extensions import db
from contest.quiz import scoring, standings
from contest.quiz.models import Attempt, AttemptAnswer, Question, QuestionVersion, Round
from contest.quiz.rounds import drawable_questions, is_row_id, round_state, topic_key, topic_quotas

FINALISE_BATCH = 500
MAX_PREDICTION = 10**9
_IN_CHUNK = 900  # ids per IN (...) list, under SQLite's oldest limit on bound variables
_KIND_CACHE_SIZE = 50_000
_FROZEN_CACHE_SIZE = 4096  # attempts per process whose frozen question list is kept for the fast save
_SAVE_STATEMENTS: dict[str, tuple[Select, Insert | None]] = {}
_ONE_STATEMENT_SAVES: dict[str, Insert] = {}
_RAW_STATEMENTS: dict[str, _RawStatement] = {}


class DeadlinePassed(Conflict):
    """Raised by save_answer after it has finalised the attempt: the caller commits, then answers 409."""

    code = "deadline_passed"


class AttemptSubmitted(Conflict):
    code = "attempt_submitted"


def _now(now: datetime | None) -> datetime:
    return now if now is not None else clock.utcnow()


def _ms(delta: timedelta) -> int:
    return max(0, delta // timedelta(milliseconds=1))


def grace_end(attempt: Attempt, round_or_grace: Round | int) -> datetime:
    grace = round_or_grace if isinstance(round_or_grace, int) else round_or_grace.grace_seconds
    return clock.as_utc(attempt.deadline_at) + timedelta(seconds=grace)


def _chunks(ids: Sequence[int], size: int = _IN_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


# --- starting ---------------------------------------------------------------------------------------------

def check_may_start(round_: Round, user) -> None:
    """Who may take a round: a member (any unit, or the contest's unit and below). NotFound in a draft contest."""
    contest = round_.contest
    if contest.status == "draft" and not is_organiser(user):
        raise NotFound(_l("No such round."))
    if not user.has_role("member"):
        raise Forbidden(_l("Only members can take quiz rounds."), code="members_only")
    if not may_take_part(contest, user):
        raise Forbidden(_l("This contest is for the members of “%(unit)s” and its units.",
                           unit=contest.unit.name if contest.unit else ""), code="not_in_unit")


def _in_progress(round_id: int, user_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.round_id == round_id, Attempt.user_id == user_id,
                                                   Attempt.status == "in_progress")
                             .execution_options(populate_existing=True))


def draw_questions(round_: Round, rng: random.Random | None = None) -> list[dict[str, Any]]:
    """A fresh question list for an attempt of this round, from the drawable questions of the bank."""
    rng = rng or random.Random(secrets.randbits(64))
    quotas = topic_quotas(round_)
    stmt = select(Question.topic_key, Question.current_version_id).where(*drawable_questions())
    names: dict[str, str] = {}
    if quotas:
        names = {topic_key(topic): topic for topic in quotas}
        stmt = stmt.where(Question.topic_key.in_(list(names)))
    candidates: dict[str, list[int]] = defaultdict(list)
    for key, vid in db.session.execute(stmt):
        candidates[names.get(key, key)].append(vid)
    try:
        versions = scoring.draw_versions(rng, candidates, quotas, round_.question_count,
                                         shuffle_questions=round_.shuffle_questions)
    except scoring.NotEnoughQuestions:
        current_app.logger.warning("Round %s cannot draw its questions: the bank no longer holds enough",
                                   round_.id)
        raise Conflict(_l("This round cannot draw its questions at the moment. Please tell the organisers."),
                       code="not_enough_questions") from None
    keys = {vid: scoring.option_keys(options) for vid, options in db.session.execute(
        select(QuestionVersion.id, QuestionVersion.options).where(QuestionVersion.id.in_(versions)))}
    return scoring.arrange_options(rng, versions, keys, shuffle_options=round_.shuffle_options)


def start_attempt(round_: Round, user, now: datetime | None = None,
                  rng: random.Random | None = None) -> tuple[Attempt, bool]:
    """The member's attempt in progress, or a new one: (attempt, created).

    Conflict `round_not_open` outside the round's times, `attempts_exhausted` when the allowed attempts are used.
    Two simultaneous starts make one attempt: the partial unique index (one in progress per member and round) and
    the unique (round, member, number) refuse the second insert, which then returns the first one's attempt.
    """
    now = _now(now)
    check_may_start(round_, user)
    finalise_expired(round_id=round_.id, user_id=user.id, now=now)
    current = _in_progress(round_.id, user.id)
    if current is not None:
        return current, False
    if round_state(round_, now) != "open":
        raise Conflict(_l("This round is not open."), code="round_not_open")
    used = db.session.scalar(select(func.count()).select_from(Attempt)
                             .where(Attempt.round_id == round_.id, Attempt.user_id == user.id))
    if round_.max_attempts is not None and used >= round_.max_attempts:
        # A start of the same member that committed a moment ago counts in `used`; it is the attempt to resume.
        current = _in_progress(round_.id, user.id)
        if current is not None:
            return current, False
        raise Conflict(_l("You have used all the attempts this round allows."), code="attempts_exhausted")
    questions = draw_questions(round_, rng)
    deadline = min(now + timedelta(seconds=round_.time_limit_seconds), clock.as_utc(round_.closes_at))
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=used + 1, unit_id=user.unit_id,
                      status="in_progress", started_at=now, deadline_at=deadline, total=len(questions),
                      questions=questions)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        current = _in_progress(round_.id, user.id)
        if current is None:
            # The other start has already ended its attempt (or used the last one): ask again.
            raise Conflict(_l("Another start of this round happened at the same moment. Please try again."),
                           code="start_conflict") from None
        return current, False
    return attempt, True


# --- answers ----------------------------------------------------------------------------------------------

def _version_kind(version_id: int) -> str:
    """single or multiple. A version an attempt has drawn never changes (editing a drawn question makes a new
    version), so the answer is kept for the life of the process: the hottest endpoint then reads only the attempt."""
    cache: dict[int, str] = current_app.extensions.setdefault("quiz_version_kinds", {})
    kind = cache.get(version_id)
    if kind is None:
        if len(cache) >= _KIND_CACHE_SIZE:
            cache.clear()
        kind = db.session.scalar(select(QuestionVersion.kind).where(QuestionVersion.id == version_id)) or "single"
        cache[version_id] = kind
    return kind


def _save_statements(dialect: str) -> tuple[Select, Insert | None]:
    """The two statements of a save, built once per dialect (building them costs more than running them).

    read: the attempt's status, deadline and frozen questions with its round's grace, when it is the caller's,
    share-locking the attempt row on PostgreSQL. upsert: insert the answer or replace the one saved before for that
    position (None on a database without INSERT ... ON CONFLICT).
    """
    statements = _SAVE_STATEMENTS.get(dialect)
    if statements is not None:
        return statements
    attempts_t, rounds_t, answers_t = Attempt.__table__, Round.__table__, AttemptAnswer.__table__
    read = (select(attempts_t.c.status, attempts_t.c.deadline_at, attempts_t.c.questions, rounds_t.c.grace_seconds)
            .select_from(attempts_t.join(rounds_t, rounds_t.c.id == attempts_t.c.round_id))
            .where(attempts_t.c.id == bindparam("attempt_id"), attempts_t.c.user_id == bindparam("user_id"))
            .with_for_update(read=True, of=attempts_t))
    upsert = None
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = insert(answers_t).values(attempt_id=bindparam("attempt_id"), position=bindparam("position"),
                                          choices=bindparam("choices"), saved_at=bindparam("saved_at"))
        upsert = upsert.on_conflict_do_update(index_elements=[answers_t.c.attempt_id, answers_t.c.position],
                                              set_={"choices": upsert.excluded.choices,
                                                    "saved_at": upsert.excluded.saved_at})
        if dialect == "postgresql":
            # An autosave need not wait for the WAL to reach the disk: with synchronous_commit off for this
            # transaction only, a crash of the database server could lose the last fraction of a second of saves
            # (never corrupt anything), and the answer sheet keeps its unsaved answers and sends them again. Set
            # in the RETURNING clause, so it costs no round trip and applies only when an answer was written.
            upsert = upsert.returning(func.set_config("synchronous_commit", "off", True))
    statements = _SAVE_STATEMENTS[dialect] = (read, upsert)
    return statements


def clean_keys(keys: Any, shown: str, kind: str) -> str:
    """The chosen keys as stored; Invalid `unknown_key` for a key the question does not have."""
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        msg = _l("Give the chosen option keys as a list, such as [\"a\"].")
        raise Invalid(msg, fields={"choices": [msg]})
    unknown = [k for k in keys if len(k) != 1 or k not in shown]
    if unknown:
        msg = _l("This question has no option %(keys)s.", keys=", ".join(repr(k)[:10] for k in unknown[:6]))
        raise Invalid(msg, code="unknown_key", fields={"choices": [msg]})
    choices = scoring.normalise_choices(keys)
    if kind == "single" and len(choices) > 1:
        msg = _l("This question takes one answer only.")
        raise Invalid(msg, code="single_answer", fields={"choices": [msg]})
    return choices


class _FrozenCache:
    """attempt id -> (owner id, deadline, ((shown option keys, version id), ...)): what a save must know of an
    attempt in progress before it writes, kept per process for the most recently saved attempts (LRU).

    The question list is frozen when the attempt starts and never changes, so it cannot go stale. The owner and the
    deadline are hints only: the one-statement save repeats both as conditions (the deadline as an equality, so a
    deadline moved with the round's closing time makes it miss and take the slow path, which refreshes the entry),
    and the database decides. Nothing here can accept a save that the database would refuse.
    """

    def __init__(self, size: int = _FROZEN_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[int, datetime, tuple[tuple[str, int], ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, attempt_id: int):
        with self._lock:
            item = self._items.get(attempt_id)
            if item is not None:
                self._items.move_to_end(attempt_id)
            return item

    def put(self, attempt_id: int, user_id: int, deadline_at: datetime, questions: list[dict[str, Any]]) -> None:
        item = (user_id, deadline_at, tuple((q["o"], q["v"]) for q in questions))
        with self._lock:
            self._items[attempt_id] = item
            self._items.move_to_end(attempt_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def discard(self, attempt_id: int) -> None:
        with self._lock:
            self._items.pop(attempt_id, None)


def _frozen_cache() -> _FrozenCache:
    # Per application, like the kinds: attempt ids only name the same attempt within one database.
    cache = current_app.extensions.get("quiz_frozen_attempts")
    if cache is None:
        cache = current_app.extensions.setdefault("quiz_frozen_attempts", _FrozenCache())
    return cache


def _one_statement_save(dialect: str) -> Insert | None:
    """The whole save as one statement, built once per dialect (None on a database without INSERT ... ON CONFLICT):

        INSERT INTO quiz_answers (attempt_id, position, choices, saved_at)
        SELECT a.id, :position, :choices, :saved_at FROM quiz_attempts a JOIN quiz_rounds r ON r.id = a.round_id
        WHERE a.id = :attempt_id AND a.user_id = :user_id AND a.status = 'in_progress'
          AND a.deadline_at = :deadline AND r.grace_seconds >= :late_seconds
        [FOR SHARE OF a]
        ON CONFLICT (attempt_id, position) DO UPDATE SET choices = excluded.choices, saved_at = excluded.saved_at
        RETURNING ...

    It writes a row only when the attempt is the caller's, still in progress and not past deadline + grace
    (late_seconds = now - the deadline the caller expects), and returns a row exactly when it wrote one. On
    PostgreSQL the attempt row is share-locked by the statement itself, as the two-statement save does: a submit
    holding it FOR UPDATE makes the save wait, then see the attempt submitted and write nothing; a save holding it
    makes the submit wait and count the answer. On SQLite the statement is a write from its start, so it reads the
    attempt under the database's write lock and no submit can come between the check and the write.
    """
    if dialect not in ("postgresql", "sqlite"):
        return None
    statement = _ONE_STATEMENT_SAVES.get(dialect)
    if statement is not None:
        return statement
    attempts_t, rounds_t, answers_t = Attempt.__table__, Round.__table__, AttemptAnswer.__table__
    source = (select(attempts_t.c.id, bindparam("position", type_=answers_t.c.position.type),
                     bindparam("choices", type_=answers_t.c.choices.type),
                     bindparam("saved_at", type_=answers_t.c.saved_at.type))
              .select_from(attempts_t.join(rounds_t, rounds_t.c.id == attempts_t.c.round_id))
              .where(attempts_t.c.id == bindparam("attempt_id"), attempts_t.c.user_id == bindparam("user_id"),
                     attempts_t.c.status == "in_progress",
                     attempts_t.c.deadline_at == bindparam("deadline", type_=attempts_t.c.deadline_at.type),
                     rounds_t.c.grace_seconds >= bindparam("late_seconds", type_=Float())))
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if dialect == "postgresql":
        source = source.with_for_update(read=True, of=attempts_t)
    statement = insert(answers_t).from_select(["attempt_id", "position", "choices", "saved_at"], source)
    statement = statement.on_conflict_do_update(index_elements=[answers_t.c.attempt_id, answers_t.c.position],
                                                set_={"choices": statement.excluded.choices,
                                                      "saved_at": statement.excluded.saved_at})
    if dialect == "postgresql":
        # As in the two-statement save: no wait for the WAL to reach the disk, for this transaction only.
        statement = statement.returning(func.set_config("synchronous_commit", "off", True))
    else:
        statement = statement.returning(answers_t.c.attempt_id)
    _ONE_STATEMENT_SAVES[dialect] = statement
    return statement


def _save_in_one_statement(attempt_id: int, position: Any, keys: Any, user_id: int, now: datetime,
                           commit: bool) -> bool:
    """The fast save: validate the choices against the cached frozen question, then one statement that checks
    the rest and writes. False when it could not tell (not cached, not the cached owner, a bad position or bad
    keys) or wrote nothing (not the caller's, finalised, past the grace, or a moved deadline): the slow path then
    finds out why and answers as it always did."""
    frozen = _frozen_cache().get(attempt_id)
    if frozen is None:
        return False
    owner_id, deadline_at, questions = frozen
    if owner_id != user_id or not isinstance(position, int) or not 1 <= position <= len(questions):
        return False
    session = db.session()  # the Session itself (the scoped proxy has no in_transaction)
    dialect = session.get_bind().dialect.name
    statement = _one_statement_save(dialect)
    if statement is None:
        return False
    shown, version_id = questions[position - 1]
    try:
        choices = clean_keys(keys, shown, _version_kind(version_id))
    except Invalid:
        return False  # the slow path raises it again, or the error that comes before it (404, 409)
    params = {"attempt_id": attempt_id, "user_id": user_id, "position": position, "choices": choices,
              "saved_at": now, "deadline": deadline_at, "late_seconds": (now - deadline_at).total_seconds()}
    if commit and not session.in_transaction():
        # Nothing else in this unit of work: the statement runs as its own transaction, so neither BEGIN nor
        # COMMIT costs a round trip. (A connection of the same pool; its isolation level is reset on return.)
        engine = db.engine
        if engine.dialect.driver in _RAW_DRIVERS and not engine.dispatch.before_cursor_execute:
            return _autocommit_raw(engine, statement, params)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.execute(statement, params).first() is not None
    return session.execute(statement, params).first() is not None


class _RawStatement:
    """A statement compiled once for a dialect, run on the driver's own connection: its SQL, the order of its
    parameters (for `?` placeholders), the values it carries itself and the type processing of each parameter,
    all from SQLAlchemy's compilation (Compiled.binds, TypeEngine.bind_processor)."""

    def __init__(self, statement: Insert, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positiontup  # None for named placeholders
        self.literals = {name: value for name, value in compiled.params.items() if value is not None}
        self.processors = {compiled.bind_names[bind]: processor for bind in compiled.binds.values()
                           if (processor := bind.type.bind_processor(dialect)) is not None}

    def parameters(self, params: dict[str, Any]):
        values = {**self.literals, **params}
        for name, processor in self.processors.items():
            values[name] = processor(values[name])
        return values if self.positional is None else tuple(values[name] for name in self.positional)


_RAW_DRIVERS = ("psycopg", "pysqlite")


def _autocommit_raw(engine, statement: Insert, params: dict[str, Any]) -> bool:
    """The one statement on a pooled driver connection switched to autocommit, without SQLAlchemy's execution
    layer (a Connection, the isolation-level switch, the statement cache, result objects), which costs this
    request about a fifth of its CPU (PostgreSQL: 0.58 -> 0.46 ms, measured). Used only while nothing listens to
    the engine's statements (tests counting them, instrumentation), so that whatever watches sees every one."""
    raw = _RAW_STATEMENTS.get(engine.dialect.name)
    if raw is None:
        raw = _RAW_STATEMENTS[engine.dialect.name] = _RawStatement(statement, engine.dialect)
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        if engine.dialect.driver == "psycopg":
            connection.autocommit = True
            row = connection.execute(raw.sql, raw.parameters(params), prepare=True).fetchone()
            connection.autocommit = False
        else:  # sqlite3: no isolation level means no implicit BEGIN
            level, connection.isolation_level = connection.isolation_level, None
            row = connection.execute(raw.sql, raw.parameters(params)).fetchone()
            connection.isolation_level = level
        return row is not None
    except Exception:
        pooled.invalidate()  # whatever went wrong, the pool gets a fresh connection instead of this one
        raise
    finally:
        pooled.close()


def save_answer(attempt_id: int | Attempt, position: int, keys: Any, user, now: datetime | None = None, *,
                commit: bool = False) -> datetime:
    """Save the chosen keys for one position of the member's attempt; returns saved_at.

    The hot path of a round. Once this process has seen the attempt, a save is ONE statement (see
    _one_statement_save): the choices are checked against the cached frozen question, and the database checks
    the owner, the status, the deadline and the grace while it writes. Otherwise, or when that statement writes
    nothing, the slow path: one query reads (and, on PostgreSQL, share-locks) the attempt with its round's grace,
    one statement upserts the answer. Either way the share lock makes a racing submit wait for the save (or the
    save see the submit), so no answer is acknowledged and then left out of the score.
    Only the owner: anyone else gets NotFound. Conflict `attempt_submitted` once finalised; DeadlinePassed (after
    finalising the attempt, which the caller must commit) past deadline + grace.

    commit=True (the API, whose request is nothing but this save): the save is committed before this returns, and
    so is a finalisation before DeadlinePassed; with nothing else pending in the session the one statement then
    runs as a transaction of its own (no BEGIN, no COMMIT round trips).
    """
    now = _now(now)
    attempt_id = getattr(attempt_id, "id", attempt_id)  # an id (the API's path) or the Attempt itself
    user_id = getattr(user, "id", user)  # the User, or its id (the API knows the caller's id from the token)
    if not is_row_id(attempt_id):
        raise NotFound(_l("No such attempt."))
    if _save_in_one_statement(attempt_id, position, keys, user_id, now, commit):
        if commit and db.session().in_transaction():  # not when the statement was a transaction of its own
            db.session.commit()
        return now
    session = db.session
    read, upsert = _save_statements(session.get_bind().dialect.name)
    # Columns, not an Attempt: building ORM objects would cost this hot path more than its queries.
    row = session.execute(read, {"attempt_id": attempt_id, "user_id": user_id}).first()
    if row is None:
        raise NotFound(_l("No such attempt."))
    status, deadline_at, questions, grace = row
    if status != "in_progress":
        _frozen_cache().discard(attempt_id)
        raise AttemptSubmitted(_l("This attempt has already been submitted."))
    deadline_at = clock.as_utc(deadline_at)
    if now > deadline_at + timedelta(seconds=grace):
        # Let go of the share lock first: late saves arriving together would otherwise each wait to upgrade it
        # and deadlock, or all step aside and leave the attempt open. Nothing has been written yet.
        session.rollback()
        _frozen_cache().discard(attempt_id)
        _finalise_now(attempt_id, now)
        if commit:
            session.commit()
        raise DeadlinePassed(_l("The time for this attempt is over; your answers saved before the deadline "
                                "count."))
    _frozen_cache().put(attempt_id, user_id, deadline_at, questions)
    if not isinstance(position, int) or not 1 <= position <= len(questions):
        raise NotFound(_l("This attempt has no question %(n)s.", n=position))
    question = questions[position - 1]
    choices = clean_keys(keys, question["o"], _version_kind(question["v"]))
    if upsert is None:
        session.merge(AttemptAnswer(attempt_id=attempt_id, position=position, choices=choices, saved_at=now))
        session.flush()
    else:
        session.execute(upsert, {"attempt_id": attempt_id, "position": position, "choices": choices,
                                 "saved_at": now})
    if commit:
        session.commit()
    return now


def _finalise_now(attempt_id: int, now: datetime) -> None:
    """Finalise one attempt past its grace, waiting for any transaction that holds it (a submit or a save under
    way); if that one finalised it, there is nothing left to do. Callers hold no lock on the row."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.status == "in_progress")
                                .with_for_update().execution_options(populate_existing=True))
    if attempt is not None:
        finalise_attempts([attempt], now)


# --- finalising -------------------------------------------------------------------------------------------

def _answers(attempt_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for chunk in _chunks(list(attempt_ids)):
        for aid, position, choices in db.session.execute(
                select(AttemptAnswer.attempt_id, AttemptAnswer.position, AttemptAnswer.choices)
                .where(AttemptAnswer.attempt_id.in_(chunk))):
            out[aid][position] = choices
    return out


def _correct_keys(version_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(set(version_ids))):
        for vid, options in db.session.execute(
                select(QuestionVersion.id, QuestionVersion.options).where(QuestionVersion.id.in_(chunk))):
            out[vid] = scoring.correct_keys(options)
    return out


def finalise_attempts(attempts: Sequence[Attempt], now: datetime, *, submitted: dict[int, int | None] | None = None,
                      ) -> None:
    """Score and close in-progress attempts (locked by the caller), then record each in the standings.

    Attempts in `submitted` ({attempt id: prediction}) were submitted in time: status "submitted", at now (at most
    the deadline, since the grace is for the network, not extra time). The others expired: status "expired", at
    their deadline. Two queries load the answers and the correct keys for the whole batch.
    """
    if not attempts:
        return
    submitted = submitted or {}
    answers = _answers([a.id for a in attempts])
    correct = _correct_keys(q["v"] for a in attempts for q in a.questions)
    for attempt in attempts:
        deadline = clock.as_utc(attempt.deadline_at)
        if attempt.id in submitted:
            attempt.status = "submitted"
            attempt.submitted_at = min(now, deadline)
            attempt.prediction = submitted[attempt.id]
        else:
            attempt.status = "expired"
            attempt.submitted_at = deadline
        attempt.correct = scoring.score(attempt.questions, answers.get(attempt.id, {}), correct)
        attempt.duration_ms = _ms(clock.as_utc(attempt.submitted_at) - clock.as_utc(attempt.started_at))
    db.session.flush()
    for attempt in attempts:
        standings.record_result(attempt, attempt.round)  # many-to-one: loaded once per round, then from memory


def finalise_expired(round_id: int | None = None, now: datetime | None = None, *, user_id: int | None = None,
                     limit: int | None = None) -> int:
    """Finalise every in-progress attempt whose deadline + grace has passed (of one round, of one member, or all);
    returns how many. Works in batches of FINALISE_BATCH rows, skipping rows another transaction holds (a submit
    under way) on PostgreSQL. `limit` stops after about that many, for a caller that commits between calls."""
    now = _now(now)
    done = 0
    after = 0
    while limit is None or done < limit:
        stmt = (select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at < now,
                                      Attempt.id > after)
                .order_by(Attempt.id).limit(FINALISE_BATCH)
                .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if round_id is not None:
            stmt = stmt.where(Attempt.round_id == round_id)
        if user_id is not None:
            stmt = stmt.where(Attempt.user_id == user_id)
        batch = list(db.session.scalars(stmt))
        if not batch:
            break
        after = batch[-1].id
        graces = dict(db.session.execute(select(Round.id, Round.grace_seconds)
                                         .where(Round.id.in_({a.round_id for a in batch}))).all())
        due = [a for a in batch if now > grace_end(a, graces[a.round_id])]
        finalise_attempts(due, now)
        done += len(due)
        if len(batch) < FINALISE_BATCH:
            break
    return done


def _finalise_if_expired(attempt: Attempt, now: datetime) -> None:
    if attempt.status == "in_progress" and now > grace_end(attempt, attempt.round):
        _finalise_now(attempt.id, now)


# --- submitting -------------------------------------------------------------------------------------------

def clean_prediction(value: Any) -> int:
    if value is None:
        msg = _l("This round asks for your prediction: how many participants will answer every question "
                 "correctly?")
        raise Invalid(msg, code="prediction_required", fields={"prediction": [msg]})
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PREDICTION:
        msg = _l("The prediction must be a whole number, 0 or more.")
        raise Invalid(msg, code="invalid_prediction", fields={"prediction": [msg]})
    return value


def result(attempt: Attempt) -> dict[str, Any]:
    """What a finalised attempt came to (the answer of a submit, the same however often it is repeated)."""
    return {"id": attempt.id, "status": attempt.status, "correct": attempt.correct, "total": attempt.total,
            "submitted_at": attempt.submitted_at, "duration_ms": attempt.duration_ms,
            "prediction": attempt.prediction}


def submit(attempt_id: int | Attempt, user, prediction: Any = None, now: datetime | None = None) -> dict[str, Any]:
    """Submit the member's attempt and score it; idempotent (a repeat returns the first result, unchanged).

    The attempt row is locked (FOR UPDATE on PostgreSQL; SQLite serialises writers), so a double submit scores
    once. When the round asks for a prediction, a whole number >= 0 is required (Invalid `prediction_required`);
    otherwise it is ignored. Past deadline + grace the attempt is finalised as expired and that result returned.
    """
    now = _now(now)
    attempt_id = getattr(attempt_id, "id", attempt_id)
    if not is_row_id(attempt_id):
        raise NotFound(_l("No such attempt."))
    attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id)
                                .with_for_update().execution_options(populate_existing=True))
    if attempt is None:
        raise NotFound(_l("No such attempt."))
    if attempt.status != "in_progress":
        return result(attempt)
    round_ = attempt.round
    if now > grace_end(attempt, round_):
        finalise_attempts([attempt], now)
        return result(attempt)
    kept = clean_prediction(prediction) if round_.prediction else None
    finalise_attempts([attempt], now, submitted={attempt.id: kept})
    return result(attempt)


# --- reading ----------------------------------------------------------------------------------------------

def get_attempt_for(attempt_id: int, viewer, now: datetime | None = None) -> Attempt:
    """The attempt for its owner or an organiser (NotFound for anyone else), finalised first if it has expired."""
    attempt = db.session.get(Attempt, attempt_id) if is_row_id(attempt_id) else None
    if attempt is None or viewer is None or not (attempt.user_id == viewer.id or is_organiser(viewer)):
        raise NotFound(_l("No such attempt."))
    _finalise_if_expired(attempt, _now(now))
    return attempt


def review_allowed(attempt: Attempt, viewer, now: datetime | None = None) -> bool:
    """Whether this reader may see the correct keys and explanations of the attempt's questions.

    Organisers always (they hold the bank). The owner by the round's policy, and never while the attempt is in
    progress: after_close once the round has closed, after_submit once the attempt is finalised, never not at all.
    """
    if is_organiser(viewer):
        return True
    if attempt.user_id != getattr(viewer, "id", None) or attempt.status == "in_progress":
        return False
    policy = attempt.round.review_policy
    if policy == "after_submit":
        return True
    if policy == "after_close":
        return round_state(attempt.round, _now(now)) == "closed"
    return False


def get_attempt_view(attempt: Attempt, viewer, now: datetime | None = None) -> dict[str, Any]:
    """The attempt as its reader may see it (the API's and the pages' shape; times as datetimes).

    {id, round_id, number, status, started_at, deadline_at, now, questions: [{position, text, kind,
    options: [{key, text}]}], answers: {position: [keys]}}; once finalised also correct, total, submitted_at,
    duration_ms, prediction; and `review` [{position, correct_keys, chosen_correct, explanation, source}] only
    when review_allowed(). Nothing else in it tells a correct answer from a wrong one.
    """
    now = _now(now)
    if attempt.user_id != getattr(viewer, "id", None) and not is_organiser(viewer):
        raise NotFound(_l("No such attempt."))
    versions = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_([q["v"] for q in attempt.questions])))}
    answers = dict(db.session.execute(select(AttemptAnswer.position, AttemptAnswer.choices)
                                      .where(AttemptAnswer.attempt_id == attempt.id)).all())
    questions = []
    for position, q in enumerate(attempt.questions, start=1):
        version = versions[q["v"]]
        texts = {str(o["key"]): o["text"] for o in version.options}
        questions.append({"position": position, "text": version.text, "kind": version.kind,
                          "options": [{"key": key, "text": texts.get(key, "")} for key in q["o"]]})
    view: dict[str, Any] = {
        "id": attempt.id, "round_id": attempt.round_id, "number": attempt.number, "status": attempt.status,
        "started_at": attempt.started_at, "deadline_at": attempt.deadline_at, "now": now,
        "time_limit_seconds": attempt.round.time_limit_seconds, "prediction_asked": attempt.round.prediction,
        "questions": questions,
        "answers": {str(p): list(c) for p, c in sorted(answers.items()) if c},
    }
    if attempt.status != "in_progress":
        view.update(correct=attempt.correct, total=attempt.total, submitted_at=attempt.submitted_at,
                    duration_ms=attempt.duration_ms, prediction=attempt.prediction)
    if review_allowed(attempt, viewer, now):
        review = []
        for position, q in enumerate(attempt.questions, start=1):
            version = versions[q["v"]]
            keys = scoring.correct_keys(version.options)
            review.append({"position": position, "correct_keys": list(keys),
                           "chosen_correct": scoring.is_correct(answers.get(position, ""), keys),
                           "explanation": version.explanation, "source": version.source})
        view["review"] = review
    return view


def attempts_of(user, round_ids: Iterable[int]) -> dict[int, list[Attempt]]:
    """{round id: the member's attempts in it, first to last}."""
    ids = list(round_ids)
    out: dict[int, list[Attempt]] = defaultdict(list)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return out
    for attempt in db.session.scalars(select(Attempt).where(Attempt.user_id == user.id,
                                                            Attempt.round_id.in_(ids))
                                      .order_by(Attempt.round_id, Attempt.number)):
        out[attempt.round_id].append(attempt)
    return out


def member_action(round_: Round, attempts: Sequence[Attempt], now: datetime | None = None) -> str | None:
    """What the round offers this member now: "resume", "start", "result" or None (nothing to do)."""
    now = _now(now)
    if any(a.status == "in_progress" and now <= grace_end(a, round_) for a in attempts):
        return "resume"
    if round_state(round_, now) == "open" and (round_.max_attempts is None or len(attempts) < round_.max_attempts):
        return "start"
    if attempts:
        return "result"
    return None


__all__ = ["AttemptSubmitted", "DeadlinePassed", "attempts_of", "check_may_start", "clean_keys",
           "clean_prediction", "draw_questions", "finalise_attempts", "finalise_expired", "get_attempt_for",
           "get_attempt_view", "grace_end", "member_action", "result", "review_allowed", "save_answer",
           "start_attempt", "submit"]
