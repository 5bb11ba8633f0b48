"""A member's own results, as the "My results" page and GET /api/v1/me/results show them: their quiz rounds (with
their rank when they may see it), their entries, their awards from published results, and their certificates.

Nothing here is about anyone else: every query starts from the member.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from contest.contests.models import Contest
from contest.core import clock
from contest.core.errors import NotFound
from contest.essays.models import Coauthor, Entry
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.models import Round, Standing
from contest.results import issuing
from contest.results.models import Certificate, Publication, PublishedRank


def _round_row(round_: Round, contest: Contest, standing: Standing, user, now: datetime) -> dict[str, Any]:
    published = db.session.get(PublishedRank, (round_.id, user.id)) if round_.published_at is not None else None
    row: dict[str, Any] = {
        "round": round_, "contest": contest, "round_id": round_.id, "round_title": round_.title,
        "contest_slug": contest.slug, "contest_title": contest.title,
        "correct": standing.correct, "total": standing.total, "duration_ms": standing.duration_ms,
        "submitted_at": standing.submitted_at, "rank": None, "participants": None, "rank_kind": None,
        "published": round_.published_at is not None, "participation": None, "participation_offered": False}
    if published is not None:
        # What was published, frozen: the rank among the published results.
        row.update(rank=published.rank, correct=published.correct, total=published.total,
                   duration_ms=published.duration_ms, rank_kind="published",
                   participants=db.session.scalar(select(func.count()).select_from(PublishedRank)
                                                  .where(PublishedRank.round_id == round_.id)))
    elif lb.members_may_see(round_, now):
        try:
            lb.check_my_rank_access(round_, user, now)
            mine = lb.my_rank(round_, user, now)
        except NotFound:
            mine = None
        if mine is not None:
            row.update(rank=mine["rank"], participants=mine["participants"],
                       rank_kind="final" if mine["final"] else "live")
    if published is not None and contest.kind == "quiz" and issuing.participation_offered(round_):
        row["participation_offered"] = True
        row["participation"] = issuing.participation_certificate(round_, user)
    return row


def quiz_rounds(user, now: datetime | None = None) -> list[dict[str, Any]]:
    """The rounds the member has a counted attempt in, the latest first."""
    now = now or clock.utcnow()
    rows = db.session.execute(
        select(Standing, Round, Contest).join(Round, Round.id == Standing.round_id)
        .join(Contest, Contest.id == Round.contest_id)
        .where(Standing.user_id == user.id, Contest.status != "draft")
        .order_by(Round.closes_at.desc(), Round.id.desc())).all()
    return [_round_row(round_, contest, standing, user, now) for standing, round_, contest in rows]


def entries(user) -> list[dict[str, Any]]:
    """The member's entries (as author or co-author with an account), drafts included, the latest first."""
    coauthored = select(Coauthor.entry_id).where(Coauthor.user_id == user.id)
    rows = db.session.execute(
        select(Entry, Contest).join(Contest, Contest.id == Entry.contest_id)
        .where(or_(Entry.author_id == user.id, Entry.id.in_(coauthored)))
        .order_by(Entry.created_at.desc(), Entry.id.desc())).all()
    return [{"entry": entry, "entry_id": entry.id, "contest": contest, "contest_slug": contest.slug,
             "contest_title": contest.title, "code": entry.code, "title": entry.title, "status": entry.status,
             "author": entry.author_id == user.id} for entry, contest in rows]


def awards(user) -> list[dict[str, Any]]:
    """The member's awards in results published now (from each publication's frozen snapshot)."""
    out = []
    rows = db.session.execute(
        select(Publication, Contest).join(Contest, Contest.id == Publication.contest_id)
        .where(Publication.round_id.is_(None), Publication.ended_at.is_(None), Contest.status != "draft")
        .order_by(Publication.published_at.desc(), Publication.id.desc())).all()
    for publication, contest in rows:
        for item in (publication.snapshot or {}).get("awards", []):
            if user.id not in (item.get("user_ids") or []):
                continue
            code = db.session.scalar(select(Certificate.code).where(
                Certificate.award_id == item.get("id"), Certificate.user_id == user.id,
                Certificate.revoked_at.is_(None)).order_by(Certificate.id.desc()).limit(1))
            out.append({"contest": contest, "contest_slug": contest.slug, "contest_title": contest.title,
                        "tier": item.get("tier"), "label": item.get("label") or "", "title": item.get("title") or "",
                        "entry_code": item.get("entry_code"), "round_title": item.get("round_title"),
                        "certificate_code": code, "published_at": publication.published_at})
    return out


def certificates(user) -> list[Certificate]:
    """The member's certificates anyone may verify now (revoked ones too, marked)."""
    return [c for c in issuing.certificates_of_user(user) if issuing.certificate_is_public(c)]


def member_results(user, now: datetime | None = None) -> dict[str, Any]:
    return {"rounds": quiz_rounds(user, now), "entries": entries(user), "awards": awards(user),
            "certificates": certificates(user)}
