"""A case reference is an opaque key from a case system; anything that looks like personal data is refused."""
from __future__ import annotations

import pytest

from services.shared.case_reference import personal_data_in


@pytest.mark.parametrize("reference", [
    "CASE-2026-0042", "ZAAK 1234", "HVN-7F3K", "C-7K2M9P", "dossier-7f3a9c", "CASE 2026 0042", "2026/0042",
    "Z:2026:17", "ZAAK#12/7", "C-2026-12", "MAY-1", "R" * 64,
    "123456789",  # nine digits that fail the 11-check
    "LOAD-123456789012",
])
def test_references_from_case_systems_are_accepted(reference):
    assert personal_data_in(reference) is None


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "1234.56.782", "123 456 782", "REF 999999990"])
def test_a_number_passing_the_bsn_eleven_check_is_refused(bsn):
    assert "BSN 11-check" in personal_data_in(bsn)


@pytest.mark.parametrize("number", ["111222334", "123456781", "1234.56.783"])
def test_a_nine_digit_number_failing_the_eleven_check_is_not_a_bsn(number):
    assert personal_data_in(number) is None


@pytest.mark.parametrize("reference", [
    "NAME born 1990-01-01", "1990-01-01", "1990/1/1", "01-01-1990", "1/1/1990", "01.01.1990", "12/31/1990",
    "geb 3-4-85", "1 januari 1990", "1 jan 1990", "17-okt-1985", "12 March 1990", "March 12, 1990",
])
def test_a_date_in_any_common_form_is_refused(reference):
    assert "date" in personal_data_in(reference)


@pytest.mark.parametrize("reference", ["piet@example.nl", "ref j.jansen@mail.example.com", "a@b.co"])
def test_an_email_address_is_refused(reference):
    assert "e-mail" in personal_data_in(reference)


@pytest.mark.parametrize("reference", [
    "0612345678", "06-12345678", "06 1234 5678", "020-1234567", "+31 6 12345678", "+31612345678", "0031612345678",
    "+31(0)612345678", "+44 20 7946 0958", "+40 712 345 678", "0040 712 345 678", "tel0612345678",
])
def test_a_phone_number_dutch_or_international_is_refused(reference):
    assert "phone number" in personal_data_in(reference)


@pytest.mark.parametrize("reference", ["Jansen, Piet", "naïef", "CASE<1>", "zaak\t1", "C-1\u202e"])
def test_characters_a_case_system_key_does_not_use_are_refused(reference):
    assert "may hold only" in personal_data_in(reference)
