"""The organiser's dashboard of a contest: participation, scores, entries and judging progress as charts, a table
and CSV."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results_dashboard", __name__)
