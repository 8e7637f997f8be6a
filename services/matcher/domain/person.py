"""The person being helped, as a match request describes them, and the hard filters they bring.

A person is attributes only (needs, languages, age, gender, where they are, what to avoid): never a
name or an identity number, and nothing here is stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...shared.geo import Area
from ...shared.intake import slot_at
from ...shared.placement import CandidateQuery, failed_filters, groups_of, public_point, speaks_any
from ...shared.provider_view import ProviderView
from .geo import Point


@dataclass(frozen=True)
class Person:
    languages: tuple[str, ...]
    location: Point
    gender: str | None = None
    age: int | None = None
    accompanying_children: bool = False
    wheelchair: bool = False
    exploitation_type: str | None = None
    residence_status: str | None = None
    origin_country: str | None = None
    avoid: tuple[Area, ...] = ()
    max_distance_km: float | None = None
    support_needs: tuple[str, ...] = ()
    intake_now: bool = False

    @property
    def first_language(self) -> str | None:
        return self.languages[0] if self.languages else None


def candidate_query(person: Person, need: str, *, origin: Point | None = None, include_stale: bool = False,
                    limit: int = 50, at: datetime | None = None) -> CandidateQuery:
    """The hard filters of this person for one need, searched around `origin` (where they are by default); `at`
    is the time of the request, for a person who must be taken in now."""
    origin = origin or person.location
    return CandidateQuery(
        need=need, near=(origin.lat, origin.lon), gender=person.gender, age=person.age,
        accompanying_children=person.accompanying_children, wheelchair=person.wheelchair,
        residence_status=person.residence_status,
        return_country=person.origin_country if need == "repatriation" else None,
        max_distance_km=person.max_distance_km, avoid=person.avoid, include_stale=include_stale, limit=limit,
        support_needs=person.support_needs,
        target_groups=groups_of(person.age, person.residence_status, person.support_needs),
        intake_slot=slot_at(at) if person.intake_now and at is not None else None)


def area_query(person: Person, need: str, *, include_stale: bool = False, limit: int = 50) -> CandidateQuery:
    """Only where to look (place, areas to avoid, distance, return country), without the person's own
    eligibility (gender, age, children, wheelchair, residence status, support needs, groups): one pool several people can share,
    each person's own filters then checked by `failed_requirements`."""
    return CandidateQuery(
        need=need, near=(person.location.lat, person.location.lon),
        return_country=person.origin_country if need == "repatriation" else None,
        max_distance_km=person.max_distance_km, avoid=person.avoid, include_stale=include_stale, limit=limit)


def provider_point(provider: ProviderView) -> Point:
    """Where every distance to the provider is measured from: its public point (its cell's centre when confidential)."""
    return Point(*public_point(provider["location"]))


def failed_requirements(person: Person, need: str, provider: ProviderView, now: datetime, *, origin: Point | None = None,
                        include_stale: bool = False) -> list[str]:
    """The hard filters this provider fails for this person and need, searched from `origin`; empty when it may
    be offered.

    The directory applies the same rules (services.shared.placement) authoritatively; the matcher checks
    again because a group pools candidates found for several people, and as a defence in depth for areas
    to avoid. An interpreter must also cover one of the person's languages: the matcher's own rule.
    """
    query = candidate_query(person, need, origin=origin, include_stale=include_stale, at=now)
    return failed_for_query(query, person, provider, now)


def failed_for_query(query: CandidateQuery, person: Person, provider: ProviderView, now: datetime) -> list[str]:
    """`failed_requirements` for a query already built: one per need, not one per candidate."""
    return failed_filters(query, provider, now) + failed_own_rules(query, person, provider)


def failed_own_rules(query: CandidateQuery, person: Person, provider: ProviderView) -> list[str]:
    """The matcher's own rules, which no candidate source applies: an interpreter must cover one of the
    person's languages."""
    if query.need == "interpreter" and not speaks_any(provider, person.languages):
        return ["language"]
    return []
