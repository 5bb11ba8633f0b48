"""Forms of the unit pages and of the spreadsheet imports. Rules (unique names, cycles, codes) live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the unit's name.")), Length(max=200)])
    # The page draws the options from the unit tree (units/_macros.html); the service checks the choice.
    parent_id = SelectField(_l("Parent unit"), validate_choice=False)
    code = StringField(_l("Code (optional)"), validators=[Optional(), Length(max=50)],
                       description=_l("A short unique code, such as HN-LB. Member imports may name the unit by it."))


class RenameUnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the unit's name.")), Length(max=200)])
    code = StringField(_l("Code (optional)"), validators=[Optional(), Length(max=50)])


class MoveUnitForm(FlaskForm):
    parent_id = SelectField(_l("New parent unit"), validate_choice=False)


class DeleteUnitForm(FlaskForm):
    """Only the CSRF token: the service decides whether the unit may go."""


class ImportForm(FlaskForm):
    file = FileField(_l("File (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file to import."))])
