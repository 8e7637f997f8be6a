"""Whether a case reference looks like personal data: DESIGN rule 2 allows only an opaque reference.

A case reference is a key from the caseworker's own case system, such as "CASE-2026-0042", "ZAAK 1234"
or "HVN-7F3K": ASCII letters and digits, with spaces and - _ . / : # between them. It is refused when
it holds a BSN (a number passing the 11-check), a date, an e-mail address or a phone number, since
each of those would tie the referral to a person. A name cannot be told from a word by rule; the
web form says never to type one, and a name with a birth date is caught by the date.
"""
from __future__ import annotations

import re

import phonenumbers
from stdnum.nl import bsn

ALLOWED = re.compile(r"[A-Za-z0-9 _./:#-]+")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# Digit groups joined by a space or a dot, as BSNs are written: 123456782, 1234.56.782, 123 456 782.
_NUMBER_GROUPS = re.compile(r"(?<![0-9])[0-9]+(?:[ .][0-9]+)*(?![0-9])")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "january|february|march|may|june|july|august|october|"
           "jan|feb|mrt|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec")
_DATES = (
    # 1990-01-01, 1990/1/1, 1990.01.01
    re.compile(r"(?<![0-9])(?:1[89]|20)[0-9]{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])"),
    # 01-01-1990, 1/1/1990, 01.01.1990, 1/1/90, 12/31/1990: day and month either way round
    re.compile(r"(?<![0-9])(?:0?[1-9]|[12][0-9]|3[01])([-/.])(?:0?[1-9]|[12][0-9]|3[01])\1(?:[0-9]{4}|[0-9]{2})"
               r"(?![0-9])"),
    # 1 januari 1990, 1-jan-1990, 1 Jan. 90
    re.compile(rf"(?<![0-9])(?:0?[1-9]|[12][0-9]|3[01])[ ./-]*(?:{_MONTHS})\.?[ ./-]*(?:[0-9]{{4}}|[0-9]{{2}})(?![0-9])",
               re.IGNORECASE),
    # January 1, 1990; jan 1 1990
    re.compile(rf"(?<![a-z])(?:{_MONTHS})\.?[ ./-]*(?:0?[1-9]|[12][0-9]|3[01]),?[ ./-]*[0-9]{{4}}(?![0-9])",
               re.IGNORECASE),
)
# A phone number as people write it: starting with +, 00 or 0, digits with separators between them.
_PHONE_LIKE = re.compile(r"(?<![0-9])(?:\+|0)[0-9 ()./-]{6,}[0-9]")


def personal_data_in(reference: str) -> str | None:
    """Why `reference` may not be used as a case reference, or None when it may."""
    if _EMAIL.search(reference):
        return "looks like an e-mail address: use a reference from your case system, never personal data"
    if any(pattern.search(reference) for pattern in _DATES):
        return "contains a date, which may be a birth date: use a reference from your case system"
    if _has_bsn(reference):
        return "contains a number that passes the BSN 11-check: never use an identity number"
    if _has_phone_number(reference):
        return "looks like a phone number: use a reference from your case system, never personal data"
    if not ALLOWED.fullmatch(reference):
        return "may hold only letters A-Z, digits, spaces and - _ . / : #"
    return None


def _has_bsn(reference: str) -> bool:
    for found in _NUMBER_GROUPS.finditer(reference):
        digits = re.sub(r"[ .]", "", found.group())
        if len(digits) in (8, 9) and bsn.is_valid(digits):
            return True
    return False


def _has_phone_number(reference: str) -> bool:
    for match in phonenumbers.PhoneNumberMatcher(reference, "NL", leniency=phonenumbers.Leniency.VALID):
        return True
    # The matcher skips numbers glued to letters ("tel0612345678"); each number-like run is tried alone.
    for found in _PHONE_LIKE.finditer(reference):
        try:
            number = phonenumbers.parse(found.group(), "NL")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False
