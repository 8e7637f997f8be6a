"""The label of each form field, so an error summary can say which field each message is about.

English source strings, translated like every other message; a form whose label differs passes its own.
"""
from __future__ import annotations

import re

from .i18n import gettext

FIELD_LABELS = {
    # admin: provider form
    "name": "Name", "organization": "Organisation", "type": "Type", "status": "Status",
    "description": "Description", "services": "Services (needs served)", "languages": "Languages the person speaks",
    "interpretation_languages": "Languages through an interpreter", "municipality": "Municipality",
    "region": "Region or province", "address": "Street address", "postal_code": "Postal code",
    "lat": "Latitude", "lon": "Longitude", "genders": "Genders", "min_age": "Minimum age",
    "max_age": "Maximum age", "exploitation_types": "Specialised in",
    "residence_statuses": "Residence statuses accepted (none ticked: all)", "countries": "Return destinations",
    "available": "Free now", "maximum": "Maximum", "unit": "Unit", "hold_minutes": "Referral hold (minutes)",
    "phone": "Phone", "email": "Email", "intake_hours": "Intake hours",
    # caseworker: match, group and search
    "needs": "What does the person need?", "need": "What they need", "gender": "Gender", "age": "Age",
    "place": "Where the person is now", "exploitation_type": "Type of exploitation",
    "residence_status": "Residence status", "origin_country": "Country of origin",
    "max_distance_km": "Maximum distance (km)", "near": "Near (place or lat, lon)", "radius_km": "Within (km)",
    "language": "Language (staff or interpreter)", "case_reference": "Case reference",
    # admin: accounts, tokens, audit
    "role": "Role", "password": "Password", "provider_ids": "Provider ids (provider role)", "locale":
    "Language of the pages", "provider": "Provider ids (provider role)", "actor": "Who (email or user:…)",
    "action": "Action", "target": "Target (id)", "since": "From (date)", "until": "Until (date)",
    "code": "Code",
}
_PERSON_FIELD = re.compile(r"^p(\d+)_(.+)$")
_AREA_FIELD = re.compile(r"^avoid_(place|radius)_(\d+)$")


def field_label(name: str, locale: str, overrides: dict | None = None) -> str:
    """The visible label of a form field by its name; "" when the form has no such field."""
    if overrides and name in overrides:
        return overrides[name]
    person = _PERSON_FIELD.match(name)
    if person:
        inner = person.group(2)
        label = gettext(locale, "Languages the person speaks") if inner == "languages" else field_label(inner, locale)
        return gettext(locale, "Person {n}: {field}", n=int(person.group(1)) + 1, field=label)
    area = _AREA_FIELD.match(name)
    if area:
        n = int(area.group(2)) + 1
        if area.group(1) == "place":
            return gettext(locale, "Area {n}: place or coordinates", n=n)
        return gettext(locale, "Area {n}: radius (km)", n=n)
    return gettext(locale, FIELD_LABELS[name]) if name in FIELD_LABELS else ""
