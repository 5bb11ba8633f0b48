"""Exports of a contest's people and results (contest.results.exports): every CSV decodes as UTF-8 with a BOM and
keeps Vietnamese names, times carry +07:00; every XLSX opens with openpyxl with real dates in Hà Nội time; quiz
rankings follow the final ranks once a round is finalised and the live order before; judging rounds give scores and
rankings; each export is audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.core.clock import as_utc, utcnow
from contest.core.errors import BadRequest, Invalid, NotFound
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.results import exports, spreadsheets
from tests import factories
from tests.judging_factories import ROUND_OPENS, assignments, gen_round, gen_world, score
from tests.quiz.board_factories import (
    clean_cache,  # noqa: F401  (autouse)
    gen_attempt,
    gen_contest,
    gen_members,
)
from tests.quiz.board_factories import gen_round as gen_quiz_round


def read(export: exports.Export) -> list[list]:
    """The rows of the file (header first): CSV decoded with utf-8-sig, XLSX opened with openpyxl."""
    data = b"".join(export.chunks())
    if export.fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def run(contest, what, fmt, actor, **kwargs):
    with force_locale("en"):
        result = exports.export(contest, what, fmt, actor=actor, **kwargs)
        rows = read(result)
    db.session.commit()
    return result, rows


def audits():
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "results.export")
                                   .order_by(AuditEntry.id)))


# --- quiz contests -----------------------------------------------------------------------------------------

@pytest.fixture
def quiz(app):
    unit = factories.gen_unit("Phường Hoàn Kiếm")
    contest = gen_contest(unit=unit)
    final = gen_quiz_round(contest, title="Tuần 1")
    live = gen_quiz_round(contest, title="Tuần 2")
    anh = factories.gen_user(email="anh@example.com", full_name="Nguyễn Thị Ánh", unit=unit)
    dung, hung = gen_members(2, unit, name="Đặng Văn Dũng")
    start = as_utc(final.opens_at) + timedelta(hours=2)
    gen_attempt(final, anh, correct=9, started_at=start, duration_ms=60_000)
    gen_attempt(final, dung, correct=7, started_at=start, duration_ms=30_000)
    gen_attempt(final, hung, correct=9, started_at=start, duration_ms=90_000)
    gen_attempt(live, anh, correct=5, started_at=as_utc(live.opens_at) + timedelta(hours=1), duration_ms=40_000)
    gen_attempt(live, dung, correct=8, started_at=as_utc(live.opens_at) + timedelta(hours=1), duration_ms=50_000)
    gen_attempt(live, hung, correct=None, status="in_progress")
    db.session.commit()
    lb.finalise_round(final, utcnow())
    db.session.commit()
    return {"contest": contest, "final": final, "live": live, "anh": anh, "dung": dung, "hung": hung,
            "start": start}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_quiz_rankings_final_and_live(quiz, organiser, fmt):
    result, rows = run(quiz["contest"], "rankings", fmt, organiser)
    assert result.filename == f"{quiz['contest'].slug}-rankings.{fmt}" and result.count == 5
    assert rows[0] == ["Round", "Rank", "Final ranking", "Name", "Email", "Unit", "Correct", "Questions",
                       "Prediction", "Prediction error", "Submitted at (Hà Nội time)", "Duration (seconds)"]
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    final = [r for r in body if r["Round"] == "Tuần 1"]
    live = [r for r in body if r["Round"] == "Tuần 2"]
    # Final: 9 correct in 60 s (Ánh) before 9 in 90 s before 7; the final rank as stored.
    assert [r["Name"] for r in final] == ["Nguyễn Thị Ánh", quiz["hung"].full_name, quiz["dung"].full_name]
    assert [str(r["Rank"]) for r in final] == ["1", "2", "3"] and final[0]["Final ranking"] == "Yes"
    assert final[0]["Unit"] == "Phường Hoàn Kiếm" and str(final[0]["Correct"]) == "9"
    # Live (not finalised): by correct answers; the in-progress attempt has no standing.
    assert [r["Name"] for r in live] == [quiz["dung"].full_name, "Nguyễn Thị Ánh"]
    assert [str(r["Rank"]) for r in live] == ["1", "2"] and live[0]["Final ranking"] in ("", None)
    submitted = quiz["start"] + timedelta(seconds=60)
    if fmt == "csv":
        assert final[0]["Submitted at (Hà Nội time)"] == submitted.astimezone(spreadsheets.zone()).isoformat(
            timespec="seconds")
        assert final[0]["Submitted at (Hà Nội time)"].endswith("+07:00") and final[0]["Duration (seconds)"] == "60.0"
    else:
        shown = final[0]["Submitted at (Hà Nội time)"]
        assert abs(shown - (submitted + timedelta(hours=7)).replace(tzinfo=None)) < timedelta(seconds=1)
        assert isinstance(final[0]["Submitted at (Hà Nội time)"], datetime)
    entry = audits()[-1]
    assert entry.details["what"] == "rankings" and entry.details["format"] == fmt and entry.details["rows"] == 5
    assert entry.actor_id == organiser.id and entry.target_id == str(quiz["contest"].id)


def test_quiz_rankings_of_one_round_and_an_unknown_round(quiz, organiser):
    _result, rows = run(quiz["contest"], "rankings", "csv", organiser, round_id=quiz["live"].id)
    assert {r[0] for r in rows[1:]} == {"Tuần 2"} and len(rows) == 3
    other = gen_quiz_round(gen_contest())
    with pytest.raises(NotFound):
        exports.export(quiz["contest"], "rankings", "csv", actor=organiser, round_id=other.id)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_quiz_participants(quiz, organiser, fmt):
    _result, rows = run(quiz["contest"], "participants", fmt, organiser)
    assert rows[0] == ["Name", "Email", "Unit", "Rounds taken", "Attempts", "First started at (Hà Nội time)"]
    by_name = {r[0]: r for r in rows[1:]}
    assert len(by_name) == 3
    anh = by_name["Nguyễn Thị Ánh"]
    assert anh[1] == "anh@example.com" and anh[2] == "Phường Hoàn Kiếm" and str(anh[3]) == "2"
    assert str(by_name[quiz["hung"].full_name][4]) == "2"  # one submitted, one in progress
    if fmt == "csv":
        assert anh[5].endswith("+07:00")


def test_quiz_attempts(quiz, organiser):
    result, rows = run(quiz["contest"], "attempts", "csv", organiser)
    assert result.count == 6 and len(rows) == 7
    assert rows[0][:6] == ["Round", "Name", "Email", "Unit", "Attempt", "Status"]
    assert {r[5] for r in rows[1:]} == {"submitted", "in_progress"}
    in_progress = next(r for r in rows[1:] if r[5] == "in_progress")
    assert in_progress[7] == "" and in_progress[8] == ""


def test_csv_is_streamed_in_chunks(quiz, organiser):
    with force_locale("en"):
        result = exports.export(quiz["contest"], "attempts", "csv", actor=organiser)
        chunks = list(spreadsheets.csv_chunks(result.header, result.rows, batch=2))
    assert len(chunks) == 4 and chunks[0].startswith(b"\xef\xbb\xbf")
    assert not any(c.startswith(b"\xef\xbb\xbf") for c in chunks[1:])
    assert len(list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))) == 7


def test_bad_what_and_format(quiz, organiser):
    with force_locale("en"):
        with pytest.raises(BadRequest) as bad:
            exports.export(quiz["contest"], "everything", "csv", actor=organiser)
        assert str(bad.value.message) == "Choose what to export: participants, rankings, attempts, awards."
        with pytest.raises(BadRequest) as bad:
            exports.export(quiz["contest"], "rankings", "pdf", actor=organiser)
        assert "csv or xlsx" in str(bad.value.message)
        with pytest.raises(Invalid) as wrong:
            exports.export(quiz["contest"], "entries", "csv", actor=organiser)
        assert wrong.value.code == "not_applicable"
        assert "participants, rankings, attempts, awards" in str(wrong.value.message)
    db.session.rollback()
    assert audits() == []


# --- writing contests --------------------------------------------------------------------------------------

@pytest.fixture
def judged(app, clock):
    world = gen_world(entries=4, judges=3)
    clock.set(ROUND_OPENS + timedelta(hours=1))
    round_ = gen_round(world, assign=True)
    for row in assignments(round_, world.judges[1]):
        score(row, 0.9, now=clock.now)
    for row in assignments(round_, world.judges[2]):
        score(row, 0.5, now=clock.now)
    score(assignments(round_, world.judges[0])[0], 0.7, submit=False, now=clock.now)
    return world, round_


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_essay_scores(judged, fmt):
    world, round_ = judged
    result, rows = run(world.contest, "scores", fmt, world.organiser)
    assert rows[0] == ["Round", "Entry code", "Judge", "Nội dung", "Sáng tạo", "Hình thức", "Sức lan tỏa", "Total",
                       "Status", "Submitted at (Hà Nội time)"]
    body = rows[1:]
    assert len(body) == len(assignments(round_)) == result.count
    submitted = [r for r in body if r[8] == "Submitted"]
    assert submitted and all(r[0] == "Vòng sơ khảo" for r in body)
    strong = next(r for r in submitted if r[2] == world.judges[1].full_name)
    assert float(strong[3]) == 9.0 and float(strong[5]) == 4.5 and float(strong[7]) == 90.0
    if fmt == "csv":
        assert strong[9].endswith("+07:00")
    else:
        assert isinstance(strong[9], datetime)
    draft = next(r for r in body if r[8] != "Submitted" and r[2] == world.judges[0].full_name)
    assert draft[7] in ("", None)  # a draft has no total


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_essay_rankings(judged, fmt):
    world, _round = judged
    _result, rows = run(world.contest, "rankings", fmt, world.organiser)
    assert rows[0] == ["Round", "Rank", "Entry code", "Title", "Author", "Email", "Unit", "Score", "Spread",
                       "Judges' scores differ widely"]
    body = rows[1:]
    assert len(body) == 4
    ranked = [r for r in body if r[1] not in ("", None)]
    assert ranked and str(ranked[0][1]) == "1"
    authors = {r[4] for r in body}
    assert authors <= {w.full_name for w in world.writers} and "Hoàng Thị Mai Lan" in authors
    assert {r[6] for r in body} <= {"Phường Hoàn Kiếm", "Xã Sóc Sơn", "Phường Cầu Giấy"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_essay_participants_and_entries(judged, fmt):
    world, _round = judged
    _result, rows = run(world.contest, "participants", fmt, world.organiser)
    assert rows[0] == ["Role", "Name", "Email", "Unit", "Entry code", "Title", "Submitted at (Hà Nội time)"]
    roles = [(r[0], r[1]) for r in rows[1:]]
    assert ("Co-author", "Vũ Thị Hạnh Dung") in roles
    assert sum(1 for role, _name in roles if role == "Author") == 5  # 4 submitted and 1 withdrawn, no draft
    result, rows = run(world.contest, "entries", fmt, world.organiser)
    assert result.filename == f"{world.contest.slug}-entries.{fmt}"
    assert rows[0][:3] == ["Code", "Status", "Title"] and len(rows) == 6
    assert [e.details["what"] for e in audits()] == ["participants", "entries"]


def test_essay_without_judging_round_and_quiz_only_exports(app, organiser):
    world = gen_world(entries=2, judges=1)
    with force_locale("en"):
        for what in ("scores", "rankings"):
            with pytest.raises(Invalid) as none:
                exports.export(world.contest, what, "csv", actor=organiser)
            assert none.value.code == "no_judging_round"
        with pytest.raises(Invalid) as wrong:
            exports.export(world.contest, "attempts", "csv", actor=organiser)
        assert wrong.value.code == "not_applicable"
        assert "entries, scores, rankings, participants, awards" in str(wrong.value.message)


def test_cells_are_never_formulas_and_naive_times_are_hanoi_time(app):
    from openpyxl import load_workbook as load

    header = ["Tên", "Lúc"]
    rows = [["=HYPERLINK(\"http://x\")", datetime(2026, 5, 19, 8, 0)], ["+84 912", None]]
    text = spreadsheets.to_csv(header, rows).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[1] == ["'=HYPERLINK(\"http://x\")", "2026-05-19T08:00:00+07:00"] and parsed[2] == ["'+84 912", ""]
    sheet = load(io.BytesIO(spreadsheets.to_xlsx("Bảng", header, rows))).active
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == datetime(2026, 5, 19, 8, 0) and sheet.title == "Bảng"


# --- awards (both kinds) -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_essay_awards(app, fmt):
    from contest.results import services
    from tests.results.test_awards import scored_essay

    world = scored_essay()
    e = world.entries
    services.set_awards(world.contest, [{"tier": "first", "entry_code": e[0].code},
                                        {"tier": "special", "unit_id": world.units[2].id, "label": "Tập thể"}])
    publication = services.publish_contest(world.contest, world.organiser)
    services.set_awards(world.contest, [{"tier": "first", "entry_code": e[0].code},
                                        {"tier": "special", "unit_id": world.units[2].id, "label": "Tập thể"},
                                        {"tier": "third", "entry_code": e[1].code}])
    db.session.commit()
    result, rows = run(world.contest, "awards", fmt, world.organiser)
    assert result.filename == f"{world.contest.slug}-awards.{fmt}" and result.count == 3
    assert rows[0] == ["Tier", "Label", "Holder", "Email", "Unit", "Entry code", "Title or round",
                       "Certificate codes", "Published at (Hà Nội time)"]
    special, first, third = (["" if v is None else v for v in row] for row in rows[1:])
    codes = [c for a in services.published_results(world.contest)["awards"] if a["tier"] == "first"
             for c in a["certificate_codes"]]
    assert len(codes) == 2
    assert first[:7] == ["First prize", "", f"{world.writers[0].full_name}, {world.coauthor.full_name}",
                         f"{world.writers[0].email}, {world.coauthor.email}", world.units[0].name, e[0].code,
                         e[0].title]
    assert first[7] == ", ".join(codes)
    assert special[:3] == ["Special prize", "Tập thể", world.units[2].name] and special[3] == ""
    assert third[0] == "Third prize" and third[7] == "" and third[8] == ""  # not published yet
    published = first[8]
    expected = spreadsheets.local(publication.published_at)
    if fmt == "xlsx":
        assert isinstance(published, datetime) and abs(published - expected) < timedelta(seconds=1)
    else:
        assert published == spreadsheets.local(publication.published_at, naive=False).isoformat(timespec="seconds")
    assert [(a.details["what"], a.details["rows"]) for a in audits()] == [("awards", 3)]


def test_quiz_awards(app, unit, organiser):
    from contest.results import services
    from tests.results.test_awards import _contest_of, final_quiz

    round_, _open, members = final_quiz(unit)
    contest = _contest_of(round_)
    services.set_awards(contest, [{"tier": "first", "user_id": members[0].id},
                                  {"tier": "consolation", "unit_id": unit.id, "round_id": round_.id}])
    db.session.commit()
    _result, rows = run(contest, "awards", "xlsx", organiser)
    assert [["" if v is None else v for v in r[:7]] for r in rows[1:]] == [
        ["First prize", "", members[0].full_name, members[0].email, unit.name, "", round_.title],
        ["Consolation prize", "", unit.name, "", unit.name, "", round_.title]]
