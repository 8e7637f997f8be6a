"""What must never show in an answer a caller gets: stack traces, server internals, internal addresses."""
from __future__ import annotations

import re

INTERNAL_DETAIL = re.compile(
    r"Traceback \(most recent call last\)|File \"/|\bsqlite3?\b|\bwerkzeug\b|\bgunicorn\b|site-packages|"
    r"opensearch\+|elasticsearch\+|HAVEN_[A-Z_]+|/tmp/|/srv/|/home/|\.py\b|127\.0\.0\.1|localhost|"
    r"\bConnection(Refused)?Error\b|\bReadTimeout\b|\bMaxRetryError\b|HTTPConnectionPool")


def internal_detail(text: str, internal_ports=()) -> str | None:
    """The first piece of internal detail in `text`, or None."""
    found = INTERNAL_DETAIL.search(text or "")
    if found:
        return found.group(0)
    for port in internal_ports:
        if f":{port}" in (text or ""):
            return f":{port}"
    return None
