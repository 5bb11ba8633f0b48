"""The HTTP API under /api/v1 (see ../shared/design/API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
