"""Contest services: creating and editing contests, slugs, times, drafts and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from contest.contests import services
from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Forbidden, Invalid, NotFound
from contest.extensions import db
from tests import factories
from tests.quiz_factories import T0, gen_contest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}  # the messages below are compared in English


def data(**overrides) -> dict:
    base = {"slug": "hoc-tap-2026", "kind": "quiz", "title": "  Tìm hiểu   tư tưởng Hồ Chí Minh ",
            "description": "Dòng một\r\n\r\nDòng hai   ", "opens_at": "2026-05-19T08:00:00+07:00",
            "closes_at": "2026-06-19T08:00:00+07:00"}
    base.update(overrides)
    return base


def fields_of(caught) -> dict:
    return {k: [str(m) for m in v] for k, v in caught.value.fields.items()}


def test_create_a_contest(app, organiser):
    contest = services.create_contest(data(), organiser)
    db.session.commit()
    assert contest.title == "Tìm hiểu tư tưởng Hồ Chí Minh"
    assert contest.description == "Dòng một\n\nDòng hai"
    assert contest.status == "announced"
    assert contest.opens_at == T0 and contest.closes_at == datetime(2026, 6, 19, 1, tzinfo=UTC)
    assert contest.created_by_id == organiser.id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contest_created")).one()
    assert entry.details["slug"] == "hoc-tap-2026" and entry.actor_id == organiser.id


def test_title_is_nfc(app, organiser):
    decomposed = "Ho\u0302\u0300 Chi\u0301 Minh"
    contest = services.create_contest(data(title=decomposed), organiser)
    assert contest.title == "Hồ Chí Minh"


@pytest.mark.parametrize("slug", ["Hoc-Tap", "học-tập", "hoc tap", "-hoc", "hoc--tap", "hoc-", "", "a" * 81])
def test_slugs_are_lower_case_ascii_words(app, organiser, slug):
    with pytest.raises(Invalid) as caught:
        services.create_contest(data(slug=slug), organiser)
    assert "slug" in caught.value.fields


def test_a_slug_is_taken_once(app, organiser):
    services.create_contest(data(), organiser)
    with pytest.raises(Conflict) as caught:
        services.create_contest(data(title="Khác"), organiser)
    assert caught.value.code == "slug_taken"


def test_every_bad_field_is_named(app, organiser):
    with pytest.raises(Invalid) as caught:
        services.create_contest({"slug": "x y", "kind": "poem", "title": "", "status": "secret",
                                 "opens_at": "tomorrow", "unit_id": 999}, organiser)
    assert set(fields_of(caught)) == {"slug", "kind", "title", "status", "opens_at", "unit_id"}


def test_closing_comes_after_opening_and_times_need_an_offset(app, organiser):
    with pytest.raises(Invalid) as caught:
        services.create_contest(data(closes_at="2026-05-19T08:00:00+07:00"), organiser)
    assert list(fields_of(caught)) == ["closes_at"]
    with pytest.raises(Invalid) as caught:
        services.create_contest(data(opens_at="2026-05-19T08:00:00"), organiser)
    assert "offset" in fields_of(caught)["opens_at"][0]
    contest = services.create_contest(data(opens_at=None, closes_at=None), organiser)
    assert contest.opens_at is None


def test_aware_datetimes_are_accepted_in_any_zone(app, organiser):
    hanoi = timezone(timedelta(hours=7))
    contest = services.create_contest(data(opens_at=datetime(2026, 5, 19, 8, tzinfo=hanoi)), organiser)
    assert contest.opens_at == T0


def test_only_organisers_create_and_edit(app, member, organiser, admin):
    with pytest.raises(Forbidden):
        services.create_contest(data(), member)
    contest = services.create_contest(data(), admin)
    with pytest.raises(Forbidden):
        services.update_contest(contest, {"title": "x"}, member)


def test_update_changes_only_what_is_given_and_logs_it(app, organiser):
    contest = services.create_contest(data(), organiser)
    services.update_contest(contest, {"title": "Tên mới", "status": "draft", "closes_at": None}, organiser)
    db.session.commit()
    assert (contest.title, contest.status, contest.closes_at, contest.slug) == ("Tên mới", "draft", None,
                                                                                "hoc-tap-2026")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contest_updated")).one()
    assert set(entry.details["changes"]) == {"title", "status", "closes_at"}
    with pytest.raises(Invalid):
        services.update_contest(contest, {"opens_at": "2026-07-01T00:00:00+07:00",
                                          "closes_at": "2026-06-01T00:00:00+07:00"}, organiser)


def test_renaming_onto_a_taken_slug_is_a_conflict(app, organiser):
    first = services.create_contest(data(), organiser)
    second = services.create_contest(data(slug="khac"), organiser)
    services.update_contest(first, {"slug": "hoc-tap-2026"}, organiser)  # its own slug
    with pytest.raises(Conflict):
        services.update_contest(second, {"slug": "hoc-tap-2026"}, organiser)


def test_drafts_are_for_organisers_only(app, member, organiser):
    gen_contest(slug="cong-khai")
    gen_contest(slug="ban-nhap", status="draft")
    assert [c.slug for c in services.visible_contests(member)] == ["cong-khai"]
    assert [c.slug for c in services.visible_contests(None)] == ["cong-khai"]
    assert {c.slug for c in services.visible_contests(organiser)} == {"cong-khai", "ban-nhap"}
    assert services.get_contest_for("ban-nhap", organiser).slug == "ban-nhap"
    for user in (member, None):
        with pytest.raises(NotFound):
            services.get_contest_for("ban-nhap", user)
    with pytest.raises(NotFound):
        services.get_contest_for("khong-co", organiser)


def test_contests_with_rounds_stay_quizzes(app, organiser):
    from tests.quiz_factories import gen_round

    round_ = gen_round(questions=False)
    with pytest.raises(Invalid) as caught:
        services.update_contest(round_.contest, {"kind": "essay"}, organiser)
    assert "kind" in caught.value.fields


def test_state_and_unit_restriction(app):
    contest = gen_contest(opens_at=T0, closes_at=T0 + timedelta(days=1))
    assert services.contest_state(contest, T0 - timedelta(seconds=1)) == "upcoming"
    assert services.contest_state(contest, T0) == "open"
    assert services.contest_state(contest, T0 + timedelta(days=1)) == "closed"
    ward = factories.gen_unit("Phường Ngọc Hà")
    cell = factories.gen_unit("Chi bộ Đội Cấn", parent=ward)
    local = gen_contest(unit=ward)
    assert services.may_take_part(local, factories.gen_user(unit=cell))
    assert services.may_take_part(local, factories.gen_user(unit=ward))
    assert not services.may_take_part(local, factories.gen_user())
    assert services.may_take_part(contest, factories.gen_user())
