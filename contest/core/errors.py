"""Errors raised by services: a code for machines, a translatable message for people, an HTTP status for both."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, message: Any, code: str | None = None, fields: dict[str, list[Any]] | None = None,
                 **extra: Any) -> None:
        super().__init__(str(message))
        self.message = message  # often a lazy string, rendered in the reader's language
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra


class Invalid(ServiceError):
    status = 422
    code = "invalid"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


class BadRequest(ServiceError):
    """Malformed input: not JSON, not an object, or a field of the wrong type."""

    status = 400
    code = "bad_request"


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "unsupported_media_type"
