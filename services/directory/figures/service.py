"""Use cases of the figures: count a match's outcome, record a day of capacity, read both back (admins).

A count keeps the ISO week, the need and the region (a province) of the match, never a time, a point,
a municipality or anything about the person: see docs/figures.md for why that cannot point at anyone.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from ...shared.errors import forbidden
from ...shared.identity import Caller
from ...shared.capacity import pools_of
from ..domain.rules import STALE_AFTER, pools_older_than
from ..store import DirectoryStore
from .store import TALLIES, CapacityDay, FiguresStore, NeedCount

COUNTING_ROLES = ("caseworker", "admin")  # whoever may match may have their match counted
NO_REGION = "—"


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def count_matches(*, figures: FiguresStore, viewer: Caller, counts: list[dict], now: datetime) -> int:
    """Add the outcome counts of one match (or group match) to this week's counters; returns how many rows."""
    if viewer.role not in COUNTING_ROLES:
        raise forbidden("only the matches of caseworkers and admins are counted")
    week = iso_week(now)
    merged: dict[tuple[str, str], NeedCount] = {}
    for count in counts:
        row = NeedCount(week=week, **count)
        key = (row.need, row.region)
        merged[key] = merged[key].plus(row) if key in merged else row
    figures.add_need_counts(list(merged.values()))
    return len(merged)


def capacity_today(providers, now: datetime) -> list[CapacityDay]:
    """Per region of active providers: how many, their units, units in use and how many have a stale count.

    Units and units in use are summed over every pool of a provider: the main `capacity` and each need it
    counts apart (`service_capacity`). The sums already mix kinds of unit (a shelter's beds, a lawyer's cases,
    an interpreter's hours), so occupancy is the share of all places of any kind in use; a shelter's medical
    appointments counted apart are the same places a clinic counts in its main pool, and leaving them out would
    make the same appointments count or not by who gives them. A provider is stale when any of its pools is,
    as on the stale list; it is counted once however many pools it has.
    """
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TALLIES, 0))
    for provider in providers:
        if provider.get("status") != "active":
            continue
        region = (provider.get("location") or {}).get("region") or NO_REGION
        tally = totals[region]
        tally["providers"] += 1
        for _need, pool in pools_of(provider):
            maximum = int(pool.get("maximum") or 0)
            tally["units"] += maximum
            tally["in_use"] += max(0, maximum - int(pool.get("available") or 0))
        tally["stale"] += bool(pools_older_than(provider, now, STALE_AFTER))
    day = now.date().isoformat()
    return [CapacityDay(day=day, region=region, **tally) for region, tally in sorted(totals.items())]


def record_capacity_day(*, figures: FiguresStore, store: DirectoryStore, now: datetime) -> int:
    """Once a day (UTC): today's capacity by region, unless already recorded; returns how many regions were written."""
    if figures.has_capacity_day(now.date().isoformat()):
        return 0
    return figures.add_capacity_days(capacity_today(store.iter_providers(now), now))


def read_figures(*, figures: FiguresStore, store: DirectoryStore, viewer: Caller, now: datetime) -> dict:
    """The raw counters and history, and capacity now; the gateway suppresses small counts before showing any."""
    if viewer.role != "admin":
        raise forbidden("only admins read figures")
    return {"need_counts": [row.__dict__ for row in figures.need_counts()],
            "capacity_days": [row.__dict__ for row in figures.capacity_days()],
            "capacity_now": [row.__dict__ for row in capacity_today(store.iter_providers(now), now)]}
