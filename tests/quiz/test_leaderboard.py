"""Leaderboard services: live and final order, pages and ranks, my rank, lazy finalisation, the cache, unit
leaderboards and awards, prize proposals, publishing (with its audit) and who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from contest.core.audit import AuditEntry
from contest.core.cache import MemoryCache, get_cache
from contest.core.clock import as_utc, utcnow
from contest.core.errors import Conflict, Forbidden, NotFound, Unauthorized
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.models import Round, Standing
from contest.quiz.ranking import Result, prize_tiers, rank_results
from tests import factories
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_contest,
    gen_members,
    gen_round,
)


def at(round_, minutes: float):
    return as_utc(round_.opens_at) + timedelta(hours=1, minutes=minutes)


def board_order(board):
    return [(i["rank"], i["user_id"]) for i in board["items"]]


@pytest.fixture
def live_round(app, unit):
    """An open round: m5 first; m2 and m3 tied; m4 before m1 (same score, earlier); m6 last."""
    round_ = gen_round(state="open", prediction=True, live_leaderboard=True)
    members = gen_members(6, unit)
    m1, m2, m3, m4, m5, m6 = members
    gen_attempt(round_, m1, correct=9, submitted_at=at(round_, 10), prediction=1)
    gen_attempt(round_, m2, correct=10, submitted_at=at(round_, 20), prediction=2)
    gen_attempt(round_, m3, correct=10, submitted_at=at(round_, 20), prediction=1)
    gen_attempt(round_, m4, correct=9, submitted_at=at(round_, 5))
    gen_attempt(round_, m5, correct=10, submitted_at=at(round_, 15), prediction=50)
    gen_attempt(round_, m6, correct=7, submitted_at=at(round_, 1))
    db.session.commit()
    return round_, members


# --- live and final order ---------------------------------------------------------------------------------

def test_live_board_orders_by_correct_then_time_and_shares_ranks(live_round):
    round_, (m1, m2, m3, m4, m5, m6) = live_round
    board = lb.leaderboard(round_)
    assert board["final"] is False and board["published"] is False and board["total"] == 6
    assert board_order(board) == [(1, m5.id), (2, m2.id), (2, m3.id), (4, m4.id), (5, m1.id), (6, m6.id)]
    # Others' predictions stay hidden while live.
    assert all(i["prediction"] is None for i in board["items"])
    first = board["items"][0]
    assert (first["name"], first["unit"], first["correct"], first["total_questions"]) == (
        m5.full_name, "Phường Thạch Bàn", 10, 10)
    assert first["submitted_at"] == at(round_, 15)


def test_live_ranks_are_right_on_every_page(live_round):
    round_, members = live_round
    whole = board_order(lb.leaderboard(round_, limit=50))
    for size in (1, 2, 4):
        paged = []
        for offset in range(0, 6, size):
            paged += board_order(lb.leaderboard(round_, limit=size, offset=offset))
        assert paged == whole, size


def test_live_board_agrees_with_the_pure_rule_by_duration(app, unit):
    round_ = gen_round(state="open", time_tiebreak="duration", live_leaderboard=True)
    members = gen_members(7, unit)
    results = []
    for i, (m, correct, ms) in enumerate(zip(members, [8, 8, 9, 8, 9, 5, 8], [500, 300, 900, 300, 900, 1, 700],
                                             strict=True)):
        started = at(round_, i % 2)
        a = gen_attempt(round_, m, correct=correct, started_at=started, duration_ms=ms,
                        submitted_at=started + timedelta(minutes=1))
        results.append(Result(m.id, correct, 10, a.submitted_at, ms, started, attempt_id=a.id))
    db.session.commit()
    ranked, _ = rank_results(results, time_tiebreak="duration")
    assert board_order(lb.leaderboard(round_)) == [(r.rank, r.result.user_id) for r in ranked]
    for size in (2, 3):
        paged = []
        for offset in range(0, 7, size):
            paged += board_order(lb.leaderboard(round_, limit=size, offset=offset))
        assert paged == [(r.rank, r.result.user_id) for r in ranked]


def test_a_closed_round_is_finalised_by_its_first_reader(live_round):
    round_, (m1, m2, m3, m4, m5, m6) = live_round
    now = utcnow()
    round_.closes_at = now - timedelta(minutes=1)
    db.session.commit()
    board = lb.leaderboard(round_, now=now)
    assert board["final"] is True
    # All correct: m2, m3, m5 -> actual 3. Errors: m2 1, m3 2, m5 47.
    assert board_order(board) == [(1, m2.id), (2, m3.id), (3, m5.id), (4, m1.id), (5, m4.id), (6, m6.id)]
    assert [i["prediction"] for i in board["items"]] == [2, 1, 50, 1, None, None]
    assert board["all_correct_count"] == 3
    db.session.rollback()  # what was finalised has been committed
    assert db.session.get(Round, round_.id).finalised_at is not None
    assert db.session.get(Standing, (round_.id, m4.id)).rank == 5


def test_a_change_after_finalisation_makes_the_board_live_until_finalised_again(live_round):
    round_, (m1, *_rest, m6) = live_round
    now = utcnow()
    round_.closes_at = now - timedelta(minutes=1)
    round_.max_attempts = None
    db.session.commit()
    assert lb.leaderboard(round_, now=now)["final"] is True
    gen_attempt(round_, m6, correct=10, submitted_at=at(round_, 2), prediction=3)  # a late server finalisation
    db.session.commit()
    assert round_.finalised_at is None
    board = lb.leaderboard(round_, now=now)
    assert board["final"] is True
    assert board_order(board)[0] == (1, m6.id)


def test_moving_the_close_later_makes_a_final_board_live_again(live_round):
    round_, _members = live_round
    now = utcnow()
    round_.closes_at = now - timedelta(minutes=1)
    db.session.commit()
    lb.finalise_round(round_, now)
    db.session.commit()
    assert lb.is_final(round_, now)
    round_.closes_at = now + timedelta(hours=1)
    db.session.commit()
    assert not lb.is_final(round_, now)
    assert lb.leaderboard(round_, now=now)["final"] is False


# --- my rank ----------------------------------------------------------------------------------------------

def test_my_rank_live_and_final(live_round, unit):
    round_, (m1, m2, m3, m4, m5, m6) = live_round
    mine = lb.my_rank(round_, m3)
    assert (mine["rank"], mine["correct"], mine["total"], mine["final"], mine["participants"]) == (2, 10, 10, False, 6)
    assert mine["prediction"] == 1 and mine["prediction_error"] is None
    assert lb.my_rank(round_, m1)["rank"] == 5
    assert lb.my_rank(round_, m5)["rank"] == 1
    [outsider] = gen_members(1, unit)
    with pytest.raises(NotFound):
        lb.my_rank(round_, outsider)
    now = utcnow()
    round_.closes_at = now - timedelta(seconds=30)
    db.session.commit()
    mine = lb.my_rank(round_, m3, now=now)
    assert (mine["rank"], mine["final"], mine["prediction_error"]) == (2, True, 2)
    assert lb.my_rank(round_, m2, now=now)["rank"] == 1


# --- the cache --------------------------------------------------------------------------------------------

def _query_counter(app):
    from sqlalchemy import event

    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", count)


def test_pages_are_cached_and_cleared(live_round, app):
    round_, (m1, *_rest, m6) = live_round
    first = lb.leaderboard(round_)
    seen, stop = _query_counter(app)
    try:
        again = lb.leaderboard(round_)
    finally:
        stop()
    assert again == first
    assert len(seen) == 0  # served from the cache, not the database
    # A write that bypasses the cache is not seen until the cache is cleared.
    db.session.execute(update(Standing).where(Standing.user_id == m6.id).values(correct=10, missed=0))
    db.session.commit()
    assert lb.leaderboard(round_) == first
    lb.clear_leaderboard_cache(round_.id)
    assert board_order(lb.leaderboard(round_))[0] == (1, m6.id)


def test_a_page_computed_before_the_write_commits_is_not_served_after_it(live_round):
    """A reader between the writer's clear and its commit caches the old order; the clear after commit drops it."""
    round_, (m1, *_rest, m6) = live_round
    stale = lb._compute_page(round_, 50, 0, False)
    db.session.execute(update(Standing).where(Standing.user_id == m6.id).values(correct=10, missed=0))
    lb.clear_leaderboard_cache(round_.id)
    # What another request, not seeing the uncommitted write, would compute and cache meanwhile:
    key, ttl = lb._cache_key(round_, utcnow(), "page", 50, 0)
    get_cache().set(key, stale, ttl)
    assert board_order(lb.leaderboard(round_))[0] != (1, m6.id)  # the stale page is what a reader gets now
    db.session.commit()
    assert board_order(lb.leaderboard(round_))[0] == (1, m6.id)


def test_a_rolled_back_write_does_not_clear_again(live_round):
    round_, _members = live_round
    generation = lambda: get_cache().get(lb._generation_key(round_.id)) or 0  # noqa: E731
    lb.clear_leaderboard_cache(round_.id)
    cleared = generation()
    db.session.rollback()
    db.session.commit()
    assert generation() == cleared


def test_the_cache_holds_pages_per_round_and_page(live_round):
    round_, _members = live_round
    other = gen_round(state="open")
    lb.leaderboard(round_, limit=2)
    lb.leaderboard(round_, limit=2, offset=2)
    lb.leaderboard(other)
    cache = get_cache()
    if isinstance(cache, MemoryCache):
        keys = [k for k in cache._data if k.startswith(f"lb:{round_.id}:") and ":page:" in k]
        assert len(keys) == 2
    lb.clear_leaderboard_cache(round_.id)
    if isinstance(cache, MemoryCache):
        key, _ttl = lb._cache_key(round_, utcnow(), "page", 2, 0)
        assert cache.get(key) is None


def test_finalising_and_publishing_clear_the_cache(live_round):
    round_, (m1, *_rest) = live_round
    now = utcnow()
    generation = lambda: get_cache().get(lb._generation_key(round_.id)) or 0  # noqa: E731
    before = generation()
    round_.closes_at = now - timedelta(minutes=1)
    db.session.commit()
    lb.finalise_round(round_, now)
    assert generation() > before
    before = generation()
    lb.publish_round(round_, now=now)
    assert generation() > before


def test_memory_cache_expires_and_evicts(monkeypatch):
    cache = MemoryCache()
    clock = [100.0]
    monkeypatch.setattr("contest.core.cache.time.monotonic", lambda: clock[0])
    cache.set("a", {"x": [1, 2]}, ttl=5)
    value = cache.get("a")
    value["x"].append(3)  # a copy: the cached value is not changed
    assert cache.get("a") == {"x": [1, 2]}
    clock[0] += 6
    assert cache.get("a") is None
    assert cache.incr("n") == 1 and cache.incr("n") == 2
    cache.max_entries = 3
    for k in "bcde":
        cache.set(k, 1, ttl=None)
    assert len(cache._data) <= 3
    cache.delete("e")
    assert cache.get("e") is None


# --- unit leaderboards and awards -------------------------------------------------------------------------

@pytest.fixture
def unit_tree(app):
    city = factories.gen_unit("Thành phố Hà Nội")
    a = factories.gen_unit("Quận Ba Đình", city)
    a1 = factories.gen_unit("Phường Kim Mã", a)
    a2 = factories.gen_unit("Phường Ngọc Hà", a)
    b = factories.gen_unit("Quận Đống Đa", city)
    c = factories.gen_unit("Quận Tây Hồ", city)
    return city, a, a1, a2, b, c


def test_unit_leaderboard_rolls_up_the_tree(unit_tree):
    city, a, a1, a2, b, c = unit_tree
    round_ = gen_round(state="open")
    kim_ma = gen_members(4, a1)
    ngoc_ha = gen_members(2, a2)
    dong_da = gen_members(5, b)
    gen_members(2, a, roles=("judge",))  # not members: not counted
    for m in kim_ma[:3] + ngoc_ha[:2] + dong_da[:2]:
        gen_attempt(round_, m, correct=5)
    gen_attempt(round_, kim_ma[0], correct=6, number=2, started_at=at(round_, 30))  # still one participant
    db.session.commit()
    rows = {r["unit_id"]: r for r in lb.unit_leaderboard(round_)}
    assert set(rows) == {city.id, a.id, a1.id, a2.id, b.id}  # Tây Hồ has neither members nor participants
    assert (rows[a1.id]["participants"], rows[a1.id]["members"], rows[a1.id]["participation_rate"]) == (3, 4, 0.75)
    assert (rows[a2.id]["participants"], rows[a2.id]["members"], rows[a2.id]["participation_rate"]) == (2, 2, 1.0)
    assert (rows[a.id]["participants"], rows[a.id]["members"]) == (5, 6)
    assert (rows[b.id]["participants"], rows[b.id]["members"], rows[b.id]["participation_rate"]) == (2, 5, 0.4)
    assert (rows[city.id]["participants"], rows[city.id]["members"]) == (7, 11)
    assert rows[a1.id]["path"] == "Thành phố Hà Nội › Quận Ba Đình › Phường Kim Mã"
    by_participants = [r["unit_id"] for r in lb.unit_leaderboard(round_)]
    assert by_participants == [city.id, a.id, a1.id, a2.id, b.id]
    by_rate = [r["unit_id"] for r in lb.unit_leaderboard(round_, by="rate")]
    assert by_rate == [a2.id, a.id, a1.id, city.id, b.id]


def test_a_contest_for_one_unit_lists_only_its_subtree(unit_tree):
    city, a, a1, a2, b, c = unit_tree
    round_ = gen_round(gen_contest(unit=a), state="open")
    gen_members(1, a1)
    gen_members(1, b)
    rows = lb.unit_leaderboard(round_)
    assert {r["unit_id"] for r in rows} == {a.id, a1.id}
    assert {r["unit_id"]: r["depth"] for r in rows} == {a.id: 0, a1.id: 1}


def test_unit_awards_propose_the_top_of_one_level(unit_tree):
    city, a, a1, a2, b, c = unit_tree
    round_ = gen_round(state="open")
    for unit_, members, took in ((a1, 4, 3), (a2, 2, 2), (b, 5, 2), (c, 10, 1)):
        for m in gen_members(members, unit_)[:took]:
            gen_attempt(round_, m, correct=5)
    db.session.commit()
    rows = lb.unit_leaderboard(round_)
    awards = lb.unit_awards(rows, top=1)
    assert awards["level"] == 1  # the districts, below the city
    assert [r["unit_id"] for r in awards["most_participants"]] == [a.id]
    assert [r["unit_id"] for r in awards["highest_rate"]] == [a.id]  # 5/6
    awards = lb.unit_awards(rows, top=2, level=2)
    assert [r["unit_id"] for r in awards["most_participants"]] == [a1.id, a2.id]
    assert [r["unit_id"] for r in awards["highest_rate"]] == [a2.id, a1.id]
    assert [r["unit_id"] for r in lb.unit_awards(rows, top=2)["most_participants"]] == [a.id, b.id]
    # The rate award can require a minimum size: Đống Đa (5 members) is left out with min_members=6.
    assert [r["unit_id"] for r in lb.unit_awards(rows, top=3, min_members=6)["highest_rate"]] == [a.id, c.id]


def test_unit_awards_keep_ties_at_the_border():
    rows = [{"unit_id": i, "name": n, "depth": 1, "participants": p, "members": 10, "participation_rate": p / 10}
            for i, n, p in ((1, "A", 5), (2, "B", 3), (3, "C", 3), (4, "D", 1))]
    awards = lb.unit_awards(rows, top=2, level=1)
    assert [r["unit_id"] for r in awards["most_participants"]] == [1, 2, 3]
    assert [r["unit_id"] for r in awards["highest_rate"]] == [1, 2, 3]
    assert lb.unit_awards([], top=3) == {"level": None, "most_participants": [], "highest_rate": []}


# --- prizes -----------------------------------------------------------------------------------------------

def test_prize_proposal_follows_prize_tiers_over_the_final_ranking(app, unit):
    round_ = gen_round(prizes={"first": 1, "second": 2, "third": 2, "consolation": 1})
    members = gen_members(14, unit)
    scores = [10, 9, 9, 9, 8, 8, 7, 7, 7, 7, 6, 5, 5, 4]
    results = []
    for m, correct in zip(members, scores, strict=True):
        a = gen_attempt(round_, m, correct=correct)  # same times: equal scores tie
        results.append(Result(m.id, correct, 10, a.submitted_at, a.duration_ms, a.started_at, attempt_id=a.id))
    db.session.commit()
    proposal = lb.prize_proposal(round_)
    ranked, _ = rank_results(results, final=True)
    expected = prize_tiers(ranked, round_.prizes)
    assert {p["user_id"]: p["tier"] for p in proposal} == expected
    # first: rank 1; second: the three 9s (a tie at the border stays whole); third: the two 8s, which fills the
    # places of the consolation prize too.
    assert [p["tier"] for p in proposal] == ["first"] + ["second"] * 3 + ["third"] * 2
    assert [p["rank"] for p in proposal] == [1, 2, 2, 2, 5, 5]
    round_.prizes = {"first": 1, "second": 2, "third": 2, "consolation": 5}
    db.session.commit()
    proposal = lb.prize_proposal(round_)
    assert {p["user_id"]: p["tier"] for p in proposal} == prize_tiers(ranked, round_.prizes)
    assert [p["tier"] for p in proposal][6:] == ["consolation"] * 4  # all four 7s, up to the 10th place


def test_no_prizes_before_the_final_ranking_or_without_prizes(live_round):
    round_, _members = live_round
    assert lb.prize_proposal(round_) is None
    now = utcnow()
    round_.closes_at = now - timedelta(minutes=1)
    round_.prizes = {"first": 0}
    db.session.commit()
    assert lb.prize_proposal(round_, now) == []


# --- publishing -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "code"), [("open", "round_open"), ("upcoming", "round_upcoming")])
def test_publishing_is_refused_before_the_round_closes(app, state, code):
    round_ = gen_round(state=state)
    with pytest.raises(Conflict) as info:
        lb.publish_round(round_)
    assert info.value.code == code
    assert round_.published_at is None


def test_publishing_waits_for_the_grace(app):
    now = utcnow()
    round_ = gen_round(opens_at=now - timedelta(days=1), closes_at=now - timedelta(seconds=1), grace_seconds=5)
    with pytest.raises(Conflict) as info:
        lb.publish_round(round_, now=now)
    assert info.value.code == "round_open"


def test_publish_finalises_and_is_audited_and_unpublish_hides(app, unit, organiser):
    round_ = gen_round()
    [m] = gen_members(1, unit)
    gen_attempt(round_, m, correct=10)
    db.session.commit()
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    assert round_.published_at is not None and round_.finalised_at is not None and round_.all_correct_count == 1
    assert db.session.get(Standing, (round_.id, m.id)).rank == 1
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    lb.unpublish_round(round_, actor=organiser)
    lb.unpublish_round(round_, actor=organiser)  # not published: nothing to hide, nothing audited
    db.session.commit()
    assert round_.published_at is None
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "round")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("round_published", organiser.id, str(round_.id)), ("round_published", organiser.id, str(round_.id)),
        ("round_unpublished", organiser.id, str(round_.id))]
    assert [e.details.get("republished") for e in entries[:2]] == [False, True]
    assert entries[0].details["participants"] == 1


# --- who may see what -------------------------------------------------------------------------------------

ROLES = ("organiser", "member", "anonymous")


def _expected_board(role, live, published, state):
    if role == "organiser" or published:
        return None
    if live and state == "open":
        return Unauthorized if role == "anonymous" else None
    return NotFound if role == "anonymous" else Forbidden


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("published", [True, False])
@pytest.mark.parametrize("state", ["open", "closed"])
def test_visibility_matrix(app, unit, role, live, published, state):
    round_ = gen_round(state=state, live_leaderboard=live)
    if published:
        round_.published_at = utcnow()
    user = None if role == "anonymous" else gen_members(1, unit, roles=(role,))[0]
    expected = _expected_board(role, live, published, state)
    if expected is None:
        lb.check_board_access(round_, user)
    else:
        with pytest.raises(expected) as info:
            lb.check_board_access(round_, user)
        if expected is Forbidden:
            assert info.value.code == "leaderboard_hidden"
    # My rank: shown exactly when the board is, to the signed in.
    if role == "anonymous":
        with pytest.raises(Unauthorized):
            lb.check_my_rank_access(round_, user)
    elif expected is None:
        lb.check_my_rank_access(round_, user)
    else:
        with pytest.raises(Forbidden):
            lb.check_my_rank_access(round_, user)


def test_rounds_of_draft_contests_are_hidden_except_from_organisers(app, unit, organiser, member):
    round_ = gen_round(gen_contest(status="draft"))
    with pytest.raises(NotFound):
        lb.get_round(round_.id, member)
    with pytest.raises(NotFound):
        lb.get_round(round_.id, None)
    assert lb.get_round(round_.id, organiser) is round_
    with pytest.raises(NotFound):
        lb.get_round(round_.id + 1000, organiser)


def test_an_unreachable_redis_is_a_cache_miss_not_an_error(app):
    from contest.core.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:1/0")
    cache.set("k", {"a": 1}, ttl=5)
    assert cache.get("k") is None
    assert isinstance(cache.incr("n"), int)
    cache.delete("k")
    cache.clear()


@pytest.mark.redis
def test_redis_cache_round_trip(app):
    import os

    from contest.core.cache import RedisCache

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    cache = RedisCache(os.environ["REDIS_URL"], prefix=f"contest-test-{os.getpid()}:cache-check:")
    cache.set("k", {"a": [1, 2]}, ttl=5)
    assert cache.get("k") == {"a": [1, 2]}
    assert cache.incr("n") + 1 == cache.incr("n")
    cache.clear()
    assert cache.get("k") is None
