"""The organiser's dashboard of a contest: participation, scores, entries and judging progress as charts, a table
and CSV.

The figures come from contest.results.dashboard, the pictures from contest.results.charts; this module only puts
them on the page. The figures are aggregates without names, so downloading them is not audited.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _

from contest.contests import services as contests
from contest.contests.models import Contest
from contest.core import clock
from contest.core.access import roles_required, signed_in_user
from contest.core.errors import ServiceError
from contest.essays.models import ENTRY_STATUSES
from contest.judging.models import ASSIGNMENT_STATUSES
from contest.results import charts, dashboard
from contest.results.spreadsheets import MIMETYPES, csv_chunks
from contest.web import error_response, page_service_error

bp = Blueprint("results_dashboard", __name__)


bp.register_error_handler(ServiceError, page_service_error)


def _number(value: float) -> str:
    return format_decimal(value, "#,##0.##")


def _percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "#,##0.#%")


def _day(value) -> str:
    return format_date(value, "d/M")


def _quiz_charts(contest: Contest, data: dict) -> dict:
    empty = _("No data yet")
    days = data["by_day"]
    out = {
        "by_day": charts.column_chart(
            [_day(d["date"]) for d in days],
            [charts.Series(_("Attempts"), [d["attempts"] for d in days]),
             charts.Series(_("Participants"), [d["participants"] for d in days])],
            title=_("Attempts and participants per day"),
            desc=_("Finished attempts and the members who took them, per day in Vietnam time, from %(first)s "
                   "to %(last)s.", first=format_date(days[0]["date"]), last=format_date(days[-1]["date"]))
            if days else "", x_label=_("Day"), empty=empty, fmt=_number),
        "rounds": charts.bar_chart(
            [r["title"] for r in data["rounds"]],
            [charts.Series(_("Participants"), [r["participants"] for r in data["rounds"]])],
            title=_("Participants per round"), desc=_("Members with a finished attempt in each round."),
            empty=empty, fmt=_number),
    }
    out.update(_unit_chart(data["units"], _("Participants"), empty))
    scores = data["scores"]
    out["scores"] = charts.histogram(
        [i["label"] for i in scores["items"]], [i["count"] for i in scores["items"]],
        title=_("Score distribution"),
        desc=_("Participants by share of correct answers, in tenths, every round together.")
        if scores["by"] == "share" else _("Participants by number of correct answers."),
        y_label=_("Participants"), empty=empty, fmt=_number,
        x_label=_("Share of correct answers") if scores["by"] == "share" else _("Correct answers"))
    return out


def _unit_chart(units: list[dict], who: str, empty: str) -> dict:
    shown, _level = dashboard.chart_units(units)
    return {"units": charts.bar_chart(
        [u["name"] for u in shown], [charts.Series(_("Participation rate"), [u["participation_rate"] for u in shown])],
        title=_("Participation rate by unit"),
        desc=_("%(who)s among the registered members of each unit (its sub-units included), the %(num)d highest "
               "rates of one level of the unit tree.", who=who, num=len(shown)),
        empty=empty, scale_max=1, value_labels=[f"{_number(u['participants'])} · {_percent(u['participation_rate'])}"
                                                for u in shown]),
        "units_shown": len(shown)}


# Statuses in the colours people expect: done green, under way amber, not started grey, refused red.
STATUS_COLOURS = {"submitted": "#2e7d32", "draft": "#9e9e9e", "withdrawn": "#f9a825", "disqualified": "#b71c1c"}
ASSIGNMENT_COLOURS = {"submitted": "#2e7d32", "draft": "#f9a825", "pending": "#bdbdbd"}
CHART_STATUSES = ("submitted", "draft", "withdrawn", "disqualified")


def _essay_charts(contest: Contest, data: dict, labels: dict) -> dict:
    empty = _("No data yet")
    days = data["by_day"]
    out = {
        "by_day": charts.column_chart(
            [_day(d["date"]) for d in days],
            [charts.Series(_("Entries submitted"), [d["entries"] for d in days]),
             charts.Series(_("Writers"), [d["writers"] for d in days])],
            title=_("Entries submitted per day"),
            desc=_("Entries by the day of their first submission (Vietnam time), and their writers."),
            x_label=_("Day"), empty=empty, fmt=_number),
        "categories": charts.bar_chart(
            [c["name"] for c in data["categories"]],
            [charts.Series(str(labels["status"][s]), [c[s] for c in data["categories"]]) for s in CHART_STATUSES],
            title=_("Entries per category and status"),
            desc=_("Entries of each category, by status (submitted, draft, withdrawn, disqualified)."),
            empty=empty, fmt=_number, colours=[STATUS_COLOURS[s] for s in CHART_STATUSES]),
        "judging": charts.bar_chart(
            [j["title"] for j in data["judging"]],
            [charts.Series(str(labels["assignment"][s]), [j[s] for j in data["judging"]])
             for s in reversed(ASSIGNMENT_STATUSES)],
            title=_("Judging progress"),
            desc=_("Assignments of each judging round: scores submitted, drafts, not started."),
            empty=empty, fmt=_number, colours=[ASSIGNMENT_COLOURS[s] for s in reversed(ASSIGNMENT_STATUSES)],
            value_labels=[f"{_number(j['submitted'])}/{_number(j['assignments'])}" for j in data["judging"]]),
    }
    out.update(_unit_chart(data["units"], _("Writers"), empty))
    scores = data["scores"]
    if scores is not None:
        out["scores"] = charts.histogram(
            [i["label"] for i in scores["items"]], [i["count"] for i in scores["items"]],
            title=_("Scores of %(round)s", round=scores["round_title"]),
            desc=_("Entries by their aggregated score, in tenths of the scale (0 to %(scale)s).",
                   scale=_number(scores["scale"])),
            y_label=_("Entries"), x_label=_("Score"), empty=empty, fmt=_number)
    return out


def _labels() -> dict:
    return {"status": dashboard.ESSAY_STATUS_LABELS, "assignment": dashboard.ASSIGNMENT_LABELS}


def _contest(slug: str) -> Contest:
    return contests.get_contest_for(slug, signed_in_user())


@bp.route("/organiser/contests/<slug>/dashboard", endpoint="dashboard")
@roles_required("organiser")
def dashboard_page(slug: str):
    contest = _contest(slug)
    round_ = dashboard.pick_round(contest, request.args.get("round")) if contest.kind == "quiz" else None
    data = dashboard.cached_figures(contest, round_, clock.utcnow())
    labels = _labels()
    pictures = _quiz_charts(contest, data) if contest.kind == "quiz" else _essay_charts(contest, data, labels)
    return render_template("results/dashboard.html", contest=contest, data=data, charts=pictures, labels=labels,
                           rounds=dashboard.quiz_rounds(contest) if contest.kind == "quiz" else [],
                           round=round_, statuses=ENTRY_STATUSES, assignment_statuses=ASSIGNMENT_STATUSES)


@bp.route("/organiser/contests/<slug>/dashboard.csv")
@roles_required("organiser")
def dashboard_csv(slug: str):
    """One figure's table as CSV (UTF-8 with a byte order mark): ?table=<name>, &round=<id> for a quiz round."""
    contest = _contest(slug)
    name = request.args.get("table", "")
    round_ = dashboard.pick_round(contest, request.args.get("round")) if contest.kind == "quiz" else None
    if name not in dashboard.tables_of(contest):
        return error_response(400, "unknown_table", _("Unknown table. Choose one of: %(names)s.",
                                                      names=", ".join(dashboard.tables_of(contest))))
    data = dashboard.cached_figures(contest, round_, clock.utcnow(), parts=(name,))
    header, rows = dashboard.table(contest, data, name)
    suffix = f"-round-{round_.id}" if round_ is not None and name in ("units", "scores") else ""
    filename = f"{contest.slug}-dashboard-{name}{suffix}.csv"
    return Response(csv_chunks([str(h) for h in header], rows), mimetype=MIMETYPES["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
