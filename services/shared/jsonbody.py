"""Reading a JSON request body strictly: valid JSON, nested at most MAX_JSON_DEPTH deep, no key given twice.

Every service reads bodies through `load_body` (the gateway's forwarding, the page helpers) or through
the flask-smorest `Blueprint` below (the directory and matcher), so a body that is too deep or repeats a
key is a 400 naming the problem before any schema or recursive code sees it.
"""
from __future__ import annotations

import json
import re
from typing import Any

import flask_smorest
import orjson
from flask import request
from webargs.flaskparser import FlaskParser

from .errors import ApiError, bad_field
from .vocabulary import MAX_JSON_DEPTH

# A string token whole (escapes included), so brackets inside strings are never counted as nesting.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")


class BodyError(ValueError):
    """A body that is not acceptable JSON; `field` is the key at fault or "body"."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def loads_strict(data: bytes | str) -> Any:
    """The JSON value of `data`; BodyError when it is not JSON, too deep or repeats a key in one object."""
    raw = data.encode() if isinstance(data, str) else data
    _check_depth(raw)
    try:
        value = orjson.loads(raw)  # also refuses NaN, Infinity and lone surrogates, which no store can write
    except orjson.JSONDecodeError:
        raise BodyError("body", "not valid JSON") from None
    # orjson keeps the last of a repeated key silently; the standard library's parser can report it. A
    # second parse costs about 0.3 ms for a 9 KB body and 3 ms for 1 MiB; counting keys to skip it cost more.
    json.loads(raw, object_pairs_hook=_refuse_repeated_keys)
    return value


def _check_depth(raw: bytes) -> None:
    """BodyError when arrays and objects nest deeper than MAX_JSON_DEPTH; read before any (recursive) parser."""
    shape = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _ in range(MAX_JSON_DEPTH):
        if not shape:
            return
        # One level per pass: the pairs removed in a pass are those innermost before it.
        shape, removed = _INNERMOST_PAIR.subn(b"", shape)
        if not removed:
            raise BodyError("body", "not valid JSON")
    if shape:
        raise BodyError("body", f"nested more than {MAX_JSON_DEPTH} levels deep")


def _refuse_repeated_keys(pairs: list) -> None:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise BodyError(key, "given more than once in the same object")
        seen.add(key)


def api_error(err: BodyError) -> ApiError:
    return bad_field(err.field, err.message)


def load_body() -> Any:
    """The current request's body as JSON, whatever its content type; None when empty; ApiError 400 when bad."""
    data = request.get_data(cache=True)
    if not data:
        return None
    try:
        return loads_strict(data)
    except BodyError as err:
        raise api_error(err) from None


class StrictJsonParser(FlaskParser):
    """webargs' Flask parser with JSON bodies read by `loads_strict`."""

    def load_json(self, req, schema):
        data = req.get_data(cache=True)
        if not req.is_json or not data:
            return super().load_json(req, schema)
        try:
            return loads_strict(data)
        except BodyError as err:
            raise api_error(err) from None


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose `arguments` read JSON bodies strictly."""

    ARGUMENTS_PARSER = StrictJsonParser()
