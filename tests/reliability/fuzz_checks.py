"""Checks schemathesis runs on every answer of the gateway, besides its own (loaded with SCHEMATHESIS_HOOKS).

Every error keeps the one JSON shape, and no answer carries a stack trace or an internal address.
"""
from __future__ import annotations

import json
import os

import schemathesis

from tests.support.leaks import internal_detail

INTERNAL_PORTS_ENV = "HAVEN_FUZZ_INTERNAL_PORTS"


@schemathesis.check
def haven_error_shape_and_no_internal_detail(ctx, response, case):
    """Errors are {"error": {status, code, message, request_id}}; nothing internal shows in any answer."""
    text = response.text or ""
    # The public server's own Server header (gunicorn) is not internal detail; every other header is checked.
    headers = " ".join(f"{name}: {value}" for name, values in response.headers.items() if name != "server"
                       for value in values)
    ports = [port for port in os.environ.get(INTERNAL_PORTS_ENV, "").split(",") if port]
    leak = internal_detail(text, ports) or internal_detail(headers, ports)
    if leak:
        raise AssertionError(f"the answer shows internal detail: {leak!r}")
    # 414 comes from gunicorn before Haven reads the request (documented: RequestLineTooLong, README Limits).
    if response.status_code >= 400 and response.status_code != 414:
        try:
            error = json.loads(text)["error"]
        except (ValueError, KeyError, TypeError):
            raise AssertionError(f"a {response.status_code} answer without the JSON error shape") from None
        if error.get("status") != response.status_code or not error.get("code") or not error.get("message"):
            raise AssertionError(f"error body does not match its status: {error!r}")
        if "request_id" not in error:
            raise AssertionError("error body without request_id")
