"""Index names, settings and mappings of the search-engine store, and the provider document.

Each kind of record lives in a versioned index (`haven-providers-v1`) behind an alias
(`haven-providers`); the store only ever names the alias, so a reindex can build `-v2` beside it and
switch the alias in one atomic step. A provider document keeps the record whole (not indexed) beside
the fields its filters need, plus the pending holds on its capacity, so taking a hold is one
optimistic-concurrency update of one document.
"""
from __future__ import annotations

from datetime import datetime

from ...shared.capacity import hold_has_ended, pool_name, pools_of, with_holds
from ...shared.geo import cell_of
from ...shared.placement import delivery_of, intake_slots_of
from ...shared.vocabulary import NEEDS
from ..domain.rules import iso, parse_time, public_point

KINDS = ("providers", "referrals", "audit")
GENDERS = frozenset({"female", "male", "non_binary"})
TEXT_FIELDS = {"name": 10.0, "organization": 4.0, "description": 1.0, "municipality": 2.0}

_KEYWORD = {"type": "keyword"}
_TEXT = {"type": "text", "analyzer": "folded", "fields": {"stem": {"type": "text", "analyzer": "folded_stemmed"}}}

PROVIDER_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": _KEYWORD,
        "name": _TEXT,
        "name_key": _KEYWORD,
        "organization": _TEXT,
        "description": _TEXT,
        "municipality": _TEXT,
        "type": _KEYWORD,
        "status": _KEYWORD,
        "services": _KEYWORD,
        "languages": _KEYWORD,
        "interpretation_languages": _KEYWORD,
        "genders": _KEYWORD,
        "min_age": {"type": "integer"},
        "max_age": {"type": "integer"},
        "accepts_children": {"type": "boolean"},
        "wheelchair_accessible": {"type": "boolean"},
        "delivery": _KEYWORD,
        "cannot_serve": _KEYWORD,
        "target_groups": _KEYWORD,
        # The quarter hours of the week intake is open; absent when it always is or does not say.
        "intake_slots": {"type": "integer"},
        "residence_statuses": _KEYWORD,
        "residence_any": {"type": "boolean"},
        "countries": _KEYWORD,
        # The main capacity pool; `hold_expiry_ms` holds its held units only.
        "available": {"type": "integer"},
        "capacity_updated": {"type": "date"},
        # The needs with their own pool (HSDS service_capacity) and, by need, that pool's count, report time
        # and held units: a need's filters read these when it is in `own_pools`, the main pool's otherwise.
        "own_pools": _KEYWORD,
        "pool_available": {"type": "object", "properties": {need: {"type": "integer"} for need in NEEDS}},
        "pool_updated": {"type": "object", "properties": {need: {"type": "date"} for need in NEEDS}},
        "pool_hold_expiry_ms": {"type": "object", "properties": {need: {"type": "long"} for need in NEEDS}},
        "last_modified": {"type": "date"},
        # The point every distance, radius and sort uses: coarse (~5 km) when the address is confidential.
        "public_point": {"type": "geo_point"},
        # The public cell of a confidential provider (absent for the others): an area to avoid that
        # touches the cell keeps the provider out, wherever in the cell it really is.
        "public_cell": _KEYWORD,
        "hold_expiry_ms": {"type": "long"},
        "holds": {"type": "object", "enabled": False},
        # The audit entries of the document's last change, kept with it until they are in the audit index:
        # a directory that dies in between leaves them for the next one. Their ids find such documents.
        "unwritten_audit": {"type": "object", "enabled": False},
        "unwritten_audit_ids": _KEYWORD,
        "record": {"type": "object", "enabled": False},
        # Goes up with every write of the record (not with holds): the provider's ETag.
        "version": {"type": "long", "index": False},
        # Being deleted: written just before the document goes, so the change feed reads the delete at a
        # number of this index whatever moment it reads (SearchEngineDirectoryStore.delete_provider).
        "deleting": {"type": "boolean", "index": False},
    },
}
# Added to indices made before these fields existed (adding fields needs no reindex).
PROVIDER_FIELDS_ADDED = {name: PROVIDER_MAPPINGS["properties"][name]
                         for name in ("unwritten_audit", "unwritten_audit_ids", "version", "public_cell",
                                       "delivery", "cannot_serve", "target_groups", "intake_slots",
                                       "own_pools", "pool_available", "pool_updated", "pool_hold_expiry_ms",
                                       "deleting")}
REFERRAL_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": _KEYWORD,
        "provider_id": _KEYWORD,
        "need": _KEYWORD,
        "case_reference": _KEYWORD,
        "status": _KEYWORD,
        "created_by": _KEYWORD,
        "created_at": {"type": "date"},
        "expires_at": {"type": "date"},
        "updated_at": {"type": "date"},
        "adults": {"type": "integer"},
        "children": {"type": "integer"},
        "units": {"type": "integer"},
        # What the provider needs to decide and why the referral ended; the callback and note are never searched.
        "languages": _KEYWORD,
        "interpreter_needed": {"type": "boolean"},
        "urgency": _KEYWORD,
        "callback": {"type": "keyword", "index": False, "doc_values": False},
        "reason": _KEYWORD,
        "note": {"type": "keyword", "index": False, "doc_values": False},
        # Events of the referral's changes, written with them and moved to the outbox index after.
        "unwritten_events": {"type": "object", "enabled": False},
        "has_unwritten_events": {"type": "boolean"},
        # A referral.expiring reminder was sent for this hold.
        "reminded": {"type": "boolean"},
    },
}
# Added to referral indices made before these fields existed.
REFERRAL_FIELDS_ADDED = {name: REFERRAL_MAPPINGS["properties"][name]
                         for name in ("adults", "children", "units", "languages", "interpreter_needed", "urgency",
                                      "callback", "reason", "note", "unwritten_events", "has_unwritten_events",
                                      "reminded")}
AUDIT_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": _KEYWORD,
        "seq": {"type": "long"},
        "at": {"type": "date"},
        "actor": _KEYWORD,
        "role": _KEYWORD,
        "action": _KEYWORD,
        "target": _KEYWORD,
        "request_id": _KEYWORD,
        "detail": {"type": "keyword", "index": False, "doc_values": False},
    },
}
MAPPINGS = {"providers": PROVIDER_MAPPINGS, "referrals": REFERRAL_MAPPINGS, "audit": AUDIT_MAPPINGS}
# Deleted providers for the change feed: the delete's `_seq_no` in the providers index of its generation.
TOMBSTONE_MAPPINGS = {"provider-tombstones": {"dynamic": "strict", "properties": {
    "id": _KEYWORD, "seq": {"type": "long"}, "generation": _KEYWORD}}}
TOMBSTONE_KINDS = tuple(TOMBSTONE_MAPPINGS)
# A caseworker's referrals per case reference and need, read by id (real time) when a referral is made: the
# limit of pending referrals per case is counted without a refresh and a search. Keyed by a hash of the three;
# each entry is a referral's id, creation and end, nothing else (whether it is still pending is read from it).
CASE_MAPPINGS = {"referral-cases": {"dynamic": "strict", "properties": {
    "id": _KEYWORD, "referrals": {"type": "object", "enabled": False}}}}
CASE_KINDS = tuple(CASE_MAPPINGS)


# -- provider documents ----------------------------------------------------------------------

def epoch_ms(text: str) -> int:
    return int(parse_time(text).timestamp() * 1000)


def now_ms(now: datetime) -> int:
    """Now to the second, as the embedded store compares it (ISO text to the second)."""
    return epoch_ms(iso(now))


def provider_document(record: dict, holds: list[dict], *, version: int = 1) -> dict:
    """The indexed document of a provider record at a version and the holds on its capacity; ValueError when it
    cannot be one."""
    location, eligibility, capacity = record["location"], record["eligibility"], record["capacity"]
    _check(record)
    pub_lat, pub_lon = public_point(location)
    document = {
        "id": record["id"],
        "name": record["name"],
        "name_key": record["name"].casefold(),
        "organization": record.get("organization", ""),
        "description": record.get("description", ""),
        "municipality": location.get("municipality", ""),
        "type": record["type"],
        "status": record["status"],
        "services": list(record["services"]),
        "languages": list(record["languages"]),
        "interpretation_languages": list(record.get("interpretation_languages", [])),
        "genders": list(eligibility["genders"]),
        "min_age": eligibility["min_age"],
        "max_age": eligibility["max_age"],
        "accepts_children": bool(eligibility["accepts_children"]),
        "wheelchair_accessible": bool(eligibility["wheelchair_accessible"]),
        "delivery": list(delivery_of(record)),
        "cannot_serve": list(eligibility.get("cannot_serve") or ()),
        "target_groups": list(eligibility.get("target_groups") or ()),
        "residence_statuses": list(eligibility["residence_statuses"]),
        "residence_any": not eligibility["residence_statuses"],
        "countries": list(eligibility["countries"]),
        "available": capacity["available"],
        "capacity_updated": capacity["updated"],
        "own_pools": sorted(record.get("service_capacity") or ()),
        "last_modified": record["last_modified"],
        "public_point": {"lat": pub_lat, "lon": pub_lon},
        "holds": holds,
        # One value per held unit: the free-capacity script counts values, and a family holds a bed per person.
        "hold_expiry_ms": _hold_expiries(record, holds, None),
        "record": record,
        "version": version,
    }
    for need, pool in pools_of(record)[1:]:
        document.setdefault("pool_available", {})[need] = pool["available"]
        document.setdefault("pool_updated", {})[need] = pool["updated"]
        document.setdefault("pool_hold_expiry_ms", {})[need] = _hold_expiries(record, holds, need)
    slots = intake_slots_of(record)
    if slots is not None:
        document["intake_slots"] = sorted(slots)
    if location.get("confidential"):
        document["public_cell"] = cell_of(location["lat"], location["lon"]).key
    return document


def _hold_expiries(record: dict, holds: list[dict], pool: str | None) -> list[int]:
    """The expiry of every unit held in one pool (None: the main one), by the need each hold was taken for
    (holds from before they named it were taken from the main pool)."""
    return [epoch_ms(hold["expires_at"]) for hold in holds if pool_name(record, hold.get("need")) == pool
            for _ in range(hold_units(hold))]


def held_by_need(holds: list[dict]) -> dict[str | None, int]:
    """Units held per referral need (None for holds that do not name it)."""
    held: dict[str | None, int] = {}
    for hold in holds:
        held[hold.get("need")] = held.get(hold.get("need"), 0) + hold_units(hold)
    return held


def live_holds(holds: list[dict], now: datetime) -> list[dict]:
    """Holds that still hold a unit at `now` (expiry is exact, to the second)."""
    return [hold for hold in holds if not hold_has_ended(hold["expires_at"], now)]


def hold_units(hold: dict) -> int:
    """Units one hold takes; holds written before parties take one."""
    return hold.get("units", 1)


def units_held(holds: list[dict]) -> int:
    return sum(hold_units(hold) for hold in holds)


def version_of(source: dict) -> int:
    """A provider document's version; documents written before versions existed are at 1."""
    return source.get("version", 1)


def record_of(source: dict, now: datetime) -> dict:
    """The provider record from its document, with `held` in every pool at `now`."""
    return with_holds(source["record"], held_by_need(live_holds(source.get("holds", []), now)))


def _check(record: dict) -> None:
    """Refuse what the embedded store refuses, before anything is written (a bulk load is all or nothing)."""
    location, eligibility, capacity = record["location"], record["eligibility"], record["capacity"]
    unknown = set(eligibility["genders"]) - GENDERS
    if unknown:
        raise ValueError(f"unknown genders: {sorted(unknown)}")
    pools = [(f"service_capacity.{need}.available", pool["available"]) for need, pool in pools_of(record)[1:]]
    unknown_pools = set(record.get("service_capacity") or ()) - set(NEEDS)
    if unknown_pools:
        raise ValueError(f"service_capacity of unknown needs: {sorted(unknown_pools)}")
    for name, value in (("min_age", eligibility["min_age"]), ("max_age", eligibility["max_age"]),
                        ("available", capacity["available"]), *pools):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{name} must be a whole number")
    lat, lon = location["lat"], location["lon"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)) or not (
            -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("location lat/lon out of range")
    for _, pool in pools_of(record):
        parse_time(pool["updated"])
    parse_time(record["last_modified"])
