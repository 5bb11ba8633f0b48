"""The HTTP API under /api/v1 (see ../shared/design/API.md): one blueprint, one module per feature.

Every request passes the same gate (common.limit_body, then auth.authenticate_request) and every answer the same
finish (common.finish_response); a ServiceError anywhere becomes the JSON error shape after a rollback. A feature
adds a module beside accounts.py, defines its routes on `bp` and registers its OpenAPI paths (see openapi.py), then
is imported at the bottom of this file.
"""

from flask import Blueprint

from contest.core.errors import ServiceError
from contest.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The API checks CSRF itself, and only when the session cookie is what authenticates the request (auth.py).
csrf.exempt(bp)

from contest.api import auth, common  # noqa: E402  (they need `bp` defined above)

bp.record_once(common.add_converters)
bp.before_request(common.limit_body)
bp.before_request(auth.authenticate_request)
bp.after_request(common.finish_response)
bp.register_error_handler(ServiceError, common.service_error_response)

# The routes; each module registers its OpenAPI paths when imported.
from contest.api import (  # noqa: E402, F401
    accounts,
    attempts,
    certificates,
    contests,
    dashboard,
    essays,
    judging,
    leaderboards,
    platform,
    questions,
    results,
    similarity,
    units,
)
