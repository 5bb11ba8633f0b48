"""Accounts through the API: register, tokens (issue and revoke), the signed-in person, roles."""

from __future__ import annotations

from flask import Response, request
from flask_babel import lazy_gettext as _l

from contest.accounts import services
from contest.accounts.models import ROLES, User
from contest.api import bp, openapi
from contest.api.auth import current_api_token, current_api_user, roles_required, signed_in
from contest.api.common import iso, read_json
from contest.core.errors import Invalid, Unauthorized
from contest.extensions import db


def user_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "full_name": user.full_name, "unit_id": user.unit_id,
            "roles": user.roles, "created_at": iso(user.created_at)}


@bp.post("/auth/register")
def register():
    body = read_json({"email": "string", "password": "string", "full_name": "string", "unit_id": "id"})
    user = services.register(body["email"], body["password"], body["full_name"], body["unit_id"])
    db.session.commit()
    return user_json(user), 201


@bp.post("/auth/token")
def issue_token():
    body = read_json({"email": "string", "password": "string"})
    missing = {name: [_l("This field is required.")] for name in ("email", "password") if not body[name]}
    if missing:
        # Not an attempt at a password: it neither counts towards the throttle nor gets a 401.
        raise Invalid(_l("Enter your email and password."), fields=missing)
    user = services.authenticate(body["email"], body["password"], request.remote_addr)
    token, row = services.issue_token(user)
    db.session.commit()
    return {"token": token, "token_type": "Bearer", "expires_at": iso(row.expires_at)}


@bp.delete("/auth/token")
def revoke_token():
    row = current_api_token()
    if row is None:
        raise Unauthorized(_l("Send the token to revoke as 'Authorization: Bearer <token>'."))
    services.revoke_token(row)
    db.session.commit()
    return Response(status=204)


@bp.get("/me")
@signed_in
def me():
    return user_json(current_api_user())


@bp.put("/users/<id:user_id>/roles")
@roles_required("admin")
def set_roles(user_id: int):
    body = read_json({"roles": "string[]"})
    if body["roles"] is None:
        msg = _l("Give the list of roles (it may be empty).")
        raise Invalid(msg, fields={"roles": [msg]})
    user = services.get_user(user_id)
    services.set_roles(user, body["roles"], actor=current_api_user(), ip=request.remote_addr)
    db.session.commit()
    return user_json(user)


_ROLES_SCHEMA = {"type": "array", "items": {"type": "string", "enum": list(ROLES)}, "uniqueItems": True}

openapi.register(
    paths={
        "/auth/register": {"post": openapi.operation(
            "Create an account", tag="accounts", operation_id="register", access="public",
            description="A member account in a unit. 409 `email_taken` when the email matches an existing one "
                        "after trimming, NFC and case folding; 422 with `fields` for a missing or bad field.",
            body=openapi.ref("Registration"),
            ok=(201, "The new account", openapi.ref("User")),
            errors=(409, 422))},
        "/auth/token": {
            "post": openapi.operation(
                "Get a bearer token", tag="accounts", operation_id="issueToken", access="public",
                description="401 `bad_credentials` for a wrong email or password. After repeated failures for "
                            "the account or from the address, 429 `rate_limited` for a while, even with the right "
                            "password; successful sign-ins do not count.",
                body=openapi.ref("Credentials"),
                ok=(200, "A token, shown once", openapi.ref("Token")),
                errors=(422, 429)),
            "delete": openapi.operation(
                "Revoke the token of this request", tag="accounts", operation_id="revokeToken",
                access="signed_in", description="Needs the bearer token itself (the session cookie has none).",
                ok=(204, "Revoked", None)),
        },
        "/me": {"get": openapi.operation(
            "The signed-in person", tag="accounts", operation_id="me", access="signed_in",
            ok=(200, "The account", openapi.ref("User")))},
        "/users/{user_id}/roles": {"put": openapi.operation(
            "Set a person's roles", tag="accounts", operation_id="setRoles", access="role",
            description="Admins only. Gives exactly these roles; each grant and revocation is audited. 422 "
                        "`unknown_role`; 409 `own_admin_role` when admins would remove their own admin role.",
            parameters=[openapi.path_param("user_id", "The account's id.")],
            body={"type": "object", "required": ["roles"], "properties": {"roles": _ROLES_SCHEMA}},
            ok=(200, "The account with its new roles", openapi.ref("User")),
            errors=(404, 409, 422))},
    },
    schemas={
        "User": {"type": "object", "required": ["id", "email", "full_name", "unit_id", "roles"],
                 "properties": {"id": openapi.ref("Id"), "email": {"type": "string", "format": "email"},
                                "full_name": {"type": "string"},
                                "unit_id": {"anyOf": [openapi.ref("Id"), {"type": "null"}]},
                                "roles": _ROLES_SCHEMA,
                                "created_at": openapi.ref("DateTime")}},
        "Registration": {"type": "object", "required": ["email", "password", "full_name", "unit_id"],
                         "properties": {"email": {"type": "string", "format": "email"},
                                        "password": {"type": "string", "minLength": 8, "maxLength": 1024},
                                        "full_name": {"type": "string", "maxLength": 200},
                                        "unit_id": openapi.ref("Id")}},
        "Credentials": {"type": "object", "required": ["email", "password"],
                        "properties": {"email": {"type": "string"}, "password": {"type": "string"}}},
        "Token": {"type": "object", "required": ["token", "expires_at"],
                  "properties": {"token": {"type": "string"}, "token_type": {"type": "string", "const": "Bearer"},
                                 "expires_at": openapi.ref("DateTime")}},
    },
)
