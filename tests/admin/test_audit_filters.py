"""The audit log's further filters: the contest an entry concerns (directly, by its details, or through its rounds,
judging rounds, assignments and entries), the kind of thing and its id, and a range of days in Vietnam time; and
a readable label for every action the code records."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from contest.admin import services
from contest.core import audit
from contest.extensions import db
from tests.judging_factories import assignments, gen_round, gen_world
from tests.quiz_factories import gen_contest
from tests.quiz_factories import gen_round as gen_quiz_round

ROOT = Path(__file__).resolve().parents[2] / "contest"


def actions(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]*)">', html)


def add(action: str, at: datetime, actor=None, **kwargs):
    entry = audit.record(action, actor=actor, **kwargs)
    entry.at = at
    return entry


def at(hour: int) -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC).replace(hour=hour)


@pytest.fixture
def contests(app, admin):
    """A writing contest with a judging round (and its assignments) and a quiz contest with a round; one entry of
    each way of concerning the writing contest, and some concerning the quiz contest or nothing at all. Entries
    are an hour apart, in the order listed."""
    world = gen_world(entries=2, judges=2)
    judging = gen_round(world, assign=True)
    assignment = assignments(judging)[0]
    quiz = gen_contest()
    quiz_round = gen_quiz_round(quiz)
    essay = world.contest
    db.session.execute(delete(audit.AuditEntry))
    rows = [
        ("contest_updated", dict(target_type="contest", target_id=essay.id, slug=essay.slug)),
        ("results_published", dict(target_type="contest", target_id=essay.id, contest_id=essay.id,
                                   republished=False)),
        ("certificate_revoked", dict(target_type="certificate", target_id=77, contest_id=essay.id, code="GCN-X")),
        ("judging.round_created", dict(target_type="judging_round", target_id=judging.id, contest=essay.slug)),
        ("judging.panel_changed", dict(target_type="judging_round", target_id=judging.id)),
        ("judging.score_submitted", dict(target_type="judging_assignment", target_id=assignment.id)),
        ("essay.withdrawn", dict(target_type="essay_entry", target_id=world.entries[1].id)),
        ("round_updated", dict(target_type="round", target_id=quiz_round.id, contest=quiz.slug)),
        ("round_published", dict(target_type="round", target_id=quiz_round.id, contest_id=quiz.id)),
        ("contest_created", dict(target_type="contest", target_id=quiz.id, slug=quiz.slug)),
        ("unit_created", dict(target_type="unit", target_id=essay.id, name="Chi bộ")),  # same number, not a contest
        ("role_granted", dict(target_type="user", target_id=admin.id, role="judge")),
    ]
    for hour, (action, kwargs) in enumerate(rows):
        add(action, at(hour), admin, **kwargs)
    db.session.commit()
    return {"essay": essay, "quiz": quiz, "judging": judging, "quiz_round": quiz_round}


def test_filter_by_contest(admin_client, contests):
    html = admin_client.get("/admin/audit", query_string={"contest": contests["essay"].id}).text
    assert actions(html) == ["essay.withdrawn", "judging.score_submitted", "judging.panel_changed",
                             "judging.round_created", "certificate_revoked", "results_published", "contest_updated"]
    assert re.search(rf'<option value="{contests["essay"].id}" selected>', html)
    html = admin_client.get("/admin/audit", query_string={"contest": contests["quiz"].id}).text
    assert actions(html) == ["contest_created", "round_published", "round_updated"]


def test_filter_by_contest_and_action_together(admin_client, contests):
    html = admin_client.get("/admin/audit", query_string={"contest": contests["essay"].id,
                                                          "action": "judging.panel_changed"}).text
    assert actions(html) == ["judging.panel_changed"]


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_unknown_contest_is_said_and_left_out(admin_client, contests, value):
    html = admin_client.get("/admin/audit", query_string={"contest": value}).text
    assert "No such contest." in html
    assert len(actions(html)) == 12


def test_filter_by_what_it_concerns_and_its_id(admin_client, contests):
    html = admin_client.get("/admin/audit", query_string={"target": "round"}).text
    assert actions(html) == ["round_published", "round_updated"]
    html = admin_client.get("/admin/audit", query_string={"target": "contest",
                                                          "target_id": str(contests["quiz"].id)}).text
    assert actions(html) == ["contest_created"]
    assert '<option value="certificate">Certificate</option>' in html


def test_filter_by_days_in_vietnam_time(admin_client, admin):
    db.session.execute(delete(audit.AuditEntry))
    add("unit_created", datetime(2025, 1, 1, 16, 59, tzinfo=UTC), admin, name="a")  # 1 January, 23:59 in Hà Nội
    add("unit_renamed", datetime(2025, 1, 1, 17, 0, tzinfo=UTC), admin)  # 2 January, 00:00
    add("unit_moved", datetime(2025, 1, 2, 16, 59, tzinfo=UTC), admin)  # 2 January, 23:59
    add("unit_deleted", datetime(2025, 1, 2, 17, 0, tzinfo=UTC), admin)  # 3 January, 00:00
    db.session.commit()
    one_day = {"since": "2025-01-02", "until": "2025-01-02"}
    assert actions(admin_client.get("/admin/audit", query_string=one_day).text) == ["unit_moved", "unit_renamed"]
    assert actions(admin_client.get("/admin/audit", query_string={"since": "2025-01-02"}).text) == [
        "unit_deleted", "unit_moved", "unit_renamed"]
    assert actions(admin_client.get("/admin/audit", query_string={"until": "2025-01-01"}).text) == ["unit_created"]
    html = admin_client.get("/admin/audit", query_string=one_day).text
    assert 'name="since" value="2025-01-02"' in html


@pytest.mark.parametrize(("query", "message"), [
    ({"since": "2/1/2025"}, "Not a date: give it as year-month-day, e.g. 2026-05-19."),
    ({"until": "hôm qua"}, "Not a date: give it as year-month-day, e.g. 2026-05-19."),
    ({"since": "2025-01-03", "until": "2025-01-02"}, "The last day is before the first day."),
])
def test_a_date_that_cannot_be_read_is_said_and_left_out(admin_client, contests, query, message):
    resp = admin_client.get("/admin/audit", query_string=query)
    assert resp.status_code == 200
    errors = re.search(r'data-testid="audit-filter-errors">(.*?)</div>', resp.text, re.S).group(1)
    assert message in errors
    assert len(actions(resp.text)) == 12


def test_new_actions_have_labels_and_contests_are_named(admin_client, contests):
    html = admin_client.get("/admin/audit", query_string={"contest": contests["essay"].id}).text
    for label in ("Contest results published", "Certificate revoked", "Judging round created", "Score submitted",
                  "Entry withdrawn"):
        assert label in html, label
    assert f'href="/contests/{contests["essay"].slug}"' in html  # a contest target is named and linked
    assert "Certificate #77" in html
    assert "Published again:</small> no" in html
    assert f"Contest:</small> {contests['essay'].title}" in html  # contest_id in the details, by its title


def test_every_action_the_code_records_has_a_label():
    recorded = set()
    for path in ROOT.rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\(\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
        # Actions chosen by a condition: audit.record("a" if x else "b", ...)
        recorded |= set(re.findall(r'audit\.record\(\s*"[a-z_.]+" if [^"]+ else "([a-z_.]+)"',
                                   path.read_text(encoding="utf-8")))
    assert {"results_published", "round_published", "judging.score_submitted"} <= recorded
    assert recorded - set(services.ACTION_LABELS) == set()
    for action in ("awards_updated", "results_published", "results_unpublished", "certificate_revoked",
                   "certificates_downloaded"):
        assert action in services.ACTION_LABELS
