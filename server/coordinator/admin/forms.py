"""Forms of the admin's organization set-up (server/coordinator/admin/views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from server.coordinator.common.forms import choices
from server.numbers import WholeNumberField
from server.organizations.reporting import BOOKING_ACCOUNT_MAX, BOOKING_KEYS, FUNDING_REFERENCE_MAX


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
    """A new staff member: she chooses her password herself through the invitation link."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices([("coordinator", _l("Coordinator")), ("admin", _l("Administrator"))]),
                       default="coordinator")


class ReportingForm(FlaskForm):
    """Funding reference and one booking account field per expense category and allowance basis
    (`booking_mileage`, …, `booking_ehrenamt_26a`); the labels come from the template."""

    funding_reference = StringField(_l("Funding reference (Förderkennzeichen)"),
                                    validators=[Optional(), Length(max=FUNDING_REFERENCE_MAX)])

    def booking_fields(self) -> list[tuple[str, StringField]]:
        return [(key, getattr(self, f"booking_{key}")) for key in BOOKING_KEYS]

    def booking_accounts(self) -> dict[str, str]:
        return {key: field.data or "" for key, field in self.booking_fields()}


for _key in BOOKING_KEYS:
    setattr(ReportingForm, f"booking_{_key}", StringField(validators=[Optional(), Length(max=BOOKING_ACCOUNT_MAX)]))


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG or JPEG)"), validators=[FileRequired()])
