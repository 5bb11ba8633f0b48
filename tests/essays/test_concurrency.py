"""Two tabs saving one draft at the same moment from the same base version: exactly one save wins, the other is
refused with version_conflict, and no acknowledged save is lost. Each thread has its own app context, hence its own
session and connection. On SQLite writers are serialised, so the race is real only on PostgreSQL
(TEST_DATABASE_URL); the test still runs on SQLite, where the conditional UPDATE must give the same outcome."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from contest.accounts.models import User
from contest.core.errors import Conflict
from contest.essays import services as essays
from contest.essays.models import Entry, EntryVersion
from contest.extensions import db
from tests.essays.conftest import text

THREADS = 6


def together(app, work, n: int = THREADS) -> tuple[list, list[Exception]]:
    """Run work(i) in n threads released at once; each commits its own transaction. (results, errors)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[Exception] = []

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[i] = work(i)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 (collected and asserted by the test)
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def test_two_saves_from_the_same_base_one_wins(app, clock, contest, member):
    entry = essays.create_entry(contest, member, {"title": "Bài viết", "category_id":
                                                  essays.categories_of(contest)[0].id})
    db.session.commit()
    entry_id, user_id = entry.id, member.id

    def work(i):
        user = db.session.get(User, user_id)
        tab = db.session.get(Entry, entry_id)
        try:
            essays.save_entry(tab, user, {"body_html": text(10 + i, word=f"tab{i}-")}, base_version=1)
            return ("saved", i, tab.version)
        except Conflict as exc:
            return ("refused", exc.code, exc.extra.get("current_version"))

    results, errors = together(app, work)
    assert errors == []
    saved = [r for r in results if r[0] == "saved"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(saved) == 1 and len(refused) == THREADS - 1
    winner = saved[0][1]
    assert saved[0][2] == 2
    assert all(code == "version_conflict" and current in (1, 2) for _kind, code, current in refused)
    db.session.expire_all()
    final = db.session.get(Entry, entry_id)
    assert final.version == 2 and final.body_html == text(10 + winner, word=f"tab{winner}-")
    numbers = list(db.session.scalars(select(EntryVersion.number).where(EntryVersion.entry_id == entry_id)
                                      .order_by(EntryVersion.number)))
    assert numbers == [1, 2]
    assert essays.version_of(final, 2).body_html == final.body_html  # the winner's text is in its version


def test_saves_without_a_base_all_count_in_order(app, clock, contest, member):
    """API clients that send no base version: every save is applied, each as its own version, none lost."""
    entry = essays.create_entry(contest, member, {"title": "Bài viết", "category_id":
                                                  essays.categories_of(contest)[0].id})
    db.session.commit()
    entry_id, user_id = entry.id, member.id

    def work(i):
        tab = db.session.get(Entry, entry_id)
        essays.save_entry(tab, db.session.get(User, user_id), {"body_html": text(5 + i, word=f"v{i}-")})
        return tab.version

    results, errors = together(app, work)
    assert errors == []
    assert sorted(results) == list(range(2, THREADS + 2))
    db.session.expire_all()
    assert db.session.get(Entry, entry_id).version == THREADS + 1
    bodies = set(db.session.scalars(select(EntryVersion.body_html).where(EntryVersion.entry_id == entry_id,
                                                                          EntryVersion.number > 1)))
    assert bodies == {text(5 + i, word=f"v{i}-") for i in range(THREADS)}
    assert db.session.scalar(select(func.count()).select_from(EntryVersion)) == THREADS + 1
