"""Bulk data for the benchmarks: a closed round with many attempts, an open round for answer saves.

Rows go in with COPY on PostgreSQL and executemany on SQLite; nothing here goes through the services, which
would take hours for a million attempts. The shapes match what the services write.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from contest.accounts.models import User, UserRole
from contest.contests.models import Contest
from contest.extensions import db
from contest.quiz.models import Attempt, Question, QuestionVersion, Round, Standing
from contest.units.models import Unit

FAKE_HASH = "$argon2id$v=19$m=1024,t=1,p=1$YmVuY2g$bench"  # never verified: bench users sign in by token


def _copy_rows(table, columns: list[str], rows) -> None:
    """COPY rows (tuples) into a PostgreSQL table through the session's connection."""
    raw = db.session.connection().connection.driver_connection
    cols = ", ".join(columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _bulk(table, columns: list[str], rows, batch: int = 50_000) -> None:
    if db.engine.dialect.name == "postgresql":
        _copy_rows(table.name, columns, rows)
        return
    buf = []
    stmt = insert(table)
    for row in rows:
        buf.append(dict(zip(columns, row, strict=True)))
        if len(buf) >= batch:
            db.session.execute(stmt, buf)
            buf.clear()
    if buf:
        db.session.execute(stmt, buf)


def make_units(n: int = 200) -> list[int]:
    root = Unit(name="Thành phố Hà Nội (bench)", search_name="thanh pho ha noi (bench)")
    db.session.add(root)
    db.session.flush()
    wards = [Unit(name=f"Phường {i}", search_name=f"phuong {i}", parent_id=root.id) for i in range(n)]
    db.session.add_all(wards)
    db.session.flush()
    return [w.id for w in wards]


def make_users(count: int, unit_ids: list[int], prefix: str) -> tuple[int, int]:
    """Insert `count` members; returns the id range [first, last]."""
    start = (db.session.scalar(select(db.func.max(User.id))) or 0) + 1
    now = datetime.now(UTC)
    rows = ((start + i, f"{prefix}{i}@bench.example", f"Thí sinh {prefix} {i}", f"thi sinh {prefix} {i}", FAKE_HASH,
             unit_ids[i % len(unit_ids)], True, now) for i in range(count))
    _bulk(User.__table__, ["id", "email", "full_name", "search_name", "password_hash", "unit_id", "active",
                           "created_at"], rows)
    _bulk(UserRole.__table__, ["user_id", "role", "granted_at"],
          ((start + i, "member", now) for i in range(count)))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
    return start, start + count - 1


def make_questions(count: int = 40) -> list[int]:
    versions = []
    for i in range(count):
        q = Question(topic="Bench", topic_key="bench", difficulty=2, status="approved", search_text=f"cau {i}",
                     norm_hash=f"bench-{i}")
        db.session.add(q)
        db.session.flush()
        v = QuestionVersion(question_id=q.id, number=1, text=f"Câu hỏi thử {i}", kind="single",
                            options=[{"key": k, "text": f"Phương án {k}", "correct": k == "a"} for k in "abcd"])
        db.session.add(v)
        db.session.flush()
        q.current_version_id = v.id
        versions.append(v.id)
    return versions


def make_contest(slug: str, opens_at: datetime, closes_at: datetime, **round_fields) -> Round:
    contest = Contest(slug=slug, kind="quiz", title=f"Bench {slug}", status="announced")
    db.session.add(contest)
    db.session.flush()
    rnd = Round(contest_id=contest.id, title="Tuần 1", opens_at=opens_at, closes_at=closes_at, **round_fields)
    db.session.add(rnd)
    db.session.flush()
    return rnd


def make_closed_round(attempts: int, seed: int = 5) -> tuple[int, tuple[int, int]]:
    """A closed round with `attempts` finished attempts, one per member, standings filled, not yet finalised."""
    rng = random.Random(seed)
    unit_ids = make_units()
    versions = make_questions(20)
    close = datetime.now(UTC) - timedelta(hours=1)
    opens = close - timedelta(days=7)
    rnd = make_contest("bench-closed", opens, close, time_limit_seconds=600, question_count=10, prediction=True,
                       max_attempts=1, live_leaderboard=True)
    first, last = make_users(attempts, unit_ids, "lb")
    questions = [{"v": v, "o": "abcd"} for v in versions[:10]]
    if db.engine.dialect.name == "postgresql":
        questions = json.dumps(questions)  # COPY takes the JSON text; the ORM path encodes lists itself
    attempt_start = (db.session.scalar(select(db.func.max(Attempt.id))) or 0) + 1
    a_rows, s_rows = [], []
    window = int((close - opens).total_seconds()) - 700

    def rows():
        for i in range(attempts):
            user = first + i
            started = opens + timedelta(seconds=rng.randrange(window), microseconds=rng.randrange(10**6))
            duration = rng.randrange(60_000, 600_000)
            submitted = started + timedelta(milliseconds=duration)
            # Scores skewed towards the top, as in real rounds; about 1 in 40 answers everything correctly.
            correct = min(10, int(rng.betavariate(5, 1.6) * 11))
            prediction = rng.randrange(0, 50_000)
            unit = unit_ids[i % len(unit_ids)]
            yield (attempt_start + i, rnd.id, user, 1, unit, "submitted", started,
                   started + timedelta(seconds=600), submitted, correct, 10, duration,
                   prediction, questions), \
                  (rnd.id, user, attempt_start + i, unit, correct, 10, 10 - correct, prediction, submitted,
                   duration, started)

    for a, s in rows():
        a_rows.append(a)
        s_rows.append(s)
    _bulk(Attempt.__table__, ["id", "round_id", "user_id", "number", "unit_id", "status", "started_at",
                              "deadline_at", "submitted_at", "correct", "total", "duration_ms", "prediction",
                              "questions"], a_rows)
    _bulk(Standing.__table__, ["round_id", "user_id", "attempt_id", "unit_id", "correct", "total", "missed",
                               "prediction", "submitted_at", "duration_ms", "started_at"], s_rows)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('quiz_attempts_id_seq', (SELECT max(id) FROM quiz_attempts))"))
        db.session.execute(text("ANALYZE"))
    db.session.commit()
    return rnd.id, (first, last)

