"""The soft score of a candidate for a person, factor by factor, with reasons as codes (services.shared.reasons).

Every factor is a number in [0, 1]; the score is their weighted mean over the factors that apply to
this person (specialism only counts when the person's exploitation type is known), so a score is
always in [0, 1] and comparable between people. No Flask, no HTTP: plain data in, plain data out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Hashable, Iterable, Sequence

import numpy as np

from ...shared.capacity import pool_of
from ...shared.placement import EXCLUDED_AFTER, RESIDENTIAL_NEEDS, STALE_AFTER, delivery_of
from ...shared.provider_view import ProviderView
from ...shared.reasons import Reason, reason
from .person import Person

STALE_AFTER_HOURS = STALE_AFTER.total_seconds() / 3600
LEFT_OUT_AFTER_HOURS = EXCLUDED_AFTER.total_seconds() / 3600
# Languages of one person told apart by two bits each in a 64-bit number (the schema allows 20).
MAX_LIKENESS_LANGUAGES = 31
# The reason code for free capacity in each unit; a unit not listed counts places.
HEADROOM_CODES = {"bed": "headroom.beds", "appointment": "headroom.appointments", "case": "headroom.cases",
                  "hour": "headroom.hours"}


@dataclass(frozen=True)
class ScoringWeights:
    """How much each factor counts, and how fast nearness fades; read from HAVEN_MATCH_* settings.

    Defaults: language 0.35, distance 0.25, freshness 0.15, specialism 0.15, headroom 0.10, support 0.40,
    and a distance factor that halves every 25 km.
    """

    language: float = 0.35
    distance: float = 0.25
    freshness: float = 0.15
    specialism: float = 0.15
    headroom: float = 0.10
    # A safe house specialised in what the person needs beyond the basics (an LGBTQI+ house for a trans
    # woman) must beat a general one in the person's own town that specialises in their form of
    # exploitation: it outweighs both nearness and that specialism together.
    support: float = 0.40
    distance_half_life_km: float = 25.0

    def __post_init__(self):
        for item in fields(self):
            value = getattr(self, item.name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"scoring weight {item.name} must be a finite number >= 0, not {value!r}")
        if self.language + self.distance + self.freshness + self.headroom <= 0:
            raise ValueError("at least one of the language, distance, freshness or headroom weights must be above 0")
        if self.distance_half_life_km <= 0:
            raise ValueError("distance_half_life_km must be above 0")


@dataclass(frozen=True)
class Factor:
    name: str
    value: float
    reason: Reason | None


@dataclass(frozen=True)
class ScoredCandidate:
    provider: ProviderView
    distance_km: float
    score: float
    factors: tuple[Factor, ...]
    staff_language: str | None

    @property
    def provider_id(self) -> str:
        return self.provider["id"]

    @property
    def reasons(self) -> list[Reason]:
        return [factor.reason for factor in self.factors if factor.reason]


def score_candidate(person: Person, need: str, provider: ProviderView, distance_km: float, now: datetime,
                    weights: ScoringWeights, *, distance_from: str | None = None,
                    explain: bool = True) -> ScoredCandidate:
    """Score one candidate; `distance_from` names the point distances start at when it is not the person.

    With `explain` false the reasons are left out: for the many pairs of a group placement that are
    only compared, never shown.
    """
    language, staff_language = language_factor(person.languages, provider, need, explain=explain)
    capacity = pool_of(provider, need)  # the pool this need draws on: its own, or the main capacity
    factors = [
        language,
        distance_factor(distance_km, weights.distance_half_life_km, approximate=_is_coarse(provider),
                        distance_from=distance_from, explain=explain, remote=works_remotely(provider, need)),
        freshness_factor(capacity["updated"], now),
    ]
    if person.exploitation_type:
        factors.append(specialism_factor(person.exploitation_type, provider, explain=explain))
    if person.support_needs:
        factors.append(support_factor(person.support_needs, provider, explain=explain))
    factors.append(headroom_factor(int(capacity.get("free", 0)), capacity.get("unit", "bed")))
    score = _weighted_mean(weights, tuple(f.name for f in factors), [f.value for f in factors])
    return ScoredCandidate(provider=provider, distance_km=distance_km, score=score,
                           factors=tuple(factors), staff_language=staff_language)


def fixed_values(person: Person, need: str, provider: ProviderView, freshness: float, free: int, unit: str,
                 weights: ScoringWeights) -> tuple:
    """What `score_candidate` weighs that does not depend on the distance: the weights of its factors in order and
    their sum, the language value, whether the service works remotely, and the values after the distance.

    `provider`: what the factors read of it (its languages, eligibility and delivery); `freshness`: the freshness
    factor's value, and `free` and `unit` the free units of the pool the need draws on."""
    names = ["language", "distance", "freshness"]
    rest = [freshness]
    if person.exploitation_type:
        names.append("specialism")
        rest.append(specialism_factor(person.exploitation_type, provider, explain=False).value)
    if person.support_needs:
        names.append("support")
        rest.append(support_factor(person.support_needs, provider, explain=False).value)
    names.append("headroom")
    rest.append(headroom_factor(free, unit).value)
    return (*_weights_of(weights, tuple(names)), language_match(person.languages, provider, need)[0],
            works_remotely(provider, need), rest)


def score_of(fixed: tuple, distance_km: float, weights: ScoringWeights) -> float:
    """The score from `fixed_values` and the distance."""
    weighed, total_weight, language, remote, rest = fixed
    return _mean(weighed, total_weight, [language, nearness(distance_km, weights.distance_half_life_km, remote), *rest])


def _weighted_mean(weights: ScoringWeights, names: tuple[str, ...], values: list[float]) -> float:
    """The factors' mean weighted by their weights, added up in the order given, within [0, 1]."""
    return _mean(*_weights_of(weights, names), values)


def _mean(weighed: tuple[float, ...], total_weight: float, values: list[float]) -> float:
    score = sum([weight * value for weight, value in zip(weighed, values)]) / total_weight if total_weight else 0.0
    return min(max(score, 0.0), 1.0)


@lru_cache(maxsize=64)
def _weights_of(weights: ScoringWeights, names: tuple[str, ...]) -> tuple[tuple[float, ...], float]:
    """The weights of the named factors, in order, and their sum."""
    weighed = tuple(getattr(weights, name) for name in names)
    return weighed, sum(weighed)


def rank(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """Best first; ties go to the nearer, then to the lower id, so equal input gives equal order."""
    return sorted(scored, key=lambda c: (-c.score, c.distance_km, c.provider_id))


def language_factor(languages: tuple[str, ...], provider: ProviderView, need: str = "", *,
                    explain: bool = True) -> tuple[Factor, str | None]:
    """Staff speaking one of the person's languages beats an interpreter; an earlier preference is a little better.
    An interpreter is ranked by the person's first language: one for a later language (often one they already
    share with staff) is a poor second.

    Returns the factor and the staff language shared, if any.
    """
    value, how, code, position = language_match(languages, provider, need)
    shared = code if how == "staff" else None
    if not explain:
        return Factor("language", value, None), shared
    if need == "interpreter" and how != "none":
        return Factor("language", value, _interpreting_reason(how, code, position, languages)), shared
    return Factor("language", value, _language_reason(how, code, position, need)), shared


def language_match(languages: tuple[str, ...], provider: ProviderView,
                   need: str = "") -> tuple[float, str, str | None, int]:
    """The language factor's value and what it rests on: how the person is understood (`staff`, `interpreted`, or
    `none` and their first language), in which of their languages, at which position of their preferences.

    For the interpreter need, the person's first language interpreted: best by the agency's own interpreters, then
    arranged; a later language counts for little."""
    staff = provider.get("languages") or ()
    if need == "interpreter":
        arranged = provider.get("interpretation_languages") or ()
        for position, code in enumerate(languages):
            if code in staff:
                return (1.0 if position == 0 else 0.3 - 0.05 * min(position, 5)), "staff", code, position
            if code in arranged:
                return (0.9 if position == 0 else 0.3 - 0.05 * min(position, 5)), "interpreted", code, position
        return 0.0, "none", languages[0] if languages else None, 0
    for position, code in enumerate(languages):
        if code in staff:
            return 1.0 - 0.05 * min(position, 5), "staff", code, position
    interpreted = provider.get("interpretation_languages") or ()
    for position, code in enumerate(languages):
        if code in interpreted:
            return 0.45 - 0.05 * min(position, 5), "interpreted", code, position
    return 0.0, "none", languages[0] if languages else None, 0


def _interpreting_reason(how: str, code: str, position: int, languages: tuple[str, ...]) -> Reason:
    own = how == "staff"
    if position == 0:
        return reason("interpreting.own" if own else "interpreting.arranged", language=code)
    return reason("interpreting.own_not_first" if own else "interpreting.arranged_not_first",
                  language=code, first_language=languages[0])


def works_remotely(provider: dict, need: str) -> bool:
    """A service delivered by phone or video, where that serves (not a place to live): distance does not count."""
    return need not in RESIDENTIAL_NEEDS and "remote" in delivery_of(provider)


def _language_reason(how: str, code: str | None, position: int, need: str) -> Reason | None:
    if code is None:
        return None
    if how == "staff":
        if need == "interpreter":
            return reason("interpreting.own", language=code)
        return (reason("language.staff_speaks", language=code) if position == 0 else
                reason("language.staff_speaks_later", language=code, rank=position + 1))
    if how == "interpreted":
        if need == "interpreter":
            return reason("interpreting.arranged", language=code)
        return (reason("language.interpreted", language=code) if position == 0 else
                reason("language.interpreted_later", language=code, rank=position + 1))
    return reason("language.interpreter_needed", language=code)


def distance_factor(distance_km: float, half_life_km: float, *, approximate: bool = False,
                    distance_from: str | None = None, explain: bool = True, remote: bool = False) -> Factor:
    """Nearer is better: the factor halves every `half_life_km`; a service delivered remotely is as near as any."""
    if remote:
        return Factor("distance", 1.0, reason("distance.remote") if explain else None)
    value = nearness(distance_km, half_life_km)
    if not explain:
        return Factor("distance", value, None)
    # Only the shelter of a care plan is ever the starting point other than the person.
    suffix = "_from_shelter" if distance_from else ""
    if distance_km < 1:
        return Factor("distance", value, reason(f"distance.under_1_km{suffix}"))
    shown = round(distance_km, 1) if distance_km < 10 else float(round(distance_km))
    return Factor("distance", value, reason(f"distance.{'about_' if approximate else ''}km{suffix}", km=shown))


def nearness(distance_km: float, half_life_km: float, remote: bool = False) -> float:
    """The distance factor's value: halves every `half_life_km`; 1 for a service delivered remotely."""
    return 1.0 if remote else 0.5 ** (max(distance_km, 0.0) / half_life_km)


@lru_cache(maxsize=4096)
def freshness_factor(updated: str, now: datetime) -> Factor:
    """Capacity confirmed within a day is trusted; older than that it counts much less and needs a call."""
    age_hours = count_age_hours(updated, now)
    value = freshness_value(age_hours)
    if age_hours <= STALE_AFTER_HOURS:
        if age_hours < 1:
            return Factor("freshness", value, reason("freshness.confirmed_within_hour"))
        return Factor("freshness", value, reason("freshness.confirmed_hours_ago", count=int(age_hours)))
    how_long = (reason("freshness.unconfirmed_hours", count=int(age_hours)) if age_hours < 48 else
                reason("freshness.unconfirmed_days", count=int(age_hours // 24)))
    return Factor("freshness", value, how_long)


def count_age_hours(updated: str, now: datetime) -> float:
    """How many hours old a count reported at `updated` is at `now` (0 for one from the future)."""
    return max((now - _parse_time(updated)).total_seconds() / 3600, 0.0)


def freshness_value(age_hours: float) -> float:
    """The freshness factor's value for a count this many hours old (0 or more)."""
    if age_hours <= STALE_AFTER_HOURS:
        return 1.0 - 0.2 * age_hours / STALE_AFTER_HOURS
    if age_hours <= LEFT_OUT_AFTER_HOURS:
        return 0.4 - 0.3 * (age_hours - STALE_AFTER_HOURS) / (LEFT_OUT_AFTER_HOURS - STALE_AFTER_HOURS)
    return 0.0


def specialism_factor(exploitation_type: str, provider: ProviderView, *, explain: bool = True) -> Factor:
    """A provider specialised in the person's form of exploitation is best; a general one comes next."""
    served = (provider.get("eligibility") or {}).get("exploitation_types") or ()
    if exploitation_type in served:
        return Factor("specialism", 1.0, reason("specialism.match", exploitation_type=exploitation_type)
                      if explain else None)
    if not served:
        return Factor("specialism", 0.4, reason("specialism.none", exploitation_type=exploitation_type)
                      if explain else None)
    return Factor("specialism", 0.2, reason("specialism.other", exploitation_type=exploitation_type)
                  if explain else None)


def support_factor(support_needs: tuple[str, ...], provider: dict, *, explain: bool = True) -> Factor:
    """Specialised support for each of the person's support needs counts; none of them leaves a general provider low."""
    special = set((provider.get("eligibility") or {}).get("specialises_in") or ())
    matched = [need for need in support_needs if need in special]
    if matched:
        return Factor("support", 0.2 + 0.8 * (len(matched) / len(support_needs)),
                      reason("support.specialised", support_needs=matched) if explain else None)
    return Factor("support", 0.2, reason("support.none", support_needs=list(support_needs)) if explain else None)


@lru_cache(maxsize=1024)
def headroom_factor(free: int, unit: str) -> Factor:
    """More free units: less chance the place is gone before the call; the gain flattens quickly."""
    free = max(free, 0)
    return Factor("headroom", 1.0 - 0.5 ** free, reason(HEADROOM_CODES.get(unit, "headroom.places"), count=free))


def _is_coarse(provider: ProviderView) -> bool:
    return (provider.get("location") or {}).get("precision_km", 0) > 0


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class ScoreColumns:
    """The scores `score_candidate` gives, for many people against one list of providers at once.

    For the many pairs of a group placement that are only compared: no reasons, no objects per pair.
    Each factor's value comes from the same factor function as in `score_candidate`, worked out once
    per distinct thing it reads (the person's languages and a provider's, their distances, their exploitation
    type and a provider's specialisms...), and the weighted mean adds them in the same order, so every score is
    equal to the last bit and a solver comparing them decides the same way.
    """

    def __init__(self, rules: Sequence[dict], freshness: Sequence[float], headroom: Sequence[float],
                 weights: ScoringWeights, need: str = "shelter"):
        """`rules`: what the factors read of each provider (its languages, eligibility and delivery); `freshness` and
        `headroom`: those factors' values for the pool the need draws on."""
        self.size = len(rules)
        self.weights = weights
        self.need = need
        self._remote = np.array([works_remotely(p, need) for p in rules], dtype=bool)
        self._freshness = np.asarray(freshness, dtype=float)
        self._headroom = np.asarray(headroom, dtype=float)
        self._rules = rules
        self._distinct: dict[str, _Distinct] = {}
        self._speakers: tuple[dict[str, list[int]], dict[str, list[int]]] | None = None
        self._spoken: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._nearness: dict[tuple, np.ndarray] = {}
        self._language: dict[tuple[str, ...], np.ndarray] = {}
        self._specialism: dict[str, np.ndarray] = {}
        self._support: dict[tuple[str, ...], np.ndarray] = {}

    @classmethod
    def of_views(cls, providers: Sequence[dict], now: datetime, weights: ScoringWeights,
                 need: str = "shelter") -> "ScoreColumns":
        """For whole views (or records) of providers, scored at `now`."""
        capacities = [pool_of(provider, need) for provider in providers]
        return cls(providers, [freshness_factor(c["updated"], now).value for c in capacities],
                   [headroom_factor(int(c.get("free", 0)), c.get("unit", "bed")).value for c in capacities],
                   weights, need)

    @classmethod
    def of_scorable(cls, candidates: Sequence, weights: ScoringWeights, need: str) -> "ScoreColumns":
        """For candidates as ranking reads them (`candidates.Scorable`), as `fixed_values` weighs them."""
        return cls([c.rules for c in candidates], [freshness_value(c.age_hours) for c in candidates],
                   [headroom_factor(c.free, c.unit).value for c in candidates], weights, need)

    def scores(self, person: Person, distances: np.ndarray) -> np.ndarray:
        """One score per provider for this person, with `distances` the km from them to each provider."""
        return self.score_rows([person], [distances])[0]

    def score_rows(self, people: Sequence[Person], distances: Sequence[np.ndarray]) -> np.ndarray:
        """`scores` for each person (a row each, in order), with `distances[i]` the km from person i to each provider.

        People weighed by the same factors are added up together: each element takes the same steps in the same
        order as it would alone."""
        scores = np.zeros((len(people), self.size))
        alike: dict[tuple[bool, bool], list[int]] = {}
        for index, person in enumerate(people):
            alike.setdefault((bool(person.exploitation_type), bool(person.support_needs)), []).append(index)
        weights = self.weights
        for (specialism, support), rows in alike.items():
            who = [people[row] for row in rows]
            named = [("language", np.array([self._language_values(person.languages) for person in who])),
                     ("distance", np.array([self._distance_values(distances[row]) for row in rows])),
                     ("freshness", self._freshness)]
            if specialism:
                named.append(("specialism", np.array([self._specialism_values(person.exploitation_type)
                                                      for person in who])))
            if support:
                named.append(("support", np.array([self._support_values(person.support_needs) for person in who])))
            named.append(("headroom", self._headroom))
            total_weight = sum(getattr(weights, name) for name, _ in named)
            if not total_weight:
                continue
            total = np.zeros((len(rows), self.size))
            for name, values in named:
                total = total + getattr(weights, name) * values
            scores[rows] = np.minimum(np.maximum(total / total_weight, 0.0), 1.0)
        return scores

    def _distance_values(self, distances: np.ndarray) -> np.ndarray:
        key = (distances.shape, distances.tobytes())
        if key not in self._nearness:
            half_life = self.weights.distance_half_life_km
            # distance_factor's value: 1 for a service delivered remotely, else the nearness
            self._nearness[key] = np.where(self._remote, 1.0, np.array([nearness(d, half_life)
                                                                        for d in distances.tolist()], dtype=float))
        return self._nearness[key]

    def _language_values(self, languages: tuple[str, ...]) -> np.ndarray:
        if languages not in self._language:
            if len(languages) > MAX_LIKENESS_LANGUAGES:
                values = [language_match(languages, p, self.need)[0] for p in self._rules]
                self._language[languages] = np.array(values, dtype=float)
                return self._language[languages]
            # language_match reads of a provider's languages only whether each of the person's is among its staff's,
            # and whether it is among its interpreters' (two bits a language here): providers alike in that are
            # alike for this person, and the factor is worked out on one of each.
            likeness = np.zeros(self.size, dtype=np.int64)
            for position, code in enumerate(languages):
                staff, interpreted = self._spoken_by(code)
                likeness |= staff << (2 * position)
                likeness |= interpreted << (2 * position + 1)
            _, one_of_each, alike = np.unique(likeness, return_index=True, return_inverse=True)
            values = np.array([language_match(languages, self._rules[index], self.need)[0]
                               for index in one_of_each.tolist()], dtype=float)
            self._language[languages] = values[alike.reshape(-1)]
        return self._language[languages]

    def _spoken_by(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """1 where `code` is among a provider's staff's languages, and where among its interpreters' (else 0)."""
        if self._speakers is None:
            # Each provider's lists read once: a provider is listed under every code in them (`code in` the list).
            self._speakers = ({}, {})
            for index, provider in enumerate(self._rules):
                for code_spoken in provider.get("languages") or ():
                    self._speakers[0].setdefault(code_spoken, []).append(index)
                for code_spoken in provider.get("interpretation_languages") or ():
                    self._speakers[1].setdefault(code_spoken, []).append(index)
        if code not in self._spoken:
            columns = np.zeros((2, self.size), dtype=np.int64)
            for row, speakers in enumerate(self._speakers):
                columns[row, speakers.get(code, [])] = 1
            self._spoken[code] = (columns[0], columns[1])
        return self._spoken[code]

    def _specialism_values(self, exploitation_type: str) -> np.ndarray:
        if exploitation_type not in self._specialism:
            self._specialism[exploitation_type] = self._by("exploitation_types").values(
                lambda p: specialism_factor(exploitation_type, p, explain=False).value)
        return self._specialism[exploitation_type]

    def _support_values(self, support_needs: tuple[str, ...]) -> np.ndarray:
        if support_needs not in self._support:
            self._support[support_needs] = self._by("specialises_in").values(
                lambda p: support_factor(support_needs, p, explain=False).value)
        return self._support[support_needs]


    def _by(self, what: str) -> "_Distinct":
        """The providers grouped by what a factor reads of them: the factor is worked out once per distinct one."""
        if what not in self._distinct:
            self._distinct[what] = _Distinct(self._rules, _READS[what])
        return self._distinct[what]


def _eligibility_of(provider: dict) -> dict:
    return provider.get("eligibility") or {}


# What a factor reads of a provider: specialism_factor the exploitation types it specialises in, support_factor the
# support needs it specialises in.
_READS: dict[str, Callable[[dict], Hashable]] = {
    "exploitation_types": lambda p: tuple(_eligibility_of(p).get("exploitation_types") or ()),
    "specialises_in": lambda p: tuple(_eligibility_of(p).get("specialises_in") or ()),
}


class _Distinct:
    """Items grouped by what a function reads of them (`key`): a function that reads no more is worked out on the
    first item of each group and spread to the others."""

    def __init__(self, items: Iterable, key: Callable[[Any], Hashable]):
        number: dict[Hashable, int] = {}
        self.first: list = []
        index = []
        for item in items:
            found = number.setdefault(key(item), len(number))
            if found == len(self.first):
                self.first.append(item)
            index.append(found)
        self.index = np.array(index, dtype=np.intp)

    def values(self, value: Callable[[Any], float]) -> np.ndarray:
        return np.array([value(item) for item in self.first], dtype=float)[self.index]
