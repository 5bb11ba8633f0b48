"""Demo results: the demo quiz contest's closed round (finalised and published by contest.quiz.demo) has its prize
proposal confirmed as the contest's awards; the round is published again (its snapshot then names the winners) and
the contest's results are published, with their certificates.

seed_results_demo() is idempotent: once the contest has awards or a publication it adds nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.core import clock
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.demo import SLUG as QUIZ_SLUG
from contest.quiz.models import Round
from contest.quiz.rounds import round_state
from contest.results import services
from contest.results.models import Award, Publication

SETTINGS = {"signer_title": "TM. BAN TỔ CHỨC", "signer_name": "Trần Văn Minh", "place": "Hà Nội",
            "organisation": "Ban Tổ chức Cuộc thi tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "name_masking": "partial", "participation_certificates": True}


def seed_results_demo(now: datetime | None = None) -> int:
    """Confirm the demo quiz contest's proposal as its awards and publish them; returns rows created."""
    now = now or clock.utcnow()
    contest = db.session.scalar(select(Contest).where(Contest.slug == QUIZ_SLUG))
    if contest is None:
        return 0
    if db.session.scalar(select(Award.id).where(Award.contest_id == contest.id).limit(1)) is not None or \
            db.session.scalar(select(Publication.id).where(Publication.contest_id == contest.id,
                                                           Publication.round_id.is_(None)).limit(1)) is not None:
        return 0
    organiser = db.session.scalar(select(User).where(User.email == "tochuc@example.com"))
    closed = [r for r in db.session.scalars(select(Round).where(Round.contest_id == contest.id)
                                            .order_by(Round.opens_at, Round.id))
              if round_state(r, now) == "closed"]
    if not closed:
        return 0
    for round_ in closed:
        if round_.published_at is None:
            lb.publish_round(round_, actor=organiser, now=now)  # finalises it on the way
    services.update_settings(contest, SETTINGS, organiser)
    awards = services.set_awards(contest, services.proposal_items(services.proposal(contest, now)), organiser)
    created = 1 + len(awards)
    if awards:
        # The rounds again, so that their snapshots carry the winners just confirmed (a re-publication).
        for round_ in closed:
            lb.publish_round(round_, actor=organiser, now=now)
        services.publish_contest(contest, organiser, now=now)
        created += 1 + len(closed)
    return created


__all__ = ["seed_results_demo"]
