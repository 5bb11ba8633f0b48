"""The demo results: the demo quiz contest's closed round has its proposal confirmed as awards and the contest's
results published with certificates; the public results answer; loading the demo twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from contest import demo
from contest.contests.models import Contest
from contest.extensions import db
from contest.quiz import leaderboard as lb
from contest.quiz.demo import SLUG
from contest.quiz.models import Round
from contest.results import services
from contest.results.demo import seed_results_demo
from contest.results.models import Award, Certificate, Publication


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Award, Publication, Certificate))


def test_the_demo_results(app, client):
    demo.seed()
    db.session.commit()
    contest = db.session.scalar(select(Contest).where(Contest.slug == SLUG))
    awards = services.awards_of(contest)
    assert awards and awards[0].tier == "first" and all(a.round_id is not None for a in awards)
    proposal = services.proposal(contest)
    assert [(a.tier, a.user_id) for a in awards] == [(i["tier"], i["user_id"]) for i in proposal["items"]]
    results = services.published_results(contest)
    assert len(results["awards"]) == len(awards) and all(a["certificate_code"] for a in results["awards"])
    assert services.awards_changed_since_publication(contest) is False
    # The round was published again after the awards: its snapshot names the winners, and nothing is pending.
    round_ = db.session.get(Round, awards[0].round_id)
    assert lb.publication_status(round_)["changed"] is False
    snapshot = lb.current_publication(round_).snapshot
    assert [(a["tier"], a["user_id"]) for a in snapshot["awards"]] == [(a.tier, a.user_id) for a in awards]
    assert len(awards) < snapshot["participants"]  # not everyone wins a prize
    resp = client.get(f"/api/v1/contests/{SLUG}/results")
    assert resp.status_code == 200 and len(resp.json["awards"]) == len(awards)
    # Names masked as the demo's settings say ("Nguyễn V. A."): never a full name on the public answer.
    assert all(a["name"].endswith(".") for a in resp.json["awards"])

    before = _counts()
    assert seed_results_demo() == 0
    demo.seed()
    db.session.commit()
    assert _counts() == before
