"""Vietnamese-aware text normalisation: NFC on input, folding for comparison and diacritic-free search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """NFC-normalised text with surrounding whitespace removed and inner runs of whitespace collapsed."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def normalise_email(value: str | None) -> str:
    """The one form of an email address we compare and store: trimmed, NFC, case-folded.

    Two addresses that differ only by case, surrounding spaces or Unicode composition map to the same string,
    so they can never become two accounts.
    """
    if value is None:
        return ""
    folded = unicodedata.normalize("NFC", value.strip()).casefold()
    return unicodedata.normalize("NFC", folded)


def unaccent(value: str | None) -> str:
    """Lower-case text without diacritics: "Hồ Chí Minh" -> "ho chi minh", "Đống Đa" -> "dong da"."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", value.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def sort_key(value: str | None) -> tuple[str, str]:
    """A key that sorts Vietnamese names by their letters first, then by their diacritics."""
    return (unaccent(value), nfc(value).casefold())


def parse_id(value) -> int | None:
    """A database id from an int or a string of ASCII digits; None for anything else (bools, "²", huge numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number < 2**63 else None
