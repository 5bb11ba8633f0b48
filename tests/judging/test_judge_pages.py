"""The judges' pages through the Flask client: who may open them, the queue grouped by round, scoring with the
no-script form (drafts, range errors, a comment before its score, submission), read-only after submitting and after
the close, a reopened score, declaring a conflict, the other judges' totals only where the round allows, and a scan
of every judge-facing page, redirect and message for anything that names the author."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest.core.text import unaccent
from contest.essays.models import Attachment
from contest.extensions import db
from contest.judging import rounds, scoring
from contest.judging.models import Assignment, Conflict
from tests.judging_factories import (
    COAUTHOR_NAME,
    ROUND_CLOSES,
    ROUND_OPENS,
    assignments,
    gen_round,
    gen_world,
    score,
)


@pytest.fixture
def world(app):
    return gen_world()


@pytest.fixture
def now(clock):
    return clock.set(ROUND_OPENS + timedelta(hours=1))


def as_judge(app, judge, lang: str | None = "en"):
    """A judge's client, reading the pages in English (the messages are checked in English) unless `lang` is None
    (the default language, Vietnamese)."""
    jc = app.test_client(user=judge)
    if lang:
        jc.set_cookie("lang", lang, domain="localhost")
    return jc


def html(resp) -> str:
    return resp.get_data(as_text=True)


def form_of(row, fraction: float | None = None, **fields) -> dict[str, str]:
    """The rubric form as a browser without scripts posts it: every criterion's score (empty unless `fraction`)."""
    data = {f"score-{c.id}": "" if fraction is None else f"{c.max_score * fraction:g}" for c in row.round.criteria}
    data.update({f"comment-{c.id}": "" for c in row.round.criteria})
    data.update({"comment": "", "action": "save"})
    data.update(fields)
    return data


def input_value(page: str, criterion_id: int) -> str:
    tag = re.search(rf'<input[^>]*name="score-{criterion_id}"[^>]*>', page, re.S)
    assert tag, f"no input for criterion {criterion_id}"
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else ""


@pytest.fixture
def round_(world, now):
    return gen_round(world, assign=True)


def mine(round_, judge) -> Assignment:
    return next(a for a in assignments(round_, judge) if a.status == "pending")


# --- access ------------------------------------------------------------------------------------------------

def test_only_judges_reach_the_pages(app, client, world, round_):
    row = assignments(round_, world.judges[0])[0]
    for url in ("/judging", f"/judging/assignments/{row.id}"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
        assert app.test_client(user=world.writers[0]).get(url).status_code == 403
        assert app.test_client(user=world.organiser).get(url).status_code == 403
    assert app.test_client(user=world.writers[0]).post(f"/judging/assignments/{row.id}/conflict",
                                                       data={"reason": "x"}).status_code == 403
    other = next(j for j in world.judges if j.id != row.judge_id)
    oc = as_judge(app, other)
    assert oc.get(f"/judging/assignments/{row.id}").status_code == 404
    assert oc.post(f"/judging/assignments/{row.id}", data=form_of(row, 0.5)).status_code == 404
    assert oc.post(f"/judging/assignments/{row.id}/conflict", data={"reason": "x"}).status_code == 404
    assert oc.get("/judging/assignments/999999").status_code == 404
    assert row.scores == [] and row.status == "pending"


def test_the_nav_links_judges_to_their_queue(app, world, round_):
    assert 'data-testid="nav-judging"' in html(as_judge(app, world.judges[0]).get("/"))
    assert 'data-testid="nav-judging"' not in html(app.test_client(user=world.writers[0]).get("/"))


# --- the queue ---------------------------------------------------------------------------------------------

def test_the_queue_is_grouped_by_round_with_progress(app, world, clock, round_):
    judge = world.judges[1]
    jc = as_judge(app, judge)
    rows = assignments(round_, judge)
    score(rows[0], now=clock.now)
    later = gen_round(world, title="Vòng chung khảo thử", opens_at=(ROUND_CLOSES + timedelta(days=1)).isoformat(),
                      closes_at=(ROUND_CLOSES + timedelta(days=8)).isoformat(), assign=False)
    rounds.assign(later, world.organiser, now=clock.now)
    db.session.commit()
    page = html(jc.get("/judging"))
    assert page.count('data-testid="queue-round"') == 2
    assert page.index("Vòng sơ khảo") < page.index("Vòng chung khảo thử")  # open rounds first
    assert f"1 of {len(rows)} submitted" in page
    assert f'<progress value="1" max="{len(rows)}">' in page
    for row in rows:
        assert row.entry.code in page
        assert f"/judging/assignments/{row.id}" in page
    for row in assignments(later, judge):
        assert f"/judging/assignments/{row.id}" not in page  # not openable before it opens
    assert "Not open yet" in page and "Submitted" in page and "Not started" in page
    # An upcoming round's assignment sends the judge back to the queue with the reason.
    upcoming = assignments(later, judge)[0]
    resp = jc.get(f"/judging/assignments/{upcoming.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/judging")
    assert "has not opened yet" in html(jc.get("/judging"))


def test_an_empty_queue_says_so(app, judge):
    page = html(as_judge(app, judge).get("/judging"))
    assert 'data-testid="queue-empty"' in page and "No entries have been assigned to you yet" in page


# --- scoring without scripts -------------------------------------------------------------------------------

def test_scoring_a_draft_and_submitting_without_scripts(app, world, round_):
    judge = world.judges[0]
    row = mine(round_, judge)
    jc = as_judge(app, judge)
    url = f"/judging/assignments/{row.id}"
    page = html(jc.get(url))
    content, creativity, form, impact = row.round.criteria
    assert 'type="number"' in page and f'max="{content.max_score}"' in page and 'step="any"' in page
    assert "weight 40" in page and "out of 100" in page
    assert 'data-testid="submit-scores"' in page and 'data-testid="save-draft"' in page
    assert "js/judging-score.js" in page

    # Out of range and not a number: 422, nothing saved, what was typed is kept with the messages.
    resp = jc.post(url, data=form_of(row, **{f"score-{content.id}": "11", f"score-{form.id}": "4,5"}))
    assert resp.status_code == 422
    page = html(resp)
    assert "“Nội dung”: give a score from 0 to 10." in page
    assert input_value(page, content.id) == "11" and input_value(page, form.id) == "4,5"
    resp = jc.post(url, data=form_of(row, **{f"score-{content.id}": "tám"}))
    assert resp.status_code == 422 and "“Nội dung”: give a score from 0 to 10." in html(resp)
    db.session.refresh(row)
    assert row.scores == [] and row.status == "pending"

    # A draft with a decimal comma, a comment before its score, and an overall comment.
    resp = jc.post(url, data=form_of(row, **{f"score-{content.id}": "8", f"score-{form.id}": "4,5",
                                             f"comment-{impact.id}": "Cần xem lại phần kết.",
                                             "comment": "Bài viết cảm động."}))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    page = html(jc.get(url))
    assert "Your draft has been saved." in page
    assert input_value(page, content.id) == "8" and input_value(page, form.id) == "4.5"
    assert input_value(page, impact.id) == "" and "Cần xem lại phần kết." in page and "Bài viết cảm động." in page
    db.session.refresh(row)
    assert row.status == "draft" and {s.criterion_id: s.value for s in row.scores} == {
        content.id: 8, form.id: 4.5, impact.id: None}

    # Submitting with a criterion unscored: 422 incomplete, still a draft.
    resp = jc.post(url, data=form_of(row, **{f"score-{content.id}": "8", f"score-{form.id}": "4.5",
                                             "action": "submit"}))
    assert resp.status_code == 422 and "has no score" in html(resp)
    db.session.refresh(row)
    assert row.status == "draft"

    resp = jc.post(url, data=form_of(row, 0.8, action="submit"))
    assert resp.status_code == 302
    page = html(jc.get(url))
    assert "Your scores have been submitted." in page and 'data-testid="read-only"' in page
    assert 'data-testid="submit-scores"' not in page and "<fieldset class=\"judge-criteria\" disabled>" in page
    assert "js/judging-score.js" not in page and 'data-testid="conflict"' not in page
    assert ">80</output>" in page
    db.session.refresh(row)
    assert row.status == "submitted" and scoring.judge_total(row) == pytest.approx(80)
    # A stale form posted again is refused (409) and changes nothing.
    resp = jc.post(url, data=form_of(row, 0.5, action="submit"))
    assert resp.status_code == 409
    db.session.refresh(row)
    assert scoring.judge_total(row) == pytest.approx(80)


def test_read_only_after_the_close_unless_reopened(app, world, clock, round_):
    judge = world.judges[0]
    rows = assignments(round_, judge)
    draft, submitted = rows[0], rows[1]
    jc = as_judge(app, judge)
    jc.post(f"/judging/assignments/{draft.id}", data=form_of(draft, **{f"score-{draft.round.criteria[0].id}": "6"}))
    score(submitted, now=clock.now)
    clock.set(ROUND_CLOSES + timedelta(minutes=1))
    page = html(jc.get(f"/judging/assignments/{draft.id}"))
    assert 'data-testid="read-only"' in page and "closed on" in page and "were not submitted" in page
    assert input_value(page, draft.round.criteria[0].id) == "6"
    assert 'data-testid="submit-scores"' not in page and "judge-criteria\" disabled" in page
    resp = jc.post(f"/judging/assignments/{draft.id}", data=form_of(draft, 0.7))
    assert resp.status_code == 409 and "closed" in html(resp)
    queue = html(jc.get("/judging"))
    assert "Closed" in queue and ">View<" in queue.replace("\n", "").replace(" ", "")

    # An organiser reopens the submitted score: the judge changes it and submits again.
    scoring.reopen_assignment(submitted, (clock.now + timedelta(days=1)).isoformat(), "Nhập nhầm điểm",
                              world.organiser)
    db.session.commit()
    url = f"/judging/assignments/{submitted.id}"
    page = html(jc.get(url))
    assert 'data-testid="reopened"' in page and "Submit again" in page and 'data-testid="save-draft"' not in page
    resp = jc.post(url, data=form_of(submitted, 0.9, action="submit"))
    assert resp.status_code == 302
    db.session.refresh(submitted)
    assert submitted.status == "submitted" and submitted.reopened_until is None
    assert scoring.judge_total(submitted) == pytest.approx(90)
    assert 'data-testid="read-only"' in html(jc.get(url))

    # The round kept open for this judge alone: their draft can be finished and submitted after the close.
    scoring.extend_for_judge(draft.round, judge.id, (clock.now + timedelta(hours=6)).isoformat(), "Ốm",
                             world.organiser)
    db.session.commit()
    url = f"/judging/assignments/{draft.id}"
    page = html(jc.get(url))
    assert 'data-testid="read-only"' not in page and 'data-testid="submit-scores"' in page
    assert jc.post(url, data=form_of(draft, 0.5, action="submit")).status_code == 302
    db.session.refresh(draft)
    assert draft.status == "submitted" and scoring.judge_total(draft) == pytest.approx(50)
    other = as_judge(app, world.judges[1])
    theirs = next(a for a in assignments(round_, world.judges[1]) if a.status != "submitted")
    assert 'data-testid="read-only"' in html(other.get(f"/judging/assignments/{theirs.id}"))


# --- conflicts ---------------------------------------------------------------------------------------------

def test_declaring_a_conflict_hands_the_entry_back(app, world, round_):
    judge = world.judges[1]
    row = mine(round_, judge)
    entry_id, row_id = row.entry_id, row.id
    jc = as_judge(app, judge)
    page = html(jc.get(f"/judging/assignments/{row_id}"))
    assert 'data-testid="conflict"' in page and 'name="reason"' in page
    resp = jc.post(f"/judging/assignments/{row_id}/conflict", data={"reason": "  "})
    assert resp.status_code == 302 and f"/judging/assignments/{row_id}" in resp.headers["Location"]
    assert db.session.get(Assignment, row_id) is not None
    resp = jc.post(f"/judging/assignments/{row_id}/conflict", data={"reason": "Tôi biết tác giả."})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/judging")
    page = html(jc.get("/judging"))
    assert "handed back" in page and f"/judging/assignments/{row_id}\"" not in page
    assert db.session.get(Assignment, row_id) is None
    conflict = db.session.query(Conflict).filter_by(judge_id=judge.id, entry_id=entry_id).one()
    assert conflict.reason == "Tôi biết tác giả."
    assert jc.get(f"/judging/assignments/{row_id}").status_code == 404


# --- other judges' totals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("policy", ["after_submit", "never"])
def test_other_judges_totals_only_after_submitting_and_when_allowed(app, world, clock, now, policy):
    round_ = gen_round(world, assign=True, reveal_scores=policy)
    entry_rows = rounds.assignments_of(round_, entry_id=world.entries[1].id)
    first, second = entry_rows[0], entry_rows[1]
    score(second, 0.6, now=clock.now)
    jc = as_judge(app, first.judge)
    url = f"/judging/assignments/{first.id}"
    assert 'data-testid="other-totals"' not in html(jc.get(url))
    assert jc.post(url, data=form_of(first, 0.8, action="submit")).status_code == 302
    page = html(jc.get(url))
    if policy == "after_submit":
        assert 'data-testid="other-totals"' in page and "Judge 1" in page and "<strong>60</strong>" in page
        assert second.judge.full_name not in page
    else:
        assert 'data-testid="other-totals"' not in page and "<strong>60</strong>" not in page


# --- blind -------------------------------------------------------------------------------------------------

def _secrets(world, entry) -> list[str]:
    author = next(w for w in world.writers if w.id == entry.author_id)
    unit = next(u for u in world.units if u.id == entry.unit_id)
    values = [author.full_name, author.email, unit.name, COAUTHOR_NAME, world.coauthor.email, world.units[1].name,
              f"/users/{author.id}", f"/entries/{entry.id}/"]
    return values + [unaccent(v) for v in values]


def _scan(resp, secrets) -> str:
    assert resp.status_code < 500
    texts = [html(resp), resp.headers.get("Location", "")]
    for text in texts + [unaccent(t) for t in texts]:
        for secret in secrets:
            assert secret not in text, f"{secret!r} on a judge's page"
    return texts[0]


def test_no_judge_page_names_the_author(app, world, clock):
    collective = world.entries[0]  # with a co-author who has an account
    secrets = _secrets(world, collective)
    author = collective.author
    taken = ROUND_OPENS - timedelta(days=2)
    for kind, content_type, name in (("image", "image/png", f"{author.full_name} - ảnh.png"),
                                     ("pdf", "application/pdf", f"{author.email}.pdf")):
        db.session.add(Attachment(entry_id=collective.id, key=f"k{kind}0123456789abcdef", kind=kind,
                                  content_type=content_type, original_name=name, size=2048, width=8, height=6,
                                  uploaded_by_id=author.id, created_at=taken))
    db.session.commit()
    round_ = gen_round(world, assign=True, same_unit_conflicts=False)
    rows = rounds.assignments_of(round_, entry_id=collective.id)
    assert len(rows) == 2
    clock.set(ROUND_OPENS + timedelta(hours=1))
    for n, row in enumerate(rows):
        jc = as_judge(app, row.judge, lang=None if n else "en")
        url = f"/judging/assignments/{row.id}"
        _scan(jc.get("/judging"), secrets)
        page = _scan(jc.get(url), secrets)
        assert '<img src="/essays/files/kimage0123456789abcdef"' in page
        assert 'href="/essays/files/kpdf0123456789abcdef"' in page
        content = row.round.criteria[0].id
        _scan(jc.post(url, data=form_of(row, **{f"score-{content}": "7", f"comment-{content}": "Tốt."})), secrets)
        _scan(jc.get(url), secrets)  # the draft, with the flash
        _scan(jc.post(url, data=form_of(row, **{f"score-{content}": "70"})), secrets)  # a range error
        _scan(jc.post(url, data=form_of(row, 0.8, action="submit")), secrets)
        _scan(jc.get(url), secrets)  # submitted, with the other judge's total once both have
        if n == len(rows) - 1:
            assert 'data-testid="other-totals"' in html(jc.get(url))
    clock.set(ROUND_CLOSES + timedelta(hours=1))
    for row in rows:
        jc = as_judge(app, row.judge)
        _scan(jc.get(f"/judging/assignments/{row.id}"), secrets)
        _scan(jc.get("/judging"), secrets)
    # A conflict declared on the collective entry in a later round, with its redirect and flash.
    clock.set(ROUND_OPENS + timedelta(hours=2))
    later = gen_round(world, title="Vòng thêm", assign=True, same_unit_conflicts=False)
    row = rounds.assignments_of(later, entry_id=collective.id)[0]
    jc = as_judge(app, row.judge)
    _scan(jc.get(f"/judging/assignments/{row.id}"), secrets)
    _scan(jc.post(f"/judging/assignments/{row.id}/conflict", data={"reason": ""}), secrets)
    _scan(jc.get(f"/judging/assignments/{row.id}"), secrets)
    _scan(jc.post(f"/judging/assignments/{row.id}/conflict", data={"reason": "Tôi biết tác giả."}), secrets)
    _scan(jc.get("/judging"), secrets)

