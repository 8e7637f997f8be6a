"""JSON log lines with the service name and the request id; never request bodies."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_FORMAT = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service, request_id, message and any extra fields."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def current_request_id() -> str | None:
    return getattr(g, "request_id", None) if has_request_context() else None


def configure_logging(service: str, level: str = "INFO", stream=None) -> None:
    """Send the root logger's output as JSON lines to stderr (or the given stream)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_haven", False):
            root.removeHandler(existing)
    handler._haven = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # werkzeug's own access log would duplicate ours and print full URLs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def gunicorn_logconfig(service: str, level: str = "INFO") -> dict:
    """gunicorn's own log lines (start, workers, errors) as the same JSON lines as the service's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": level.upper(), "handlers": []},
        "formatters": {"json": {"()": "services.shared.logs.JsonFormatter", "service": service}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": ["stderr"], "propagate": False},
            # Each service logs its own access line with the request id.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


def init_request_logging(app: Flask, service: str) -> None:
    """Accept or create a request id, return it in a header and log one access line per request."""
    access = logging.getLogger(f"haven.{service}.access")

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _REQUEST_ID_FORMAT.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        started = getattr(g, "started", None)
        duration_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        # The route template, never the concrete path: ids and query strings stay out of the logs.
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        access.info("request", extra={"method": request.method, "route": route,
                                      "status": response.status_code, "duration_ms": duration_ms})
        return response
