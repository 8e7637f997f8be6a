"""Care plans and group placements a coordinator would accept, on every store, over HTTP."""
from __future__ import annotations

import pytest

from tests.conftest import SECRET
from tests.scenarios.conftest import match, names, top
from tests.scenarios.dataset import at, beds, rules
from tests.support.factories import provider
from tests.support.signed import SignedFlaskClient

pytestmark = pytest.mark.integration

# Around Eindhoven, away from the rest of the scenario directory.
EINDHOVEN = {"lat": 51.4416, "lon": 5.4697}
WEST_OF_EINDHOVEN = {"lat": 51.4416, "lon": 5.3260}  # about 10 km
HELMOND = {"lat": 51.4793, "lon": 5.6570}  # about 14 km
NEAR_HELMOND = {"lat": 51.4760, "lon": 5.6650}


@pytest.fixture
def brabant(scenario_directory) -> dict[str, dict]:
    """Two women's shelters around Eindhoven, and trauma care and a lawyer only near the second one."""
    admin = SignedFlaskClient(scenario_directory.app, SECRET, "admin")
    care = {"languages": ["nl", "pl", "en"], "eligibility": rules(exploitation_types=["labour"])}
    records = [
        provider(name="Women's House Kempen", location=at("Eersel", WEST_OF_EINDHOVEN, confidential=True),
                 languages=["nl", "pl", "en"], capacity=beds(3, 8),
                 eligibility=rules(genders=["female"], exploitation_types=["labour"])),
        provider(name="Women's House Helmond", location=at("Helmond", HELMOND, confidential=True),
                 languages=["nl", "pl", "en"], capacity=beds(3, 8),
                 eligibility=rules(genders=["female"], exploitation_types=["labour"])),
        provider(name="Trauma Centre Helmond", type="mental_health", services=["mental_health"],
                 location=at("Helmond", NEAR_HELMOND), capacity={"available": 5, "maximum": 10,
                                                                 "unit": "appointment"}, **care),
        provider(name="Law Office Helmond", type="legal", services=["legal"], location=at("Helmond", NEAR_HELMOND),
                 capacity={"available": 3, "maximum": 6, "unit": "case"}, **care),
    ]
    created = {}
    for record in records:
        response = admin.post("/providers", record)
        assert response.status_code == 201, response.json
        created[record["name"]] = response.json
    return created


def test_a_slightly_lower_shelter_with_trauma_care_and_a_lawyer_nearby_anchors_the_plan(coordinator, brabant):
    answer = match(coordinator, needs=["shelter", "mental_health", "legal"], languages=["pl", "en"],
                   gender="female", age=31, exploitation_type="labour", location=EINDHOVEN)

    shelters = next(r for r in answer["results"] if r["need"] == "shelter")["candidates"]
    assert [c["provider"]["name"] for c in shelters[:2]] == ["Women's House Kempen", "Women's House Helmond"]
    assert shelters[0]["score"] - shelters[1]["score"] < 0.05  # only slightly lower on its own
    plan = answer["care_plan"]
    assert plan["anchor_name"] == "Women's House Helmond"
    assert plan["anchor_provider_id"] == brabant["Women's House Helmond"]["id"]
    assert plan["shelter_rank"] == 2
    assert plan["gains"] == ["mental_health", "legal"]
    mental_health, legal = (next(r for r in answer["results"] if r["need"] == need)["candidates"]
                            for need in ("mental_health", "legal"))
    assert plan["combined_score"] == pytest.approx(
        shelters[1]["score"] + mental_health[0]["score"] + legal[0]["score"], abs=0.002)
    assert plan["reasons"][0]["code"] == "plan.chosen_over"
    assert plan["reasons"][0]["params"]["provider_name"] == "Women's House Kempen"
    assert [(r["code"], r["params"]["need"]) for r in plan["reasons"][1:]] == [
        ("plan.need_nearer", "mental_health"), ("plan.need_nearer", "legal")]
    # Care is ranked from the chosen shelter, measured from its public cell: the trauma centre is a few km away.
    assert top(answer, "mental_health") == "Trauma Centre Helmond"
    assert top(answer, "legal") == "Law Office Helmond"
    assert mental_health[0]["distance_km"] < 6
    assert any(reason["code"].endswith("_from_shelter") for reason in mental_health[0]["reasons"])
    # The answer never gives the confidential shelter's own point: only its cell's centre.
    anchor = plan["anchor_location"]
    assert (anchor["lat"], anchor["lon"]) != (HELMOND["lat"], HELMOND["lon"])
    assert (anchor["lat"], anchor["lon"]) == (shelters[1]["provider"]["location"]["lat"],
                                              shelters[1]["provider"]["location"]["lon"])


def test_without_care_asked_for_the_top_ranked_shelter_anchors_the_plan(coordinator, brabant):
    answer = match(coordinator, needs=["shelter"], languages=["pl", "en"], gender="female", age=31,
                   exploitation_type="labour", location=EINDHOVEN)

    plan = answer["care_plan"]
    assert plan["anchor_name"] == top(answer, "shelter") == "Women's House Kempen"
    assert plan["shelter_rank"] == 1 and plan["gains"] == []
    assert plan["reasons"][0]["code"] == "plan.top_is_best"


def place(coordinator, people: list[dict], need: str = "shelter") -> dict:
    response = coordinator.post("/matches/group", {"people": people, "need": need})
    assert response.status_code == 200, response.json
    return response.json


def test_a_minor_in_a_group_is_told_age_rules_every_shelter_out_and_to_go_through_guardianship(coordinator):
    adult = {"languages": ["ti"], "gender": "male", "age": 30, "residence_status": "reflection_period",
             "location": {"place": "Arnhem"}}

    answer = place(coordinator, [adult, {**adult, "age": 15}])

    assert [a["person"] for a in answer["assignments"]] == [0]
    minor = answer["unassigned"][0]
    assert minor["person"] == 1
    assert minor["blocked_by"] == ["age"]
    assert minor["taken_by_group"] is False
    assert minor["reason"] == {"code": "unmet.age", "params": {"need": "shelter", "age": 15}}
    assert minor["other_route"] == {"code": "route.guardianship", "params": {}}


def test_a_group_larger_than_the_beds_left_says_the_group_took_them(coordinator):
    woman = {"languages": ["en"], "gender": "female", "age": 25, "residence_status": "dutch",
             "location": {"place": "Utrecht"}}

    # Women's Shelter Utrecht has 2 beds and is the only shelter for Dutch women.
    answer = place(coordinator, [woman, woman, woman])

    assert len(answer["assignments"]) == 2
    [left] = answer["unassigned"]
    assert left["blocked_by"] == ["capacity"] and left["taken_by_group"] is True
    assert left["reason"] == {"code": "group.no_place_left", "params": {"count": 1}}
    assert left["other_route"] == {"code": "route.municipal_shelter", "params": {}}


def test_a_person_two_requirements_rule_out_only_together_is_told_both(coordinator):
    man = {"languages": ["nl"], "gender": "male", "age": 30, "wheelchair": True, "accompanying_children": True,
           "residence_status": "dutch", "location": {"lat": 52.0908, "lon": 5.1222}}

    answer = place(coordinator, [man])

    [left] = answer["unassigned"]
    assert left["blocked_by"] and left["taken_by_group"] is False
    single = match(coordinator, needs=["shelter"], **man)
    # The same words and filters as a single match gives for the same person.
    assert (left["reason"], left["blocked_by"], left["other_route"]) == tuple(
        single["unmet"][0][key] for key in ("reason", "blocked_by", "other_route"))
    assert names(single, "shelter") == []
