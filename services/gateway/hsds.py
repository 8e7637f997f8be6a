"""Providers as Open Referral HSDS 3.1 `service` objects: pure functions, no Flask, no HTTP.

Used by the gateway's /hsds endpoints and by exports. A confidential location never carries its street,
postal code or exact point here, whoever asked: only municipality, region and the ~5 km grid point.
Ids HSDS needs for nested objects (location, capacity, language...) are UUIDv5 derived from the provider
id, so they stay the same from one export to the next.
"""
from __future__ import annotations

import uuid

from ..shared.geo import coarsen
from ..shared.languages import language_name
from ..shared.paging import envelope
from ..shared.provider_view import ProviderView

HSDS_VERSION = "3.1"
# Haven publishes no HSDS profile of its own: it follows the core schema and adds one property (`haven`)
# where HSDS allows additional properties, so its profile is core HSDS.
PROFILE = "https://docs.openreferral.org/en/latest/hsds/schema_reference.html"
# Fixed namespace for the derived ids; changing it would change every nested id consumers have stored.
NAMESPACE = uuid.UUID("5d1c3a5e-8f0b-4c8e-9a57-4a1b2c3d4e5f")
COUNTRY = "NL"
STATUS = {"active": "active", "inactive": "inactive", "temporarily_closed": "temporarily closed"}
NEED_NAMES = {
    "shelter": "Safe shelter", "medical": "Medical care", "mental_health": "Mental-health care",
    "legal": "Legal help", "residence_status": "Help with the reflection period and residence permit",
    "compensation": "Legal claim for compensation", "interpreter": "Interpreting",
    "repatriation": "Help to return home",
}
GENDER_NAMES = {"female": "women", "male": "men", "non_binary": "non-binary people"}
CONFIDENTIAL_NOTE = ("Confidential address: only the municipality is given, with coordinates rounded "
                     "to about 5 km. The address is shared with the caseworker once a referral is accepted.")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def service_of(provider: ProviderView) -> dict:
    """One provider (as the directory shows it) as an HSDS 3.1 service."""
    service_id = provider["id"]
    organization = _organization(provider)
    service = {
        "id": service_id,
        "organization_id": organization["id"],
        "name": provider["name"],
        "description": provider.get("description") or "",
        "email": (provider.get("contact") or {}).get("email") or None,
        "status": STATUS.get(provider.get("status", "active"), "inactive"),
        "interpretation_services": _interpretation(provider),
        "eligibility_description": eligibility_description(provider),
        "minimum_age": (provider.get("eligibility") or {}).get("min_age"),
        "maximum_age": (provider.get("eligibility") or {}).get("max_age"),
        "last_modified": provider.get("last_modified"),
        "organization": organization,
        "languages": [_language(service_id, code) for code in provider.get("languages") or ()],
        "capacities": _capacities(provider),
        "service_at_locations": [_service_at_location(provider)],
        "phones": _phones(provider),
        "attributes": _attributes(provider),
    }
    return {key: value for key, value in service.items() if value is not None}


def service_page(page: dict) -> dict:
    """A directory page envelope with its providers turned into HSDS services."""
    return envelope([service_of(provider) for provider in page.get("contents", [])], page["total_items"],
                    page["page_number"], page["size"])


def location_of(provider: ProviderView) -> dict:
    """The provider's place as an HSDS location; confidential ones reduced to municipality and a coarse point."""
    location = provider["location"]
    location_id = derived_id(provider["id"], "location")
    address = {
        "id": derived_id(provider["id"], "address"),
        "location_id": location_id,
        "address_1": "",
        "city": location.get("municipality") or "",
        "region": location.get("region") or "",
        "state_province": location.get("region") or "",
        "postal_code": "",
        "country": COUNTRY,
        "address_type": "physical",
    }
    if location.get("confidential"):
        # Coarsened here too, not only trusted from the caller: an admin's view or an export carries the
        # exact point, and the grid cell is the same answer for everyone.
        latitude, longitude = coarsen(location["lat"], location["lon"])
        description = CONFIDENTIAL_NOTE
    else:
        latitude, longitude = location["lat"], location["lon"]
        address["address_1"] = location.get("address") or ""
        address["postal_code"] = location.get("postal_code") or ""
        description = None
    shown = {
        "id": location_id,
        "location_type": "physical",
        "name": location.get("municipality") or "",
        "description": description,
        "latitude": latitude,
        "longitude": longitude,
        "addresses": [address],
    }
    return {key: value for key, value in shown.items() if value is not None}


def eligibility_description(provider: ProviderView) -> str:
    """The eligibility rules in one readable sentence."""
    rules = provider.get("eligibility") or {}
    parts = []
    genders = rules.get("genders") or []
    if genders and set(genders) != set(GENDER_NAMES):
        parts.append("For " + " and ".join(GENDER_NAMES.get(g, g) for g in genders))
    parts.append(f"ages {rules.get('min_age', 0)} to {rules.get('max_age', 120)}")
    if rules.get("accepts_children"):
        parts.append("children can come along")
    if rules.get("wheelchair_accessible"):
        parts.append("wheelchair accessible")
    if rules.get("exploitation_types"):
        parts.append("specialised in " + ", ".join(rules["exploitation_types"]) + " exploitation")
    if rules.get("residence_statuses"):
        parts.append("residence status: " + ", ".join(s.replace("_", " ") for s in rules["residence_statuses"]))
    if rules.get("countries"):
        parts.append("return to: " + ", ".join(rules["countries"]))
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."


def _organization(provider: ProviderView) -> dict:
    name = provider.get("organization") or provider["name"]
    return {"id": derived_id("organization", name), "name": name, "description": ""}


def _language(service_id: str, code: str) -> dict:
    try:
        name = language_name(code)
    except ValueError:
        name = code
    return {"id": derived_id(service_id, "language", code), "service_id": service_id, "name": name, "code": code}


def _interpretation(provider: ProviderView) -> str | None:
    codes = provider.get("interpretation_languages") or []
    if not codes:
        return None
    names = []
    for code in codes:
        try:
            names.append(language_name(code))
        except ValueError:
            names.append(code)
    return "Interpreters arranged for: " + ", ".join(names) + "."


def _capacities(provider: ProviderView) -> list[dict]:
    """The main capacity, then each need's own pool (HSDS service_capacity, one per pool): an own pool names
    its need by an attribute of Haven's needs taxonomy, as the service names the needs it serves."""
    capacity = provider.get("capacity")
    if not capacity:
        return []
    shown = [_capacity(provider, capacity, derived_id(provider["id"], "capacity"))]
    for need, pool in sorted((provider.get("service_capacity") or {}).items()):
        entry = _capacity(provider, pool, derived_id(provider["id"], "capacity", need))
        entry["description"] = f"{NEED_NAMES.get(need, need)}: {entry['description']}"
        entry["attributes"] = [{
            "id": derived_id(provider["id"], "capacity", need, "attribute"),
            "link_id": entry["id"],
            "link_type": "need",
            "link_entity": "service_capacity",
            "value": need,
            "taxonomy_term": _need_term(need),
        }]
        shown.append(entry)
    return shown


def _capacity(provider: ProviderView, capacity: dict, capacity_id: str) -> dict:
    unit = capacity.get("unit", "bed")
    # `free` is what can be referred to now: reported free units minus those held by pending referrals.
    available = capacity.get("free", capacity.get("available"))
    return {
        "id": capacity_id,
        "service_id": provider["id"],
        "unit": {"id": derived_id("unit", unit), "name": unit},
        "available": available,
        "maximum": capacity.get("maximum"),
        "description": f"{unit}s free now" + (" (last report over 24 hours old: call to confirm)"
                                               if capacity.get("stale") else ""),
        "updated": capacity.get("updated"),
    }


def _need_term(need: str) -> dict:
    return {"id": derived_id("need", need), "code": need, "name": NEED_NAMES.get(need, need),
            "description": NEED_NAMES.get(need, need), "taxonomy": "haven-needs"}


def _service_at_location(provider: ProviderView) -> dict:
    location = location_of(provider)
    return {"id": derived_id(provider["id"], "service_at_location"), "service_id": provider["id"],
            "location_id": location["id"], "location": location}


def _phones(provider: ProviderView) -> list[dict]:
    phone = (provider.get("contact") or {}).get("phone")
    if not phone:
        return []
    shown = {"id": derived_id(provider["id"], "phone"), "service_id": provider["id"], "number": phone}
    intake_hours = (provider.get("contact") or {}).get("intake_hours")
    if intake_hours:
        shown["description"] = f"Intake: {intake_hours}"
    return [shown]


def _attributes(provider: ProviderView) -> list[dict]:
    """The needs served, as terms of Haven's own small taxonomy."""
    return [{
        "id": derived_id(provider["id"], "attribute", need),
        "link_id": provider["id"],
        "link_type": "need",
        "link_entity": "service",
        "value": need,
        "taxonomy_term": _need_term(need),
    } for need in provider.get("services") or ()]


def about(openapi_url: str) -> dict:
    """The HSDS API root: which HSDS version and profile this API follows, and its OpenAPI document."""
    return {"version": HSDS_VERSION, "profile": PROFILE, "openapi_url": openapi_url}
