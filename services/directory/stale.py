"""Providers whose capacity count is old: the ones a coordinator should call to confirm it."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from .domain.rules import STALE_AFTER, capacity_age
from .store import DirectoryStore


def stale_providers(store: DirectoryStore, now: datetime, older_than: timedelta = STALE_AFTER, *,
                    include_inactive: bool = False) -> list[dict]:
    """Active providers (all with include_inactive) whose capacity is older than `older_than`, oldest first."""
    stale = []
    for record in store.iter_providers(now):
        if record["status"] != "active" and not include_inactive:
            continue
        capacity = record["capacity"]
        age = capacity_age(capacity["updated"], now)
        if age <= older_than:
            continue
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
            "age_hours": round(age.total_seconds() / 3600, 1),
        })
    stale.sort(key=lambda item: (-item["age_hours"], item["name"], item["id"]))
    return stale


def staleness_by_type(store: DirectoryStore, now: datetime) -> dict[str, tuple[int, int]]:
    """{provider type: (active providers, of which stale)}, for the capacity staleness gauge."""
    totals: Counter[str] = Counter()
    stale: Counter[str] = Counter()
    for record in store.iter_providers(now):
        if record["status"] != "active":
            continue
        totals[record["type"]] += 1
        if capacity_age(record["capacity"]["updated"], now) > STALE_AFTER:
            stale[record["type"]] += 1
    return {kind: (totals[kind], stale[kind]) for kind in totals}
