"""Figures for coordinators and policy makers, from referrals and providers. No Flask, no store.

Aggregates only: counts by ISO week, region and need, never a case reference, referral id or person.
Every count under 5 is shown as "<5", and so is anything derived from one (a share, a median), so no
figure points at a single placement. What is not recorded today is said, not guessed: unmet needs are
not kept anywhere (match requests are forgotten, DESIGN.md rule 2), and capacity history is not kept, so
occupancy and staleness are as of now. Declines are counted by their reason (a decline made before
referrals carried one counts as "other").
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime

SMALL = 5
SUPPRESSED = "<5"
STALE_HOURS = 24
NOT_RECORDED = {
    "unmet_needs": "not recorded: match requests are not kept, so needs nobody could meet are not counted",
    "capacity_history": "not recorded: occupancy and staleness are as of now, by region",
}


def shown(count: int) -> int | str:
    """A count as published: "<5" below five."""
    return count if count >= SMALL else SUPPRESSED


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def week_of(text: str) -> str:
    year, week, _ = _parse(text).isocalendar()
    return f"{year}-W{week:02d}"


def _hours(referral: dict) -> float:
    return (_parse(referral["updated_at"]) - _parse(referral["created_at"])).total_seconds() / 3600


def _median(values: list[float]) -> float | str | None:
    if not values:
        return None
    return round(statistics.median(values), 1) if len(values) >= SMALL else SUPPRESSED


def compute_figures(*, referrals: list[dict], providers: list[dict], now: datetime) -> dict:
    """Placements, declines, time to decision, occupancy and staleness; small counts suppressed."""
    region_of = {p["id"]: (p.get("location") or {}).get("region") or "—" for p in providers}
    weeks: dict[str, Counter] = defaultdict(Counter)
    regions: dict[str, Counter] = defaultdict(Counter)
    needs: dict[str, Counter] = defaultdict(Counter)
    decided: dict[str, list[float]] = defaultdict(list)
    reasons: Counter = Counter()
    for referral in referrals:
        status = referral["status"]
        if status == "declined":
            reasons[referral.get("reason") or "other"] += 1
        for table, key in ((weeks, week_of(referral["created_at"])),
                           (regions, region_of.get(referral["provider_id"], "—")), (needs, referral["need"])):
            table[key]["referrals"] += 1
            table[key][status] += 1
        if status in ("accepted", "declined"):
            decided[week_of(referral["created_at"])].append(_hours(referral))
    all_decided = [hours for values in decided.values() for hours in values]

    def rows(table: dict[str, Counter], name: str) -> list[dict]:
        return [{name: key, "referrals": shown(c["referrals"]), "placements": shown(c["accepted"]),
                 "declines": shown(c["declined"]), "cancelled": shown(c["cancelled"]), "expired": shown(c["expired"])}
                for key, c in sorted(table.items())]

    return {
        "generated_at": now.isoformat(),
        "suppression": f"counts under {SMALL} are shown as \"{SUPPRESSED}\"",
        "totals": {"referrals": shown(len(referrals)),
                   "placements": shown(sum(r["status"] == "accepted" for r in referrals)),
                   "declines": shown(sum(r["status"] == "declined" for r in referrals))},
        "by_week": rows(weeks, "week"),
        "by_region": rows(regions, "region"),
        "by_need": rows(needs, "need"),
        "time_to_decision_hours": {
            "decided": shown(len(all_decided)), "median": _median(all_decided),
            "by_week": [{"week": week, "decided": shown(len(values)), "median": _median(values)}
                        for week, values in sorted(decided.items())]},
        "declines_by_reason": [{"reason": reason, "declines": shown(count)}
                               for reason, count in sorted(reasons.items())],
        "capacity_by_region": _capacity(providers, now),
        "not_recorded": NOT_RECORDED,
    }


def _capacity(providers: list[dict], now: datetime) -> list[dict]:
    """Units in use of all units, and providers whose count is over 24 h old, per region, for active providers."""
    totals: dict[str, Counter] = defaultdict(Counter)
    for provider in providers:
        if provider.get("status") != "active":
            continue
        capacity = provider.get("capacity") or {}
        region = (provider.get("location") or {}).get("region") or "—"
        maximum = int(capacity.get("maximum") or 0)
        totals[region]["providers"] += 1
        totals[region]["units"] += maximum
        totals[region]["in_use"] += maximum - int(capacity.get("available") or 0)
        updated = capacity.get("updated")
        if updated and (now - _parse(updated)).total_seconds() > STALE_HOURS * 3600:
            totals[region]["stale"] += 1
    rows = []
    for region, c in sorted(totals.items()):
        occupancy = round(100 * c["in_use"] / c["units"]) if c["units"] >= SMALL and c["in_use"] >= SMALL else None
        stale_share = round(100 * c["stale"] / c["providers"]) if c["providers"] >= SMALL and c["stale"] >= SMALL else None
        rows.append({"region": region, "week": week_of(now.isoformat()), "providers": shown(c["providers"]),
                     "units": shown(c["units"]), "in_use": shown(c["in_use"]),
                     "occupancy_percent": occupancy if occupancy is not None else SUPPRESSED,
                     "stale_providers": shown(c["stale"]),
                     "stale_percent": stale_share if stale_share is not None else SUPPRESSED})
    return rows


CSV_COLUMNS = ("table", "key", "referrals", "placements", "declines", "cancelled", "expired")


def csv_rows(figures: dict) -> list[list[str]]:
    """The tables of the figures as CSV rows, suppressed the same way."""
    out = [list(CSV_COLUMNS)]
    for table, name in (("by_week", "week"), ("by_region", "region"), ("by_need", "need")):
        for row in figures[table]:
            out.append([table, row[name], *(str(row[c]) for c in CSV_COLUMNS[2:])])
    out.append(["capacity_by_region", "region", "providers", "units", "in_use", "occupancy_percent", "stale_providers"])
    for row in figures["capacity_by_region"]:
        out.append(["capacity_by_region", row["region"], str(row["providers"]), str(row["units"]), str(row["in_use"]),
                    str(row["occupancy_percent"]), str(row["stale_providers"])])
    return out


def _every(fetch, path: str, params: dict) -> list[dict]:
    items, page = [], 1
    while True:
        answer = fetch(path, {**params, "page": page, "size": 100})
        items.extend(answer["contents"])
        if answer.get("last_page", True) or not answer["contents"]:
            return items
        page += 1


def gather(fetch, now: datetime) -> dict:
    """The figures from every referral and provider; `fetch(path, params)` reads the directory as an admin."""
    return compute_figures(referrals=_every(fetch, "/referrals", {}),
                           providers=_every(fetch, "/providers", {"include_inactive": "true"}), now=now)
