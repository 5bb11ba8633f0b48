"""GET /api/v1/contests/{slug}/export: organisers and admins get the file (CSV streamed with a BOM, XLSX), named
<slug>-<what>.<ext>; members 403, anonymous 401, unknown contests and rounds 404, unknown `what` or `format` 400 with
the choices, a `what` of the other kind of contest or a writing contest without judging 422; audited."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from contest.core.audit import AuditEntry
from contest.extensions import db
from tests import factories
from tests.quiz.board_factories import clean_cache  # noqa: F401  (autouse)
from tests.results.test_exports import judged, quiz  # noqa: F401  (fixtures)

EN = {"Accept-Language": "en"}


def url(contest, query: str) -> str:
    return f"/api/v1/contests/{contest.slug}/export?{query}"


def audits():
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "results.export")))


def test_quiz_rankings_as_csv_and_xlsx(quiz, organiser_client):  # noqa: F811
    contest = quiz["contest"]
    resp = organiser_client.get(url(contest, "what=rankings&format=csv"), headers=EN)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.is_streamed
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{contest.slug}-rankings.csv"'
    data = resp.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Round", "Rank", "Final ranking", "Name"] and len(rows) == 6
    assert rows[1][3] == "Nguyễn Thị Ánh" and rows[1][10].endswith("+07:00")
    resp = organiser_client.get(url(contest, f"what=rankings&format=xlsx&round={quiz['final'].id}"), headers=EN)
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{contest.slug}-rankings.xlsx"'
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][3] == "Name" and [r[3] for r in values[1:]][0] == "Nguyễn Thị Ánh" and len(values) == 4
    assert [e.details["format"] for e in audits()] == ["csv", "xlsx"]


def test_default_format_is_xlsx_and_admins_may_export(quiz, admin_client):  # noqa: F811
    resp = admin_client.get(url(quiz["contest"], "what=participants"))
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert resp.headers["Content-Disposition"].endswith(f'{quiz["contest"].slug}-participants.xlsx"')
    assert audits()[0].details == {"what": "participants", "format": "xlsx", "rows": 3}


def test_access_and_errors(quiz, organiser_client, member_client, client):  # noqa: F811
    contest = quiz["contest"]
    assert client.get(url(contest, "what=rankings")).status_code == 401
    assert member_client.get(url(contest, "what=rankings")).status_code == 403
    assert organiser_client.get("/api/v1/contests/khong-co/export?what=rankings").status_code == 404
    bad = organiser_client.get(url(contest, "what=everything"), headers=EN)
    assert bad.status_code == 400
    assert bad.json["error"]["message"] == "Choose what to export: participants, rankings, attempts, awards."
    assert "what" in bad.json["error"]["fields"]
    assert organiser_client.get(url(contest, "format=csv"), headers=EN).status_code == 400  # no `what`
    fmt = organiser_client.get(url(contest, "what=rankings&format=pdf"), headers=EN)
    assert fmt.status_code == 400 and fmt.json["error"]["message"] == "Choose the format: csv or xlsx."
    wrong = organiser_client.get(url(contest, "what=entries"), headers=EN)
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "not_applicable"
    assert organiser_client.get(url(contest, "what=rankings&round=abc")).status_code == 400
    assert organiser_client.get(url(contest, "what=rankings&round=999999")).status_code == 404
    vi = organiser_client.get(url(contest, "what=everything"))
    assert vi.status_code == 400 and vi.json["error"]["message"]
    assert audits() == []


def test_essay_scores_and_no_judging_round(judged, app):  # noqa: F811
    world, _round = judged
    org = app.test_client(user=world.organiser)
    resp = org.get(url(world.contest, "what=scores&format=csv"), headers=EN)
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Round", "Entry code", "Judge", "Nội dung"] and len(rows) > 1
    resp = org.get(url(world.contest, "what=rankings&format=xlsx"), headers=EN)
    assert resp.status_code == 200
    assert load_workbook(io.BytesIO(resp.data)).active["E1"].value == "Author"
    wrong = org.get(url(world.contest, "what=attempts"), headers=EN)
    assert wrong.status_code == 422
    assert "entries, scores, rankings, participants, awards" in wrong.json["error"]["message"]
    other = factories.gen_user(roles=["organiser"])
    from tests.essay_factories import gen_essay_contest

    empty = gen_essay_contest()
    db.session.commit()
    none = app.test_client(user=other).get(url(empty, "what=rankings"), headers=EN)
    assert none.status_code == 422 and none.json["error"]["code"] == "no_judging_round"
    assert [e.details["what"] for e in audits()] == ["scores", "rankings"]


def test_awards_export_through_the_api(app):
    from contest.results import services
    from tests.results.test_awards import scored_essay

    world = scored_essay()
    services.set_awards(world.contest, [{"tier": "first", "entry_code": world.entries[1].code}])
    services.publish_contest(world.contest, world.organiser)
    db.session.commit()
    resp = app.test_client(user=world.organiser).get(url(world.contest, "what=awards"), headers=EN)
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == f'attachment; filename="{world.contest.slug}-awards.xlsx"'
    values = [list(r) for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True)]
    assert values[0][:3] == ["Tier", "Label", "Holder"] and len(values) == 2
    assert values[1][2:4] == [world.writers[1].full_name, world.writers[1].email]
    assert values[1][7] == services.published_results(world.contest)["awards"][0]["certificate_code"]
    assert audits()[0].details == {"what": "awards", "format": "xlsx", "rows": 1}
