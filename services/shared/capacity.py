"""The rules of capacity: what is free, when a unit can be held, used or given back, when a hold ends.

The directory's stores carry these out atomically (a SQLite transaction, the engine's sequence-number
checks) and add no rule of their own; the matcher reads `free` through the same function.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from .times import iso, parse_time


def pool_name(provider: dict, need: str | None) -> str | None:
    """The need whose own pool `need` draws on (HSDS `service_capacity`), or None for the main `capacity`."""
    return need if need is not None and need in (provider.get("service_capacity") or {}) else None


def pool_of(provider: dict, need: str | None) -> dict:
    """The capacity pool a need draws on (HSDS `service_capacity`): the need's own pool in
    `service_capacity` when the provider keeps one for it, else the provider's main `capacity`.

    The pool itself, not a copy: a store that changes a pool's count writes it through this."""
    name = pool_name(provider, need)
    if name is None:
        return provider.get("capacity") or {}
    return provider["service_capacity"][name]


def pools_of(provider: dict) -> list[tuple[str | None, dict]]:
    """Every pool of a provider: (None, the main capacity), then (need, its own pool) for each own pool."""
    own = provider.get("service_capacity") or {}
    return [(None, provider.get("capacity") or {})] + [(need, own[need]) for need in sorted(own)]


def in_pool_order(needs) -> list:
    """Needs naming pools (None: the main one) in the order `pools_of` gives them: the main pool, then by need."""
    return sorted(needs, key=lambda need: "" if need is None else need)


def held_by_pool(provider: dict, held_by_need: dict) -> dict[str | None, int]:
    """Units held per pool (None: the main one), from the units held per referral need (None: a hold from
    before holds named their need, which draws on the main pool)."""
    held: dict[str | None, int] = {name: 0 for name, _ in pools_of(provider)}
    for need, units in held_by_need.items():
        held[pool_name(provider, need)] += units
    return held


def with_holds(provider: dict, held_by_need: dict) -> dict:
    """The provider with `held` in every pool, counted from the units held per referral need."""
    for name, units in held_by_pool(provider, held_by_need).items():
        pool_of(provider, name)["held"] = units
    return provider


def without_holds(provider: dict) -> dict:
    """The provider as stored: `held` is counted on every read, never kept (a shallow copy; pools are copied)."""
    stored = dict(provider)
    if isinstance(provider.get("capacity"), dict):
        stored["capacity"] = {k: v for k, v in provider["capacity"].items() if k != "held"}
    if isinstance(provider.get("service_capacity"), dict):
        stored["service_capacity"] = {need: {k: v for k, v in pool.items() if k != "held"}
                                      for need, pool in provider["service_capacity"].items()}
    return stored


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
