"""The desk's forms for qualification courses (server/courses/)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from server.coordinator.common.forms import (
    CheckboxesField,
    choices,
    qualification_choices,
    specialisation_choices,
)
from server.numbers import DecimalNumberField, WholeNumberField


class CourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[])
    specialisation = SelectField(_l("Specialisation"), choices=[])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])
    places = WholeNumberField(_l("Places"), default=20, validators=[DataRequired(), NumberRange(min=1, max=500)])
    required_hours = DecimalNumberField(_l("Hours needed to finish"), places=1, default=0,
                                        validators=[Optional(), NumberRange(min=0, max=1000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = qualification_choices()
        self.specialisation.choices = choices([("", "–")]) + specialisation_choices()

    def validate_specialisation(self, field: SelectField) -> None:
        if self.kind.data == "specialisation" and not field.data:
            raise ValidationError(str(_l("Choose the specialisation this course qualifies for.")))

    def values(self) -> dict[str, object]:
        hours = self.required_hours.data or 0
        return {"title": (self.title.data or "").strip(), "kind": self.kind.data,
                "specialisation": self.specialisation.data or None,
                "description": (self.description.data or "").strip(), "location": (self.location.data or "").strip(),
                "places": self.places.data, "required_minutes": int(round(hours * 60))}


class SessionForm(FlaskForm):
    date = DateField(_l("Date"), validators=[DataRequired()])
    starts_at = StringField(_l("Starts at"), validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$",
                                                                           message=_l("Enter a time as HH:MM."))])
    minutes = WholeNumberField(_l("Duration (minutes)"), default=180,
                               validators=[DataRequired(), NumberRange(min=1, max=1440)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])


class PeopleForm(FlaskForm):
    """Checkboxes of people: the trainers of a course (user ids)."""

    people = CheckboxesField(_l("People"), coerce=int, choices=[])


class SheetForm(FlaskForm):
    """A session's attendance sheet: the registrations ticked as present."""

    people = CheckboxesField(_l("People"), choices=[])


class RegisterGuideForm(FlaskForm):
    guide = SelectField(_l("Guide"), coerce=int, choices=[], validate_choice=True)


class RegisterPersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=254),
        Regexp(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", message=_l("Please enter a valid email address."))])
