"""Who is calling the API: a bearer token, else the browser's session cookie (then with the CSRF token).

Every API request is authenticated before its view runs; views read the caller with current_api_user() and say
what they need with @signed_in or @roles_required(...). Bearer requests never touch the session: no login_user,
no cookie in the answer.

Bearer look-ups are cached in each process for TOKEN_CACHE_SECONDS (5 s; the API_TOKEN_CACHE_SECONDS setting
changes it, 0 turns the cache off), which saves the hottest requests (answer saves) a query each. The window this
opens: a token revoked, or an account deactivated or deleted, by ANOTHER app process (or straight in the database)
is still accepted by this one for up to that long, and a token past its expiry for up to that long too. In the
process that revokes or deactivates, the cache is emptied as the change is flushed and again when it commits, so
there DELETE /api/v1/auth/token and the rest take effect at once. docs/performance.md says the same.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from functools import wraps

from flask import current_app, g, has_app_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, object_session

from contest.accounts import services
from contest.accounts.models import ApiToken, User
from contest.core.errors import Forbidden, Unauthorized
from contest.extensions import csrf, db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_TOKEN_LENGTH = 512
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 10_000

NOT_SIGNED_IN = _l("Sign in first: send 'Authorization: Bearer <token>' (POST /api/v1/auth/token gives one).")
BAD_TOKEN = _l("The token is not valid or has expired. Ask for a new one with POST /api/v1/auth/token.")
NO_ROLE = _l("Your account does not have the role this needs.")


def current_api_user_id() -> int | None:
    """The id of the person behind this API request, or None when anonymous: what a view that needs nothing else
    of the account should ask for (a bearer request then loads no account at all)."""
    return g.get("api_user_id")


def current_api_user() -> User | None:
    """The person behind this API request, or None when anonymous. For a bearer token the account (with its
    roles) is loaded on first use, in one query."""
    user = g.get("api_user")
    if user is None and g.get("api_user_id") is not None:
        user = g.api_user = services.user_with_roles(g.api_user_id)
        if user is None:  # deleted since its token was checked, a moment ago
            raise Unauthorized(BAD_TOKEN)
    return user


def current_api_token() -> ApiToken | None:
    """The token row when the request came with a bearer token (None for the session cookie)."""
    token_id = g.get("api_token_id")
    return db.session.get(ApiToken, token_id) if token_id is not None else None


def skip_auth(view):
    """For endpoints that must answer whatever credentials come with the request (health, the API description)."""
    view.api_skip_auth = True
    return view


def _bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header; '' when the header is Bearer but empty; None without one.

    Other schemes (Basic, from a staging site's password prompt) are not ours and are ignored.
    """
    header = request.headers.get("Authorization", "").strip()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


# --- the bearer cache -------------------------------------------------------------------------------------

class _TokenCache:
    """sha256(token) -> (user id, token id, the token's expiry, monotonic time the entry dies). Only valid tokens
    are cached: a refused token is looked up again every time."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[int, int, datetime, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, int] | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[3] <= _monotonic() or item[2] <= services.utcnow():
            with self._lock:
                self._items.pop(key, None)
            return None
        return item[0], item[1]

    def put(self, key: str, user_id: int, token_id: int, expires_at: datetime, seconds: float) -> None:
        with self._lock:
            if len(self._items) >= TOKEN_CACHE_SIZE:
                self._items.clear()  # short-lived entries: dropping them all costs one query per caller
            self._items[key] = (user_id, token_id, expires_at, _monotonic() + seconds)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_monotonic = time.monotonic  # (a name of our own, for tests that let the window pass)


def _token_cache() -> _TokenCache:
    cache = current_app.extensions.get("api_token_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("api_token_cache", _TokenCache())
    return cache


def forget_cached_tokens() -> None:
    """Empty this process's bearer cache (tokens revoked, an account deactivated or deleted)."""
    if has_app_context():
        cache = current_app.extensions.get("api_token_cache")
        if cache is not None:
            cache.clear()


def _caller_for_token(token: str) -> tuple[int, int] | None:
    """services.caller_for_token, through the cache; a cached token still dies at its expiry."""
    seconds = current_app.config.get("API_TOKEN_CACHE_SECONDS", TOKEN_CACHE_SECONDS)
    if not seconds:
        return services.caller_for_token(token)
    digest = services.token_digest(token)
    cache = _token_cache()
    found = cache.get(digest)
    if found is not None:
        return found
    caller = services.caller_for_digest(digest)
    if caller is None:
        return None
    user_id, token_id, expires_at = caller
    cache.put(digest, user_id, token_id, expires_at, seconds)
    return user_id, token_id


def _credentials_changed(target) -> None:
    forget_cached_tokens()
    session = object_session(target)
    if session is not None:
        session.info["api_credentials_changed"] = True  # and once more when it commits (see below)


@event.listens_for(ApiToken, "after_delete")
def _token_deleted(mapper, connection, target) -> None:  # noqa: ARG001 (the event's signature)
    _credentials_changed(target)


@event.listens_for(User, "after_delete")
def _user_deleted(mapper, connection, target) -> None:  # noqa: ARG001
    _credentials_changed(target)


@event.listens_for(User, "after_update")
def _user_updated(mapper, connection, target) -> None:  # noqa: ARG001
    if inspect(target).attrs.active.history.has_changes():
        _credentials_changed(target)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Emptied at the flush, a request of another thread of this process could have cached the token again from
    # the database before the change was committed.
    if session.info.pop("api_credentials_changed", False):
        forget_cached_tokens()


# --- the gate ---------------------------------------------------------------------------------------------

def authenticate_request() -> None:
    """Before every API view: set g.api_user_id (and g.api_token_id; g.api_user for the session cookie), or refuse
    bad credentials with a 401."""
    g.api_user = None
    g.api_user_id = None
    g.api_token_id = None
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "api_skip_auth", False):
        return
    token = _bearer_token()
    if token is not None:
        # A request that brings a token is judged by it, even on a public endpoint: a client should learn that
        # its token has died instead of silently being treated as anonymous.
        found = _caller_for_token(token) if token and len(token) <= MAX_TOKEN_LENGTH else None
        if found is None:
            raise Unauthorized(BAD_TOKEN)
        g.api_user_id, g.api_token_id = found
        return
    if current_user.is_authenticated and getattr(current_user, "active", False):
        g.api_user = current_user._get_current_object()
        g.api_user_id = g.api_user.id
        # A cookie is sent by the browser on its own, also for requests another site makes it send: a change
        # made with the cookie needs the CSRF token that only our pages can read (header X-CSRFToken).
        if request.method not in SAFE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()


def signed_in(view):
    """401 for anonymous callers."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_api_user_id() is None:
            raise Unauthorized(NOT_SIGNED_IN)
        return view(*args, **kwargs)

    wrapped.api_auth_required = True
    return wrapped


def roles_required(*roles: str):
    """401 for anonymous callers, 403 `forbidden` without one of the roles (an admin holds them all)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_api_user()
            if user is None:
                raise Unauthorized(NOT_SIGNED_IN)
            if not user.has_role(*roles):
                raise Forbidden(NO_ROLE)
            return view(*args, **kwargs)

        wrapped.api_auth_required = True
        wrapped.api_roles = roles
        return wrapped

    return decorator
