"""Factory helpers: make units, users and API tokens in one line."""

from __future__ import annotations

import itertools

from contest.accounts import services as accounts
from contest.accounts.models import User
from contest.extensions import db
from contest.units.models import Unit
from contest.units.services import create_unit

PASSWORD = "mật-khẩu-thử-123"
_seq = itertools.count(1)


def gen_unit(name: str | None = None, parent: Unit | None = None) -> Unit:
    unit = create_unit(name or f"Chi bộ số {next(_seq)}", parent.id if parent else None)
    db.session.commit()
    return unit


def gen_user(email: str | None = None, full_name: str = "Nguyễn Văn Thử", roles=("member",),
             unit: Unit | None = None, password: str = PASSWORD) -> User:
    unit = unit or gen_unit()
    user = accounts.register(email or f"user{next(_seq)}@example.com", password, full_name, unit.id, roles=roles)
    db.session.commit()
    return user


def gen_token(user: User) -> str:
    token, _row = accounts.issue_token(user)
    db.session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
