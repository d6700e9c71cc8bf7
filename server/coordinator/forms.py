"""The coordinator's forms (Flask-WTF: every POST form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

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
    level = SelectField(_l("Level"), choices=choices([("", "–")] + [(v, v) for v in LANGUAGE_LEVELS]), validate_choice=True)
    dialect = StringField(_l("Dialect"), validators=[Optional(), Length(max=60)])


class ProfileForm(FlaskForm):
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    languages = FieldList(FormField(LanguageRow), min_entries=1, max_entries=12)
    specialisations = CheckboxesField(_l("Specialisations"), choices=[])
    districts = CheckboxesField(_l("Districts"), choices=choices(list(DISTRICTS.items())))
    availability = TextAreaField(_l("Availability"), validators=[Optional(), Length(max=1000)])
    monthly_hour_limit = IntegerField(_l("Monthly hour limit"), validators=[Optional(), NumberRange(min=0, max=400)])


class QualificationForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    completed_on = DateField(_l("Completed on"), validators=[DataRequired()])
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=200)])


def specialisation_choices() -> list[SelectChoice]:
    from server.coordinator.labels import SPECIALISATION_LABELS

    return choices([(code, str(SPECIALISATION_LABELS[code])) for code in SPECIALISATIONS])


def qualification_choices() -> list[SelectChoice]:
    from server.coordinator.labels import QUALIFICATION_LABELS

    return choices([(code, str(QUALIFICATION_LABELS[code])) for code in QUALIFICATION_KINDS])


__all__ = ["ActionForm", "LanguageForm", "LoginForm", "OrganizationForm", "ProfileForm",
           "QualificationForm", "TotpForm"]
