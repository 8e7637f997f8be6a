"""Figures for coordinators and policy makers, from referrals and providers. No Flask, no store.

Aggregates only: counts by ISO week, region and need, never a case reference, referral id or person.
Every count under 5 is shown as "<5", and so is anything derived from one (a share, a median), so no
figure points at a single placement. Declines are counted by their reason (a decline made before
referrals carried one counts as "other").

Unmet needs and group placements come from counters the directory keeps per ISO week, need and province
(the matcher adds each match's outcome; the match itself is forgotten, DESIGN.md rule 2), and occupancy and
staleness over time from the directory's daily capacity history by region (docs/figures.md).
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime

SMALL = 5
SUPPRESSED = "<5"
NOT_RECORDED = {
    "earlier_weeks": "matches and daily capacity are counted from the first day this version of Haven ran; "
                     "weeks before it are not known",
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


def compute_figures(*, referrals: list[dict], providers: list[dict], recorded: dict, now: datetime) -> dict:
    """Placements, declines, time to decision, unmet needs, group placements, occupancy and staleness now and by
    week; small counts suppressed. `recorded` is the directory's GET /figures: its counters and capacity days."""
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
        "unmet_needs": _unmet_needs(recorded["need_counts"]),
        "group_placements": _group_placements(recorded["need_counts"]),
        "capacity_by_region": _capacity_now(recorded["capacity_now"], now),
        "capacity_by_week": _capacity_by_week(recorded["capacity_days"]),
        "not_recorded": NOT_RECORDED,
    }


def _percent(part: int | float, whole: int | float) -> int | str:
    """Part of whole in whole percents, or "<5" when either count is under five."""
    return round(100 * part / whole) if whole >= SMALL and part >= SMALL else SUPPRESSED


def _capacity_row(tally: dict, **keys) -> dict:
    """One region's units in use and stale providers as published: counts and the shares made of them."""
    return {**keys, "providers": shown(tally["providers"]), "units": shown(tally["units"]),
            "in_use": shown(tally["in_use"]), "occupancy_percent": _percent(tally["in_use"], tally["units"]),
            "stale_providers": shown(tally["stale"]), "stale_percent": _percent(tally["stale"], tally["providers"])}


def _capacity_now(days: list[dict], now: datetime) -> list[dict]:
    """Units in use of all units, and providers whose count is over 24 h old, per region, for active providers now."""
    week = week_of(now.isoformat())
    return [_capacity_row(day, region=day["region"], week=week) for day in sorted(days, key=lambda d: d["region"])]


TALLIES = ("providers", "units", "in_use", "stale")


def _capacity_by_week(days: list[dict]) -> list[dict]:
    """Each region's recorded days per ISO week, as the mean day: counts rounded, shares of the week's sums."""
    weeks: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for day in days:
        weeks[(week_of(day["day"] + "T00:00:00+00:00"), day["region"])].append(day)
    rows = []
    for (week, region), recorded in sorted(weeks.items()):
        sums = {name: sum(day[name] for day in recorded) for name in TALLIES}
        mean = {name: round(total / len(recorded)) for name, total in sums.items()}
        row = _capacity_row(mean, week=week, region=region)
        # The shares of the week's sums equal the mean day's; suppressed when the mean day's counts are small.
        row["occupancy_percent"] = (round(100 * sums["in_use"] / sums["units"])
                                    if row["occupancy_percent"] != SUPPRESSED else SUPPRESSED)
        row["stale_percent"] = (round(100 * sums["stale"] / sums["providers"])
                                if row["stale_percent"] != SUPPRESSED else SUPPRESSED)
        rows.append({**row, "first_day": min(day["day"] for day in recorded),
                     "last_day": max(day["day"] for day in recorded)})
    return rows


def _unmet_needs(counts: list[dict]) -> dict:
    """Matches asking for each need and how many found nobody, by week, need, region and all three."""
    tables: dict[str, dict[tuple, Counter]] = {name: defaultdict(Counter) for name in
                                                ("by_week", "by_need", "by_region", "by_week_need_region")}
    for row in counts:
        if not row["matches"]:
            continue
        for name, key in (("by_week", (row["week"],)), ("by_need", (row["need"],)), ("by_region", (row["region"],)),
                          ("by_week_need_region", (row["week"], row["need"], row["region"]))):
            tables[name][key].update(matches=row["matches"], unmet=row["unmet"])
    names = {"by_week": ("week",), "by_need": ("need",), "by_region": ("region",),
             "by_week_need_region": ("week", "need", "region")}
    return {name: [{**dict(zip(names[name], key)), "matches": shown(c["matches"]), "unmet": shown(c["unmet"]),
                    "unmet_percent": _percent(c["unmet"], c["matches"])} for key, c in sorted(table.items())]
            for name, table in tables.items()}


def _group_placements(counts: list[dict]) -> dict:
    """Group matches, the people in them and those left without a place, by week and by need.

    The people placed are not published: with the people and those not placed both shown, a suppressed
    count could be worked out from the other two.
    """
    tables: dict[str, dict[str, Counter]] = {"by_week": defaultdict(Counter), "by_need": defaultdict(Counter)}
    for row in counts:
        if not row["groups"]:
            continue
        for name, key in (("by_week", row["week"]), ("by_need", row["need"])):
            tables[name][key].update(groups=row["groups"], people=row["group_people"], unplaced=row["group_unplaced"])
    return {name: [{name[3:]: key, "groups": shown(c["groups"]), "people": shown(c["people"]),
                    "unplaced": shown(c["unplaced"]), "unplaced_percent": _percent(c["unplaced"], c["people"])}
                   for key, c in sorted(table.items())]
            for name, table in tables.items()}


CSV_COLUMNS = ("table", "key", "referrals", "placements", "declines", "cancelled", "expired")
# Each further table: where it is in the figures, and its columns; a header row starts it in the CSV.
CSV_TABLES = (
    ("capacity_by_region", ("capacity_by_region",),
     ("region", "providers", "units", "in_use", "occupancy_percent", "stale_providers", "stale_percent")),
    ("capacity_by_week", ("capacity_by_week",),
     ("week", "region", "first_day", "last_day", "providers", "units", "in_use", "occupancy_percent", "stale_providers",
      "stale_percent")),
    ("unmet_needs_by_week", ("unmet_needs", "by_week"), ("week", "matches", "unmet", "unmet_percent")),
    ("unmet_needs_by_need", ("unmet_needs", "by_need"), ("need", "matches", "unmet", "unmet_percent")),
    ("unmet_needs_by_region", ("unmet_needs", "by_region"), ("region", "matches", "unmet", "unmet_percent")),
    ("unmet_needs_by_week_need_region", ("unmet_needs", "by_week_need_region"),
     ("week", "need", "region", "matches", "unmet", "unmet_percent")),
    ("group_placements_by_week", ("group_placements", "by_week"),
     ("week", "groups", "people", "unplaced", "unplaced_percent")),
    ("group_placements_by_need", ("group_placements", "by_need"),
     ("need", "groups", "people", "unplaced", "unplaced_percent")),
)


def csv_rows(figures: dict) -> list[list[str]]:
    """The tables of the figures as CSV rows, suppressed the same way."""
    out = [list(CSV_COLUMNS)]
    for table, name in (("by_week", "week"), ("by_region", "region"), ("by_need", "need")):
        for row in figures[table]:
            out.append([table, row[name], *(str(row[c]) for c in CSV_COLUMNS[2:])])
    for table, path, columns in CSV_TABLES:
        rows = figures
        for step in path:
            rows = rows[step]
        out.append([table, *columns])
        out.extend([table, *(str(row[c]) for c in columns)] for row in rows)
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
                           providers=_every(fetch, "/providers", {"include_inactive": "true"}),
                           recorded=fetch("/figures", {}), now=now)
