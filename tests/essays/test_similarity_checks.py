"""The similarity check over a contest's entries: what is compared, what is stored, the command and the pages."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from contest.core.audit import AuditEntry
from contest.essays import checks
from contest.essays.models import EntryVersion, EssaySettings, SimilarityPair
from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_entry, gen_essay_contest
from tests.essays.test_similarity import words
from tests.quiz_factories import gen_contest


def html(pieces: list[str], per_paragraph: int = 60) -> str:
    """The syllables as HTML paragraphs, the first of each paragraph capitalised, a comma now and then."""
    paragraphs = []
    for start in range(0, len(pieces), per_paragraph):
        chunk = list(pieces[start:start + per_paragraph])
        chunk[0] = chunk[0].capitalize()
        chunk[-1] += "."
        paragraphs.append("<p>" + " ".join(chunk) + "</p>")
    return "".join(paragraphs)


@pytest.fixture
def original():
    return words(1000, 300)


def copy_of(original: list[str], seed: int, at: int = 100, start: int = 150, length: int = 40) -> list[str]:
    body = words(seed, 300)
    body[at:at + length] = original[start:start + length]
    return body


def submitted(contest, pieces, **kwargs):
    return gen_entry(contest, status="submitted", body_html=html(pieces), **kwargs)


def add_version(entry, pieces, *, submit: bool) -> None:
    """A new saved version of the entry (submitted too when `submit`)."""
    entry.version += 1
    entry.body_html = html(pieces)
    db.session.add(EntryVersion(entry_id=entry.id, number=entry.version, category_id=entry.category_id,
                                title=entry.title, body_html=entry.body_html, word_count=len(pieces)))
    if submit:
        entry.submitted_version = entry.version
    db.session.commit()


# --- run_check ----------------------------------------------------------------------------------------------

def test_the_check_compares_the_submitted_versions_of_submitted_entries_only(app, original, clock):
    contest = gen_essay_contest()
    a = submitted(contest, original)
    b = submitted(contest, copy_of(original, 2))
    gen_entry(contest, status="draft", body_html=html(copy_of(original, 3)))
    gen_entry(contest, status="withdrawn", body_html=html(copy_of(original, 4)))
    gen_entry(contest, status="disqualified", body_html=html(copy_of(original, 5)))
    later = submitted(contest, words(6, 300))
    add_version(later, copy_of(original, 6), submit=False)  # copied in an edit not submitted (yet)
    other_contest = gen_essay_contest()
    submitted(other_contest, original)

    assert checks.run_check(contest, actor=None) == 1
    db.session.commit()
    [pair] = checks.pairs_of(contest)
    assert (pair.entry_a_id, pair.entry_b_id, pair.version_a, pair.version_b) == (a.id, b.id, 1, 1)
    assert pair.shared_words == 40 and pair.similarity == pytest.approx(40 / 300, abs=1e-4)
    assert pair.passages == [{"a": [150, 190], "b": [100, 140], "words": 40}]
    assert pair.computed_at == clock.now
    assert db.session.get(EssaySettings, contest.id).similarity_checked_at == clock.now
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "essay.similarity_check"))
    assert audit.target_id == str(contest.id) and audit.details == {"entries": 3, "pairs": 1, "min_words": 25}
    assert checks.pairs_of(other_contest) == []

    add_version(later, copy_of(original, 6), submit=True)  # now it is submitted: paired with a and with b
    assert checks.run_check(contest) == 3
    assert {(p.entry_a_id, p.entry_b_id) for p in checks.pairs_of(contest)} == {
        (a.id, b.id), (a.id, later.id), (b.id, later.id)}
    assert {p.version_b for p in checks.pairs_of(contest) if p.entry_b_id == later.id} == {3}


def test_running_again_replaces_the_pairs(app, original):
    contest = gen_essay_contest()
    a = submitted(contest, original)
    b = submitted(contest, copy_of(original, 2))
    c = submitted(contest, copy_of(original, 3, start=10, length=60))  # b and c share nothing
    assert checks.run_check(contest) == 2
    db.session.commit()
    assert checks.flagged_entry_ids(contest) == {a.id, b.id, c.id}
    first = [p.id for p in checks.pairs_of(contest)]

    add_version(b, words(2, 300), submit=True)  # b rewrote the copied passage
    add_version(c, words(3, 300), submit=True)
    assert checks.run_check(contest) == 0
    db.session.commit()
    assert checks.pairs_of(contest) == [] and checks.flagged_entry_ids(contest) == set()
    assert db.session.scalar(select(func.count()).select_from(SimilarityPair)) == 0
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "essay.similarity_check")) == 2
    assert first


def test_pairs_come_most_similar_first(app, original):
    contest = gen_essay_contest()
    submitted(contest, original)
    small = submitted(contest, copy_of(original, 2, length=30))
    large = submitted(contest, copy_of(original, 3, start=0, length=120))
    checks.run_check(contest)
    assert [p.entry_b_id for p in checks.pairs_of(contest)] == [large.id, small.id]


def test_the_contest_setting_sets_the_shortest_passage(app, original):
    contest = gen_essay_contest(similarity_min_words=41)
    submitted(contest, original)
    submitted(contest, copy_of(original, 2))  # 40 syllables
    assert checks.run_check(contest) == 0
    db.session.get(EssaySettings, contest.id).similarity_min_words = 40
    assert checks.run_check(contest) == 1


def test_passages_text_comes_from_the_checked_versions(app, original):
    contest = gen_essay_contest()
    a = submitted(contest, original)
    b = submitted(contest, copy_of(original, 2))
    checks.run_check(contest)
    add_version(a, words(9, 300), submit=False)  # later drafts do not change what the pair shows
    [pair] = checks.pairs_of(contest)
    [(text_a, text_b)] = checks.passages_text(pair)
    assert text_a.split() == [w for w in re.sub(r"<[^>]+>", " ", html(original)).split()][150:190]
    assert text_a.casefold().replace(".", "") == text_b.casefold().replace(".", "")
    assert len(text_b.split()) == 40
    [view] = checks.passage_views(pair, context=5)
    assert view["words"] == 40
    assert (view["a"]["start"], view["a"]["end"]) == (151, 190)
    assert len(view["a"]["before"].split()) == 6 and view["a"]["before"].startswith("… ")
    assert len(view["b"]["after"].split()) == 6 and view["b"]["after"].endswith(" …")
    assert b.id == pair.entry_b_id


def test_a_quiz_contest_cannot_be_checked(app):
    from contest.core.errors import Conflict

    with pytest.raises(Conflict):
        checks.run_check(gen_contest(kind="quiz"))


def test_an_empty_contest_checks_fine(app):
    contest = gen_essay_contest()
    assert checks.run_check(contest) == 0
    assert checks.pairs_of(contest) == [] and checks.flagged_entry_ids(contest) == set()


def test_two_runs_at_once_leave_one_complete_result(app, original):
    contest = gen_essay_contest()
    submitted(contest, original)
    for seed in range(2, 8):
        submitted(contest, copy_of(original, seed, start=seed * 10))
    contest_id = contest.id
    checks.run_check(contest)
    db.session.commit()
    expected = {(p.entry_a_id, p.entry_b_id, p.shared_words) for p in checks.pairs_of(contest)}
    assert len(expected) == 11  # each copy with the original, and copies 10 syllables apart with each other
    errors = []

    def run() -> None:
        with app.app_context():
            try:
                from contest.contests.models import Contest

                checks.run_check(db.session.get(Contest, contest_id))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    assert {(p.entry_a_id, p.entry_b_id, p.shared_words) for p in checks.pairs_of(contest)} == expected
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "essay.similarity_check")) == 4


# --- the command --------------------------------------------------------------------------------------------

def test_command_runs_the_check(app, runner, original):
    contest = gen_essay_contest(slug="viet-ve-bac")
    submitted(contest, original)
    submitted(contest, copy_of(original, 2))
    result = runner.invoke(args=["essays", "similarity", "viet-ve-bac"])
    assert result.exit_code == 0, result.output
    assert "2 submitted entries" in result.output and "1 pair(s)" in result.output
    db.session.expire_all()
    assert len(checks.pairs_of(contest)) == 1
    assert db.session.get(EssaySettings, contest.id).similarity_checked_at is not None


def test_command_refuses_unknown_slugs_and_quizzes(app, runner):
    gen_contest(slug="cau-do", kind="quiz")
    result = runner.invoke(args=["essays", "similarity", "khong-co"])
    assert result.exit_code == 1 and "No contest with the slug 'khong-co'" in result.output
    result = runner.invoke(args=["essays", "similarity", "cau-do"])
    assert result.exit_code == 1 and "not a writing contest" in result.output


# --- pages --------------------------------------------------------------------------------------------------

@pytest.fixture
def checked(app, original):
    contest = gen_essay_contest(slug="viet-ve-guong-sang")
    author_a = factories.gen_user(full_name="Trần Thị Hoa")
    author_b = factories.gen_user(full_name="Lê Văn Nam")
    a = submitted(contest, original, author=author_a, title="Người thầy của bản", code="VT26-111111")
    b = submitted(contest, copy_of(original, 2), author=author_b, title="Cô giáo vùng cao", code="VT26-222222")
    checks.run_check(contest)
    db.session.commit()
    return contest, a, b, checks.pairs_of(contest)[0]


def test_organisers_see_the_pairs(checked, organiser_client):
    contest, a, b, pair = checked
    page = organiser_client.get(f"/organiser/contests/{contest.slug}/similarity")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for value in ("VT26-111111", "VT26-222222", "Người thầy của bản", "Cô giáo vùng cao", "Trần Thị Hoa",
                  "Lê Văn Nam", f"/organiser/contests/{contest.slug}/similarity/{pair.id}"):
        assert value in text
    assert re.search(r"13[,.]3\s?%", text)  # 40 of 300 syllables
    assert 'style="' not in text and "<script>" not in text


def test_many_pairs_come_in_pages(app, organiser_client, original, monkeypatch):
    from contest.essays import similarity_views

    monkeypatch.setattr(similarity_views, "PER_PAGE", 2)
    contest = gen_essay_contest()
    submitted(contest, original)
    copies = [submitted(contest, copy_of(original, seed, start=seed * 40, length=30 + seed)) for seed in range(1, 6)]
    assert checks.run_check(contest) == 5
    db.session.commit()
    assert [p.entry_b_id for p in checks.pairs_of(contest, limit=2, offset=2)] == [copies[2].id, copies[1].id]
    path = f"/organiser/contests/{contest.slug}/similarity"
    first = organiser_client.get(path).get_data(as_text=True)
    assert first.count('data-testid="pair-row-') == 2 and "page=2" in first and 'rel="prev"' not in first
    last = organiser_client.get(path + "?page=3").get_data(as_text=True)
    assert last.count('data-testid="pair-row-') == 1 and 'rel="next"' not in last
    assert organiser_client.get(path + "?page=99").status_code == 200  # the last page


def test_the_pair_page_shows_the_passages_side_by_side(checked, admin_client):
    contest, a, b, pair = checked
    page = admin_client.get(f"/organiser/contests/{contest.slug}/similarity/{pair.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    [(text_a, text_b)] = checks.passages_text(pair)
    assert text_a in text and text_b in text
    assert text.count("<mark") == 2 and "pair-columns" in text
    assert 'style="' not in text


def test_the_pair_page_of_another_contest_is_not_found(checked, organiser_client):
    contest, a, b, pair = checked
    other = gen_essay_contest()
    assert organiser_client.get(f"/organiser/contests/{other.slug}/similarity/{pair.id}").status_code == 404
    assert organiser_client.get(f"/organiser/contests/{contest.slug}/similarity/{pair.id + 100}").status_code == 404


def test_run_now_button(app, organiser_client, original, clock):
    contest = gen_essay_contest()
    page = organiser_client.get(f"/organiser/contests/{contest.slug}/similarity")
    assert page.status_code == 200 and 'data-testid="never-checked"' in page.get_data(as_text=True)
    submitted(contest, original)
    submitted(contest, copy_of(original, 2))
    answer = organiser_client.post(f"/organiser/contests/{contest.slug}/similarity/run", follow_redirects=True)
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert 'data-testid="pair-table"' in text and 'class="flash flash-success"' in text
    assert len(checks.pairs_of(contest)) == 1


def test_the_run_button_needs_the_csrf_token(app, organiser, original):
    app.config["WTF_CSRF_ENABLED"] = True
    contest = gen_essay_contest()
    client = app.test_client(user=organiser)
    assert client.post(f"/organiser/contests/{contest.slug}/similarity/run").status_code == 400
    assert db.session.get(EssaySettings, contest.id).similarity_checked_at is None


def test_members_and_judges_are_refused_and_anonymous_sent_to_sign_in(checked, member_client, judge_client, client):
    contest, a, b, pair = checked
    for path in (f"/organiser/contests/{contest.slug}/similarity",
                 f"/organiser/contests/{contest.slug}/similarity/{pair.id}"):
        assert member_client.get(path).status_code == 403
        assert judge_client.get(path).status_code == 403
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert member_client.post(f"/organiser/contests/{contest.slug}/similarity/run").status_code == 403
    assert client.post(f"/organiser/contests/{contest.slug}/similarity/run").status_code == 302


def test_unknown_slugs_and_quizzes_are_not_found(app, organiser_client):
    gen_contest(slug="cau-do", kind="quiz")
    for slug in ("khong-co", "cau-do"):
        assert organiser_client.get(f"/organiser/contests/{slug}/similarity").status_code == 404
        assert organiser_client.post(f"/organiser/contests/{slug}/similarity/run").status_code == 404
