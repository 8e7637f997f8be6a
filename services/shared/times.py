"""Times on the wire and in stores: ISO 8601 with a zone, to the second, always UTC."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 with a zone, to the second, always UTC: sorts as text."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)
