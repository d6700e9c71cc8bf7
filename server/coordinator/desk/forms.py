"""Forms of the account pages: passwords (forgotten, set through a link, changed) and mail preferences."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from server.coordinator.common.forms import CheckboxesField


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"), validators=[DataRequired(), Length(max=200)])
    confirmation = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=500)])


class MailPreferencesForm(FlaskForm):
    kinds = CheckboxesField(_l("Mails I get"), choices=[])
