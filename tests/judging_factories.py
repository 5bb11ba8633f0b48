"""Factory helpers for judging: a closed writing contest with submitted entries from writers in several units (one
collective entry with a co-author who has an account), a panel of judges, rounds, and scores.

Times: submissions closed at T0 - 1 hour; a round made here opens at T0 and closes at T0 + 7 days, so tests hold the
clock (the `clock` fixture) inside it unless they test the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from contest.accounts.models import User
from contest.contests.models import Contest
from contest.essays.models import Entry
from contest.extensions import db
from contest.judging import rounds, scoring
from contest.judging.models import Assignment, JudgingRound
from contest.units.models import Unit
from tests import factories
from tests.essay_factories import gen_entry, gen_essay_contest, words
from tests.quiz_factories import T0

ROUND_OPENS = T0
ROUND_CLOSES = T0 + timedelta(days=7)

# Content 40, creativity 20, form 10, impact 30: a 100-point scale.
RUBRIC = [{"name": "Nội dung", "max_score": 10, "weight": 40},
          {"name": "Sáng tạo", "max_score": 10, "weight": 20},
          {"name": "Hình thức", "max_score": 5, "weight": 10},
          {"name": "Sức lan tỏa", "max_score": 10, "weight": 30}]

UNIT_NAMES = ["Phường Hoàn Kiếm", "Xã Sóc Sơn", "Phường Cầu Giấy"]
WRITER_NAMES = ["Hoàng Thị Mai Lan", "Đỗ Quang Vinh", "Bùi Thanh Tùng", "Phan Ngọc Hân", "Lý Minh Khôi",
                "Tạ Thu Trang", "Mạc Văn Hiếu", "Kiều Bảo Ngọc", "Dương Gia Huy", "Lại Thảo Vy"]
JUDGE_NAMES = ["Trần Thị Bình", "Ngô Đức Thắng", "Vương Hải Yến", "Chu Văn Sơn", "Lưu Thị Hoa", "Tống Phúc An"]
COAUTHOR_NAME = "Vũ Thị Hạnh Dung"


@dataclass
class World:
    contest: Contest
    units: list[Unit]
    writers: list[User]
    entries: list[Entry]
    judges: list[User]
    coauthor: User
    organiser: User
    extra: dict[str, Any] = field(default_factory=dict)


def gen_world(entries: int = 6, judges: int = 4, *, judge_units: list[int | None] | None = None) -> World:
    """A writing contest closed at T0 - 1 hour with `entries` submitted entries (writer i in unit i % 3; entry 0
    is collective, with an account-holding co-author in unit 1), one draft and one withdrawn entry that judging
    never sees, and `judges` judges: judge j in unit judge_units[j] (an index into the three units) or a unit of
    their own (None; the default for all but judge 0, who is in unit 0)."""
    units = [factories.gen_unit(name) for name in UNIT_NAMES]
    contest = gen_essay_contest(opens_at=T0 - timedelta(days=30), closes_at=T0 - timedelta(hours=1),
                                allow_collective=True)
    writers = [factories.gen_user(email=f"writer{i}@example.com", full_name=WRITER_NAMES[i % len(WRITER_NAMES)],
                                  unit=units[i % 3]) for i in range(entries)]
    coauthor = factories.gen_user(email="coauthor@example.com", full_name=COAUTHOR_NAME, unit=units[1])
    made = []
    for i, writer in enumerate(writers):
        coauthors = [{"full_name": COAUTHOR_NAME, "email": coauthor.email, "unit_id": units[1].id,
                      "user_id": coauthor.id}] if i == 0 else None
        made.append(gen_entry(contest, writer, status="submitted", versions=2, coauthors=coauthors,
                              subject_name="Nguyễn Văn Lâm", subject_unit="Tổ dân phố số 5",
                              body_html=words(120, seed=1000 + i), submitted_at=T0 - timedelta(days=2)))
    gen_entry(contest, writers[0], status="draft")
    gen_entry(contest, writers[-1], status="withdrawn")
    placement = judge_units if judge_units is not None else [0] + [None] * (judges - 1)
    panel = []
    for j in range(judges):
        where = placement[j] if j < len(placement) else None
        panel.append(factories.gen_user(email=f"judge{j}@example.com", full_name=JUDGE_NAMES[j % len(JUDGE_NAMES)],
                                        roles=["judge"], unit=units[where] if where is not None else None))
    organiser = factories.gen_user(email="organiser@example.com", full_name="Lê Minh Châu", roles=["organiser"])
    return World(contest, units, writers, made, panel, coauthor, organiser)


def round_data(**fields) -> dict[str, Any]:
    return {"title": "Vòng sơ khảo", "stage": "preliminary", "judges_per_entry": 2, "criteria": RUBRIC,
            "opens_at": ROUND_OPENS.isoformat(), "closes_at": ROUND_CLOSES.isoformat(), "aggregation": "mean",
            "source": "submitted", **fields}


def gen_round(world: World, judges: list[User] | None = None, *, assign: bool = False, **fields) -> JudgingRound:
    """A round of the world's contest (round_data with `fields`), its panel (all the world's judges unless
    given), assigned when `assign`."""
    round_ = rounds.create_round(world.contest, round_data(**fields), world.organiser)
    rounds.set_judges(round_, [j.id for j in (world.judges if judges is None else judges)], world.organiser)
    if assign:
        rounds.assign(round_, world.organiser, now=ROUND_OPENS)
    db.session.commit()
    return round_


def assignments(round_: JudgingRound, judge: User | None = None) -> list[Assignment]:
    return rounds.assignments_of(round_, judge_id=judge.id if judge is not None else None)


def full_scores(round_: JudgingRound, fraction: float = 0.8) -> dict[str, float]:
    """Every criterion scored at `fraction` of its maximum: a total of fraction × 100."""
    return {str(c.id): c.max_score * fraction for c in round_.criteria}


def score(row: Assignment, fraction: float = 0.8, *, submit: bool = True, now=None) -> Assignment:
    """Score every criterion of an assignment (as its judge) and submit, committed."""
    judge = db.session.get(User, row.judge_id)
    scoring.save_scores(row, judge, full_scores(row.round, fraction), submit=submit,
                        now=now or ROUND_OPENS + timedelta(hours=1))
    db.session.commit()
    return row
