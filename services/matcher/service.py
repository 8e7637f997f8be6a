"""The matcher's use cases: each takes the candidate source, the person(s), the weights and the time.

Counts and durations are logged; what a person is (their attributes) never is.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from ..shared.metrics import count_match
from .candidates import CandidateSource
from .domain.assignment import assign
from .domain.geo import Point, between
from .domain.person import Person, area_query, candidate_query, failed_requirements, provider_point
from .domain.plan import Anchor, anchor_of, needs_without_shared_language, unmet_reason
from .domain.scoring import ScoredCandidate, ScoringWeights, language_label, rank, score_candidate

log = logging.getLogger(__name__)
MAX_CANDIDATES_PER_QUERY = 1000


class _Counts:
    """What went through one request, for the log line."""

    def __init__(self):
        self.fetched = 0
        self.refused = 0
        self.refused_filters: set[str] = set()


def match_person(*, source: CandidateSource, person: Person, needs: list[str], weights: ScoringWeights,
                 now: datetime, limit: int = 5, include_stale: bool = False, pool: int = 50) -> dict:
    """Ranked, explained candidates for each need; with shelter among them, care is planned around it."""
    started = time.perf_counter()
    counts = _Counts()
    fetch_limit = min(max(pool, limit), MAX_CANDIDATES_PER_QUERY)

    def ranked_for(for_needs: list[str], origin: Point, anchor: Anchor | None) -> dict[str, list[ScoredCandidate]]:
        queries = [candidate_query(person, need, origin=origin, include_stale=include_stale, limit=fetch_limit)
                   for need in for_needs]
        found = source.fetch(queries)
        return {need: _rank(person, need, candidates, origin, now, weights, counts,
                            distance_from="shelter" if anchor else None)[:limit]
                for need, candidates in zip(for_needs, found)}

    ranked: dict[str, list[ScoredCandidate]] = {}
    anchor = None
    if "shelter" in needs:
        ranked.update(ranked_for(["shelter"], person.location, None))
        anchor = anchor_of(ranked["shelter"])
    origin = anchor.point if anchor else person.location
    ranked.update(ranked_for([need for need in needs if need != "shelter"], origin, anchor))

    lacking = needs_without_shared_language(ranked)
    added: list[str] = []
    if lacking and "interpreter" not in ranked:
        added.append("interpreter")
        ranked.update(ranked_for(added, origin, anchor))

    ordered = list(needs) + added
    from_shelter = {need: anchor is not None and need != "shelter" for need in ordered}
    answer = {
        "results": [{"need": need, "added": need in added,
                     "candidates": [_candidate_out(c) for c in ranked[need]]} for need in ordered],
        "unmet": [{"need": need, "reason": unmet_reason(need, person, include_stale=include_stale,
                                                        from_shelter=from_shelter[need])}
                  for need in ordered if not ranked[need]],
        "interpreter_needed": ([{"language": person.first_language,
                                 "language_name": language_label(person.first_language),
                                 "needs": lacking}] if lacking else []),
        "care_plan": _care_plan(anchor),
    }
    _log_refused(counts)
    for need in ordered:
        count_match(need, found=bool(ranked[need]))
    log.info("match", extra={"needs_count": len(needs), "added_needs_count": len(added),
                             "candidates_count": counts.fetched,
                             "unmet_count": len(answer["unmet"]),
                             "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
    return answer


def match_group(*, source: CandidateSource, people: list[Person], need: str, weights: ScoringWeights,
                now: datetime, include_stale: bool = False) -> dict:
    """Places for a group freed together: as many people placed as possible, then the best total score."""
    started = time.perf_counter()
    counts = _Counts()
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
                      counts: _Counts) -> tuple[list[dict], list]:
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


def _add_to_pool(pooled: dict[str, dict], batches: list[list[dict]], counts: _Counts) -> None:
    for batch in batches:
        counts.fetched += len(batch)
        for provider in batch:
            pooled.setdefault(provider["id"], provider)


def _rank(person: Person, need: str, candidates: list[dict], origin: Point, now: datetime,
          weights: ScoringWeights, counts: _Counts, *, distance_from: str | None) -> list[ScoredCandidate]:
    counts.fetched += len(candidates)
    scored = []
    for provider in candidates:
        distance = between(origin, provider_point(provider))
        failed = failed_requirements(person, need, provider, distance)
        if failed:
            # "language" is the matcher's own rule for interpreters; anything else the directory should have caught.
            unexpected = set(failed) - {"language"}
            if unexpected:
                counts.refused += 1
                counts.refused_filters |= unexpected
            continue
        scored.append(score_candidate(person, need, provider, distance, now, weights, distance_from=distance_from))
    return rank(scored)


def _log_refused(counts: _Counts) -> None:
    if counts.refused:
        log.warning("candidates from the directory failed a hard filter and were left out",
                    extra={"count": counts.refused, "filters": sorted(counts.refused_filters)})


def _candidate_out(candidate: ScoredCandidate) -> dict:
    return {"provider": candidate.provider, "score": round(candidate.score, 3),
            "distance_km": round(candidate.distance_km, 1), "reasons": candidate.reasons,
            "factors": {factor.name: round(factor.value, 3) for factor in candidate.factors}}


def _care_plan(anchor: Anchor | None) -> dict | None:
    if anchor is None:
        return None
    return {"anchor_provider_id": anchor.provider_id, "anchor_name": anchor.name,
            "anchor_location": {"lat": anchor.point.lat, "lon": anchor.point.lon,
                                "municipality": anchor.municipality}}
