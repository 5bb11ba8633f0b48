"""The question bank's rules: checking, normalisation, duplicates, search, topics, versions, archiving."""

from __future__ import annotations

import itertools
import unicodedata
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from contest.contests.models import Contest
from contest.core.audit import AuditEntry
from contest.core.clock import utcnow
from contest.core.errors import Conflict, Invalid
from contest.extensions import db
from contest.quiz import bank
from contest.quiz.models import Attempt, Question, QuestionVersion, Round

_seq = itertools.count(1)


def data(**overrides) -> dict:
    values = {
        "topic": "Cuộc đời và sự nghiệp", "difficulty": 1, "kind": "single",
        "text": "Chủ tịch Hồ Chí Minh sinh năm nào?",
        "options": [{"text": "1890", "correct": True}, {"text": "1891", "correct": False},
                    {"text": "1911", "correct": False}, {"text": "1945", "correct": False}],
        "explanation": "Người sinh ngày 19/5/1890 tại Kim Liên, Nam Đàn, Nghệ An.",
        "source": "Bảo tàng Hồ Chí Minh", "status": "approved",
    }
    values.update(overrides)
    return values


def options(*marks: bool, prefix: str = "Phương án") -> list[dict]:
    return [{"text": f"{prefix} {n}", "correct": mark} for n, mark in enumerate(marks, start=1)]


def make_round(opens_in: timedelta = timedelta(hours=-1), length: timedelta = timedelta(hours=2),
               quotas: dict | None = None) -> Round:
    contest = Contest(slug=f"thi-{next(_seq)}", kind="quiz", title="Cuộc thi tìm hiểu")
    opens = utcnow() + opens_in
    round_ = Round(contest=contest, title=f"Tuần {next(_seq)}", opens_at=opens, closes_at=opens + length,
                   topic_quotas=quotas)
    db.session.add(round_)
    db.session.flush()
    return round_


def draw(round_: Round, user, *version_ids: int) -> Attempt:
    """An attempt that drew these versions, as the attempts module freezes them."""
    now = utcnow()
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=next(_seq), status="in_progress", started_at=now,
                      deadline_at=now + timedelta(minutes=10), total=len(version_ids),
                      questions=[{"v": v, "o": "abcd"} for v in version_ids])
    db.session.add(attempt)
    db.session.commit()
    return attempt


def fields_of(exc_info) -> dict:
    return {k: [str(m) for m in v] for k, v in exc_info.value.fields.items()}


@pytest.fixture(autouse=True)
def _english(app):
    """The messages are checked in English; without a request the site speaks Vietnamese."""
    with force_locale("en"):
        yield


# --- checking ---------------------------------------------------------------------------------------------------

def test_a_single_answer_question_needs_exactly_one_correct_option(app):
    for marks in ((False, False, False), (True, True, False)):
        with pytest.raises(Invalid) as exc:
            bank.clean_question(data(options=options(*marks)))
        assert list(exc.value.fields) == ["options"]
        assert "exactly one correct option" in str(exc.value.message)
    assert bank.clean_question(data(options=options(False, True))).options[1] == ("Phương án 2", True)


def test_a_multiple_answer_question_needs_at_least_one_correct_option(app):
    with pytest.raises(Invalid) as exc:
        bank.clean_question(data(kind="multiple", options=options(False, False, False)))
    assert "at least one" in str(exc.value.message)
    for marks in ((True, False), (True, True, False), (True, True, True)):
        assert bank.clean_question(data(kind="multiple", options=options(*marks))).kind == "multiple"


@pytest.mark.parametrize("count, ok", [(0, False), (1, False), (2, True), (6, True), (7, False)])
def test_two_to_six_options(app, count, ok):
    values = data(options=options(True, *([False] * (count - 1))) if count else [])
    if ok:
        assert len(bank.clean_question(values).options) == count
    else:
        with pytest.raises(Invalid) as exc:
            bank.clean_question(values)
        assert "options" in exc.value.fields


def test_options_are_non_empty_and_distinct(app):
    with pytest.raises(Invalid) as exc:
        bank.clean_question(data(options=[{"text": "  ", "correct": True}, {"text": "Hai", "correct": False}]))
    assert fields_of(exc)["options"] == ["Option a has no text."]
    with pytest.raises(Invalid) as exc:
        bank.clean_question(data(options=[{"text": "Cần", "correct": True}, {"text": "CẦN ", "correct": False},
                                          {"text": "Kiệm", "correct": False}]))
    assert fields_of(exc)["options"] == ["Two options have the same text: “CẦN”."]


def test_every_broken_rule_is_reported_by_field(app):
    with pytest.raises(Invalid) as exc:
        bank.clean_question({"topic": " ", "text": "", "kind": "both", "difficulty": 7, "status": "done",
                             "options": "a,b", "source": "x" * 301, "explanation": 5})
    assert set(exc.value.fields) == {"topic", "text", "kind", "difficulty", "status", "options", "source",
                                     "explanation"}


@pytest.mark.parametrize("raw, expected", [
    (1, 1), (3, 3), ("2", 2), (" hard ", 3), ("Easy", 1), ("khó", 3), ("Trung bình", 2), ("dễ", 1), (None, 2),
    ("", 2), (0, None), (4, None), (True, None), ("very hard", None), (2.0, 2), ([], None),
])
def test_difficulty_by_number_or_name(raw, expected):
    assert bank.parse_difficulty(raw) == expected


def test_text_is_nfc_normalised_and_trimmed(app):
    decomposed = unicodedata.normalize("NFD", "  Bác Hồ   đọc Tuyên ngôn Độc lập ở đâu? ")
    clean = bank.clean_question(data(text=decomposed, topic=unicodedata.normalize("NFD", "Tư tưởng Hồ Chí Minh"),
                                     options=[{"text": unicodedata.normalize("NFD", "Quảng trường Ba Đình"),
                                               "correct": True}, {"text": "Nhà hát Lớn", "correct": False}],
                                     explanation="Dòng một.  \r\n\r\n\r\n  Dòng hai."))
    assert clean.text == "Bác Hồ đọc Tuyên ngôn Độc lập ở đâu?"
    assert unicodedata.is_normalized("NFC", clean.text)
    assert clean.topic == "Tư tưởng Hồ Chí Minh"
    assert clean.options[0][0] == "Quảng trường Ba Đình"
    assert clean.explanation == "Dòng một.\n\nDòng hai."


# --- normalisation and duplicates ---------------------------------------------------------------------------

def test_normalised_text_ignores_case_spacing_composition_and_final_punctuation():
    base = "Bác Hồ sinh năm nào?"
    same = ["bác hồ sinh năm nào", "  BÁC HỒ   SINH NĂM NÀO ?!", unicodedata.normalize("NFD", base) + "…",
            "Bác Hồ\nsinh năm nào."]
    assert bank.normalise_question_text(base) == "bác hồ sinh năm nào"
    assert {bank.norm_hash(text) for text in same} == {bank.norm_hash(base)}
    assert bank.norm_hash("Bác Hồ sinh tháng nào?") != bank.norm_hash(base)
    # Diacritics are meaningful: "Bác" is not "Bắc".
    assert bank.norm_hash("Bắc Hồ sinh năm nào?") != bank.norm_hash(base)


def test_create_question_stores_version_one_and_the_derived_fields(app, organiser):
    question = bank.create_question(data(), actor=organiser)
    db.session.commit()
    version = question.current_version
    assert version.number == 1 and version.question_id == question.id
    assert question.versions == [version]
    assert version.options == [
        {"key": "a", "text": "1890", "correct": True}, {"key": "b", "text": "1891", "correct": False},
        {"key": "c", "text": "1911", "correct": False}, {"key": "d", "text": "1945", "correct": False}]
    assert question.topic_key == "cuoc doi va su nghiep"
    assert question.norm_hash == bank.norm_hash("chủ tịch hồ chí minh sinh năm nào")
    assert "chu tich ho chi minh sinh nam nao" in question.search_text
    assert "bao tang ho chi minh" in question.search_text and "1911" in question.search_text
    assert question.created_by_id == version.created_by_id == organiser.id
    assert question.status == "approved" and question.difficulty == 1


def test_defaults_are_medium_and_draft(app):
    question = bank.create_question(data(difficulty=None, status=None))
    assert (question.difficulty, question.status) == (2, "draft")


def test_a_duplicate_is_refused_unless_allowed(app):
    first = bank.create_question(data())
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        bank.create_question(data(text="  chủ tịch HỒ CHÍ MINH sinh năm nào "))
    assert exc.value.code == "duplicate_question"
    assert exc.value.extra["existing_id"] == first.id
    db.session.rollback()
    second = bank.create_question(data(text="Chủ tịch Hồ Chí Minh sinh năm nào."), allow_duplicate=True)
    assert second.id != first.id and second.norm_hash == first.norm_hash


def test_a_topic_keeps_the_banks_spelling(app):
    bank.create_question(data(topic="Đạo đức Hồ Chí Minh"))
    other = bank.create_question(data(topic="dao duc  ho chi minh", text="Câu hỏi khác?"))
    assert other.topic == "Đạo đức Hồ Chí Minh"
    assert [t.topic for t in bank.topics()] == ["Đạo đức Hồ Chí Minh"]


# --- search and topics --------------------------------------------------------------------------------------------

@pytest.fixture
def sample_bank(app):
    made = [
        bank.create_question(data()),
        bank.create_question(data(topic="Đạo đức Hồ Chí Minh", difficulty=2, kind="multiple", status="draft",
                                  text="Những phẩm chất nào Bác dạy cán bộ?",
                                  options=[{"text": "Cần, kiệm", "correct": True},
                                           {"text": "Liêm, chính", "correct": True},
                                           {"text": "Xa hoa", "correct": False}],
                                  source="Hồ Chí Minh Toàn tập, tập 5")),
        bank.create_question(data(topic="Chỉ thị 05-CT/TW", difficulty=3, text="Chỉ thị 05 ban hành năm nào?",
                                  options=options(True, False, prefix="Năm"), source="Chỉ thị 05-CT/TW 100%")),
    ]
    db.session.commit()
    return made


def ids(page) -> list[int]:
    return [q.id for q in page.items]


def test_search_with_or_without_diacritics(sample_bank):
    first = sample_bank[0]
    for q in ("ho chi minh sinh", "Hồ Chí Minh sinh", "HO CHI MINH", "sinh nam nao", "năm  nào"):
        assert first.id in ids(bank.search(q=q)), q
    assert ids(bank.search(q="ho chi minh")) == [first.id, sample_bank[1].id]  # the second in its source
    assert ids(bank.search(q="ho chi minh sinh")) == [first.id]
    assert ids(bank.search(q="toan tap tap 5")) == [sample_bank[1].id]  # the source
    assert ids(bank.search(q="liem chinh")) == [sample_bank[1].id]  # an option
    assert ids(bank.search(q="khong co")) == []


def test_search_escapes_like_wildcards(sample_bank):
    assert ids(bank.search(q="%")) == [sample_bank[2].id]
    assert ids(bank.search(q="_")) == []


def test_search_filters(sample_bank):
    first, second, third = sample_bank
    assert ids(bank.search(topic="dao duc ho chi minh")) == [second.id]
    assert ids(bank.search(topic="ĐẠO ĐỨC Hồ Chí Minh")) == [second.id]
    assert ids(bank.search(status="draft")) == [second.id]
    assert set(ids(bank.search(status="approved"))) == {first.id, third.id}
    assert ids(bank.search(status="nonsense")) == []
    assert ids(bank.search(difficulty=3)) == [third.id]
    assert ids(bank.search(kind="multiple")) == [second.id]
    assert ids(bank.search(q="nam", topic="Chỉ thị 05-CT/TW")) == [third.id]


def test_search_sorts_by_topic_and_paginates(app):
    for n in range(7):
        bank.create_question(data(topic=["Tư tưởng", "Đạo đức"][n % 2], difficulty=3 - n % 3, text=f"Câu {n}?"))
    db.session.commit()
    everything = db.session.scalars(bank.search_statement()).all()
    keys = [(q.topic_key, q.difficulty, q.id) for q in everything]
    assert keys == sorted(keys)
    page = bank.search(page=2, per_page=3)
    assert (page.total, page.pages, len(page.items)) == (7, 3, 3)
    assert ids(page) == [q.id for q in everything[3:6]]
    newest = db.session.scalars(bank.search_statement(sort="newest")).all()
    assert [q.id for q in newest] == sorted((q.id for q in everything), reverse=True)


def test_topics_count_approved_and_draft(sample_bank, app):
    bank.create_question(data(text="Một câu nháp?", status="draft"))
    bank.delete_question(sample_bank[2])
    db.session.commit()
    found = {t.topic: (t.approved, t.draft, t.total) for t in bank.topics()}
    assert found == {"Cuộc đời và sự nghiệp": (1, 1, 2), "Đạo đức Hồ Chí Minh": (0, 1, 1)}


# --- versions -----------------------------------------------------------------------------------------------------

def test_an_edit_before_any_attempt_changes_the_version_in_place(app, organiser):
    question = bank.create_question(data())
    db.session.commit()
    version_id = question.current_version_id
    bank.update_question(question, data(text="Bác Hồ sinh năm nào?"), actor=organiser)
    db.session.commit()
    assert question.current_version_id == version_id
    assert [v.number for v in question.versions] == [1]
    assert question.current_version.text == "Bác Hồ sinh năm nào?"
    assert question.norm_hash == bank.norm_hash("Bác Hồ sinh năm nào")
    assert "bac ho" in question.search_text


def test_an_edit_after_an_attempt_drew_the_question_makes_a_new_version(app, organiser, member):
    question = bank.create_question(data())
    db.session.commit()
    old_id = question.current_version_id
    old_options = list(question.current_version.options)
    attempt = draw(make_round(quotas={"Một chủ đề khác": 5}), member, old_id)
    assert bank.version_in_use(old_id)
    new_options = [{"text": "Năm 1890", "correct": True}, {"text": "Năm 1891", "correct": False}]
    bank.update_question(question, data(text="Bác Hồ sinh năm nào?", options=new_options), actor=organiser)
    db.session.commit()
    db.session.expire_all()
    old = db.session.get(QuestionVersion, old_id)
    assert (old.number, old.text, old.options) == (1, "Chủ tịch Hồ Chí Minh sinh năm nào?", old_options)
    current = question.current_version
    assert current.id != old_id and current.number == 2 and current.created_by_id == organiser.id
    assert [o["text"] for o in current.options] == ["Năm 1890", "Năm 1891"]
    assert [v.number for v in question.versions] == [1, 2]
    assert not bank.version_in_use(current.id)
    assert db.session.get(Attempt, attempt.id).questions == [{"v": old_id, "o": "abcd"}]
    # The next edit changes version 2 in place: no attempt holds it, and the open round draws another topic.
    bank.update_question(question, data(text="Bác Hồ sinh vào năm nào?", options=new_options))
    db.session.commit()
    assert [v.number for v in question.versions] == [1, 2]


def test_an_edit_while_an_open_round_may_draw_the_question_makes_a_new_version(app):
    question = bank.create_question(data())
    db.session.commit()
    make_round()  # open, draws from every topic: an attempt may draw the question while the edit commits
    bank.update_question(question, data(text="Bác Hồ sinh năm nào?"))
    db.session.commit()
    assert [v.number for v in question.versions] == [1, 2]
    draft = bank.create_question(data(text="Một câu nháp?", status="draft"))
    db.session.commit()
    bank.update_question(draft, data(text="Một câu nháp đã sửa?", status="draft"))
    db.session.commit()
    assert [v.number for v in draft.versions] == [1]  # drafts are never drawn


def test_status_topic_and_difficulty_changes_keep_the_version(app, member):
    question = bank.create_question(data())
    db.session.commit()
    draw(make_round(opens_in=timedelta(days=-3)), member, question.current_version_id)
    bank.update_question(question, data(status="draft", topic="Tư tưởng Hồ Chí Minh", difficulty=3))
    db.session.commit()
    assert [v.number for v in question.versions] == [1]
    assert (question.status, question.topic, question.topic_key, question.difficulty) == (
        "draft", "Tư tưởng Hồ Chí Minh", "tu tuong ho chi minh", 3)


def test_version_in_use_matches_the_exact_version_id(app, member):
    questions = [bank.create_question(data(text=f"Câu hỏi số {n}?")) for n in range(12)]
    db.session.commit()
    first, eleventh = questions[0].current_version_id, questions[10].current_version_id
    assert str(eleventh).startswith(str(first))  # 1 and 11: a text search would confuse them
    round_ = make_round()
    draw(round_, member, eleventh, questions[11].current_version_id)
    assert bank.version_in_use(eleventh)
    assert not bank.version_in_use(first)
    assert bank.versions_in_use(questions[10]) == {eleventh}
    assert bank.versions_in_use(questions[0]) == set()
    assert not bank.version_in_use(999999)


def test_version_in_use_sees_finished_attempts(app, member):
    question = bank.create_question(data())
    db.session.commit()
    attempt = draw(make_round(opens_in=timedelta(days=-30), length=timedelta(days=1)), member,
                   question.current_version_id)
    attempt.status = "submitted"
    attempt.submitted_at = attempt.started_at + timedelta(minutes=3)
    db.session.commit()
    assert bank.version_in_use(question.current_version_id)


def audit_actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_edit_while_an_open_round_drew_the_question_is_audited(app, organiser, member):
    question = bank.create_question(data(status="draft"))
    db.session.commit()
    round_ = make_round(quotas={"Một chủ đề khác": 5})
    draw(round_, member, question.current_version_id)
    bank.update_question(question, data(text="Bác sinh năm nào?", status="draft"), actor=organiser)
    db.session.commit()
    [entry] = audit_actions("question_edited_during_round")
    assert entry.actor_id == organiser.id and entry.target_id == str(question.id)
    assert entry.details["rounds"] == [round_.id] and entry.details["new_version"] is True


def test_an_edit_of_an_approved_question_an_open_round_may_draw_is_audited(app, organiser):
    question = bank.create_question(data())
    db.session.commit()
    make_round(opens_in=timedelta(days=-2), length=timedelta(days=1))  # closed
    make_round(opens_in=timedelta(hours=1))  # not open yet
    bank.update_question(question, data(difficulty=2), actor=organiser)
    db.session.commit()
    assert audit_actions("question_edited_during_round") == []
    round_ = make_round(quotas={"cuoc doi va su nghiep": 3})
    bank.update_question(question, data(difficulty=3), actor=organiser)
    db.session.commit()
    [entry] = audit_actions("question_edited_during_round")
    assert entry.details["rounds"] == [round_.id] and entry.details["changes"] == ["difficulty"]
    bank.set_status(question, "draft", actor=organiser)
    db.session.commit()
    assert len(audit_actions("question_edited_during_round")) == 2


def test_respelling_a_topic_respells_its_questions(app):
    first = bank.create_question(data(topic="Dao duc Ho Chi Minh"))
    second = bank.create_question(data(topic="Dao duc Ho Chi Minh", text="Câu thứ hai?"))
    db.session.commit()
    bank.update_question(first, data(topic="Đạo đức Hồ Chí Minh"))
    db.session.commit()
    assert second.topic == first.topic == "Đạo đức Hồ Chí Minh"


def test_an_edit_to_the_wording_of_another_question_is_a_duplicate(app):
    bank.create_question(data())
    other = bank.create_question(data(text="Bác Hồ ra đi tìm đường cứu nước năm nào?"))
    db.session.commit()
    with pytest.raises(Conflict):
        bank.update_question(other, data(text="Chủ tịch Hồ Chí Minh sinh năm nào"))


# --- deleting and archiving -------------------------------------------------------------------------------------

def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_question_no_attempt_drew_is_deleted(app, organiser):
    question = bank.create_question(data())
    bank.update_question(question, data(text="Sửa lại?"))
    db.session.commit()
    assert bank.delete_question(question, actor=organiser) == "deleted"
    db.session.commit()
    assert count(Question) == count(QuestionVersion) == 0
    assert len(audit_actions("question_deleted")) == 1


def test_a_question_attempts_drew_is_archived_then_restored(app, organiser, member):
    question = bank.create_question(data())
    db.session.commit()
    draw(make_round(), member, question.current_version_id)
    assert bank.delete_question(question, actor=organiser) == bank.ARCHIVED
    db.session.commit()
    assert question.archived and question.status == "draft"
    assert count(QuestionVersion) == 1
    assert ids(bank.search()) == [] and ids(bank.search(status="archived")) == [question.id]
    assert bank.topics() == []
    with pytest.raises(Conflict) as exc:
        bank.update_question(question, data())
    assert exc.value.code == "question_archived"
    db.session.rollback()
    # Out of the bank: the same wording may be written again; then the archived one cannot come back.
    again = bank.create_question(data())
    db.session.commit()
    with pytest.raises(Conflict):
        bank.restore_question(question)
    db.session.rollback()
    bank.delete_question(again)
    bank.restore_question(question, actor=organiser)
    db.session.commit()
    assert not question.archived and question.status == "draft"
