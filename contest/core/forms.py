"""Helpers between forms and services."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from contest.core.errors import ServiceError

# Service field names that a form calls differently.
_ALIASES = {"unit_id": ("unit_id", "unit"), "parent_id": ("parent_id", "parent")}


def apply_service_error(form: FlaskForm, exc: ServiceError) -> None:
    """Show a service's error on the form: on the fields it names, else as a flash message.

    Messages become plain strings here: a lazy translated string counts as safe markup, so one quoting a unit
    name, a topic or a cell of an uploaded file would otherwise reach the page unescaped.
    """
    placed = False
    for name, messages in exc.fields.items():
        messages = [str(m) for m in messages]
        for candidate in _ALIASES.get(name, (name,)):
            field = getattr(form, candidate, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*list(field.errors or []), *messages]
                placed = True
                break
    if not placed or not exc.fields:
        flash(str(exc.message), "error")
