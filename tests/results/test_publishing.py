"""Publishing a contest's results: the checks (open contest, unfinished quiz round, no awards), the frozen
snapshot (a change afterwards shows only after publishing again), certificates issued on publication, unpublishing,
and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Invalid, NotFound
from contest.extensions import db
from contest.results import services
from contest.results.models import Certificate, Publication
from tests import factories
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


# --- the organiser's page ---------------------------------------------------------------------------------

def _page(app, world, **query):
    return app.test_client(user=world.organiser).get(f"/organiser/contests/{world.contest.slug}/results",
                                                     query_string=query)


def test_results_page_is_for_organisers(app, member_client, client):
    world = scored_essay(final=False)
    path = f"/organiser/contests/{world.contest.slug}/results"
    assert member_client.get(path).status_code == 403
    assert client.get(path).status_code == 302  # to sign in
    assert app.test_client(user=world.organiser).get("/organiser/contests/khong-co/results").status_code == 404


def test_results_page_proposal_publish_and_change(app):
    world = scored_essay()
    org = app.test_client(user=world.organiser)
    base = f"/organiser/contests/{world.contest.slug}/results"
    page = _page(app, world).get_data(as_text=True)
    assert 'data-testid="not-published"' in page and 'data-testid="no-awards"' in page
    page = _page(app, world, proposal="1").get_data(as_text=True)
    assert world.entries[1].code in page and 'data-testid="confirm-proposal"' in page
    digest = services.proposal_digest(services.proposal(world.contest))
    assert f'name="digest" value="{digest}"' in page
    # A proposal that is no longer what the ranking gives is not confirmed.
    resp = org.post(base + "/proposal", data={"digest": "0" * 16})
    assert resp.status_code == 302 and "proposal=1" in resp.headers["Location"]
    assert services.awards_of(world.contest) == []
    resp = org.post(base + "/proposal", data={"digest": digest})
    assert resp.status_code == 302
    assert len(services.awards_of(world.contest)) == 6
    assert org.post(base + "/publish").status_code == 302
    page = _page(app, world).get_data(as_text=True)
    assert 'data-testid="published"' in page and 'data-testid="awards-changed"' not in page
    code = services.published_results(world.contest)["awards"][0]["certificate_code"]
    assert code in page
    award = services.awards_of(world.contest)[-1]
    assert org.post(f"{base}/awards/{award.id}/remove").status_code == 302
    assert 'data-testid="awards-changed"' in _page(app, world).get_data(as_text=True)
    assert org.post(f"{base}/awards/999999/remove").status_code == 404
    assert org.post(base + "/unpublish").status_code == 302
    assert services.current_publication(world.contest.id) is None


def test_adding_an_award_by_hand_and_its_errors(app):
    world = scored_essay(final=False)
    org = app.test_client(user=world.organiser)
    base = f"/organiser/contests/{world.contest.slug}/results"
    resp = org.post(base + "/awards", data={"award-tier": "special", "award-entry_code": world.entries[2].code,
                                            "award-label": "Giải đặc biệt của Ban tổ chức"})
    assert resp.status_code == 302
    resp = org.post(base + "/awards", data={"award-tier": "first", "award-unit_id": str(world.units[0].id)})
    assert resp.status_code == 302
    assert [(a.tier, a.label, a.unit_id) for a in services.awards_of(world.contest)] == [
        ("special", "Giải đặc biệt của Ban tổ chức", None), ("first", "", world.units[0].id)]
    resp = org.post(base + "/awards", data={"award-tier": "first", "award-entry_code": "KHONG-CO"})
    assert resp.status_code == 422 and "KHONG-CO" in resp.get_data(as_text=True)
    resp = org.post(base + "/awards", data={"award-tier": "first", "award-entry_code": world.entries[2].code})
    assert resp.status_code == 422  # already awarded
    assert len(services.awards_of(world.contest)) == 2


def test_publishing_an_open_contest_from_the_page_says_why(app, clock):
    contest = gen_essay_contest(opens_at=T0 - timedelta(days=1), closes_at=T0 + timedelta(days=1))
    organiser = factories.gen_user(roles=["organiser"])
    org = app.test_client(user=organiser)
    resp = org.post(f"/organiser/contests/{contest.slug}/results/publish", follow_redirects=True)
    assert resp.status_code == 200 and "flash-error" in resp.get_data(as_text=True)
    assert services.current_publication(contest.id) is None and _audit("results_published") == []


def test_settings_form(app):
    world = scored_essay(final=False)
    org = app.test_client(user=world.organiser)
    base = f"/organiser/contests/{world.contest.slug}/results"
    data = {"settings-count_special": "1", "settings-count_first": "2", "settings-count_second": "0",
            "settings-count_third": "0", "settings-count_consolation": "5", "settings-name_masking": "initials",
            "settings-signer_title": "TM. BAN TỔ CHỨC", "settings-signer_name": "Nguyễn Văn Ký",
            "settings-organisation": "Thành ủy Hà Nội", "settings-place": "Hà Nội"}
    assert org.post(base + "/settings", data=data).status_code == 302
    settings = services.settings_for(world.contest)
    assert services.award_counts(settings) == {"special": 1, "first": 2, "second": 0, "third": 0,
                                               "consolation": 5}
    assert settings.name_masking == "initials" and settings.signer_name == "Nguyễn Văn Ký"
    resp = org.post(base + "/settings", data={**data, "settings-count_first": "5000",
                                              "settings-signer_name": "Khác"})
    assert resp.status_code == 422
    assert services.settings_for(world.contest).signer_name == "Nguyễn Văn Ký"
    page = _page(app, world).get_data(as_text=True)
    assert "N. V. A." in page  # the masking choices show an example


def test_contest_page_links(app, member_client):
    world = scored_essay(final=False)
    path = f"/contests/{world.contest.slug}"
    org_page = app.test_client(user=world.organiser).get(path).get_data(as_text=True)
    assert f'/organiser/contests/{world.contest.slug}/results"' in org_page
    assert 'data-testid="contest-results-admin"' in org_page and 'data-testid="contest-results"' not in org_page
    assert f'href="/organiser/contests/{world.contest.slug}/dashboard"' in org_page
    page = member_client.get(path).get_data(as_text=True)
    assert 'data-testid="contest-results' not in page
    services.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[1].code}])
    services.publish_contest(world.contest, world.organiser)
    db.session.commit()
    page = member_client.get(path).get_data(as_text=True)
    assert f'href="/contests/{world.contest.slug}/results"' in page and "contest-results-admin" not in page
    assert 'data-testid="contest-results"' in app.test_client().get(path).get_data(as_text=True)


def test_quiz_results_page(app, unit, organiser):
    from tests.results.test_awards import _contest_of, final_quiz

    round_, _open, members = final_quiz(unit)
    contest = _contest_of(round_)
    org = app.test_client(user=organiser)
    base = f"/organiser/contests/{contest.slug}/results"
    page = org.get(base, query_string={"proposal": "1"}).get_data(as_text=True)
    assert members[0].full_name in page and 'name="award-email"' in page and "settings-count_first" not in page
    resp = org.post(base + "/awards", data={"award-tier": "special", "award-email": members[4].email,
                                            "award-round_id": str(round_.id), "award-label": "Giải may mắn"})
    assert resp.status_code == 302
    assert [(a.tier, a.user_id, a.round_id) for a in services.awards_of(contest)] == [
        ("special", members[4].id, round_.id)]
    resp = org.post(base + "/awards", data={"award-tier": "first", "award-email": "khong-co@example.com"})
    assert resp.status_code == 422
    resp = org.post(base + "/settings", data={"settings-name_masking": "partial", "settings-place": "Hà Nội",
                                              "settings-participation_certificates": "y"})
    assert resp.status_code == 302
    settings = services.settings_for(contest)
    assert settings.name_masking == "partial" and settings.participation_certificates is True
    assert services.award_counts(settings)["consolation"] == 10  # untouched


def test_publishing_refuses_awards_that_no_longer_hold(app):
    world = scored_essay()
    services.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[1].code},
                                        {"tier": "second", "entry_code": world.entries[2].code}])
    world.entries[2].status = "disqualified"
    db.session.commit()
    with pytest.raises(Invalid) as info:
        services.publish_contest(world.contest, world.organiser)
    assert info.value.code == "invalid_awards" and set(info.value.fields) == {"awards.1.entry_code"}
    db.session.rollback()
    assert services.current_publication(world.contest.id) is None
