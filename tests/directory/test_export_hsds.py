"""The HSDS export against the Open Referral HSDS 3.1 specification: required fields, types, the page envelope.

The rules below are written from the published 3.1 schema reference (service, organization,
service_at_location, location, address, language, phone, attribute, taxonomy_term,
service_capacity, unit) and the API reference's page envelope.
"""
from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from datetime import datetime, timezone

import pytest

from services.cli import main
from services.directory.domain.rules import iso
from services.directory.store import AuditEntry
from services.directory.store.sqlite import SqliteDirectoryStore
from services.directory.synthetic import generate_providers
from services.shared.languages import is_country_code, is_language_code
from tests.support.factories import provider

NOW = datetime.now(timezone.utc).replace(microsecond=0)
SERVICE_STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
LOCATION_TYPES = {"physical", "postal", "virtual"}
ADDRESS_TYPES = {"physical", "postal", "virtual"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

STRING, NUMBER, INTEGER, BOOLEAN, ARRAY, OBJECT = "string", "number", "integer", "boolean", "array", "object"
UUID, DATE_TIME, EMAIL = "uuid", "date-time", "email"

# object -> (required fields, every field Haven fills with its type); from the HSDS 3.1 schema reference.
SPEC = {
    "service": ({"id", "name", "status"}, {
        "id": UUID, "organization_id": UUID, "name": STRING, "description": STRING, "email": EMAIL,
        "status": STRING, "interpretation_services": STRING, "eligibility_description": STRING,
        "minimum_age": NUMBER, "maximum_age": NUMBER, "last_modified": DATE_TIME, "organization": OBJECT,
        "languages": ARRAY, "capacities": ARRAY, "service_at_locations": ARRAY, "phones": ARRAY,
        "attributes": ARRAY}),
    "organization": ({"id", "name", "description"}, {"id": UUID, "name": STRING, "description": STRING}),
    "service_at_location": ({"id"}, {"id": UUID, "service_id": UUID, "location_id": UUID, "location": OBJECT}),
    "location": ({"id", "location_type"}, {
        "id": UUID, "location_type": STRING, "name": STRING, "description": STRING, "latitude": NUMBER,
        "longitude": NUMBER, "addresses": ARRAY}),
    "address": ({"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"}, {
        "id": UUID, "location_id": UUID, "address_1": STRING, "city": STRING, "region": STRING,
        "state_province": STRING, "postal_code": STRING, "country": STRING, "address_type": STRING}),
    "language": ({"id"}, {"id": UUID, "service_id": UUID, "name": STRING, "code": STRING}),
    "service_capacity": ({"id", "unit", "available", "updated"}, {
        "id": UUID, "service_id": UUID, "unit": OBJECT, "available": NUMBER, "maximum": NUMBER,
        "description": STRING, "updated": DATE_TIME}),
    "unit": ({"id", "name"}, {"id": UUID, "name": STRING}),
    "phone": ({"id", "number"}, {"id": UUID, "service_id": UUID, "number": STRING, "description": STRING}),
    "attribute": ({"id"}, {"id": UUID, "link_id": UUID, "link_type": STRING, "link_entity": STRING,
                           "value": STRING, "taxonomy_term": OBJECT}),
    "taxonomy_term": ({"id", "name", "description"}, {"id": UUID, "code": STRING, "name": STRING,
                                                      "description": STRING, "taxonomy": STRING}),
}
PAGE = {"total_items": INTEGER, "total_pages": INTEGER, "page_number": INTEGER, "size": INTEGER,
        "first_page": BOOLEAN, "last_page": BOOLEAN, "empty": BOOLEAN, "contents": ARRAY}
# Haven's additional service property: only what HSDS has no field for.
EXTENSION_FIELDS = {"type", "interpretation_languages", "eligibility", "location", "capacity", "contact",
                    "hold_minutes", "organization", "delivery"}


def type_problem(value, kind: str) -> str | None:
    """Why `value` is not of the JSON Schema type/format `kind`, or None."""
    if kind in (STRING, UUID, DATE_TIME, EMAIL) and not isinstance(value, str):
        return f"not a string: {value!r}"
    if kind == UUID:
        try:
            uuid.UUID(value)
        except ValueError:
            return f"not a uuid: {value!r}"
    if kind == DATE_TIME:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return f"not an RFC 3339 date-time: {value!r}"
        if moment.tzinfo is None:
            return f"a date-time without a zone: {value!r}"
    if kind == EMAIL and not _EMAIL.match(value):
        return f"not an email address: {value!r}"
    if kind == NUMBER and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"not a number: {value!r}"
    if kind == INTEGER and (isinstance(value, bool) or not isinstance(value, int)):
        return f"not an integer: {value!r}"
    if kind == BOOLEAN and not isinstance(value, bool):
        return f"not a boolean: {value!r}"
    if kind == ARRAY and not isinstance(value, list):
        return f"not an array: {value!r}"
    if kind == OBJECT and not isinstance(value, dict):
        return f"not an object: {value!r}"
    return None


def spec_problems(name: str, obj: dict, where: str) -> list[str]:
    required, types = SPEC[name]
    found = [f"{where}: {name}.{key}: required" for key in sorted(required - obj.keys())]
    for key, value in obj.items():
        if key in types and value is not None and (problem := type_problem(value, types[key])):
            found.append(f"{where}: {name}.{key}: {problem}")
        if key in required and value is None:
            found.append(f"{where}: {name}.{key}: required, found null")
    return found


def walk(service: dict) -> list[tuple[str, dict]]:
    """(object name, object) for the service and everything nested in it."""
    found = [("service", service), ("organization", service["organization"])]
    for item in service.get("service_at_locations", []):
        found.append(("service_at_location", item))
        found.append(("location", item["location"]))
        found += [("address", address) for address in item["location"].get("addresses", [])]
    found += [("language", item) for item in service.get("languages", [])]
    found += [("phone", item) for item in service.get("phones", [])]
    for item in service.get("capacities", []):
        found += [("service_capacity", item), ("unit", item["unit"])]
    for item in service.get("attributes", []):
        found.append(("attribute", item))
        if "taxonomy_term" in item:
            found.append(("taxonomy_term", item["taxonomy_term"]))
    return found


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, dict]:
    """The HSDS export of 120 synthetic providers and two edge cases, as a caseworker and as an admin."""
    folder = tmp_path_factory.mktemp("hsds")
    store = SqliteDirectoryStore(folder / "haven.db")
    audit = AuditEntry(at=iso(NOW), actor="test", role="admin", action="provider.import", target=None,
                       request_id=None)
    store.bulk_upsert([*generate_providers(120, seed=7, now=NOW),
                       provider(name="Zonder Organisatie", organization="", contact={"phone": "", "email": None},
                                capacity={"available": 1, "maximum": 1, "unit": "hour", "updated": iso(NOW)}),
                       provider(name="Gesloten", status="temporarily_closed", languages=[],
                                capacity={"available": 0, "maximum": 3, "unit": "bed", "updated": iso(NOW)})],
                      audit)
    store.close()
    found = {}
    for label, extra in (("caseworker", []), ("admin", ["--as-admin"])):
        path = folder / f"{label}.json"
        code = main(["export", "--format", "hsds", "--output", str(path), "--store",
                     f"sqlite:///{folder / 'haven.db'}", *extra])
        assert code == 0
        found[label] = json.loads(path.read_text())
    return found


@pytest.fixture(params=["caseworker", "admin"])
def page(request, exports) -> dict:
    return exports[request.param]


def test_the_export_is_an_hsds_page_envelope_holding_every_service(page):
    problems = [f"{key}: {problem}" for key, kind in PAGE.items()
                if (problem := type_problem(page.get(key), kind))]
    assert problems == []
    assert page["total_items"] == page["size"] == len(page["contents"]) == 122
    assert (page["page_number"], page["total_pages"], page["first_page"], page["last_page"], page["empty"]) == (
        1, 1, True, True, False)


def test_every_object_has_the_fields_hsds_requires_with_the_types_it_gives(page):
    problems = []
    for service in page["contents"]:
        for name, obj in walk(service):
            problems += spec_problems(name, obj, service["name"])
    assert problems == []


def test_enumerations_and_codes_are_those_hsds_names(page):
    for service in page["contents"]:
        assert service["status"] in SERVICE_STATUSES
        for item in service["service_at_locations"]:
            assert item["location"]["location_type"] in LOCATION_TYPES
            for address in item["location"]["addresses"]:
                assert address["address_type"] in ADDRESS_TYPES
                assert is_country_code(address["country"])
        for language in service["languages"]:
            assert is_language_code(language["code"])


def test_the_closed_provider_is_temporarily_closed_in_hsds_words(page):
    closed = next(service for service in page["contents"] if service["name"] == "Gesloten")
    assert closed["status"] == "temporarily closed"


def test_nested_objects_point_back_at_their_service_and_ids_are_unique(page):
    ids: dict[str, list[str]] = defaultdict(list)
    for service in page["contents"]:
        for item in service["service_at_locations"]:
            assert item["service_id"] == service["id"]
            assert item["location_id"] == item["location"]["id"]
        for capacity in service["capacities"]:
            assert capacity["service_id"] == service["id"]
        assert service["organization_id"] == service["organization"]["id"]
        for name, obj in walk(service):
            if name not in ("organization", "unit", "taxonomy_term"):  # shared between services by design
                ids[name].append(obj["id"])
    for name, values in ids.items():
        assert len(values) == len(set(values)), name


def test_languages_list_only_languages_staff_speak(page):
    # HSDS: "This does not include languages which can only be used with interpretation."
    for service in page["contents"]:
        spoken = [language["code"] for language in service["languages"]]
        assert not set(spoken) & set(service["haven"]["interpretation_languages"])


def test_confidential_locations_carry_no_street_postal_code_or_exact_point(exports):
    for page in exports.values():
        text = json.dumps(page)
        assert "HVNCONF-" not in text
        for service in page["contents"]:
            if service["haven"]["location"]["confidential"]:
                address = service["service_at_locations"][0]["location"]["addresses"][0]
                assert (address["address_1"], address["postal_code"]) == ("", "")


def test_haven_fields_hsds_has_no_place_for_ride_in_one_documented_extension(page):
    for service in page["contents"]:
        assert set(service["haven"]) <= EXTENSION_FIELDS
        # Never a copy of what HSDS already carries.
        assert "minimum_age" not in service["haven"]["eligibility"]
        assert "name" not in service["haven"]
