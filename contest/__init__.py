"""contest: quizzes and writing contests on Hồ Chí Minh's thought, ethics and style."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from contest import config as config_module


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then instance/config.py, then the environment (or test_config)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_module.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(config_module.from_environment(os.environ))
    else:
        app.config.update(test_config)

    _configure_database_url(app)
    _check_production_settings(app)
    if app.config["CONTEST_ENV"] == "development" and "SESSION_COOKIE_SECURE" not in os.environ:
        # The development server speaks plain http; secure cookies would never come back.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=app.config["PROXY_FIX_X_PROTO"])
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)

    app.json.ensure_ascii = False  # Vietnamese stays readable in JSON answers
    _init_extensions(app)
    _register_blueprints(app)

    from contest import web

    web.init_app(app)

    from contest import cli

    cli.init_app(app)
    return app


def _configure_database_url(app: Flask) -> None:
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        uri = "sqlite:///" + os.path.join(app.instance_path, "contest.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(uri)
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"timeout": 30}}


def _check_production_settings(app: Flask) -> None:
    env = app.config["CONTEST_ENV"]
    if env not in ("production", "development"):
        raise RuntimeError(f"CONTEST_ENV must be 'production' or 'development', not {env!r}.")
    if env == "production" and not app.testing:
        key = app.config.get("SECRET_KEY") or ""
        if key == config_module.DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "Refusing to start in production without a real SECRET_KEY: set the SECRET_KEY environment "
                "variable to a random string of at least 32 characters (or CONTEST_ENV=development on a "
                "development machine; `make run` writes instance/config.py for you)."
            )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def _init_extensions(app: Flask) -> None:
    from contest.extensions import babel, csrf, db, limiter, login_manager, migrate
    from contest.web import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to open this page.")

    # Import the models so that metadata (and migrations) see every table.
    from contest.accounts import models as _accounts  # noqa: F401
    from contest.contests import models as _contests  # noqa: F401
    from contest.core import audit as _audit  # noqa: F401
    from contest.essays import models as _essays  # noqa: F401
    from contest.judging import models as _judging  # noqa: F401
    from contest.quiz import models as _quiz  # noqa: F401
    from contest.results import models as _results  # noqa: F401
    from contest.units import models as _units  # noqa: F401

    @login_manager.user_loader
    def load_user(user_id: str):
        from contest.accounts.models import User

        return db.session.get(User, int(user_id)) if user_id.isdigit() else None


# Every blueprint of the site, as "module:attribute"; a feature adds its line here.
BLUEPRINTS = (
    "contest.web:bp",
    "contest.accounts.views:bp",
    "contest.units.views:bp",
    "contest.admin.views:bp",
    "contest.contests.views:bp",
    "contest.quiz.views:bp",
    "contest.quiz.bank_views:bp",
    "contest.quiz.board_views:bp",
    "contest.essays.views:bp",
    "contest.essays.similarity_views:bp",
    "contest.judging.org_views:bp",
    "contest.judging.views:bp",
    "contest.results.org_views:bp",
    "contest.results.views:bp",
    "contest.results.dashboard_views:bp",
    "contest.api:bp",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for spec in BLUEPRINTS:
        module, attribute = spec.split(":")
        app.register_blueprint(getattr(import_module(module), attribute))
