"""The care plan in match_person with an in-memory candidate source: exactness, the queries asked, confidentiality."""
from __future__ import annotations

import itertools
import math
import random

import pytest

from services.matcher.domain.careplan import SHELTERS_WEIGHED
from services.matcher.domain.geo import Point, between
from services.matcher.domain.person import Person, failed_requirements, provider_point
from services.matcher.domain.scoring import ScoringWeights, score_candidate
from services.matcher.service import match_person
from services.shared.geo import cell_of
from tests.matcher.test_service import NOW, ROTTERDAM, InMemoryCandidates

WEIGHTS = ScoringWeights()


def provider(index: int, need: str, *, km_east: float, km_north: float = 0.0, languages=("nl",), free: int = 2,
             confidential: bool = False, exploitation_types=()) -> dict:
    return {"id": f"00000000-0000-0000-0000-{index:012d}", "name": f"{need} {index}", "services": [need],
            "status": "active", "languages": list(languages), "interpretation_languages": [],
            "location": {"lat": ROTTERDAM.lat + km_north / 111.2, "lon": ROTTERDAM.lon + km_east / 68.7,
                         "precision_km": 0.0, "municipality": "Rotterdam", "confidential": confidential},
            "eligibility": {"genders": ["female", "male"], "min_age": 18, "max_age": 120, "accepts_children": False,
                            "wheelchair_accessible": False, "exploitation_types": list(exploitation_types),
                            "residence_statuses": [], "countries": []},
            "capacity": {"free": free, "unit": "bed", "updated": NOW.isoformat()}}


def person(**attributes) -> Person:
    return Person(**{"languages": ("nl",), "location": ROTTERDAM, **attributes})


def brute_force(shelters: list[dict], providers: list[dict], who: Person, needs: list[str]) -> tuple[str, float]:
    """The shelter of the best plan over every shelter weighed and every choice of care (or none) for each need."""
    best = (None, -math.inf)
    for shelter in shelters:
        origin = provider_point(shelter)
        from_here = []
        for need in needs:
            fits = [p for p in providers if not failed_requirements(who, need, p, NOW, origin=origin)]
            from_here.append([score_candidate(who, need, p, between(origin, provider_point(p)), NOW, WEIGHTS).score
                              for p in fits])
        own = score_candidate(who, "shelter", shelter, between(who.location, provider_point(shelter)), NOW,
                              WEIGHTS).score
        for choice in itertools.product(*[[0.0, *scores] for scores in from_here]):
            total = math.fsum([own, *choice])
            if total > best[1]:
                best = (shelter["id"], total)
    return best


@pytest.mark.parametrize("seed", range(15))
def test_the_plan_is_the_best_any_weighed_shelter_and_choice_of_care_reaches(seed):
    rng = random.Random(seed)
    needs = rng.sample(["medical", "mental_health", "legal"], rng.randint(1, 3))
    providers = [provider(i, "shelter", km_east=rng.uniform(-40, 40), km_north=rng.uniform(-40, 40),
                          languages=rng.sample(["nl", "ro", "pl"], 2), free=rng.randint(1, 4),
                          confidential=rng.random() < 0.5, exploitation_types=rng.choice([(), ("labour",)]))
                 for i in range(7)]
    providers += [provider(100 + i, rng.choice(needs), km_east=rng.uniform(-60, 60), km_north=rng.uniform(-60, 60),
                           languages=rng.sample(["nl", "ro", "pl"], 1), free=rng.randint(1, 4),
                           exploitation_types=rng.choice([(), ("labour",)]))
                  for i in range(rng.randint(0, 12))]
    who = person(languages=tuple(rng.sample(["nl", "ro", "pl"], 2)), exploitation_type=rng.choice([None, "labour"]),
                 max_distance_km=rng.choice([None, 30.0]))

    answer = match_person(source=InMemoryCandidates(providers), person=who, needs=["shelter", *needs],
                          weights=WEIGHTS, now=NOW)

    shown = [c["provider"] for c in answer["results"][0]["candidates"]]
    weighed = shown[:SHELTERS_WEIGHED]
    shelter_id, total = brute_force(weighed, providers, who, needs)
    plan = answer["care_plan"]
    assert plan["anchor_provider_id"] == shelter_id
    assert plan["combined_score"] == round(total, 3)
    assert plan["shelter_rank"] == [p["id"] for p in shown].index(shelter_id) + 1
    for need in needs:
        ranked = next(r for r in answer["results"] if r["need"] == need)["candidates"]
        anchor = next(p for p in shown if p["id"] == shelter_id)
        # The care shown is ranked from the chosen shelter's public point.
        assert all(c["distance_km"] == round(between(provider_point(anchor), provider_point(c["provider"])), 1)
                   for c in ranked)


def test_the_shelters_are_weighed_in_one_batch_of_one_query_per_shelter_and_need():
    providers = [provider(i, "shelter", km_east=i * 3.0) for i in range(8)]
    providers += [provider(100, "legal", km_east=5), provider(101, "medical", km_east=12)]
    source = BatchCounting(providers)

    match_person(source=source, person=person(), needs=["shelter", "legal", "medical"], weights=WEIGHTS, now=NOW)

    # The shelters, then the 5 best shelters x 2 needs together.
    assert [len(batch) for batch in source.batches] == [1, SHELTERS_WEIGHED * 2]


def test_a_need_only_reachable_from_a_lower_shelter_moves_the_plan_there_and_says_why():
    top = provider(1, "shelter", km_east=1)
    lower = provider(2, "shelter", km_east=20)
    lawyer = provider(3, "legal", km_east=44)
    who = person(max_distance_km=25)

    answer = match_person(source=InMemoryCandidates([top, lower, lawyer]), person=who, needs=["shelter", "legal"],
                          weights=WEIGHTS, now=NOW)

    plan = answer["care_plan"]
    assert [c["provider"]["id"] for c in answer["results"][0]["candidates"]] == [top["id"], lower["id"]]
    assert plan["anchor_provider_id"] == lower["id"] and plan["shelter_rank"] == 2
    assert plan["gains"] == ["legal"]
    assert plan["reasons"][1] == {"code": "plan.need_only_from_here",
                                  "params": {"need": "legal", "provider_name": "shelter 1"}}
    assert answer["unmet"] == []


def test_where_a_confidential_shelter_lies_within_its_cell_changes_nothing():
    box = cell_of(ROTTERDAM.lat, ROTTERDAM.lon + 30 / 68.7).box
    answers = []
    for lat, lon in [(box.min_lat + 0.001, box.min_lon + 0.001), (box.max_lat - 0.001, box.max_lon - 0.001)]:
        hidden = provider(1, "shelter", km_east=0, confidential=True)
        hidden["location"].update(lat=lat, lon=lon)
        care = [provider(2, "legal", km_east=28), provider(3, "mental_health", km_east=33),
                provider(4, "shelter", km_east=2)]
        answer = match_person(source=InMemoryCandidates([hidden, *care]), person=person(),
                              needs=["shelter", "legal", "mental_health"], weights=WEIGHTS, now=NOW)
        for result in answer["results"]:
            for candidate in result["candidates"]:
                candidate.pop("provider")
        answers.append(answer)

    assert answers[0]["care_plan"]["anchor_provider_id"] == provider(1, "shelter", km_east=0)["id"]
    assert answers[0] == answers[1]


class BatchCounting(InMemoryCandidates):
    """Remembers the queries of each fetch, batch by batch."""

    def __init__(self, providers):
        super().__init__(providers)
        self.batches = []

    def fetch(self, queries):
        self.batches.append(list(queries))
        return super().fetch(queries)
