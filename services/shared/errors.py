"""One JSON error shape for every service: {"error": {status, code, message, fields?, request_id}}."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the caller can act on; becomes a 4xx/5xx JSON answer."""

    def __init__(self, status: int, code: str, message: str, *, fields: dict | None = None,
                 headers: dict | None = None, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}
        self.details = details or {}


class ChoiceMessage(str):
    """A field's error message that also carries the values that would make the field valid.

    It travels through marshmallow's messages as a string; validation_error turns it into an answer with
    its own code and the choices per field ({"code": "ambiguous_place", "choices": {"location.place": [...]}}).
    """

    def __new__(cls, text: str, code: str, choices: list[dict]):
        message = super().__new__(cls, text)
        message.code = code
        message.choices = choices
        return message


def ambiguous_place(err) -> ChoiceMessage:
    """The message for a place name several places share (an AmbiguousPlace), with its choices."""
    return ChoiceMessage("several places have this name; choose one of the choices (send its value)",
                         "ambiguous_place", [place.as_choice() for place in err.choices])


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def bad_field(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", f"{field}: {message}", fields={field: [message]})


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


def forbidden(message: str = "not allowed for this role") -> ApiError:
    return ApiError(403, "forbidden", message)


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   headers: dict | None = None, details: dict | None = None):
    body = {"status": status, "code": code, "message": message,
            "request_id": getattr(g, "request_id", None)}
    if fields:
        body["fields"] = fields
    body.update(details or {})
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"location.lat": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            if isinstance(value, dict):
                flat.update(flatten_messages(value, name))
            else:
                flat.setdefault(name, []).extend(str(v) for v in _as_list(value))
    else:
        flat[prefix or "body"] = [str(v) for v in _as_list(messages)]
    return flat


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _walk_choices(messages, prefix: str, found: dict) -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            _walk_choices(value, name, found)
    elif isinstance(messages, list):
        for value in messages:
            _walk_choices(value, prefix, found)
    elif isinstance(messages, ChoiceMessage):
        found.setdefault(prefix or "body", messages)


def validation_error(messages) -> ApiError:
    """Field errors as one 400 answer; a field that needs a choice (an ambiguous place) gets its own code."""
    fields = flatten_messages(messages)
    choices: dict[str, ChoiceMessage] = {}
    _walk_choices(messages, "", choices)
    if choices:
        field, first = next(iter(choices.items()))
        return ApiError(400, first.code, f"{field}: {first}", fields=fields,
                        details={"field": field,
                                 "choices": {name: message.choices for name, message in choices.items()}})
    first = next(iter(fields.items()), ("body", ["invalid"]))
    return ApiError(400, "validation_error", f"{first[0]}: {first[1][0]}", fields=fields)


def register_error_handlers(app: Flask) -> None:
    """Every error becomes the JSON shape; no stack trace or internal URL ever reaches a caller."""
    # Flask reads FLASK_DEBUG when the app is made; debug mode would hand errors to Werkzeug's debugger page.
    app.debug = False
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return error_response(err.status, err.code, err.message, err.fields, err.headers, err.details)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        if messages is not None:
            # flask-smorest (webargs) puts field errors under a location key: json, query, ...
            merged: dict = {}
            for location_messages in messages.values():
                merged.update(location_messages if isinstance(location_messages, dict) else {"body": location_messages})
            api_error = validation_error(merged)
            return error_response(api_error.status, api_error.code, api_error.message, api_error.fields,
                                  details=api_error.details)
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
                415: "unsupported_media_type", 429: "rate_limited"}.get(err.code or 500, "http_error")
        headers = {}
        if err.code == 405 and err.valid_methods:
            headers["Allow"] = ", ".join(err.valid_methods)
        status = err.code or 500
        if status == 422:
            status, code = 400, "validation_error"
        message = err.description if status < 500 else "internal error"
        return error_response(status, code, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal error")
