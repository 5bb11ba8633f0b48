"""Forms of the administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from contest.units.forms import ImportForm

__all__ = ["ImportForm", "RolesForm"]


class RolesForm(FlaskForm):
    # The page draws one checkbox per role in ROLES itself; unknown values reach the service, which refuses them.
    roles = SelectMultipleField(_l("Roles"), validate_choice=False)
