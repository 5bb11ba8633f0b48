"""The figures of a contest's organiser dashboard, as plain data: for a quiz contest participation by day, per round,
per unit and the score distribution; for a writing contest entries by day, per category and status, per unit, the
judging progress per judging round and the distribution of the latest judging round's scores. Tables of them as
rows for CSV.

Counting happens in grouped SQL statements (contest.quiz.reports does the quiz side); nothing here reads attempts
one by one. Figures are aggregates: no names of people, so they are not personal data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from contest.contests.models import Contest
from contest.core import clock
from contest.core.clock import jsonable
from contest.core.errors import BadRequest, NotFound
from contest.core.text import parse_id
from contest.essays.models import ENTRY_STATUSES, Category, Entry
from contest.extensions import db
from contest.judging import results as judging_results
from contest.judging import rounds as judging_rounds
from contest.judging.models import ASSIGNMENT_STATUSES, Assignment, JudgingRound, RoundEntry, RoundJudge
from contest.quiz import leaderboard as lb
from contest.quiz import reports
from contest.quiz.models import Round
from contest.units.services import subtree_member_counts, unit_tree

SCORE_BANDS = 10  # the latest judging round's scores in tenths of its scale
CHART_UNITS = 20  # bars in a unit chart; the table lists every unit

QUIZ_TABLES = ("by_day", "rounds", "units", "scores")
ESSAY_TABLES = ("by_day", "categories", "statuses", "units", "judging", "scores")
QUIZ_PARTS = ("totals", *QUIZ_TABLES)
ESSAY_PARTS = ("totals", *ESSAY_TABLES)


def tables_of(contest: Contest) -> tuple[str, ...]:
    return QUIZ_TABLES if contest.kind == "quiz" else ESSAY_TABLES


# --- quiz contests ----------------------------------------------------------------------------------------

def quiz_rounds(contest: Contest) -> list[Round]:
    return list(db.session.scalars(select(Round).where(Round.contest_id == contest.id)
                                   .order_by(Round.opens_at, Round.id)))


def pick_round(contest: Contest, value: Any) -> Round | None:
    """The round chosen by `value` (an id, "" or None for every round): 400 when it is not a whole number, 404
    when it is not a round of this contest."""
    if value in (None, ""):
        return None
    round_id = parse_id(value)
    if round_id is None:
        message = _l("Must be an identifier (a whole number).")
        raise BadRequest(message, fields={"round": [message]})
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.contest_id != contest.id:
        raise NotFound(_l("No such round in this contest."))
    return round_


def _share_label(item: dict) -> str:
    if item["from_percent"] >= 100:
        return "100%"
    return f"{item['from_percent']}–{item['to_percent'] - 1}%"


def quiz_figures(contest: Contest, round_: Round | None = None, now: datetime | None = None,
                 parts: Collection[str] | None = None) -> dict[str, Any]:
    """{kind, round_id, totals: {rounds, participants, attempts}, rounds: [{round_id, title, opens_at, closes_at,
    question_count, participants, attempts, mean_share, all_correct}], by_day: [{date, attempts, participants}],
    units: [unit rows], scores: {by, items: [{label, from, to, count}]}}; only the `parts` asked for (all by
    default: a CSV of one table counts only that).

    by_day: finalised attempts and distinct members per Hà Nội day across every round (each attempt on the day it
    was started). units: rolled up the unit tree (leaderboard.unit_rows); across rounds a member counts once, in
    their current unit; for one round as the round's unit leaderboard counts (the unit they took it in). scores:
    across rounds by share of correct answers in tenths; for one round by number of correct answers.
    """
    now = now or clock.utcnow()
    wanted = set(QUIZ_PARTS if parts is None else parts)
    rounds = quiz_rounds(contest)
    out: dict[str, Any] = {"kind": "quiz", "round_id": round_.id if round_ is not None else None}
    # The per-round summaries and the share distribution read the same scan of the standings.
    bands = (reports.share_bands(rounds) if wanted & {"rounds", "totals"} and "scores" in wanted and round_ is None
             else None)
    if wanted & {"rounds", "totals"}:
        summaries = reports.round_summaries(rounds, bands)
        round_items = [{"round_id": r.id, "title": r.title, "opens_at": clock.as_utc(r.opens_at),
                        "closes_at": clock.as_utc(r.closes_at), "question_count": r.question_count,
                        **summaries[r.id]} for r in rounds]
        if "rounds" in wanted:
            out["rounds"] = round_items
        if "totals" in wanted:
            out["totals"] = {"rounds": len(rounds), "participants": reports.contest_participants(rounds),
                             "attempts": sum(i["attempts"] for i in round_items)}
    if "by_day" in wanted:
        out["by_day"] = [{"date": d["date"], "attempts": d["attempts"], "participants": d["members"]}
                         for d in reports.rounds_by_day(rounds)]
    if "units" in wanted:
        out["units"] = (lb.unit_leaderboard(round_, by="tree", now=now) if round_ is not None else
                        lb.unit_rows(None, unit_tree(), participants=reports.participants_by_unit(rounds),
                                     members=lb.member_counts_by_unit(), scope_unit_id=contest.unit_id))
    if "scores" in wanted:
        if round_ is None:
            out["scores"] = {"by": "share", "items": [
                {"label": _share_label(i), "from": i["from_percent"], "to": i["to_percent"], "count": i["count"]}
                for i in reports.share_distribution(rounds, bands)]}
        else:
            out["scores"] = {"by": "correct", "items": [
                {"label": str(i["correct"]), "from": i["correct"], "to": i["correct"], "count": i["count"]}
                for i in reports.score_distribution(round_)]}
    return out


# --- writing contests -------------------------------------------------------------------------------------

def _entry_days(contest: Contest) -> list[dict]:
    where = and_(Entry.contest_id == contest.id, Entry.first_submitted_at.is_not(None))
    first, last = db.session.execute(select(func.min(Entry.first_submitted_at), func.max(Entry.first_submitted_at))
                                     .where(where)).one()
    if first is None:
        return []
    rows = reports.count_by_day([reports.DaySource(Entry.first_submitted_at, Entry.author_id, where,
                                                   clock.as_utc(first), clock.as_utc(last))])
    return [{"date": r["date"], "entries": r["count"], "writers": r["distinct"]} for r in rows]


def _categories(contest: Contest) -> list[dict]:
    counts: dict[int, dict[str, int]] = {}
    for category_id, status, n in db.session.execute(
            select(Entry.category_id, Entry.status, func.count()).where(Entry.contest_id == contest.id)
            .group_by(Entry.category_id, Entry.status)):
        counts.setdefault(category_id, {})[status] = n
    out = []
    for category in db.session.scalars(select(Category).where(Category.contest_id == contest.id)
                                       .order_by(Category.position, Category.id)):
        found = counts.get(category.id, {})
        row = {"category_id": category.id, "name": category.name, **{s: found.get(s, 0) for s in ENTRY_STATUSES}}
        row["total"] = sum(row[s] for s in ENTRY_STATUSES)
        out.append(row)
    return out


def _essay_units(contest: Contest) -> list[dict]:
    """Writers (distinct authors of entries still in the contest) per unit of the entry, with their entries and
    the participation rate (writers / registered members), rolled up the tree."""
    writers, entries = {}, {}
    for unit_id, n_writers, n_entries in db.session.execute(
            select(Entry.unit_id, func.count(Entry.author_id.distinct()), func.count())
            .where(Entry.contest_id == contest.id, Entry.status == "submitted", Entry.unit_id.is_not(None))
            .group_by(Entry.unit_id)):
        writers[unit_id], entries[unit_id] = n_writers, n_entries
    tree = unit_tree()
    rows = lb.unit_rows(None, tree, participants=writers, members=lb.member_counts_by_unit(),
                        scope_unit_id=contest.unit_id)
    rolled = subtree_member_counts(tree, entries)
    return [{**row, "entries": rolled.get(row["unit_id"], 0)} for row in rows]


def _judging(judging: Sequence[JudgingRound]) -> list[dict]:
    """Per judging round: judges on the panel, entries judged (still in the contest), assignments by status
    (counting entries still in the contest, as results.progress does per judge) and the share submitted."""
    ids = [r.id for r in judging]
    if not ids:
        return []
    status_counts: dict[int, dict[str, int]] = {}
    for round_id, status, n in db.session.execute(
            select(Assignment.round_id, Assignment.status, func.count()).join(Entry, Entry.id == Assignment.entry_id)
            .where(Assignment.round_id.in_(ids), Entry.status == "submitted")
            .group_by(Assignment.round_id, Assignment.status)):
        status_counts.setdefault(round_id, {})[status] = n
    judges = dict(db.session.execute(select(RoundJudge.round_id, func.count()).where(RoundJudge.round_id.in_(ids))
                                     .group_by(RoundJudge.round_id)).all())
    entries = dict(db.session.execute(
        select(RoundEntry.round_id, func.count()).join(Entry, Entry.id == RoundEntry.entry_id)
        .where(RoundEntry.round_id.in_(ids), Entry.status == "submitted").group_by(RoundEntry.round_id)).all())
    out = []
    for r in judging:
        found = status_counts.get(r.id, {})
        row = {"round_id": r.id, "title": r.title, "stage": r.stage, "judges": judges.get(r.id, 0),
               "entries": entries.get(r.id, 0), **{s: found.get(s, 0) for s in ASSIGNMENT_STATUSES}}
        row["assignments"] = sum(row[s] for s in ASSIGNMENT_STATUSES)
        row["done_share"] = round(row["submitted"] / row["assignments"], 4) if row["assignments"] else None
        out.append(row)
    return out


def score_bands(scores: Sequence[float], scale: float, bands: int = SCORE_BANDS) -> list[dict]:
    """How many scores fall in each tenth of the scale: [{label, from, to, count}]; the last band includes the
    top of the scale. Pure."""
    scale = scale if scale > 0 else 1.0
    width = scale / bands
    counts = [0] * bands
    for value in scores:
        counts[min(bands - 1, max(0, int(value / width)))] += 1

    def number(x: float) -> str:
        return f"{x:g}"

    return [{"label": f"{number(i * width)}–{number((i + 1) * width)}", "from": round(i * width, 4),
             "to": round((i + 1) * width, 4), "count": counts[i]} for i in range(bands)]


def essay_figures(contest: Contest, parts: Collection[str] | None = None) -> dict[str, Any]:
    """{kind, totals: {entries, submitted, writers, drafts}, by_day: [{date, entries, writers}] (entries by the Hà
    Nội day of their first submission), categories: [{category_id, name, draft, submitted, withdrawn,
    disqualified, total}], statuses: [{status, count}], units: [unit rows with entries], judging: [per judging
    round], scores: {round_id, round_title, scale, scored, items: [{label, from, to, count}]} for the latest judging
    round (None without one); only the `parts` asked for (all by default)."""
    wanted = set(ESSAY_PARTS if parts is None else parts)
    out: dict[str, Any] = {"kind": "essay"}
    if wanted & {"categories", "statuses", "totals"}:
        categories = _categories(contest)
        statuses = [{"status": s, "count": sum(c[s] for c in categories)} for s in ENTRY_STATUSES]
        out.update(categories=categories, statuses=statuses)
        if "totals" in wanted:
            by_status = {s["status"]: s["count"] for s in statuses}
            writers = db.session.scalar(select(func.count(Entry.author_id.distinct())).where(
                Entry.contest_id == contest.id, Entry.status == "submitted")) or 0
            out["totals"] = {"entries": sum(by_status.values()), "submitted": by_status["submitted"],
                             "writers": writers, "drafts": by_status["draft"]}
    if "by_day" in wanted:
        out["by_day"] = _entry_days(contest)
    if "units" in wanted:
        out["units"] = _essay_units(contest)
    if wanted & {"judging", "scores"}:
        judging = judging_rounds.rounds_of(contest)
        out["judging"] = _judging(judging)
        out["scores"] = None
        if judging:
            latest = judging[-1]
            scale = judging_rounds.total_scale(latest)
            values = list(judging_results.aggregated_scores(latest).values())
            out["scores"] = {"round_id": latest.id, "round_title": latest.title, "scale": scale,
                             "scored": len(values), "items": score_bands(values, scale)}
    return out


def figures(contest: Contest, round_: Round | None = None, now: datetime | None = None,
            parts: Collection[str] | None = None) -> dict[str, Any]:
    """The dashboard of any contest (see quiz_figures and essay_figures). No access check here: callers let only
    organisers in."""
    if contest.kind == "quiz":
        return quiz_figures(contest, round_, now, parts)
    return essay_figures(contest, parts)


CACHE_TTL = 60  # seconds: a contest of a million attempts takes a few seconds to count


def _revive(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "by_day" in out:
        out["by_day"] = [{**d, "date": date.fromisoformat(d["date"])} for d in out["by_day"]]
    if "rounds" in out:
        out["rounds"] = [{**r, "opens_at": datetime.fromisoformat(r["opens_at"]),
                          "closes_at": datetime.fromisoformat(r["closes_at"])} for r in out["rounds"]]
    return out


def cached_figures(contest: Contest, round_: Round | None = None, now: datetime | None = None,
                   parts: Collection[str] | None = None, *, as_json: bool = False) -> dict[str, Any]:
    """figures(), kept a minute in the cache (per contest, round and parts): organisers reloading the page of a
    contest of a million attempts do not count them again each time. `as_json`: with ISO dates (see jsonable)."""
    from contest.core.cache import get_cache

    key = ":".join(["dashboard", str(contest.id), str(round_.id if round_ is not None else 0),
                    ",".join(sorted(parts)) if parts else "all"])
    cache = get_cache()
    found = cache.get(key)
    if found is None:
        found = jsonable(figures(contest, round_, now, parts))
        cache.set(key, found, CACHE_TTL)
    return found if as_json else _revive(found)


def chart_units(rows: Sequence[dict], limit: int = CHART_UNITS) -> tuple[list[dict], int | None]:
    """The units a chart shows: those of one level of the tree (the wards of a city: leaderboard's
    default_award_level) with participants, by participation rate then participants, at most `limit`; and the
    level."""
    level = lb.default_award_level(list(rows))
    chosen = [r for r in rows if r["depth"] == level and r["participants"] > 0]
    return lb.sort_unit_rows(chosen, "rate")[:limit], level


# --- tables for CSV ---------------------------------------------------------------------------------------

ESSAY_STATUS_LABELS = {"draft": _l("Draft"), "submitted": _l("Submitted entries"), "withdrawn": _l("Withdrawn"),
                       "disqualified": _l("Disqualified")}
ASSIGNMENT_LABELS = {"pending": _l("Not started"), "draft": _l("Draft"), "submitted": _l("Scores submitted")}


def table(contest: Contest, data: dict[str, Any], name: str) -> tuple[list, list[list]]:
    """(header, rows) of one figure for CSV; 400 for a name this kind of contest has no table of (the message
    lists the names)."""
    if name not in tables_of(contest):
        message = _l("Unknown table. Choose one of: %(names)s.", names=", ".join(tables_of(contest)))
        raise BadRequest(message, fields={"table": [message]})
    if data["kind"] == "quiz":
        return _quiz_table(data, name)
    return _essay_table(data, name)


def _unit_table(units: list[dict], participants: Any, extra: tuple[str, Any] | None = None):
    header = [_l("Unit"), _l("Path"), participants, _l("Members"), _l("Participation rate")]
    if extra:
        header.append(extra[1])
    rows = [[u["name"], u["path"], u["participants"], u["members"], u["participation_rate"],
             *([u[extra[0]]] if extra else [])] for u in units]
    return header, rows


def _quiz_table(data: dict, name: str):
    if name == "by_day":
        return [_l("Day"), _l("Attempts"), _l("Participants")], [
            [d["date"], d["attempts"], d["participants"]] for d in data["by_day"]]
    if name == "rounds":
        return ([_l("Round"), _l("Opens"), _l("Closes"), _l("Questions"), _l("Participants"), _l("Attempts"),
                 _l("Mean share correct"), _l("All answers correct")],
                [[r["title"], r["opens_at"], r["closes_at"], r["question_count"], r["participants"], r["attempts"],
                  r["mean_share"], r["all_correct"]] for r in data["rounds"]])
    if name == "units":
        return _unit_table(data["units"], _l("Participants"))
    band = _l("Share of correct answers") if data["scores"]["by"] == "share" else _l("Correct answers")
    return [band, _l("Participants")], [[i["label"], i["count"]] for i in data["scores"]["items"]]


def _essay_table(data: dict, name: str):
    if name == "by_day":
        return [_l("Day"), _l("Entries submitted"), _l("Writers")], [
            [d["date"], d["entries"], d["writers"]] for d in data["by_day"]]
    if name == "categories":
        return ([_l("Category"), *(ESSAY_STATUS_LABELS[s] for s in ENTRY_STATUSES), _l("All entries")],
                [[c["name"], *(c[s] for s in ENTRY_STATUSES), c["total"]] for c in data["categories"]])
    if name == "statuses":
        return [_l("Status"), _l("Entries")], [[ESSAY_STATUS_LABELS[s["status"]], s["count"]]
                                               for s in data["statuses"]]
    if name == "units":
        return _unit_table(data["units"], _l("Writers"), ("entries", _l("Entries")))
    if name == "judging":
        return ([_l("Judging round"), _l("Judges"), _l("Entries"), _l("Assignments"),
                 *(ASSIGNMENT_LABELS[s] for s in ASSIGNMENT_STATUSES), _l("Share submitted")],
                [[j["title"], j["judges"], j["entries"], j["assignments"], *(j[s] for s in ASSIGNMENT_STATUSES),
                  j["done_share"]] for j in data["judging"]])
    scores = data["scores"]
    return [_l("Score"), _l("Entries")], [[i["label"], i["count"]] for i in (scores or {}).get("items", [])]


__all__ = ["ESSAY_TABLES", "QUIZ_TABLES", "cached_figures", "chart_units", "essay_figures", "figures", "jsonable",
           "pick_round", "quiz_figures", "quiz_rounds", "score_bands", "table", "tables_of"]
