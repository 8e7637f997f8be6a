"""The matcher's use cases: each takes the candidate source, the person(s), the weights and the time.

Counts and durations are logged; what a person is (their attributes) never is.
"""
from __future__ import annotations

import heapq
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from ..shared.metrics import count_match
from ..shared.placement import CandidateQuery
from ..shared.reasons import Reason
from .blocking import blocking_filters
from .candidates import CandidateSource, Scorable
from .domain.geo import Point
from .domain.careplan import (SHELTERS_WEIGHED, CarePlan, PlanOption, best_plan, care_plan_reasons,
                              gains_over_top)
from .domain.person import Person, candidate_query, failed_for_query, failed_own_rules, provider_point
from .domain.plan import (Anchor, anchor_of, intake_reason, needs_without_shared_language, other_route,
                          unmet_reason)
from .domain.scoring import (ScoredCandidate, ScoringWeights, fixed_values, freshness_value, score_candidate,
                             score_of)
from .group import MAX_CANDIDATES_PER_QUERY, match_group  # noqa: F401 (match_group is re-exported)

log = logging.getLogger(__name__)


class _Counts:
    """What went through one request, for the log line."""

    def __init__(self):
        self.queries = 0
        self.fetched = 0
        self.refused = 0
        self.refused_filters: set[str] = set()


def match_person(*, source: CandidateSource, person: Person, needs: list[str], weights: ScoringWeights,
                 now: datetime, limit: int = 5, include_stale: bool = False, pool: int = 50) -> dict:
    """Ranked, explained candidates for each need; with shelter among them, the jointly best care plan.

    The best shelters (up to SHELTERS_WEIGHED of those shown) are each weighed with the care reachable from
    them, all in one batch of candidate queries; the shelter with the best combined score (domain/careplan.py)
    anchors the plan, and every other need is ranked from it.
    """
    started = time.perf_counter()
    counts = _Counts()
    fetch_limit = min(max(pool, limit), MAX_CANDIDATES_PER_QUERY)
    # Per need and point searched from: its query and how many the directory found.
    searched: dict[tuple[str, Point], tuple[CandidateQuery, int]] = {}
    memo: dict = {}  # what scoring works out once per answer and need, whichever shelter distances start at

    def ranked_from(for_needs: list[str], origins: list[Point], anchored: bool,
                    explain: bool = True) -> list[dict[str, list]]:
        """Per origin, each need's candidates ranked from it; one batch, each distinct query asked once.
        Without `explain` the candidates are only compared (the care around shelters the plan may not choose)."""
        queries = {(need, origin): candidate_query(person, need, origin=origin, include_stale=include_stale,
                                                   limit=fetch_limit, at=now)
                   for origin in origins for need in for_needs}
        distinct = list(dict.fromkeys(queries.values()))
        counts.queries += len(distinct)
        found = dict(zip(distinct, source.fetch_scorable(distinct, now))) if distinct else {}
        searched.update({key: (query, len(found[query])) for key, query in queries.items()})
        return [{need: _rank(person, need, found[queries[need, origin]], origin, source, now, weights, counts,
                             limit=limit, include_stale=include_stale,
                             distance_from="shelter" if anchored else None, memo=memo, explain=explain)
                 for need in for_needs} for origin in origins]

    ranked: dict[str, list[ScoredCandidate]] = {}
    others = [need for need in needs if need != "shelter"]
    plan = options = None
    if "shelter" in needs:
        ranked.update(ranked_from(["shelter"], [person.location], False)[0])
    if ranked.get("shelter"):
        weighed = ranked["shelter"][:SHELTERS_WEIGHED]
        origins = [provider_point(shelter.provider) for shelter in weighed]
        care = ranked_from(others, origins, True, explain=False) if others else [{} for _ in weighed]
        options = [PlanOption(shelter, around) for shelter, around in zip(weighed, care)]
        plan = best_plan(options)
        # Only the chosen shelter's care is shown: explained now, with the scores it was chosen by.
        ranked.update({need: [score_candidate(person, need, source.view(compared.candidate), compared.distance_km, now,
                                              weights, distance_from="shelter") for compared in candidates]
                       for need, candidates in plan.option.care.items()})
    anchor = anchor_of(plan.option.shelter) if plan else None
    origin = anchor.point if anchor else person.location
    if not plan:
        ranked.update(ranked_from(others, [origin], False)[0])

    lacking = needs_without_shared_language(ranked)
    added: list[str] = []
    if lacking and "interpreter" not in ranked:
        added.append("interpreter")
        ranked.update(ranked_from(added, [origin], anchor is not None)[0])

    ordered = list(needs) + added
    from_shelter = {need: anchor is not None and need != "shelter" for need in ordered}
    searched_from = {need: person.location if need == "shelter" else origin for need in ordered}
    blocked = blocking_filters(source, {need: (person, *searched[need, searched_from[need]])
                                        for need in ordered if not ranked[need]}, now)
    answer = {
        "results": [{"need": need, "added": need in added,
                     "candidates": [_candidate_out(c, need, now) for c in ranked[need]]} for need in ordered],
        "unmet": [{"need": need,
                   "reason": unmet_reason(need, person, include_stale=include_stale, from_shelter=from_shelter[need],
                                          blocked_by=blocked[need][0], together=blocked[need][1]).as_dict(),
                   "blocked_by": list(blocked[need][0]), "other_route": _as_dict(other_route(need, person))}
                  for need in ordered if not ranked[need]],
        "interpreter_needed": ([{"language": person.first_language, "needs": lacking}] if lacking else []),
        "care_plan": _care_plan(anchor, plan, options),
    }
    _log_refused(counts)
    for need in ordered:
        count_match(need, found=bool(ranked[need]))
    log.info("match", extra={"needs_count": len(needs), "added_needs_count": len(added),
                             "queries_count": counts.queries, "candidates_count": counts.fetched,
                             "unmet_count": len(answer["unmet"]),
                             "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
    return answer


def _rank(person: Person, need: str, candidates: list[Scorable], origin: Point, source: CandidateSource, now: datetime,
          weights: ScoringWeights, counts: _Counts, *, limit: int, include_stale: bool,
          distance_from: str | None, memo: dict, explain: bool = True) -> list:
    """The best `limit` candidates, best first, with reasons (without `explain`: only compared, see `Compared`); the
    others are only compared, never explained, and their whole views never read.

    When the candidates passed the query's hard filters in this process (the read model: `source.filtered_here`),
    only the matcher's own rules are checked; candidates from the directory over HTTP are checked against every one.
    """
    counts.fetched += len(candidates)
    query = candidate_query(person, need, origin=origin, include_stale=include_stale, at=now)
    compared = []
    for candidate in candidates:
        failed = (failed_own_rules(query, person, candidate.rules) if source.filtered_here
                  else failed_for_query(query, person, candidate.rules, now))
        if failed:
            # "language" is the matcher's own rule for interpreters; anything else the directory should have caught.
            unexpected = set(failed) - {"language"}
            if unexpected:
                counts.refused += 1
                counts.refused_filters |= unexpected
            continue
        # What does not depend on the distance, once per answer and need in a request (the answer kept with it).
        known = memo.get((need, candidate.token))
        if known is None:
            known = memo[need, candidate.token] = (candidate, fixed_values(
                person, need, candidate.rules, freshness_value(candidate.age_hours), candidate.free, candidate.unit,
                weights))
        compared.append((-score_of(known[1], candidate.distance_km, weights), candidate.distance_km,
                         candidate.provider_id, candidate))
    # domain.scoring.rank's order (best score, then nearer, then lower id); a provider is listed once per query.
    best = heapq.nsmallest(limit, compared, key=_rank_key)
    if not explain:
        return [Compared(-negative, distance, candidate) for negative, distance, _, candidate in best]
    return [score_candidate(person, need, source.view(candidate), distance, now, weights, distance_from=distance_from)
            for _, distance, _, candidate in best]


@dataclass(frozen=True)
class Compared:
    """A candidate only compared (the care around a shelter the plan weighs): its score, equal to the one
    score_candidate gives, and its distance; its whole view is read only if it is shown."""

    score: float
    distance_km: float
    candidate: Scorable


def _rank_key(compared: tuple) -> tuple:
    return compared[:3]


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


def _care_plan(anchor: Anchor | None, plan: CarePlan | None, options: list[PlanOption] | None) -> dict | None:
    if anchor is None or plan is None or options is None:
        return None
    return {"anchor_provider_id": anchor.provider_id, "anchor_name": anchor.name,
            "anchor_location": {"lat": anchor.point.lat, "lon": anchor.point.lon,
                                "municipality": anchor.municipality},
            "combined_score": round(plan.combined_score, 3), "shelter_rank": plan.shelter_rank + 1,
            "shelters_weighed": plan.options_weighed,
            "gains": [gain.need for gain in gains_over_top(plan, options)],
            "reasons": [why.as_dict() for why in care_plan_reasons(plan, options)]}
