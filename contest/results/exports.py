"""A contest's results and people as spreadsheets for organisers (GET /contests/{slug}/export): CSV (UTF-8 with a
byte order mark, streamed) or XLSX (write-only), written by contest.results.spreadsheets.

Quiz contests: `participants`, `rankings` (per round: the final rank once the round is finalised, else the live
order) and `attempts`. Writing contests: `entries` (contest.essays.exports), `scores`, `rankings` (per judging
round, contest.judging.results) and `participants` (writers and co-authors). Both: `awards` (the current awards
with their holders, certificate codes and when they were published). Every export holds personal data, so
each is recorded in the audit log ("results.export" with what, format and rows) before the file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import audit
from contest.core.errors import BadRequest, Invalid, NotFound
from contest.essays import exports as entry_exports
from contest.essays.models import Coauthor, Entry
from contest.extensions import db
from contest.judging import results as judging_results
from contest.judging.models import Assignment, JudgingRound
from contest.judging.scoring import STATUS_LABELS as SCORE_STATUS
from contest.quiz import leaderboard
from contest.quiz.models import Attempt, FinalRank, Round, Standing
from contest.results import services, spreadsheets
from contest.units.models import Unit

WHAT = {"quiz": ("participants", "rankings", "attempts", "awards"),
        "essay": ("entries", "scores", "rankings", "participants", "awards")}
ALL_WHAT = ("participants", "rankings", "attempts", "entries", "scores", "awards")
WHAT_LABELS = {"participants": _l("Participants"), "rankings": _l("Rankings"), "attempts": _l("Attempts"),
               "entries": _l("Entries"), "scores": _l("Scores"), "awards": _l("Awards")}
FORMATS = spreadsheets.FORMATS
MIMETYPES = spreadsheets.MIMETYPES
BATCH = 2000  # rows fetched from the database at a time


@dataclass
class Export:
    """What the view answers with: the header, the rows (an iterator: read once), how many, and names."""

    what: str
    fmt: str
    header: list[str]
    rows: Iterable[Sequence[Any]]
    count: int
    sheet: str
    filename: str

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.fmt]

    def chunks(self) -> Iterator[bytes]:
        """The file as byte chunks: CSV streamed row by row, XLSX written at once (write-only mode)."""
        if self.fmt == "csv":
            return spreadsheets.csv_chunks(self.header, self.rows, batch=500)
        return iter([spreadsheets.to_xlsx(self.sheet, self.header, self.rows)])


def _choices(kind: str) -> str:
    return ", ".join(WHAT[kind])


def check_request(contest: Contest, what: str | None, fmt: str | None) -> tuple[str, str]:
    """(what, format), or 400 for an unknown value (the message lists the choices), 422 `not_applicable` for a
    `what` of the other kind of contest."""
    fmt = fmt or "xlsx"
    if fmt not in FORMATS:
        msg = _l("Choose the format: csv or xlsx.")
        raise BadRequest(msg, fields={"format": [msg]})
    if what not in ALL_WHAT:
        msg = _l("Choose what to export: %(choices)s.", choices=_choices(contest.kind))
        raise BadRequest(msg, fields={"what": [msg]})
    if what not in WHAT[contest.kind]:
        msg = _l("This contest has nothing of that kind to export; choose one of: %(choices)s.",
                 choices=_choices(contest.kind))
        raise Invalid(msg, code="not_applicable", fields={"what": [msg]})
    return what, fmt


def _aware(value):
    return spreadsheets.local(value, naive=False)


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else round(ms / 1000, 3)


def _yes(value: bool) -> str:
    return str(_l("Yes")) if value else ""


def _stream(stmt) -> Iterator:
    return iter(db.session.execute(stmt.execution_options(yield_per=BATCH)))


def _only(rounds: list, round_id: int | None) -> list:
    """The contest's rounds, or only the one asked for (404 when it is not the contest's)."""
    if round_id is None:
        return rounds
    chosen = [r for r in rounds if r.id == round_id]
    if not chosen:
        raise NotFound(_l("No such round in this contest."))
    return chosen


# --- quiz contests -----------------------------------------------------------------------------------------

def _quiz_rounds(contest: Contest, round_id: int | None) -> list[Round]:
    return _only(list(db.session.scalars(select(Round).where(Round.contest_id == contest.id)
                                         .order_by(Round.opens_at, Round.id))), round_id)


def _quiz_participants(contest: Contest, round_id: int | None):
    header = [_l("Name"), _l("Email"), _l("Unit"), _l("Rounds taken"), _l("Attempts"),
              _l("First started at (Hà Nội time)")]
    rounds = [r.id for r in _quiz_rounds(contest, round_id)]
    per_user = (select(Attempt.user_id, func.count(distinct(Attempt.round_id)).label("rounds"),
                       func.count().label("attempts"), func.min(Attempt.started_at).label("first"))
                .where(Attempt.round_id.in_(rounds)).group_by(Attempt.user_id).subquery())
    count = db.session.scalar(select(func.count()).select_from(per_user)) or 0 if rounds else 0
    stmt = (select(User.full_name, User.email, Unit.name, per_user.c.rounds, per_user.c.attempts, per_user.c.first)
            .select_from(per_user.join(User, User.id == per_user.c.user_id).outerjoin(Unit, Unit.id == User.unit_id))
            .order_by(User.search_name, User.id))

    def rows():
        if not rounds:
            return
        for name, email, unit, taken, attempts, first in _stream(stmt):
            yield [name, email, unit or "", taken, attempts, _aware(first)]
    return header, rows(), count


def _round_rankings(round_: Round) -> Iterator[list]:
    final = leaderboard.is_final(round_)
    columns = (Standing.user_id, Standing.correct, Standing.total, Standing.missed, Standing.prediction,
               Standing.submitted_at, Standing.started_at, Standing.duration_ms, User.full_name, User.email,
               Unit.name.label("unit_name"))
    stmt = (select(*columns, FinalRank.rank, FinalRank.prediction_error)
            .select_from(Standing).join(User, User.id == Standing.user_id)
            .outerjoin(Unit, Unit.id == Standing.unit_id)
            .outerjoin(FinalRank, (FinalRank.round_id == Standing.round_id) & (FinalRank.user_id == Standing.user_id))
            .where(Standing.round_id == round_.id))
    if final:
        stmt = stmt.order_by(FinalRank.rank, Standing.user_id)
    else:
        stmt = stmt.order_by(*(getattr(Standing, name) for name in leaderboard._live_order(round_)))
    previous = None
    rank = 0
    for index, row in enumerate(_stream(stmt)):
        if final:
            rank = row.rank
        else:
            key = leaderboard._live_key(row, round_)
            if key != previous:
                rank = index + 1
            previous = key
        yield [round_.title, rank, _yes(final), row.full_name, row.email, row.unit_name or "", row.correct,
               row.total, row.prediction, row.prediction_error if final else None, _aware(row.submitted_at),
               _seconds(row.duration_ms)]


def _quiz_rankings(contest: Contest, round_id: int | None):
    header = [_l("Round"), _l("Rank"), _l("Final ranking"), _l("Name"), _l("Email"), _l("Unit"), _l("Correct"),
              _l("Questions"), _l("Prediction"), _l("Prediction error"), _l("Submitted at (Hà Nội time)"),
              _l("Duration (seconds)")]
    rounds = _quiz_rounds(contest, round_id)
    count = db.session.scalar(select(func.count()).select_from(Standing)
                              .where(Standing.round_id.in_([r.id for r in rounds]))) or 0 if rounds else 0

    def rows():
        for round_ in rounds:
            yield from _round_rankings(round_)
    return header, rows(), count


def _quiz_attempts(contest: Contest, round_id: int | None):
    header = [_l("Round"), _l("Name"), _l("Email"), _l("Unit"), _l("Attempt"), _l("Status"),
              _l("Started at (Hà Nội time)"), _l("Submitted at (Hà Nội time)"), _l("Correct"), _l("Questions"),
              _l("Duration (seconds)")]
    rounds = _quiz_rounds(contest, round_id)
    ids = [r.id for r in rounds]
    count = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.round_id.in_(ids))) or 0 \
        if ids else 0
    stmt = (select(Round.title, User.full_name, User.email, Unit.name, Attempt.number, Attempt.status,
                   Attempt.started_at, Attempt.submitted_at, Attempt.correct, Attempt.total, Attempt.duration_ms)
            .select_from(Attempt).join(Round, Round.id == Attempt.round_id).join(User, User.id == Attempt.user_id)
            .outerjoin(Unit, Unit.id == Attempt.unit_id).where(Attempt.round_id.in_(ids))
            .order_by(Round.opens_at, Round.id, Attempt.started_at, Attempt.id))

    def rows():
        if not ids:
            return
        for title, name, email, unit, number, status, started, submitted, correct, total, ms in _stream(stmt):
            yield [title, name, email, unit or "", number, status, _aware(started), _aware(submitted), correct,
                   total, _seconds(ms)]
    return header, rows(), count


# --- writing contests --------------------------------------------------------------------------------------

def _judging_rounds(contest: Contest, round_id: int | None) -> list[JudgingRound]:
    rounds = _only(list(db.session.scalars(select(JudgingRound).where(JudgingRound.contest_id == contest.id)
                                           .order_by(JudgingRound.opens_at, JudgingRound.id))), round_id)
    if not rounds:
        raise Invalid(_l("This writing contest has no judging round yet: there are no scores or rankings to "
                         "export."), code="no_judging_round")
    return rounds


def _entries(contest: Contest, _round_id: int | None):
    rows = entry_exports.entry_rows(contest)
    header = [str(label) for _key, label in entry_exports.COLUMNS]
    return header, ([row[key] for key, _label in entry_exports.COLUMNS] for row in rows), len(rows)


def _essay_scores(contest: Contest, round_id: int | None):
    rounds = _judging_rounds(contest, round_id)
    criteria: list[str] = []
    for round_ in rounds:
        criteria += [c.name for c in round_.criteria if c.name not in criteria]
    header = [_l("Round"), _l("Entry code"), _l("Judge"), *criteria, _l("Total"), _l("Status"),
              _l("Submitted at (Hà Nội time)")]
    rows = []
    for round_ in rounds:
        totals = judging_results.submitted_totals(round_)
        assignments = db.session.scalars(
            select(Assignment).where(Assignment.round_id == round_.id).join(Entry, Entry.id == Assignment.entry_id)
            .join(User, User.id == Assignment.judge_id).order_by(Entry.code, User.search_name, Assignment.id))
        names = {c.id: c.name for c in round_.criteria}
        for a in assignments:
            values = {names[s.criterion_id]: s.value for s in a.scores if s.criterion_id in names}
            rows.append([round_.title, a.entry.code or "", a.judge.full_name, *(values.get(n) for n in criteria),
                         totals.get(a.entry_id, {}).get(a.judge_id), str(SCORE_STATUS.get(a.status, a.status)),
                         _aware(a.submitted_at)])
    return header, rows, len(rows)


def _essay_rankings(contest: Contest, round_id: int | None):
    header = [_l("Round"), _l("Rank"), _l("Entry code"), _l("Title"), _l("Author"), _l("Email"), _l("Unit"),
              _l("Score"), _l("Spread"), _l("Judges' scores differ widely")]
    rows = []
    for round_ in _judging_rounds(contest, round_id):
        items = judging_results.results(round_)["items"]
        entries = {e.id: e for e in db.session.scalars(select(Entry).where(
            Entry.id.in_([i["entry_id"] for i in items])))} if items else {}
        for item in items:
            entry = entries[item["entry_id"]]
            rows.append([round_.title, item["rank"], item["entry_code"] or "", item["title"], entry.author.full_name,
                         entry.author.email, entry.unit.name if entry.unit else "", item["score"], item["spread"],
                         _yes(item["flagged"])])
    return header, rows, len(rows)


def _essay_participants(contest: Contest, _round_id: int | None):
    header = [_l("Role"), _l("Name"), _l("Email"), _l("Unit"), _l("Entry code"), _l("Title"),
              _l("Submitted at (Hà Nội time)")]
    entries = db.session.scalars(select(Entry).where(Entry.contest_id == contest.id, Entry.status != "draft")
                                 .order_by(Entry.code, Entry.id))
    rows = []
    for entry in entries:
        rows.append([str(_l("Author")), entry.author.full_name, entry.author.email,
                     entry.unit.name if entry.unit else "", entry.code or "", entry.title, _aware(entry.submitted_at)])
        coauthors: list[Coauthor] = list(entry.coauthors)
        for c in coauthors:
            rows.append([str(_l("Co-author")), c.full_name, c.email, c.unit.name if c.unit else "",
                         entry.code or "", entry.title, _aware(entry.submitted_at)])
    return header, rows, len(rows)


# --- awards (both kinds) -----------------------------------------------------------------------------------

def _awards(contest: Contest, _round_id: int | None):
    """One row per award, as it is now (not as published): tier, label, holder, emails, unit, entry or round,
    certificate codes, and when it was published (empty for an award not in the publication in force)."""
    header = [_l("Tier"), _l("Label"), _l("Holder"), _l("Email"), _l("Unit"), _l("Entry code"),
              _l("Title or round"), _l("Certificate codes"), _l("Published at (Hà Nội time)")]
    awards = services.awards_of(contest)
    items = services.award_items(awards)
    publication = services.current_publication(contest.id)
    published = {i["id"] for i in publication.snapshot.get("awards", [])} if publication is not None else set()
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(
        Entry.id.in_([a.entry_id for a in awards if a.entry_id is not None])))}
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([a.user_id for a in awards if a.user_id is not None])))}
    rows = []
    for award, item in zip(awards, items, strict=True):
        if award.entry_id is not None:
            entry = entries[award.entry_id]
            emails = [entry.author.email, *(c.email for c in entry.coauthors if c.email)]
        elif award.user_id is not None:
            emails = [users[award.user_id].email]
        else:
            emails = []
        title = item["title"] if award.entry_id is not None or award.user_id is not None else \
            item["round_title"] or ""
        rows.append([str(services.TIER_LABELS[award.tier]), item["label"], item["name"], ", ".join(emails),
                     item["unit"], item["entry_code"] or "", title, ", ".join(item["certificate_codes"]),
                     _aware(publication.published_at) if award.id in published else None])
    return header, rows, len(rows)


_BUILDERS: dict[tuple[str, str], Callable] = {
    ("quiz", "participants"): _quiz_participants, ("quiz", "rankings"): _quiz_rankings,
    ("quiz", "attempts"): _quiz_attempts, ("essay", "entries"): _entries, ("essay", "scores"): _essay_scores,
    ("essay", "rankings"): _essay_rankings, ("essay", "participants"): _essay_participants,
    ("quiz", "awards"): _awards, ("essay", "awards"): _awards,
}
_SHEETS = {"participants": _l("Participants"), "rankings": _l("Rankings"), "attempts": _l("Attempts"),
           "entries": _l("Entries"), "scores": _l("Scores"), "awards": _l("Awards")}


def export(contest: Contest, what: str | None, fmt: str | None, actor=None, round_id: int | None = None) -> Export:
    """The export of `what` in `fmt` (checked by check_request; `round_id` narrows a quiz or judging round, 404 when
    the round is not this contest's). Records "results.export" in the audit log and flushes: commit before
    sending the file."""
    what, fmt = check_request(contest, what, fmt)
    header, rows, count = _BUILDERS[(contest.kind, what)](contest, round_id)
    audit.record("results.export", actor=actor, target_type="contest", target_id=contest.id, what=what,
                 format=fmt, rows=count, **({"round_id": round_id} if round_id is not None else {}))
    db.session.flush()
    return Export(what=what, fmt=fmt, header=[str(h) for h in header], rows=rows, count=count,
                  sheet=str(_SHEETS[what]), filename=f"{contest.slug}-{what}.{fmt}")


__all__ = ["ALL_WHAT", "FORMATS", "WHAT", "Export", "check_request", "export"]
