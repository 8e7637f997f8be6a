"""Checks schemathesis runs on every answer of the gateway, besides its own (loaded with SCHEMATHESIS_HOOKS).

Every error keeps the one JSON shape, and no answer carries a stack trace or an internal address.
"""
from __future__ import annotations

import json
import os
import re

import schemathesis

INTERNAL_PORTS_ENV = "HAVEN_FUZZ_INTERNAL_PORTS"
LEAKS = re.compile(r"Traceback \(most recent call last\)|File \"/|\bsqlite3?\.|\bwerkzeug\b|\bgunicorn\b|"
                   r"opensearch\+|elasticsearch\+|HAVEN_[A-Z_]+")


def _internal_addresses() -> list[str]:
    ports = [port for port in os.environ.get(INTERNAL_PORTS_ENV, "").split(",") if port]
    return [f":{port}" for port in ports]


@schemathesis.check
def haven_error_shape_and_no_internal_detail(ctx, response, case):
    """Errors are {"error": {status, code, message, request_id}}; nothing internal shows in any answer."""
    text = response.text or ""
    # The public server's own Server header (gunicorn) is not internal detail; every other header is checked.
    headers = " ".join(f"{name}: {value}" for name, values in response.headers.items() if name != "server"
                       for value in values)
    leak = LEAKS.search(text) or LEAKS.search(headers)
    if leak:
        raise AssertionError(f"the answer shows internal detail: {leak.group(0)!r}")
    for address in _internal_addresses():
        if address in text or address in headers:
            raise AssertionError(f"the answer names an internal service address ({address})")
    if response.status_code >= 400:
        try:
            error = json.loads(text)["error"]
        except (ValueError, KeyError, TypeError):
            raise AssertionError(f"a {response.status_code} answer without the JSON error shape") from None
        if error.get("status") != response.status_code or not error.get("code") or not error.get("message"):
            raise AssertionError(f"error body does not match its status: {error!r}")
        if "request_id" not in error:
            raise AssertionError("error body without request_id")
