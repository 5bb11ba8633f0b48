"""Forms for accounts. Rules (uniqueness, strength, units) live in services; forms check shape and presence."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


def unit_choices(tree) -> list[tuple[str, str]]:
    return [("", _l("— choose your unit —"))] + [(str(row.id), row.path_label) for row in tree]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name.")),
                                                         Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])
    unit_id = SelectField(_l("Unit"), validators=[DataRequired(_l("Choose your unit."))], validate_choice=False)
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter a password."))])
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The passwords differ."))],
    )


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name.")),
                                                         Length(max=200)])
    unit_id = SelectField(_l("Unit"), validators=[DataRequired(_l("Choose your unit."))], validate_choice=False)
    date_of_birth = DateField(_l("Date of birth (optional)"), validators=[Optional()])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    new_password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("new_password", _l("The passwords differ."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The passwords differ."))],
    )
