"""Migrations: upgrade to head on an empty database, models match them, downgrade to base.

Runs on SQLite always and on PostgreSQL (a scratch database next to TEST_DATABASE_URL's) when it is set.
"""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from contest import create_app
from contest.extensions import db
from tests.conftest import base_config


def _run_round_trip(url: str) -> None:
    app = create_app({**base_config(url), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], f"models and migrations differ; add a migration: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables, "a model has no table in the migrations"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    _run_round_trip("sqlite:///" + str(tmp_path / "migrations.db"))


def test_migrations_on_postgresql():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        if os.environ.get("CONTEST_REQUIRE_SERVICES"):
            pytest.fail("CONTEST_REQUIRE_SERVICES is set but TEST_DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL=postgresql+psycopg://... to run")
    base = make_url(url)
    scratch = f"contest_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        _run_round_trip(base.set(database=scratch).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()
