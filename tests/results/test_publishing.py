"""Publishing a contest's results: the checks (open contest, unfinished quiz round, no awards), the frozen
snapshot (a change afterwards shows only after publishing again), certificates issued on publication, unpublishing,
and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, NotFound
from contest.extensions import db
from contest.results import services
from contest.results.models import Certificate, Publication
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.quiz_factories import T0
from tests.results.test_awards import _contest_of, final_quiz, scored_essay


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_publish_freezes_the_awards_and_republish_shows_changes(app):
    world = scored_essay()
    e, contest, organiser = world.entries, world.contest, world.organiser
    services.set_awards(contest, [{"tier": "first", "entry_code": e[0].code},
                                  {"tier": "second", "entry_code": e[1].code}], organiser)
    db.session.commit()
    with pytest.raises(NotFound):
        services.published_results(contest)
    assert services.awards_changed_since_publication(contest) is False
    publication = services.publish_contest(contest, organiser)
    db.session.commit()
    snapshot = services.published_results(contest)
    assert snapshot["contest"] == {"slug": contest.slug, "title": contest.title, "kind": "essay"}
    assert snapshot["published_at"] == publication.published_at.isoformat()
    assert services.settings_for(contest).published_at is not None
    first = snapshot["awards"][0]
    assert (first["tier"], first["entry_code"], first["holder"]) == ("first", e[0].code, "entry")
    assert first["name"] == f"{world.writers[0].full_name}, {world.coauthor.full_name}"
    # Certificates for the author and the co-author, the first holder's code shown.
    certs = db.session.scalars(select(Certificate).where(Certificate.award_id == first["id"])
                               .order_by(Certificate.id)).all()
    assert [c.user_id for c in certs] == [world.writers[0].id, world.coauthor.id]
    assert first["certificate_codes"] == [c.code for c in certs] and first["certificate_code"] == certs[0].code

    # A change after publishing is not public until published again.
    services.set_awards(contest, [{"tier": "first", "entry_code": e[0].code},
                                  {"tier": "third", "entry_code": e[1].code}], organiser)
    db.session.commit()
    assert services.awards_changed_since_publication(contest) is True
    assert [a["tier"] for a in services.published_results(contest)["awards"]] == ["first", "second"]
    services.publish_contest(contest, organiser, now=publication.published_at + timedelta(hours=1))
    db.session.commit()
    assert [a["tier"] for a in services.published_results(contest)["awards"]] == ["first", "third"]
    assert services.awards_changed_since_publication(contest) is False
    # The unchanged award keeps its certificates; the history keeps the first publication, ended.
    assert services.published_results(contest)["awards"][0]["certificate_codes"] == first["certificate_codes"]
    history = db.session.scalars(select(Publication).order_by(Publication.id)).all()
    assert [(p.end_reason, p.ended_at is None) for p in history] == [("republished", False), ("", True)]
    assert history[0].snapshot["awards"][1]["tier"] == "second"
    assert [(a.details["republished"], a.actor_id) for a in _audit("results_published")] == [
        (False, organiser.id), (True, organiser.id)]


def test_unpublish_hides_the_results_and_keeps_certificates(app):
    world = scored_essay()
    contest = world.contest
    services.set_awards(contest, [{"tier": "first", "entry_code": world.entries[1].code}])
    services.publish_contest(contest, world.organiser)
    db.session.commit()
    services.unpublish_contest(contest, world.organiser)
    db.session.commit()
    with pytest.raises(NotFound):
        services.published_results(contest)
    assert services.settings_for(contest).published_at is None
    assert services.current_publication(contest.id) is None
    assert db.session.scalar(select(Publication)).end_reason == "unpublished"
    assert db.session.scalar(select(Certificate)).revoked_at is None
    assert services.unpublish_contest(contest, world.organiser) is None  # nothing to hide: nothing recorded
    db.session.commit()
    assert [e.details["published_at"] is not None for e in _audit("results_unpublished")] == [True]


def test_an_open_writing_contest_cannot_be_published(app, clock):
    contest = gen_essay_contest(opens_at=T0 - timedelta(days=1), closes_at=T0 + timedelta(days=1))
    entry = gen_entry(contest, status="submitted")
    services.set_awards(contest, [{"tier": "first", "entry_code": entry.code}])
    with pytest.raises(Conflict) as info:
        services.publish_contest(contest)
    assert info.value.code == "contest_open"
    clock.set(T0 + timedelta(days=1))
    services.publish_contest(contest)
    assert services.is_published(contest)


def test_no_awards_no_publication(app):
    world = scored_essay(final=False)
    with pytest.raises(Conflict) as info:
        services.publish_contest(world.contest)
    assert info.value.code == "no_awards"
    assert _audit("results_published") == []


def test_quiz_publication_waits_for_the_rounds_holding_awards(app, unit):
    round_, open_round, members = final_quiz(unit)
    contest = _contest_of(round_)
    services.set_awards(contest, [{"tier": "first", "user_id": members[0].id, "round_id": round_.id}])
    from tests.quiz.board_factories import gen_attempt
    gen_attempt(open_round, members[1], correct=5)
    db.session.commit()
    services.publish_contest(contest)  # the closed round is finalised on the way
    items = services.published_results(contest)["awards"]
    assert [(i["holder"], i["user_ids"], i["round_title"], i["title"]) for i in items] == [
        ("user", [members[0].id], round_.title, round_.title)]
    assert items[0]["certificate_code"]
    services.set_awards(contest, [{"tier": "first", "user_id": members[0].id, "round_id": round_.id},
                                  {"tier": "second", "user_id": members[1].id, "round_id": open_round.id}])
    with pytest.raises(Conflict) as info:
        services.publish_contest(contest)
    assert info.value.code == "contest_open"
