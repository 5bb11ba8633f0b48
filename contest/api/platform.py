"""Platform endpoints: health (for load balancers and monitors) and the OpenAPI description."""

from __future__ import annotations

from contextlib import suppress

from flask import current_app, jsonify
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from contest.api import bp, openapi
from contest.api.auth import skip_auth
from contest.extensions import db
from contest.web import error_response


@bp.get("/health")
@skip_auth
def health():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database is unreachable", exc_info=True)
        with suppress(SQLAlchemyError):
            db.session.rollback()
        return error_response(503, "unavailable", _l("The database cannot be reached."))
    db.session.rollback()  # end the read-only transaction
    return {"status": "ok"}


@bp.get("/openapi.json")
@skip_auth
def openapi_document():
    return jsonify(openapi.document())


openapi.register(
    paths={
        "/health": {"get": openapi.operation(
            "Health", tag="platform", operation_id="health", access="none",
            description="200 while the application can reach its database, else 503.",
            ok=(200, "Up", {"type": "object", "required": ["status"],
                            "properties": {"status": {"type": "string", "const": "ok"}}}),
            errors=(503,))},
        "/openapi.json": {"get": openapi.operation(
            "This description (OpenAPI 3.1)", tag="platform", operation_id="openapi", access="none",
            ok=(200, "The OpenAPI document", {"type": "object"}))},
    },
)
