"""Providers whose capacity count is old: the ones a coordinator should call to confirm it."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from .domain.rules import STALE_AFTER, pool_summary, pools_older_than
from .store import DirectoryStore


def _hours(age: timedelta) -> float:
    return round(age.total_seconds() / 3600, 1)


def stale_providers(store: DirectoryStore, now: datetime, older_than: timedelta = STALE_AFTER, *,
                    include_inactive: bool = False) -> list[dict]:
    """Active providers (all with include_inactive) with a count older than `older_than`, oldest first.

    A provider counts each of its pools (the main `capacity` and each of `service_capacity`) apart, so any
    old one puts it on the list; `pools` names the old ones and `age_hours` is the oldest's. `available`,
    `maximum`, `unit` and `updated` stay those of the main pool, as before care pools were counted apart.
    """
    stale = []
    for record in store.iter_providers(now):
        if record["status"] != "active" and not include_inactive:
            continue
        old = pools_older_than(record, now, older_than)
        if not old:
            continue
        capacity = record["capacity"]
        contact = record.get("contact") or {}
        stale.append({
            "id": record["id"],
            "name": record["name"],
            "type": record["type"],
            "status": record["status"],
            "municipality": record["location"]["municipality"],
            "phone": contact.get("phone") or "",
            "email": contact.get("email") or "",
            "intake_hours": contact.get("intake_hours") or "",
            "available": capacity["available"],
            "maximum": capacity["maximum"],
            "unit": capacity["unit"],
            "updated": capacity["updated"],
            "age_hours": _hours(old[0][2]),
            "pools": [dict(pool_summary(need, pool), age_hours=_hours(age)) for need, pool, age in old],
        })
    stale.sort(key=lambda item: (-item["age_hours"], item["name"], item["id"]))
    return stale


def staleness_by_type(store: DirectoryStore, now: datetime) -> dict[str, tuple[int, int]]:
    """{provider type: (active providers, of which any count is stale)}, for the capacity staleness gauge."""
    totals: Counter[str] = Counter()
    stale: Counter[str] = Counter()
    for record in store.iter_providers(now):
        if record["status"] != "active":
            continue
        totals[record["type"]] += 1
        if pools_older_than(record, now, STALE_AFTER):
            stale[record["type"]] += 1
    return {kind: (totals[kind], stale[kind]) for kind in totals}
