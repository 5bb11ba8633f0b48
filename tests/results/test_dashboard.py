"""The organiser's dashboard: its figures for a small quiz contest (two rounds, members in two units, attempts on
both sides of Hà Nội's midnight) and a small writing contest (two categories, every status, a judging round part
way through), the page (access, the numbers, charts) and its CSV tables."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from contest.core.audit import AuditEntry
from contest.core.errors import BadRequest, NotFound
from contest.essays.models import Entry
from contest.extensions import db
from contest.judging.models import Assignment
from contest.results import dashboard
from tests import factories
from tests.essay_factories import gen_category, gen_entry
from tests.judging_factories import gen_round as gen_judging_round
from tests.judging_factories import gen_world, score
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_contest,
    gen_members,
)
from tests.quiz.board_factories import gen_round as gen_quiz_round


@pytest.fixture
def app_config(app_config):
    """Checked in English, the source language, whatever the catalogue holds."""
    return {**app_config, "BABEL_DEFAULT_LOCALE": "en"}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- a quiz contest -----------------------------------------------------------------------------------------

@pytest.fixture
def quiz(app):
    """Round 1 (4 questions) runs from 3 May 00:00 to 7 May 00:00 Hà Nội time, round 2 (5 questions) from 6 May to
    9 May. Kim Mã has members m1-m3, all taking part; Ngọc Hà m4-m6, m6 never takes part and m5 leaves round 1
    unfinished."""
    root = factories.gen_unit("Quận Ba Đình")
    kim_ma = factories.gen_unit("Phường Kim Mã", root)
    ngoc_ha = factories.gen_unit("Phường Ngọc Hà", root)
    m1, m2, m3 = gen_members(3, kim_ma)
    m4, m5, m6 = gen_members(3, ngoc_ha)
    contest = gen_contest(unit=root)
    r1 = gen_quiz_round(contest, title="Tuần 1", opens_at=utc(2026, 5, 2, 17), closes_at=utc(2026, 5, 6, 17),
                        question_count=4)
    r2 = gen_quiz_round(contest, title="Tuần 2", opens_at=utc(2026, 5, 5, 17), closes_at=utc(2026, 5, 8, 17),
                        question_count=5)
    gen_attempt(r1, m1, correct=4, started_at=utc(2026, 5, 3, 16, 59))  # 3 May, 23:59 in Hà Nội
    gen_attempt(r1, m2, correct=2, started_at=utc(2026, 5, 3, 17, 0))  # 4 May, 00:00
    gen_attempt(r1, m4, correct=3, started_at=utc(2026, 5, 4, 1, 0))  # 4 May, 08:00
    gen_attempt(r1, m5, correct=None, status="in_progress", started_at=utc(2026, 5, 4, 2, 0))  # never finished
    gen_attempt(r1, m3, correct=0, started_at=utc(2026, 5, 5, 18, 30))  # 6 May, 01:30
    gen_attempt(r2, m3, correct=5, started_at=utc(2026, 5, 5, 19, 0))  # 6 May again: m3 counts once that day
    gen_attempt(r2, m5, correct=1, started_at=utc(2026, 5, 6, 16, 0))  # 6 May, 23:00
    gen_attempt(r2, m1, correct=5, started_at=utc(2026, 5, 6, 17, 0))  # 7 May, 00:00
    db.session.commit()
    return {"contest": contest, "r1": r1, "r2": r2, "root": root, "kim_ma": kim_ma, "ngoc_ha": ngoc_ha,
            "members": [m1, m2, m3, m4, m5, m6]}


def by_unit(rows) -> dict[str, tuple]:
    return {r["name"]: (r["participants"], r["members"], r["participation_rate"]) for r in rows}


def test_quiz_figures_across_rounds(quiz):
    data = dashboard.figures(quiz["contest"])
    assert data["kind"] == "quiz" and data["round_id"] is None
    assert data["totals"] == {"rounds": 2, "participants": 5, "attempts": 7}
    assert data["by_day"] == [
        {"date": date(2026, 5, 3), "attempts": 1, "participants": 1},
        {"date": date(2026, 5, 4), "attempts": 2, "participants": 2},
        {"date": date(2026, 5, 5), "attempts": 0, "participants": 0},
        {"date": date(2026, 5, 6), "attempts": 3, "participants": 2},
        {"date": date(2026, 5, 7), "attempts": 1, "participants": 1},
    ]
    first, second = data["rounds"]
    assert (first["title"], first["participants"], first["attempts"], first["all_correct"]) == ("Tuần 1", 4, 4, 1)
    assert first["mean_share"] == pytest.approx((1 + 0.5 + 0.75 + 0) / 4, abs=1e-4)
    assert (second["participants"], second["attempts"], second["all_correct"]) == (3, 3, 2)
    assert second["mean_share"] == pytest.approx((1 + 1 + 0.2) / 3, abs=1e-4)
    assert by_unit(data["units"]) == {"Quận Ba Đình": (5, 6, pytest.approx(0.8333, abs=1e-4)),
                                      "Phường Kim Mã": (3, 3, 1.0),
                                      "Phường Ngọc Hà": (2, 3, pytest.approx(0.6667, abs=1e-4))}
    assert [u["depth"] for u in data["units"]] == [0, 1, 1]
    scores = data["scores"]
    assert scores["by"] == "share"
    assert [(i["label"], i["count"]) for i in scores["items"]] == [
        ("0–9%", 1), ("10–19%", 0), ("20–29%", 1), ("30–39%", 0), ("40–49%", 0), ("50–59%", 1), ("60–69%", 0),
        ("70–79%", 1), ("80–89%", 0), ("90–99%", 0), ("100%", 3)]


def test_quiz_figures_of_one_round(quiz):
    data = dashboard.figures(quiz["contest"], quiz["r1"])
    assert data["round_id"] == quiz["r1"].id
    assert data["totals"]["participants"] == 5  # the totals and by_day stay the contest's
    assert by_unit(data["units"])["Phường Ngọc Hà"] == (1, 3, pytest.approx(0.3333, abs=1e-4))
    assert by_unit(data["units"])["Phường Kim Mã"] == (3, 3, 1.0)
    assert data["scores"]["by"] == "correct"
    assert [(i["label"], i["count"]) for i in data["scores"]["items"]] == [
        ("0", 1), ("1", 0), ("2", 1), ("3", 1), ("4", 1)]


def test_a_round_of_another_contest_or_no_round_at_all(quiz):
    other = gen_quiz_round(gen_contest())
    with pytest.raises(NotFound):
        dashboard.pick_round(quiz["contest"], str(other.id))
    with pytest.raises(BadRequest):
        dashboard.pick_round(quiz["contest"], "tuan-1")
    assert dashboard.pick_round(quiz["contest"], "") is None
    assert dashboard.pick_round(quiz["contest"], str(quiz["r2"].id)) == quiz["r2"]


def test_a_quiz_contest_without_attempts(app):
    contest = gen_contest()
    gen_quiz_round(contest)
    data = dashboard.figures(contest)
    assert data["by_day"] == [] and data["totals"] == {"rounds": 1, "participants": 0, "attempts": 0}
    assert all(i["count"] == 0 for i in data["scores"]["items"])


# --- a writing contest --------------------------------------------------------------------------------------

@pytest.fixture
def essay(app):
    """gen_world's six submitted entries, a draft and a withdrawn one; entry 4 disqualified, entry 5 and the
    withdrawn one in a second category; entry 0 submitted at 23:59 on 16 May in Hà Nội, entry 1 a minute later
    (17 May, with the others). A judging round with two judges per entry: entry 0 scored 80 and 60 (mean 70),
    entry 1 scored 95 by one judge, a draft for entry 2, the rest not started."""
    world = gen_world(entries=6, judges=4)
    second = gen_category(world.contest, "Tập thể")
    entries = world.entries
    entries[0].first_submitted_at = utc(2026, 5, 16, 16, 59)
    entries[1].first_submitted_at = utc(2026, 5, 16, 17, 0)
    entries[4].status = "disqualified"
    entries[5].category_id = second.id
    db.session.execute(update(Entry).where(Entry.contest_id == world.contest.id, Entry.status == "withdrawn")
                       .values(category_id=second.id))
    db.session.commit()
    round_ = gen_judging_round(world, assign=True)
    rows = db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id)
                              .order_by(Assignment.entry_id, Assignment.id)).all()
    e0 = [a for a in rows if a.entry_id == entries[0].id]
    score(e0[0], 0.8)
    score(e0[1], 0.6)
    score([a for a in rows if a.entry_id == entries[1].id][0], 0.95)
    score([a for a in rows if a.entry_id == entries[2].id][0], 0.5, submit=False)
    return {"world": world, "round": round_, "second": second}


def test_essay_figures(essay):
    world = essay["world"]
    data = dashboard.figures(world.contest)
    assert data["kind"] == "essay"
    assert data["totals"] == {"entries": 8, "submitted": 5, "writers": 5, "drafts": 1}
    assert data["by_day"] == [
        {"date": date(2026, 5, 16), "entries": 1, "writers": 1},
        {"date": date(2026, 5, 17), "entries": 5, "writers": 5},  # the disqualified one was submitted too
        {"date": date(2026, 5, 18), "entries": 0, "writers": 0},
        {"date": date(2026, 5, 19), "entries": 1, "writers": 1},  # the withdrawn entry, submitted at T0
    ]
    first, second = data["categories"]
    assert {k: first[k] for k in ("draft", "submitted", "withdrawn", "disqualified", "total")} == {
        "draft": 1, "submitted": 4, "withdrawn": 0, "disqualified": 1, "total": 6}
    assert (second["name"], second["submitted"], second["withdrawn"], second["total"]) == ("Tập thể", 1, 1, 2)
    assert data["statuses"] == [{"status": "draft", "count": 1}, {"status": "submitted", "count": 5},
                                {"status": "withdrawn", "count": 1}, {"status": "disqualified", "count": 1}]
    units = {r["name"]: (r["participants"], r["entries"], r["members"], r["participation_rate"])
             for r in data["units"]}
    # Writers 0 and 3 in the first unit, 1 and 4 (disqualified) and the co-author in the second, 2 and 5 in the
    # third.
    assert units["Phường Hoàn Kiếm"] == (2, 2, 2, 1.0)
    assert units["Xã Sóc Sơn"] == (1, 1, 3, pytest.approx(0.3333, abs=1e-4))
    assert units["Phường Cầu Giấy"] == (2, 2, 2, 1.0)
    [judging] = data["judging"]
    assert {k: judging[k] for k in ("title", "judges", "entries", "assignments", "pending", "draft", "submitted",
                                    "done_share")} == {
        "title": "Vòng sơ khảo", "judges": 4, "entries": 5, "assignments": 10, "pending": 6, "draft": 1,
        "submitted": 3, "done_share": 0.3}
    scores = data["scores"]
    assert (scores["round_id"], scores["scale"], scores["scored"]) == (essay["round"].id, 100, 2)
    assert [(i["label"], i["count"]) for i in scores["items"] if i["count"]] == [("70–80", 1), ("90–100", 1)]
    assert sum(i["count"] for i in scores["items"]) == 2 and len(scores["items"]) == 10


def test_a_writing_contest_without_judging(app):
    from tests.essay_factories import gen_essay_contest

    contest = gen_essay_contest()
    gen_entry(contest, status="draft")
    data = dashboard.figures(contest)
    assert data["judging"] == [] and data["scores"] is None and data["by_day"] == []
    assert data["totals"] == {"entries": 1, "submitted": 0, "writers": 0, "drafts": 1}


def test_score_bands_are_tenths_of_the_scale_with_the_top_in_the_last():
    bands = dashboard.score_bands([0, 9.99, 10, 55.5, 100, 100], 100)
    assert [b["count"] for b in bands] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bands[0]["label"] == "0–10" and bands[-1]["label"] == "90–100"
    assert [b["count"] for b in dashboard.score_bands([7.5], 20)][3] == 1  # 7.5 of 20: the fourth band (6–8)


# --- the page -----------------------------------------------------------------------------------------------

def page_url(contest, **args) -> str:
    return f"/organiser/contests/{contest.slug}/dashboard" + (
        "?" + "&".join(f"{k}={v}" for k, v in args.items()) if args else "")


def table_rows(html: str, testid: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [[re.sub(r"<[^>]+>", " ", cell).split()[0] if re.sub(r"<[^>]+>", " ", cell).split() else ""
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_only_organisers_and_admins_see_the_page(quiz, client, member_client, admin_client, organiser_client):
    url = page_url(quiz["contest"])
    resp = client.get(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert member_client.get(url).status_code == 403
    assert member_client.get(url.replace("dashboard", "dashboard.csv") + "?table=by_day").status_code == 403
    assert organiser_client.get(url).status_code == 200
    assert admin_client.get(url).status_code == 200
    assert organiser_client.get("/organiser/contests/khong-co/dashboard").status_code == 404


def test_the_quiz_page_shows_the_numbers_and_charts(quiz, organiser_client):
    resp = organiser_client.get(page_url(quiz["contest"]))
    html = resp.text
    assert resp.status_code == 200
    assert re.search(r'data-testid="total-participants">5<', html)
    assert re.search(r'data-testid="total-attempts">7<', html)
    days = table_rows(html, "table-by_day")
    assert [row[1:] for row in days] == [["1", "1"], ["2", "2"], ["0", "0"], ["3", "2"], ["1", "1"]]
    rounds = table_rows(html, "table-rounds")
    assert [row[1:3] for row in rounds] == [["4", "4"], ["3", "3"]]
    assert "Phường Kim Mã" in html and "Phường Ngọc Hà" in html
    # Every figure has its chart (an accessible SVG) and its CSV link.
    for name in ("by_day", "rounds", "units", "scores"):
        section = re.search(rf'<section class="figure" id="{name}".*?</section>', html, re.S).group(0)
        assert '<svg xmlns="http://www.w3.org/2000/svg"' in section and 'role="img"' in section, name
        assert f"dashboard.csv?table={name}" in section, name
    assert ' style="' not in html and "<style" not in html  # the CSP allows no inline style
    assert "css/dashboard.css" in html


def test_the_page_of_one_round(quiz, organiser_client):
    html = organiser_client.get(page_url(quiz["contest"], round=quiz["r1"].id)).text
    assert f'<option value="{quiz["r1"].id}" selected>' in html
    assert [row[1] for row in table_rows(html, "table-scores")] == ["1", "0", "1", "1", "1"]
    assert f"table=units&amp;round={quiz['r1'].id}" in html or f"round={quiz['r1'].id}&amp;table=units" in html
    assert organiser_client.get(page_url(quiz["contest"], round="abc")).status_code == 400
    other = gen_quiz_round(gen_contest())
    assert organiser_client.get(page_url(quiz["contest"], round=other.id)).status_code == 404


def test_the_writing_contest_page(essay, organiser_client):
    html = organiser_client.get(page_url(essay["world"].contest)).text
    assert re.search(r'data-testid="total-submitted">5<', html)
    assert [row[1:] for row in table_rows(html, "table-categories")] == [["1", "4", "0", "1", "6"],
                                                                         ["0", "1", "1", "0", "2"]]
    judging = table_rows(html, "table-judging")
    assert judging[0][1:7] == ["4", "5", "6", "1", "3", "30%"]
    for name in ("by_day", "categories", "units", "judging", "scores"):
        assert re.search(rf'<section class="figure" id="{name}".*?<svg .*?</section>', html, re.S), name


def test_an_empty_contest_says_so(app, organiser_client):
    contest = gen_contest()
    html = organiser_client.get(page_url(contest)).text
    assert "No data yet" in html and "This contest has no rounds yet." in html


# --- CSV ----------------------------------------------------------------------------------------------------

def read_csv(resp) -> list[list[str]]:
    assert resp.data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def test_csv_of_each_quiz_table(quiz, organiser_client):
    base = f"/organiser/contests/{quiz['contest'].slug}/dashboard.csv"
    resp = organiser_client.get(base, query_string={"table": "by_day"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert f'filename="{quiz["contest"].slug}-dashboard-by_day.csv"' in resp.headers["Content-Disposition"]
    assert read_csv(resp) == [["Day", "Attempts", "Participants"], ["2026-05-03", "1", "1"],
                              ["2026-05-04", "2", "2"], ["2026-05-05", "0", "0"], ["2026-05-06", "3", "2"],
                              ["2026-05-07", "1", "1"]]
    rounds = read_csv(organiser_client.get(base, query_string={"table": "rounds"}))
    assert rounds[0][0] == "Round" and rounds[1][0] == "Tuần 1" and rounds[1][1].startswith("2026-05-03T00:00:00+07:00")
    assert rounds[1][4:6] == ["4", "4"]
    units = read_csv(organiser_client.get(base, query_string={"table": "units"}))
    assert units[1][:4] == ["Quận Ba Đình", "Quận Ba Đình", "5", "6"]
    scores = read_csv(organiser_client.get(base, query_string={"table": "scores", "round": quiz["r2"].id}))
    assert scores[0] == ["Correct answers", "Participants"] and scores[-1] == ["5", "2"]


def test_csv_of_the_writing_contest(essay, organiser_client):
    base = f"/organiser/contests/{essay['world'].contest.slug}/dashboard.csv"
    judging = read_csv(organiser_client.get(base, query_string={"table": "judging"}))
    assert judging[1] == ["Vòng sơ khảo", "4", "5", "10", "6", "1", "3", "0.3"]
    statuses = read_csv(organiser_client.get(base, query_string={"table": "statuses"}))
    assert [row[1] for row in statuses[1:]] == ["1", "5", "1", "1"]


@pytest.mark.parametrize("table", ["", "attempts", "categories"])  # categories: a writing contest's table
def test_an_unknown_table_is_a_400_page(quiz, organiser_client, table):
    resp = organiser_client.get(f"/organiser/contests/{quiz['contest'].slug}/dashboard.csv",
                                query_string={"table": table})
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert "by_day, rounds, units, scores" in resp.text


def test_downloads_are_not_audited(quiz, organiser_client):
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    organiser_client.get(f"/organiser/contests/{quiz['contest'].slug}/dashboard.csv?table=units")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_unit_names_are_escaped_on_the_page(quiz, organiser_client):
    quiz["kim_ma"].name = "<script>alert(1)</script>"
    db.session.commit()
    html = organiser_client.get(page_url(quiz["contest"])).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_figures_take_one_query_per_kind_not_one_per_attempt(quiz, app):
    """Adding attempts does not add statements: the figures are grouped queries."""
    from sqlalchemy import event

    def count_statements() -> int:
        seen = []

        def before(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            dashboard.figures(quiz["contest"])
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(seen)

    from contest.core.cache import get_cache

    get_cache().clear()
    first = count_statements()
    extra = gen_members(20, quiz["kim_ma"])
    for i, m in enumerate(extra):
        gen_attempt(quiz["r2"], m, correct=i % 6, started_at=utc(2026, 5, 7, 1, i))
    db.session.commit()
    get_cache().clear()
    assert count_statements() == first
    assert dashboard.figures(quiz["contest"])["totals"]["participants"] == 25


def test_only_the_parts_asked_for_are_counted(quiz, essay):
    assert set(dashboard.figures(quiz["contest"], parts=("by_day",))) == {"kind", "round_id", "by_day"}
    assert dashboard.figures(quiz["contest"], parts=("by_day",))["by_day"] == dashboard.figures(quiz["contest"])[
        "by_day"]
    some = dashboard.figures(essay["world"].contest, parts=("judging",))
    assert set(some) == {"kind", "judging", "scores"} and some["judging"][0]["assignments"] == 10


def test_the_page_keeps_its_figures_a_minute(quiz, organiser_client):
    from contest.core.cache import get_cache

    url = page_url(quiz["contest"])
    assert re.search(r'data-testid="total-attempts">7<', organiser_client.get(url).text)
    gen_attempt(quiz["r2"], quiz["members"][1], correct=3, started_at=utc(2026, 5, 7, 2, 0))
    db.session.commit()
    assert re.search(r'data-testid="total-attempts">7<', organiser_client.get(url).text)  # from the cache
    fresh = organiser_client.get(url.replace("dashboard", "dashboard.csv") + "?table=rounds")
    assert read_csv(fresh)[2][5] == "4"  # another part: counted now
    get_cache().clear()
    assert re.search(r'data-testid="total-attempts">8<', organiser_client.get(url).text)


def test_a_standing_without_questions_counts_as_a_participant_in_no_band(app):
    from contest.quiz import reports

    unit = factories.gen_unit()
    a, b, c = gen_members(3, unit)
    contest = gen_contest()
    round_ = gen_quiz_round(contest, question_count=4)
    gen_attempt(round_, a, correct=4)
    gen_attempt(round_, b, correct=1)
    gen_attempt(round_, c, correct=0, total=0)
    db.session.commit()
    assert reports.round_summaries([round_])[round_.id] == {"participants": 3, "attempts": 3, "all_correct": 1,
                                                            "mean_share": 0.625}
    counts = [i["count"] for i in reports.share_distribution([round_])]
    assert counts == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert reports.share_bands([]) == [] and reports.round_summaries([]) == {}
