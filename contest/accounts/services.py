"""Account rules: registration, credentials, sign-in throttling, password reset, roles and API tokens.

Every function flushes and leaves the commit to the request (or the CLI command) that called it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import parse
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from contest.accounts.models import ROLES, ApiToken, User, UserRole
from contest.core import audit
from contest.core.clock import as_utc, utcnow
from contest.core.errors import Conflict, Invalid, NotFound, RateLimited, Unauthorized
from contest.core.text import nfc, normalise_email, parse_id, unaccent
from contest.extensions import db, limiter
from contest.units.models import Unit

_DUMMY_PASSWORD = secrets.token_urlsafe(16)
# Not an argon2 hash, so no password ever verifies against it (verify_password treats it as a mismatch).
UNUSABLE_PASSWORD = "!unusable"  # noqa: S105 (a marker, not a password)


def _hashing() -> tuple[PasswordHasher, str]:
    """Argon2id (argon2-cffi's defaults; tests lower the cost through ARGON2_* settings) and a hash of a random
    password: verifying against it keeps a sign-in for an unknown email as slow as one for a known email."""
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"])
    cache = current_app.extensions.setdefault("contest_hashers", {})
    if key not in cache:
        hasher = PasswordHasher(time_cost=key[0], memory_cost=key[1])
        cache[key] = (hasher, hasher.hash(_DUMMY_PASSWORD))
    return cache[key]


# --- validation -------------------------------------------------------------------------------------------

def clean_email(raw: str | None) -> str:
    """The normalised email, or Invalid with a message for the 'email' field."""
    email = normalise_email(raw)
    if not email:
        raise Invalid(_l("Enter your email address."), fields={"email": [_l("Enter your email address.")]})
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        msg = _l("This is not a valid email address.")
        raise Invalid(msg, fields={"email": [msg]}) from None
    return email


def check_password_strength(password: str | None, field: str = "password") -> str:
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        msg = _l("The password must have at least %(n)d characters.", n=minimum)
        raise Invalid(msg, fields={field: [msg]})
    if len(password) > 1024:
        msg = _l("The password is too long.")
        raise Invalid(msg, fields={field: [msg]})
    return password


def clean_full_name(raw: str | None) -> str:
    name = nfc(raw)
    if not name:
        msg = _l("Enter your full name.")
        raise Invalid(msg, fields={"full_name": [msg]})
    if len(name) > 200:
        msg = _l("The name is too long (at most 200 characters).")
        raise Invalid(msg, fields={"full_name": [msg]})
    return name


def get_unit(unit_id, field: str = "unit_id") -> Unit:
    number = parse_id(unit_id)
    unit = db.session.get(Unit, number) if number is not None else None
    if unit is None:
        msg = _l("Choose an existing unit.")
        raise Invalid(msg, fields={field: [msg]})
    return unit


def hash_password(password: str) -> str:
    return _hashing()[0].hash(password)


def find_user_by_email(raw_email: str | None) -> User | None:
    email = normalise_email(raw_email)
    if not email:
        return None
    return db.session.scalar(select(User).where(User.email == email))


# --- registration and profile -----------------------------------------------------------------------------

def register(email: str, password: str | None, full_name: str, unit_id, *, roles: Iterable[str] = ("member",),
             date_of_birth: date | None = None, unit_required: bool = True, without_password: bool = False) -> User:
    """Create an account; Conflict('email_taken') when the email exists in any case, spacing or Unicode form.

    Members always belong to a unit; accounts made from the command line (a first admin) may have none.
    `without_password=True` (imports) makes an account nobody can sign in to until its owner sets a password
    through "forgot password" — and skips the deliberately slow hashing, which matters for thousands of rows.
    """
    errors: dict[str, list] = {}
    values: dict = {"unit_id": None}
    checks = [
        ("email", clean_email, email),
        ("full_name", clean_full_name, full_name),
    ]
    if not without_password:
        checks.append(("password", check_password_strength, password))
    if unit_required or unit_id not in (None, ""):
        checks.append(("unit_id", get_unit, unit_id))
    for field, check, arg in checks:
        try:
            values[field] = check(arg)
        except Invalid as exc:
            errors.update(exc.fields)
    if errors:
        raise Invalid(_l("Please correct the marked fields."), fields=errors)
    if find_user_by_email(values["email"]) is not None:
        msg = _l("An account with this email already exists.")
        raise Conflict(msg, code="email_taken", fields={"email": [msg]})
    user = User(
        email=values["email"],
        full_name=values["full_name"],
        search_name=unaccent(values["full_name"]),
        password_hash=UNUSABLE_PASSWORD if without_password else hash_password(values["password"]),
        unit=values["unit_id"],
        date_of_birth=date_of_birth,
    )
    user.role_rows = [UserRole(role=r) for r in _clean_roles(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def update_profile(user: User, full_name: str, unit_id, date_of_birth: date | None = None) -> User:
    errors: dict[str, list] = {}
    try:
        name = clean_full_name(full_name)
    except Invalid as exc:
        errors.update(exc.fields)
    try:
        unit = get_unit(unit_id)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(_l("Please correct the marked fields."), fields=errors)
    user.full_name = name
    user.search_name = unaccent(name)
    user.unit = unit
    user.date_of_birth = date_of_birth
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        msg = _l("The current password is not right.")
        raise Invalid(msg, fields={"current_password": [msg]})
    check_password_strength(new, field="new_password")
    user.password_hash = hash_password(new)
    revoke_all_tokens(user)
    db.session.flush()


def verify_password(user: User | None, password: str | None) -> bool:
    hasher, dummy = _hashing()
    try:
        if user is None:
            hasher.verify(dummy, password or "")
            return False
        ok = hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if ok and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password or "")
    return ok


# --- sign-in and its throttle -----------------------------------------------------------------------------

def _throttle_keys(email: str, address: str | None) -> list[tuple[object, tuple[str, ...]]]:
    """The two failure counters of a sign-in: one per account, one per client address. RATELIMIT_KEY_PREFIX
    keeps two installations that share one Redis apart."""
    cfg = current_app.config
    prefix = cfg.get("RATELIMIT_KEY_PREFIX") or "contest"
    return [(parse(cfg["LOGIN_LIMIT_PER_ACCOUNT"]), ("login-fail", prefix, "account", email)),
            (parse(cfg["LOGIN_LIMIT_PER_ADDRESS"]), ("login-fail", prefix, "address", address or "-"))]


def authenticate(raw_email: str | None, password: str | None, address: str | None) -> User:
    """The user for these credentials, or an error. Only failures count towards the throttle, per account and
    per address; once either is used up, even the right password is refused until the window passes."""
    email = normalise_email(raw_email)
    strategy = limiter.limiter
    keys = _throttle_keys(email, address)
    for item, key in keys:
        if not strategy.test(item, *key):
            raise RateLimited(_l("Too many failed sign-in attempts. Please wait a few minutes and try again."))
    user = find_user_by_email(email) if email else None
    if not verify_password(user, password) or user is None or not user.active:
        for item, key in keys:
            strategy.hit(item, *key)
        raise Unauthorized(_l("The email or password is not right."), code="bad_credentials")
    user.last_login_at = utcnow()
    db.session.flush()
    return user


# --- password reset ---------------------------------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, so a link works once and dies with a new password.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise Invalid(_l("This reset link has expired. Ask for a new one."), code="token_expired") from None
    except BadSignature:
        raise Invalid(_l("This reset link is not valid."), code="token_invalid") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("p") != _password_fingerprint(user):
        raise Invalid(_l("This reset link has already been used or is no longer valid."), code="token_invalid")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    check_password_strength(new_password)
    user.password_hash = hash_password(new_password)
    revoke_all_tokens(user)
    audit.record("password_reset", actor=user, target_type="user", target_id=user.id)
    db.session.flush()
    return user


# --- roles ------------------------------------------------------------------------------------------------

def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        msg = _l("Unknown role: %(roles)s.", roles=", ".join(map(str, unknown)))
        raise Invalid(msg, code="unknown_role", fields={"roles": [msg]})
    return [r for r in ROLES if r in set(roles)]


def set_roles(user: User, roles: Iterable[str], actor: User | None, ip: str | None = None) -> User:
    """Give the user exactly these roles; each grant and revocation goes to the audit log."""
    wanted = set(_clean_roles(roles))
    held = set(user.roles)
    if actor is not None and actor.id == user.id and "admin" in held and "admin" not in wanted:
        msg = _l("You cannot remove your own admin role; ask another admin.")
        raise Conflict(msg, code="own_admin_role")
    for role in sorted(wanted - held, key=ROLES.index):
        user.role_rows.append(UserRole(role=role))
        audit.record("role_granted", actor=actor, target_type="user", target_id=user.id, ip=ip, role=role,
                     email=user.email)
    for row in [r for r in user.role_rows if r.role in held - wanted]:
        user.role_rows.remove(row)
        audit.record("role_revoked", actor=actor, target_type="user", target_id=user.id, ip=ip, role=row.role,
                     email=user.email)
    db.session.flush()
    return user


def get_user(user_id) -> User:
    number = parse_id(user_id)
    user = db.session.get(User, number) if number is not None else None
    if user is None:
        raise NotFound(_l("No such account."))
    return user


# --- API tokens -------------------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_digest(token),
                   expires_at=utcnow() + timedelta(seconds=current_app.config["API_TOKEN_TTL"]))
    db.session.add(row)
    db.session.flush()
    return token, row


# The bearer look-up runs on every API request: plain columns of one indexed row, no ORM objects, the statement
# built once. The account itself is loaded only by the views that need more than its id (user_with_roles).
_TOKEN_CALLER = (
    select(ApiToken.__table__.c.user_id, ApiToken.__table__.c.id, ApiToken.__table__.c.expires_at,
           User.__table__.c.active)
    .select_from(ApiToken.__table__.join(User.__table__, User.__table__.c.id == ApiToken.__table__.c.user_id))
    .where(ApiToken.__table__.c.token_hash == bindparam("digest"))
)


def token_digest(token: str) -> str:
    """What is stored of a bearer token (and what a cache of look-ups may key on): its SHA-256."""
    return _digest(token)


def caller_for_digest(digest: str) -> tuple[int, int, datetime] | None:
    """(user id, token id, expires_at) for the token with this digest when it has not expired and its account is
    active, else None. One query, uncached here; the API's bearer check (contest/api/auth.py) caches the answer
    per process for a few seconds (until expires_at at most), and the process that revokes a token or
    deactivates an account clears its own cache at once."""
    row = db.session.execute(_TOKEN_CALLER, {"digest": digest}).first()
    if row is None:
        return None
    user_id, token_id, expires_at, active = row
    expires_at = as_utc(expires_at)
    if expires_at <= utcnow() or not active:
        return None
    return user_id, token_id, expires_at


def caller_for_token(token: str) -> tuple[int, int] | None:
    """(user id, token id) for a bearer token that has not expired and whose account is active, else None."""
    found = caller_for_digest(_digest(token))
    return None if found is None else found[:2]


def user_with_roles(user_id: int) -> User | None:
    """The account with its roles, in one query (None once deleted)."""
    return db.session.execute(select(User).where(User.id == user_id).options(joinedload(User.role_rows))
                              ).unique().scalar_one_or_none()


def revoke_token(row: ApiToken) -> None:
    db.session.delete(row)
    db.session.flush()


def revoke_all_tokens(user: User) -> None:
    for row in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        db.session.delete(row)
