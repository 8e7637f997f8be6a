"""Open Referral HSDS 3.1 services as provider records: the inverse of the gateway's HSDS mapping.

HSDS has no place for some of what Haven keeps (provider type, who is eligible, interpreted
languages, hold time), so Haven's exports carry those in one extra service property, `haven`
(HSDS allows additional properties where it has no suitable one; docs/import.md describes it).
Services without it, from another directory, get what HSDS itself says and Haven's defaults.
"""
from __future__ import annotations

from ...shared import vocabulary as v

EXTENSION = "haven"
STATUS_OF_HSDS = {"active": "active", "inactive": "inactive", "defunct": "inactive",
                  "temporarily closed": "temporarily_closed", "temporarily_closed": "temporarily_closed"}
# The provider type a need implies, for services that do not say their type.
TYPE_OF_NEED = {"shelter": "shelter", "medical": "medical", "mental_health": "mental_health", "legal": "legal",
                "residence_status": "legal", "compensation": "legal", "interpreter": "interpreter",
                "repatriation": "repatriation"}
INTAKE_PREFIX = "Intake: "
CONFIDENTIAL_PREFIX = "Confidential address"


# Fields only Haven's provider records have, and fields only HSDS objects have: a record is read as one
# format only when it carries markers of that format and none of the other (import and detection alike).
HAVEN_ONLY = frozenset({"type", "capacity", "eligibility", "contact", "hold_minutes", "interpretation_languages"})
HAVEN_LOCATION = frozenset({"municipality", "lat", "lon", "confidential", "region", "postal_code"})
HSDS_ONLY = frozenset({
    EXTENSION, "service_at_locations", "capacities", "organization_id", "attributes", "phones",
    "program", "program_id", "schedules", "service_areas", "alternate_name", "url", "contacts", "funding",
    "cost_options", "required_documents", "metadata", "wait_time", "fees_description", "application_process",
    "eligibility_description", "minimum_age", "maximum_age", "accreditations", "assured_date", "licenses",
    # organizations, locations, taxonomies and the API root
    "year_incorporated", "legal_status", "tax_status", "website", "logo", "parent_organization_id", "location_type",
    "latitude", "longitude", "addresses", "taxonomy", "taxonomy_detail", "term_uri", "uri", "version", "openapi_url",
    "profile"})
HSDS_LOCATION = frozenset({"latitude", "longitude", "location_type", "addresses", "external_identifier"})


def record_format(record: dict) -> str | None:
    """"json" (a Haven provider record, also when it has markers of neither: its checks name what is missing),
    "hsds" (an Open Referral object), or None when it has markers of both."""
    haven = bool(HAVEN_ONLY & record.keys())
    # Haven names its organization; HSDS nests it as an object.
    hsds = bool(HSDS_ONLY & record.keys()) or any(isinstance(record.get(key), dict) for key in ("service", "organization"))
    location, services = record.get("location"), record.get("services")
    if isinstance(location, dict):
        haven |= bool(HAVEN_LOCATION & location.keys())
        hsds |= bool(HSDS_LOCATION & location.keys())
    if isinstance(services, list) and services:
        haven |= all(isinstance(item, str) for item in services)
        hsds |= all(isinstance(item, dict) for item in services)
    if haven and hsds:
        return None
    return "hsds" if hsds else "json"


def services_of(record: dict) -> list[dict]:
    """The HSDS services an HSDS object carries: a service itself, an organization's services, the service of
    a service-at-location; ValueError naming the object when it carries none."""
    if isinstance(record.get("service"), dict):
        at_location = {key: value for key, value in record.items() if key != "service"}
        return [{**record["service"], "service_at_locations": [at_location]}]
    if isinstance(record.get("services"), list):
        organization = {key: value for key, value in record.items() if key != "services"}
        return [{"organization": organization, **service} for service in _objects(record["services"])]
    if "openapi_url" in record or "profile" in record:
        raise ValueError("an HSDS API root (version and profile), not a service: nothing to import")
    for kind, markers in (("organization without services", {"year_incorporated", "legal_status", "tax_status",
                                                              "website", "logo", "parent_organization_id"}),
                          ("location", {"location_type", "latitude", "addresses", "transportation"}),
                          ("taxonomy term", {"term_uri", "taxonomy", "parent_id", "code"}),
                          ("taxonomy", {"version", "uri"})):
        if markers & record.keys() and not {"service_at_locations", "capacities", "attributes"} & record.keys():
            raise ValueError(f"an HSDS {kind}, not a service: nothing to import")
    return [record]


def provider_of_service(service: dict) -> dict:
    """A provider record (to be checked by ProviderInSchema) from one HSDS service; ValueError when not one."""
    if not isinstance(service.get("name"), str) and "id" not in service:
        raise ValueError("not an HSDS service: it has neither id nor name")
    extra = _dict(service.get(EXTENSION))
    needs = _needs(service)
    record: dict = {
        "name": service.get("name"),
        "organization": extra.get("organization", _organization_name(service)),
        "description": service.get("description") or "",
        "languages": [item["code"] for item in _objects(service.get("languages")) if item.get("code")],
        "location": _location(service, extra),
        "eligibility": _eligibility(service, extra),
        "contact": _contact(service, extra),
        "status": STATUS_OF_HSDS.get(str(service.get("status", "active")).casefold(), service.get("status")),
    }
    if service.get("id") is not None:
        record["id"] = service["id"]
    if needs:
        record["services"] = needs
    kind = extra.get("type") or next((TYPE_OF_NEED[need] for need in needs if need in TYPE_OF_NEED), None)
    if kind is not None:
        record["type"] = kind
    if "interpretation_languages" in extra:
        record["interpretation_languages"] = extra["interpretation_languages"]
    if "hold_minutes" in extra:
        record["hold_minutes"] = extra["hold_minutes"]
    if "delivery" in extra:
        record["delivery"] = extra["delivery"]
    capacity = _capacity(service, extra)
    if capacity is not None:
        record["capacity"] = capacity
    pools = _service_capacity(service, extra)
    if pools:
        record["service_capacity"] = pools
    return record


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _objects(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _needs(service: dict) -> list[str]:
    needs = []
    for attribute in _objects(service.get("attributes")):
        term = _dict(attribute.get("taxonomy_term"))
        if attribute.get("link_type") == "need" or term.get("taxonomy") == "haven-needs":
            need = attribute.get("value") or term.get("code")
            if need and need not in needs:
                needs.append(need)
    return needs


def _organization_name(service: dict) -> str:
    return _dict(service.get("organization")).get("name") or ""


def _location(service: dict, extra: dict) -> dict:
    at_locations = _objects(service.get("service_at_locations"))
    location = next((item["location"] for item in at_locations if isinstance(item.get("location"), dict)), {})
    address = next(iter(_objects(location.get("addresses"))), {})
    confidential = _dict(extra.get("location")).get(
        "confidential", _text(location.get("description")).startswith(CONFIDENTIAL_PREFIX))
    shown = {
        "region": address.get("state_province") or address.get("region") or "",
        "address": ", ".join(part for part in (address.get("address_1"), address.get("address_2")) if part),
        "postal_code": address.get("postal_code") or "",
        "confidential": confidential,
    }
    municipality = address.get("city") or location.get("name")
    if municipality:
        shown["municipality"] = municipality
    for ours, theirs in (("lat", "latitude"), ("lon", "longitude")):
        if location.get(theirs) is not None:
            shown[ours] = location[theirs]
    return shown


def _eligibility(service: dict, extra: dict) -> dict:
    rules = dict(_dict(extra.get("eligibility")))
    for ours, theirs in (("min_age", "minimum_age"), ("max_age", "maximum_age")):
        if service.get(theirs) is not None:
            rules[ours] = _whole(service[theirs])
    return rules


def _capacity(service: dict, extra: dict) -> dict | None:
    """The main capacity: the first service_capacity that names no need of its own."""
    capacity = next((item for item in _objects(service.get("capacities")) if _need_of(item) is None), None)
    if capacity is None:
        return None
    return _pool(capacity, _dict(extra.get("capacity")).get("available", capacity.get("available")))


def _service_capacity(service: dict, extra: dict) -> dict:
    """A need's own pools: the service_capacity entries that name a need by an attribute (Haven's needs
    taxonomy); the extension keeps each pool's reported count."""
    reported = _dict(_dict(extra.get("capacity")).get("service_capacity"))
    pools = {}
    for capacity in _objects(service.get("capacities")):
        need = _need_of(capacity)
        if need is not None and need not in pools:
            pools[need] = _pool(capacity, reported.get(need, capacity.get("available")))
    return pools


def _need_of(capacity: dict):
    """The need a service_capacity is kept for (None: the main capacity)."""
    for attribute in _objects(capacity.get("attributes")):
        term = _dict(attribute.get("taxonomy_term"))
        if attribute.get("link_type") == "need" or term.get("taxonomy") == "haven-needs":
            return attribute.get("value") or term.get("code")
    return None


def _pool(capacity: dict, available) -> dict:
    unit = _dict(capacity.get("unit"))
    shown = {"available": _whole(available), "maximum": _whole(capacity.get("maximum")),
             "unit": _unit(unit.get("name"))}
    if capacity.get("updated"):
        shown["updated"] = capacity["updated"]
    return {key: value for key, value in shown.items() if value is not None}


def _contact(service: dict, extra: dict) -> dict:
    phone = next(iter(_objects(service.get("phones"))), {})
    contact = {"phone": phone.get("number") or "", "email": service.get("email") or None}
    intake = _dict(extra.get("contact")).get("intake_hours")
    if intake is None:
        description = _text(phone.get("description"))
        intake = description[len(INTAKE_PREFIX):] if description.startswith(INTAKE_PREFIX) else ""
    contact["intake_hours"] = intake
    opening_hours = _dict(extra.get("contact")).get("intake_opening_hours")
    if opening_hours:
        contact["intake_opening_hours"] = opening_hours
    return contact


def _unit(name) -> str | None:
    """"Beds", "bed" and "Bed" are all a bed; anything else goes to the schema as given, to be reported."""
    if not isinstance(name, str) or not name.strip():
        return None
    folded = name.strip().casefold()
    for unit in v.CAPACITY_UNITS:
        if folded in (unit, unit + "s"):
            return unit
    return name


def _whole(number):
    """HSDS numbers may come as 12.0; Haven counts in whole units."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number
