"""Checking raw records with ProviderInSchema and turning the good ones into stored provider records."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator

from marshmallow import ValidationError, fields

from ...shared.capacity import pool_name, pool_of, pools_of
from ...shared.errors import flatten_messages
from ...shared.places import AmbiguousPlace
from ...shared.schemas import ProviderInSchema
from ..domain.rules import iso
from .geocoding import Geocoder
from .quickload import QuickLoader
from .sources import Row

# Names ids derive from when a row has none: uuid5(HAVEN_NAMESPACE, "name|municipality").
HAVEN_NAMESPACE = uuid.UUID("4b1d9a3e-5d0c-5f4e-9a51-6861760e6e00")
# Fields a provider view carries that are computed, not given: dropped so an API answer can be imported.
_OUTPUT_ONLY = {"": ("last_modified", "distance_km"), "capacity": ("held", "free", "age_hours", "stale"),
                "location": ("precision_km",)}


@dataclass(frozen=True)
class Problem:
    """Why one record was not imported: where it is, which field, what is wrong."""

    where: str
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Checked:
    where: str
    record: dict


def derived_id(name: str, municipality: str) -> str:
    """The id of a provider given without one: the same name and municipality give the same id."""
    key = f"{_fold(name)}|{_fold(municipality)}"
    return str(uuid.uuid5(HAVEN_NAMESPACE, key))


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


class Checker:
    """Checks records one by one, remembering ids so a provider listed twice is caught."""

    def __init__(self, geocoder: Geocoder | None):
        self.geocoder = geocoder
        self.schema = ProviderInSchema()
        self.quick = QuickLoader(self.schema)
        self.first_seen: dict[str, str] = {}
        self.geocoded = 0

    def check(self, row: Row) -> Checked | list[Problem]:
        if row.error is not None or row.data is None:
            return [Problem(row.where, None, row.error or "empty record")]
        data = _without_output_fields(row.data)
        problems = self._locate(row.where, data)
        if problems:
            return problems
        loaded = self.quick.load(data)
        if loaded is None:
            try:
                loaded = self.schema.load(data)
            except ValidationError as err:
                return [Problem(row.where, field, _sentence(message))
                        for field, messages in flatten_messages(err.messages).items() for message in messages]
        record = stored_shape(loaded)
        given_id = loaded.get("id") is not None
        if not given_id:
            record["id"] = derived_id(record["name"], record["location"]["municipality"])
        first = self.first_seen.setdefault(record["id"], row.where)
        if first != row.where:
            why = (f"the same id as {first}" if given_id
                   else f"no id, and the same name and municipality as {first}")
            return [Problem(row.where, "id", why)]
        return Checked(row.where, record)

    def _locate(self, where: str, data: dict) -> list[Problem]:
        """Fill in coordinates from the place name when both are missing."""
        location = data.get("location")
        if not isinstance(location, dict) or self.geocoder is None:
            return []
        if _given(location.get("lat")) or _given(location.get("lon")):
            return []
        municipality = location.get("municipality")
        if not isinstance(municipality, str) or not municipality.strip():
            return []
        try:
            found = self.geocoder.locate(municipality=municipality, address=str(location.get("address") or ""),
                                         postal_code=str(location.get("postal_code") or ""),
                                         confidential=_confidential(location.get("confidential")))
        except AmbiguousPlace as err:
            choices = "; ".join(place.label for place in err.choices)
            return [Problem(where, "location.municipality",
                            f"no coordinates given, and places in several municipalities are called "
                            f"{municipality!r}: write one of {choices}, or give lat and lon")]
        if found is None:
            return [Problem(where, "location.lat",
                            f"no coordinates given, and {self.geocoder.name} does not know {municipality!r}")]
        self.geocoded += 1
        location["lat"], location["lon"] = found.lat, found.lon
        if found.region and not location.get("region"):
            location["region"] = found.region
        return []


def check_rows(rows: Iterable[Row], geocoder: Geocoder | None) -> Iterator[Checked | list[Problem]]:
    checker = Checker(geocoder)
    for row in rows:
        yield checker.check(row)


def stored_shape(loaded: dict) -> dict:
    """A record loaded by ProviderInSchema as the store keeps it (`capacity.updated` may still be None)."""
    record = dict(loaded)
    record["id"] = str(loaded["id"]) if loaded.get("id") else None
    record["location"] = location = dict(loaded["location"])
    location["address"] = location.get("address") or ""
    location["postal_code"] = location.get("postal_code") or ""
    record["eligibility"] = dict(loaded["eligibility"])
    record["capacity"] = dict(loaded["capacity"])
    if loaded.get("service_capacity"):
        record["service_capacity"] = {need: dict(pool) for need, pool in loaded["service_capacity"].items()}
    else:
        record.pop("service_capacity", None)
    for _, capacity in pools_of(record):
        capacity["updated"] = iso(capacity["updated"]) if capacity.get("updated") else None
    record["contact"] = contact = dict(loaded["contact"])
    contact["email"] = contact.get("email") or None
    return record


def lacks_updated(record: dict) -> bool:
    """Whether a pool of the record has no report time (`updated`) of its own."""
    return any(capacity["updated"] is None for _, capacity in pools_of(record))


def settle_updated(record: dict, existing: dict | None, now: datetime) -> dict:
    """A pool without `updated` keeps the stored time when its counts did not change, else now."""
    for need, capacity in pools_of(record):
        if capacity["updated"] is None:
            stored = pool_of(existing, need) if existing is not None and pool_name(existing, need) == need else None
            same = stored is not None and (stored["available"], stored["maximum"]) == (
                capacity["available"], capacity["maximum"])
            capacity["updated"] = stored["updated"] if same else iso(now)
    return record


def _without_output_fields(data: dict) -> dict:
    if not any(key in data for key in ("last_modified", "distance_km", "capacity", "location", "service_capacity")):
        return dict(data)
    cleaned = dict(data)
    for section, keys in _OUTPUT_ONLY.items():
        if section == "":
            for key in keys:
                cleaned.pop(key, None)
        elif isinstance(cleaned.get(section), dict):
            cleaned[section] = {k: v for k, v in cleaned[section].items() if k not in keys}
    if isinstance(cleaned.get("service_capacity"), dict):
        computed = _OUTPUT_ONLY["capacity"]
        cleaned["service_capacity"] = {need: {k: v for k, v in pool.items() if k not in computed}
                                       if isinstance(pool, dict) else pool
                                       for need, pool in cleaned["service_capacity"].items()}
    return cleaned


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _confidential(value: object) -> bool:
    """As the schema will read it; anything unreadable counts as confidential, to be safe."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    try:
        return bool(fields.Boolean().deserialize(value))
    except ValidationError:
        return True


def _sentence(message: str) -> str:
    """Schema messages read as part of a line: "Missing data for required field." -> "missing data ..."."""
    message = message.rstrip(".")
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message
