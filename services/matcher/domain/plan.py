"""What a set of ranked needs adds up to: where the person will live, whether an interpreter is needed,
and why a need could not be met, as reason codes a caseworker's page writes out in words."""
from __future__ import annotations

from dataclasses import dataclass

from datetime import datetime

from ...shared.intake import next_opening, slot_at
from ...shared.placement import RESIDENTIAL_NEEDS, intake_slots_of
from ...shared.reasons import Reason, reason
from .geo import Point
from .person import Person, provider_point
from .scoring import ScoredCandidate


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
                 blocked_by: tuple[str, ...] | None = None, together: bool = False) -> Reason:
    """Why no candidate is left for a need.

    `blocked_by` names the hard filters that emptied the list, found by leaving each out in turn: each one
    alone when `together` is false, else only all of them at once. Without it (None), the filters that
    narrowed the search are not known.
    """
    if blocked_by is not None and len(blocked_by) == 1 and not together:
        return _why(blocked_by[0], need, person, from_shelter)
    if blocked_by:
        return reason("unmet.together" if together else "unmet.each_alone", need=need, filters=list(blocked_by))
    if need == "repatriation" and person.origin_country:
        return reason("unmet.repatriation_country", country=person.origin_country)
    if need == "interpreter":
        return reason("unmet.interpreter_languages", languages=list(person.languages))
    if blocked_by is not None:
        return reason("unmet.not_offered", need=need)
    return reason("unmet.requirements" if include_stale else "unmet.requirements_stale_left_out", need=need)


def group_taken_reason(suitable: int) -> Reason:
    """Why someone of a group has no place though some suit them: the rest of the group took those."""
    return reason("group.no_place_left", count=suitable)


# The hard filters whose reason needs nothing but the need; the others carry what the person asked for.
_PLAIN_FILTERS = ("avoid", "capacity", "stale", "children", "wheelchair", "intake", "support", "target_group")


def _why(name: str, need: str, person: Person, from_shelter: bool) -> Reason:
    """The one requirement that leaves nothing; every other requirement is met by some provider."""
    if name in _PLAIN_FILTERS:
        return reason(f"unmet.{name}", need=need)
    if name == "gender" and person.gender:
        return reason("unmet.gender", need=need, gender=person.gender)
    if name == "age" and person.age is not None:
        return reason("unmet.age", need=need, age=person.age)
    if name == "residence_status" and person.residence_status:
        return reason("unmet.residence_status", need=need, residence_status=person.residence_status)
    if name == "distance" and person.max_distance_km is not None:
        return reason("unmet.distance_from_shelter" if from_shelter else "unmet.distance", need=need,
                      km=person.max_distance_km)
    if name == "language":
        return reason("unmet.language", need=need, languages=list(person.languages))
    return reason("unmet.filter", need=need, filter=name)


def intake_reason(provider: dict, need: str, now: datetime) -> Reason | None:
    """For a place to live with structured intake hours: whether it takes people in now, or when it next does."""
    slots = intake_slots_of(provider) if need in RESIDENTIAL_NEEDS else None
    if slots is None:
        return None
    now_slot = slot_at(now)
    if now_slot in slots:
        return reason("intake.open_now")
    opening = next_opening(slots, now_slot)
    if not opening:
        return None
    weekday, time = opening.split(" ")
    return reason("intake.next_opens", weekday=weekday, time=time)


def other_route(need: str, person: Person) -> Reason | None:
    """The usual route outside this directory when a need is unmet, where Dutch practice has one."""
    if need == "shelter" and person.age is not None and person.age < 18:
        return reason("route.guardianship")
    if need == "shelter" and person.residence_status == "asylum":
        return reason("route.asylum_reception")
    if need == "shelter" and person.residence_status in ("dutch", "eu"):
        return reason("route.municipal_shelter")
    if need == "interpreter":
        return reason("route.interpreter_coordination")
    if need == "repatriation":
        return reason("route.return_advice")
    return None
