"""The rules of capacity: what is free, when a unit can be held, used or given back, when a hold ends.

The directory's stores carry these out atomically (a SQLite transaction, the engine's sequence-number
checks) and add no rule of their own; the matcher reads `free` through the same function.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .times import iso, parse_time


def pool_of(provider: dict, need: str) -> dict:
    """The capacity pool a need draws on (HSDS `service_capacity`): the need's own pool in
    `service_capacity` when the provider keeps one for it, else the provider's main `capacity`."""
    return (provider.get("service_capacity") or {}).get(need) or provider.get("capacity") or {}


def free_units(available: int, held: int) -> int:
    """Reported free units minus pending holds; never negative."""
    return max(available - held, 0)


def can_hold(*, status: str, available: int, held: int, units: int = 1) -> bool:
    """Whether `units` more can be held: an active provider with that many free after the holds it has."""
    return status == "active" and free_units(available, held) >= max(units, 1)


def after_use(available: int, units: int = 1) -> int:
    """Free units after an accepted referral turns its held units into used ones."""
    return max(available - units, 0)


def units_for(unit: str, adults: int | None, children: int | None) -> int:
    """Units a referral holds: a bed for every person of the party where capacity is counted in beds (a family
    holds as many beds as it has people), else one (one case, one appointment, however many come)."""
    if unit != "bed" or adults is None:
        return 1
    return max(adults + (children or 0), 1)


def hold_until(now: datetime, minutes: int) -> str:
    """When a hold taken now ends."""
    return iso(now + timedelta(minutes=minutes))


def hold_has_ended(expires_at: str, now: datetime) -> bool:
    """A hold ends at its expiry, to the second (times are kept to the second), whether or not a sweep has
    marked it yet."""
    return parse_time(expires_at) <= now.replace(microsecond=0)
