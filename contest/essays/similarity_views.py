"""Organiser pages of the similarity check: the pairs of entries sharing long passages, one pair's passages side by
side, and a button that runs the check now (contest.essays.checks does the work)."""

from __future__ import annotations

import time
from math import ceil

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_login import current_user

from contest.contests.views import contest_or_404
from contest.core.access import roles_required
from contest.core.errors import NotFound
from contest.essays import checks
from contest.essays.services import settings_for
from contest.extensions import db

bp = Blueprint("essays_similarity", __name__)

PER_PAGE = 100


@bp.app_template_filter("similarity_percent")
def similarity_percent(value: float | None) -> str:
    """0.4567 -> "45,7%" in Vietnamese, "45.7%" in English."""
    return "" if value is None else format_percent(value, "#,##0.#%")


@bp.route("/organiser/contests/<slug>/similarity")
@roles_required("organiser")
def pairs(slug: str):
    contest = contest_or_404(slug, "essay")
    settings = settings_for(contest, persist=False)
    total = checks.pair_count(contest)
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return render_template("essays/similarity.html", contest=contest, total=total, page=page, pages=pages,
                           pairs=checks.pairs_of(contest, limit=PER_PAGE, offset=(page - 1) * PER_PAGE),
                           first=(page - 1) * PER_PAGE + 1, checked_at=settings.similarity_checked_at,
                           min_words=settings.similarity_min_words, entries=checks.submitted_count(contest))


@bp.route("/organiser/contests/<slug>/similarity/run", methods=["POST"])
@roles_required("organiser")
def run(slug: str):
    contest = contest_or_404(slug, "essay")
    started = time.perf_counter()
    found = checks.run_check(contest, actor=current_user._get_current_object())
    db.session.commit()
    flash(ngettext("The check found %(num)d pair of entries sharing long passages (%(seconds)s s).",
                   "The check found %(num)d pairs of entries sharing long passages (%(seconds)s s).",
                   found, seconds=f"{time.perf_counter() - started:.1f}"), "success")
    return redirect(url_for("essays_similarity.pairs", slug=contest.slug))


@bp.route("/organiser/contests/<slug>/similarity/<int:pair_id>")
@roles_required("organiser")
def pair(slug: str, pair_id: int):
    contest = contest_or_404(slug, "essay")
    try:
        found = checks.pair_for(contest, pair_id)
    except NotFound:
        abort(404)
    return render_template("essays/similarity_pair.html", contest=contest, pair=found,
                           passages=checks.passage_views(found))
