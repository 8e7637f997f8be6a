"""The demo data set: realistic, fictional, valid, and with confidential addresses marked for leak tests."""
import importlib.util
import json
import math
import re
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from services.directory.synthetic import generate_providers
from services.shared.languages import is_country_code, is_language_code
from services.shared.places import PROVINCES, resolve_place

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "services" / "directory" / "data" / "demo_providers.json"
BUILDER = ROOT / "deploy" / "tools" / "build_demo_data.py"
REFERENCE_TIME = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
MARKER = re.compile(r"HVNCONF-[0-9a-f]{4}")
UNITS = {"shelter": "bed", "medical": "appointment", "mental_health": "appointment", "legal": "case",
         "interpreter": "hour", "repatriation": "case"}


@lru_cache(maxsize=1)
def demo() -> tuple[dict, ...]:
    return tuple(json.loads(DEMO_FILE.read_text(encoding="utf-8")))


def of_type(kind: str) -> list[dict]:
    return [provider for provider in demo() if provider["type"] == kind]


def shape(value):
    """The nested keys of a record, without its values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return None


def test_there_are_at_least_ninety_providers_of_all_six_types():
    counts = Counter(provider["type"] for provider in demo())
    assert len(demo()) >= 90
    assert set(counts) == set(UNITS)
    assert counts["shelter"] >= 25 and counts["legal"] >= 18 and counts["medical"] >= 15
    assert counts["mental_health"] >= 12 and counts["interpreter"] >= 12 and counts["repatriation"] >= 8


def without_pools(provider: dict) -> dict:
    """The record without its own pools (service_capacity), which only some providers keep."""
    return {key: value for key, value in provider.items() if key != "service_capacity"}


def test_demo_providers_have_the_same_shape_as_synthetic_ones():
    expected = shape(without_pools(next(generate_providers(1, now=REFERENCE_TIME))))
    assert all(shape(without_pools(provider)) == expected for provider in demo())


def test_some_shelters_that_also_give_care_count_their_care_places_apart():
    with_care = [p for p in of_type("shelter") if p.get("service_capacity")]
    assert len(with_care) >= 3
    for provider in with_care:
        for need, pool in provider["service_capacity"].items():
            assert need in provider["services"] and need != "shelter"
            assert set(pool) == set(provider["capacity"]) and 0 <= pool["available"] <= pool["maximum"]


def test_ids_are_unique_uuids():
    ids = [provider["id"] for provider in demo()]
    assert len(set(ids)) == len(ids)
    assert all(str(uuid.UUID(value)) == value for value in ids)
    assert len({provider["name"] for provider in demo()}) == len(ids)


def test_at_least_four_in_five_shelters_are_confidential():
    shelters = of_type("shelter")
    assert sum(p["location"]["confidential"] for p in shelters) >= 0.8 * len(shelters)


def test_markers_are_present_exactly_for_confidential_providers_and_unique():
    markers = []
    for provider in demo():
        found = MARKER.findall(provider["location"]["address"])
        assert len(found) == (1 if provider["location"]["confidential"] else 0), provider["name"]
        markers += found
    assert len(set(markers)) == len(markers) > 0


def test_markers_appear_nowhere_but_in_the_address():
    for provider in demo():
        without_address = {**provider, "location": {**provider["location"], "address": ""}}
        assert "HVNCONF" not in json.dumps(without_address)


def test_languages_and_countries_are_valid_codes():
    for provider in demo():
        codes = provider["languages"] + provider["interpretation_languages"]
        assert codes and all(is_language_code(code) for code in codes), provider["name"]
        assert not set(provider["languages"]) & set(provider["interpretation_languages"])
        assert all(is_country_code(code) for code in provider["eligibility"]["countries"])
    spoken = {code for provider in demo() for code in provider["languages"] + provider["interpretation_languages"]}
    assert {"ro", "bg", "pl", "hu", "uk", "pcm", "bin", "ti", "ar", "vi", "zh", "th", "es", "pt"} <= spoken


def test_only_repatriation_providers_list_return_destinations():
    for provider in demo():
        assert bool(provider["eligibility"]["countries"]) == (provider["type"] == "repatriation")
    destinations = {code for p in of_type("repatriation") for code in p["eligibility"]["countries"]}
    assert {"NG", "RO", "BG", "UA", "VN", "ER", "MA", "BR", "CN", "TH", "PH"} <= destinations


def test_every_provider_sits_near_the_real_municipality_it_names():
    for provider in demo():
        location = provider["location"]
        place = resolve_place(location["municipality"])
        assert place is not None, location["municipality"]
        assert location["region"] == place.province
        assert math.dist((location["lat"], location["lon"]), (place.lat, place.lon)) < 0.05


def test_providers_are_spread_over_all_twelve_provinces_with_most_in_the_randstad():
    regions = Counter(provider["location"]["region"] for provider in demo())
    assert set(regions) == set(PROVINCES)
    randstad = regions["Noord-Holland"] + regions["Zuid-Holland"] + regions["Utrecht"]
    assert randstad > len(demo()) / 3


def test_capacity_fits_its_unit_and_is_sometimes_full():
    for provider in demo():
        capacity = provider["capacity"]
        assert 0 <= capacity["available"] <= capacity["maximum"]
        assert capacity["unit"] == UNITS[provider["type"]]
    assert sum(provider["capacity"]["available"] == 0 for provider in of_type("shelter")) >= 3


def test_capacity_reports_are_mostly_fresh_with_some_stale_and_some_over_a_week_old():
    ages = [REFERENCE_TIME - datetime.fromisoformat(p["capacity"]["updated"]) for p in demo()]
    assert all(age > timedelta(0) for age in ages)
    assert sum(age <= timedelta(hours=24) for age in ages) > len(ages) / 2
    assert sum(timedelta(days=2) <= age <= timedelta(days=6) for age in ages) >= 5
    assert sum(age > timedelta(days=7) for age in ages) >= 2


def test_eligibility_covers_the_kinds_of_shelter_the_domain_knows():
    shelters = of_type("shelter")
    eligibility = [p["eligibility"] for p in shelters]
    assert any(e["genders"] == ["female"] and e["accepts_children"] for e in eligibility)
    assert any(e["genders"] == ["male"] for e in eligibility)
    assert any(e["min_age"] == 12 and e["max_age"] == 17 for e in eligibility)
    assert any(e["min_age"] >= 18 and not e["accepts_children"] for e in eligibility)
    assert any("mental_health" in p["services"] for p in shelters)


def test_some_providers_are_not_active():
    assert sum(provider["status"] != "active" for provider in demo()) >= 2


def test_contacts_are_clearly_fictional():
    for provider in demo():
        assert " 000 " in provider["contact"]["phone"]
        assert provider["contact"]["email"].endswith((".example", "@example.org"))


def test_descriptions_mix_dutch_and_english_with_accented_words():
    descriptions = " ".join(provider["description"] for provider in demo())
    assert "opvang" in descriptions and "shelter" in descriptions
    for word in ("café", "coördinatie", "geïnteresseerd", "cliënt"):
        assert word in descriptions.lower()


def test_the_file_is_what_the_builder_produces():
    spec = importlib.util.spec_from_file_location("build_demo_data", BUILDER)
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.render(builder.build_providers()) == DEMO_FILE.read_text(encoding="utf-8")
