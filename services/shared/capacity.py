"""The rules of capacity: what is free, when a unit can be held, used or given back, when a hold ends.

The directory's stores carry these out atomically (a SQLite transaction, the engine's sequence-number
checks) and add no rule of their own; the matcher reads `free` through the same function.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .times import iso, parse_time


def free_units(available: int, held: int) -> int:
    """Reported free units minus pending holds; never negative."""
    return max(available - held, 0)


def can_hold(*, status: str, available: int, held: int) -> bool:
    """Whether one more unit can be held: an active provider with a unit free after the holds it has."""
    return status == "active" and free_units(available, held) > 0


def after_use(available: int) -> int:
    """Free units after an accepted referral turns its held unit into a used one."""
    return max(available - 1, 0)


def hold_until(now: datetime, minutes: int) -> str:
    """When a hold taken now ends."""
    return iso(now + timedelta(minutes=minutes))


def hold_has_ended(expires_at: str, now: datetime) -> bool:
    """A hold ends at its expiry, to the second (times are kept to the second), whether or not a sweep has
    marked it yet."""
    return parse_time(expires_at) <= now.replace(microsecond=0)
