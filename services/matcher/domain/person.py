"""The person being helped, as a match request describes them, and the hard filters they bring.

A person is attributes only (needs, languages, age, gender, where they are, what to avoid): never a
name or an identity number, and nothing here is stored.
"""
from __future__ import annotations

from dataclasses import dataclass

from .geo import Area, Point


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

    @property
    def first_language(self) -> str | None:
        return self.languages[0] if self.languages else None


@dataclass(frozen=True)
class CandidateQuery:
    """What the directory is asked for one need: the person's hard filters around one point."""

    need: str
    origin: Point
    gender: str | None = None
    age: int | None = None
    accompanying_children: bool = False
    wheelchair: bool = False
    residence_status: str | None = None
    return_country: str | None = None
    max_distance_km: float | None = None
    avoid: tuple[Area, ...] = ()
    include_stale: bool = False
    limit: int = 50

    def to_wire(self) -> dict:
        """The body of the directory's POST /candidates."""
        return {
            "need": self.need, "lat": self.origin.lat, "lon": self.origin.lon, "gender": self.gender,
            "age": self.age, "accompanying_children": self.accompanying_children, "wheelchair": self.wheelchair,
            "residence_status": self.residence_status, "return_country": self.return_country,
            "max_distance_km": self.max_distance_km,
            "avoid": [{"lat": a.lat, "lon": a.lon, "radius_km": a.radius_km} for a in self.avoid],
            "include_stale": self.include_stale, "limit": self.limit,
        }


def candidate_query(person: Person, need: str, *, origin: Point | None = None, include_stale: bool = False,
                    limit: int = 50) -> CandidateQuery:
    """The hard filters of this person for one need, searched around `origin` (where they are by default)."""
    return CandidateQuery(
        need=need, origin=origin or person.location, gender=person.gender, age=person.age,
        accompanying_children=person.accompanying_children, wheelchair=person.wheelchair,
        residence_status=person.residence_status,
        return_country=person.origin_country if need == "repatriation" else None,
        max_distance_km=person.max_distance_km, avoid=person.avoid, include_stale=include_stale, limit=limit)


def area_query(person: Person, need: str, *, include_stale: bool = False, limit: int = 50) -> CandidateQuery:
    """Only where to look (place, areas to avoid, distance, return country), without the person's own
    eligibility (gender, age, children, wheelchair, residence status): one pool several people can share,
    each person's own filters then checked by `failed_requirements`."""
    return CandidateQuery(
        need=need, origin=person.location,
        return_country=person.origin_country if need == "repatriation" else None,
        max_distance_km=person.max_distance_km, avoid=person.avoid, include_stale=include_stale, limit=limit)


def provider_point(provider: dict) -> Point:
    """Where the provider is as the caller may see it (coarse when its address is confidential)."""
    return Point(provider["location"]["lat"], provider["location"]["lon"])


def offers_language(provider: dict, codes: tuple[str, ...]) -> bool:
    offered = set(provider.get("languages") or ()) | set(provider.get("interpretation_languages") or ())
    return any(code in offered for code in codes)


# Floating point noise between the two services' distance sums must not drop a provider at the edge.
_DISTANCE_TOLERANCE_KM = 0.01


def failed_requirements(person: Person, need: str, provider: dict, distance_km: float) -> list[str]:
    """The hard filters this provider fails for this person and need; empty when it may be offered.

    The directory applies the same filters authoritatively; the matcher checks again because a
    group pools candidates found for several people, and as a defence in depth for areas to avoid.
    """
    failed = []
    point = provider_point(provider)
    if any(area.contains(point) for area in person.avoid):
        failed.append("avoid")
    eligibility = provider.get("eligibility") or {}
    if need not in (provider.get("services") or ()):
        failed.append("need")
    if provider.get("status", "active") != "active":
        failed.append("status")
    if (provider.get("capacity") or {}).get("free", 0) <= 0:
        failed.append("capacity")
    if person.gender and person.gender not in (eligibility.get("genders") or ()):
        failed.append("gender")
    if person.age is not None and not (eligibility.get("min_age", 0) <= person.age <= eligibility.get("max_age", 120)):
        failed.append("age")
    if person.accompanying_children and not eligibility.get("accepts_children"):
        failed.append("children")
    if person.wheelchair and not eligibility.get("wheelchair_accessible"):
        failed.append("wheelchair")
    statuses = eligibility.get("residence_statuses") or ()
    if person.residence_status and statuses and person.residence_status not in statuses:
        failed.append("residence_status")
    if need == "repatriation" and person.origin_country not in (eligibility.get("countries") or ()):
        failed.append("return_country")
    if person.max_distance_km is not None and distance_km > person.max_distance_km + _DISTANCE_TOLERANCE_KM:
        failed.append("distance")
    if need == "interpreter" and not offers_language(provider, person.languages):
        failed.append("language")
    return failed
