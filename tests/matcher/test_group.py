"""POST /matches/group: people freed together, placed over real HTTP against a real directory."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.matcher.dataset import AMSTERDAM, UTRECHT, fixed_dataset

pytestmark = pytest.mark.integration


@pytest.fixture
def dataset(add_providers, clock) -> dict[str, dict]:
    created = add_providers(*fixed_dataset(clock.now))
    return {record["id"]: record for record in created.values()}


def person(**attributes) -> dict:
    return {"languages": ["nl"], "location": UTRECHT, **attributes}


def place(matcher, people: list[dict], need: str = "shelter") -> dict:
    response = matcher.post("/matches/group", {"people": people, "need": need})
    assert response.status_code == 200, response.json
    return response.json


def test_everyone_gets_a_place_that_meets_their_own_hard_filters(matcher, dataset):
    people = [person(gender="female", age=30, accompanying_children=True, languages=["ro"]),
              person(gender="female", age=24, languages=["ro"], exploitation_type="sexual"),
              person(gender="male", age=41, languages=["pl"], exploitation_type="labour"),
              person(gender="male", age=35),
              person(gender="female", age=15)]

    answer = place(matcher, people)

    assert answer["unassigned"] == []
    for assignment in answer["assignments"]:
        who, shelter = people[assignment["person"]], dataset[assignment["provider_id"]]
        rules = shelter["eligibility"]
        assert who["gender"] in rules["genders"]
        assert rules["min_age"] <= who["age"] <= rules["max_age"]
        assert rules["accepts_children"] or not who.get("accompanying_children")
        assert assignment["provider_name"] == shelter["name"]
    by_person = {a["person"]: dataset[a["provider_id"]]["name"] for a in answer["assignments"]}
    assert by_person[0] in ("Women's House Amersfoort", "Family Shelter Hilversum")
    assert by_person[4] in ("Youth House Zeist", "Family Shelter Hilversum")
    assert answer["total_score"] == pytest.approx(sum(a["score"] for a in answer["assignments"]), abs=0.01)


def test_a_man_is_never_placed_in_a_women_only_shelter_even_when_it_is_the_only_place_left(matcher, add_providers):
    from tests.matcher.dataset import at, eligibility
    from tests.support.factories import provider
    add_providers(provider(name="Women Only", location=at("Utrecht", UTRECHT),
                           eligibility=eligibility(genders=["female"]), capacity={"available": 5, "maximum": 5}),
                  provider(name="Anyone", location=at("Utrecht", UTRECHT), capacity={"available": 1, "maximum": 5}))

    answer = place(matcher, [person(gender="male"), person(gender="male"), person(gender="female")])

    names = {a["person"]: a["provider_name"] for a in answer["assignments"]}
    assert names[2] in ("Women Only", "Anyone")
    assert "Women Only" not in (names.get(0), names.get(1))
    assert len([i for i in (0, 1) if i in names]) == 1
    assert answer["unassigned"][0]["reason"] == {"code": "group.no_place_left", "params": {"count": 1}}


def test_capacity_is_never_exceeded(matcher, dataset):
    # Twelve adults; beds for adults: Utrecht 3, Houten 3 (stale), Hilversum 1, the women's house 2 and
    # the men's house 2, so eleven can be placed.
    people = [person(gender="male" if i % 2 else "female", age=20 + i) for i in range(12)]

    answer = place(matcher, people)

    used = Counter(a["provider_id"] for a in answer["assignments"])
    for provider_id, count in used.items():
        assert count <= dataset[provider_id]["capacity"]["free"]
    assert len(answer["assignments"]) == 11
    assert used[next(i for i, p in dataset.items() if p["name"] == "Adults Only Utrecht")] == 3
    assert len(answer["assignments"]) + len(answer["unassigned"]) == len(people)


def test_a_place_inside_one_persons_area_to_avoid_goes_to_someone_else(matcher, dataset):
    avoiding = person(gender="male", age=30, avoid=[{"place": "Utrecht", "radius_km": 4}])
    people = [avoiding, person(gender="male", age=30), person(gender="male", age=30)]

    answer = place(matcher, people)

    assigned = {a["person"]: a["provider_name"] for a in answer["assignments"]}
    assert assigned[0] != "Adults Only Utrecht"
    assert "Adults Only Utrecht" in assigned.values()


def test_a_person_nothing_suits_is_unassigned_with_the_filter_that_left_nothing(matcher, dataset):
    answer = place(matcher, [person(), person(location=AMSTERDAM, max_distance_km=1)])

    assert [a["person"] for a in answer["assignments"]] == [0]
    unassigned = answer["unassigned"][0]
    assert unassigned["person"] == 1
    assert unassigned["blocked_by"] == ["distance"]
    assert unassigned["taken_by_group"] is False
    assert unassigned["reason"] == {"code": "unmet.distance", "params": {"need": "shelter", "km": 1.0}}


def test_the_same_group_gets_the_same_placement_every_time(matcher, dataset):
    people = [person(gender="male" if i % 3 else "female", age=19 + i) for i in range(8)]

    first, second = place(matcher, people), place(matcher, people)

    assert first == second


def test_a_return_for_a_group_only_goes_to_organisations_serving_each_persons_country(matcher, dataset):
    answer = place(matcher, [person(origin_country="RO"), person(origin_country="NG"), person(origin_country="VN")],
                   need="repatriation")

    assert {a["person"]: a["provider_name"] for a in answer["assignments"]} == {
        0: "Return Office Eastern Europe", 1: "Return Office West Africa"}
    assert answer["unassigned"] == [{
        "person": 2, "reason": {"code": "unmet.repatriation_country", "params": {"country": "VN"}}, "blocked_by": [],
        "taken_by_group": False, "other_route": {"code": "route.return_advice", "params": {}}}]
