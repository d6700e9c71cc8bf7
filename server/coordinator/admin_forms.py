"""Forms of the admin's organization set-up (server/coordinator/admin_views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from server.numbers import WholeNumberField


class NewOrganizationForm(FlaskForm):
    slug = StringField(_l("Short name (slug)"), validators=[DataRequired(), Length(max=63)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class OrganizationSettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # The same bounds as the retention form on the data protection page (forms.RetentionForm).
    retention_months = WholeNumberField(_l("Anonymise closed records after (months)"),
                                    validators=[DataRequired(), NumberRange(min=12, max=600)])
    booking_retention_years = WholeNumberField(_l("Keep booking records of erased guides (years)"),
                                           validators=[DataRequired(), NumberRange(min=6, max=30)])


class BankAccountForm(FlaskForm):
    account_holder = StringField(_l("Account holder"), validators=[DataRequired(), Length(max=70)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(), Length(max=42)])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=11)])


class NewCoordinatorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Initial password (at least 10 characters)"),
                             validators=[DataRequired(), Length(min=10, max=200)])
