"""Publishing a quiz round freezes a snapshot: the public (everyone but organisers) reads the published ranks, the
participants, the unit leaderboard and the winners as they were at the last publication; a later change shows only
after publishing again; unpublishing deletes the frozen ranks. Publications are kept as a history, every publish and
unpublish is audited, and names are masked on public boards as the contest chose."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from contest.contests.models import Contest
from contest.core.audit import AuditEntry
from contest.core.clock import as_utc, utcnow
from contest.core.errors import NotFound
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.models import Round, Standing
from contest.results.masking import mask_name
from contest.results.models import Award, Publication, PublishedRank, ResultSettings
from tests import factories
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_members,
    gen_round,
)

EN = {"Accept-Language": "en"}
NAMES = ("Lê Văn An", "Trần Thị Bình", "Phạm Minh Châu")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}


def auth(user) -> dict:
    return {**factories.bearer(factories.gen_token(user)), **EN}


@pytest.fixture
def closed(app, unit):
    """A closed round with three members: An (10 correct), Bình (9, earlier), Châu (8)."""
    round_ = gen_round(prediction=False)
    members = gen_members(3, unit)
    base = as_utc(round_.opens_at) + timedelta(hours=1)
    for i, (member, name) in enumerate(zip(members, NAMES, strict=True)):
        member.full_name = name
        gen_attempt(round_, member, correct=10 - i, submitted_at=base + timedelta(minutes=i))
    db.session.commit()
    return round_, members


def order(board) -> list[tuple[int, int]]:
    return [(item["rank"], item["user_id"]) for item in board["items"]]


def raise_last(round_, member) -> None:
    """A change after publication: Châu's standing becomes the best (all correct, first), and the round is
    finalised again."""
    db.session.execute(update(Standing).where(Standing.round_id == round_.id, Standing.user_id == member.id)
                       .values(correct=10, missed=0, submitted_at=as_utc(round_.opens_at) + timedelta(minutes=30)))
    lb.clear_leaderboard_cache(round_.id)
    lb.finalise_round(round_, utcnow())
    db.session.commit()


def publications(round_) -> list[Publication]:
    return db.session.scalars(select(Publication).where(Publication.round_id == round_.id)
                              .order_by(Publication.id)).all()


def audit_entries(round_) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "round",
                                                       AuditEntry.target_id == str(round_.id))
                              .order_by(AuditEntry.id)).all()


# --- what publishing freezes ------------------------------------------------------------------------------

def test_publishing_freezes_the_final_ranks_and_a_snapshot(closed, organiser, unit):
    round_, (an, binh, chau) = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    frozen = db.session.scalars(select(PublishedRank).where(PublishedRank.round_id == round_.id)
                                .order_by(PublishedRank.rank)).all()
    assert [(r.rank, r.user_id, r.name, r.unit_id, r.unit_name, r.correct, r.total) for r in frozen] == [
        (1, an.id, "Lê Văn An", unit.id, unit.name, 10, 10), (2, binh.id, "Trần Thị Bình", unit.id, unit.name, 9, 10),
        (3, chau.id, "Phạm Minh Châu", unit.id, unit.name, 8, 10)]
    [publication] = publications(round_)
    assert publication.ended_at is None and publication.published_by_id == organiser.id
    assert as_utc(publication.published_at) == as_utc(round_.published_at)
    snapshot = publication.snapshot
    assert snapshot["participants"] == 3 and snapshot["all_correct_count"] == 1
    assert snapshot["finalised_at"] == as_utc(round_.finalised_at).isoformat()
    assert snapshot["awards"] == []
    assert [(u["unit_id"], u["participants"]) for u in snapshot["units"]] == [(unit.id, 3)]
    [entry] = audit_entries(round_)
    assert (entry.action, entry.actor_id, entry.details["publication_id"]) == (
        "round_published", organiser.id, publication.id)
    # A name changed afterwards stays as it was published.
    an.full_name = "Lê Văn Anh"
    db.session.commit()
    board = lb.leaderboard(round_, public=True)
    assert board["items"][0]["name"] == "Lê Văn An" and board["snapshot"] is True
    assert lb.leaderboard(round_)["items"][0]["name"] == "Lê Văn Anh"


def test_a_change_after_publishing_shows_only_after_publishing_again(closed, organiser, member, client,
                                                                     organiser_client):
    round_, (an, binh, chau) = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    first_publication = publications(round_)[0]
    assert order(lb.leaderboard(round_, public=True)) == [(1, an.id), (2, binh.id), (3, chau.id)]  # now cached
    assert lb.publication_status(round_)["changed"] is False

    raise_last(round_, chau)
    # Organisers see the new final board, everyone else the published one.
    assert order(lb.leaderboard(round_)) == [(1, chau.id), (2, an.id), (3, binh.id)]
    public = lb.leaderboard(round_, public=True)
    assert order(public) == [(1, an.id), (2, binh.id), (3, chau.id)]
    assert public["all_correct_count"] == 1 and public["total"] == 3
    assert lb.my_rank(round_, chau, public=True)["rank"] == 3
    assert lb.my_rank(round_, chau)["rank"] == 1
    api = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN).json
    assert [i["name"] for i in api["items"]] == list(NAMES)
    html = client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert html.index("Lê Văn An") < html.index("Phạm Minh Châu")
    status = lb.publication_status(round_)
    assert status["changed"] is True and status["finalised_again"] is True and status["awards_changed"] is False
    page = organiser_client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'data-testid="publication-changed"' in page and "publish again to show them" in page
    assert 'data-testid="publish"' in page
    slug = db.session.get(Contest, round_.contest_id).slug
    link = re.search(r'<a href="([^"]+)"[^>]*data-testid="results-admin"', page)
    assert link is not None and link.group(1) == f"/organiser/contests/{slug}/results"

    # Publishing again shows the change, and ends the first publication.
    resp = organiser_client.post(f"/organiser/rounds/{round_.id}/publish")
    assert resp.status_code == 302
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    assert order(lb.leaderboard(round_, public=True)) == [(1, chau.id), (2, an.id), (3, binh.id)]
    assert lb.my_rank(round_, chau, public=True)["rank"] == 1
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN).json["items"][0]["name"] == NAMES[2]
    first, second = publications(round_)
    assert first.id == first_publication.id
    assert (first.ended_by_id, first.end_reason, second.ended_at) == (organiser.id, "republished", None)
    assert as_utc(first.ended_at) == as_utc(second.published_at) == as_utc(round_.published_at)
    page = organiser_client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'data-testid="publication-changed"' not in page and 'data-testid="publication-current"' in page
    entries = audit_entries(round_)
    assert [(e.action, e.details["republished"], e.details["publication_id"]) for e in entries] == [
        ("round_published", False, first.id), ("round_published", True, second.id)]


def test_moving_the_close_later_keeps_the_published_board(closed, organiser):
    round_, (an, binh, chau) = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    round_.closes_at = utcnow() + timedelta(hours=2)  # open again
    db.session.commit()
    gen_attempt(round_, chau, correct=10, submitted_at=utcnow() - timedelta(minutes=1), number=2)
    round_.max_attempts = None
    db.session.commit()
    assert lb.leaderboard(round_)["final"] is False
    public = lb.leaderboard(round_, public=True)
    assert public["final"] is True and order(public) == [(1, an.id), (2, binh.id), (3, chau.id)]
    assert lb.publication_status(round_)["changed"] is True  # no longer final: finalised_at is older
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    lb.finalise_round(round_, utcnow())
    db.session.commit()
    assert lb.publication_status(round_)["finalised_again"] is True
    assert order(lb.leaderboard(round_, public=True)) == [(1, an.id), (2, binh.id), (3, chau.id)]


def test_unpublishing_hides_everything_and_deletes_the_frozen_ranks(closed, organiser, client, member_client):
    round_, _members = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    assert client.get(f"/rounds/{round_.id}/leaderboard").status_code == 200
    lb.unpublish_round(round_, actor=organiser)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PublishedRank)
                             .where(PublishedRank.round_id == round_.id)) == 0
    assert client.get(f"/rounds/{round_.id}/leaderboard").status_code == 404
    assert client.get(f"/rounds/{round_.id}/units").status_code == 404
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN).status_code == 404
    assert member_client.get(f"/rounds/{round_.id}/leaderboard").status_code == 403
    [publication] = publications(round_)
    assert (publication.end_reason, publication.ended_by_id) == ("unpublished", organiser.id)
    assert publication.ended_at is not None
    entries = audit_entries(round_)
    assert [e.action for e in entries] == ["round_published", "round_unpublished"]
    assert entries[1].details["publication_id"] == publication.id
    assert lb.publication_status(round_) is None


# --- what the public reads --------------------------------------------------------------------------------

def test_my_rank_comes_from_the_snapshot(closed, organiser, unit):
    round_, (an, binh, chau) = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    mine = lb.my_rank(round_, binh, public=True)
    assert (mine["rank"], mine["correct"], mine["total"], mine["final"], mine["participants"]) == (2, 9, 10, True, 3)
    # A member who took part only after the publication has no place in it.
    [late] = gen_members(1, unit)
    gen_attempt(round_, late, correct=10, submitted_at=as_utc(round_.closes_at) - timedelta(minutes=1))
    db.session.commit()
    with pytest.raises(NotFound):
        lb.my_rank(round_, late, public=True)
    resp = my_rank_api(round_, late)
    assert resp.status_code == 404
    assert lb.my_rank(round_, late)["rank"] == 2  # the live reading: after An (earlier), before Bình
    me = my_rank_api(round_, binh)
    assert me.status_code == 200 and me.json["rank"] == 2 and me.json["participants"] == 3


def my_rank_api(round_, user):
    from flask import current_app

    return current_app.test_client().get(f"/api/v1/rounds/{round_.id}/leaderboard/me", headers=auth(user))


def test_the_unit_leaderboard_comes_from_the_snapshot(closed, organiser, client):
    round_, _members = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    other = factories.gen_unit("Xã Thạch Thất")
    [late] = gen_members(1, other)
    gen_attempt(round_, late, correct=10, submitted_at=as_utc(round_.closes_at) - timedelta(minutes=1))
    db.session.commit()
    organisers = {row["unit_id"]: row["participants"] for row in lb.unit_leaderboard(round_)}
    assert organisers.get(other.id) == 1
    public = lb.unit_leaderboard(round_, public=True)
    assert other.id not in {row["unit_id"] for row in public}
    api = client.get(f"/api/v1/rounds/{round_.id}/units", headers=EN).json
    assert [row["participants"] for row in api["items"]] == [3]
    html = client.get(f"/rounds/{round_.id}/units").get_data(as_text=True)
    assert "Xã Thạch Thất" not in html
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    api = client.get(f"/api/v1/rounds/{round_.id}/units", headers=EN).json
    assert {row["unit_id"]: row["participants"] for row in api["items"]}[other.id] == 1


def test_the_api_keeps_its_fields(closed, organiser, client):
    round_, _members = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard?limit=2", headers=EN).json
    assert set(body) == {"final", "published", "published_at", "all_correct_count", "total", "items"}
    assert (body["final"], body["published"], body["total"], len(body["items"])) == (True, True, 3, 2)
    assert body["published_at"] == as_utc(round_.published_at).isoformat()
    assert set(body["items"][0]) == {"rank", "name", "unit", "correct", "total_questions", "prediction",
                                     "submitted_at", "duration_ms"}
    second = client.get(f"/api/v1/rounds/{round_.id}/leaderboard?limit=2&offset=2", headers=EN).json
    assert [i["rank"] for i in second["items"]] == [3]


# --- masking ----------------------------------------------------------------------------------------------

def test_names_are_masked_for_the_public_but_a_member_sees_their_own(closed, organiser, client, app):
    round_, (an, binh, chau) = closed
    db.session.add(ResultSettings(contest_id=round_.contest_id, name_masking="partial"))
    db.session.add(Award(contest_id=round_.contest_id, round_id=round_.id, tier="first", user_id=an.id))
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    masked = [mask_name(name, "partial") for name in NAMES]
    assert masked[0] == "Lê V. A."

    html = client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert all(m in html for m in masked) and not any(name in html for name in NAMES)
    api = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN).json
    assert [i["name"] for i in api["items"]] == masked

    own = app.test_client(user=binh).get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert "Trần Thị Bình" in own and masked[0] in own and "Lê Văn An" not in own
    api = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=auth(binh)).json
    assert [i["name"] for i in api["items"]] == [masked[0], "Trần Thị Bình", masked[2]]

    html = app.test_client(user=organiser).get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert all(name in html for name in NAMES)
    api = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=auth(organiser)).json
    assert [i["name"] for i in api["items"]] == list(NAMES)


# --- winners ----------------------------------------------------------------------------------------------

def test_the_published_winners_are_shown_and_a_change_of_awards_is_noticed(closed, organiser, client, unit,
                                                                         organiser_client):
    round_, (an, binh, chau) = closed
    db.session.add(ResultSettings(contest_id=round_.contest_id, name_masking="initials"))
    db.session.add_all([
        Award(contest_id=round_.contest_id, round_id=round_.id, tier="first", position=0, user_id=an.id),
        Award(contest_id=round_.contest_id, round_id=round_.id, tier="special", position=0, user_id=chau.id,
              label="Giải người cao tuổi"),
    ])
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    [publication] = publications(round_)
    assert publication.snapshot["awards"] == [
        {"tier": "special", "position": 0, "user_id": chau.id, "name": "Phạm Minh Châu", "unit": unit.name,
         "label": "Giải người cao tuổi"},
        {"tier": "first", "position": 0, "user_id": an.id, "name": "Lê Văn An", "unit": unit.name, "label": ""}]
    html = client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    winners = html[html.index('data-testid="winners"'):html.index('data-testid="leaderboard"')]
    assert "Special prize" in winners and "First prize" in winners and "Giải người cao tuổi" in winners
    assert "P. M. C." in winners and "L. V. A." in winners and "Phạm Minh Châu" not in winners
    assert winners.index("Special prize") < winners.index("First prize")

    # Awards confirmed after the publication: the organisers are told, the public still sees the published ones.
    db.session.add(Award(contest_id=round_.contest_id, round_id=round_.id, tier="second", user_id=binh.id))
    db.session.commit()
    status = lb.publication_status(round_)
    assert status["awards_changed"] is True and status["finalised_again"] is False and status["changed"] is True
    page = organiser_client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'data-testid="publication-changed"' in page
    assert "Second prize" not in client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)


def test_a_board_without_awards_has_no_winners_section(closed, organiser, client):
    round_, _members = closed
    lb.publish_round(round_, actor=organiser)
    db.session.commit()
    html = client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert 'data-testid="winners"' not in html and 'data-testid="published-at"' in html


# --- the connection's settings ----------------------------------------------------------------------------

def _settings():
    from sqlalchemy import text

    if db.engine.dialect.name == "sqlite":
        raw = db.session.connection().connection.dbapi_connection
        return [raw.execute(f"PRAGMA {name}").fetchone()[0] for name in ("cache_size", "temp_store")]
    return [db.session.execute(text("SHOW work_mem")).scalar()]


@pytest.mark.parametrize("final_first", [True, False])
def test_publishing_widens_the_settings_for_its_own_transaction_only(closed, organiser, final_first):
    """Freezing a large round uses the larger settings finalising uses (both in one transaction when publishing
    finalises first); the connection gets its own back at commit."""
    round_, _members = closed
    if final_first:
        lb.finalise_round(round_, utcnow())
        db.session.commit()
    before = _settings()
    lb.publish_round(round_, actor=organiser)
    assert (lb.SQLITE_FINALISE_CACHE_KIB if db.engine.dialect.name == "sqlite" else "256MB") in _settings()
    db.session.commit()
    assert _settings() == before
    assert db.session.scalar(select(func.count()).select_from(PublishedRank)) == 3


def test_a_round_published_before_snapshots_is_read_live_until_published_again(closed, organiser, client,
                                                                             organiser_client):
    """Rounds published before publications froze anything (Round.published_at only) stay public, read from the
    final ranking as before; the organisers are asked to publish again, which freezes them."""
    round_, (an, binh, chau) = closed
    lb.finalise_round(round_, utcnow())
    round_.published_at = utcnow()
    db.session.commit()
    board = client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN).json
    assert board["published"] is True and [i["name"] for i in board["items"]] == list(NAMES)
    status = lb.publication_status(round_)
    assert (status["publication_id"], status["changed"]) == (None, True)
    assert 'data-testid="publication-changed"' in organiser_client.get(
        f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    raise_last(round_, chau)
    assert client.get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=EN).json["items"][0]["name"] == NAMES[2]
    organiser_client.post(f"/organiser/rounds/{round_.id}/publish")
    db.session.expire_all()
    assert lb.publication_status(db.session.get(Round, round_.id))["changed"] is False
    assert len(publications(round_)) == 1


def test_a_live_board_masks_names_too(app, unit):
    """Members reading an open round's live board see the others' names masked like the public, their own in full."""
    round_ = gen_round(state="open", live_leaderboard=True)
    first, second = gen_members(2, unit)
    first.full_name, second.full_name = "Lê Văn An", "Trần Thị Bình"
    gen_attempt(round_, first, correct=10)
    gen_attempt(round_, second, correct=9)
    db.session.add(ResultSettings(contest_id=round_.contest_id, name_masking="initials"))
    db.session.commit()
    body = app.test_client().get(f"/api/v1/rounds/{round_.id}/leaderboard", headers=auth(second)).json
    assert body["final"] is False and [i["name"] for i in body["items"]] == ["L. V. A.", "Trần Thị Bình"]
    assert [i["name"] for i in lb.leaderboard(round_)["items"]] == ["Lê Văn An", "Trần Thị Bình"]
