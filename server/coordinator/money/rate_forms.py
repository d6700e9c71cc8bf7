"""Forms of the rates page (km rates, flat allowances, tax-free limits) and the certificate form.

Amounts are typed in euros with a decimal comma or point and become integer cents here, exactly
(more than two decimals is an error, never rounded).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, Field, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from server.coordinator.common.forms import CheckboxesField, choices
from server.money.limits import LEGAL_BASIS_LABELS
from server.money.models import ALLOWANCE_UNITS, LEGAL_BASES
from server.money.rates import TRAVEL_MODES
from server.money.reports import KIND_LABELS
from server.numbers import WholeNumberField, normalise_number
from sync.vocabulary import ACTIVITY_KINDS

TRAVEL_MODE_LABELS = {"car": _l("Car"), "motorbike": _l("Motorbike"), "bicycle": _l("Bicycle")}
UNIT_LABELS = {"hour": _l("per hour"), "meeting": _l("per meeting"), "month": _l("per month")}


class EuroField(DecimalField):
    """Euros as typed in Germany ("0,30") or elsewhere ("0.30"); `cents` is the exact integer.

    A text input, not type=number: a browser's number input refuses the decimal comma in some locales.
    """

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["render_kw"] = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            valuelist = [normalise_number(valuelist[0].replace("€", ""))]
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():  # "NaN", "Infinity"
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))

    def pre_validate(self, form: FlaskForm) -> None:
        if isinstance(self.data, Decimal) and -int(self.data.normalize().as_tuple().exponent) > 2:
            raise ValidationError(_l("At most two decimal places (whole cents)."))

    @property
    def cents(self) -> int:
        assert isinstance(self.data, Decimal)
        return int(self.data * 100)


def _no_far_dates(form: FlaskForm, field: Field) -> None:
    if isinstance(field.data, dt.date) and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class KmRateForm(FlaskForm):
    mode = SelectField(_l("Travel mode"), choices=choices([(m, str(TRAVEL_MODE_LABELS[m])) for m in TRAVEL_MODES]))
    valid_from = DateField(_l("Valid from"), validators=[DataRequired(), _no_far_dates])
    euros_per_km = EuroField(_l("Euros per km"), places=2,
                             validators=[InputRequired(), NumberRange(min=0, max=10)])


class AllowanceRateForm(FlaskForm):
    unit = SelectField(_l("Unit"), choices=[])
    legal_basis = SelectField(_l("Legal basis"), choices=[])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired(), _no_far_dates])
    euros = EuroField(_l("Amount in euros"), places=2, validators=[InputRequired(), NumberRange(min=0, max=1000)])
    activity_kinds = CheckboxesField(_l("Activity kinds covered (none ticked: every kind)"), choices=[])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.unit.choices = choices([(u, str(UNIT_LABELS[u])) for u in ALLOWANCE_UNITS])
        self.legal_basis.choices = choices([(b, str(LEGAL_BASIS_LABELS[b])) for b in LEGAL_BASES])
        self.activity_kinds.choices = choices([(k, str(KIND_LABELS[k])) for k in ACTIVITY_KINDS])


class TaxFreeLimitForm(FlaskForm):
    year = WholeNumberField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    legal_basis = SelectField(_l("Legal basis"), choices=[])
    euros = EuroField(_l("Tax-free amount in euros"), places=2,
                      validators=[InputRequired(), NumberRange(min=0, max=100_000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.legal_basis.choices = choices([(b, str(LEGAL_BASIS_LABELS[b])) for b in LEGAL_BASES])


class CertificateForm(FlaskForm):
    period_from = DateField(_l("From"), validators=[DataRequired(), _no_far_dates])
    period_to = DateField(_l("Until"), validators=[DataRequired(), _no_far_dates])
    signer_name = StringField(_l("Signed by"), validators=[Optional(), Length(max=200)])

    def validate_period_to(self, field: DateField) -> None:
        if field.data and self.period_from.data and field.data < self.period_from.data:
            raise ValidationError(_l("The end lies before the start."))
