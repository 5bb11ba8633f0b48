"""Issuing certificates: kept in step with the awards (codes kept, new ones issued, withdrawn ones revoked),
co-authors' own certificates, unit and quiz awards, participation certificates, revocation, look-up by code, who
may see one, and the data a PDF is made from. The helpers at the top are shared by the other results page tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Invalid, NotFound
from contest.extensions import db
from contest.results import issuing
from contest.results.models import Award, Certificate, Publication, PublishedRank, ResultSettings
from tests import factories
from tests.judging_factories import COAUTHOR_NAME, gen_world
from tests.quiz_factories import T0, gen_contest, gen_round

NOW = T0 + timedelta(days=10)


# --- helpers (used by the page, verification and API tests too) -------------------------------------------------

def settings_of(contest, **fields) -> ResultSettings:
    settings = db.session.get(ResultSettings, contest.id)
    if settings is None:
        settings = ResultSettings(contest_id=contest.id)
        db.session.add(settings)
    for key, value in fields.items():
        setattr(settings, key, value)
    db.session.flush()
    return settings


def make_awards(contest, specs: list[dict]) -> list[Award]:
    """Award rows from dicts {tier, entry | user | unit, round, label}; replaces the contest's awards."""
    for award in db.session.scalars(select(Award).where(Award.contest_id == contest.id)):
        db.session.delete(award)
    awards = []
    for position, spec in enumerate(specs):
        award = Award(contest_id=contest.id, tier=spec["tier"], position=position, label=spec.get("label", ""),
                      entry_id=spec["entry"].id if spec.get("entry") else None,
                      user_id=spec["user"].id if spec.get("user") else None,
                      unit_id=spec["unit"].id if spec.get("unit") else None,
                      round_id=spec["round"].id if spec.get("round") else None)
        db.session.add(award)
        awards.append(award)
    db.session.flush()
    return awards


def publish(contest, specs: list[dict], actor, now=NOW, masking: str = "none") -> dict[int, list[Certificate]]:
    """The contest's results published with these awards: the settings' published_at, certificates synced, and a
    publication whose snapshot has the shape contest.results.services.published_results gives."""
    from contest.essays.models import Entry
    from contest.quiz.models import Round
    from contest.units.models import Unit

    awards = make_awards(contest, specs)
    settings_of(contest, published_at=now, name_masking=masking)
    certs = issuing.sync_award_certificates(contest, awards, actor, now)
    items = []
    for award in awards:
        codes = [c.code for c in certs[award.id]]
        entry = db.session.get(Entry, award.entry_id) if award.entry_id else None
        round_ = db.session.get(Round, award.round_id) if award.round_id else None
        unit = db.session.get(Unit, award.unit_id) if award.unit_id else None
        holders = [c for c in certs[award.id]]
        items.append({
            "id": award.id, "tier": award.tier, "label": award.label,
            "name": ", ".join(c.holder_name for c in holders if c.user_id) if not unit else unit.name,
            "unit": holders[0].unit_name if holders and not unit else "",
            "title": entry.title if entry else (round_.title if round_ else ""),
            "entry_code": entry.code if entry else None, "entry_id": entry.id if entry else None,
            "round_id": award.round_id, "round_title": round_.title if round_ else None,
            "user_ids": [c.user_id for c in holders if c.user_id], "unit_id": award.unit_id,
            "holder": "entry" if entry else ("unit" if unit else "user"),
            "public_entry": bool(entry and entry.publish_consent),
            "certificate_code": codes[0] if codes else None, "certificate_codes": codes})
    for old in db.session.scalars(select(Publication).where(Publication.contest_id == contest.id,
                                                            Publication.round_id.is_(None),
                                                            Publication.ended_at.is_(None))):
        old.ended_at, old.end_reason = now, "republished"
    db.session.add(Publication(contest_id=contest.id, published_at=now, published_by_id=actor.id, snapshot={
        "published_at": now.isoformat(), "contest": {"slug": contest.slug, "title": contest.title,
                                                     "kind": contest.kind}, "awards": items}))
    db.session.commit()
    return certs


def published_rank(round_, user, rank: int = 1, correct: int = 8, total: int = 10, unit_name: str = "Phường Ba Đình",
                   name: str | None = None) -> PublishedRank:
    row = PublishedRank(round_id=round_.id, user_id=user.id, rank=rank, name=name or user.full_name,
                        unit_id=user.unit_id, unit_name=unit_name, correct=correct, total=total,
                        submitted_at=T0, duration_ms=123_400, started_at=T0 - timedelta(minutes=5))
    db.session.add(row)
    db.session.commit()
    return row


def quiz_world(participation: bool = True, published: bool = True):
    """A quiz contest with one closed round, two members with published ranks and an organiser."""
    organiser = factories.gen_user(email="org@example.com", full_name="Lê Minh Châu", roles=["organiser"])
    unit = factories.gen_unit("Phường Ba Đình")
    winner = factories.gen_user(email="an@example.com", full_name="Nguyễn Thị Ánh Tuyết", unit=unit)
    other = factories.gen_user(email="binh@example.com", full_name="Trần Văn Bình", unit=unit)
    contest = gen_contest(title="Tìm hiểu Bác Hồ với thanh niên")
    round_ = gen_round(contest, title="Tuần 1", opens_at=T0 - timedelta(days=7), closes_at=T0 - timedelta(days=1))
    if published:
        round_.published_at = T0
    settings_of(contest, participation_certificates=participation)
    db.session.commit()
    published_rank(round_, winner, rank=1, correct=10)
    published_rank(round_, other, rank=2, correct=7)
    return {"contest": contest, "round": round_, "winner": winner, "other": other, "organiser": organiser,
            "unit": unit}


def codes(certs) -> list[str]:
    return [c.code for c in certs]


# --- award certificates ----------------------------------------------------------------------------------------

def test_each_holder_gets_a_certificate_coauthors_their_own(app):
    world = gen_world(entries=3, judges=1)
    first, second = world.entries[0], world.entries[1]
    certs = publish(world.contest, [{"tier": "first", "entry": first}, {"tier": "second", "entry": second}],
                    world.organiser)
    awards = db.session.scalars(select(Award).where(Award.contest_id == world.contest.id)
                                .order_by(Award.position)).all()
    together = certs[awards[0].id]
    assert [c.holder_name for c in together] == [world.writers[0].full_name, COAUTHOR_NAME]
    assert [c.user_id for c in together] == [world.writers[0].id, world.coauthor.id]
    assert len(set(codes(together))) == 2
    assert all(c.code.startswith("GCN-") and len(c.code) == 12 for c in together)
    author, coauthor = together
    assert author.unit_name == world.units[0].name and coauthor.unit_name == world.units[1].name
    assert author.detail == first.title and author.contest_title == world.contest.title
    assert author.tier == "first" and author.entry_id == first.id and author.kind == "award"
    assert [c.user_id for c in certs[awards[1].id]] == [world.writers[1].id]
    assert issuing.award_label(author, "en") == "First prize"
    assert issuing.award_label(author, "vi") == "Giải Nhất"


def test_sync_keeps_unchanged_codes_issues_new_ones_and_revokes_withdrawn(app):
    world = gen_world(entries=3, judges=1)
    e0, e1, e2 = world.entries
    first = publish(world.contest, [{"tier": "first", "entry": e0}, {"tier": "second", "entry": e1}],
                    world.organiser)
    award_ids = list(first)
    before = {aid: codes(c) for aid, c in first.items()}

    # The same awards again: nothing new, nothing revoked.
    again = issuing.sync_award_certificates(world.contest, [db.session.get(Award, a) for a in award_ids],
                                            world.organiser, NOW + timedelta(hours=1))
    assert {aid: codes(c) for aid, c in again.items()} == before
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 3

    # e1's award withdrawn, e2 gets a third prize, e0's award unchanged.
    kept_award = db.session.get(Award, award_ids[0])
    third = Award(contest_id=world.contest.id, tier="third", position=5, entry_id=e2.id)
    db.session.add(third)
    db.session.delete(db.session.get(Award, award_ids[1]))
    db.session.flush()
    later = NOW + timedelta(days=1)
    result = issuing.sync_award_certificates(world.contest, [kept_award, third], world.organiser, later)
    db.session.commit()
    assert codes(result[kept_award.id]) == before[award_ids[0]]
    assert [c.user_id for c in result[third.id]] == [world.writers[2].id]
    assert result[third.id][0].code not in sum(before.values(), [])
    withdrawn = db.session.scalar(select(Certificate).where(Certificate.code == before[award_ids[1]][0]))
    assert withdrawn.revoked_at is not None and withdrawn.revoked_reason == "award withdrawn"
    assert withdrawn.revoked_by_id == world.organiser.id
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate_revoked")).all()
    assert [a.details["code"] for a in audits] == [withdrawn.code]


def test_a_changed_tier_or_holder_gets_a_new_certificate(app):
    world = gen_world(entries=2, judges=1)
    certs = publish(world.contest, [{"tier": "second", "entry": world.entries[1]}], world.organiser)
    award = db.session.get(Award, next(iter(certs)))
    old = certs[award.id][0]
    award.tier = "first"
    db.session.flush()
    new = issuing.sync_award_certificates(world.contest, [award], world.organiser, NOW)[award.id]
    assert new[0].code != old.code and new[0].tier == "first"
    assert old.revoked_at is not None and old.revoked_reason == "award changed"


def test_quiz_and_unit_awards(app):
    w = quiz_world()
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]},
                                   {"tier": "special", "unit": w["unit"], "label": "Giải Đơn vị xuất sắc"}],
                    w["organiser"])
    person, unit = (certs[a][0] for a in certs)
    assert (person.holder_name, person.unit_name, person.detail) == ("Nguyễn Thị Ánh Tuyết", "Phường Ba Đình",
                                                                     "Tuần 1")
    assert person.round_id == w["round"].id
    assert (unit.holder_name, unit.user_id, unit.unit_id) == ("Phường Ba Đình", None, w["unit"].id)
    assert issuing.award_label(unit, "en") == "Giải Đơn vị xuất sắc"  # a named prize keeps its name


# --- who may see, look-up --------------------------------------------------------------------------------------

def test_award_certificates_are_public_only_while_results_are_published(app):
    w = quiz_world()
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]}], w["organiser"])
    cert = next(iter(certs.values()))[0]
    assert issuing.certificate_is_public(cert)
    settings_of(w["contest"], published_at=None)
    assert not issuing.certificate_is_public(cert)
    with pytest.raises(NotFound):
        issuing.public_certificate(cert.code)
    assert issuing.may_download(cert, w["organiser"])
    assert not issuing.may_download(cert, w["winner"])


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "  {spaced}  ", "{nodash}", "{dashes}"])
def test_codes_are_found_whatever_the_case_spaces_or_dashes(app, typed):
    w = quiz_world()
    cert = next(iter(publish(w["contest"], [{"tier": "first", "user": w["winner"]}], w["organiser"]).values()))[0]
    code = cert.code
    value = typed.format(code=code, lower=code.lower(), spaced=" ".join(code), nodash=code.replace("-", ""),
                         dashes=code[:6] + "-" + code[6:])
    assert issuing.find_certificate(value) is cert


@pytest.mark.parametrize("value", ["", "GCN", "GCN-1234", "GCN-ABCDEFGH'; --", "x" * 200, None])
def test_nonsense_codes_find_nothing(app, value):
    assert issuing.find_certificate(value) is None


# --- participation ---------------------------------------------------------------------------------------------

def test_participation_certificate_once_per_member_and_round(app):
    w = quiz_world()
    cert = issuing.issue_participation(w["round"], w["winner"], w["winner"], now=NOW)
    db.session.commit()
    assert cert.kind == "participation" and cert.round_id == w["round"].id and cert.detail == "Tuần 1"
    assert cert.holder_name == "Nguyễn Thị Ánh Tuyết" and cert.unit_name == "Phường Ba Đình"
    assert issuing.certificate_is_public(cert)
    same = issuing.issue_participation(w["round"], w["winner"], w["winner"], now=NOW + timedelta(days=1))
    assert same.id == cert.id
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 1
    assert issuing.award_label(cert, "en") == "Certificate of participation"
    w["round"].published_at = None
    assert not issuing.certificate_is_public(cert)


def test_participation_race_returns_the_first_certificate(app, monkeypatch):
    """Two requests at once (SQLite has no row lock): the second one's insert meets the unique index and it answers
    with the first one's certificate; the database never holds two."""
    w = quiz_world()
    first = issuing.issue_participation(w["round"], w["winner"], w["winner"], now=NOW)
    db.session.commit()
    real = issuing.participation_certificate
    calls = []

    def missed_once(round_, user):  # the racing request looked before the first one committed
        calls.append(1)
        return None if len(calls) == 1 else real(round_, user)

    monkeypatch.setattr(issuing, "participation_certificate", missed_once)
    second = issuing.issue_participation(w["round"], w["winner"], w["winner"], now=NOW)
    db.session.commit()
    assert second.id == first.id and len(calls) == 2
    assert db.session.scalar(select(db.func.count()).select_from(Certificate).where(
        Certificate.kind == "participation", Certificate.user_id == w["winner"].id)) == 1


def test_participation_refusals(app):
    w = quiz_world(participation=False)
    with pytest.raises(Conflict) as exc:
        issuing.issue_participation(w["round"], w["winner"], w["winner"])
    assert exc.value.code == "participation_not_offered"
    settings_of(w["contest"], participation_certificates=True)
    w["round"].published_at = None
    with pytest.raises(Conflict) as exc:
        issuing.issue_participation(w["round"], w["winner"], w["winner"])
    assert exc.value.code == "round_not_published"
    w["round"].published_at = T0
    stranger = factories.gen_user(email="stranger@example.com")
    with pytest.raises(NotFound) as exc:
        issuing.issue_participation(w["round"], stranger, stranger)
    assert exc.value.code == "no_result"
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 0


# --- revocation ------------------------------------------------------------------------------------------------

def test_revoke_needs_a_reason_is_audited_and_refused_twice(app):
    w = quiz_world()
    cert = next(iter(publish(w["contest"], [{"tier": "first", "user": w["winner"]}], w["organiser"]).values()))[0]
    for reason in (None, "", "   "):
        with pytest.raises(Invalid) as exc:
            issuing.revoke(cert, w["organiser"], reason)
        assert exc.value.code == "reason_required" and "reason" in exc.value.fields
    assert cert.revoked_at is None
    issuing.revoke(cert, w["organiser"], "  Gian lận khi làm bài  ", now=NOW)
    db.session.commit()
    assert cert.revoked_reason == "Gian lận khi làm bài" and cert.revoked_by_id == w["organiser"].id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate_revoked"))
    assert entry.actor_id == w["organiser"].id and entry.target_id == str(cert.id)
    assert entry.details["reason"] == "Gian lận khi làm bài"
    with pytest.raises(Conflict) as exc:
        issuing.revoke(cert, w["organiser"], "lần nữa")
    assert exc.value.code == "already_revoked"
    assert cert.revoked_reason == "Gian lận khi làm bài"


# --- what the PDF prints ---------------------------------------------------------------------------------------

def test_certificate_data_in_each_language(app):
    w = quiz_world()
    settings_of(w["contest"], signer_name="Trần Văn Minh", organisation="BAN TUYÊN GIÁO", place="Hà Nội")
    cert = next(iter(publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]}],
                             w["organiser"]).values()))[0]
    vi = issuing.certificate_data(cert, "vi")
    assert vi.verify_url == f"http://localhost/verify/{cert.code}"
    assert (vi.holder_name, vi.award_label, vi.detail, vi.unit_name) == ("Nguyễn Thị Ánh Tuyết", "Giải Nhất",
                                                                         "Tuần 1", "Phường Ba Đình")
    assert (vi.signer_name, vi.organisation, vi.place, vi.language) == ("Trần Văn Minh", "BAN TUYÊN GIÁO",
                                                                        "Hà Nội", "vi")
    assert vi.issued_on == (NOW + timedelta(hours=7)).date() and not vi.revoked
    en = issuing.certificate_data(cert, "en")
    assert en.award_label == "First prize" and en.language == "en"
    issuing.revoke(cert, w["organiser"], "Sai sót")
    assert issuing.certificate_data(cert, "vi").revoked
    part = issuing.issue_participation(w["round"], w["other"], w["other"])
    data = issuing.certificate_data(part, "en")
    assert data.award_label == "Took part" and data.labels == {"achievement": ""}


def test_the_issue_date_is_the_date_in_ha_noi():
    from datetime import UTC, date, datetime

    assert issuing.local_date(datetime(2026, 5, 28, 17, 0, tzinfo=UTC)) == date(2026, 5, 29)
    assert issuing.local_date(datetime(2026, 5, 28, 16, 59, tzinfo=UTC)) == date(2026, 5, 28)


def test_a_revoked_certificate_of_a_kept_award_is_issued_again_with_the_current_name(app):
    w = quiz_world()
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]}], w["organiser"])
    award_id, [old] = next(iter(certs.items()))
    w["winner"].full_name = "Nguyễn Thị Ánh Tuyết Mai"  # the name was misspelt
    issuing.revoke(old, w["organiser"], "Sai tên")
    again = issuing.sync_award_certificates(w["contest"], [db.session.get(Award, award_id)], w["organiser"], NOW)
    [new] = again[award_id]
    assert new.code != old.code and new.holder_name == "Nguyễn Thị Ánh Tuyết Mai"
    assert old.revoked_reason == "Sai tên"
    # Kept afterwards, however often it is published again.
    assert codes(issuing.sync_award_certificates(w["contest"], [db.session.get(Award, award_id)],
                                                 w["organiser"], NOW)[award_id]) == [new.code]
