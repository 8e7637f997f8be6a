"""The rules of placement: what a candidate query asks, and every hard filter, in one home.

The directory's stores translate these rules into SQL or query DSL and add nothing of their own; the
matcher checks the candidates it gets with the same functions; the property tests use them as the
oracle for every store. Nothing here imports Flask or a store client.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Callable

from .capacity import free_units, held_by_pool, pool_of
from .geo import Area, coarsen, distance_km
from .intake import WEEK_SLOTS, NotOpeningHours, open_slots
from .provider_view import EligibilityView, LocationView, ProviderView
from .times import parse_time
from .vocabulary import COMPLEX_SUPPORT_NEEDS

# Capacity reported longer ago than this is shown as stale ("call to confirm") and ranked lower...
STALE_AFTER = timedelta(hours=24)
# ...and longer ago than this, left out of automatic matching unless asked for.
EXCLUDED_AFTER = timedelta(days=7)
# Needs met where the person will live: only these ask whether children may come along.
RESIDENTIAL_NEEDS = frozenset({"shelter"})
# Ways of delivering a service that need no visit: a wheelchair user is served whatever the building.
WITHOUT_A_VISIT = frozenset({"remote", "outreach"})
DEFAULT_DELIVERY = ("on_site",)
# Residence statuses of the people the specialised shelters for non-Dutch victims take in.
NON_DUTCH_IN_CARE = frozenset({"reflection_period", "residence_permit", "undocumented"})


@dataclass(frozen=True)
class CandidateQuery:
    """Every hard filter of matching for one need, around one point."""

    need: str
    near: tuple[float, float]
    gender: str | None = None
    age: int | None = None
    accompanying_children: bool = False
    wheelchair: bool = False
    residence_status: str | None = None
    return_country: str | None = None
    max_distance_km: float | None = None
    avoid: tuple[Area, ...] = field(default=())
    include_stale: bool = False
    limit: int = 100
    # False only when the matcher asks whether capacity is what emptied a list (see `relaxed`).
    free_only: bool = True
    support_needs: tuple[str, ...] = ()
    # The groups the person may belong to (`groups_of`); a categorical shelter takes in only people of its own
    # groups. None: no such filter.
    target_groups: tuple[str, ...] | None = None
    # The quarter hour of the week (Dutch time, intake.slot_at) someone must be taken in at; None: any time.
    intake_slot: int | None = None

    def to_wire(self) -> dict:
        """The body of the directory's POST /candidates."""
        return {
            "need": self.need, "lat": self.near[0], "lon": self.near[1], "gender": self.gender, "age": self.age,
            "accompanying_children": self.accompanying_children, "wheelchair": self.wheelchair,
            "residence_status": self.residence_status, "return_country": self.return_country,
            "max_distance_km": self.max_distance_km,
            "avoid": [{"lat": a.lat, "lon": a.lon, "radius_km": a.radius_km} for a in self.avoid],
            "include_stale": self.include_stale, "limit": self.limit, "free_only": self.free_only,
            "support_needs": list(self.support_needs),
            "target_groups": None if self.target_groups is None else list(self.target_groups),
            "intake_slot": self.intake_slot,
        }

    @classmethod
    def from_wire(cls, data: dict) -> "CandidateQuery":
        """The query from a validated POST /candidates body."""
        return cls(
            need=data["need"], near=(data["lat"], data["lon"]), gender=data.get("gender"), age=data.get("age"),
            accompanying_children=data.get("accompanying_children", False),
            wheelchair=data.get("wheelchair", False), residence_status=data.get("residence_status"),
            return_country=data.get("return_country"), max_distance_km=data.get("max_distance_km"),
            avoid=tuple(Area(a["lat"], a["lon"], a["radius_km"]) for a in data.get("avoid", ())),
            include_stale=data.get("include_stale", False), limit=data.get("limit", 100),
            free_only=data.get("free_only", True), support_needs=tuple(data.get("support_needs", ())),
            target_groups=None if data.get("target_groups") is None else tuple(data["target_groups"]),
            intake_slot=data.get("intake_slot"))


def public_point(location: LocationView) -> tuple[float, float]:
    """The point of every distance a non-admin can observe: its cell's centre when confidential.

    The same for the stored record and for any view of it (a coarse point is its own cell's centre).
    """
    if location.get("confidential"):
        return coarsen(location["lat"], location["lon"])
    return location["lat"], location["lon"]


def in_area(area: Area, location: LocationView) -> bool:
    """Whether an area to avoid holds a provider: its point, or for a confidential one any part of its cell.

    A confidential provider is its whole public cell, so the answer never depends on where in the cell
    it is: safe for the person (a shelter near the edge of a circle is left out), and it tells someone
    shrinking circles around it nothing the cell does not.
    """
    if location.get("confidential"):
        return area.touches_cell(location["lat"], location["lon"])
    return area.contains(location["lat"], location["lon"])


def capacity_as_seen(capacity: dict, held: int, now: datetime) -> dict:
    """A capacity record as every view shows it at `now`: with `held` units pending, what is `free` after them,
    how old the count is and whether it is stale. A new dict; the record's other fields are kept."""
    age = now - parse_time(capacity["updated"])
    return dict(capacity, held=held, free=free_units(capacity["available"], held),
                age_hours=round(age.total_seconds() / 3600, 1), stale=age > STALE_AFTER)


def pools_as_seen(provider: dict, held_by_need: dict, now: datetime) -> dict:
    """`capacity` and `service_capacity` as every view shows them at `now` (capacity_as_seen for each pool), with
    the units held per referral need counted in the pool each need draws on (capacity.held_by_pool)."""
    held = held_by_pool(provider, held_by_need)
    return {"capacity": capacity_as_seen(provider["capacity"], held[None], now),
            "service_capacity": {need: capacity_as_seen(pool, held[need], now)
                                 for need, pool in (provider.get("service_capacity") or {}).items()}}


def is_stale(updated: str, now: datetime) -> bool:
    return now - parse_time(updated) > STALE_AFTER


def is_left_out_as_stale(updated: str, now: datetime) -> bool:
    return now - parse_time(updated) > EXCLUDED_AFTER


@dataclass(frozen=True)
class HardFilter:
    """One hard filter: whether it applies to a query, what of the query it reads, whether a provider passes,
    and the same query without it (None when it is never left out, not even to explain an empty list)."""

    name: str
    applies: Callable[[CandidateQuery], bool]
    reads: Callable[[CandidateQuery], tuple]
    passes: Callable[[CandidateQuery, ProviderView, datetime], bool]
    without: Callable[[CandidateQuery], CandidateQuery] | None = None


def _eligibility(provider: ProviderView) -> EligibilityView:
    return provider.get("eligibility") or {}


def free_places(provider: ProviderView, need: str) -> int:
    """Free units of the pool a need draws on: a view carries them worked out (by free_units); a stored record
    has its holds counted."""
    capacity = pool_of(provider, need)
    if "free" in capacity:
        return capacity["free"]
    return free_units(capacity.get("available", 0), capacity.get("held", 0))


def _accepts_residence(status: str, provider: ProviderView) -> bool:
    statuses = _eligibility(provider).get("residence_statuses") or ()
    return not statuses or status in statuses


def _always(query: CandidateQuery) -> bool:
    return True


def delivery_of(provider: ProviderView) -> tuple[str, ...]:
    """How a provider delivers its services; records from before the field are delivered on site."""
    return tuple(provider.get("delivery") or DEFAULT_DELIVERY)


def children_matter(query: CandidateQuery) -> bool:
    """Children with the person filter only the places the person will live in, not care, lawyers or interpreters."""
    return query.accompanying_children and query.need in RESIDENTIAL_NEEDS


def groups_of(age: int | None, residence_status: str | None, support_needs: tuple[str, ...]) -> tuple[str, ...]:
    """The shelter categories a person may belong to: every group their age and residence status do not rule
    out (an unknown status rules out none), and the support-need groups they name. Someone in asylum may belong
    to none: asylum reception houses them."""
    may_be_minor = age is None or age < 18
    may_be_adult = age is None or age >= 18
    status_unknown = residence_status in (None, "unknown")
    groups = []
    if may_be_minor:
        groups.append("minors")
    if may_be_adult and (status_unknown or residence_status in ("dutch", "eu")):
        groups.append("dutch_eu_adults")
    if may_be_adult and (status_unknown or residence_status in NON_DUTCH_IN_CARE):
        groups.append("reflection_period_non_dutch")
    if set(support_needs) & set(COMPLEX_SUPPORT_NEEDS):
        groups.append("complex_needs")
    if "lgbtqi" in support_needs:
        groups.append("lgbtqi")
    return tuple(groups)


def groups_matter(query: CandidateQuery) -> bool:
    """Target groups sort people into categorical shelters: only places to live."""
    return query.target_groups is not None and query.need in RESIDENTIAL_NEEDS


def takes_in_groups(query: CandidateQuery, provider: ProviderView) -> bool:
    """A provider with no target groups takes anyone in; a categorical one only people of one of its groups."""
    served = _eligibility(provider).get("target_groups") or ()
    return not served or bool(set(served) & set(query.target_groups))


def can_serve(query: CandidateQuery, provider: ProviderView) -> bool:
    """Whether the provider can serve every support need of the person (none is among those it cannot)."""
    return not set(query.support_needs) & set(_eligibility(provider).get("cannot_serve") or ())


@lru_cache(maxsize=4096)
def _slots_of_text(text: str) -> frozenset[int] | None:
    try:
        slots = open_slots(text)
    except NotOpeningHours:
        return None
    return None if len(slots) == WEEK_SLOTS else slots


def intake_slots_of(provider: ProviderView) -> frozenset[int] | None:
    """The quarter hours of the week a provider takes people in; None when it always does or does not say (in
    `contact.intake_opening_hours`, OSM syntax): then only a call tells, and no filter leaves it out."""
    text = (provider.get("contact") or {}).get("intake_opening_hours") or ""
    return _slots_of_text(text.strip()) if text.strip() else None


def intake_matters(query: CandidateQuery) -> bool:
    """"Can take someone in now" asks only places to live."""
    return query.intake_slot is not None and query.need in RESIDENTIAL_NEEDS


def takes_in_at(query: CandidateQuery, provider: ProviderView) -> bool:
    slots = intake_slots_of(provider)
    return slots is None or query.intake_slot in slots


def reachable_in_a_wheelchair(query: CandidateQuery, provider: ProviderView) -> bool:
    """An accessible building, or (for what is not a place to live) a service delivered remotely or at the person."""
    if _eligibility(provider).get("wheelchair_accessible"):
        return True
    return query.need not in RESIDENTIAL_NEEDS and bool(WITHOUT_A_VISIT & set(delivery_of(provider)))


# Every hard filter of matching (DESIGN.md, Matching), in the order a reason names them.
HARD_FILTERS = (
    HardFilter("avoid", lambda q: bool(q.avoid), lambda q: q.avoid,
               lambda q, p, now: not any(in_area(area, p["location"]) for area in q.avoid),
               lambda q: replace(q, avoid=())),
    HardFilter("need", _always, lambda q: (q.need,), lambda q, p, now: q.need in (p.get("services") or ())),
    HardFilter("status", _always, lambda q: (), lambda q, p, now: p.get("status", "active") == "active"),
    HardFilter("capacity", lambda q: q.free_only, lambda q: (), lambda q, p, now: free_places(p, q.need) > 0,
               lambda q: replace(q, free_only=False)),
    HardFilter("stale", lambda q: not q.include_stale, lambda q: (),
               lambda q, p, now: not is_left_out_as_stale(pool_of(p, q.need)["updated"], now),
               lambda q: replace(q, include_stale=True)),
    HardFilter("gender", lambda q: bool(q.gender), lambda q: (q.gender,),
               lambda q, p, now: q.gender in (_eligibility(p).get("genders") or ()),
               lambda q: replace(q, gender=None)),
    HardFilter("age", lambda q: q.age is not None, lambda q: (q.age,),
               lambda q, p, now: _eligibility(p).get("min_age", 0) <= q.age <= _eligibility(p).get("max_age", 120),
               lambda q: replace(q, age=None)),
    HardFilter("children", children_matter, lambda q: (q.need,),
               lambda q, p, now: bool(_eligibility(p).get("accepts_children")),
               lambda q: replace(q, accompanying_children=False)),
    HardFilter("wheelchair", lambda q: q.wheelchair, lambda q: (q.need,),
               lambda q, p, now: reachable_in_a_wheelchair(q, p),
               lambda q: replace(q, wheelchair=False)),
    HardFilter("residence_status", lambda q: bool(q.residence_status), lambda q: (q.residence_status,),
               lambda q, p, now: _accepts_residence(q.residence_status, p),
               lambda q: replace(q, residence_status=None)),
    HardFilter("support", lambda q: bool(q.support_needs), lambda q: q.support_needs,
               lambda q, p, now: can_serve(q, p), lambda q: replace(q, support_needs=())),
    HardFilter("target_group", groups_matter, lambda q: (q.need, q.target_groups),
               lambda q, p, now: takes_in_groups(q, p), lambda q: replace(q, target_groups=None)),
    HardFilter("return_country", lambda q: q.need == "repatriation", lambda q: (q.return_country,),
               lambda q, p, now: q.return_country in (_eligibility(p).get("countries") or ())),
    HardFilter("intake", intake_matters, lambda q: (q.need, q.intake_slot), lambda q, p, now: takes_in_at(q, p),
               lambda q: replace(q, intake_slot=None)),
    HardFilter("distance", lambda q: q.max_distance_km is not None, lambda q: (q.near, q.max_distance_km),
               lambda q, p, now: distance_from(q.near, p["location"]) <= q.max_distance_km,
               lambda q: replace(q, max_distance_km=None)),
)


def relaxed(query: CandidateQuery) -> list[tuple[str, CandidateQuery]]:
    """The query once without each hard filter that applies to it and may be left out: asked only when the
    query found nothing, so the one filter that emptied the list can be named. Never shown as candidates."""
    return [(rule.name, rule.without(query)) for rule in HARD_FILTERS
            if rule.without is not None and rule.applies(query)]


def without_any(query: CandidateQuery) -> CandidateQuery:
    """The query without every hard filter that may be left out: whether anything of its need is there at all."""
    for rule in HARD_FILTERS:
        if rule.without is not None and rule.applies(query):
            query = rule.without(query)
    return query


def failed_filters(query: CandidateQuery, provider: ProviderView, now: datetime) -> list[str]:
    """The hard filters a provider (a stored record or any view of it) fails; empty when it is a candidate."""
    return [rule.name for rule in HARD_FILTERS if rule.applies(query) and not rule.passes(query, provider, now)]


def distance_from(near: tuple[float, float], location: LocationView) -> float:
    """Kilometres from `near` to the provider's public point."""
    return distance_km(*public_point(location), *near)


def speaks_any(provider: ProviderView, languages: tuple[str, ...]) -> bool:
    """Whether the provider's staff or interpreters cover one of the languages (an interpreter must)."""
    offered = set(provider.get("languages") or ()) | set(provider.get("interpretation_languages") or ())
    return any(code in offered for code in languages)
