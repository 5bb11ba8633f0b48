"""The OpenAPI 3.1 description of /api/v1: a base document here, paths and schemas registered by each API module.

A feature module documents its endpoints next to its views:

    openapi.register(
        paths={"/contests/{slug}": {"get": openapi.operation(
            "Read a contest", tag="contests", operation_id="getContest", access="public",
            parameters=[openapi.path_param("slug", "The contest's slug.", {"type": "string"})],
            ok=(200, "The contest", openapi.ref("Contest")), errors=(404,))}},
        schemas={"Contest": {...}},
    )

tests/api/test_openapi.py compares the result with app.url_map both ways, so a route without its document (or a
document without its route) fails the suite.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from contest.api.common import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT

UNSAFE_METHODS = ("post", "put", "patch", "delete")

# Who may call an operation, as OpenAPI security requirements (see operation()'s `access`). The session cookie
# needs the CSRF header on unsafe methods; register() adds it, so modules need not.
ACCESS = ("none", "public", "signed_in", "role")
NONE: list[dict] = []
SIGNED_IN: list[dict] = [{"bearerAuth": []}, {"sessionCookie": []}]

# Each error status the API uses, its component name and the codes it carries.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Malformed JSON (`invalid_json`), a body that is not an object, a field of the wrong type or "
                        "a bad query parameter (`bad_request`), or a missing CSRF token on a cookie-authenticated "
                        "change (`csrf_failed`)."),
    401: ("Unauthorized", "No credentials, or a token that is unknown, revoked or expired (`unauthorized`)."),
    403: ("Forbidden", "Signed in without the role this needs (`forbidden`)."),
    404: ("NotFound", "No such thing, or not yours to know about (`not_found`)."),
    409: ("Conflict", "The request conflicts with the current state (duplicate, deadline passed...)."),
    413: ("TooLarge", "The body is larger than the API accepts (`too_large`)."),
    415: ("UnsupportedMediaType", "The body is not JSON (`unsupported_media_type`)."),
    422: ("Invalid", "Valid JSON that breaks a rule; `fields` names the fields at fault (`invalid`, ...)."),
    429: ("RateLimited", "Too many attempts in a short time (`rate_limited`)."),
    503: ("Unavailable", "The service cannot answer for a moment (`unavailable`)."),
}

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "contest API",
        "version": "1",
        "description": (
            "Quizzes and writing contests. JSON in and out (UTF-8); times are ISO 8601 with an offset. Error "
            "messages follow `Accept-Language` (`vi` by default, or `en`); the `code` is for programs. Lists take "
            "`?limit=` (default 50, at most 500) and `?offset=` and answer `{items, total}`. Authenticate with "
            "`Authorization: Bearer <token>` (from `POST /auth/token`); browser scripts may use the session cookie "
            "instead, sending the page's CSRF token in `X-CSRFToken` on POST, PUT, PATCH and DELETE. A request "
            "that carries a bearer token is refused (401) when the token is not valid, even on public endpoints."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "tags": [
        {"name": "platform", "description": "Health and this description."},
        {"name": "accounts", "description": "Registration, tokens, the signed-in person and roles."},
        {"name": "units", "description": "The tree of units (city, ward or commune, cell) members belong to."},
        {"name": "contests", "description": "Quiz and writing contests, addressed by slug."},
        {"name": "questions", "description": "The question bank: questions, versions, import and export."},
        {"name": "rounds", "description": "The rounds of a quiz contest."},
        {"name": "attempts", "description": "Taking a round: start, save answers, submit, review."},
        {"name": "quiz", "description": "Leaderboards, unit leaderboards and publishing of quiz rounds."},
    ],
    "paths": {},
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "A token from POST /auth/token; it expires and is revoked by "
                                          "DELETE /auth/token."},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                              "description": "The website's sign-in cookie, for scripts on our own pages."},
            "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                          "description": "The page's CSRF token (meta csrf-token); needed with the session cookie "
                                         "on POST, PUT, PATCH and DELETE."},
        },
        "parameters": {
            "limit": {"name": "limit", "in": "query", "required": False,
                      "description": f"How many items to return (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
                      "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
            "offset": {"name": "offset", "in": "query", "required": False,
                       "description": "How many items to skip.",
                       "schema": {"type": "integer", "minimum": 0, "default": 0}},
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$",
                                     "description": "Stable, for programs.", "examples": ["email_taken"]},
                            "message": {"type": "string", "description": "For people, in the requested language."},
                            "fields": {"type": "object", "description": "Messages per request field at fault.",
                                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                        },
                        "additionalProperties": True,
                    },
                },
            },
            "Id": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                   "description": "Opaque to clients; sent back as a number or a string of digits."},
            "DateTime": {"type": "string", "format": "date-time", "examples": ["2025-05-19T02:00:00+00:00"]},
        },
        "responses": {
            name: {"description": description,
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for name, description in ERRORS.values()
        },
    },
}

_paths: dict[str, dict[str, dict]] = {}
_schemas: dict[str, dict] = {}


def register(paths: Mapping[str, Mapping[str, dict]], schemas: Mapping[str, dict] | None = None) -> None:
    """Add a module's paths ({"/path/{param}": {"get": operation}}, relative to /api/v1) and schemas."""
    for path, operations in paths.items():
        target = _paths.setdefault(path, {})
        for method, op in operations.items():
            if method in target:
                raise ValueError(f"{method.upper()} {path} is documented twice")
            op = copy.deepcopy(op)
            if method in UNSAFE_METHODS and op.get("security"):
                op["security"] = [{**req, "csrfToken": []} if "sessionCookie" in req else req
                                  for req in op["security"]]
            target[method] = op
    for name, schema in (schemas or {}).items():
        if name in _schemas or name in BASE["components"]["schemas"]:
            raise ValueError(f"schema {name} is defined twice")
        _schemas[name] = copy.deepcopy(schema)


def document() -> dict[str, Any]:
    """The whole description, as served at GET /api/v1/openapi.json."""
    doc = copy.deepcopy(BASE)
    doc["paths"] = copy.deepcopy(_paths)
    doc["components"]["schemas"].update(copy.deepcopy(_schemas))
    return doc


# --- helpers for writing operations -----------------------------------------------------------------------

def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(item: dict) -> dict:
    return {"type": "object", "required": ["items", "total"],
            "properties": {"items": {"type": "array", "items": item}, "total": {"type": "integer", "minimum": 0}}}


def path_param(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or ref("Id")}


LIST_PARAMS = [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}]


def operation(summary: str, *, tag: str, operation_id: str, ok: tuple[int, str, dict | None],
              access: str, body: dict | None = None, errors: Iterable[int] = (),
              parameters: Iterable[dict] = (), description: str | None = None,
              headers: Mapping[str, dict] | None = None) -> dict:
    """One operation. `ok` is (status, description, schema or None for no body). `access` is one of
    "none"      no credentials looked at (the view is marked @skip_auth);
    "public"    anyone, credentials optional (a bad bearer token still gets its 401);
    "signed_in" a 401 without credentials;
    "role"      also a 403 without the role (write which role in `description`).
    A `body` (a JSON schema) adds 400, 413 and 415.
    """
    status, ok_description, schema = ok
    answer: dict[str, Any] = {"description": ok_description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    if headers:
        answer["headers"] = dict(headers)
    codes = set(errors)
    if body is not None:
        codes |= {400, 413, 415}
    if access not in ACCESS:
        raise ValueError(f"unknown access {access!r}")
    if access != "none":
        codes.add(401)
    if access == "role":
        codes.add(403)
    op: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "security": {"none": NONE, "public": [{}, *SIGNED_IN]}.get(access, SIGNED_IN),
        "responses": {str(status): answer,
                      **{str(code): {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in sorted(codes)}},
    }
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = list(parameters)
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op
