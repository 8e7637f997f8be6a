"""Reasons as the matcher gives them: a code with parameters, no words in any language.

The matcher says why a candidate ranks where it does, why a need is unmet, where else to turn and why
someone in a group got no place, as `{"code": ..., "params": {...}}`; the gateway writes each out in the
reader's language from its catalogues (services/gateway/reasons). This registry is the vocabulary both
sides share: every code, its parameters and what kind of value each parameter holds. docs/reasons.md
lists them with their English text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# What a parameter's value is. Codes (a language, a need) are written out as names in the reader's language.
PARAM_KINDS = {
    "language": "an ISO 639 language code",
    "languages": "a list of ISO 639 language codes",
    "country": "an ISO 3166-1 alpha-2 country code",
    "need": "a need (shelter, medical, ...)",
    "gender": "a gender (female, male, non_binary)",
    "residence_status": "a residence status (dutch, eu, reflection_period, ...)",
    "exploitation_type": "an exploitation type (sexual, labour, criminal, other)",
    "support_needs": "a list of support needs (lgbtqi, psychiatric, ...)",
    "filters": "a list of hard-filter names (avoid, capacity, stale, gender, age, ...)",
    "filter": "a hard-filter name",
    "weekday": "a day of the week as Mo, Tu, We, Th, Fr, Sa, Su",
    "time": "a time of day as HH:MM (Dutch time)",
    "integer": "a whole number",
    "km": "a distance in kilometres",
    "distance": "a distance in kilometres, said as \"less than 1 km\" below 1",
    "score": "a score from 0 to 1, shown with two decimals",
    "name": "a provider's name, shown as it is",
    "ordinal": "a position counted from 1 (2: the person's second language)",
}

_NEED = {"need": "need"}

# code: {parameter: kind}. A parameter named `count` also chooses the plural form.
REASONS: dict[str, dict[str, str]] = {
    # The language factor of a candidate; `rank` is where the language stands in the person's list.
    "language.staff_speaks": {"language": "language"},
    "language.staff_speaks_later": {"language": "language", "rank": "ordinal"},
    "language.interpreted": {"language": "language"},
    "language.interpreted_later": {"language": "language", "rank": "ordinal"},
    "language.interpreter_needed": {"language": "language"},
    # The language factor of an interpreter, ranked by the person's first language.
    "interpreting.own": {"language": "language"},
    "interpreting.arranged": {"language": "language"},
    "interpreting.own_not_first": {"language": "language", "first_language": "language"},
    "interpreting.arranged_not_first": {"language": "language", "first_language": "language"},
    # The distance factor; `_from_shelter` when other care is ranked around the chosen shelter.
    "distance.remote": {},
    "distance.under_1_km": {},
    "distance.under_1_km_from_shelter": {},
    "distance.km": {"km": "km"},
    "distance.about_km": {"km": "km"},
    "distance.km_from_shelter": {"km": "km"},
    "distance.about_km_from_shelter": {"km": "km"},
    # How recently the provider confirmed its capacity.
    "freshness.confirmed_within_hour": {},
    "freshness.confirmed_hours_ago": {"count": "integer"},
    "freshness.unconfirmed_hours": {"count": "integer"},
    "freshness.unconfirmed_days": {"count": "integer"},
    # Specialism in the person's form of exploitation, and in their support needs.
    "specialism.match": {"exploitation_type": "exploitation_type"},
    "specialism.none": {"exploitation_type": "exploitation_type"},
    "specialism.other": {"exploitation_type": "exploitation_type"},
    "support.specialised": {"support_needs": "support_needs"},
    "support.none": {"support_needs": "support_needs"},
    # Free capacity, by the unit the provider counts in.
    "headroom.beds": {"count": "integer"},
    "headroom.appointments": {"count": "integer"},
    "headroom.cases": {"count": "integer"},
    "headroom.hours": {"count": "integer"},
    "headroom.places": {"count": "integer"},
    # Structured intake hours of a place to live.
    "intake.open_now": {},
    "intake.next_opens": {"weekday": "weekday", "time": "time"},
    # Why a need is unmet: the one hard filter that alone emptied the list ...
    "unmet.avoid": _NEED,
    "unmet.capacity": _NEED,
    "unmet.stale": _NEED,
    "unmet.gender": {"need": "need", "gender": "gender"},
    "unmet.age": {"need": "need", "age": "integer"},
    "unmet.children": _NEED,
    "unmet.wheelchair": _NEED,
    "unmet.residence_status": {"need": "need", "residence_status": "residence_status"},
    "unmet.distance": {"need": "need", "km": "km"},
    "unmet.distance_from_shelter": {"need": "need", "km": "km"},
    "unmet.intake": _NEED,
    "unmet.support": _NEED,
    "unmet.target_group": _NEED,
    "unmet.language": {"need": "need", "languages": "languages"},
    "unmet.filter": {"need": "need", "filter": "filter"},
    # ... several filters, each alone or only together ...
    "unmet.each_alone": {"need": "need", "filters": "filters"},
    "unmet.together": {"need": "need", "filters": "filters"},
    # ... or nothing of the need at all, or no filter named.
    "unmet.not_offered": _NEED,
    "unmet.requirements": _NEED,
    "unmet.requirements_stale_left_out": _NEED,
    "unmet.repatriation_country": {"country": "country"},
    "unmet.interpreter_languages": {"languages": "languages"},
    # The usual route outside this directory when a need is unmet.
    "route.guardianship": {},
    "route.asylum_reception": {},
    "route.municipal_shelter": {},
    "route.interpreter_coordination": {},
    "route.return_advice": {},
    # Why the care plan anchors on its shelter: the top-ranked one, or another whose care nearby adds up to more.
    "plan.only_shelter": {"score": "score"},
    "plan.top_is_best": {"shelters": "integer", "score": "score"},
    "plan.chosen_over": {"provider_name": "name", "score": "score", "top_score": "score",
                         "shelter_score": "score", "top_shelter_score": "score"},
    "plan.need_only_from_here": {"need": "need", "provider_name": "name"},
    "plan.need_nearer": {"need": "need", "distance": "distance", "score": "score", "provider_name": "name",
                         "top_distance": "distance", "top_score": "score"},
    # Why someone in a group got no place.
    "group.no_place_left": {"count": "integer"},
}


# Each code's parameter names, for the check made on every reason (a match makes thousands).
_PARAMS = {code: frozenset(params) for code, params in REASONS.items()}


class UnknownReason(ValueError):
    """A code not in the registry, or parameters other than the code's."""


@dataclass(frozen=True)
class Reason:
    """One reason: a code from REASONS and its parameters, checked when made."""

    code: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        expected = _PARAMS.get(self.code)
        if expected is None:
            raise UnknownReason(f"unknown reason code: {self.code!r}")
        if self.params.keys() != expected:
            raise UnknownReason(f"reason {self.code!r} takes {sorted(expected)}, not {sorted(self.params)}")

    def as_dict(self) -> dict:
        """The reason on the wire."""
        return {"code": self.code, "params": dict(self.params)}


def reason(code: str, **params) -> Reason:
    """A reason with its parameters, checked against the registry."""
    return Reason(code, params)
