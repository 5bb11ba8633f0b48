"""Fixtures for writing-contest tests: an open contest with one category (10 to 50 words), a writer in it."""

from __future__ import annotations

import pytest

from tests.essay_factories import gen_essay_contest


@pytest.fixture
def contest(app):
    """Open from T0 - 1 day to T0 + 30 days (use the `clock` fixture), one category of 10 to 50 words."""
    return gen_essay_contest(categories=[{"name": "Cán bộ, đảng viên", "min_words": 10, "max_words": 50}])


@pytest.fixture
def category(contest):
    from contest.essays.services import categories_of

    return categories_of(contest)[0]


def text(n: int, word: str = "chữ") -> str:
    """A paragraph of n words."""
    return "<p>" + " ".join(f"{word}{i}" for i in range(n)) + "</p>"
