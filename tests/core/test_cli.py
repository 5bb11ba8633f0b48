"""The command line: create-user and seed-demo, as API.md describes them."""

from __future__ import annotations

from sqlalchemy import func, select

from contest import demo
from contest.accounts.models import User
from contest.accounts.services import find_user_by_email
from contest.core.audit import AuditEntry
from contest.extensions import db
from contest.units.models import Unit


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_user_then_set_roles(runner, unit):
    result = runner.invoke(args=["create-user", "--email", " Admin@Example.com", "--password", "mật-khẩu-đủ-dài",
                                 "--name", "Phạm  Quốc Dũng", "--role", "admin", "--role", "organiser"])
    assert result.exit_code == 0, result.output
    user = find_user_by_email("admin@example.com")
    assert user.full_name == "Phạm Quốc Dũng"
    assert user.roles == ["organiser", "admin"]
    assert user.unit_id is None

    result = runner.invoke(args=["create-user", "--email", "ADMIN@example.com", "--password", "whatever-long",
                                 "--name", "X", "--unit", str(unit.id), "--role", "judge"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.roles == ["judge"]
    assert count(User) == 1
    actions = sorted(a for (a,) in db.session.execute(select(AuditEntry.action)) if a.startswith("role_"))
    assert actions == ["role_granted"] * 3 + ["role_revoked"] * 2


def test_create_user_reports_bad_input_and_writes_nothing(runner):
    result = runner.invoke(args=["create-user", "--email", "not-an-email", "--password", "short", "--name", "A",
                                 "--role", "member"])
    assert result.exit_code != 0
    assert count(User) == 0
    result = runner.invoke(args=["create-user", "--email", "a@example.com", "--password", "long-enough-1",
                                 "--name", "A", "--unit", "999", "--role", "member"])
    assert result.exit_code != 0
    assert count(User) == 0


def test_seed_demo_is_idempotent_and_prints_the_accounts(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for account in demo.DEMO_ACCOUNTS:
        assert account["email"] in first.output
    users, units = count(User), count(Unit)
    assert users >= 4 and units >= 20
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "0 new rows" in second.output
    assert (count(User), count(Unit)) == (users, units)
    # Four levels deep somewhere: the tree takes any depth.
    depth = max(len(path) for path in _paths())
    assert depth >= 4
    roles = {a["email"]: find_user_by_email(a["email"]).roles for a in demo.DEMO_ACCOUNTS}
    assert sorted(r for rs in roles.values() for r in rs) == ["admin", "judge", "member", "organiser"]


def _paths():
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    for u in units.values():
        path, cur = [], u
        while cur is not None:
            path.append(cur.name)
            cur = units.get(cur.parent_id)
        yield path


def test_seed_demo_if_empty_leaves_a_real_database_alone(runner, member):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert count(User) == 1
