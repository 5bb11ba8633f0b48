"""Pages of quiz results: a round's leaderboard and unit leaderboard (public once published), and for organisers
the results page (board, prize and unit award proposals, publish / unpublish) and the round's report."""

from __future__ import annotations

import math

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import ServiceError
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz import reports
from contest.quiz.models import PRIZE_TIERS, Round
from contest.web import page_service_error

bp = Blueprint("quiz_board", __name__)

PER_PAGE = 50
UNITS_PER_PAGE = 100


# --- helpers ----------------------------------------------------------------------------------------------


bp.register_error_handler(ServiceError, page_service_error)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < len(raw) < 9 and int(raw) > 0 else 1


class Pager:
    """What the pager macro needs: page, pages, has_prev/has_next and the neighbours' numbers."""

    def __init__(self, page: int, per_page: int, total: int) -> None:
        self.page, self.per_page, self.total = page, per_page, total
        self.pages = max(1, math.ceil(total / per_page))
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num, self.next_num = page - 1, page + 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@bp.app_template_filter("quiz_duration")
def format_duration(ms: int | None) -> str:
    """12 345 ms -> "0:12.3" (minutes:seconds.tenths)."""
    if ms is None:
        return ""
    tenths = int(ms) // 100
    minutes, tenths = divmod(tenths, 600)
    return f"{minutes}:{tenths // 10:02d}.{tenths % 10}"


@bp.app_template_filter("quiz_date")
def _date(value) -> str:
    return "" if value is None else format_date(value, "medium")


@bp.app_template_filter("quiz_decimal")
def _decimal(value: float | None, pattern: str = "#,##0.##") -> str:
    """A number in the reader's locale: 7.46 -> "7,46" in Vietnamese."""
    return "" if value is None else format_decimal(value, pattern)


@bp.app_template_filter("quiz_percent")
def _percent(value: float | None) -> str:
    return "" if value is None else format_percent(value, "#,##0.#%")


def _round_context(round_: Round, now) -> dict:
    from contest.contests.models import Contest

    return {"round": round_, "contest": db.session.get(Contest, round_.contest_id),
            "state": lb.round_state(round_, now), "tier_names": _tier_names()}


def _tier_names() -> dict[str, str]:
    from contest.results.services import TIER_LABELS

    return {tier: str(label) for tier, label in TIER_LABELS.items()}


# --- public pages -----------------------------------------------------------------------------------------

@bp.route("/rounds/<int:round_id>/leaderboard")
def leaderboard(round_id: int):
    user, now = signed_in_user(), clock.utcnow()
    round_ = lb.get_round(round_id, user)
    lb.check_board_access(round_, user, now)
    public = lb.public_reader(round_, user)
    pager = Pager(_page_number(), PER_PAGE, 0)
    board = lb.leaderboard(round_, limit=PER_PAGE, offset=pager.offset, now=now, public=public,
                           me=user.id if user else None)
    pager = Pager(pager.page, PER_PAGE, board["total"])
    mine = None
    if user is not None:
        try:
            lb.check_my_rank_access(round_, user, now)
            mine = lb.my_rank(round_, user, now, public=public)
        except ServiceError:
            mine = None
    return render_template("quiz/board/leaderboard.html", board=board, pager=pager, mine=mine,
                           me=user.id if user else None, manage=lb.can_manage(user, round_),
                           **_round_context(round_, now))


@bp.route("/rounds/<int:round_id>/units")
def units(round_id: int):
    user, now = signed_in_user(), clock.utcnow()
    round_ = lb.get_round(round_id, user)
    lb.check_board_access(round_, user, now)
    by = "rate" if request.args.get("sort") == "rate" else "participants"
    rows = lb.unit_leaderboard(round_, by=by, now=now, public=lb.public_reader(round_, user))
    pager = Pager(_page_number(), UNITS_PER_PAGE, len(rows))
    shown = rows[pager.offset:pager.offset + UNITS_PER_PAGE]
    return render_template("quiz/board/units.html", rows=shown, by=by, pager=pager, first=pager.offset + 1,
                           manage=lb.can_manage(user, round_), **_round_context(round_, now))


# --- organiser pages --------------------------------------------------------------------------------------

@bp.route("/organiser/rounds/<int:round_id>/results")
@roles_required("organiser")
def results(round_id: int):
    now = clock.utcnow()
    round_ = lb.get_round(round_id, signed_in_user())
    pager = Pager(_page_number(), PER_PAGE, 0)
    board = lb.leaderboard(round_, limit=PER_PAGE, offset=pager.offset, now=now)
    pager = Pager(pager.page, PER_PAGE, board["total"])
    prizes = lb.prize_proposal(round_, now)
    rows = lb.unit_leaderboard(round_, now=now)
    raw_level = request.args.get("level", "")
    level = int(raw_level) if raw_level.isdecimal() and len(raw_level) < 4 else None
    awards = lb.unit_awards(rows, level=level)
    levels = {}
    for row in rows:  # each level named by its first units, so that "level 2" means something to a reader
        levels.setdefault(row["depth"], []).append(row["name"])
    level_names = {level: ", ".join(names[:2]) + (", …" if len(names) > 2 else "") for level, names in levels.items()}
    context = _round_context(round_, now)
    return render_template("quiz/board/results.html", board=board, pager=pager, prizes=prizes, awards=awards,
                           levels=sorted(levels), level_names=level_names, me=None, manage=True, prize_counts=[
                               (tier, (round_.prizes or {}).get(tier, 0)) for tier in PRIZE_TIERS],
                           publication=lb.publication_status(round_), results_admin_url=_results_admin_url(
                               context["contest"]), **context)


def _results_admin_url(contest) -> str | None:
    """The contest's results and awards page."""
    return None if contest is None else url_for("results_admin.index", slug=contest.slug)


@bp.route("/organiser/rounds/<int:round_id>/publish", methods=["POST"])
@roles_required("organiser")
def publish(round_id: int):
    round_ = lb.get_round(round_id, signed_in_user())
    try:
        lb.publish_round(round_, actor=signed_in_user())
    except ServiceError as exc:
        if exc.status != 409:
            raise
        # Refused (the round is open again, or not open yet): say why on the results page itself, which now shows
        # the round as it is, rather than on a bare error page.
        db.session.rollback()
        flash(str(exc.message), "error")
        return results(round_id), 409
    db.session.commit()
    flash(_("The results of the round have been published."), "success")
    return redirect(url_for("quiz_board.results", round_id=round_.id))


@bp.route("/organiser/rounds/<int:round_id>/unpublish", methods=["POST"])
@roles_required("organiser")
def unpublish(round_id: int):
    round_ = lb.get_round(round_id, signed_in_user())
    lb.unpublish_round(round_, actor=signed_in_user())
    db.session.commit()
    flash(_("The results of the round are hidden again."), "success")
    return redirect(url_for("quiz_board.results", round_id=round_.id))


@bp.route("/organiser/rounds/<int:round_id>/report")
@roles_required("organiser")
def report(round_id: int):
    now = clock.utcnow()
    round_ = lb.get_round(round_id, signed_in_user())
    lb.finalise_if_due(round_, now)
    data = reports.round_report(round_, now)
    return render_template("quiz/board/report.html", report=data, units=data["by_unit"],
                           max_day=max([d["attempts"] for d in data["by_day"]] or [0]),
                           max_score=max([s["count"] for s in data["scores"]] or [0]),
                           **_round_context(round_, now))


# --- command line -----------------------------------------------------------------------------------------

@click.command("finalise-rounds")
def finalise_rounds_command():
    """Finalise the ranking of every quiz round that has closed and is not final yet."""
    done = lb.finalise_closed_rounds()
    click.echo(f"Finalised {len(done)} round(s){': ' + ', '.join(map(str, done)) if done else ''}.")
