"""Placing a group freed together: one pool of candidates, each person's filters checked, one assignment.

Counts and durations are logged; what a person is (their attributes) never is.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from .candidates import CandidateSource
from .domain.assignment import assign
from .domain.geo import between
from .domain.person import Person, area_query, candidate_query, failed_requirements, provider_point
from .domain.plan import unmet_reason
from .domain.scoring import ScoringWeights, score_candidate

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
    reach = _Reach(distinct, need)
    options, queries = _group_candidates(source, reach, need, include_stale, len(people), counts)
    scored_rows = []
    for index, person in enumerate(distinct):
        row = []
        for provider in options:
            distance = reach.distance(index, provider)
            row.append(None if distance is None else
                       score_candidate(person, need, provider, distance, now, weights, explain=False))
        scored_rows.append(row)
    row_of = {person: index for index, person in enumerate(distinct)}
    scored = [scored_rows[row_of[person]] for person in people]
    result = assign([[c.score if c else None for c in row] for row in scored],
                    [int(provider["capacity"].get("free", 0)) for provider in options])

    assignments = []
    for placement in sorted(result.placements, key=lambda p: p.person):
        compared = scored[placement.person][placement.option]
        chosen = score_candidate(people[placement.person], need, compared.provider, compared.distance_km, now,
                                 weights)
        assignments.append({"person": placement.person, "provider_id": chosen.provider_id,
                            "provider_name": chosen.provider["name"], "score": round(chosen.score, 3),
                            "distance_km": round(chosen.distance_km, 1), "reasons": chosen.reasons})
    unassigned = []
    for index in result.unplaced:
        suitable = sum(1 for c in scored[index] if c is not None)
        reason = (unmet_reason(need, people[index], include_stale=include_stale) if not suitable else
                  f"The {suitable} suitable {'provider' if suitable == 1 else 'providers'} had no free place "
                  "left after placing others in this group")
        unassigned.append({"person": index, "reason": reason})
    log.info("group match", extra={"people_count": len(people), "queries_count": len(queries),
                                   "candidates_count": counts.fetched, "options_count": len(options),
                                   "assigned_count": len(assignments),
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
    return {"assignments": assignments, "unassigned": unassigned, "total_score": round(result.total_score, 3)}


class _Reach:
    """Which providers pass which person's hard filters, and how far away they are; each pair checked once."""

    def __init__(self, people: list[Person], need: str):
        self.people = people
        self.need = need
        self._seen: list[dict[str, float | None]] = [{} for _ in people]

    def distance(self, index: int, provider: dict) -> float | None:
        """The distance when the provider passes this person's hard filters; None when it does not."""
        seen = self._seen[index]
        if provider["id"] not in seen:
            person = self.people[index]
            distance = between(person.location, provider_point(provider))
            seen[provider["id"]] = None if failed_requirements(person, self.need, provider, distance) else distance
        return seen[provider["id"]]

    def free_places(self, index: int, providers) -> int:
        return sum(int(p["capacity"].get("free", 0)) for p in providers if self.distance(index, p) is not None)


def _group_candidates(source: CandidateSource, reach: _Reach, need: str, include_stale: bool, group_size: int,
                      counts: _Fetched) -> tuple[list[dict], list]:
    """The candidates for a group, sorted by id (the same input builds the same matrix), and the queries asked.

    One shared pool per place to look from (usually one: people freed together are in one place), wide
    enough for the whole group, with each person's own eligibility checked here; anyone with fewer free
    places in it than there are people is asked for alone, since only then could the others leave them
    without a place.
    """
    pool_limit = min(max(100, 4 * group_size), MAX_CANDIDATES_PER_QUERY)
    own_limit = min(max(50, 2 * group_size), MAX_CANDIDATES_PER_QUERY)
    pooled: dict[str, dict] = {}
    queries = list(dict.fromkeys(area_query(person, need, include_stale=include_stale, limit=pool_limit)
                                 for person in reach.people))
    _add_to_pool(pooled, source.fetch(queries), counts)
    short = [person for index, person in enumerate(reach.people)
             if reach.free_places(index, pooled.values()) < group_size]
    if short:
        own = list(dict.fromkeys(candidate_query(person, need, include_stale=include_stale, limit=own_limit)
                                 for person in short))
        queries += own
        _add_to_pool(pooled, source.fetch(own), counts)
    return [pooled[provider_id] for provider_id in sorted(pooled)], queries


def _add_to_pool(pooled: dict[str, dict], batches: list[list[dict]], counts: _Fetched) -> None:
    for batch in batches:
        counts.fetched += len(batch)
        for provider in batch:
            pooled.setdefault(provider["id"], provider)
