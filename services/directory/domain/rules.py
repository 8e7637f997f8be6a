"""What a viewer may see of a provider, and its computed capacity fields; no Flask, no store."""
from __future__ import annotations

from datetime import datetime, timedelta

from ...shared.capacity import free_units, pools_of  # noqa: F401 (the directory's name)
from ...shared.geo import CELL_PRECISION_KM
from ...shared.identity import Caller
from ...shared.placement import (EXCLUDED_AFTER, STALE_AFTER, capacity_as_seen, pools_as_seen,  # noqa: F401
                                 public_point)  # (the directory's names)
from ...shared.provider_view import ProviderView
from ...shared.times import iso, parse_time, utc_now  # noqa: F401 (the directory's names)


def sees_exact_location(caller: Caller, provider: ProviderView) -> bool:
    """Whether this caller may see where a provider really is: always, unless it is confidential and they are no admin."""
    return not provider["location"].get("confidential") or caller.is_admin


def capacity_age(updated: str, now: datetime) -> timedelta:
    return now - parse_time(updated)


def pools_older_than(record: dict, now: datetime, older_than: timedelta) -> list[tuple[str | None, dict, timedelta]]:
    """(need or None for the main pool, the pool, its count's age) of each pool whose count is older than
    `older_than`, oldest first: the counts a provider is asked to confirm."""
    aged = [(need, pool, capacity_age(pool["updated"], now)) for need, pool in pools_of(record)]
    return sorted([item for item in aged if item[2] > older_than], key=lambda item: -item[2])


def pool_summary(need: str | None, pool: dict) -> dict:
    """One pool as lists and links name it: its need (None: the main pool), count, maximum, unit and report time."""
    return {"need": need, "available": pool["available"], "maximum": pool["maximum"], "unit": pool.get("unit"),
            "updated": pool["updated"]}


def view_of(provider: ProviderView, viewer: Caller, now: datetime, distance_km: float | None = None) -> ProviderView:
    """The provider as this viewer may see it, with computed capacity fields.

    A new dict with new `location`, `capacity` and `service_capacity` (the parts changed here); the other
    parts are the record's own, shared, and must not be changed through the view.
    """
    shown = dict(provider, location=dict(provider["location"]))
    location = shown["location"]
    if sees_exact_location(viewer, provider):
        location["precision_km"] = 0.0
    else:
        location["lat"], location["lon"] = public_point(provider["location"])
        location["address"] = None
        location["postal_code"] = None
        location["precision_km"] = CELL_PRECISION_KM
    # Every pool with its computed fields, its `held` as the store counted it.
    held = {None: provider["capacity"].get("held", 0)} | {
        need: pool.get("held", 0) for need, pool in (provider.get("service_capacity") or {}).items()}
    shown.update(pools_as_seen(provider, held, now))
    if distance_km is not None:
        shown["distance_km"] = round(distance_km, 1)
    return shown
