"""Demo data: a Hà Nội unit tree and one account per role, loaded by `flask --app contest seed-demo`.

Idempotent: running it again adds only what is missing. Since 1/7/2025 local government has two levels (city,
then ward or commune); party and youth organisations add their own levels below, so the tree goes four deep.
"""

from __future__ import annotations

from sqlalchemy import select

from contest.accounts import services as accounts
from contest.accounts.models import User
from contest.core.text import unaccent
from contest.extensions import db
from contest.units.models import Unit

DEMO_PASSWORD = "matkhau-demo"  # noqa: S105 (printed for the demo)

# name -> children; leaves are lists of names.
UNIT_TREE: dict = {
    "Thành phố Hà Nội": {
        "Phường Ba Đình": ["Chi bộ Tổ dân phố số 1", "Chi bộ Tổ dân phố số 5", "Chi bộ Trường THCS Phan Chu Trinh"],
        "Phường Ngọc Hà": ["Chi bộ Khu dân cư Đội Cấn", "Chi bộ Khu dân cư Liễu Giai"],
        "Phường Long Biên": {
            "Đảng bộ cơ quan Phường Long Biên": ["Chi bộ Văn phòng HĐND - UBND", "Chi bộ Bộ phận một cửa"],
            "Chi bộ Tổ dân phố Thạch Bàn 1": [],
        },
        "Phường Hoàng Mai": ["Chi bộ Tổ dân phố số 12", "Chi bộ Trường Tiểu học Hoàng Văn Thụ"],
        "Phường Tây Hồ": ["Chi bộ Khu dân cư Quảng An", "Chi bộ Khu dân cư Nhật Tân"],
        "Phường Sơn Tây": ["Chi bộ Tổ dân phố Phú Thịnh", "Chi bộ Trường THPT Sơn Tây"],
        "Xã Ứng Hòa": ["Chi bộ Thôn Vân Đình", "Chi bộ Thôn Cao Xuân Dương"],
        "Xã Đan Phượng": ["Chi bộ Thôn Thượng Thụy", "Chi bộ Thôn Thọ Vực"],
        "Xã Thanh Oai": ["Chi bộ Thôn Bình Đà", "Chi bộ Thôn Kim Bài"],
    },
    "Thành đoàn Hà Nội": {
        "Đoàn Trường Đại học Sư phạm Hà Nội": ["Chi đoàn K73 Ngữ văn", "Chi đoàn K74 Lịch sử"],
        "Đoàn Thanh niên Phường Long Biên": ["Chi đoàn Tổ dân phố Thạch Bàn"],
    },
}

DEMO_ACCOUNTS = [
    {"email": "quantri@example.com", "full_name": "Phạm Quốc Dũng", "roles": ["admin"],
     "unit": ("Thành phố Hà Nội",)},
    {"email": "tochuc@example.com", "full_name": "Lê Minh Châu", "roles": ["organiser"],
     "unit": ("Thành phố Hà Nội", "Phường Long Biên", "Đảng bộ cơ quan Phường Long Biên")},
    {"email": "giamkhao@example.com", "full_name": "Trần Thị Bình", "roles": ["judge"],
     "unit": ("Thành đoàn Hà Nội", "Đoàn Trường Đại học Sư phạm Hà Nội")},
    {"email": "thisinh@example.com", "full_name": "Nguyễn Văn An", "roles": ["member"],
     "unit": ("Thành phố Hà Nội", "Phường Long Biên", "Chi bộ Tổ dân phố Thạch Bàn 1")},
]

# More members so lists and leaderboards look lived in.
EXTRA_MEMBERS = [
    ("Đỗ Thị Hồng Nhung", ("Thành phố Hà Nội", "Phường Ba Đình", "Chi bộ Tổ dân phố số 1")),
    ("Vũ Đức Thắng", ("Thành phố Hà Nội", "Phường Ba Đình", "Chi bộ Trường THCS Phan Chu Trinh")),
    ("Hoàng Thị Lan", ("Thành phố Hà Nội", "Phường Hoàng Mai", "Chi bộ Tổ dân phố số 12")),
    ("Bùi Văn Hùng", ("Thành phố Hà Nội", "Phường Sơn Tây", "Chi bộ Tổ dân phố Phú Thịnh")),
    ("Ngô Thị Thu Hà", ("Thành phố Hà Nội", "Xã Ứng Hòa", "Chi bộ Thôn Vân Đình")),
    ("Đặng Minh Tuấn", ("Thành phố Hà Nội", "Xã Đan Phượng", "Chi bộ Thôn Thượng Thụy")),
    ("Phan Thị Mai", ("Thành phố Hà Nội", "Phường Tây Hồ", "Chi bộ Khu dân cư Quảng An")),
    ("Trịnh Quang Huy", ("Thành phố Hà Nội", "Xã Thanh Oai", "Chi bộ Thôn Bình Đà")),
    ("Lý Thị Ngọc Ánh", ("Thành đoàn Hà Nội", "Đoàn Trường Đại học Sư phạm Hà Nội", "Chi đoàn K73 Ngữ văn")),
    ("Mai Văn Khoa", ("Thành đoàn Hà Nội", "Đoàn Thanh niên Phường Long Biên", "Chi đoàn Tổ dân phố Thạch Bàn")),
    ("Cao Thị Yến", ("Thành phố Hà Nội", "Phường Ngọc Hà", "Chi bộ Khu dân cư Đội Cấn")),
    ("Đinh Công Sơn", ("Thành phố Hà Nội", "Phường Long Biên", "Đảng bộ cơ quan Phường Long Biên",
                       "Chi bộ Bộ phận một cửa")),
]


def _ensure_unit(name: str, parent: Unit | None) -> tuple[Unit, bool]:
    where = Unit.parent_id == parent.id if parent is not None else Unit.parent_id.is_(None)
    unit = db.session.scalar(select(Unit).where(where, Unit.name == name))
    if unit is not None:
        return unit, False
    unit = Unit(name=name, search_name=unaccent(name), parent=parent)
    db.session.add(unit)
    db.session.flush()
    return unit, True


def _seed_units(tree, parent: Unit | None, index: dict, path: tuple[str, ...]) -> int:
    created = 0
    items = tree.items() if isinstance(tree, dict) else ((name, []) for name in tree)
    for name, children in items:
        unit, new = _ensure_unit(name, parent)
        created += new
        here = (*path, name)
        index[here] = unit
        created += _seed_units(children, unit, index, here)
    return created


def _email_for(name: str, n: int) -> str:
    return f"{unaccent(name).replace(' ', '.')}.{n}@example.com"


def seed() -> int:
    """Add whatever demo rows are missing; returns how many were created."""
    index: dict[tuple[str, ...], Unit] = {}
    created = _seed_units(UNIT_TREE, None, index, ())
    people = [(a["email"], a["full_name"], a["roles"], a["unit"]) for a in DEMO_ACCOUNTS]
    people += [(_email_for(name, i + 1), name, ["member"], unit) for i, (name, unit) in enumerate(EXTRA_MEMBERS)]
    for email, full_name, roles, unit_path in people:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        accounts.register(email, DEMO_PASSWORD, full_name, index[unit_path].id, roles=roles)
        created += 1
    from contest.quiz.demo import seed_quiz_demo

    created += seed_quiz_demo()
    from contest.essays.demo import seed_essay_demo

    created += seed_essay_demo()
    from contest.judging.demo import seed_judging_demo

    created += seed_judging_demo()
    from contest.results.demo import seed_results_demo

    created += seed_results_demo()
    return created
