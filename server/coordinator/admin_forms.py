"""Forms of the admin's organization set-up (server/coordinator/admin_views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from server.coordinator.forms import choices


class NewOrganizationForm(FlaskForm):
    slug = StringField(_l("Short name (slug)"), validators=[DataRequired(), Length(max=63)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class OrganizationSettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    # The same bounds as the retention form on the data protection page (forms.RetentionForm).
    retention_months = IntegerField(_l("Anonymise closed records after (months)"),
                                    validators=[DataRequired(), NumberRange(min=12, max=600)])
    booking_retention_years = IntegerField(_l("Keep booking records of erased guides (years)"),
                                           validators=[DataRequired(), NumberRange(min=6, max=30)])


class BankAccountForm(FlaskForm):
    account_holder = StringField(_l("Account holder"), validators=[DataRequired(), Length(max=70)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(), Length(max=42)])
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=11)])


class NewCoordinatorForm(FlaskForm):
    """A new staff member: she chooses her password herself through the invitation link."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices([("coordinator", _l("Coordinator")), ("admin", _l("Administrator"))]),
                       default="coordinator")
