"""With REDIS_URL, sign-in throttling is shared by every app server (here: two app instances)."""

from __future__ import annotations

import os

import pytest

from contest import create_app
from contest.core.errors import RateLimited, Unauthorized
from contest.extensions import limiter
from tests.conftest import REDIS_URL, base_config


@pytest.fixture
def two_servers(database_url, _schema):
    if not REDIS_URL:
        if os.environ.get("CONTEST_REQUIRE_SERVICES"):
            pytest.fail("CONTEST_REQUIRE_SERVICES is set but REDIS_URL is not")
        pytest.skip("Redis not configured: set REDIS_URL=redis://127.0.0.1:6379/0 to run")
    config = {**base_config(database_url), "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
              "RATELIMIT_KEY_PREFIX": f"contest-test-shared-{os.getpid()}"}
    first, second = create_app(config), create_app(config)
    with first.app_context():
        limiter.reset()
    yield first, second
    with first.app_context():
        limiter.reset()
    for app in (first, second):
        with app.app_context():
            from contest.extensions import db

            db.session.remove()
            db.engine.dispose()


def test_failures_on_one_server_count_on_another(two_servers):
    from contest.accounts.services import authenticate

    first, second = two_servers
    assert first.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    for app in (first, second, first):
        with app.app_context(), pytest.raises(Unauthorized):
            authenticate("shared@example.com", "wrong", "10.0.0.1")
    with second.app_context(), pytest.raises(RateLimited):
        authenticate("shared@example.com", "wrong", "10.0.0.2")
    # The counters live in Redis, where every app server (and process) sees them.
    import redis

    keys = list(redis.from_url(REDIS_URL).scan_iter(match=f"*{first.config['RATELIMIT_KEY_PREFIX']}*"))
    assert keys, "no rate-limit counters in Redis"
