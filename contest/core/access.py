"""Access checks for pages: sign-in and roles. An admin passes every role check."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def signed_in_user():
    """The signed-in user (the model object, not Flask-Login's proxy), or None for an anonymous visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def roles_required(*roles: str):
    """Let the request through only for a signed-in user holding one of the roles (admins always pass)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
