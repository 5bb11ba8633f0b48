"""Configuration defaults; instance/config.py and environment variables override them (in that order)."""

from __future__ import annotations

import os

# Placeholder that marks "no real secret was configured"; production refuses to start with it.
DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105 (a marker, refused in production)


class Defaults:
    CONTEST_ENV = "production"
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from DATABASE_URL, else SQLite under instance/
    # Connections are recycled rather than pinged before each use: a ping is one more round trip on every
    # request, which the hot endpoints (answer saves) cannot afford.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_recycle": 1800}
    REDIS_URL: str | None = None

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True  # relaxed in development, where the site is plain http
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    # Bodies: forms with uploads stay under this; JSON API bodies under API_MAX_JSON_BYTES.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # the largest attachment plus the multipart envelope
    API_MAX_JSON_BYTES = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Writing contests: attachments are stored here (outside the web root; default <instance>/uploads).
    UPLOAD_FOLDER: str | None = None
    ESSAY_MAX_IMAGE_BYTES = 5 * 1024 * 1024
    ESSAY_MAX_PDF_BYTES = 10 * 1024 * 1024

    # Languages and time
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    # Accounts
    PASSWORD_MIN_LENGTH = 8
    ARGON2_TIME_COST = 3  # argon2-cffi's defaults (RFC 9106 low-memory profile)
    ARGON2_MEMORY_COST = 65536
    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds a reset link stays valid
    API_TOKEN_TTL = 60 * 60 * 24 * 7
    # Seconds each app process trusts a bearer token it has checked (0: check every request); see api/auth.py.
    API_TOKEN_CACHE_SECONDS = 5
    # Failed sign-ins allowed before the account or the address is refused for a while (limits syntax).
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "20 per 15 minutes"
    RATELIMIT_DEFAULT = None
    RATELIMIT_HEADERS_ENABLED = True

    # Mail: without MAIL_SERVER, mail is written to the log.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "contest@localhost"

    # Behind a load balancer set PROXY_FIX_X_FOR=1 (number of trusted proxies) so client addresses are right.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0


_INT_KEYS = {"MAIL_PORT", "PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PASSWORD_MIN_LENGTH", "API_TOKEN_TTL",
             "PASSWORD_RESET_MAX_AGE", "MAX_CONTENT_LENGTH",
             "API_TOKEN_CACHE_SECONDS"}
_BOOL_KEYS = {"MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE"}
ENV_KEYS = ("CONTEST_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME",
            "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "PROXY_FIX_X_FOR",
            "PROXY_FIX_X_PROTO", "SESSION_COOKIE_SECURE", "LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS",
            "UPLOAD_FOLDER", "API_TOKEN_CACHE_SECONDS")


def from_environment(environ: os._Environ | dict) -> dict:
    """The settings given as environment variables, converted to their types."""
    out: dict = {}
    for key in ENV_KEYS:
        raw = environ.get(key)
        if raw is None or raw == "":
            continue
        if key in _INT_KEYS:
            out[key] = int(raw)
        elif key in _BOOL_KEYS:
            out[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif key == "DATABASE_URL":
            out["SQLALCHEMY_DATABASE_URI"] = raw
        else:
            out[key] = raw
    return out


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
