"""IBAN and BIC checks (schwifty), as the profile page will call them."""

from __future__ import annotations

import pytest

from server.money.bank import masked_iban, validate_bank_details, validate_bic, validate_iban
from server.money.errors import MoneyError


def test_iban_is_normalised():
    assert validate_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"


@pytest.mark.parametrize("bad", ["", "DE89370400440532013001", "XX00", "DE8937040044053201300"])
def test_bad_iban_is_refused_with_a_field_error(bad):
    with pytest.raises(MoneyError) as err:
        validate_iban(bad)
    assert err.value.fields == {"iban": ["invalid_iban"]}


def test_bic_derived_from_a_german_iban_and_checked_against_its_country():
    assert validate_bic("", "DE89370400440532013000") == "COBADEFFXXX"
    assert validate_bic("cobadeffxxx", "DE89370400440532013000") == "COBADEFFXXX"
    with pytest.raises(MoneyError) as err:
        validate_bic("BNPAFRPPXXX", "DE89370400440532013000")
    assert err.value.fields == {"bic": ["country_mismatch"]}


def test_all_field_errors_at_once():
    with pytest.raises(MoneyError) as err:
        validate_bank_details("DE00", "nonsense", " ")
    assert set(err.value.fields) == {"iban", "bic", "account_holder"}


def test_masked_iban():
    assert masked_iban("DE89370400440532013000") == "DE89 … 3000"
