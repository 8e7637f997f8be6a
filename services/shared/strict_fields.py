"""Marshmallow fields that take a value only in its own JSON type, and text only when it is safe.

Marshmallow's own fields convert: 5.9 becomes the integer 5, "5" a number, "yes" and 1 true, and
True the integer 1 (bool is an int in Python). A body field here must be of its JSON type; a query
string has only strings, so its numbers are plain ASCII digits and its booleans `true` or `false`.
"""
from __future__ import annotations

import re

from marshmallow import fields

from .text import SafeText

_QUERY_INTEGER = re.compile(r"-?[0-9]{1,15}")
_QUERY_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


class StrictInteger(fields.Integer):
    """A JSON integer: not a float (5.0 or 5.9), a string or a boolean."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictFloat(fields.Float):
    """A JSON number (an integer is a number too): not a string or a boolean."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictBoolean(fields.Boolean):
    """JSON true or false: not 1, "yes" or "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class Text(fields.String):
    """A string without control characters or bidirectional overrides; `multiline` allows tabs and line breaks."""

    def __init__(self, *, multiline: bool = False, validate=None, **kwargs):
        validators = [SafeText(multiline=multiline)]
        if validate is not None:
            validators += list(validate) if isinstance(validate, (list, tuple)) else [validate]
        super().__init__(validate=validators, **kwargs)


class QueryInteger(fields.Integer):
    """An integer in a query string: ASCII digits with an optional minus sign, nothing around them."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _QUERY_INTEGER.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class QueryFloat(fields.Float):
    """A number in a query string: digits with an optional minus sign and decimal point, nothing around them."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _QUERY_NUMBER.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class QueryBoolean(fields.Boolean):
    """`true` or `false` in a query string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "true":
            return True
        if value == "false":
            return False
        raise self.make_error("invalid", input=value)
