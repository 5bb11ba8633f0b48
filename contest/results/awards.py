"""Proposing awards from a ranking, as a pure function: tiers filled in order, each taking its count of places,
ties at the border of a tier never split (everyone sharing the rank of its last place gets that tier, and the later
tiers get correspondingly fewer places). The quiz's ranking.prize_tiers is this rule over its four tiers.
Imports nothing of the app, so the quiz's pure rules can use it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

# In the order results are shown (API.md: special, first, second, third, consolation).
AWARD_TIERS = ("special", "first", "second", "third", "consolation")


def place_count(counts: Mapping[str, int] | None) -> int:
    """How many places the tiers ask for (negative or missing counts count as 0)."""
    return sum(max(0, int((counts or {}).get(tier, 0) or 0)) for tier in AWARD_TIERS)


def propose(ranked: Sequence[tuple[int, Hashable]], counts: Mapping[str, int] | None,
            tiers: Sequence[str] = AWARD_TIERS) -> list[tuple[str, Hashable]]:
    """[(tier, key)] for the ranked items [(rank, key)] (best first; equal ranks are ties), in ranking order.

    Each tier in `tiers` order takes the next `counts[tier]` places (a tier with count 0 takes none); the places of
    all the tiers so far end at their summed counts, extended past the border while the next item shares the rank
    of the last place. A tier whose places were all taken by the ties of an earlier one gets nobody.
    """
    counts = counts or {}
    out: list[tuple[str, Hashable]] = []
    index = 0
    boundary = 0
    for tier in tiers:
        boundary += max(0, int(counts.get(tier, 0) or 0))
        stop = min(boundary, len(ranked))
        if stop <= index:
            continue
        while stop < len(ranked) and ranked[stop][0] == ranked[stop - 1][0]:
            stop += 1
        out.extend((tier, key) for _rank, key in ranked[index:stop])
        index = stop
    return out


__all__ = ["AWARD_TIERS", "place_count", "propose"]
