"""The rules of writing contests (contest/essays/services.py): who may write and when, drafts and versions,
conflicts between tabs, co-authors, submission with the pledge, word limits and receipt codes, withdrawal,
disqualification, attachments, the organisers' list, settings and categories."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from contest.contests.models import Contest
from contest.core.audit import AuditEntry
from contest.core.errors import Conflict, Forbidden, Invalid, NotFound
from contest.essays import services as essays
from contest.essays.models import Entry, EntryVersion, EssaySettings
from contest.extensions import db
from tests import factories
from tests.essay_factories import gen_category, gen_entry, gen_essay_contest
from tests.essays.conftest import text
from tests.quiz_factories import T0, gen_contest

CODE = re.compile(r"^VT26-\d{6}$")


def new_draft(contest, user, **data):
    entry = essays.create_entry(contest, user, {"title": "Người bí thư chi bộ", "category_id":
                                                essays.categories_of(contest)[0].id, **data})
    db.session.commit()
    return entry


def complete(contest, user, words=20, **data):
    return new_draft(contest, user, subject_name="Nguyễn Văn Lâm", body_html=text(words), **data)


def outbox(app):
    return app.extensions.get("contest_outbox", [])


def audit_actions(entry) -> list[str]:
    return [a.action for a in essays.entry_history(entry)]


# --- settings and categories ------------------------------------------------------------------------------

def test_settings_are_made_with_defaults_on_first_use(app, organiser):
    contest = gen_contest(kind="essay", opens_at=T0, closes_at=T0 + timedelta(days=5))
    transient = essays.settings_for(contest, persist=False)
    assert transient.code_prefix == "VT26" and transient.pledge_text and transient.allow_collective is False
    assert db.session.get(EssaySettings, contest.id) is None
    settings = essays.settings_for(contest)
    db.session.commit()
    assert db.session.get(EssaySettings, contest.id) is settings
    assert settings.code_prefix == "VT26" and settings.max_entries_per_writer is None


def test_the_default_prefix_follows_the_year_of_opening_in_hanoi(app):
    # 31/12/2026 20:00 UTC is already 1/1/2027 in Hà Nội.
    contest = gen_contest(kind="essay", opens_at=T0.replace(month=12, day=31, hour=20))
    assert essays.settings_for(contest).code_prefix == "VT27"


def test_update_settings_checks_every_field(app, organiser):
    contest = gen_essay_contest()
    with pytest.raises(Invalid) as err:
        essays.update_settings(contest, {"code_prefix": "vt-26", "max_entries_per_writer": 0, "pledge_text": "  ",
                                         "similarity_min_words": 3, "allow_collective": "maybe"}, organiser)
    assert set(err.value.fields) == {"code_prefix", "max_entries_per_writer", "pledge_text", "similarity_min_words",
                                     "allow_collective"}
    db.session.rollback()
    settings = essays.update_settings(contest, {
        "code_prefix": " hn2026 ", "max_entries_per_writer": "2", "allow_collective": True, "theme": " Tấm  gương ",
        "rules_html": '<p onclick="x()">Thể lệ<script>alert(1)</script></p>', "pledge_text": "Tôi cam đoan."},
        organiser)
    db.session.commit()
    assert settings.code_prefix == "HN2026" and settings.max_entries_per_writer == 2 and settings.allow_collective
    assert settings.theme == "Tấm gương"
    assert "script" not in settings.rules_html and "onclick" not in settings.rules_html
    assert essays.update_settings(contest, {"max_entries_per_writer": None}, organiser).max_entries_per_writer is None
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "essay.settings_updated"))


def test_only_organisers_change_settings_and_only_of_writing_contests(app, member, organiser):
    with pytest.raises(Forbidden):
        essays.update_settings(gen_essay_contest(), {"theme": "x"}, member)
    with pytest.raises(Conflict) as err:
        essays.update_settings(gen_contest(kind="quiz"), {"theme": "x"}, organiser)
    assert err.value.code == "not_an_essay"


def test_categories_with_word_limits(app, organiser):
    contest = gen_essay_contest(categories=0)
    first = essays.add_category(contest, {"name": " Học sinh, sinh viên ", "min_words": 800, "max_words": "2500"},
                                organiser)
    second = essays.add_category(contest, {"name": "Tác phẩm tập thể", "description": " Bài viết chung. "}, organiser)
    db.session.commit()
    assert [c.name for c in essays.categories_of(contest)] == ["Học sinh, sinh viên", "Tác phẩm tập thể"]
    assert (first.min_words, first.max_words) == (800, 2500) and (second.min_words, second.max_words) == (None, None)
    assert second.description == "Bài viết chung." and first.description == ""
    with pytest.raises(Conflict) as err:
        essays.add_category(contest, {"name": "Tác phẩm tập thể"}, organiser)
    assert err.value.code == "category_taken"
    with pytest.raises(Invalid) as err:
        essays.add_category(contest, {"name": "", "min_words": -1, "max_words": "nhiều"}, organiser)
    assert set(err.value.fields) == {"name", "min_words", "max_words"}
    with pytest.raises(Invalid) as err:
        essays.update_category(first, {"max_words": 100}, organiser)
    assert "max_words" in err.value.fields
    essays.update_category(first, {"max_words": 3000, "name": "Học sinh - sinh viên"}, organiser)
    assert first.max_words == 3000 and first.name == "Học sinh - sinh viên"


def test_a_category_in_use_cannot_be_deleted(app, organiser):
    contest = gen_essay_contest(categories=2)
    used, unused = essays.categories_of(contest)
    gen_entry(contest, category=used)
    with pytest.raises(Conflict) as err:
        essays.delete_category(used, organiser)
    assert err.value.code == "category_in_use"
    essays.delete_category(unused, organiser)
    db.session.commit()
    assert [c.id for c in essays.categories_of(contest)] == [used.id]


def test_submissions_state_follows_the_contest_times(app):
    contest = gen_essay_contest(opens_at=T0, closes_at=T0 + timedelta(days=1))
    assert essays.submissions_state(contest, T0 - timedelta(seconds=1)) == "not_open"
    assert essays.submissions_state(contest, T0) == "open"
    assert essays.submissions_state(contest, T0 + timedelta(days=1)) == "closed"
    unbounded = gen_contest(kind="essay", opens_at=None, closes_at=None)
    assert essays.submissions_state(unbounded, T0) == "open"


# --- who may write ----------------------------------------------------------------------------------------

def test_a_member_starts_a_draft_with_a_category_and_a_title(app, clock, contest, member):
    entry = new_draft(contest, member, body_html='<p>Mở đầu <b>bài viết</b><script>x</script></p>')
    assert entry.status == "draft" and entry.version == 1 and entry.code is None
    assert entry.unit_id == member.unit_id and entry.word_count == 4 and "script" not in entry.body_html
    versions = essays.versions_of(entry)
    assert [(v.number, v.title, v.word_count) for v in versions] == [(1, "Người bí thư chi bộ", 4)]
    with pytest.raises(Invalid) as err:
        essays.create_entry(contest, member, {"title": " ", "category_id": None})
    assert set(err.value.fields) == {"title", "category_id"}
    other = gen_essay_contest()
    with pytest.raises(Invalid) as err:
        essays.create_entry(contest, member, {"title": "Bài", "category_id": essays.categories_of(other)[0].id})
    assert "category_id" in err.value.fields


@pytest.mark.parametrize("role", ["judge", "organiser"])
def test_only_members_write(app, clock, contest, role):
    with pytest.raises(Forbidden) as err:
        new_draft(contest, factories.gen_user(roles=[role]))
    assert err.value.code == "members_only"


def test_the_contest_unit_restricts_who_writes(app, clock):
    ward = factories.gen_unit("Phường Long Biên")
    cell = factories.gen_unit("Chi bộ Tổ dân phố Thạch Bàn 1", parent=ward)
    contest = gen_essay_contest(unit=ward)
    new_draft(contest, factories.gen_user(unit=cell))
    with pytest.raises(Forbidden) as err:
        new_draft(contest, factories.gen_user(unit=factories.gen_unit("Xã Ứng Hòa")))
    assert err.value.code == "not_in_unit"


def test_nobody_writes_outside_the_open_times_or_in_a_draft_contest(app, clock, contest, member):
    clock.set(T0 - timedelta(days=2))
    with pytest.raises(Conflict) as err:
        new_draft(contest, member)
    assert err.value.code == "contest_not_open"
    clock.set(T0 + timedelta(days=30))
    with pytest.raises(Conflict) as err:
        new_draft(contest, member)
    assert err.value.code == "contest_closed"
    clock.set(T0)
    with pytest.raises(NotFound):
        new_draft(gen_essay_contest(status="draft"), member)


def test_a_quiz_or_a_contest_without_categories_takes_no_entries(app, clock, member):
    with pytest.raises(Conflict) as err:
        essays.create_entry(gen_contest(kind="quiz"), member, {"title": "Bài", "category_id": 1})
    assert err.value.code == "not_an_essay"
    with pytest.raises(Conflict) as err:
        essays.create_entry(gen_essay_contest(categories=0), member, {"title": "Bài", "category_id": 1})
    assert err.value.code == "no_categories"


def test_drafts_per_writer_are_bounded(app, clock, contest, member, monkeypatch):
    monkeypatch.setattr(essays, "MAX_DRAFTS", 2)
    new_draft(contest, member)
    new_draft(contest, member)
    with pytest.raises(Conflict) as err:
        new_draft(contest, member)
    assert err.value.code == "too_many_drafts"


# --- reading ----------------------------------------------------------------------------------------------

def test_an_entry_is_seen_by_its_author_and_organisers_only(app, clock, contest, member, organiser, admin, judge):
    entry = new_draft(contest, member)
    assert essays.entry_for(member, entry.id) is entry
    assert essays.entry_for(organiser, str(entry.id)) is entry
    assert essays.entry_for(admin, entry.id) is entry
    for stranger in (factories.gen_user(), judge, None):
        with pytest.raises(NotFound):
            essays.entry_for(stranger, entry.id)
    for bad in (0, -1, "abc", None, 2**70, entry.id + 1000):
        with pytest.raises(NotFound):
            essays.entry_for(member, bad)


def test_entries_of_lists_the_writers_own(app, clock, contest, member):
    mine = new_draft(contest, member)
    new_draft(contest, factories.gen_user())
    elsewhere = gen_entry(gen_essay_contest(), member)
    assert [e.id for e in essays.entries_of(member, contest)] == [mine.id]
    assert {e.id for e in essays.entries_of(member)} == {mine.id, elsewhere.id}


# --- saving and versions ----------------------------------------------------------------------------------

def test_each_save_that_changes_something_is_a_new_version(app, clock, contest, member):
    entry = new_draft(contest, member)
    clock.advance(minutes=1)
    essays.save_entry(entry, member, {"body_html": text(12), "subject_name": " Nguyễn  Văn Lâm "}, base_version=1)
    db.session.commit()
    assert entry.version == 2 and entry.word_count == 12 and entry.subject_name == "Nguyễn Văn Lâm"
    assert entry.saved_at == T0 + timedelta(minutes=1)
    essays.save_entry(entry, member, {"body_html": text(12), "title": entry.title}, base_version=2)
    db.session.commit()
    assert entry.version == 2  # nothing changed: no new version
    essays.save_entry(entry, member, {"title": "Tiêu đề mới"}, base_version=None)
    db.session.commit()
    db.session.expire_all()
    fresh = db.session.get(Entry, entry.id)
    assert fresh.version == 3 and fresh.title == "Tiêu đề mới" and fresh.word_count == 12
    assert [v.number for v in essays.versions_of(fresh)] == [3, 2, 1]
    assert essays.version_of(fresh, 2).body_html == text(12)
    with pytest.raises(NotFound):
        essays.version_of(fresh, 4)


def test_a_save_from_a_stale_version_is_refused_and_nothing_is_lost(app, clock, contest, member):
    entry = new_draft(contest, member)
    essays.save_entry(entry, member, {"body_html": "<p>từ tab thứ nhất</p>"}, base_version=1)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        essays.save_entry(entry, member, {"body_html": "<p>từ tab thứ hai</p>"}, base_version=1)
    assert err.value.code == "version_conflict" and err.value.fields == {"version": ["2"]}
    assert err.value.extra == {"current_version": 2}
    db.session.rollback()
    with pytest.raises(Conflict):  # a stale base is refused even when the save would change nothing
        essays.save_entry(entry, member, {"body_html": "<p>từ tab thứ nhất</p>"}, base_version=1)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).body_html == "<p>từ tab thứ nhất</p>"
    assert db.session.scalar(select(func.count()).select_from(EntryVersion)) == 2


def test_bad_fields_change_nothing(app, clock, contest, member):
    entry = new_draft(contest, member)
    with pytest.raises(Invalid) as err:
        essays.save_entry(entry, member, {"title": "", "subject_name": "x" * 201, "category_id": 999_999,
                                          "body_html": 42}, base_version=1)
    assert set(err.value.fields) == {"title", "subject_name", "category_id", "body_html"}
    with pytest.raises(Invalid):
        essays.save_entry(entry, member, {"title": "Bài"}, base_version="2")
    db.session.rollback()
    assert db.session.get(Entry, entry.id).version == 1


def test_only_the_author_saves(app, clock, contest, member, organiser):
    entry = new_draft(contest, member)
    with pytest.raises(NotFound):
        essays.save_entry(entry, factories.gen_user(), {"title": "Của tôi"})
    with pytest.raises(Forbidden) as err:
        essays.save_entry(entry, organiser, {"title": "Sửa hộ"})
    assert err.value.code == "not_author"


def test_after_the_close_the_entry_is_read_only(app, clock, contest, member):
    entry = complete(contest, member)
    essays.submit_entry(entry, member, pledge=True)
    db.session.commit()
    clock.set(T0 + timedelta(days=30))
    for action in (lambda: essays.save_entry(entry, member, {"title": "Muộn"}),
                   lambda: essays.submit_entry(entry, member, pledge=True),
                   lambda: essays.withdraw_entry(entry, member),
                   lambda: essays.restore_version(entry, member, 1, None),
                   lambda: essays.add_attachment(entry, member, "a.png", b"x"),
                   lambda: essays.remove_attachment(entry, member, 1)):
        with pytest.raises(Conflict) as err:
            action()
        assert err.value.code == "contest_closed"
    assert essays.entry_for(member, entry.id).status == "submitted"
    assert not essays.is_editable(entry)


def test_restore_makes_a_new_version_with_the_old_content(app, clock, contest, member):
    entry = new_draft(contest, member, body_html="<p>bản đầu tiên</p>")
    essays.save_entry(entry, member, {"body_html": "<p>bản thứ hai dài hơn</p>", "title": "Tiêu đề hai"}, 1)
    essays.restore_version(entry, member, 1, base_version=2)
    db.session.commit()
    assert entry.version == 3 and entry.body_html == "<p>bản đầu tiên</p>" and entry.title == "Người bí thư chi bộ"
    assert entry.word_count == 3
    with pytest.raises(Conflict) as err:
        essays.restore_version(entry, member, 2, base_version=2)
    assert err.value.code == "version_conflict"
    with pytest.raises(NotFound):
        essays.restore_version(entry, member, 9, base_version=3)


# --- co-authors -------------------------------------------------------------------------------------------

def test_coauthors_only_in_collective_contests(app, clock, contest, member):
    with pytest.raises(Invalid) as err:
        new_draft(contest, member, coauthors=[{"full_name": "Trần Thị Hoa"}])
    assert "coauthors" in err.value.fields


def test_coauthors_are_linked_to_their_accounts_and_read_only(app, clock, member):
    contest = gen_essay_contest(allow_collective=True)
    friend = factories.gen_user(email="hoa.tran@example.com", full_name="Trần Thị Hoa")
    entry = new_draft(contest, member, coauthors=[
        {"full_name": "Trần Thị Hoa", "email": "  Hoa.Tran@Example.COM "},
        {"full_name": "Lê Văn Nam", "unit_id": member.unit_id}])
    assert [(c.full_name, c.email, c.user_id, c.position) for c in entry.coauthors] == [
        ("Trần Thị Hoa", "hoa.tran@example.com", friend.id, 1), ("Lê Văn Nam", "", None, 2)]
    assert essays.entry_for(friend, entry.id) is entry
    assert [e.id for e in essays.entries_of(friend, include_coauthored=True)] == [entry.id]
    with pytest.raises(Forbidden):
        essays.save_entry(entry, friend, {"title": "Sửa"})
    essays.save_entry(entry, member, {"coauthors": [{"full_name": "Lê Văn Nam"}]}, base_version=1)
    db.session.commit()
    assert entry.version == 2 and [c.full_name for c in entry.coauthors] == ["Lê Văn Nam"]
    with pytest.raises(NotFound):
        essays.entry_for(friend, entry.id)


def test_coauthor_rules(app, clock, member):
    contest = gen_essay_contest(allow_collective=True)
    cases = [
        [{"full_name": f"Người {i}"} for i in range(11)],
        [{"full_name": ""}],
        [{"full_name": "A", "email": "không-phải-email"}],
        [{"full_name": "A", "email": "a@example.com"}, {"full_name": "B", "email": "A@example.com"}],
        [{"full_name": "Chính tôi", "email": member.email}],
        [{"full_name": "A", "unit_id": 999_999}],
        "not a list",
    ]
    for coauthors in cases:
        with pytest.raises(Invalid) as err:
            new_draft(contest, member, coauthors=coauthors)
        assert "coauthors" in err.value.fields, coauthors
        db.session.rollback()


# --- submission -------------------------------------------------------------------------------------------

def test_submit_gives_a_receipt_code_and_mails_it(app, clock, contest, member):
    entry = complete(contest, member, words=20)
    clock.advance(minutes=5)
    essays.submit_entry(entry, member, pledge=True, publish_consent=True)
    assert outbox(app) == []  # not before the commit
    db.session.commit()
    assert CODE.match(entry.code) and entry.status == "submitted" and entry.publish_consent
    assert entry.submitted_version == 1 and entry.submitted_at == entry.first_submitted_at == T0 + timedelta(minutes=5)
    mail = outbox(app)[-1]
    body = mail.get_content()
    assert mail["To"] == member.email and entry.code in mail["Subject"]
    assert entry.code in body and entry.title in body and "20" in body and f"/entries/{entry.id}/receipt" in body
    assert "08:05" in body  # 01:05 UTC, in Hà Nội time
    assert audit_actions(entry) == ["essay.created", "essay.submitted"]


def test_no_mail_when_the_submission_is_rolled_back(app, clock, contest, member):
    entry = complete(contest, member)
    essays.submit_entry(entry, member, pledge=True)
    db.session.rollback()
    db.session.commit()
    assert outbox(app) == []
    assert db.session.get(Entry, entry.id).code is None


def test_submit_needs_the_pledge_and_a_complete_entry(app, clock, contest, member):
    entry = new_draft(contest, member)
    with pytest.raises(Invalid) as err:
        essays.submit_entry(entry, member, pledge=False)
    assert err.value.code == "pledge_required"
    with pytest.raises(Invalid) as err:
        essays.submit_entry(entry, member, pledge=True)
    assert err.value.code == "incomplete" and set(err.value.fields) == {"subject_name", "body_html"}
    assert entry.code is None and entry.status == "draft"


def test_word_limits_are_checked_with_the_numbers(app, clock, member):
    contest = gen_essay_contest(categories=[{"name": "Cán bộ, đảng viên", "min_words": 1000, "max_words": 3000}])
    entry = complete(contest, member, words=812)
    with force_locale("en"), pytest.raises(Invalid) as err:
        essays.submit_entry(entry, member, pledge=True)
    assert err.value.code == "too_short"
    with force_locale("en"):
        assert str(err.value.message) == "Your entry has 812 words; this category needs 1,000 to 3,000."
    assert err.value.extra == {"word_count": 812, "min_words": 1000, "max_words": 3000}
    essays.save_entry(entry, member, {"body_html": text(3001)})
    with pytest.raises(Invalid) as err:
        essays.submit_entry(entry, member, pledge=True)
    assert err.value.code == "too_long" and "3.001" in str(err.value.message)  # Vietnamese by default
    essays.save_entry(entry, member, {"body_html": text(3000)})
    essays.submit_entry(entry, member, pledge=True)
    assert entry.status == "submitted"


def test_only_a_minimum_or_only_a_maximum(app, clock, member):
    contest = gen_essay_contest(categories=[{"name": "Ngắn", "min_words": None, "max_words": 5}])
    entry = complete(contest, member, words=6)
    with force_locale("en"), pytest.raises(Invalid) as err:
        essays.submit_entry(entry, member, pledge=True)
    with force_locale("en"):
        assert str(err.value.message) == "Your entry has 6 words; this category allows at most 5."


def test_resubmitting_keeps_the_code_and_moves_the_submitted_version(app, clock, contest, member):
    entry = complete(contest, member)
    essays.submit_entry(entry, member, pledge=True)
    db.session.commit()
    code, first = entry.code, entry.submitted_at
    clock.advance(hours=1)
    essays.save_entry(entry, member, {"body_html": text(30)}, base_version=1)
    assert entry.status == "submitted" and entry.submitted_version == 1 and entry.version == 2
    essays.submit_entry(entry, member, pledge=True)
    db.session.commit()
    assert entry.code == code and entry.submitted_version == 2 and entry.submitted_at == T0 + timedelta(hours=1)
    assert entry.first_submitted_at == first
    mails = len(outbox(app))
    essays.submit_entry(entry, member, pledge=True)  # nothing new: nothing happens
    db.session.commit()
    assert len(outbox(app)) == mails
    assert audit_actions(entry) == ["essay.created", "essay.submitted", "essay.saved", "essay.resubmitted"]


def test_codes_are_unique_and_a_collision_is_retried(app, clock, contest, member, monkeypatch):
    taken = gen_entry(contest, code="VT26-000123", status="submitted")
    draws = iter([123, 123, 456])
    monkeypatch.setattr(essays.secrets, "randbelow", lambda n: next(draws))
    entry = complete(contest, member)
    essays.submit_entry(entry, member, pledge=True)
    db.session.commit()
    assert entry.code == "VT26-000456" and taken.code == "VT26-000123"


def test_a_collision_at_the_unique_index_is_retried_in_a_savepoint(app, clock, contest, member, monkeypatch):
    """The check finds nothing, yet the insert collides (another submission got there in between)."""
    gen_entry(contest, code="VT26-000123", status="submitted")
    draws = iter([123, 789])
    monkeypatch.setattr(essays.secrets, "randbelow", lambda n: next(draws))
    real_scalar = db.session.scalar
    calls = []

    def blind_first_check(stmt, *args, **kwargs):
        if "essay_entries.code =" in str(stmt) and not calls:
            calls.append(stmt)
            return None
        return real_scalar(stmt, *args, **kwargs)

    entry = complete(contest, member)
    monkeypatch.setattr(db.session, "scalar", blind_first_check)
    essays.submit_entry(entry, member, pledge=True)
    monkeypatch.undo()
    db.session.commit()
    assert calls and entry.code == "VT26-000789"
    assert db.session.get(Entry, entry.id).status == "submitted"


def test_the_entry_limit_counts_submitted_entries(app, clock, member):
    contest = gen_essay_contest(max_entries_per_writer=1)
    first, second = complete(contest, member, words=120), complete(contest, member, words=120)
    essays.submit_entry(first, member, pledge=True)
    with pytest.raises(Conflict) as err:
        essays.submit_entry(second, member, pledge=True)
    assert err.value.code == "entry_limit"
    essays.withdraw_entry(first, member)
    essays.submit_entry(second, member, pledge=True)
    assert second.status == "submitted"
    essays.save_entry(second, member, {"title": "Sửa sau khi nộp"})
    essays.submit_entry(second, member, pledge=True)  # submitting the same entry again is not a new entry
    assert second.submitted_version == second.version


def test_a_disqualified_entry_cannot_be_changed(app, clock, contest, member, organiser):
    entry = complete(contest, member)
    essays.submit_entry(entry, member, pledge=True)
    essays.disqualify_entry(entry, organiser, "Sao chép")
    with pytest.raises(Conflict) as err:
        essays.save_entry(entry, member, {"title": "Sửa"})
    assert err.value.code == "entry_disqualified"


# --- withdrawal, disqualification -------------------------------------------------------------------------

def test_withdraw_and_submit_again_keeps_the_code(app, clock, contest, member):
    entry = complete(contest, member)
    with pytest.raises(Conflict) as err:
        essays.withdraw_entry(entry, member)
    assert err.value.code == "not_submitted"
    essays.submit_entry(entry, member, pledge=True)
    code = entry.code
    clock.advance(days=1)
    essays.withdraw_entry(entry, member)
    assert entry.status == "withdrawn" and entry.code == code and entry.withdrawn_at == T0 + timedelta(days=1)
    essays.submit_entry(entry, member, pledge=True)
    assert entry.status == "submitted" and entry.code == code and entry.withdrawn_at is None
    db.session.commit()
    assert audit_actions(entry) == ["essay.created", "essay.submitted", "essay.withdrawn", "essay.resubmitted"]


def test_disqualify_needs_a_reason_tells_the_writer_and_can_be_undone(app, clock, contest, member, organiser):
    entry = complete(contest, member)
    with pytest.raises(Conflict) as err:
        essays.disqualify_entry(entry, organiser, "Sao chép")
    assert err.value.code == "not_submitted"
    essays.submit_entry(entry, member, pledge=True)
    db.session.commit()
    with pytest.raises(Forbidden):
        essays.disqualify_entry(entry, member, "Tự loại")
    with pytest.raises(Invalid) as err:
        essays.disqualify_entry(entry, organiser, "   ")
    assert "reason" in err.value.fields
    essays.disqualify_entry(entry, organiser, "Bài viết sao chép nguyên văn từ báo điện tử.")
    db.session.commit()
    assert entry.status == "disqualified" and entry.disqualified_by_id == organiser.id
    mail = outbox(app)[-1]
    assert mail["To"] == member.email and "sao chép nguyên văn" in mail.get_content()
    with pytest.raises(Conflict) as err:
        essays.disqualify_entry(entry, organiser, "Lần nữa")
    assert err.value.code == "already_disqualified"
    clock.set(T0 + timedelta(days=40))  # organisers decide after the close too
    essays.reinstate_entry(entry, organiser)
    db.session.commit()
    assert entry.status == "submitted" and entry.disqualified_reason == "" and entry.code
    with pytest.raises(Conflict) as err:
        essays.reinstate_entry(entry, organiser)
    assert err.value.code == "not_disqualified"
    history = essays.entry_history(entry)
    assert [a.action for a in history][-2:] == ["essay.disqualified", "essay.reinstated"]
    assert history[-2].details["reason"] == "Bài viết sao chép nguyên văn từ báo điện tử."


# --- images in the text -----------------------------------------------------------------------------------

def test_images_of_other_entries_are_dropped_from_the_text(app, clock, contest, member):
    from contest.essays.models import Attachment

    entry = new_draft(contest, member)
    other = gen_entry(contest)
    mine_key, theirs_key = "a" * 24, "b" * 24
    db.session.add_all([
        Attachment(entry_id=entry.id, key=mine_key, kind="image", content_type="image/png", size=10),
        Attachment(entry_id=other.id, key=theirs_key, kind="image", content_type="image/png", size=10)])
    db.session.commit()
    html = (f'<p>Ảnh <img src="/essays/files/{mine_key}" alt="của tôi > đẹp"> và '
            f'<img src="/essays/files/{theirs_key}" alt="của người khác"></p>')
    essays.save_entry(entry, member, {"body_html": html})
    assert mine_key in entry.body_html and theirs_key not in entry.body_html and "Ảnh" in entry.body_html


# --- the organisers' list ---------------------------------------------------------------------------------

def test_list_entries_filters(app, clock, organiser, monkeypatch):
    contest = gen_essay_contest(categories=2)
    first_cat, second_cat = essays.categories_of(contest)
    ward = factories.gen_unit("Phường Ba Đình")
    cell = factories.gen_unit("Chi bộ Tổ dân phố số 5", parent=ward)
    elsewhere = factories.gen_unit("Xã Thanh Oai")
    lan = factories.gen_user(full_name="Hoàng Thị Lan", unit=cell)
    hung = factories.gen_user(full_name="Bùi Văn Hùng", unit=elsewhere)
    a = gen_entry(contest, lan, category=first_cat, status="submitted", title="Người giữ lửa ở Đống Đa",
                  code="VT26-111111")
    b = gen_entry(contest, hung, category=second_cat, status="draft", title="Cô giáo vùng cao")
    c = gen_entry(contest, hung, category=first_cat, status="disqualified", title="Bí thư chi bộ")
    gen_entry(gen_essay_contest(), lan, status="submitted")  # another contest

    def ids(**filters):
        items, total = essays.list_entries(contest, **filters)
        assert total == len(items) or filters.get("limit")
        return [e.id for e in items]

    assert ids() == [c.id, b.id, a.id]
    assert ids(category_id=first_cat.id) == [c.id, a.id]
    assert ids(unit_id=ward.id) == [a.id]
    assert ids(status="draft") == [b.id]
    assert ids(q="dong da") == [a.id]
    assert ids(q="BÙI VĂN") == [c.id, b.id]
    assert ids(q="hung") == [c.id, b.id]
    assert ids(q="111111") == [a.id]
    assert ids(q="cô giáo", status="submitted") == []
    items, total = essays.list_entries(contest, limit=2, offset=1)
    assert [e.id for e in items] == [b.id, a.id] and total == 3
    items, total = essays.list_entries(contest, q="hung", limit=1, offset=1)
    assert [e.id for e in items] == [b.id] and total == 2
    monkeypatch.setattr(essays, "flagged_ids", lambda _contest: {a.id, c.id})
    assert ids(flagged=True) == [c.id, a.id]
    assert ids(flagged=False) == [b.id]
    with pytest.raises(Invalid):
        essays.list_entries(contest, status="unknown")
    with pytest.raises(Forbidden):
        essays.list_entries(contest, actor=lan)


def test_flagged_is_empty_without_a_similarity_check(app):
    contest = gen_essay_contest()
    gen_entry(contest, status="submitted")
    assert essays.flagged_ids(contest) == set()


def test_gen_category_factory_is_usable(app):
    contest = gen_essay_contest(categories=0)
    assert gen_category(contest, "Tác phẩm tập thể", 1500, 5000).contest_id == contest.id


# --- demo data --------------------------------------------------------------------------------------------

def test_the_demo_contest_is_open_with_submitted_entries_and_a_draft(app):
    from contest.demo import seed
    from contest.essays.demo import SLUG, seed_essay_demo

    seed()  # the demo accounts, the quiz demo and this writing contest
    db.session.commit()
    assert seed_essay_demo() == 0  # already there: nothing added twice
    contest = db.session.scalar(select(Contest).where(Contest.slug == SLUG))
    assert essays.submissions_state(contest) == "open"
    from contest.essays import checks

    pairs = checks.pairs_of(contest)  # the check has run: the collective entry quotes the first one
    assert len(pairs) == 1 and pairs[0].shared_words >= 25
    assert [c.name for c in essays.categories_of(contest)] == ["Cán bộ, đảng viên", "Học sinh, sinh viên",
                                                                "Tác phẩm tập thể"]
    entries, total = essays.list_entries(contest)
    assert total == 4
    submitted = [e for e in entries if e.status == "submitted"]
    assert len(submitted) == 3 and all(CODE.match(e.code) for e in submitted)
    for entry in submitted:
        assert essays.word_limit_problem(entry.category, entry.word_count) is None
        assert entry.submitted_version == entry.version == 2
    collective = next(e for e in submitted if e.coauthors)
    assert collective.coauthors[0].user_id is not None
    draft = next(e for e in entries if e.status == "draft")
    assert draft.author.email == "thisinh@example.com"
    assert seed_essay_demo() == 0
