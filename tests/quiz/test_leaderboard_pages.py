"""The result pages: a round's leaderboard and unit leaderboard, and the organiser's results and report pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest.core.clock import as_utc, utcnow
from contest.extensions import db
from contest.quiz.models import Round
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_members,
    gen_round,
    gen_versions,
)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}


def fill(round_, unit, n: int = 3, versions=None):
    members = gen_members(n, unit)
    base = as_utc(round_.opens_at) + timedelta(hours=1)
    questions = [{"v": v.id, "o": "abcd"} for v in versions or ()]
    for i, m in enumerate(members):
        gen_attempt(round_, m, correct=max(0, 10 - i), submitted_at=base + timedelta(minutes=i), prediction=i,
                    questions=questions, answers={1: "a" if i % 2 else "b"} if questions else None)
    db.session.commit()
    return members


def assert_csp_clean(html: str) -> None:
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"


def test_a_published_board_is_public(client, unit):
    round_ = gen_round(prediction=True)
    members = fill(round_, unit)
    round_.published_at = utcnow()
    db.session.commit()
    resp = client.get(f"/rounds/{round_.id}/leaderboard")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert_csp_clean(html)
    assert all(m.full_name in html for m in members)
    assert 'data-testid="published-at"' in html
    assert 'data-testid="live-banner"' not in html
    assert html.index(members[0].full_name) < html.index(members[1].full_name)


def test_a_live_board_says_the_prediction_is_applied_after_close(app, unit):
    round_ = gen_round(state="open", live_leaderboard=True, prediction=True)
    members = fill(round_, unit)
    html = app.test_client(user=members[1]).get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert 'data-testid="live-banner"' in html and "prediction tiebreak" in html
    assert 'data-testid="my-rank"' in html and "2 of 3" in html
    assert 'data-testid="my-row"' in html
    assert_csp_clean(html)


def test_anonymous_readers_sign_in_for_a_live_board_and_never_learn_of_a_hidden_one(client, app, unit):
    live = gen_round(state="open", live_leaderboard=True)
    resp = client.get(f"/rounds/{live.id}/leaderboard")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    hidden = gen_round()
    assert client.get(f"/rounds/{hidden.id}/leaderboard").status_code == 404
    assert client.get(f"/rounds/{hidden.id}/units").status_code == 404
    [member] = gen_members(1, unit)
    member_client = app.test_client(user=member)
    assert member_client.get(f"/rounds/{hidden.id}/leaderboard").status_code == 403
    assert member_client.get(f"/rounds/{hidden.id}/units").status_code == 403
    assert client.get("/rounds/9999/leaderboard").status_code == 404


def test_the_board_is_paginated(organiser_client, unit):
    round_ = gen_round(state="open")
    fill(round_, unit, 53)
    html = organiser_client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)
    assert html.count("data-rank=") == 50 and 'data-testid="page-next"' in html
    html = organiser_client.get(f"/rounds/{round_.id}/leaderboard?page=2").get_data(as_text=True)
    assert re.findall(r'data-rank="(\d+)"', html) == ["51", "52", "53"]
    assert organiser_client.get(f"/rounds/{round_.id}/leaderboard?page=x").status_code == 200


def test_unit_leaderboard_page(client, unit):
    round_ = gen_round(published_at=utcnow())
    fill(round_, unit, 2)
    resp = client.get(f"/rounds/{round_.id}/units")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert unit.name in html and "<meter" in html and 'data-testid="sort-rate"' in html
    assert_csp_clean(html)
    assert client.get(f"/rounds/{round_.id}/units?sort=rate").status_code == 200


def test_results_page_for_organisers(organiser_client, client, app, unit):
    round_ = gen_round(prediction=True, prizes={"first": 1, "second": 1, "third": 0, "consolation": 0})
    members = fill(round_, unit, 4)
    resp = organiser_client.get(f"/organiser/rounds/{round_.id}/results")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert_csp_clean(html)
    assert 'data-testid="prizes"' in html and 'data-tier="first"' in html and 'data-tier="second"' in html
    assert 'data-testid="award-participants"' in html and 'data-testid="publish"' in html
    assert 'name="csrf_token"' in html
    assert members[0].full_name in html
    [member] = gen_members(1, unit)
    assert app.test_client(user=member).get(f"/organiser/rounds/{round_.id}/results").status_code == 403
    assert client.get(f"/organiser/rounds/{round_.id}/results").status_code == 302


def test_publish_and_unpublish_with_the_forms(organiser_client, unit):
    round_ = gen_round()
    fill(round_, unit)
    resp = organiser_client.post(f"/organiser/rounds/{round_.id}/publish")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).published_at is not None
    html = organiser_client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'data-testid="unpublish"' in html and "Publish again" in html
    organiser_client.post(f"/organiser/rounds/{round_.id}/unpublish")
    db.session.expire_all()
    assert db.session.get(Round, round_.id).published_at is None


def test_publishing_an_open_round_from_the_page_is_refused(organiser_client):
    round_ = gen_round(state="open")
    resp = organiser_client.post(f"/organiser/rounds/{round_.id}/publish")
    assert resp.status_code == 409
    html = organiser_client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'data-testid="publish"' not in html


def test_the_publish_form_needs_its_csrf_token(app, organiser):
    round_ = gen_round()
    app.config["WTF_CSRF_ENABLED"] = True
    resp = app.test_client(user=organiser).post(f"/organiser/rounds/{round_.id}/publish")
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(Round, round_.id).published_at is None


def test_report_page(organiser_client, app, unit):
    round_ = gen_round()
    versions = gen_versions(1)
    fill(round_, unit, 12, versions=versions)
    resp = organiser_client.get(f"/organiser/rounds/{round_.id}/report")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert_csp_clean(html)
    for testid in ("summary", "by-day", "by-unit", "scores", "questions"):
        assert f'data-testid="{testid}"' in html
    assert "<meter" in html and versions[0].text in html
    [member] = gen_members(1, unit)
    assert app.test_client(user=member).get(f"/organiser/rounds/{round_.id}/report").status_code == 403
