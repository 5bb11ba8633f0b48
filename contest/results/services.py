"""A contest's results: settings, awards (proposed from the rankings, then set by organisers), publication with a
frozen snapshot."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from contest.results.models import AWARD_TIERS

# One msgid per tier, used everywhere (quiz pages, results pages, certificates, exports).
TIER_LABELS = {
    "special": _l("Special prize"),
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
    "consolation": _l("Consolation prize"),
}
assert tuple(TIER_LABELS) == AWARD_TIERS
