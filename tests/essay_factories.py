"""Factory helpers for writing contests: a contest with its settings and categories, entries in any state.

Entries are made as rows directly (version rows included), not through the services, so that tests of judging,
similarity or pages can have submitted entries without moving the clock; tests of the rules use the services.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from contest.contests.models import Contest
from contest.essays import wordcount
from contest.essays.models import Category, Coauthor, Entry, EntryVersion, EssaySettings
from contest.extensions import db
from tests import factories
from tests.quiz_factories import T0

_seq = itertools.count(1)



def words(n: int, seed: int = 0) -> str:
    """HTML paragraphs with exactly n words, different for each seed (so the similarity check finds nothing)."""
    vocabulary = [f"từ{seed}x{i}" for i in range(n)]
    return "<p>" + " ".join(vocabulary) + "</p>"


def gen_essay_contest(slug: str | None = None, *, opens_at: datetime | None = None,
                      closes_at: datetime | None = None, status: str = "announced", unit=None,
                      categories: int | list[dict] = 1, **settings) -> Contest:
    """A writing contest open from T0 - 1 day to T0 + 30 days by default, with its settings (code prefix VT26
    unless given) and `categories` categories (a number: "Hạng mục N" with 100..1,000 words; or dicts)."""
    n = next(_seq)
    contest = Contest(slug=slug or f"viet-ve-tam-guong-{n}", kind="essay", status=status,
                      title=f"Cuộc thi viết về tấm gương điển hình số {n}", description="Thể lệ cuộc thi viết.",
                      opens_at=opens_at or T0 - timedelta(days=1), closes_at=closes_at or T0 + timedelta(days=30),
                      unit_id=unit.id if unit is not None else None)
    db.session.add(contest)
    db.session.flush()
    values = {"theme": "Tấm gương điển hình quanh ta", "rules_html": "<p>Thể lệ.</p>", "code_prefix": "VT26",
              "max_entries_per_writer": None, "allow_collective": False,
              "pledge_text": "Tôi cam đoan đây là tác phẩm của tôi.", "similarity_min_words": 25, **settings}
    db.session.add(EssaySettings(contest_id=contest.id, **values))
    db.session.commit()
    specs = categories if isinstance(categories, list) else [{} for _ in range(categories)]
    for spec in specs:
        gen_category(contest, **spec)
    return contest


def gen_category(contest: Contest, name: str | None = None, min_words: int | None = 100,
                 max_words: int | None = 1000, **fields) -> Category:
    category = Category(contest_id=contest.id, name=name or f"Hạng mục {next(_seq)}", min_words=min_words,
                        max_words=max_words, description=fields.pop("description", ""),
                        position=fields.pop("position", next(_seq)), **fields)
    db.session.add(category)
    db.session.commit()
    return category


def gen_entry(contest: Contest | None = None, author=None, *, category: Category | None = None,
              status: str = "draft", title: str | None = None, body_html: str | None = None,
              subject_name: str = "Nguyễn Văn Lâm", subject_unit: str = "Tổ dân phố số 5, Phường Ba Đình",
              code: str | None = None, versions: int = 1, coauthors: list[dict] | None = None,
              submitted_at: datetime | None = None, **fields) -> Entry:
    """An entry with `versions` saved versions (the last one submitted unless status is draft). A non-draft entry
    gets a code (VT26-<6 digits> unless given)."""
    contest = contest or gen_essay_contest()
    author = author or factories.gen_user()
    category = category or db.session.query(Category).filter_by(contest_id=contest.id).order_by(Category.id).first()
    n = next(_seq)
    body = body_html if body_html is not None else words(150, seed=n)
    count = wordcount.count_words(body)
    when = submitted_at or T0
    entry = Entry(contest_id=contest.id, category_id=category.id, author_id=author.id, unit_id=author.unit_id,
                  status=status, title=title or f"Người đảng viên mẫu mực số {n}", subject_name=subject_name,
                  subject_unit=subject_unit, subject_description="Bí thư chi bộ, 30 năm tuổi Đảng.",
                  body_html=body, word_count=count, version=versions, created_at=when - timedelta(hours=versions),
                  saved_at=when, **fields)
    if status != "draft":
        entry.code = code or f"VT26-{n:06d}"
        entry.submitted_version = versions
        entry.submitted_at = entry.first_submitted_at = when
    if status == "withdrawn":
        entry.withdrawn_at = when
    if status == "disqualified":
        entry.disqualified_at = when
        entry.disqualified_reason = entry.disqualified_reason or "Sao chép bài của người khác."
    db.session.add(entry)
    db.session.flush()
    for number in range(1, versions + 1):
        last = number == versions
        db.session.add(EntryVersion(
            entry_id=entry.id, number=number, category_id=category.id, title=entry.title,
            subject_name=subject_name, subject_unit=subject_unit, subject_description=entry.subject_description,
            body_html=body if last else f"<p>Bản nháp {number}</p>", word_count=count if last else 3,
            saved_at=when - timedelta(hours=versions - number), saved_by_id=author.id))
    for position, row in enumerate(coauthors or [], start=1):
        db.session.add(Coauthor(entry_id=entry.id, position=position, full_name=row["full_name"],
                                email=row.get("email", ""), unit_id=row.get("unit_id"), user_id=row.get("user_id")))
    db.session.commit()
    return entry
