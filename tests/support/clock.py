"""A clock tests move by hand, so expiry and staleness are tested without sleeping."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


class ManualClock:
    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now
