"""Demo quiz contest: "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026" with weekly rounds around today —
one closed last week (with results), one open now (prediction and a live leaderboard), one upcoming.

seed_quiz_demo() is idempotent: once the contest exists it adds nothing. It loads the demo questions first
(contest.quiz.demo_questions) when that module is there, and the demo accounts are expected to exist already.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from contest.accounts.models import User, UserRole
from contest.contests.models import Contest
from contest.core import clock
from contest.extensions import db
from contest.quiz import attempts, scoring
from contest.quiz.models import Attempt, AttemptAnswer, QuestionVersion, Round
from contest.quiz.rounds import approved_counts

SLUG = "tim-hieu-tu-tuong-dao-duc-phong-cach-ho-chi-minh-2026"
TITLE = "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026"
DESCRIPTION = """Cuộc thi trực tuyến hằng tuần dành cho cán bộ, đảng viên, đoàn viên và nhân dân Thủ đô, góp phần thực \
hiện Chỉ thị 05-CT/TW ngày 15/5/2016 và Kết luận 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về đẩy mạnh học tập và làm \
theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.

Mỗi tuần một đợt thi gồm 10 câu hỏi trắc nghiệm, làm trong 10 phút. Mỗi người dự thi một lần mỗi đợt. Câu trả lời được \
lưu ngay khi chọn; nếu mất kết nối, hãy mở lại trang để làm tiếp với thời gian còn lại.

Xếp hạng: nhiều câu đúng hơn xếp trước; bằng nhau thì dự đoán gần đúng hơn số người trả lời đúng tất cả các câu xếp \
trước; sau đó là thời điểm nộp bài sớm hơn. Mỗi đợt trao 1 giải Nhất, 1 giải Nhì, 2 giải Ba và 3 giải Khuyến khích."""
DEMO_MEMBER = "thisinh@example.com"  # left free to take the open round in the demo
# Per topic of the demo bank, how many of the 10 questions each attempt draws (when the bank has them).
QUOTAS = {"Cuộc đời và sự nghiệp": 3, "Tư tưởng Hồ Chí Minh": 2, "Đạo đức Hồ Chí Minh": 2,
          "Phong cách Hồ Chí Minh": 1, "Chỉ thị 05-CT/TW và Kết luận 01-KL/TW": 1,
          "Học tập và làm theo Bác ở Hà Nội": 1}
QUESTIONS = 10
TIME_LIMIT = 600


def _load_questions() -> int:
    try:
        from contest.quiz.demo_questions import seed_questions
    except ImportError:
        return 0
    organiser = db.session.scalar(select(User).join(UserRole).where(UserRole.role == "organiser").limit(1))
    return seed_questions(organiser)


def _morning(now: datetime, days: int) -> datetime:
    """08:00 in Hà Nội, `days` from today, in UTC."""
    local = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(days=days)
    return local.replace(hour=8, minute=0, second=0, microsecond=0).astimezone(UTC)


def _quotas() -> dict[str, int] | None:
    from contest.quiz.rounds import topic_key

    have = {key: n for key, (_topic, n) in approved_counts().items()}
    if all(have.get(topic_key(topic), 0) >= n for topic, n in QUOTAS.items()):
        return dict(QUOTAS)
    return None


def _members(exclude: str | None = None) -> list[User]:
    stmt = (select(User).join(UserRole).where(UserRole.role == "member", User.active.is_(True))
            .order_by(User.id))
    return [u for u in db.session.scalars(stmt) if u.email != exclude]


def _take(round_: Round, user: User, rng: random.Random, started_at: datetime, skill: float) -> Attempt:
    """A finished attempt as a member would leave it: answers saved, then submitted a few minutes later."""
    questions = attempts.draw_questions(round_, rng)
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=1, unit_id=user.unit_id, status="in_progress",
                      started_at=started_at, deadline_at=started_at + timedelta(seconds=round_.time_limit_seconds),
                      total=len(questions), questions=questions)
    db.session.add(attempt)
    db.session.flush()
    options = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.options).where(
        QuestionVersion.id.in_([q["v"] for q in questions]))).all())
    for position, q in enumerate(questions, start=1):
        right = scoring.correct_keys(options[q["v"]])
        wrong = [k for k in q["o"] if k not in right] or list(right)
        chosen = right if rng.random() < skill else rng.choice(wrong)
        db.session.add(AttemptAnswer(attempt_id=attempt.id, position=position, choices=chosen,
                                     saved_at=started_at + timedelta(seconds=20 * position)))
    db.session.flush()
    submitted_at = started_at + timedelta(seconds=rng.randint(150, round_.time_limit_seconds - 30))
    prediction = rng.randint(0, 12) if round_.prediction else None
    attempts.finalise_attempts([attempt], submitted_at, submitted={attempt.id: prediction})
    return attempt


def seed_quiz_demo(now: datetime | None = None) -> int:
    """Add the demo quiz contest with its three rounds and some finished attempts; returns rows created."""
    now = now or clock.utcnow()
    created = _load_questions()
    if db.session.scalar(select(Contest.id).where(Contest.slug == SLUG)) is not None:
        return created
    organiser = db.session.scalar(select(User).where(User.email == "tochuc@example.com"))
    contest = Contest(slug=SLUG, kind="quiz", title=TITLE, description=DESCRIPTION, status="announced",
                      opens_at=_morning(now, -9), closes_at=_morning(now, 60),
                      created_by_id=organiser.id if organiser else None)
    db.session.add(contest)
    db.session.flush()
    created += 1
    available = sum(n for _topic, n in approved_counts().values())
    count = min(QUESTIONS, available)
    if count == 0:
        return created  # no approved questions: the rounds could draw nothing
    quotas = _quotas() if count == QUESTIONS else None
    common = {"contest_id": contest.id, "time_limit_seconds": TIME_LIMIT, "question_count": count,
              "topic_quotas": quotas, "max_attempts": 1, "prediction": True, "review_policy": "after_close",
              # Prizes for a dozen demo members, so that not everyone wins one.
              "prizes": {"first": 1, "second": 1, "third": 2, "consolation": 3}}
    closed = Round(title="Tuần 1", opens_at=_morning(now, -9), closes_at=_morning(now, -2), **common)
    open_ = Round(title="Tuần 2", opens_at=_morning(now, -2), closes_at=_morning(now, 5), live_leaderboard=True,
                  **common)
    upcoming = Round(title="Tuần 3", opens_at=_morning(now, 5), closes_at=_morning(now, 12), live_leaderboard=True,
                     **common)
    db.session.add_all([closed, open_, upcoming])
    db.session.flush()
    created += 3

    rng = random.Random(2026)
    everyone = _members()
    for user in everyone:
        start = closed.opens_at + timedelta(hours=rng.randint(1, 150), minutes=rng.randint(0, 59))
        skill = rng.uniform(0.55, 0.95)
        # The demo member did well last week, so "My results" shows a prize and its certificate.
        _take(closed, user, rng, start, skill=0.99 if user.email == DEMO_MEMBER else skill)
        created += 1
    so_far = max(now - open_.opens_at, timedelta(hours=1))
    for user in _members(exclude=DEMO_MEMBER)[::2]:
        start = open_.opens_at + timedelta(seconds=rng.randint(600, int(so_far.total_seconds())))
        if start + timedelta(seconds=TIME_LIMIT) < now:
            _take(open_, user, rng, start, skill=rng.uniform(0.55, 0.95))
            created += 1
    db.session.flush()
    # Last week's round is ranked and published, so the public pages have results to show.
    from contest.quiz.leaderboard import finalise_round, publish_round

    finalise_round(closed, now=now)
    publish_round(closed, actor=organiser, now=now)
    return created


__all__ = ["SLUG", "seed_quiz_demo"]
