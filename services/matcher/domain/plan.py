"""What a set of ranked needs adds up to: where the person will live, whether an interpreter is needed,
and why a need could not be met, in words a caseworker can act on."""
from __future__ import annotations

from dataclasses import dataclass

from datetime import datetime

from ...shared.intake import next_opening, slot_at
from ...shared.languages import country_name
from ...shared.placement import RESIDENTIAL_NEEDS, intake_slots_of
from .geo import Point
from .person import Person, provider_point
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


def anchor_of(shelter: ScoredCandidate) -> Anchor:
    """The chosen shelter at its public point (its cell's centre when confidential): where care is ranked from."""
    provider = shelter.provider
    return Anchor(provider["id"], provider["name"], provider_point(provider),
                  provider["location"].get("municipality", ""))


def needs_without_shared_language(ranked: dict[str, list[ScoredCandidate]]) -> list[str]:
    """Needs with candidates of which none has staff speaking one of the person's languages."""
    return [need for need, candidates in ranked.items()
            if need != "interpreter" and candidates and not any(c.staff_language for c in candidates)]


def unmet_reason(need: str, person: Person, *, include_stale: bool, from_shelter: bool = False,
                 blocked_by: tuple[str, ...] | None = None, together: bool = False) -> str:
    """Why no candidate is left for a need.

    `blocked_by` names the hard filters that emptied the list, found by leaving each out in turn: each one
    alone when `together` is false, else only all of them at once. Without it (None), the filters that
    narrowed the search are named.
    """
    words = NEED_WORDS.get(need, need)
    if blocked_by is not None and len(blocked_by) == 1 and not together:
        return f"No {words} for this person: {_why(blocked_by[0], need, person, from_shelter)}"
    if blocked_by:
        named = ", ".join(CONSTRAINT_WORDS.get(name, name) for name in blocked_by)
        if together:
            return f"No {words} for this person: no one requirement rules them all out, together these do: {named}"
        return f"No {words} for this person: leaving out any one of these requirements would leave some: {named}"
    if need == "repatriation" and person.origin_country:
        return f"No return organisation with free capacity serves {_country(person.origin_country)}"
    if need == "interpreter":
        languages = ", ".join(language_label(code) for code in person.languages)
        return f"No interpreter with free capacity offers {languages}"
    if blocked_by is not None:
        return f"No {words} for this person: no active provider in the directory offers it"
    text = f"No {words} with free capacity meets this person's requirements"
    if person.max_distance_km is not None:
        text += f" within {person.max_distance_km:g} km" + (" of the shelter" if from_shelter else "")
    if person.avoid:
        text += " outside the areas to avoid"
    if not include_stale:
        text += "; providers that have not confirmed capacity for 7 days were left out (include_stale shows them)"
    return text


def group_taken_reason(suitable: int) -> str:
    """Why someone of a group has no place though some suit them: the rest of the group took those."""
    return (f"The {suitable} suitable {'provider' if suitable == 1 else 'providers'} had no free place left after "
            "placing others in this group")


# The requirement each hard filter stands for, as a caseworker names it.
CONSTRAINT_WORDS = {
    "avoid": "the areas to avoid", "capacity": "free capacity", "stale": "capacity confirmed within 7 days",
    "gender": "gender", "age": "age", "children": "children coming along", "wheelchair": "wheelchair access",
    "residence_status": "residence status", "distance": "the maximum distance", "language": "the person's languages",
    "support": "support needs", "target_group": "the shelter's target group", "intake": "intake hours",
}


def _why(name: str, need: str, person: Person, from_shelter: bool) -> str:
    """The one requirement that leaves nothing, in words; every other requirement is met by some provider."""
    if name == "avoid":
        return "the only ones that fit lie in the areas to avoid"
    if name == "capacity":
        return "every one that fits is full"
    if name == "stale":
        return "the only ones that fit have not confirmed capacity for 7 days (include_stale shows them)"
    if name == "gender":
        return f"none that fits takes in {GENDER_WORDS.get(person.gender, person.gender)}"
    if name == "age":
        return f"none that fits takes in someone aged {person.age}"
    if name == "children":
        return "none that fits takes children in"
    if name == "wheelchair":
        return "none that fits is wheelchair accessible or serves remotely or at home"
    if name == "residence_status":
        return f"none that fits accepts residence status {RESIDENCE_WORDS.get(person.residence_status, '')}".rstrip()
    if name == "distance":
        return f"none that fits is within {person.max_distance_km:g} km" + (" of the shelter" if from_shelter else "")
    if name == "intake":
        return "none that fits takes people in at this hour (Dutch time)"
    if name == "support":
        return "none that fits can serve the person's support needs"
    if name == "target_group":
        return "the only ones that fit are shelters for another target group"
    if name == "language":
        return "none that fits offers " + ", ".join(language_label(code) for code in person.languages)
    return CONSTRAINT_WORDS.get(name, name)


GENDER_WORDS = {"female": "women", "male": "men", "non_binary": "non-binary people"}
RESIDENCE_WORDS = {"dutch": "Dutch", "eu": "EU citizen", "reflection_period": "reflection period",
                   "residence_permit": "residence permit", "asylum": "asylum seeker", "undocumented": "undocumented",
                   "unknown": "unknown"}


def intake_reason(provider: dict, need: str, now: datetime) -> str | None:
    """For a place to live with structured intake hours: whether it takes people in now, or when it next does."""
    slots = intake_slots_of(provider) if need in RESIDENTIAL_NEEDS else None
    if slots is None:
        return None
    now_slot = slot_at(now)
    if now_slot in slots:
        return "Takes people in now"
    opening = next_opening(slots, now_slot)
    return f"Intake next opens {opening} (Dutch time)" if opening else None


def other_route(need: str, person: Person) -> str | None:
    """The usual route outside this directory when a need is unmet, where Dutch practice has one."""
    if need == "shelter" and person.age is not None and person.age < 18:
        return "An unaccompanied minor is placed in protected shelter through the guardianship organisation"
    if need == "shelter" and person.residence_status == "asylum":
        return "Someone in the asylum procedure is housed by asylum reception"
    if need == "shelter" and person.residence_status in ("dutch", "eu"):
        return ("Dutch and EU adults can go to a women's, men's or social shelter through the central "
                "municipality (Social Support Act)")
    if need == "interpreter":
        return ("The national coordination centre arranges interpreters for victims outside a shelter; the legal-aid "
                "board pays a lawyer's interpreter")
    if need == "repatriation":
        return "The national coordination centre can advise on return to countries no organisation here serves"
    return None


def _country(code: str) -> str:
    try:
        return country_name(code)
    except ValueError:
        return code
