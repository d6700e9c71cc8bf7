"""The public request form: the complete description of a wanted assignment (the city's standards)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from server.assignments.matching import GENERAL_FIELD
from sync.vocabulary import DISTRICTS, SPECIALISATIONS

# The languages most asked for in Hannover first; "other" names the language in the dialect field.
REQUEST_LANGUAGES = ("ar", "fa", "prs", "ps", "ku", "tr", "ru", "uk", "pl", "ro", "bg", "sq", "sr", "ti", "so",
                     "am", "ur", "vi", "zh", "fr", "es", "en")
FIELD_CODES = (GENERAL_FIELD, *SPECIALISATIONS)
REQUIRED = _l("Please fill in this field.")


class PublicRequestForm(FlaskForm):
    institution = StringField(_l("Institution"), validators=[DataRequired(REQUIRED), Length(max=200)],
                              description=_l("The school, office, clinic or association asking for a guide."))
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(REQUIRED), Length(max=200)],
                               description=_l("Who at your institution we may call back about this request."))
    contact_email = EmailField(_l("Email"), validators=[
        DataRequired(REQUIRED), Length(max=254),
        Regexp(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", message=_l("Please enter a valid email address."))],
        description=_l("The confirmation with your private status link is sent here."))
    contact_phone = StringField(_l("Telephone"), validators=[
        DataRequired(REQUIRED), Length(max=40),
        Regexp(r"^[0-9+()/ .-]{5,40}$", message=_l("Please enter a phone number: digits, spaces and + - / ( ) only."))],
        description=_l("A number where the contact person can be reached during office hours."))
    field = SelectField(_l("Kind of help"), validators=[DataRequired(REQUIRED)],
                        description=_l("General help, or one of the guides' specialisations."))
    description = TextAreaField(_l("What help is needed"), validators=[DataRequired(REQUIRED), Length(min=20, max=4000)],
                                description=_l("The task, the place and what the guide should bring. Please write "
                                               "no names, addresses or health details of the person seeking help."))
    language = SelectField(_l("Language of the person seeking help"), validators=[DataRequired(REQUIRED)],
                           description=_l("The language the guide should speak with them."))
    dialect = StringField(_l("Dialect or further languages"), validators=[Optional(), Length(max=60)],
                          description=_l("For example “Sorani” or “also some German”. Optional."))
    district = SelectField(_l("District"), validators=[DataRequired(REQUIRED)],
                           description=_l("The Hannover district where the help takes place."))
    starts_on = DateField(_l("From"), validators=[InputRequired(REQUIRED)],
                          description=_l("The first day the help is needed."))
    ends_on = DateField(_l("Until"), validators=[InputRequired(REQUIRED)],
                        description=_l("The last day, as far as you know it."))
    expected_hours = DecimalField(_l("Expected effort (hours)"), places=1,
                                  validators=[InputRequired(REQUIRED), NumberRange(min=0.5, max=500)],
                                  description=_l("All hours together over the whole period, estimated."))
    people_count = IntegerField(_l("Number of people"), validators=[InputRequired(REQUIRED), NumberRange(min=1, max=30)],
                                description=_l("How many people the guide would accompany (a family counts each person)."))
    consent = RadioField(_l("The person seeking help agrees to be contacted by a guide"),
                         choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("Not yet"))], validators=[InputRequired(REQUIRED)],
                         description=_l("Only ask for a guide with their agreement; “not yet” means the guide "
                                        "contacts you first."))
    # The honeypot: hidden from people by the page's style sheet, filled in by form robots.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end lies before the start."))

    def validate_website(self, field: StringField) -> None:
        if field.data:
            raise ValidationError(_l("This field must stay empty. Please clear it and send the form again."))


def district_choices() -> list[tuple[str, str]]:
    return [("", "–")] + list(DISTRICTS.items())


class LinkForm(FlaskForm):
    """Ask for a one-time link that fills the request form with the institution's details."""

    email = EmailField(_l("Email"), validators=[
        DataRequired(REQUIRED), Length(max=254),
        Regexp(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", message=_l("Please enter a valid email address."))])
