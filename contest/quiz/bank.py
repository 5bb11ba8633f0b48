"""The question bank: checking, creating and editing questions, their versions, search and topics.

A question's wording lives in versions. A version no attempt has drawn is edited in place; once an attempt has drawn
it, an edit makes a new version, so attempts keep exactly what they were shown. Every function flushes and leaves
the commit to the request (or command) that called it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, cast, false, func, or_, select
from sqlalchemy.dialects.postgresql import JSONB

from contest.core import audit
from contest.core.clock import utcnow
from contest.core.errors import Conflict, Invalid, NotFound
from contest.core.text import nfc, unaccent
from contest.extensions import db
from contest.quiz.models import (
    ATTEMPT_STATUSES,
    DIFFICULTIES,
    QUESTION_STATUSES,
    Attempt,
    Question,
    QuestionVersion,
    Round,
)

OPTION_KEYS = "abcdef"
MIN_OPTIONS = 2
MAX_OPTIONS = len(OPTION_KEYS)
MAX_TOPIC = 120  # the column's size
MAX_SOURCE = 300  # the column's size
MAX_TEXT = 2000
MAX_OPTION = 500
MAX_EXPLANATION = 5000
DEFAULT_DIFFICULTY = 2
DEFAULT_STATUS = "draft"
PER_PAGE = 25
MAX_SEARCH_WORDS = 10

DIFFICULTY_NAMES = {1: "easy", 2: "medium", 3: "hard"}
DIFFICULTY_LABELS = {1: _l("Easy"), 2: _l("Medium"), 3: _l("Hard")}
KIND_LABELS = {"single": _l("One correct answer"), "multiple": _l("Several correct answers")}
STATUS_LABELS = {"draft": _l("Draft"), "approved": _l("Approved")}
# The pseudo-status of the search filter for questions taken out of the bank.
ARCHIVED = "archived"
SORTS = ("topic", "newest", "updated")

# Spellings accepted for the coded fields (compared without accents or case), in files and in the API.
_DIFFICULTY_ALIASES = {
    "1": 1, "2": 2, "3": 3, "easy": 1, "medium": 2, "hard": 3,
    "de": 1, "trung binh": 2, "kho": 3,
}
_KIND_ALIASES = {
    "single": "single", "multiple": "multiple",
    "mot dap an": "single", "mot": "single", "nhieu dap an": "multiple", "nhieu": "multiple",
}
_STATUS_ALIASES = {
    "draft": "draft", "approved": "approved",
    "nhap": "draft", "ban nhap": "draft", "duyet": "approved", "da duyet": "approved",
}
_BLANK_LINES = re.compile(r"\n{3,}")
_INNER_SPACES = re.compile(r"[^\S\n]+")
# An attempt drawing a version ends after the version was made; the margin covers clocks of different servers.
_CLOCK_MARGIN = timedelta(days=1)


# --- normalisation ----------------------------------------------------------------------------------------

def normalise_question_text(text: str | None) -> str:
    """The form two questions are compared in: NFC, case-folded, whitespace collapsed, trailing punctuation gone.

    "Bác Hồ sinh năm nào?" and "bác hồ  sinh năm nào" are the same question.
    """
    value = nfc(nfc(text).casefold())
    end = len(value)
    while end and (value[end - 1].isspace() or unicodedata.category(value[end - 1]).startswith("P")):
        end -= 1
    return value[:end]


def norm_hash(text: str | None) -> str:
    return hashlib.sha256(normalise_question_text(text).encode("utf-8")).hexdigest()


def clean_multiline(value: str | None) -> str:
    """NFC text that keeps its line breaks (explanations): spaces collapsed per line, at most one blank line."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_INNER_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def parse_difficulty(value: Any) -> int | None:
    """1, 2, 3 or their names ("easy", "medium", "hard"; "dễ", "trung bình", "khó"); None when not one of them.

    An empty value means the default, medium.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_DIFFICULTY
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in DIFFICULTIES else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if int(value) in DIFFICULTIES else None
    if isinstance(value, str):
        return _DIFFICULTY_ALIASES.get(unaccent(value))
    return None


def parse_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return _KIND_ALIASES.get(unaccent(value))
    return None


def parse_status(value: Any) -> str | None:
    """"draft" or "approved" (also "nháp", "đã duyệt"); empty means draft."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_STATUS
    if isinstance(value, str):
        return _STATUS_ALIASES.get(unaccent(value))
    return None


# --- checking -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CleanQuestion:
    """A question that passed every rule, in its stored form."""

    topic: str
    difficulty: int
    kind: str
    text: str
    options: tuple[tuple[str, bool], ...]  # (text, correct) in the author's order
    explanation: str
    source: str
    status: str

    @property
    def topic_key(self) -> str:
        return unaccent(self.topic)

    @property
    def norm_hash(self) -> str:
        return norm_hash(self.text)

    @property
    def options_json(self) -> list[dict[str, Any]]:
        return [{"key": key, "text": text, "correct": correct}
                for key, (text, correct) in zip(OPTION_KEYS, self.options, strict=False)]

    @property
    def search_text(self) -> str:
        return unaccent(" ".join([self.text, self.source, *(text for text, _ in self.options)]))

    def content(self) -> tuple:
        """What a version holds: a change here needs a new version once attempts have drawn the old one."""
        return (self.text, self.kind, tuple((o["key"], o["text"], o["correct"]) for o in self.options_json),
                self.explanation, self.source)


def version_content(version: QuestionVersion) -> tuple:
    return (version.text, version.kind,
            tuple((o["key"], o["text"], bool(o["correct"])) for o in version.options or []),
            version.explanation or "", version.source or "")


def _text_field(data: Mapping[str, Any], name: str, errors: dict[str, list]) -> str | None:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_l("Must be text."))
        return None
    return value


def _check_options(raw: Any, kind: str | None, errors: dict[str, list]) -> tuple[tuple[str, bool], ...]:
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        errors["options"] = [_l("Give the options as a list of {text, correct}.")]
        return ()
    problems: list[Any] = []
    options: list[tuple[str, str, bool]] = []  # (key, text, correct)
    for position, item in enumerate(raw):
        key = OPTION_KEYS[position] if position < MAX_OPTIONS else str(position + 1)
        if not isinstance(item, Mapping):
            problems.append(_l("Option %(key)s must be an object with “text” and “correct”.", key=key))
            continue
        text = item.get("text")
        correct = item.get("correct")
        if text is not None and not isinstance(text, str):
            problems.append(_l("The text of option %(key)s must be text.", key=key))
            continue
        if correct is not None and not isinstance(correct, bool):
            problems.append(_l("Mark option %(key)s as correct (true) or not (false).", key=key))
            continue
        text = nfc(text)
        if not text:
            problems.append(_l("Option %(key)s has no text.", key=key))
        elif len(text) > MAX_OPTION:
            problems.append(_l("Option %(key)s is too long (at most %(n)d characters).", key=key, n=MAX_OPTION))
        options.append((key, text, bool(correct)))
    count = len(raw)
    if count < MIN_OPTIONS:
        problems.append(_l("A question needs at least %(min)d options; this one has %(n)d.", min=MIN_OPTIONS,
                           n=count))
    elif count > MAX_OPTIONS:
        problems.append(_l("A question has at most %(max)d options; this one has %(n)d.", max=MAX_OPTIONS,
                           n=count))
    seen: set[str] = set()
    for _key, text, _correct in options:
        folded = text.casefold()
        if folded and folded in seen:
            problems.append(_l("Two options have the same text: “%(text)s”.", text=text))
        seen.add(folded)
    if not problems:
        correct_count = sum(1 for _key, _text, correct in options if correct)
        if kind == "single" and correct_count != 1:
            problems.append(_l("A question with one correct answer needs exactly one correct option; "
                               "%(n)d are marked.", n=correct_count))
        elif kind == "multiple" and correct_count == 0:
            problems.append(_l("Mark at least one option as correct."))
    if problems:
        errors["options"] = problems
    return tuple((text, correct) for _key, text, correct in options)


def clean_question(data: Mapping[str, Any]) -> CleanQuestion:
    """Check a question given as {topic, difficulty, kind, text, options: [{text, correct}], explanation, source,
    status}; Invalid with the messages per field when a rule is broken.

    Text is NFC-normalised; the difficulty and status may be empty (medium, draft).
    """
    errors: dict[str, list] = {}
    topic = nfc(_text_field(data, "topic", errors))
    if "topic" not in errors:
        if not topic:
            errors["topic"] = [_l("Give the question's topic.")]
        elif len(topic) > MAX_TOPIC:
            errors["topic"] = [_l("The topic is too long (at most %(n)d characters).", n=MAX_TOPIC)]
    text = nfc(_text_field(data, "text", errors))
    if "text" not in errors:
        if not text:
            errors["text"] = [_l("Write the question.")]
        elif len(text) > MAX_TEXT:
            errors["text"] = [_l("The question is too long (at most %(n)d characters).", n=MAX_TEXT)]
    difficulty = parse_difficulty(data.get("difficulty"))
    if difficulty is None:
        errors["difficulty"] = [_l("The difficulty must be 1 (easy), 2 (medium) or 3 (hard).")]
    kind = parse_kind(data.get("kind"))
    if kind is None:
        errors["kind"] = [_l("The kind must be “single” (one correct answer) or “multiple” (several).")]
    status = parse_status(data.get("status"))
    if status is None:
        errors["status"] = [_l("The status must be “draft” or “approved”.")]
    options = _check_options(data.get("options"), kind, errors)
    explanation = clean_multiline(_text_field(data, "explanation", errors))
    if "explanation" not in errors and len(explanation) > MAX_EXPLANATION:
        errors["explanation"] = [_l("The explanation is too long (at most %(n)d characters).", n=MAX_EXPLANATION)]
    source = nfc(_text_field(data, "source", errors))
    if "source" not in errors and len(source) > MAX_SOURCE:
        errors["source"] = [_l("The source is too long (at most %(n)d characters).", n=MAX_SOURCE)]
    if errors:
        messages = [m for field in errors.values() for m in field]
        # One problem: say it; several: the fields say each.
        summary = messages[0] if len(messages) == 1 else _l("Please correct the marked fields.")
        raise Invalid(summary, fields=errors)
    assert difficulty is not None and kind is not None and status is not None
    return CleanQuestion(topic=topic, difficulty=difficulty, kind=kind, text=text, options=options,
                         explanation=explanation, source=source, status=status)


def question_data(question: Question) -> dict[str, Any]:
    """A question as the input of clean_question: what an edit form or a PATCH starts from."""
    version = question.current_version
    assert version is not None
    return {"topic": question.topic, "difficulty": question.difficulty, "kind": version.kind, "text": version.text,
            "options": [{"text": o["text"], "correct": bool(o["correct"])} for o in version.options],
            "explanation": version.explanation or "", "source": version.source or "", "status": question.status}


# --- reading ------------------------------------------------------------------------------------------------

def get_question(question_id: Any) -> Question:
    question = None
    if isinstance(question_id, int) and not isinstance(question_id, bool):
        question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_l("No such question."))
    return question


def find_duplicate(hash_value: str, exclude_id: int | None = None) -> Question | None:
    """A question in the bank (not archived) with the same normalised text."""
    stmt = select(Question).where(Question.norm_hash == hash_value, Question.archived.is_(False))
    if exclude_id is not None:
        stmt = stmt.where(Question.id != exclude_id)
    return db.session.scalars(stmt.order_by(Question.id).limit(1)).first()


def existing_hashes(hashes: Iterable[str]) -> set[str]:
    """Which of these normalised-text hashes the bank already holds (not archived), asked in chunks."""
    wanted = sorted(set(hashes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(db.session.scalars(select(Question.norm_hash).where(
            Question.norm_hash.in_(chunk), Question.archived.is_(False))))
    return found


def topic_spellings() -> dict[str, str]:
    """{topic_key: the spelling the bank uses}; questions of one topic share its spelling."""
    rows = db.session.execute(select(Question.topic_key, func.min(Question.topic)).group_by(Question.topic_key))
    return {key: topic for key, topic in rows}


# --- versions in use ----------------------------------------------------------------------------------------

def _drawn_condition(version_ids: Sequence[int]):
    """A condition on Attempt: its frozen question list holds one of these versions ({"v": id} in the JSON)."""
    ids = [int(v) for v in version_ids]
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # jsonb containment: [{"v": 7, "o": "cab"}, ...] @> [{"v": 7}].
        questions = cast(Attempt.questions, JSONB)
        return or_(*(questions.contains([{"v": vid}]) for vid in ids))
    if dialect == "sqlite":
        drawn = func.json_each(Attempt.questions).table_valued("value", joins_implicitly=True)
        return select(drawn.c.value).where(func.json_extract(drawn.c.value, "$.v").in_(ids)).exists()
    raise NotImplementedError(f"version_in_use does not know the {dialect} dialect")


def _attempts_drawing(version_ids: Sequence[int], since=None) -> Select:
    stmt = select(Attempt.id).where(_drawn_condition(version_ids))
    if since is not None:
        # Only attempts started after the version existed can hold it; (status, deadline_at) is indexed.
        stmt = stmt.where(Attempt.status.in_(ATTEMPT_STATUSES), Attempt.deadline_at >= since - _CLOCK_MARGIN)
    return stmt


def version_in_use(version_id: int) -> bool:
    """True when an attempt (in progress or finished) drew this version: then it must never change."""
    version = db.session.get(QuestionVersion, version_id)
    if version is None:
        return False
    return db.session.scalar(_attempts_drawing([version_id], version.created_at).limit(1)) is not None


def versions_in_use(question: Question) -> set[int]:
    """The ids of the question's versions that attempts have drawn."""
    return {v.id for v in question.versions if version_in_use(v.id)}


def _open_rounds() -> list[Round]:
    now = utcnow()
    return list(db.session.scalars(select(Round).where(Round.opens_at <= now, Round.closes_at > now)
                                   .order_by(Round.id)))


def _may_draw(question: Question, rnd: Round) -> bool:
    """Whether a new attempt of the round may draw the question: approved, and its topic is in the round's quotas
    (or the round draws from every topic)."""
    return question.status == "approved" and not question.archived and (
        not rnd.topic_quotas or question.topic_key in {unaccent(k) for k in rnd.topic_quotas})


def open_rounds_drawing(question: Question) -> list[Round]:
    """Rounds open now whose new attempts may draw this question."""
    return [rnd for rnd in _open_rounds() if _may_draw(question, rnd)]


def open_rounds_using(question: Question) -> list[Round]:
    """Rounds open now that drew a version of this question or may draw it."""
    rounds = _open_rounds()
    if not rounds:
        return []
    version_ids = [v.id for v in question.versions]
    found = []
    for rnd in rounds:
        if _may_draw(question, rnd) or (version_ids and db.session.scalar(
                _attempts_drawing(version_ids).where(Attempt.round_id == rnd.id).limit(1)) is not None):
            found.append(rnd)
    return found


def _audit_if_round_open(question: Question, before: list[Round], actor, changes: list[str],
                         **details: Any) -> None:
    """Record the change when an open round used the question before it or uses it after (an approval or a
    withdrawal changes what the round may draw)."""
    ids = sorted({r.id for r in before} | {r.id for r in open_rounds_using(question)})
    if ids:
        audit.record("question_edited_during_round", actor=actor, target_type="question", target_id=question.id,
                     rounds=ids, changes=changes, **details)


# --- writing ------------------------------------------------------------------------------------------------

def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _duplicate_error(existing: Question) -> Conflict:
    msg = _l("The bank already has this question (number %(id)d).", id=existing.id)
    return Conflict(msg, code="duplicate_question", fields={"text": [msg]}, existing_id=existing.id)


def build_question(clean: CleanQuestion, actor=None, topic: str | None = None) -> Question:
    """A new Question with its first version, added to the session (not flushed)."""
    question = Question(topic=topic or clean.topic, topic_key=clean.topic_key, difficulty=clean.difficulty,
                        status=clean.status, search_text=clean.search_text, norm_hash=clean.norm_hash,
                        archived=False, created_by_id=_actor_id(actor))
    version = QuestionVersion(number=1, text=clean.text, kind=clean.kind, options=clean.options_json,
                              explanation=clean.explanation, source=clean.source, created_by_id=_actor_id(actor))
    version.question = question
    question.current_version = version
    db.session.add(question)
    return question


def create_question(data: Mapping[str, Any], actor=None, *, allow_duplicate: bool = False) -> Question:
    """Check and add a question with its version 1. Conflict `duplicate_question` when the bank already has the
    same text (normalised), unless allow_duplicate. A topic already in the bank (compared without accents or case)
    keeps the bank's spelling."""
    clean = clean_question(data)
    if not allow_duplicate:
        existing = find_duplicate(clean.norm_hash)
        if existing is not None:
            raise _duplicate_error(existing)
    topic = topic_spellings().get(clean.topic_key, clean.topic)
    question = build_question(clean, actor, topic=topic)
    db.session.flush()
    return question


def update_question(question: Question, data: Mapping[str, Any], actor=None, *,
                    allow_duplicate: bool = False) -> Question:
    """Save new values. A change of wording, options, explanation or source edits the current version in place
    while no attempt has drawn it (nor can draw it right now), else makes the next version (attempts keep theirs).
    Topic, difficulty and status live on the question. Respelling the topic (same letters without accents)
    respells it for its whole topic. An edit while an open round uses the question goes to the audit log."""
    if question.archived:
        raise Conflict(_l("This question is archived. Restore it before editing it."), code="question_archived")
    clean = clean_question(data)
    current = question.current_version
    assert current is not None
    if not allow_duplicate and clean.norm_hash != question.norm_hash:
        existing = find_duplicate(clean.norm_hash, exclude_id=question.id)
        if existing is not None:
            raise _duplicate_error(existing)
    before = open_rounds_using(question)
    changes: list[str] = []
    new_version = False
    if clean.content() != version_content(current):
        changes.append("content")
        # A question an open round may draw could be drawn while this edit commits: a new version then too, so
        # that no attempt can ever hold a version that changes under it.
        if version_in_use(current.id) or open_rounds_drawing(question):
            new_version = True
            number = max(v.number for v in question.versions) + 1
            version = QuestionVersion(number=number, text=clean.text, kind=clean.kind, options=clean.options_json,
                                      explanation=clean.explanation, source=clean.source,
                                      created_by_id=_actor_id(actor))
            version.question = question
            question.current_version = version
        else:
            current.text = clean.text
            current.kind = clean.kind
            current.options = clean.options_json
            current.explanation = clean.explanation
            current.source = clean.source
        question.search_text = clean.search_text
        question.norm_hash = clean.norm_hash
    if clean.topic != question.topic:
        changes.append("topic")
        if clean.topic_key == question.topic_key:
            _respell_topic(clean.topic_key, clean.topic)
        else:
            others = db.session.scalar(select(func.min(Question.topic)).where(
                Question.topic_key == clean.topic_key, Question.id != question.id))
            question.topic = others or clean.topic
            question.topic_key = clean.topic_key
    if clean.difficulty != question.difficulty:
        changes.append("difficulty")
        question.difficulty = clean.difficulty
    if clean.status != question.status:
        changes.append("status")
        question.status = clean.status
    db.session.flush()
    if changes:
        _audit_if_round_open(question, before, actor, changes, new_version=new_version,
                             version=question.current_version.number)
    return question


def _respell_topic(key: str, topic: str) -> None:
    for other in db.session.scalars(select(Question).where(Question.topic_key == key)):
        other.topic = topic


def set_status(question: Question, status: str, actor=None) -> Question:
    """Approve a question (members may draw it from then on) or send it back to draft."""
    if status not in QUESTION_STATUSES:
        raise Invalid(_l("The status must be “draft” or “approved”."), fields={"status": [
            _l("The status must be “draft” or “approved”.")]})
    if question.archived:
        raise Conflict(_l("This question is archived. Restore it before editing it."), code="question_archived")
    if question.status != status:
        before = open_rounds_using(question)
        question.status = status
        db.session.flush()
        _audit_if_round_open(question, before, actor, ["status"])
    return question


def delete_question(question: Question, actor=None) -> str:
    """Delete a question no attempt has drawn; archive one that attempts hold (it leaves the bank and is never
    drawn again, but attempts and their reviews keep it). Returns "deleted" or "archived"."""
    if any(version_in_use(v.id) for v in question.versions):
        if not question.archived:
            question.archived = True
            question.status = "draft"
            audit.record("question_archived", actor=actor, target_type="question", target_id=question.id,
                         text=question.current_version.text[:200] if question.current_version else "")
            db.session.flush()
        return ARCHIVED
    audit.record("question_deleted", actor=actor, target_type="question", target_id=question.id,
                 text=question.current_version.text[:200] if question.current_version else "")
    question.current_version = None
    db.session.flush()
    for version in list(question.versions):
        db.session.delete(version)
    db.session.delete(question)
    db.session.flush()
    return "deleted"


def restore_question(question: Question, actor=None) -> Question:
    """Bring an archived question back to the bank, as a draft. Conflict when the bank has its text again."""
    if not question.archived:
        return question
    existing = find_duplicate(question.norm_hash, exclude_id=question.id)
    if existing is not None:
        raise _duplicate_error(existing)
    question.archived = False
    question.status = "draft"
    audit.record("question_restored", actor=actor, target_type="question", target_id=question.id)
    db.session.flush()
    return question


# --- search -------------------------------------------------------------------------------------------------

def search_statement(q: str | None = None, topic: str | None = None, status: str | None = None,
                     difficulty: int | None = None, kind: str | None = None, sort: str = "topic") -> Select:
    """Questions matching every given filter, in a stable order.

    q: every word must appear in the question, an option or the source, with or without diacritics ("ho chi minh"
    finds "Hồ Chí Minh"). topic: a topic compared without accents or case. status: draft, approved or archived
    (without it, every question not archived).
    """
    stmt = select(Question)
    if status == ARCHIVED:
        stmt = stmt.where(Question.archived.is_(True))
    else:
        stmt = stmt.where(Question.archived.is_(False))
        if status in QUESTION_STATUSES:
            stmt = stmt.where(Question.status == status)
        elif status:
            stmt = stmt.where(false())
    for word in unaccent(q).split()[:MAX_SEARCH_WORDS]:
        stmt = stmt.where(Question.search_text.contains(word, autoescape=True))
    if topic and unaccent(topic):
        stmt = stmt.where(Question.topic_key == unaccent(topic))
    if difficulty is not None:
        stmt = stmt.where(Question.difficulty == difficulty)
    if kind:
        stmt = stmt.where(Question.current_version.has(QuestionVersion.kind == kind))
    if sort == "newest":
        return stmt.order_by(Question.created_at.desc(), Question.id.desc())
    if sort == "updated":
        return stmt.order_by(Question.updated_at.desc(), Question.id.desc())
    return stmt.order_by(Question.topic_key, Question.difficulty, Question.id)


def search(q: str | None = None, topic: str | None = None, status: str | None = None,
           difficulty: int | None = None, kind: str | None = None, page: int = 1, per_page: int = PER_PAGE,
           sort: str = "topic"):
    """One page of search_statement's questions (a Flask-SQLAlchemy pagination)."""
    stmt = search_statement(q, topic, status, difficulty, kind, sort)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False, count=True)


@dataclass(frozen=True)
class TopicCount:
    key: str
    topic: str
    approved: int
    draft: int

    @property
    def total(self) -> int:
        return self.approved + self.draft


def topics() -> list[TopicCount]:
    """Every topic of the bank (archived questions left out) with its approved and draft questions."""
    approved = func.sum(case((Question.status == "approved", 1), else_=0))
    draft = func.sum(case((Question.status == "draft", 1), else_=0))
    rows = db.session.execute(
        select(Question.topic_key, func.min(Question.topic), approved, draft)
        .where(Question.archived.is_(False)).group_by(Question.topic_key).order_by(Question.topic_key))
    return [TopicCount(key, topic, int(a or 0), int(d or 0)) for key, topic, a, d in rows]


def archived_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Question).where(Question.archived.is_(True))) or 0


def correct_keys(version: QuestionVersion) -> list[str]:
    return [o["key"] for o in version.options if o.get("correct")]
