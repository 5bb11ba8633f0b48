"""What every API endpoint shares: JSON bodies, lists with limit/offset, times, errors and response headers."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from werkzeug.routing import IntegerConverter

from contest.core.clock import as_utc, jsonable  # noqa: F401  (jsonable: for the API's modules)
from contest.core.errors import BadRequest, ServiceError, TooLarge, UnsupportedMediaType
from contest.extensions import db
from contest.web import error_response

# Database identifiers are signed 64-bit at most; anything larger cannot name a row (and would overflow SQLite).
MAX_ID = 2**63 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class IdConverter(IntegerConverter):
    """`<id:name>` in API paths: a positive integer small enough to be a database id, else the route is a 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's name)
        super().__init__(map, min=1, max=MAX_ID)


def add_converters(state) -> None:
    state.app.url_map.converters.setdefault("id", IdConverter)


# --- request and response hooks (wired in contest/api/__init__.py) ---------------------------------------

def limit_body() -> None:
    """JSON bodies stay under API_MAX_JSON_BYTES (file uploads, sent as multipart, keep MAX_CONTENT_LENGTH)."""
    if request.mimetype == "multipart/form-data":
        return
    limit = current_app.config["API_MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(_l("The request body is larger than %(n)d bytes.", n=limit))
    # Bodies sent without a Content-Length (chunked) are read up to this limit only; read_json refuses them.
    request.max_content_length = limit


def finish_response(resp):
    if g.get("api_user_id") is not None:
        # An answer for one person: no cache anywhere may keep it, whatever the view said.
        resp.headers["Cache-Control"] = "no-store"
    else:
        resp.headers.setdefault("Cache-Control", "no-store")
    if resp.status_code == 401:
        resp.headers.setdefault("WWW-Authenticate", 'Bearer realm="contest"')
    resp.headers.setdefault("Content-Language", str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
    return resp


def service_error_response(exc: ServiceError):
    """Nothing of a failed request is kept: roll back, then answer with the error shape."""
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)


# --- JSON bodies ------------------------------------------------------------------------------------------

def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID <= value <= MAX_ID


def _as_id(value: Any) -> Any:
    """Ids are integers; a client that treats them as opaque strings may send "12" back."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        value = int(value.strip()) if len(value.strip()) <= 20 else value
    return value


# A field type -> (check, message). The names match OpenAPI types so that the docs read the same.
FIELD_TYPES: dict[str, tuple[Callable[[Any], bool], Any]] = {
    "string": (lambda v: isinstance(v, str), _l("Must be a string.")),
    "integer": (_is_id, _l("Must be an integer.")),
    # 1e999 parses as infinity: not a number anyone meant.
    "number": (lambda v: isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v),
               _l("Must be a number.")),
    "boolean": (lambda v: isinstance(v, bool), _l("Must be true or false.")),
    "id": (_is_id, _l("Must be an identifier (a whole number).")),
    "object": (lambda v: isinstance(v, dict), _l("Must be an object.")),
    "array": (lambda v: isinstance(v, list), _l("Must be a list.")),
    "string[]": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                 _l("Must be a list of strings.")),
    "integer[]": (lambda v: isinstance(v, list) and all(_is_id(x) for x in v), _l("Must be a list of integers.")),
    "id[]": (lambda v: isinstance(v, list) and all(_is_id(x) for x in v), _l("Must be a list of identifiers.")),
}


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def read_json(spec: Mapping[str, str] | None = None, *, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object; with `spec` ({field: type name from FIELD_TYPES}), only those fields, each
    type-checked, absent or null ones as None (the service then says what is missing, with a 422).

    400 for malformed JSON, a body that is not an object or a field of the wrong type; 413 when too large;
    415 for a body that is not JSON. `optional=True` lets an empty body stand for {}.
    """
    mimetype = request.mimetype
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A body sent in chunks is cut at the limit by werkzeug, not refused: refuse it here.
        raise TooLarge(_l("The request body is larger than %(n)d bytes.", n=limit))
    empty = not raw.strip()
    if empty and optional:
        return dict.fromkeys(spec or (), None)
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(_l("Send the body as JSON (Content-Type: application/json)."))
    if empty:
        raise BadRequest(_l("Send a JSON object in the request body."))
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise BadRequest(_l("The request body is not valid JSON."), code="invalid_json") from None
    if not isinstance(data, dict):
        raise BadRequest(_l("The request body must be a JSON object."))
    if spec is None:
        return data
    values: dict[str, Any] = {}
    errors: dict[str, list] = {}
    for name, kind in spec.items():
        value = data.get(name)
        if kind == "id":
            value = _as_id(value)
        elif kind == "id[]" and isinstance(value, list):
            value = [_as_id(v) for v in value]
        check, message = FIELD_TYPES[kind]
        if value is not None and not check(value):
            errors[name] = [message]
        values[name] = value
    if errors:
        raise BadRequest(_l("Some fields have the wrong type."), fields=errors)
    return values


# --- lists ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > 19 or not low <= int(text) <= high:
        msg = _l("Must be a whole number from %(low)d to %(high)d.", low=low, high=high)
        raise BadRequest(msg, fields={name: [msg]})
    return int(text)


def page_params(default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> Page:
    """?limit= (1..maximum, default 50) and ?offset= (0 or more) of a list request; 400 when malformed."""
    return Page(limit=_int_arg("limit", default, 1, maximum), offset=_int_arg("offset", 0, 0, MAX_ID))


def paginate_query(stmt: Select, serialize: Callable[[Any], dict], page: Page | None = None) -> dict:
    """{"items", "total"} of a select, which must have a stable ORDER BY. Scalars when the select has one
    column (a model), rows otherwise."""
    page = page or page_params()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(page.limit).offset(page.offset))
    rows = result.scalars().all() if len(stmt.column_descriptions) == 1 else result.all()
    return {"items": [serialize(r) for r in rows], "total": total}


def paginate_list(rows: Sequence[Any] | Iterable[Any], serialize: Callable[[Any], dict],
                  page: Page | None = None) -> dict:
    """{"items", "total"} of a list already computed in Python (a tree in display order, a ranking)."""
    page = page or page_params()
    rows = list(rows)
    return {"items": [serialize(r) for r in rows[page.offset:page.offset + page.limit]], "total": len(rows)}


# --- values -----------------------------------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 with its offset (UTC), e.g. 2025-05-19T02:00:00+00:00."""
    return None if value is None else as_utc(value).isoformat()
