"""Who is calling the API: a bearer token, else the browser's session cookie (then with the CSRF token).

Every API request is authenticated before its view runs; views read the caller with current_api_user() and say
what they need with @signed_in or @roles_required(...). Bearer requests never touch the session: no login_user,
no cookie in the answer.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.accounts import services
from contest.accounts.models import ApiToken, User
from contest.core.errors import Forbidden, Unauthorized
from contest.extensions import csrf, db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_TOKEN_LENGTH = 512

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
        found = services.caller_for_token(token) if token and len(token) <= MAX_TOKEN_LENGTH else None
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
