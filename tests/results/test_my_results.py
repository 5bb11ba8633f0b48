"""My results: a member's rounds (with the rank they may see: published, live, or not yet), entries, awards from
published results and certificates, nothing of anyone else's; participation certificates on request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from contest.core.cache import get_cache
from contest.extensions import db
from contest.results import issuing
from contest.results.models import Certificate, Publication
from tests.judging_factories import gen_world
from tests.quiz.board_factories import gen_attempt
from tests.quiz_factories import T0, gen_round
from tests.results.test_issuing import publish, quiz_world, settings_of


@pytest.fixture(autouse=True)
def _empty_cache(app):
    get_cache().clear()  # leaderboard pages are cached by round id, and ids come back in the next test
    yield
    get_cache().clear()


def rows(html: str, testid: str) -> list[str]:
    return re.findall(rf'<tr data-testid="{testid}">(.*?)</tr>', html, re.S)


@pytest.fixture
def quiz(app, clock):
    clock.set(T0)
    w = quiz_world()
    round_ = w["round"]
    for user, correct in ((w["winner"], 10), (w["other"], 7)):
        gen_attempt(round_, user, correct=correct, total=10)
    live = gen_round(w["contest"], title="Tuần 2", opens_at=T0 - timedelta(days=1), closes_at=T0 + timedelta(days=1),
                     live_leaderboard=True, question_count=10, questions=False)
    hidden = gen_round(w["contest"], title="Tuần 3", opens_at=T0 - timedelta(days=1),
                       closes_at=T0 + timedelta(days=1), question_count=10, questions=False)
    for r in (live, hidden):
        gen_attempt(r, w["other"], correct=9, total=10)
        gen_attempt(r, w["winner"], correct=6, total=10)
    db.session.commit()
    w.update(live=live, hidden=hidden)
    return w


def test_my_rounds_with_the_rank_i_may_see_and_my_awards_and_certificates(app, quiz):
    w = quiz
    certs = publish(w["contest"], [{"tier": "first", "user": w["winner"], "round": w["round"]},
                                   {"tier": "second", "user": w["other"], "round": w["round"]}], w["organiser"])
    mine, theirs = (c[0] for c in certs.values())
    html = app.test_client(user=w["winner"]).get("/account/results").get_data(as_text=True)
    by_round = {re.search(r"<strong>(.*?)</strong>", r).group(1): r for r in rows(html, "my-round")}
    assert set(by_round) == {"Tuần 1", "Tuần 2", "Tuần 3"}
    assert "10/10" in by_round["Tuần 1"] and re.search(r"\b1\b[^<]*\b2\b", by_round["Tuần 1"])  # 1 of 2, published
    assert "6/10" in by_round["Tuần 2"] and f"/rounds/{w['live'].id}/leaderboard" in by_round["Tuần 2"]
    assert re.search(r'data-testid="my-rank">\s*<a[^>]*>[^<]*2[^<]*2', by_round["Tuần 2"])  # live: 2nd of 2
    assert "/leaderboard" not in by_round["Tuần 3"]  # no live board: no rank yet
    assert 'data-testid="my-award"' in html and w["contest"].title in html
    assert mine.code in html and f"/certificates/{mine.code}.pdf" in html
    # Nothing of anyone else's.
    assert theirs.code not in html and "Trần Văn Bình" not in html


def test_a_coauthor_sees_the_entry_award_and_their_own_certificate(app):
    world = gen_world(entries=2, judges=1)
    certs = publish(world.contest, [{"tier": "first", "entry": world.entries[0]}], world.organiser)
    author_cert, coauthor_cert = next(iter(certs.values()))
    html = app.test_client(user=world.coauthor).get("/account/results").get_data(as_text=True)
    entries = rows(html, "my-entry")
    assert len(entries) == 1 and world.entries[0].code in entries[0] and world.entries[0].title in entries[0]
    assert 'data-testid="my-award"' in html
    assert coauthor_cert.code in html and author_cert.code not in html
    other = app.test_client(user=world.writers[1]).get("/account/results").get_data(as_text=True)
    assert 'data-testid="my-award"' not in other and world.entries[0].code not in other
    assert len(rows(other, "my-entry")) == 2  # their submitted entry and the withdrawn one


def test_unpublished_results_give_no_award_and_no_certificate(app):
    world = gen_world(entries=2, judges=1)
    publish(world.contest, [{"tier": "first", "entry": world.entries[0]}], world.organiser)
    settings_of(world.contest, published_at=None)
    for p in db.session.scalars(select(Publication)):
        p.ended_at = T0
    db.session.commit()
    html = app.test_client(user=world.writers[0]).get("/account/results").get_data(as_text=True)
    assert 'data-testid="my-award"' not in html and 'data-testid="my-certificate"' not in html


def test_a_participation_certificate_on_request(app, quiz):
    w = quiz
    client = app.test_client(user=w["other"])
    html = client.get("/account/results").get_data(as_text=True)
    assert f'/account/results/rounds/{w["round"].id}/participation-certificate' in html
    assert f'/account/results/rounds/{w["live"].id}/participation-certificate' not in html  # not published
    resp = client.post(f'/account/results/rounds/{w["round"].id}/participation-certificate')
    assert resp.status_code == 302
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == w["other"].id))
    assert cert.kind == "participation" and cert.round_id == w["round"].id
    html = client.get("/account/results").get_data(as_text=True)
    assert 'data-testid="participation-download"' in html and cert.code in html
    assert 'data-testid="get-participation"' not in html
    client.post(f'/account/results/rounds/{w["round"].id}/participation-certificate')
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 1
    # A round not published: refused, nothing issued.
    resp = client.post(f'/account/results/rounds/{w["live"].id}/participation-certificate')
    assert resp.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) == 1
    assert client.post("/account/results/rounds/999999/participation-certificate").status_code == 302
    assert issuing.participation_certificate(w["live"], w["other"]) is None


def test_signing_in_is_needed(client):
    resp = client.get("/account/results")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_linked_from_the_profile_and_the_menu(member_client):
    page = member_client.get(url_for("accounts.profile")).get_data(as_text=True)
    assert 'data-testid="my-results-link"' in page and 'data-testid="nav-my-results"' in page
