"""Site-wide web concerns: the home page, language choice, security headers, error pages, template helpers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.json.tag import TaggedJSONSerializer, TagMarkup
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_datetime, get_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from contest.accounts.models import ROLE_LABELS
from contest.extensions import db

bp = Blueprint("main", __name__)

LANG_COOKIE = "lang"

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    401: (_l("Sign-in needed"), _l("Please sign in to continue.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or is not yours to see.")),
    405: (_l("Not allowed"), _l("This action is not allowed here.")),
    409: (_l("Conflict"), _l("The request conflicts with the current state.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept.")),
    422: (_l("Cannot process"), _l("The request breaks a rule.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Nothing was saved; please try again.")),
    503: (_l("Unavailable"), _l("The service is unavailable for a moment. Please try again soon.")),
}
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
               422: "invalid", 429: "rate_limited", 500: "server_error", 503: "unavailable"}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request and is_api_request():
        return request.accept_languages.best_match(languages, default=current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = request.cookies.get(LANG_COOKIE) if request else None
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def safe_next(target: str | None, fallback: str = "/") -> str:
    """A local path to go back to, never another site."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


@bp.route("/")
def home():
    return render_template("home.html")


@bp.route("/lang/<code>")
def set_language(code: str):
    target = safe_next(request.args.get("next"), url_for("main.home"))
    resp = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        resp.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return resp


def error_response(status: int, code: str | None = None, message=None, fields=None, **extra):
    """One error, as JSON for the API ({"error": {...}}) or as a page in the reader's language."""
    title, default_message = ERROR_TEXTS.get(status, ERROR_TEXTS[500 if status >= 500 else 400])
    message = message or default_message
    if is_api_request():
        body = {"code": code or ERROR_CODES.get(status, "error"), "message": str(message)}
        if fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in fields.items()}
        body.update(extra)
        return make_response(jsonify(error=body), status)
    return make_response(render_template("errors/error.html", status=status, title=title, message=message), status)


def api_url(path: str) -> str:
    """An API address (API.md fixes them) relative to the site's root, for pages whose scripts call the API."""
    return url_for("main.home") + "api/v1/" + path


def page_service_error(exc):
    """Error handler for a blueprint of pages: a service's refusal (contest.core.errors.ServiceError) as an error
    page in the reader's language, after rolling back; 401 leads to the sign-in page and back."""
    db.session.rollback()
    if exc.status == 401:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return error_response(exc.status, exc.code, str(exc.message))


def _handle_http_exception(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    message = None
    if isinstance(exc, CSRFError):
        message = _l("The form has expired or was sent without its security token. Please reload the page "
                     "and try again.")
        return error_response(400, "csrf_failed", message)
    if exc.code == 429:
        return error_response(429, "rate_limited")
    resp = error_response(exc.code)
    if exc.code == 405:
        resp.headers["Allow"] = dict(exc.get_headers()).get("Allow", "")
    return resp


def _handle_server_error(exc: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500)


def _security_headers(resp):
    headers = resp.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if session.get("_user_id"):
        # Pages for a signed-in person are theirs alone: never kept by shared caches. (The session is read,
        # not current_user, which would reload the account after the request's commit.)
        headers.setdefault("Cache-Control", "private, no-store")
    return resp


def _template_globals():
    return {
        "current_locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        "languages": {"vi": "Tiếng Việt", "en": "English"},
        "role_labels": ROLE_LABELS,
    }


def _format_dt(value, fmt: str = "short"):
    """A stored UTC time shown in Asia/Ho_Chi_Minh, in the reader's language."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


class _PlainTextSessionSerializer(TaggedJSONSerializer):
    """Flask's session serializer, without its tag that brings back anything with __html__ as trusted Markup.

    Flashed messages are often lazy translated strings, which claim to be safe HTML; through the session they
    would return as Markup and print a user's text unescaped. Without the tag they return as plain text.
    """

    default_tags = [tag for tag in TaggedJSONSerializer.default_tags if tag is not TagMarkup]


# The hottest request of the site: a member's phone saving an answer with its bearer token, PUT
# /api/v1/attempts/<id>/answers/<position>. Bearer requests never use the session (contest/api/auth.py), so for
# this one the cookie is not even read, verified or signed again: it gets Flask's null session (empty; writing to
# it is an error). See docs/performance.md.
_ANSWER_SAVE_PATH = re.compile(r"/api/v1/attempts/[0-9]+/answers/-?[0-9]+")


def is_bearer_answer_save(req) -> bool:
    return (req.method == "PUT" and _ANSWER_SAVE_PATH.fullmatch(req.path) is not None
            and req.headers.get("Authorization", "").lstrip()[:7].lower() == "bearer ")


class _SessionInterface(SecureCookieSessionInterface):
    serializer = _PlainTextSessionSerializer()

    def open_session(self, app, request):
        if is_bearer_answer_save(request):
            return self.make_null_session(app)
        return super().open_session(app, request)


def _plain_lazy_strings(value):
    return str(value) if isinstance(value, LazyString) else value


def init_app(app: Flask) -> None:
    app.session_interface = _SessionInterface()
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_server_error)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    app.jinja_env.filters["dt"] = _format_dt
    # Flask-Babel's lazy strings declare themselves safe HTML, so "{{ message }}" would not escape a unit name
    # interpolated into one. Turning them into plain strings first lets autoescaping do its job.
    app.jinja_env.finalize = _plain_lazy_strings

    @app.before_request
    def _choose_locale_per_request():
        # Flask-Babel caches the locale on the app context, which tests (and CLI code) share across requests.
        refresh()

    @app.teardown_request
    def _forget_failed_transaction(exc):
        if exc is not None:
            db.session.rollback()
