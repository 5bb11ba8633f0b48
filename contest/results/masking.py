"""Names on public pages, masked as the contest chose (ResultSettings.name_masking):

- "none":     Nguyễn Văn An
- "partial":  Nguyễn V. A.   (the family name, then the initials of the other names)
- "initials": N. V. A.

Pure functions, NFC in and out; initials keep their diacritics ("Đ.", "Ư."). A masked name never reveals more than
the first letter of any name but the first.
"""

from __future__ import annotations

from contest.core.text import nfc

MODES = ("none", "partial", "initials")


def _initial(word: str) -> str:
    for char in word:
        if char.isalnum():
            return char.upper() + "."
    return ""


def mask_name(name: str | None, mode: str = "none") -> str:
    """The name as shown under `mode` (an unknown mode masks fully, as "initials": never show more by mistake)."""
    words = nfc(name or "").split()
    if not words:
        return ""
    if mode == "none":
        return " ".join(words)
    if mode == "partial":
        rest = [initial for initial in map(_initial, words[1:]) if initial]
        return " ".join([words[0], *rest])
    return " ".join(initial for initial in map(_initial, words) if initial)


def masking_for(contest_id: int) -> str:
    """The contest's masking mode ("none" when it has no result settings yet)."""
    from contest.extensions import db
    from contest.results.models import ResultSettings

    settings = db.session.get(ResultSettings, contest_id)
    return settings.name_masking if settings is not None else "none"
