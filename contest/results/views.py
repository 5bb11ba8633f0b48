"""Public result pages (a contest's published results, the winners' entries, certificate verification), a member's
own results and certificates, and certificate downloads."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__)
