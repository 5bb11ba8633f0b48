"""Writing contests through the API: categories, entries, versions, submission, withdrawal, attachments."""

from contest.api import bp  # noqa: F401
