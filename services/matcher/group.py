"""Placing a group freed together: one pool of candidates, each person's filters checked, one assignment.

Counts and durations are logged; what a person is (their attributes) never is.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

import numpy as np

from .candidates import CandidateSource, Scorable
from .domain.assignment import assign_matrix
from .domain.geo import Point, distance_km
from ..shared.placement import HARD_FILTERS, CandidateQuery, speaks_any
from .blocking import blocking_filters
from .domain.person import Person, area_query, candidate_query
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
    options = reach.candidates
    columns = ScoreColumns.of_scorable(options, weights, need)
    allowed = np.array([reach.allowed(person) for person in distinct], dtype=bool).reshape(len(distinct), -1)
    values = columns.score_rows(distinct, [reach.distances(person.location) for person in distinct])
    row_of = {person: index for index, person in enumerate(distinct)}
    rows = np.array([row_of[person] for person in people], dtype=np.intp)
    result = assign_matrix(values[rows], allowed[rows], reach.free)

    assignments = []
    for placement in sorted(result.placements, key=lambda p: p.person):
        who = people[placement.person]
        distance = float(reach.distances(who.location)[placement.option])
        # Explained by score_candidate itself, on the whole view: the reasons are the ones a single match gives.
        chosen = score_candidate(who, need, source.view(options[placement.option]), distance, now, weights)
        assignments.append({"person": placement.person, "provider_id": chosen.provider_id,
                            "provider_name": chosen.provider["name"], "score": round(chosen.score, 3),
                            "distance_km": round(chosen.distance_km, 1),
                            "reasons": [why.as_dict() for why in chosen.reasons]})
    unassigned = _unassigned(source, people, result.unplaced, allowed[rows], reach, need, now, include_stale)
    log.info("group match", extra={"people_count": len(people), "queries_count": len(queries),
                                   "candidates_count": counts.fetched, "options_count": len(options),
                                   "assigned_count": len(assignments),
                                   "duration_ms": round((time.perf_counter() - started) * 1000, 2)})
    return {"assignments": assignments, "unassigned": unassigned, "total_score": round(result.total_score, 3)}


def _unassigned(source: CandidateSource, people: list[Person], unplaced: tuple[int, ...], allowed: np.ndarray,
                reach: "_Reach", need: str, now: datetime, include_stale: bool) -> list[dict]:
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
            nothing_suits[who] = (who, query, int(reach.passing(query).sum()))
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
    """Which candidates pass which person's hard filters, and how far away they are, a column at a time.

    Each column is one rule of services.shared.placement (the rules' one home) over every candidate, worked out
    once per distinct value it reads of the query: people who share where they are, a gender or an age share
    it. Within a column, a rule is worked out once per kind of provider when the source knows kinds (what the
    rule reads of a provider, `CandidateSource.kinds`), and a candidate the source answered to a query the rule
    decides the same way (`CandidateSource.filtered_here`) is known to pass it; any other is checked on its
    whole view.
    """

    def __init__(self, source: CandidateSource, candidates: list[Scorable], fetched_by: list[CandidateQuery],
                 need: str, now: datetime, include_stale: bool):
        self.source = source
        self.candidates = candidates
        self.need = need
        self.now = now
        self.include_stale = include_stale
        self.points = [candidate.point for candidate in candidates]
        self.free = np.fromiter((candidate.free for candidate in candidates), dtype=np.int64, count=len(candidates))
        # Each candidate's query among the distinct ones asked (the first that answered it).
        self._asked = list(dict.fromkeys(fetched_by))
        number = {query: index for index, query in enumerate(self._asked)}
        self._asked_by = np.array([number[query] for query in fetched_by], dtype=np.intp)
        kinds = source.kinds(candidates)
        self._kind_of, self._kinds, self._kind_rules = (
            (np.array(kinds[0], dtype=np.intp), kinds[1], kinds[2]) if kinds else (None, [], frozenset()))
        self._views: list[dict | None] = [None] * len(candidates)
        self._distances: dict[Point, np.ndarray] = {}
        self._columns: dict[tuple, np.ndarray] = {}
        self._allowed: dict[Person, np.ndarray] = {}

    def distances(self, origin: Point) -> np.ndarray:
        if origin not in self._distances:
            # geo.between, on the points as the candidates carry them
            lat, lon = origin.lat, origin.lon
            self._distances[origin] = np.fromiter((distance_km(lat, lon, *point) for point in self.points),
                                                  dtype=float, count=len(self.points))
        return self._distances[origin]

    def allowed(self, person: Person) -> np.ndarray:
        """True where the candidate passes this person's hard filters (where `failed_requirements` is empty)."""
        if person not in self._allowed:
            allowed = self.passing(candidate_query(person, self.need, include_stale=self.include_stale, at=self.now))
            if self.need == "interpreter":
                allowed = allowed & self._speaks_any(person.languages)
            self._allowed[person] = allowed
        return self._allowed[person]

    def free_places(self, person: Person) -> int:
        return int(self.free[self.allowed(person)].sum())

    def passing(self, query: CandidateQuery) -> np.ndarray:
        """True where the candidate passes every hard filter of `query` (where `failed_filters` is empty)."""
        columns = [self._rule_column(rule, query) for rule in HARD_FILTERS if rule.applies(query)]
        allowed = columns[0].copy()  # never none: the need filter always applies
        for column in columns[1:]:
            allowed &= column
        return allowed

    def _rule_column(self, rule, query: CandidateQuery) -> np.ndarray:
        key = (rule.name, rule.reads(query))
        found = self._columns.get(key)
        if found is not None:
            return found
        if rule.name in self._kind_rules:
            by_kind = np.fromiter((rule.passes(query, kind, self.now) for kind in self._kinds), dtype=bool,
                                  count=len(self._kinds))
            self._columns[key] = by_kind[self._kind_of]
            return self._columns[key]
        known = None
        if self.source.filtered_here:
            # The source applied this rule to the query that found the candidate, by the same function in this
            # process: where that query asked the same of the rule (same need, same value read), it passed.
            known = np.array([asked.need == query.need and rule.applies(asked) and rule.reads(asked) == key[1]
                              for asked in self._asked], dtype=bool)[self._asked_by]
        return self._column(key, lambda view: rule.passes(query, view, self.now), known)

    def _column(self, key: tuple, passes, known: np.ndarray | None = None) -> np.ndarray:
        """`passes` of each candidate's whole view, but for those `known` to pass."""
        if key not in self._columns:
            column = np.ones(len(self.candidates), dtype=bool) if known is None else known.copy()
            for index in (range(len(self.candidates)) if known is None else np.flatnonzero(~known).tolist()):
                column[index] = passes(self._view(index))
            self._columns[key] = column
        return self._columns[key]

    def _speaks_any(self, languages: tuple[str, ...]) -> np.ndarray:
        """The matcher's own rule for interpreters, on what each candidate carries for the matcher's rules."""
        key = ("language", languages)
        if key not in self._columns:
            self._columns[key] = np.fromiter((speaks_any(candidate.rules, languages) for candidate in self.candidates),
                                             dtype=bool, count=len(self.candidates))
        return self._columns[key]

    def _view(self, index: int) -> dict:
        view = self._views[index]
        if view is None:
            view = self._views[index] = self.source.view(self.candidates[index])
        return view


def _group_candidates(source: CandidateSource, people: list[Person], need: str, now: datetime, include_stale: bool,
                      group_size: int, counts: _Fetched) -> tuple[_Reach, list]:
    """The candidates for a group as ranking reads them, sorted by id (the same input builds the same matrix), with
    their hard filters read, and the queries asked.

    One shared pool per place to look from (usually one: people freed together are in one place), wide
    enough for the whole group, with each person's own eligibility checked here; anyone with fewer free
    places in it than there are people is asked for alone, since only then could the others leave them
    without a place.
    """
    pool_limit = min(max(100, 4 * group_size), MAX_CANDIDATES_PER_QUERY)
    own_limit = min(max(50, 2 * group_size), MAX_CANDIDATES_PER_QUERY)
    pooled: dict[str, tuple[Scorable, CandidateQuery]] = {}
    queries = list(dict.fromkeys(area_query(person, need, include_stale=include_stale, limit=pool_limit)
                                 for person in people))
    _add_to_pool(pooled, queries, source.fetch_scorable(queries, now), counts)
    reach = _reach_over(source, pooled, need, now, include_stale)
    short = [person for person in people if reach.free_places(person) < group_size]
    if short:
        own = list(dict.fromkeys(candidate_query(person, need, include_stale=include_stale, limit=own_limit)
                                 for person in short))
        queries += own
        before = len(pooled)
        _add_to_pool(pooled, own, source.fetch_scorable(own, now), counts)
        if len(pooled) > before:
            reach = _reach_over(source, pooled, need, now, include_stale)
    return reach, queries


def _reach_over(source: CandidateSource, pooled: dict[str, tuple[Scorable, CandidateQuery]], need: str,
                now: datetime, include_stale: bool) -> _Reach:
    found = [pooled[provider_id] for provider_id in sorted(pooled)]
    return _Reach(source, [candidate for candidate, _ in found], [query for _, query in found], need, now,
                  include_stale)


def _add_to_pool(pooled: dict[str, tuple[Scorable, CandidateQuery]], queries: list[CandidateQuery],
                 batches: list[list[Scorable]], counts: _Fetched) -> None:
    for query, batch in zip(queries, batches):
        counts.fetched += len(batch)
        for candidate in batch:
            pooled.setdefault(candidate.provider_id, (candidate, query))
