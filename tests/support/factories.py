"""Provider records for tests: valid by default, any field overridable."""
from __future__ import annotations

import copy
import uuid

_BASE = {
    "name": "Test Shelter",
    "organization": "Test Organisation",
    "type": "shelter",
    "description": "A safe place to stay.",
    "services": ["shelter"],
    "languages": ["nl", "en"],
    "interpretation_languages": [],
    "location": {"municipality": "Utrecht", "region": "Utrecht", "lat": 52.0907, "lon": 5.1214,
                 "address": "Teststraat 1", "postal_code": "3511 AA", "confidential": False},
    "eligibility": {"genders": ["female", "male", "non_binary"], "min_age": 18, "max_age": 120,
                    "accepts_children": False, "wheelchair_accessible": False, "exploitation_types": [],
                    "residence_statuses": [], "countries": []},
    "capacity": {"available": 3, "maximum": 10, "unit": "bed"},
    "contact": {"phone": "+31 30 000 0000", "email": "intake@example.org", "intake_hours": "24/7"},
    "hold_minutes": 240,
    "status": "active",
}


def provider(**overrides) -> dict:
    """A provider body for POST /providers; nested dicts in overrides are merged one level deep."""
    record = copy.deepcopy(_BASE)
    record["id"] = str(uuid.uuid4())
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(record.get(key), dict):
            record[key] = {**record[key], **value}
        else:
            record[key] = value
    return record
