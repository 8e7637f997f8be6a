"""The column-at-a-time checks and scores of group placement, and the scores a match only compares, equal the
one-pair functions, to the last bit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.matcher.domain.geo import Area, Point, between
from services.matcher.domain.person import Person, failed_requirements, provider_point
from services.matcher.candidates import CandidateSource, scorable
from services.matcher.domain.scoring import (ScoreColumns, ScoringWeights, fixed_values, freshness_value,
                                            score_candidate, score_of)
from services.matcher.group import _Reach
from services.shared.capacity import pool_of
from services.shared.placement import CandidateQuery

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
UTRECHT = Point(52.0907, 5.1214)
LANGUAGES = ["nl", "en", "ro", "ti", "ar", "pl", "xx"]
GENDERS = ["female", "male", "non_binary"]
STATUSES = ["reflection_period", "eu", "undocumented"]
COUNTRIES = ["NG", "RO", "VN"]
NEEDS = ["shelter", "legal", "interpreter", "repatriation"]
SUPPORT = ["lgbtqi", "psychiatric", "pregnant"]
GROUPS = ["reflection_period_non_dutch", "dutch_eu_adults", "complex_needs", "minors"]

some = st.lists
near = st.builds(lambda dlat, dlon: Point(UTRECHT.lat + dlat, UTRECHT.lon + dlon),
                 st.floats(-0.6, 0.6), st.floats(-0.9, 0.9))


@st.composite
def providers(draw) -> dict:
    point = draw(near)
    return {
        "id": f"00000000-0000-0000-0000-{draw(st.integers(0, 10**9)):012d}", "name": "Provider",
        "services": draw(some(st.sampled_from(NEEDS), unique=True)),
        "status": draw(st.sampled_from(["active", "active", "paused"])),
        "languages": draw(some(st.sampled_from(LANGUAGES), unique=True, max_size=3)),
        "interpretation_languages": draw(some(st.sampled_from(LANGUAGES), unique=True, max_size=3)),
        "location": {"lat": point.lat, "lon": point.lon, "precision_km": draw(st.sampled_from([0.0, 0.0, 5.0]))},
        "eligibility": {"genders": draw(some(st.sampled_from(GENDERS), unique=True)),
                        "min_age": draw(st.integers(0, 30)), "max_age": draw(st.integers(12, 120)),
                        "accepts_children": draw(st.booleans()), "wheelchair_accessible": draw(st.booleans()),
                        "exploitation_types": draw(some(st.sampled_from(["sexual", "labour", "criminal"]),
                                                        unique=True)),
                        "residence_statuses": draw(some(st.sampled_from(STATUSES), unique=True)),
                        "countries": draw(some(st.sampled_from(COUNTRIES), unique=True)),
                        "specialises_in": draw(some(st.sampled_from(SUPPORT), unique=True, max_size=2)),
                        "cannot_serve": draw(some(st.sampled_from(SUPPORT), unique=True, max_size=2)),
                        "target_groups": draw(some(st.sampled_from(GROUPS), unique=True, max_size=2))},
        "delivery": draw(some(st.sampled_from(["on_site", "remote", "outreach"]), unique=True, min_size=1)),
        "capacity": {"free": draw(st.integers(-1, 6)), "unit": draw(st.sampled_from(["bed", "case", "hour", "seat"])),
                     "updated": (NOW - timedelta(minutes=draw(st.integers(-90, 12 * 24 * 60)))).isoformat()},
        # Some keep their own pool for a need (service_capacity): that need is scored and filtered on it.
        "service_capacity": {need: {"free": draw(st.integers(0, 6)), "unit": "case", "updated": (
            NOW - timedelta(minutes=draw(st.integers(-90, 12 * 24 * 60)))).isoformat()}
            for need in draw(some(st.sampled_from(["legal", "shelter"]), unique=True, max_size=1))},
    }


people = st.builds(
    Person,
    languages=st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=7).map(tuple),
    location=st.one_of(st.just(UTRECHT), near),
    gender=st.one_of(st.none(), st.sampled_from(GENDERS)),
    age=st.one_of(st.none(), st.integers(0, 90)),
    accompanying_children=st.booleans(), wheelchair=st.booleans(),
    exploitation_type=st.one_of(st.none(), st.sampled_from(["sexual", "labour", "other"])),
    residence_status=st.one_of(st.none(), st.sampled_from(STATUSES)),
    origin_country=st.one_of(st.none(), st.sampled_from(COUNTRIES)),
    avoid=st.lists(st.builds(lambda p, r: Area(p.lat, p.lon, r), near, st.floats(1, 40)), max_size=2).map(tuple),
    max_distance_km=st.one_of(st.none(), st.floats(1, 120)),
    support_needs=st.lists(st.sampled_from(SUPPORT), unique=True, max_size=2).map(tuple))

weight = st.floats(0, 2, allow_nan=False)
weightings = st.builds(ScoringWeights, language=weight, distance=weight, freshness=weight, specialism=weight,
                       support=weight, headroom=st.floats(0.01, 2), distance_half_life_km=st.floats(1, 100))


@settings(max_examples=150, deadline=None)
@given(some(providers(), max_size=12), some(people, min_size=1, max_size=4), weightings)
def test_column_scores_equal_score_candidate_exactly(candidates, group, weights):
    for need in ("shelter", "interpreter"):
        _columns_equal_one_by_one(candidates, group, weights, need)


def _columns_equal_one_by_one(candidates, group, weights, need):
    columns = ScoreColumns.of_views(candidates, NOW, weights, need=need)
    as_ranked = ScoreColumns.of_scorable(scorable(candidates, CandidateQuery(need=need, near=(0.0, 0.0)), NOW),
                                         weights, need)
    together = columns.score_rows(group, [np.array([between(who.location, provider_point(p)) for p in candidates],
                                                   dtype=float) for who in group])
    for who, in_group in zip(group, together):
        distances = np.array([between(who.location, provider_point(p)) for p in candidates], dtype=float)

        fast = columns.scores(who, distances)

        one_by_one = [score_candidate(who, need, p, float(d), NOW, weights, explain=False).score
                      for p, d in zip(candidates, distances)]
        assert fast.tolist() == one_by_one
        assert in_group.tolist() == one_by_one
        assert as_ranked.scores(who, distances).tolist() == one_by_one


class Listed(CandidateSource):
    """Whole views answered elsewhere: every hard filter is checked on each of them."""

    def fetch(self, queries):
        raise AssertionError("the candidates are given")


@settings(max_examples=150, deadline=None)
@given(some(providers(), max_size=12), some(people, min_size=1, max_size=4), st.sampled_from(NEEDS))
def test_column_hard_filters_equal_failed_requirements(candidates, group, need):
    query = CandidateQuery(need=need, near=(UTRECHT.lat, UTRECHT.lon))
    reach = _Reach(Listed(), scorable(candidates, query, NOW), [query] * len(candidates), need, NOW,
                   include_stale=False)
    for who in group:
        distances = reach.distances(who.location)

        allowed = reach.allowed(who)

        assert distances.tolist() == [between(who.location, provider_point(p)) for p in candidates]
        assert allowed.tolist() == [not failed_requirements(who, need, p, NOW) for p in candidates]
        assert reach.free_places(who) == sum(pool_of(p, need)["free"] for p, ok in zip(candidates, allowed) if ok)


@settings(max_examples=150, deadline=None)
@given(some(providers(), max_size=12), some(people, min_size=1, max_size=3), weightings, st.sampled_from(NEEDS))
def test_compared_scores_equal_score_candidate_exactly_from_every_origin(candidates, group, weights, need):
    for who in group:
        for origin in (who.location, UTRECHT, Point(UTRECHT.lat + 0.3, UTRECHT.lon - 0.4)):
            query = CandidateQuery(need=need, near=(origin.lat, origin.lon))
            for provider in candidates:
                # The same provider after a unit was held: other counts, every other part the same.
                held = dict(provider, capacity=dict(provider["capacity"], free=provider["capacity"]["free"] - 1),
                            service_capacity={need: dict(pool, free=pool["free"] - 1)
                                              for need, pool in provider["service_capacity"].items()})

                # As a match ranks them (service._rank): what does not depend on the distance, then the distance.
                compared = [score_of(fixed_values(who, need, found.rules, freshness_value(found.age_hours), found.free,
                                                  found.unit, weights), found.distance_km, weights)
                            for found in scorable([provider, held], query, NOW)]

                distance = between(origin, provider_point(provider))
                assert compared == [score_candidate(who, need, view, distance, NOW, weights).score
                                    for view in (provider, held)]
