"""Certificates through the API: verification by code, downloads, lists and revocation."""

from __future__ import annotations
