"""Fixtures: the app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), clients per role, factories."""

from __future__ import annotations

import os

import pytest
from flask import Flask, g
from flask_login import FlaskLoginClient
from werkzeug.routing import Rule

from contest import create_app
from contest.extensions import db, limiter
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("REDIS_URL")


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
        "RATELIMIT_KEY_PREFIX": f"contest-test-{os.getpid()}",
        # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SERVER_NAME": "localhost",
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the tables once per run; every test then starts from empty tables."""
    app = create_app(base_config(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


class _LazyBuilderRule(Rule):
    """Test-only: every test makes its own app, and werkzeug compiles two URL builders per rule as the app's ~200
    rules are bound (about 80 ms of each test's set-up). These rules compile a builder on its first use instead;
    matching and building behave exactly the same."""

    def _compile_builder(self, append_unknown: bool = True):
        compiled = None

        def build(rule, **values):
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, **values)

        return build


Flask.url_rule_class = _LazyBuilderRule


_pg_reset: dict[str, str] = {}


def _postgresql_reset_sql(tables) -> str:
    """One round trip that empties every table and restarts every sequence: DELETE with the foreign-key triggers
    off (session_replication_role, superusers only) is some 30 times faster than TRUNCATE of all tables for the
    few rows a test writes. Without superuser rights: TRUNCATE ... RESTART IDENTITY CASCADE."""
    url = str(db.engine.url)
    if url not in _pg_reset:
        with db.engine.connect() as conn:
            superuser = conn.exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
            sequences = conn.exec_driver_sql(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()").scalars().all()
        quote = db.engine.dialect.identifier_preparer.quote  # names from our own metadata and catalogue
        if superuser:
            statements = ["SET LOCAL session_replication_role = replica"]
            statements += [f"DELETE FROM {quote(t.name)}" for t in tables]  # noqa: S608
            statements += [f"ALTER SEQUENCE {quote(name)} RESTART" for name in sequences]
            _pg_reset[url] = ";".join(statements)
        else:
            _pg_reset[url] = f"TRUNCATE {', '.join(quote(t.name) for t in tables)} RESTART IDENTITY CASCADE"
    return _pg_reset[url]


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        db.session.remove()
        sql = _postgresql_reset_sql(tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
        return
    db.session.remove()
    # Self-referencing RESTRICT keys (the unit tree) would refuse a plain DELETE of a whole table on SQLite.
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in tables:
            conn.execute(table.delete())
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Override keys in a test with `@pytest.mark.parametrize` or by asking for this fixture and changing it."""
    # Uploaded files go to the test's own folder, never into instance/.
    return {**base_config(database_url), "UPLOAD_FOLDER": str(tmp_path / "uploads")}


@pytest.fixture
def app(_schema, app_config):
    app = create_app(app_config)
    app.test_client_class = FlaskLoginClient

    @app.teardown_request
    def _forget_user(exc):
        # Requests in a test share the fixture's app context, where Flask-Login caches the signed-in user.
        g.pop("_login_user", None)
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def unit(app):
    return factories.gen_unit("Phường Thạch Bàn")


def _user_with(role: str):
    @pytest.fixture
    def fixture(app, unit):
        return factories.gen_user(roles=[role], unit=unit)

    return fixture


member = _user_with("member")
judge = _user_with("judge")
organiser = _user_with("organiser")
admin = _user_with("admin")


@pytest.fixture
def member_client(app, member):
    return app.test_client(user=member)


@pytest.fixture
def judge_client(app, judge):
    return app.test_client(user=judge)


@pytest.fixture
def organiser_client(app, organiser):
    return app.test_client(user=organiser)


@pytest.fixture
def admin_client(app, admin):
    return app.test_client(user=admin)


@pytest.fixture
def clock(app, monkeypatch):
    """contest.core.clock.utcnow held at a time the test sets or advances (tests/quiz_factories.Clock)."""
    from tests.quiz_factories import Clock

    return Clock(monkeypatch)
