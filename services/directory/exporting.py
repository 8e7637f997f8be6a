"""Exporting the directory in the shapes the importer reads: CSV, JSON (one provider a line) or HSDS 3.1.

What is exported is what the viewer may see: for anyone but an admin a confidential provider has
no street address or postal code and a point coarsened to about 5 km (domain.rules.view_of).
HSDS never carries an exact confidential location, whoever asks (the gateway's HSDS mapping).
"""
from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Callable, Iterable, Iterator, TextIO

from ..shared.identity import Caller
from .domain.rules import view_of
from .importing.flat import COLUMN_NAMES, flatten
from .importing.hsds import EXTENSION
from .store import DirectoryStore

FORMATS = ("csv", "json", "hsds")
# Fields of a provider view computed at read time; an export carries what an import takes.
_COMPUTED = {"capacity": ("held", "free", "age_hours", "stale"), "location": ("precision_km",)}

ServiceOf = Callable[[dict], dict]


def provider_views(store: DirectoryStore, viewer: Caller, now: datetime) -> Iterator[dict]:
    """Every provider as this viewer may see it, in id order."""
    for record in store.iter_providers(now):
        yield view_of(record, viewer, now)


def importable(view: dict) -> dict:
    """A provider view in the import shape (ProviderInSchema's fields), computed fields left out."""
    record = {key: value for key, value in view.items() if key not in ("last_modified", "distance_km")}
    for section, keys in _COMPUTED.items():
        record[section] = {key: value for key, value in view[section].items() if key not in keys}
    if view.get("service_capacity"):
        record["service_capacity"] = {need: {key: value for key, value in pool.items()
                                             if key not in _COMPUTED["capacity"]}
                                      for need, pool in view["service_capacity"].items()}
    return record


def write_json(views: Iterable[dict], out: TextIO) -> int:
    """A JSON array, one provider a line, so a problem reported at `line N` is easy to find."""
    count = 0
    out.write("[")
    for view in views:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(importable(view), ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]\n")
    return count


def write_csv(views: Iterable[dict], out: TextIO) -> int:
    """One row per provider, the columns of the import template, lists joined by ';'."""
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    count = 0
    for view in views:
        writer.writerow(flatten(importable(view)))
        count += 1
    return count


def hsds_extension(view: dict) -> dict:
    """What Haven keeps that HSDS has no property for; read back by importing.hsds."""
    eligibility = view["eligibility"]
    extension = {
        "type": view["type"],
        "interpretation_languages": list(view.get("interpretation_languages") or []),
        "eligibility": {key: eligibility[key] for key in ("genders", "accepts_children", "wheelchair_accessible",
                                                          "exploitation_types", "residence_statuses", "countries")}
        | {key: list(eligibility.get(key) or []) for key in ("specialises_in", "cannot_serve", "target_groups")},
        "location": {"confidential": bool(view["location"].get("confidential"))},
        "delivery": list(view.get("delivery") or ["on_site"]),
        # HSDS `available` is what can be referred to now (after pending holds); this is the provider's report.
        "capacity": {"available": view["capacity"]["available"]}
        | ({"service_capacity": {need: pool["available"] for need, pool in view["service_capacity"].items()}}
           if view.get("service_capacity") else {}),
        "contact": {"intake_hours": (view.get("contact") or {}).get("intake_hours") or "",
                    "intake_opening_hours": (view.get("contact") or {}).get("intake_opening_hours") or ""},
        "hold_minutes": view["hold_minutes"],
    }
    if not view.get("organization"):
        # HSDS names the provider itself as its organization then; this keeps "no organization given".
        extension["organization"] = ""
    return extension


def write_hsds(views: Iterable[dict], out: TextIO, service_of: ServiceOf) -> int:
    """An HSDS page envelope holding every service on one page; `service_of` is the gateway's mapping."""
    count = 0
    # Contents first, the counts after: the file streams without a second pass over the store.
    out.write('{"contents": [')
    for view in views:
        service = service_of(view)
        service[EXTENSION] = hsds_extension(view)
        out.write(",\n" if count else "\n")
        out.write(json.dumps(service, ensure_ascii=False, separators=(",", ":")))
        count += 1
    page = {"total_items": count, "total_pages": 1 if count else 0, "page_number": 1, "size": count,
            "first_page": True, "last_page": True, "empty": count == 0}
    out.write("\n], " + json.dumps(page)[1:-1] + "}\n")
    return count


def export(store: DirectoryStore, viewer: Caller, now: datetime, fmt: str, out: TextIO,
           service_of: ServiceOf | None = None) -> int:
    """Write every provider in `fmt`; returns how many."""
    views = provider_views(store, viewer, now)
    if fmt == "csv":
        return write_csv(views, out)
    if fmt == "json":
        return write_json(views, out)
    if fmt == "hsds":
        if service_of is None:
            raise ValueError("an HSDS export needs the HSDS mapping (service_of)")
        return write_hsds(views, out, service_of)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
