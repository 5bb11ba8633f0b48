"""A contest's dashboard figures through the API (organisers)."""

from __future__ import annotations
