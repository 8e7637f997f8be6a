"""What a set of ranked needs adds up to: where the person will live, whether an interpreter is needed,
and why a need could not be met, in words a caseworker can act on."""
from __future__ import annotations

from dataclasses import dataclass

from ...shared.languages import country_name
from .geo import Point
from .person import Person
from .scoring import ScoredCandidate, language_label

NEED_WORDS = {
    "shelter": "shelter", "medical": "medical care", "mental_health": "mental-health care",
    "legal": "legal help", "residence_status": "help with residence status",
    "compensation": "help with a compensation claim", "interpreter": "interpreter",
    "repatriation": "return support",
}


@dataclass(frozen=True)
class Anchor:
    """The shelter the person will most likely live in; other care is ranked by distance from it."""

    provider_id: str
    name: str
    point: Point
    municipality: str


def anchor_of(shelters: list[ScoredCandidate]) -> Anchor | None:
    """The top-ranked shelter, at the location the caller may see (coarse when confidential)."""
    if not shelters:
        return None
    top = shelters[0].provider
    location = top["location"]
    return Anchor(top["id"], top["name"], Point(location["lat"], location["lon"]), location.get("municipality", ""))


def needs_without_shared_language(ranked: dict[str, list[ScoredCandidate]]) -> list[str]:
    """Needs with candidates of which none has staff speaking one of the person's languages."""
    return [need for need, candidates in ranked.items()
            if need != "interpreter" and candidates and not any(c.staff_language for c in candidates)]


def unmet_reason(need: str, person: Person, *, include_stale: bool, from_shelter: bool = False) -> str:
    """Why no candidate is left for a need, naming the filters that narrowed the search."""
    words = NEED_WORDS.get(need, need)
    if need == "repatriation" and person.origin_country:
        return f"No return organisation with free capacity serves {_country(person.origin_country)}"
    if need == "interpreter":
        languages = ", ".join(language_label(code) for code in person.languages)
        return f"No interpreter with free capacity offers {languages}"
    text = f"No {words} with free capacity meets this person's requirements"
    if person.max_distance_km is not None:
        text += f" within {person.max_distance_km:g} km" + (" of the shelter" if from_shelter else "")
    if person.avoid:
        text += " outside the areas to avoid"
    if not include_stale:
        text += "; providers that have not confirmed capacity for 7 days were left out (include_stale shows them)"
    return text


def _country(code: str) -> str:
    try:
        return country_name(code)
    except ValueError:
        return code
