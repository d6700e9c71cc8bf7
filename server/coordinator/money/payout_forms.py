"""Forms of the claim and payout pages (Flask-WTF: each carries the CSRF token)."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from sync import clock


class NewPayoutForm(FlaskForm):
    reference = StringField(_l("Reference (optional)"), validators=[Optional(), Length(max=35)])


class ExportForm(FlaskForm):
    execution_date = DateField(_l("Execution date"), validators=[DataRequired()])

    def validate_execution_date(self, field: DateField) -> None:
        # Banks refuse transfers requested for the past, and a year ahead is surely a typo.
        today = clock.today()
        if field.data and not today <= field.data <= today + dt.timedelta(days=365):
            raise ValidationError(_l("Choose a day from today to one year ahead."))


class PaidForm(FlaskForm):
    paid_on = DateField(_l("Paid on (the bank's day)"), validators=[DataRequired()])

    def validate_paid_on(self, field: DateField) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(_l("The day cannot be in the future."))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the cancellation"), validators=[DataRequired(), Length(max=500)])
    # Only asked (and required) once the payout is exported: its file may be at the bank.
    bank_not_executed = BooleanField(_l("I have checked with the bank: it did not execute this payment file "
                                        "(not sent, or rejected). Its message id becomes void."))
