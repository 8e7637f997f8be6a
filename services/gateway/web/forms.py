"""Page forms to API bodies and back. Pure functions: a form (a MultiDict) in, a body and field errors out.

Error messages are in the page's language. Nothing typed into a match form is kept anywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...shared import vocabulary as v
from ...shared.languages import is_country_code, is_language_code, language_name, suggest_languages
from ...shared.places import AmbiguousPlace, resolve_place
from ...shared.text import unsafe_character
from .i18n import gettext

MAX_GROUP_ROWS = v.MAX_GROUP_SIZE
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_CODE_IN_PARENS = re.compile(r"\(([a-z]{2,3})\)\s*$")


@dataclass
class Parsed:
    """A body ready for the API, or errors per field (and the first error to show at the top)."""

    body: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(form, name: str, limit: int = 200) -> str:
    return (form.get(name) or "").strip()[:limit]


def parse_point(text: str) -> dict | None:
    """`lat, lon` or a Dutch place name, as the API's {lat, lon} or {place}; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    match = _COORDINATES.match(text)
    if match:
        return {"lat": float(match.group(1)), "lon": float(match.group(2))}
    return {"place": text[:120]}


class PlaceChoices(str):
    """An error message for a place name several places share, with the places to choose from."""

    def __new__(cls, text: str, choices: list[dict]):
        message = super().__new__(cls, text)
        message.choices = choices
        return message


def point_error(point: dict | None, locale: str) -> str | None:
    if point is None:
        return None
    if "place" in point:
        try:
            found = resolve_place(point["place"])
        except AmbiguousPlace as err:
            return PlaceChoices(gettext(locale, "Several places have this name; choose one:"),
                                [place.as_choice() for place in err.choices])
        return None if found else gettext(locale, "Unknown place; try a nearby town or give coordinates as lat, lon")
    if not (-90 <= point["lat"] <= 90 and -180 <= point["lon"] <= 180):
        return gettext(locale, "Coordinates out of range")
    return None


def resolve_point(point: dict | None) -> tuple[float, float] | None:
    """Where a parsed point lies, for the map."""
    if point is None:
        return None
    if "place" in point:
        try:
            place = resolve_place(point["place"])
        except AmbiguousPlace:
            return None
        return (place.lat, place.lon) if place else None
    return point["lat"], point["lon"]


def parse_languages(text: str, locale: str) -> tuple[list[str], str | None]:
    """Codes from "ro, en", "Roemeens (ro), Engels" or "Romanian"; an error names what was not understood."""
    codes: list[str] = []
    for raw in re.split(r"[,;]", text or ""):
        entry = raw.strip()
        if not entry:
            continue
        code = _language_code(entry, locale)
        if code is None:
            return codes, gettext(locale, "Unknown language: {entry}", entry=entry[:40])
        if code not in codes:
            codes.append(code)
    return codes, None


def _language_code(entry: str, locale: str) -> str | None:
    in_parens = _CODE_IN_PARENS.search(entry.lower())
    if in_parens and is_language_code(in_parens.group(1)):
        return in_parens.group(1)
    if is_language_code(entry.lower()):
        return entry.lower()
    for other_locale in (locale, "en" if locale == "nl" else "nl"):
        for code, name in suggest_languages(entry, other_locale, limit=20):
            if name.casefold() == entry.casefold():
                return code
    return None


def language_display(codes: list[str], locale: str) -> str:
    """Codes back to the form's text: "Roemeens (ro), Engels (en)"."""
    shown = []
    for code in codes:
        try:
            shown.append(f"{language_name(code, locale)} ({code})")
        except ValueError:
            shown.append(code)
    return ", ".join(shown)


def _choice(form, name: str, choices, errors: dict, locale: str) -> str | None:
    value = _text(form, name)
    if not value:
        return None
    if value not in choices:
        errors[name] = gettext(locale, "Choose one of the options")
        return None
    return value


def _number(form, name: str, errors: dict, locale: str, *, low: float, high: float, integer: bool = True):
    value = _text(form, name, 20).replace(",", ".") if not integer else _text(form, name, 20)
    if not value:
        return None
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        errors[name] = gettext(locale, "Enter a number")
        return None
    if not (low <= number <= high):
        errors[name] = gettext(locale, "Enter a number from {low} to {high}", low=f"{low:g}", high=f"{high:g}")
        return None
    return number


def _country(form, name: str, errors: dict, locale: str) -> str | None:
    value = _text(form, name, 10).upper()
    if not value:
        return None
    if not is_country_code(value):
        errors[name] = gettext(locale, "Choose a country from the list")
        return None
    return value


def parse_avoid(form, errors: dict, locale: str) -> list[dict]:
    """Rows of (place or coordinates, radius); empty rows are skipped."""
    areas = []
    places, radii = form.getlist("avoid_place"), form.getlist("avoid_radius")
    for index, (place_text, radius_text) in enumerate(zip(places, radii)):
        point = parse_point(place_text)
        radius_text = (radius_text or "").strip().replace(",", ".")
        if point is None and not radius_text:
            continue
        if point is None:
            errors[f"avoid_place_{index}"] = gettext(locale, "Give a place or coordinates for this area")
            continue
        problem = point_error(point, locale)
        if problem:
            errors[f"avoid_place_{index}"] = problem
            continue
        try:
            radius = float(radius_text)
        except ValueError:
            errors[f"avoid_radius_{index}"] = gettext(locale, "Give a radius in km")
            continue
        if not 0 < radius <= v.MAX_RADIUS_KM:
            errors[f"avoid_radius_{index}"] = gettext(locale, "Enter a number from {low} to {high}", low="1",
                                                      high=str(v.MAX_RADIUS_KM))
            continue
        areas.append({**point, "radius_km": radius})
    if len(areas) > v.MAX_AVOID_AREAS:
        errors["avoid_place_0"] = gettext(locale, "At most {n} areas to avoid", n=v.MAX_AVOID_AREAS)
    return areas


def _person(form, errors: dict, locale: str, prefix: str = "", *, location_required: bool = True) -> dict:
    """The attributes of one person; field names carry a prefix in group rows ("p0_")."""
    person: dict = {}
    codes, problem = parse_languages(_text(form, f"{prefix}languages", 400), locale)
    if problem:
        errors[f"{prefix}languages"] = problem
    elif not codes:
        errors[f"{prefix}languages"] = gettext(locale, "Give at least one language the person speaks")
    elif len(codes) > v.MAX_LANGUAGES:
        errors[f"{prefix}languages"] = gettext(locale, "At most {n} languages", n=v.MAX_LANGUAGES)
    person["languages"] = codes
    gender = _choice(form, f"{prefix}gender", v.GENDERS, errors, locale)
    if gender:
        person["gender"] = gender
    age = _number(form, f"{prefix}age", errors, locale, low=0, high=120)
    if age is not None:
        person["age"] = age
    if location_required:
        point = parse_point(_text(form, "place", 120))
        problem = point_error(point, locale)
        if point is None:
            errors["place"] = gettext(locale, "Give the place where the person is now, or coordinates")
        elif problem:
            errors["place"] = problem
        else:
            person["location"] = point
    person["accompanying_children"] = bool(form.get(f"{prefix}accompanying_children"))
    person["wheelchair"] = bool(form.get(f"{prefix}wheelchair"))
    for name, choices in (("exploitation_type", v.EXPLOITATION_TYPES), ("residence_status", v.RESIDENCE_STATUSES)):
        value = _choice(form, f"{prefix}{name}", choices, errors, locale)
        if value:
            person[name] = value
    origin = _country(form, f"{prefix}origin_country", errors, locale)
    if origin:
        person["origin_country"] = origin
    return person


def match_body(form, locale: str) -> Parsed:
    """The match form as the body of POST /matches."""
    errors: dict[str, str] = {}
    needs = [need for need in form.getlist("needs") if need in v.NEEDS]
    needs = list(dict.fromkeys(needs))
    if not needs:
        errors["needs"] = gettext(locale, "Choose at least one need")
    body = {"needs": needs, **_person(form, errors, locale)}
    body["avoid"] = parse_avoid(form, errors, locale)
    distance = _number(form, "max_distance_km", errors, locale, low=1, high=v.MAX_RADIUS_KM, integer=False)
    if distance is not None:
        body["max_distance_km"] = distance
    if "repatriation" in needs and "origin_country" not in body and "origin_country" not in errors:
        errors["origin_country"] = gettext(locale, "Needed for help to return home")
    body["include_stale"] = bool(form.get("include_stale"))
    body["limit"] = 5
    return Parsed(body, errors)


def group_rows(form) -> int:
    """How many person rows the group form shows: as posted, one more when asked, at least one."""
    try:
        rows = int(form.get("rows") or 3)
    except ValueError:
        rows = 3
    if form.get("action") == "add_person":
        rows += 1
    return max(1, min(rows, MAX_GROUP_ROWS))


def _row_is_empty(form, prefix: str) -> bool:
    return not any(_text(form, f"{prefix}{name}") for name in ("languages", "gender", "age", "origin_country"))


def group_body(form, locale: str) -> tuple[Parsed, list[int]]:
    """The group form as the body of POST /matches/group, and which form rows the people came from."""
    errors: dict[str, str] = {}
    need = _choice(form, "need", v.NEEDS, errors, locale)
    if need is None and "need" not in errors:
        errors["need"] = gettext(locale, "Choose the need")
    point = parse_point(_text(form, "place", 120))
    problem = point_error(point, locale)
    if point is None:
        errors["place"] = gettext(locale, "Give the place where the people are now, or coordinates")
    elif problem:
        errors["place"] = problem
    avoid = parse_avoid(form, errors, locale)
    distance = _number(form, "max_distance_km", errors, locale, low=1, high=v.MAX_RADIUS_KM, integer=False)
    people, rows = [], []
    for index in range(group_rows(form)):
        prefix = f"p{index}_"
        if _row_is_empty(form, prefix):
            continue
        person = _person(form, errors, locale, prefix, location_required=False)
        if point is not None:
            person["location"] = point
        person["avoid"] = avoid
        if distance is not None:
            person["max_distance_km"] = distance
        if need == "repatriation" and "origin_country" not in person:
            errors.setdefault(f"{prefix}origin_country", gettext(locale, "Needed for help to return home"))
        people.append(person)
        rows.append(index)
    if not people:
        errors["p0_languages"] = gettext(locale, "Describe at least one person")
    body = {"people": people, "need": need, "include_stale": bool(form.get("include_stale"))}
    return Parsed(body, errors), rows


def api_field_errors(fields: dict, locale: str) -> dict[str, str]:
    """The API's field names ("location.place", "avoid.0.radius_km", "people.1.age") as form field names."""
    mapped: dict[str, str] = {}
    for name, messages in (fields or {}).items():
        parts = name.split(".")
        if parts[0] == "location":
            key = "place"
        elif parts[0] == "avoid" and len(parts) > 2:
            key = f"avoid_{'radius' if parts[2] == 'radius_km' else 'place'}_{parts[1]}"
        elif parts[0] == "people" and len(parts) > 2:
            key = f"p{parts[1]}_{'place' if parts[2] == 'location' else parts[2]}"
        elif parts[0] == "service_capacity":
            key = pool_field(parts[1], parts[2]) if len(parts) > 2 else "new_pool_need"
        else:
            key = parts[0]
        mapped.setdefault(key, "; ".join(messages) if isinstance(messages, list) else str(messages))
    return mapped


# -- providers (admin) ---------------------------------------------------------------------

# Typed by an admin and shown to everyone: checked by the same rule as the API's text fields.
FREE_TEXT_FIELDS = ("name", "organization", "description", "municipality", "region", "address", "postal_code",
                    "phone", "intake_hours")
PROVIDER_LIST_FIELDS = {"services": v.NEEDS, "genders": v.GENDERS, "exploitation_types": v.EXPLOITATION_TYPES,
                        "residence_statuses": v.RESIDENCE_STATUSES}


def provider_record(form, locale: str) -> Parsed:
    """The provider form as the body of POST /providers or PUT /providers/{id}."""
    errors: dict[str, str] = {}

    def required(name: str, limit: int = 200) -> str:
        value = _text(form, name, limit)
        if not value:
            errors[name] = gettext(locale, "Required")
        return value

    def codes(name: str, check, upper: bool = False) -> list[str]:
        values = []
        for raw in re.split(r"[,;\s]+", _text(form, name, 2000)):
            if not raw:
                continue
            code = raw.upper() if upper else raw.lower()
            if not check(code):
                errors[name] = gettext(locale, "Not a valid code: {code}", code=raw[:20])
                continue
            if code not in values:
                values.append(code)
        return values

    provider_type = _choice(form, "type", v.PROVIDER_TYPES, errors, locale)
    if provider_type is None and "type" not in errors:
        errors["type"] = gettext(locale, "Required")
    services = [s for s in form.getlist("services") if s in v.NEEDS]
    if not services:
        errors["services"] = gettext(locale, "Choose at least one service")
    lat = _number(form, "lat", errors, locale, low=-90, high=90, integer=False)
    lon = _number(form, "lon", errors, locale, low=-180, high=180, integer=False)
    for name, value in (("lat", lat), ("lon", lon)):
        if value is None and name not in errors:
            errors[name] = gettext(locale, "Required")
    available = _number(form, "available", errors, locale, low=0, high=100_000)
    maximum = _number(form, "maximum", errors, locale, low=0, high=100_000)
    for name, value in (("available", available), ("maximum", maximum)):
        if value is None and name not in errors:
            errors[name] = gettext(locale, "Required")
    if available is not None and maximum is not None and available > maximum:
        errors["available"] = gettext(locale, "Must not be above the maximum")
    min_age = _number(form, "min_age", errors, locale, low=0, high=120)
    max_age = _number(form, "max_age", errors, locale, low=0, high=120)
    hold = _number(form, "hold_minutes", errors, locale, low=v.MIN_HOLD_MINUTES, high=v.MAX_HOLD_MINUTES)
    record = {
        "name": required("name"),
        "organization": _text(form, "organization"),
        "type": provider_type,
        "description": _text(form, "description", 4000),
        "services": services,
        "languages": codes("languages", is_language_code),
        "interpretation_languages": codes("interpretation_languages", is_language_code),
        "location": {
            "municipality": required("municipality", 100), "region": _text(form, "region", 100),
            "lat": lat, "lon": lon, "address": _text(form, "address", 300),
            "postal_code": _text(form, "postal_code", 12), "confidential": bool(form.get("confidential")),
        },
        "eligibility": {
            "genders": [g for g in form.getlist("genders") if g in v.GENDERS],
            "min_age": 18 if min_age is None else min_age, "max_age": 120 if max_age is None else max_age,
            "accepts_children": bool(form.get("accepts_children")),
            "wheelchair_accessible": bool(form.get("wheelchair_accessible")),
            "exploitation_types": [t for t in form.getlist("exploitation_types") if t in v.EXPLOITATION_TYPES],
            "residence_statuses": [s for s in form.getlist("residence_statuses") if s in v.RESIDENCE_STATUSES],
            "countries": codes("countries", is_country_code, upper=True),
        },
        "capacity": {"available": available, "maximum": maximum,
                     "unit": _choice(form, "unit", v.CAPACITY_UNITS, errors, locale) or "bed"},
        "contact": {"phone": _text(form, "phone", 40), "email": _text(form, "email") or None,
                    "intake_hours": _text(form, "intake_hours")},
        "hold_minutes": hold or v.DEFAULT_HOLD_MINUTES,
        "status": _choice(form, "status", v.PROVIDER_STATUSES, errors, locale) or "active",
    }
    if not record["eligibility"]["genders"]:
        errors["genders"] = gettext(locale, "Choose at least one")
    for name in FREE_TEXT_FIELDS:
        if unsafe_character(_text(form, name, 4000), multiline=name == "description") and name not in errors:
            errors[name] = gettext(locale, "Remove control characters and text-direction marks")
    return Parsed(record, errors)


def pool_field(need: str, name: str) -> str:
    """The form field of one of a care pool's values: `pool_medical_maximum`."""
    return f"pool_{need}_{name}"


def provider_pools(form, services: list[str], stored: dict, locale: str, errors: dict) -> dict:
    """The services counted apart (service_capacity) as the form leaves them.

    Each stored pool of a service still offered is kept, with the maximum and unit the form gives (as stored
    when the form has no field for it) and its free count as last reported, unless ticked to stop counting
    it apart; a service offered may be added with its free count, maximum and unit.
    """
    pools = {}
    for need, pool in sorted(stored.items()):
        if need not in services or form.get(pool_field(need, "remove")):
            continue
        maximum = _number(form, pool_field(need, "maximum"), errors, locale, low=0, high=100_000)
        maximum = pool["maximum"] if maximum is None else maximum
        if maximum < pool["available"] and pool_field(need, "maximum") not in errors:
            errors[pool_field(need, "maximum")] = gettext(locale, "Must not be below the {n} free now", n=pool["available"])
        unit = _choice(form, pool_field(need, "unit"), v.CAPACITY_UNITS, errors, locale)
        pools[need] = {"available": pool["available"], "maximum": maximum, "unit": unit or pool.get("unit", "bed")}
    need = _choice(form, "new_pool_need", v.NEEDS, errors, locale)
    available = _number(form, "new_pool_available", errors, locale, low=0, high=100_000)
    maximum = _number(form, "new_pool_maximum", errors, locale, low=0, high=100_000)
    unit = _choice(form, "new_pool_unit", v.CAPACITY_UNITS, errors, locale) or "appointment"
    if need is None:
        if (available is not None or maximum is not None) and "new_pool_need" not in errors:
            errors["new_pool_need"] = gettext(locale, "Choose the service to count apart")
        return pools
    if need not in services:
        errors["new_pool_need"] = gettext(locale, "Tick this service under Services (needs served) first")
    elif need in pools:
        errors["new_pool_need"] = gettext(locale, "This service is counted apart already")
    for name, value in (("new_pool_available", available), ("new_pool_maximum", maximum)):
        if value is None and name not in errors:
            errors[name] = gettext(locale, "Required")
    if available is not None and maximum is not None and available > maximum:
        errors["new_pool_available"] = gettext(locale, "Must not be above the maximum")
    if available is not None and maximum is not None and need not in pools:
        pools[need] = {"available": available, "maximum": maximum, "unit": unit}
    return pools


def provider_form_values(record: dict) -> dict:
    """A stored provider as the form's flat values."""
    location, eligibility = record.get("location") or {}, record.get("eligibility") or {}
    capacity, contact = record.get("capacity") or {}, record.get("contact") or {}
    return {
        "name": record.get("name", ""), "organization": record.get("organization", ""),
        "type": record.get("type", ""), "description": record.get("description", ""),
        "services": record.get("services", []),
        "languages": ", ".join(record.get("languages", [])),
        "interpretation_languages": ", ".join(record.get("interpretation_languages", [])),
        "municipality": location.get("municipality", ""), "region": location.get("region", ""),
        "lat": location.get("lat", ""), "lon": location.get("lon", ""), "address": location.get("address") or "",
        "postal_code": location.get("postal_code") or "", "confidential": location.get("confidential", False),
        "genders": eligibility.get("genders", list(v.GENDERS)), "min_age": eligibility.get("min_age", 18),
        "max_age": eligibility.get("max_age", 120), "accepts_children": eligibility.get("accepts_children", False),
        "wheelchair_accessible": eligibility.get("wheelchair_accessible", False),
        "exploitation_types": eligibility.get("exploitation_types", []),
        "residence_statuses": eligibility.get("residence_statuses", []),
        "countries": ", ".join(eligibility.get("countries", [])),
        "available": capacity.get("available", ""), "maximum": capacity.get("maximum", ""),
        "unit": capacity.get("unit", "bed"), "phone": contact.get("phone", ""), "email": contact.get("email") or "",
        "intake_hours": contact.get("intake_hours", ""), "hold_minutes": record.get("hold_minutes", 240),
        "status": record.get("status", "active"),
        "new_pool_unit": "appointment",
        **{pool_field(need, name): pool.get(name, "") for need, pool in (record.get("service_capacity") or {}).items()
           for name in ("available", "maximum", "unit")},
    }


def capacity_target(form, current: int, maximum: int) -> int | None:
    """The available count a capacity form asks for: +1, -1, the same again, or a number; None when invalid."""
    action = form.get("action")
    if action == "increment":
        return min(current + 1, maximum)
    if action == "decrement":
        return max(current - 1, 0)
    if action == "confirm":
        return current
    try:
        value = int((form.get("available") or "").strip())
    except ValueError:
        return None
    return value if 0 <= value <= maximum else None
