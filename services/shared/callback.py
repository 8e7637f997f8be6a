"""How a provider reaches the referring caseworker's office: one phone number or one e-mail address."""
from __future__ import annotations

import re

from . import vocabulary as v

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}")
# International (+31 ...) or Dutch national (0...) form; spaces and dashes between digit groups only.
_PHONE = re.compile(r"(?:\+[1-9]|0)[0-9]*(?:[ -]?[0-9]+)*")


def callback_problem(value: str) -> str | None:
    """Why a callback is refused, or None: an office phone number (8 to 15 digits) or an e-mail address."""
    if len(value) > v.MAX_CALLBACK:
        return f"at most {v.MAX_CALLBACK} characters"
    if "@" in value:
        if not _EMAIL.fullmatch(value) or ".." in value:
            return "not a valid e-mail address"
        return None
    if not _PHONE.fullmatch(value):
        return "must be an office phone number (+31 20 123 4567) or an e-mail address"
    digits = sum(ch.isdigit() for ch in value)
    if not 8 <= digits <= 15:
        return "a phone number has 8 to 15 digits"
    return None
