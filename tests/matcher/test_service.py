"""The use cases with in-memory candidate sources: which queries a group asks, exactness, defence in depth."""
from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import datetime, timezone

import pytest

from services.matcher.candidates import CandidateSource
from services.matcher.domain.geo import Point, between
from services.matcher.domain.person import Person, failed_requirements, provider_point
from services.matcher.domain.scoring import ScoringWeights, score_candidate
from services.matcher.service import match_group
from services.shared.placement import failed_filters

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
ROTTERDAM = Point(51.9244, 4.4777)


def shelter(index: int, *, free: int = 1, min_age: int = 18, max_age: int = 120, genders=("female", "male"),
            km_east: float = 0.0, languages=("nl",)) -> dict:
    return {"id": f"00000000-0000-0000-0000-{index:012d}", "name": f"Shelter {index}", "services": ["shelter"],
            "status": "active", "languages": list(languages), "interpretation_languages": [],
            "location": {"lat": ROTTERDAM.lat, "lon": ROTTERDAM.lon + km_east / 68.7, "precision_km": 0.0,
                         "municipality": "Rotterdam"},
            "eligibility": {"genders": list(genders), "min_age": min_age, "max_age": max_age,
                            "accepts_children": False, "wheelchair_accessible": False, "exploitation_types": [],
                            "residence_statuses": [], "countries": []},
            "capacity": {"free": free, "unit": "bed", "updated": NOW.isoformat()}}


class InMemoryCandidates(CandidateSource):
    """Applies the hard filters a query carries, nearest first, like the directory; remembers the queries."""

    def __init__(self, providers: list[dict]):
        self.providers = providers
        self.queries = []

    def fetch(self, queries):
        self.queries.extend(queries)
        answers = []
        for query in queries:
            origin = Point(*query.near)
            found = [(between(origin, provider_point(p)), p) for p in self.providers]
            found = [(d, p) for d, p in found if not failed_filters(query, p, NOW)]
            found.sort(key=lambda pair: (pair[0], pair[1]["id"]))
            answers.append([dict(p, distance_km=d) for d, p in found[:query.limit]])
        return answers


def person(**attributes) -> Person:
    return Person(**{"languages": ("nl",), "location": ROTTERDAM, **attributes})


def test_people_in_one_place_share_one_query_when_it_has_room_for_all():
    source = InMemoryCandidates([shelter(i, free=3) for i in range(30)])

    answer = match_group(source=source, people=[person(age=20 + i, gender="female") for i in range(10)],
                         need="shelter", weights=ScoringWeights(), now=NOW)

    assert len(source.queries) == 1
    assert source.queries[0].gender is None and source.queries[0].age is None
    assert len(answer["assignments"]) == 10


def test_a_person_the_shared_pool_is_short_for_is_asked_for_alone():
    # The 100 nearest are all for adults; the only place for a minor lies beyond them.
    adults = [shelter(i, free=2, km_east=i * 0.1) for i in range(120)]
    youth = shelter(999, min_age=12, max_age=17, km_east=40)
    source = InMemoryCandidates(adults + [youth])

    answer = match_group(source=source, people=[person(age=30), person(age=15), person(age=31)],
                         need="shelter", weights=ScoringWeights(), now=NOW)

    assert [q.age for q in source.queries] == [None, 15]
    placed = {a["person"]: a["provider_id"] for a in answer["assignments"]}
    assert placed[1] == youth["id"]
    assert answer["unassigned"] == []


def test_people_with_the_same_attributes_are_asked_for_once():
    source = InMemoryCandidates([shelter(1, free=1, genders=("female",)), shelter(2, free=1)])

    answer = match_group(source=source, people=[person(gender="male", age=40)] * 4, need="shelter",
                         weights=ScoringWeights(), now=NOW)

    assert len(source.queries) == 2
    assert len(answer["assignments"]) == 1
    assert len(answer["unassigned"]) == 3


@pytest.mark.parametrize("seed", range(12))
def test_the_group_total_is_the_best_any_assignment_of_the_candidates_reaches(seed):
    rng = random.Random(seed)
    providers = [shelter(i, free=rng.randint(1, 2), km_east=rng.uniform(0, 60),
                         genders=rng.choice([("female",), ("male",), ("female", "male")]),
                         min_age=rng.choice([12, 18]), max_age=rng.choice([17, 120]),
                         languages=rng.sample(["nl", "ro", "pl", "ti"], 2)) for i in range(4)]
    people = [person(gender=rng.choice(["female", "male"]), age=rng.choice([15, 25, 40]),
                     languages=tuple(rng.sample(["nl", "ro", "pl", "ti"], 2)),
                     exploitation_type=rng.choice([None, "labour"])) for _ in range(rng.randint(1, 5))]

    answer = match_group(source=InMemoryCandidates(providers), people=people, need="shelter",
                         weights=ScoringWeights(), now=NOW)

    used = Counter(a["provider_id"] for a in answer["assignments"])
    assert all(used[p["id"]] <= p["capacity"]["free"] for p in providers)
    best = (0, 0.0)
    for choice in itertools.product([None, *providers], repeat=len(people)):
        taken = Counter(p["id"] for p in choice if p is not None)
        if any(taken[p["id"]] > p["capacity"]["free"] for p in providers):
            continue
        total, placed, possible = 0.0, 0, True
        for who, where in zip(people, choice):
            if where is None:
                continue
            distance = between(who.location, provider_point(where))
            if failed_requirements(who, "shelter", where, NOW):
                possible = False
                break
            total += score_candidate(who, "shelter", where, distance, NOW, ScoringWeights()).score
            placed += 1
        if possible and (placed, total) > (best[0], best[1] + 1e-9):
            best = (placed, total)
    assert len(answer["assignments"]) == best[0]
    assert answer["total_score"] == pytest.approx(best[1], abs=1e-3)


class CarelessCandidates(CandidateSource):
    """A source that ignores areas to avoid: the matcher must not rely on it."""

    def __init__(self, providers: list[dict]):
        self.providers = providers

    def fetch(self, queries):
        return [list(self.providers) for _ in queries]


def test_a_candidate_inside_an_area_to_avoid_is_dropped_even_when_the_source_returns_it(caplog):
    from services.matcher.domain.geo import Area
    from services.matcher.service import match_person
    inside, outside = shelter(1, km_east=0), shelter(2, km_east=30)
    who = person(avoid=(Area(ROTTERDAM.lat, ROTTERDAM.lon, 5),))

    answer = match_person(source=CarelessCandidates([inside, outside]), person=who, needs=["shelter"],
                          weights=ScoringWeights(), now=NOW)
    group = match_group(source=CarelessCandidates([inside, outside]), people=[who, who], need="shelter",
                        weights=ScoringWeights(), now=NOW)

    assert [c["provider"]["id"] for c in answer["results"][0]["candidates"]] == [outside["id"]]
    assert [a["provider_id"] for a in group["assignments"]] == [outside["id"]]
    warning = next(r for r in caplog.records if r.levelname == "WARNING")
    assert warning.count == 1 and warning.filters == ["avoid"]


class FilteringCandidates(InMemoryCandidates):
    """A source that applies every hard filter in this process (as the read model does), and says so."""

    filtered_here = True


def test_an_interpreter_without_the_persons_languages_is_dropped_even_from_a_source_that_filters():
    from services.matcher.service import match_person
    romanian, tigrinya = shelter(1, km_east=1, languages=("ro",)), shelter(2, km_east=2, languages=("ti",))
    for interpreter in (romanian, tigrinya):
        interpreter.update(services=["interpreter"], capacity=dict(interpreter["capacity"], unit="hour"))

    answers = [match_person(source=source([romanian, tigrinya]), person=person(languages=("ti", "en")),
                            needs=["interpreter"], weights=ScoringWeights(), now=NOW)
               for source in (FilteringCandidates, InMemoryCandidates)]

    assert [[c["provider"]["id"] for c in answer["results"][0]["candidates"]] for answer in answers] == [
        [tigrinya["id"]], [tigrinya["id"]]]
    assert answers[0] == answers[1]
