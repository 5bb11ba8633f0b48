"""The demo questions: enough of them, every one valid and complete, loaded once however often the seed runs."""

from __future__ import annotations

import unicodedata
from collections import Counter

from sqlalchemy import func, select

from contest.extensions import db
from contest.quiz import bank
from contest.quiz.demo_questions import QUESTIONS, seed_questions
from contest.quiz.models import Question


def test_every_demo_question_passes_the_rules_and_is_complete(app):
    assert len(QUESTIONS) >= 65
    for values in QUESTIONS:
        clean = bank.clean_question(values)
        assert clean.explanation and clean.source and clean.status == "approved", values["text"]
        assert unicodedata.is_normalized("NFC", values["text"])
    assert len({bank.norm_hash(q["text"]) for q in QUESTIONS}) == len(QUESTIONS)


def test_the_demo_bank_mixes_topics_kinds_and_difficulties():
    topics = Counter(q["topic"] for q in QUESTIONS)
    assert len(topics) >= 6 and min(topics.values()) >= 5
    kinds = Counter(q["kind"] for q in QUESTIONS)
    assert kinds["single"] > kinds["multiple"] >= 5
    assert set(Counter(q["difficulty"] for q in QUESTIONS)) == {1, 2, 3}


def test_seed_questions_is_idempotent(app, organiser):
    assert seed_questions(actor=organiser) == len(QUESTIONS)
    db.session.commit()
    assert seed_questions() == 0
    assert db.session.scalar(select(func.count()).select_from(Question)) == len(QUESTIONS)
    assert {t.topic for t in bank.topics()} == {q["topic"] for q in QUESTIONS}
    assert sum(t.approved for t in bank.topics()) == len(QUESTIONS)


def test_seed_questions_adds_only_the_missing_ones(app):
    bank.create_question(QUESTIONS[0])
    db.session.commit()
    assert seed_questions() == len(QUESTIONS) - 1
