"""Blind judging: does an entry's text name its author? Flagged to organisers before judging starts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from contest.core.text import unaccent

_WORD = re.compile(r"\w+")
MIN_WORDS = 2  # a one-word name ("An", "Hùng") matches ordinary words and other people far too often


def _words(text: str) -> list[str]:
    return _WORD.findall(unaccent(text))


def names_in_text(text: str, names: Iterable[str]) -> list[str]:
    """The names (as given, in the given order, once each) that appear in the entry's plain text.

    Matching ignores case and diacritics ("Nguyễn Văn An" is found as "nguyen van an" or "NGUYỄN VĂN AN") and
    works on whole words in sequence, with any spaces, line breaks or punctuation between them: "Văn An" is not found
    inside "Nguyễn Văn Anh". Names of a single word are ignored, since they match ordinary words and other people
    far too often; a full name is what gives an author away.
    """
    haystack = f" {' '.join(_words(text))} "
    found: list[str] = []
    for name in names:
        words = _words(name or "")
        if len(words) < MIN_WORDS or name in found:
            continue
        if f" {' '.join(words)} " in haystack:
            found.append(name)
    return found
