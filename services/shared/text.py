"""Text that is safe to store and show: no control characters and no bidirectional overrides or isolates.

A control character (NUL, escape, C1 codes) can truncate or corrupt a record in a store, a log line or
a CSV export; an override or isolate (U+202A to U+202E, U+2066 to U+2069) makes a page show text in an
order other than the one stored, which can disguise a name, a number or a link.
"""
from __future__ import annotations

import re

from marshmallow import ValidationError

# Lone surrogates are here too: no store or encoder can write them.
_CONTROL = "\x00-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATE = "\ud800-\udfff"
_UNSAFE_LINE = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}]")
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}{_SURROGATE}]")


def unsafe_character(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not be stored (naming the first character at fault), or None when it may.

    Multi-line text may hold tabs and line breaks; single-line text holds none.
    """
    found = (_UNSAFE_MULTILINE if multiline else _UNSAFE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return f"must not contain a bidirectional override or isolate character ({code})"
    if "\ud800" <= char <= "\udfff":
        return f"must not contain a lone surrogate ({code})"
    if char in "\t\n\r":
        return f"must be a single line: no tab or line break ({code})"
    return f"must not contain a control character ({code})"


class SafeText:
    """A marshmallow validator: refuses text with a character `unsafe_character` names."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value: str) -> str:
        problem = unsafe_character(value, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        return value
