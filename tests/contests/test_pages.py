"""Contest pages: the list, a contest with its rounds and the member's actions, the organiser's forms."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import openpyxl
from flask import render_template_string
from sqlalchemy import select

from contest.contests.models import Contest
from contest.extensions import db
from contest.quiz import attempts
from tests import factories
from tests.quiz_factories import T0, gen_contest, gen_round

EN = {"Accept-Language": "en"}


def en(client):
    client.set_cookie("lang", "en")
    return client


def test_the_list_shows_announced_contests_and_drafts_to_organisers(client, organiser_client):
    gen_contest(title="Cuộc thi công khai")
    gen_contest(title="Cuộc thi nháp", status="draft")
    page = client.get("/contests").text
    assert "Cuộc thi công khai" in page and "Cuộc thi nháp" not in page
    page = organiser_client.get("/contests").text
    assert "Cuộc thi nháp" in page and 'data-testid="new-contest"' in page


def test_the_home_page_partial_lists_contests(app, client):
    gen_contest(title="Tìm hiểu tư tưởng Hồ Chí Minh năm 2026")
    with app.test_request_context("/"):
        html = render_template_string('{% include "contests/_list.html" %}')
    assert "Tìm hiểu tư tưởng Hồ Chí Minh năm 2026" in html
    with app.test_request_context("/"):
        db.session.execute(Contest.__table__.delete())
        html = render_template_string('{% include "contests/_list.html" %}')
    assert 'data-testid="home-contests"' in html


def test_a_draft_is_a_404_for_members(client, member_client, organiser_client):
    gen_contest(slug="ban-nhap", status="draft")
    assert client.get("/contests/ban-nhap").status_code == 404
    assert member_client.get("/contests/ban-nhap").status_code == 404
    assert organiser_client.get("/contests/ban-nhap").status_code == 200
    assert client.get("/contests/khong-co").status_code == 404


def test_a_quiz_contest_shows_its_rounds_and_the_members_action(clock, member, member_client):
    contest = gen_contest(slug="tuan-le")
    closed = gen_round(contest, title="Tuần 1", opens_at=T0 - timedelta(days=8), closes_at=T0 - timedelta(days=1))
    open_ = gen_round(contest, title="Tuần 2")
    upcoming = gen_round(contest, title="Tuần 3", opens_at=T0 + timedelta(days=7),
                         closes_at=T0 + timedelta(days=14))
    page = en(member_client).get("/contests/tuan-le").text
    for round_ in (closed, open_, upcoming):
        assert f'data-testid="round-{round_.id}"' in page
    assert f'data-testid="start-{open_.id}"' in page
    assert f'data-testid="start-{closed.id}"' not in page and f'data-testid="start-{upcoming.id}"' not in page
    assert "Upcoming" in page and "Open" in page and "Closed" in page

    attempt, _ = attempts.start_attempt(open_, member)
    db.session.commit()
    page = member_client.get("/contests/tuan-le").text
    assert f'data-testid="resume-{open_.id}"' in page
    attempts.submit(attempt.id, member)
    db.session.commit()
    page = member_client.get("/contests/tuan-le").text
    assert f'data-testid="result-{open_.id}"' in page and f'data-testid="start-{open_.id}"' not in page


def test_anonymous_readers_are_asked_to_sign_in(clock, client):
    contest = gen_contest(slug="cong-khai")
    gen_round(contest)
    page = client.get("/contests/cong-khai").text
    assert "/login" in page and "start-" not in page


def test_create_a_contest_through_the_form(organiser_client):
    resp = organiser_client.post("/organiser/contests/new", data={
        "title": "Tìm hiểu Di chúc", "slug": "di-chuc", "kind": "quiz", "description": "Thể lệ",
        "opens_at": "2026-05-19T08:00", "closes_at": "2026-06-19T08:00", "status": "announced", "unit_id": ""})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/contests/di-chuc")
    contest = db.session.scalar(select(Contest))
    assert contest.opens_at == T0  # 08:00 in Hà Nội
    assert "Tìm hiểu Di chúc" in organiser_client.get("/contests/di-chuc").text


def test_the_form_shows_the_services_errors(organiser_client):
    gen_contest(slug="di-chuc")
    resp = en(organiser_client).post("/organiser/contests/new", data={
        "title": "Khác", "slug": "di-chuc", "kind": "quiz", "status": "announced",
        "opens_at": "2026-05-19T08:00", "closes_at": "2026-05-18T08:00"})
    assert resp.status_code == 422
    assert "The closing time must come after the opening time." in resp.text
    resp = en(organiser_client).post("/organiser/contests/new", data={
        "title": "Khác", "slug": "di-chuc", "kind": "quiz", "status": "announced"})
    assert resp.status_code == 409
    assert "Another contest already uses this address." in resp.text


def test_edit_a_contest(organiser_client):
    unit = factories.gen_unit("Phường Tây Hồ")
    gen_contest(slug="tay-ho", title="Cũ")
    page = organiser_client.get("/organiser/contests/tay-ho/edit").text
    assert 'value="Cũ"' in page
    resp = organiser_client.post("/organiser/contests/tay-ho/edit", data={
        "title": "Mới", "slug": "tay-ho-2026", "kind": "quiz", "status": "draft", "unit_id": str(unit.id)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/contests/tay-ho-2026")
    contest = db.session.scalar(select(Contest))
    assert (contest.title, contest.status, contest.unit_id) == ("Mới", "draft", unit.id)


def test_organiser_pages_are_for_organisers(client, member_client):
    gen_contest(slug="x")
    assert member_client.get("/organiser/contests/new").status_code == 403
    assert member_client.get("/organiser/contests/x/edit").status_code == 403
    assert client.get("/organiser/contests/new").status_code == 302  # to sign in


def test_organisers_find_the_exports_on_the_contest_page(client, member_client, organiser_client):
    contest = gen_contest(slug="tuan-le")
    page = organiser_client.get("/contests/tuan-le").text
    assert 'data-testid="exports"' in page and 'data-testid="export-entries-csv"' not in page  # a quiz
    link = "/api/v1/contests/tuan-le/export?what=participants&amp;format=xlsx"
    assert link in page
    resp = organiser_client.get(link.replace("&amp;", "&"))  # the session cookie is enough for a download
    assert resp.status_code == 200
    workbook = openpyxl.load_workbook(BytesIO(resp.data))
    assert workbook.active.max_row >= 1
    workbook.close()
    for other in (member_client, client):
        assert 'data-testid="exports"' not in other.get(f"/contests/{contest.slug}").text
