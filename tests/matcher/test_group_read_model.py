"""A group placed from the read model (its kinds, its columns, whole views only for the places chosen) is placed
exactly as through the plain path, every hard filter and score worked out on each provider's whole view."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from services.directory.domain.rules import view_of
from services.directory.service import FEED_VIEWER
from services.directory.synthetic import generate_providers
from services.matcher.candidates import CandidateSource
from services.matcher.domain.geo import Area, Point
from services.matcher.domain.person import Person, failed_requirements
from services.matcher.domain.scoring import ScoreColumns, ScoringWeights, score_candidate
from services.matcher.group import _Fetched, _group_candidates, match_group
from services.matcher.readmodel import ReadModel, ReadModelCandidates
from services.shared.placement import free_places
from services.shared.places import all_places
from services.shared.times import iso

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=timezone.utc)
WEIGHTS = ScoringWeights()
PLACES = [Point(place.lat, place.lon) for place in sorted(all_places(), key=lambda place: -place.population)[:25]]
NEEDS = ["shelter", "shelter", "shelter", "legal", "medical", "mental_health", "interpreter", "repatriation",
         "residence_status", "compensation"]
LANGUAGES = ["nl", "en", "ro", "bg", "pl", "uk", "ru", "ti", "ar", "pcm", "vi", "es", "fr"]
RESIDENCE = ["dutch", "eu", "reflection_period", "residence_permit", "asylum", "undocumented", "unknown"]
SUPPORT = ["lgbtqi", "psychiatric", "addiction", "pregnant", "intellectual_disability"]
COUNTRIES = ["RO", "BG", "NG", "VN", "UA", "PL"]


class PlainViews(CandidateSource):
    """The read model's answers as whole views, as if from elsewhere: every hard filter checked on each view."""

    def __init__(self, model: ReadModel):
        self.model = model

    def fetch(self, queries):
        return self.model.candidates(queries, NOW)


@pytest.fixture(scope="module")
def model() -> ReadModel:
    rng = random.Random(4)
    views = []
    for record in generate_providers(3000, seed=2026, now=NOW):
        view = dict(view_of(record, FEED_VIEWER, NOW), holds=[])
        if rng.random() < 0.05:  # some units held: their free units are worked out at the time asked
            ends = NOW + timedelta(minutes=rng.choice([-30, 45, 240]))
            view["holds"] = [{"need": rng.choice(view["services"] or ["shelter"]), "units": 1,
                              "expires_at": iso(ends)}]
        views.append(view)
    read = ReadModel()
    read.apply({"providers": views, "deleted": [], "sequence": 1, "generation": "test", "as_of": iso(NOW)})
    read.loaded = True
    return read


def random_person(rng: random.Random, where: Point, need: str) -> Person:
    """Anyone: some attributes given, others not; some away from where the group is; some with areas to avoid."""
    location = where if rng.random() < 0.8 else Point(where.lat + rng.uniform(-0.1, 0.1), where.lon)
    return Person(
        languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 3))), location=location,
        gender=rng.choice([None, "female", "female", "male", "non_binary"]),
        age=rng.choice([None, rng.randint(10, 70)]),
        accompanying_children=rng.random() < 0.2, wheelchair=rng.random() < 0.1,
        exploitation_type=rng.choice([None, "sexual", "labour", "criminal", "other"]),
        residence_status=rng.choice([None, *RESIDENCE]),
        origin_country=rng.choice(COUNTRIES) if need == "repatriation" or rng.random() < 0.2 else None,
        avoid=tuple(Area(where.lat + rng.uniform(-0.3, 0.3), where.lon + rng.uniform(-0.3, 0.3),
                         rng.choice([2.0, 8.0, 20.0])) for _ in range(rng.choice([0, 0, 0, 1, 2]))),
        max_distance_km=rng.choice([None, None, None, 10.0, 40.0]),
        support_needs=tuple(rng.sample(SUPPORT, rng.choice([0, 0, 0, 1, 2]))),
        intake_now=rng.random() < 0.15)


def random_groups(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        need, where = rng.choice(NEEDS), rng.choice(PLACES)
        distinct = [random_person(rng, where, need) for _ in range(rng.choice([1, 2, 5, 12]))]
        # People freed together share much: some are the same person as far as matching can tell.
        people = [rng.choice(distinct) for _ in range(rng.choice([1, 4, 15, 50]))]
        yield people, need, rng.random() < 0.2


def test_a_group_placed_from_the_read_model_is_placed_as_on_whole_views_provider_by_provider(model):
    placed = unassigned = 0
    for people, need, include_stale in random_groups(30, seed=11):
        from_model = match_group(source=ReadModelCandidates(model, NOW), people=people, need=need, weights=WEIGHTS,
                                 now=NOW, include_stale=include_stale)

        plain = match_group(source=PlainViews(model), people=people, need=need, weights=WEIGHTS, now=NOW,
                            include_stale=include_stale)

        assert from_model == plain, (need, include_stale)
        placed += len(from_model["assignments"])
        unassigned += len(from_model["unassigned"])
    assert placed > 300 and unassigned > 10  # full answers, both kinds of outcome


def test_each_pair_of_a_group_from_the_read_model_is_what_the_one_pair_functions_say(model):
    """Every column (a hard filter per kind, or known from the query that found the candidate; a factor per
    distinct value it reads) is what failed_requirements and score_candidate say of the pair, to the last bit."""
    pairs = 0
    for people, need, include_stale in random_groups(25, seed=12):
        source = ReadModelCandidates(model, NOW)
        distinct = list(dict.fromkeys(people))
        reach, _ = _group_candidates(source, distinct, need, NOW, include_stale, len(people), _Fetched())
        views = [source.view(candidate) for candidate in reach.candidates]
        columns = ScoreColumns.of_scorable(reach.candidates, WEIGHTS, need)
        # Everyone at once, as the group is scored: people weighed by the same factors are added up together.
        rows = columns.score_rows(distinct, [reach.distances(who.location) for who in distinct])
        for who, scores in zip(distinct, rows):
            distances = reach.distances(who.location)

            allowed = reach.allowed(who)

            assert allowed.tolist() == [not failed_requirements(who, need, view, NOW, include_stale=include_stale)
                                        for view in views]
            assert scores.tolist() == [score_candidate(who, need, view, float(distance), NOW, WEIGHTS).score
                                       for view, distance in zip(views, distances)]
            assert reach.free.tolist() == [free_places(view, need) for view in views]
            pairs += int(np.count_nonzero(allowed))
    assert pairs > 2000  # most people have places to compare

