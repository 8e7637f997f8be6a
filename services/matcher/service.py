"""The matcher's use cases: each takes the candidate source, the person(s), the weights and the time.

Counts and durations are logged; what a person is (their attributes) never is.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

from ..shared.metrics import count_match
from ..shared.placement import CandidateQuery, failed_filters, relaxed, speaks_any, without_any
from ..shared.reasons import Reason
from .candidates import CandidateSource
from .domain.geo import Point, between
from .domain.person import Person, candidate_query, failed_for_query, provider_point
from .domain.plan import (Anchor, anchor_of, intake_reason, needs_without_shared_language, other_route,
                          unmet_reason)
from .domain.scoring import ScoredCandidate, ScoringWeights, rank, score_candidate
from .group import MAX_CANDIDATES_PER_QUERY, match_group  # noqa: F401 (match_group is re-exported)

log = logging.getLogger(__name__)


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
    asked: dict[str, tuple[CandidateQuery, int]] = {}  # per need: its query and how many the directory found

    def ranked_for(for_needs: list[str], origin: Point, anchor: Anchor | None) -> dict[str, list[ScoredCandidate]]:
        queries = [candidate_query(person, need, origin=origin, include_stale=include_stale, limit=fetch_limit, at=now)
                   for need in for_needs]
        found = source.fetch(queries)
        asked.update({need: (query, len(candidates)) for need, query, candidates in zip(for_needs, queries, found)})
        return {need: _rank(person, need, candidates, origin, now, weights, counts, limit=limit,
                            include_stale=include_stale, distance_from="shelter" if anchor else None)
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
    blocked = _blocking_filters(source, person, {need: asked[need] for need in ordered if not ranked[need]}, now)
    answer = {
        "results": [{"need": need, "added": need in added,
                     "candidates": [_candidate_out(c, need, now) for c in ranked[need]]} for need in ordered],
        "unmet": [{"need": need,
                   "reason": unmet_reason(need, person, include_stale=include_stale, from_shelter=from_shelter[need],
                                          blocked_by=blocked[need][0], together=blocked[need][1]).as_dict(),
                   "blocked_by": list(blocked[need][0]), "other_route": _as_dict(other_route(need, person))}
                  for need in ordered if not ranked[need]],
        "interpreter_needed": ([{"language": person.first_language, "needs": lacking}] if lacking else []),
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


def _blocking_filters(source: CandidateSource, person: Person, unmet: dict[str, tuple[CandidateQuery, int]],
                      now: datetime) -> dict[str, tuple[tuple[str, ...], bool]]:
    """For each unmet need, the hard filters that emptied its list, and whether only all of them together did.

    Each filter that applies is left out in turn (placement.relaxed), and all of them at once, in one
    batch asked only for unmet needs; what comes back is only counted, never offered. When the directory
    found candidates that the matcher's own rule refused, the person's languages are what is missing.
    """
    answer: dict[str, tuple[tuple[str, ...], bool]] = {}
    tries: list[tuple[str, str | None, CandidateQuery]] = []
    for need, (query, found) in unmet.items():
        if found and need == "interpreter":
            answer[need] = (("language",), False)
            continue
        tries += [(need, name, without) for name, without in relaxed(query)]
        tries.append((need, None, without_any(query)))
    if not tries:
        return answer
    results = source.fetch([query for _, _, query in tries])
    helps: dict[str, list[str]] = {need: [] for need, _, _ in tries}
    anything: dict[str, bool] = {need: False for need, _, _ in tries}
    for (need, name, query), candidates in zip(tries, results):
        fits = any(not failed_filters(query, provider, now)
                   and (need != "interpreter" or speaks_any(provider, person.languages)) for provider in candidates)
        if fits and name is None:
            anything[need] = True
        elif fits:
            helps[need].append(name)
    for need in helps:
        if helps[need]:
            answer[need] = (tuple(helps[need]), False)
        elif anything[need]:
            answer[need] = (tuple(name for name, _ in relaxed(unmet[need][0])), True)
        else:
            answer[need] = ((), False)
    return answer


def _rank(person: Person, need: str, candidates: list[dict], origin: Point, now: datetime,
          weights: ScoringWeights, counts: _Counts, *, limit: int, include_stale: bool,
          distance_from: str | None) -> list[ScoredCandidate]:
    """The best `limit` candidates, best first, with reasons; the others are only compared, never explained."""
    counts.fetched += len(candidates)
    query = candidate_query(person, need, origin=origin, include_stale=include_stale, at=now)
    scored = []
    for provider in candidates:
        distance = between(origin, provider_point(provider))
        failed = failed_for_query(query, person, provider, now)
        if failed:
            # "language" is the matcher's own rule for interpreters; anything else the directory should have caught.
            unexpected = set(failed) - {"language"}
            if unexpected:
                counts.refused += 1
                counts.refused_filters |= unexpected
            continue
        scored.append(score_candidate(person, need, provider, distance, now, weights, explain=False))
    return [score_candidate(person, need, c.provider, c.distance_km, now, weights, distance_from=distance_from)
            for c in rank(scored)[:limit]]


def _log_refused(counts: _Counts) -> None:
    if counts.refused:
        log.warning("candidates from the directory failed a hard filter and were left out",
                    extra={"count": counts.refused, "filters": sorted(counts.refused_filters)})


def _candidate_out(candidate: ScoredCandidate, need: str, now: datetime) -> dict:
    intake = intake_reason(candidate.provider, need, now)
    return {"provider": candidate.provider, "score": round(candidate.score, 3),
            "distance_km": round(candidate.distance_km, 1),
            "reasons": [why.as_dict() for why in candidate.reasons + ([intake] if intake else [])],
            "factors": {factor.name: round(factor.value, 3) for factor in candidate.factors}}


def _as_dict(why: Reason | None) -> dict | None:
    return why.as_dict() if why else None


def _care_plan(anchor: Anchor | None) -> dict | None:
    if anchor is None:
        return None
    return {"anchor_provider_id": anchor.provider_id, "anchor_name": anchor.name,
            "anchor_location": {"lat": anchor.point.lat, "lon": anchor.point.lon,
                                "municipality": anchor.municipality}}
