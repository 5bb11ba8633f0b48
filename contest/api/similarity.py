"""The similarity check of a writing contest through the API."""

from contest.api import bp  # noqa: F401
