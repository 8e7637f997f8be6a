"""Synthetic providers: deterministic by seed and always in the wire shape."""
import re
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from services.directory.synthetic import generate_providers
from services.shared.languages import is_country_code, is_language_code

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
TYPES = {"shelter", "medical", "mental_health", "legal", "interpreter", "repatriation"}
NEEDS = {"shelter", "medical", "mental_health", "legal", "residence_status", "compensation", "interpreter",
         "repatriation"}
GENDERS = {"female", "male", "non_binary"}
EXPLOITATION_TYPES = {"sexual", "labour", "criminal", "other"}
RESIDENCE_STATUSES = {"dutch", "eu", "reflection_period", "residence_permit", "asylum", "undocumented", "unknown"}
UNITS = {"shelter": "bed", "medical": "appointment", "mental_health": "appointment", "legal": "case",
         "interpreter": "hour", "repatriation": "case"}
MARKER = re.compile(r"HVNCONF-[0-9a-f]+")


def assert_valid_provider(provider: dict) -> None:
    assert set(provider) - {"service_capacity"} == {
        "id", "name", "organization", "type", "description", "services", "languages", "interpretation_languages",
        "location", "eligibility", "capacity", "contact", "hold_minutes", "status", "delivery"}
    for need, pool in (provider.get("service_capacity") or {}).items():
        assert need in provider["services"] and need != "shelter"
        assert set(pool) == {"available", "maximum", "unit", "updated"}
        assert 0 <= pool["available"] <= pool["maximum"] and pool["unit"] == "appointment"
    uuid.UUID(provider["id"])
    assert provider["name"] and provider["organization"] and provider["description"]
    assert provider["type"] in TYPES
    assert provider["services"] and set(provider["services"]) <= NEEDS
    assert all(is_language_code(code) for code in provider["languages"] + provider["interpretation_languages"])
    assert not set(provider["languages"]) & set(provider["interpretation_languages"])

    location = provider["location"]
    assert set(location) == {"municipality", "region", "lat", "lon", "address", "postal_code", "confidential"}
    assert 50.7 <= location["lat"] <= 53.6 and 3.3 <= location["lon"] <= 7.3
    assert re.fullmatch(r"\d{4} [A-Z]{2}", location["postal_code"])
    assert bool(MARKER.search(location["address"])) == location["confidential"]

    eligibility = provider["eligibility"]
    assert set(eligibility) == {"genders", "min_age", "max_age", "accepts_children", "wheelchair_accessible",
                                "exploitation_types", "residence_statuses", "countries", "specialises_in",
                                "cannot_serve", "target_groups"}
    assert eligibility["genders"] and set(eligibility["genders"]) <= GENDERS
    assert 0 <= eligibility["min_age"] <= eligibility["max_age"] <= 120
    assert set(eligibility["exploitation_types"]) <= EXPLOITATION_TYPES
    assert set(eligibility["residence_statuses"]) <= RESIDENCE_STATUSES
    assert all(is_country_code(code) for code in eligibility["countries"])
    assert bool(eligibility["countries"]) == (provider["type"] == "repatriation")

    capacity = provider["capacity"]
    assert 0 <= capacity["available"] <= capacity["maximum"]
    assert capacity["unit"] == UNITS[provider["type"]]
    assert datetime.fromisoformat(capacity["updated"]).tzinfo is not None

    assert set(provider["contact"]) == {"phone", "email", "intake_hours", "intake_opening_hours"}
    assert provider["contact"]["email"].endswith((".example", "@example.org"))
    assert 5 <= provider["hold_minutes"] <= 4320
    assert provider["status"] in {"active", "inactive", "temporarily_closed"}


def test_the_same_seed_gives_the_same_providers():
    assert list(generate_providers(300, seed=7, now=NOW)) == list(generate_providers(300, seed=7, now=NOW))


def test_different_seeds_give_different_providers():
    first = list(generate_providers(50, seed=1, now=NOW))
    second = list(generate_providers(50, seed=2, now=NOW))
    assert first != second
    assert not {p["id"] for p in first} & {p["id"] for p in second}


def test_exactly_the_requested_number_is_generated():
    assert len(list(generate_providers(1234, now=NOW))) == 1234
    assert list(generate_providers(0, now=NOW)) == []


def test_a_negative_count_or_a_time_without_zone_is_refused():
    with pytest.raises(ValueError):
        list(generate_providers(-1))
    with pytest.raises(ValueError):
        list(generate_providers(1, now=datetime(2026, 11, 28, 8, 0)))


def test_every_generated_provider_has_the_wire_shape():
    for provider in generate_providers(3000, seed=3, now=NOW):
        assert_valid_provider(provider)


def test_ids_are_unique_version_4_uuids():
    ids = [provider["id"] for provider in generate_providers(5000, seed=4, now=NOW)]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(value).version == 4 for value in ids)


def test_all_types_appear_in_realistic_proportions():
    counts = Counter(provider["type"] for provider in generate_providers(5000, seed=5, now=NOW))
    assert set(counts) == TYPES
    assert counts["shelter"] > counts["repatriation"]
    assert min(counts.values()) > 200


def test_most_shelters_are_confidential_and_their_markers_are_unique():
    shelters = [p for p in generate_providers(5000, seed=6, now=NOW) if p["type"] == "shelter"]
    confidential = [p for p in shelters if p["location"]["confidential"]]
    assert len(confidential) >= 0.8 * len(shelters)
    markers = [MARKER.search(p["location"]["address"]).group() for p in confidential]
    assert len(set(markers)) == len(markers)


def test_capacity_reports_are_mostly_fresh_some_stale_and_never_in_the_future():
    ages = [NOW - datetime.fromisoformat(p["capacity"]["updated"]) for p in generate_providers(3000, seed=8, now=NOW)]
    assert all(age >= timedelta(0) for age in ages)
    fresh = sum(age <= timedelta(hours=24) for age in ages)
    old = sum(age > timedelta(days=7) for age in ages)
    assert fresh > len(ages) / 2
    assert 0 < old < len(ages) / 5


def test_without_a_time_capacity_is_reported_relative_to_now():
    before = datetime.now(timezone.utc).replace(microsecond=0)
    provider = next(generate_providers(1, seed=9))
    updated = datetime.fromisoformat(provider["capacity"]["updated"])
    assert before - timedelta(days=30) <= updated <= datetime.now(timezone.utc)


def test_places_follow_population():
    municipalities = Counter(p["location"]["municipality"] for p in generate_providers(5000, seed=10, now=NOW))
    assert municipalities.most_common(1)[0][0] in {"Amsterdam", "Rotterdam"}
    assert len({p["location"]["region"] for p in generate_providers(2000, seed=10, now=NOW)}) == 12
