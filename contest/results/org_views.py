"""Organiser pages of a contest's results: award tiers and proposals, the awards, result settings (name masking,
certificate signer, participation certificates), publishing and unpublishing."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results_admin", __name__)
