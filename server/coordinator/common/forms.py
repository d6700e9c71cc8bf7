"""The coordinator's forms (Flask-WTF: every POST form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from server.coordinator.common.opened_forms import OpenedForm
from server.labels import LANGUAGE_LEVEL_LABELS
from server.numbers import DecimalNumberField, WholeNumberField
from sync.vocabulary import DISTRICTS, LANGUAGE_LEVELS, QUALIFICATION_KINDS, SPECIALISATIONS


def choices(pairs: list[tuple[object, str]] | tuple[tuple[object, str], ...]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


class TotpForm(FlaskForm):
    code = StringField(_l("Six-digit code"), validators=[DataRequired(), Length(min=6, max=8)])


class LanguageForm(FlaskForm):
    lang = SelectField(_l("Language"), choices=[])
    next = StringField()


class OrganizationForm(FlaskForm):
    organization = SelectField(_l("Organization"), coerce=int, choices=[])


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LanguageRow(Form):
    language = StringField(_l("Language code"), validators=[Optional(), Length(min=2, max=12)])
    level = SelectField(_l("Level"), choices=choices([("", "–")] + [(v, LANGUAGE_LEVEL_LABELS.get(v, v)) for v in LANGUAGE_LEVELS]),
                        validate_choice=True)
    dialect = StringField(_l("Dialect"), validators=[Optional(), Length(max=60)])


class ProfileForm(OpenedForm):
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    languages = FieldList(FormField(LanguageRow), min_entries=1, max_entries=12)
    specialisations = CheckboxesField(_l("Specialisations"), choices=[])
    districts = CheckboxesField(_l("Districts"), choices=choices(list(DISTRICTS.items())))
    availability = TextAreaField(_l("Availability"), validators=[Optional(), Length(max=1000)])
    monthly_hour_limit = WholeNumberField(_l("Monthly hour limit"), validators=[Optional(), NumberRange(min=0, max=400)])


class QualificationForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=200)])


def specialisation_choices() -> list[SelectChoice]:
    from server.labels import SPECIALISATION_LABELS

    return choices([(code, str(SPECIALISATION_LABELS[code])) for code in SPECIALISATIONS])


def qualification_choices() -> list[SelectChoice]:
    from server.labels import QUALIFICATION_LABELS

    return choices([(code, str(QUALIFICATION_LABELS[code])) for code in QUALIFICATION_KINDS])


# ------------------------------------------------------------------ review, conflicts, privacy, import

class ActivityForm(OpenedForm):
    """A coordinator's correction of a synced activity (the wire fields a guide writes)."""

    date = DateField(_l("Date"), validators=[DataRequired()])
    minutes = WholeNumberField(_l("Minutes"), validators=[DataRequired(), NumberRange(min=1, max=1440)])
    kind = SelectField(_l("Kind"), choices=[])
    district = SelectField(_l("District"), choices=[])
    travel_km = WholeNumberField(_l("Travel (km)"), validators=[Optional(), NumberRange(min=0, max=2000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    needs_professional_help = BooleanField(_l("Needs professional help"))


class ConflictForm(FlaskForm):
    choice = SelectField(_l("Decision"), choices=choices([("kept", "kept"), ("lost", "lost"), ("new", "new")]))
    value = TextAreaField(_l("New value"), validators=[Optional(), Length(max=2000)])


class EraseForm(FlaskForm):
    confirm_name = StringField(_l("Type the guide’s full name to confirm"), validators=[DataRequired(),
                                                                                         Length(max=200)])
    keep_certificates = BooleanField(_l("The guide asked to keep her certificates: they stay valid, with her "
                                        "name (otherwise they are revoked and anonymised)."))


class ImportForm(FlaskForm):
    file = FileField(_l("Guide list (CSV or XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file."))])


class ImportConfirmForm(FlaskForm):
    token = StringField(validators=[DataRequired(), Length(max=4_000_000)])


class RetentionForm(FlaskForm):
    retention_months = WholeNumberField(_l("Anonymise closed records after (months)"),
                                    validators=[DataRequired(), NumberRange(min=12, max=600)])
    booking_retention_years = WholeNumberField(_l("Keep booking records of erased guides (years)"),
                                           validators=[DataRequired(), NumberRange(min=6, max=30)])


__all__ = ["ActionForm", "LanguageForm", "LoginForm", "OrganizationForm", "ProfileForm",
           "QualificationForm", "TotpForm"]


# ------------------------------------------------------------------ requests, assignments, plenum

def _district_choices() -> list[SelectChoice]:
    return choices([("", "–")] + list(DISTRICTS.items()))


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = StringField(_l("Kind of institution"), validators=[Optional(), Length(max=60)])
    district = SelectField(_l("District"), choices=_district_choices())
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)])
    contact_email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])


class RequestForm(FlaskForm):
    """A partner's request; every field is optional here (an incomplete request is kept and flagged)."""

    partner_id = SelectField(_l("Partner institution"), choices=[])
    field = SelectField(_l("Field"), choices=[])
    language = StringField(_l("Language code"), validators=[Optional(), Length(min=2, max=12)])
    dialect = StringField(_l("Dialect"), validators=[Optional(), Length(max=60)])
    district = SelectField(_l("District"), choices=_district_choices())
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    expected_hours = DecimalNumberField(_l("Expected effort (hours)"), places=1,
                                  validators=[Optional(), NumberRange(min=0, max=1500)])
    contact = StringField(_l("Contact at the partner"), validators=[Optional(), Length(max=300)])
    people_count = WholeNumberField(_l("Number of people"), validators=[Optional(), NumberRange(min=1, max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end lies before the start."))


class OfferForm(FlaskForm):
    """Offer an assignment made from a request to one or more guides, with a pseudonymous client."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    client_id = SelectField(_l("Client"), choices=[])
    client_code = StringField(_l("New client code"), validators=[Optional(), Length(max=40)])
    client_language = StringField(_l("Client's language code"), validators=[Optional(), Length(min=2, max=12)])
    household_size = WholeNumberField(_l("Household size"), validators=[Optional(), NumberRange(min=1, max=30)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    planned_hours = DecimalNumberField(_l("Planned effort (hours)"), places=1,
                                 validators=[Optional(), NumberRange(min=0, max=1500)])
    guides = CheckboxesField(_l("Guides"), coerce=int, choices=[])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end lies before the start."))


class AgreementForm(OpenedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    planned_hours = DecimalNumberField(_l("Planned effort (hours)"), places=1,
                                 validators=[Optional(), NumberRange(min=0, max=1500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end lies before the start."))


class GuidesForm(FlaskForm):
    """A list of guide checkboxes (more offers; plenum attendance)."""

    guides = CheckboxesField(_l("Guides"), coerce=int, choices=[])


class MessageForm(FlaskForm):
    """A short message to one guide or to all: the recipient is checked by the route (404 if not ours)."""

    recipient = StringField(_l("To"), validators=[DataRequired(), Length(max=20)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=1000)])


class PlenumForm(FlaskForm):
    date = DateField(_l("Date"), validators=[DataRequired()])
    minutes = WholeNumberField(_l("Duration (minutes)"), default=120, validators=[DataRequired(), NumberRange(min=1, max=1440)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])


# ------------------------------------------------------------------ public pages (server/public/)

class PublicFormSettingsForm(FlaskForm):
    form_enabled = BooleanField(_l("Take requests through the public form"))
    privacy_notice = TextAreaField(_l("Data protection notice (Art. 13 GDPR)"),
                                   validators=[Optional(), Length(max=8000)])


class DirectoryProfileForm(FlaskForm):
    districts = CheckboxesField(_l("Districts served"), choices=choices(list(DISTRICTS.items())))
    specialisations = CheckboxesField(_l("Specialisations"), choices=[])
    offer = TextAreaField(_l("What the project offers"), validators=[Optional(), Length(max=2000)])
    how_to_get_help = TextAreaField(_l("How to get help"), validators=[Optional(), Length(max=2000)])
    how_to_become_guide = TextAreaField(_l("How to become a guide"), validators=[Optional(), Length(max=2000)])
    contact = TextAreaField(_l("Contact"), validators=[Optional(), Length(max=2000)])
