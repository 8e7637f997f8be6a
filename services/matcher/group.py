"""Placing a group freed together: one pool of candidates, each person's filters checked, one assignment.

Counts and durations are logged; what a person is (their attributes) never is.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

import numpy as np

from .candidates import CandidateSource
from .domain.assignment import assign_matrix
from .domain.geo import Point, between
from ..shared.placement import HARD_FILTERS, CandidateQuery, failed_filters, free_places, speaks_any
from .blocking import blocking_filters
from .domain.person import Person, area_query, candidate_query, provider_point
from .domain.plan import group_taken_reason, other_route, unmet_reason
from .domain.scoring import ScoreColumns, ScoringWeights, score_candidate

log = logging.getLogger(__name__)
MAX_CANDIDATES_PER_QUERY = 1000


class _Fetched:
    """How many candidates one request fetched, for the log line."""

    def __init__(self):
        self.fetched = 0


def match_group(*, source: CandidateSource, people: list[Person], need: str, weights: ScoringWeights,
                now: datetime, include_stale: bool = False) -> dict:
    """Places for a group freed together: as many people placed as possible, then the best total score."""
    started = time.perf_counter()
    counts = _Fetched()
    distinct = list(dict.fromkeys(people))  # people with the same attributes are checked and scored once
    reach, queries = _group_candidates(source, distinct, need, now, include_stale, len(people), counts)
    options = reach.providers
    columns = ScoreColumns(options, now, weights, need=need)
    allowed = np.zeros((len(distinct), len(options)), dtype=bool)
    values = np.zeros((len(distinct), len(options)))
    for index, person in enumerate(distinct):
        allowed[index] = reach.allowed(person)
        values[index] = columns.scores(person, reach.distances(person.location))
    row_of = {person: index for index, person in enumerate(distinct)}
    rows = np.array([row_of[person] for person in people], dtype=np.intp)
    result = assign_matrix(values[rows], allowed[rows], reach.free)

    assignments = []
    for placement in sorted(result.placements, key=lambda p: p.person):
        who = people[placement.person]
        distance = float(reach.distances(who.location)[placement.option])
        # Explained by score_candidate itself: the reasons are the ones a single match gives.
        chosen = score_candidate(who, need, options[placement.option], distance, now, weights)
        assignments.append({"person": placement.person, "provider_id": chosen.provider_id,
                            "provider_name": chosen.provider["name"], "score": round(chosen.score, 3),
                            "distance_km": round(chosen.distance_km, 1),
                            "reasons": [why.as_dict() for why in chosen.reasons]})
    unassigned = _unassigned(source, people, result.unplaced, allowed[rows], reach.providers, need, now,
                             include_stale)
    log.info("group match", extra={"people_count": len(people), "queries_count": len(queries),
                                   "candidates_count": counts.fetched, "options_count": len(options),
                                   "assigned_count": len(assignments),
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
    return {"assignments": assignments, "unassigned": unassigned, "total_score": round(result.total_score, 3)}


def _unassigned(source: CandidateSource, people: list[Person], unplaced: tuple[int, ...], allowed: np.ndarray,
                providers: list[dict], need: str, now: datetime, include_stale: bool) -> list[dict]:
    """Why each person left without a place has none, as a single match says it of an unmet need.

    Someone whose suitable places the rest of the group took is told so (`blocked_by` capacity,
    `taken_by_group`); for someone no candidate suits, the hard filters that emptied their search are
    found as a single match finds them (blocking.blocking_filters), one batch for all such people,
    each distinct person asked once.
    """
    nothing_suits: dict[Person, tuple[Person, CandidateQuery, int]] = {}
    for index in unplaced:
        who = people[index]
        if not allowed[index].any() and who not in nothing_suits:
            query = candidate_query(who, need, include_stale=include_stale)
            found = sum(1 for provider in providers if not failed_filters(query, provider, now))
            nothing_suits[who] = (who, query, found)
    blocked = blocking_filters(source, nothing_suits, now)
    unassigned = []
    for index in unplaced:
        who = people[index]
        suitable = int(allowed[index].sum())
        if suitable:
            reason, blocked_by, taken = group_taken_reason(suitable), ("capacity",), True
        else:
            filters, together = blocked[who]
            reason = unmet_reason(need, who, include_stale=include_stale, blocked_by=filters, together=together)
            blocked_by, taken = filters, False
        route = other_route(need, who)
        unassigned.append({"person": index, "reason": reason.as_dict(), "blocked_by": list(blocked_by),
                           "taken_by_group": taken, "other_route": route.as_dict() if route else None})
    return unassigned


class _Reach:
    """Which providers pass which person's hard filters, and how far away they are, a column at a time.

    Each column is one rule of services.shared.placement (the rules' one home) over every provider, worked
    out once per distinct value it reads: people who share where they are, a gender or an age share it.
    """

    def __init__(self, providers: list[dict], need: str, now: datetime, include_stale: bool):
        self.providers = providers
        self.need = need
        self.now = now
        self.include_stale = include_stale
        self.points = [provider_point(p) for p in providers]
        self.free = np.array([free_places(p, need) for p in providers], dtype=np.int64)
        self._distances: dict[Point, np.ndarray] = {}
        self._columns: dict[tuple, np.ndarray] = {}

    def distances(self, origin: Point) -> np.ndarray:
        if origin not in self._distances:
            self._distances[origin] = np.array([between(origin, point) for point in self.points], dtype=float)
        return self._distances[origin]

    def allowed(self, person: Person) -> np.ndarray:
        """True where the provider passes this person's hard filters (where `failed_requirements` is empty)."""
        query = candidate_query(person, self.need, include_stale=self.include_stale, at=self.now)
        allowed = np.ones(len(self.providers), dtype=bool)
        for rule in HARD_FILTERS:
            if rule.applies(query):
                allowed &= self._column((rule.name, rule.reads(query)),
                                        lambda provider, rule=rule: rule.passes(query, provider, self.now))
        if self.need == "interpreter":
            languages = person.languages
            allowed &= self._column(("language", languages), lambda provider: speaks_any(provider, languages))
        return allowed

    def free_places(self, person: Person) -> int:
        return int(self.free[self.allowed(person)].sum())

    def _column(self, key: tuple, passes) -> np.ndarray:
        if key not in self._columns:
            self._columns[key] = np.fromiter((passes(provider) for provider in self.providers), dtype=bool,
                                             count=len(self.providers))
        return self._columns[key]


def _group_candidates(source: CandidateSource, people: list[Person], need: str, now: datetime, include_stale: bool,
                      group_size: int, counts: _Fetched) -> tuple[_Reach, list]:
    """The candidates for a group with their hard filters read, sorted by id (the same input builds the same
    matrix), and the queries asked.

    One shared pool per place to look from (usually one: people freed together are in one place), wide
    enough for the whole group, with each person's own eligibility checked here; anyone with fewer free
    places in it than there are people is asked for alone, since only then could the others leave them
    without a place.
    """
    pool_limit = min(max(100, 4 * group_size), MAX_CANDIDATES_PER_QUERY)
    own_limit = min(max(50, 2 * group_size), MAX_CANDIDATES_PER_QUERY)
    pooled: dict[str, dict] = {}
    queries = list(dict.fromkeys(area_query(person, need, include_stale=include_stale, limit=pool_limit)
                                 for person in people))
    _add_to_pool(pooled, source.fetch(queries), counts)
    reach = _Reach([pooled[provider_id] for provider_id in sorted(pooled)], need, now, include_stale)
    short = [person for person in people if reach.free_places(person) < group_size]
    if short:
        own = list(dict.fromkeys(candidate_query(person, need, include_stale=include_stale, limit=own_limit)
                                 for person in short))
        queries += own
        _add_to_pool(pooled, source.fetch(own), counts)
        reach = _Reach([pooled[provider_id] for provider_id in sorted(pooled)], need, now, include_stale)
    return reach, queries


def _add_to_pool(pooled: dict[str, dict], batches: list[list[dict]], counts: _Fetched) -> None:
    for batch in batches:
        counts.fetched += len(batch)
        for provider in batch:
            pooled.setdefault(provider["id"], provider)
