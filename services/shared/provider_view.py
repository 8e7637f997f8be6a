"""A provider as it travels between the services (the wire names of ProviderOutSchema), for type checkers and
readers: records and views stay plain dicts at run time, so nothing is copied or converted to type them."""
from __future__ import annotations

from typing import TypedDict

# total=False throughout: a stored record lacks the computed fields (free, age_hours, stale, precision_km,
# distance_km), and a view of a record written before a field existed lacks that field.


class LocationView(TypedDict, total=False):
    municipality: str
    region: str
    lat: float
    lon: float
    address: str | None
    postal_code: str | None
    confidential: bool
    precision_km: float


class EligibilityView(TypedDict, total=False):
    genders: list[str]
    min_age: int
    max_age: int
    accepts_children: bool
    wheelchair_accessible: bool
    exploitation_types: list[str]
    residence_statuses: list[str]
    countries: list[str]


class CapacityView(TypedDict, total=False):
    available: int
    maximum: int
    unit: str
    updated: str
    held: int
    free: int
    age_hours: float
    stale: bool


class ContactView(TypedDict, total=False):
    phone: str
    email: str | None
    intake_hours: str


class ProviderView(TypedDict, total=False):
    id: str
    name: str
    organization: str
    type: str
    description: str
    services: list[str]
    languages: list[str]
    interpretation_languages: list[str]
    location: LocationView
    eligibility: EligibilityView
    capacity: CapacityView
    contact: ContactView
    hold_minutes: int
    status: str
    last_modified: str
    version: int
    distance_km: float
