"""POST /matches on a fixed dataset: the matcher asks a real directory over HTTP."""
from __future__ import annotations

import pytest

from services.matcher.domain.geo import distance_km
from services.shared.reasons import reason


def why(code: str, **params) -> dict:
    """A reason as the matcher's answer carries it."""
    return reason(code, **params).as_dict()
from tests.matcher.dataset import AMERSFOORT, HOUTEN, UTRECHT, ZEIST, fixed_dataset

pytestmark = pytest.mark.integration


@pytest.fixture
def dataset(add_providers, clock) -> dict[str, dict]:
    return add_providers(*fixed_dataset(clock.now))


def match(matcher, **profile) -> dict:
    profile.setdefault("languages", ["nl"])
    profile.setdefault("location", UTRECHT)
    response = matcher.post("/matches", profile)
    assert response.status_code == 200, response.json
    return response.json


def candidates_of(answer: dict, need: str) -> list[dict]:
    return next(result["candidates"] for result in answer["results"] if result["need"] == need)


def names(candidates: list[dict]) -> list[str]:
    return [c["provider"]["name"] for c in candidates]


def test_a_minor_is_never_matched_to_an_adults_only_shelter(matcher, dataset):
    shelters = candidates_of(match(matcher, needs=["shelter"], age=16, limit=20), "shelter")

    assert sorted(names(shelters)) == ["Family Shelter Hilversum", "Youth House Zeist"]
    assert all(c["provider"]["eligibility"]["min_age"] <= 16 for c in shelters)


def test_a_man_is_never_placed_in_a_women_only_shelter(matcher, dataset):
    shelters = candidates_of(match(matcher, needs=["shelter"], gender="male", age=30, limit=20), "shelter")

    assert "Women's House Amersfoort" not in names(shelters)
    assert "Men's House Nieuwegein" in names(shelters)
    assert all("male" in c["provider"]["eligibility"]["genders"] for c in shelters)


def test_a_person_with_children_only_gets_shelters_that_accept_children(matcher, dataset):
    shelters = candidates_of(match(matcher, needs=["shelter"], gender="female", age=28,
                                   accompanying_children=True, limit=20), "shelter")

    assert sorted(names(shelters)) == ["Family Shelter Hilversum", "Women's House Amersfoort"]


def test_a_return_to_a_country_only_goes_to_organisations_serving_it(matcher, dataset):
    answer = match(matcher, needs=["repatriation"], languages=["ro"], origin_country="RO", limit=20)

    assert names(candidates_of(answer, "repatriation")) == ["Return Office Eastern Europe"]


def test_a_return_nobody_serves_is_unmet_with_the_country_named(matcher, dataset):
    answer = match(matcher, needs=["repatriation"], origin_country="VN")

    assert candidates_of(answer, "repatriation") == []
    assert [(u["need"], u["reason"], u["blocked_by"]) for u in answer["unmet"]] == [
        ("repatriation", why("unmet.repatriation_country", country="VN"), [])]


def test_nothing_inside_an_area_to_avoid_is_offered_even_the_nearest_and_best(matcher, dataset):
    avoid = {"place": "Utrecht", "radius_km": 3}
    without = match(matcher, needs=["medical"], languages=["ro"], location=ZEIST)
    assert names(candidates_of(without, "medical"))[0] == "Central Clinic Utrecht"

    answer = match(matcher, needs=["shelter", "medical", "legal"], languages=["ro"], location=ZEIST,
                   avoid=[avoid], limit=20)

    offered = [c for result in answer["results"] for c in result["candidates"]]
    assert "Central Clinic Utrecht" not in names(offered)
    assert names(candidates_of(answer, "medical")) == ["Clinic Amersfoort"]
    for candidate in offered:
        location = candidate["provider"]["location"]
        assert distance_km(location["lat"], location["lon"], UTRECHT["lat"], UTRECHT["lon"]) > 3


def test_a_staff_language_beats_a_nearer_interpreter_only_provider(matcher, dataset):
    legal = candidates_of(match(matcher, needs=["legal"], languages=["ro"]), "legal")

    assert names(legal) == ["Romanian Law Desk", "Near Law Office"]
    assert legal[0]["distance_km"] > legal[1]["distance_km"]
    assert why("language.staff_speaks", language="ro") in legal[0]["reasons"]
    assert why("language.interpreted", language="ro") in legal[1]["reasons"]


def test_an_earlier_language_preference_ranks_slightly_higher(matcher, add_providers):
    from tests.support.factories import provider
    add_providers(provider(name="Speaks Polish", languages=["pl"]), provider(name="Speaks English", languages=["en"]))

    shelters = candidates_of(match(matcher, needs=["shelter"], languages=["pl", "en"]), "shelter")

    assert names(shelters) == ["Speaks Polish", "Speaks English"]
    assert shelters[0]["score"] > shelters[1]["score"]
    assert why("language.staff_speaks_later", language="en", rank=2) in shelters[1]["reasons"]


def test_stale_capacity_ranks_lower_and_says_so(matcher, dataset):
    shelters = candidates_of(match(matcher, needs=["shelter"], gender="male", location=HOUTEN, limit=20), "shelter")
    by_name = {c["provider"]["name"]: c for c in shelters}
    stale, fresh = by_name["Quiet House Houten"], by_name["Adults Only Utrecht"]

    assert stale["distance_km"] < fresh["distance_km"]
    assert stale["score"] < fresh["score"]
    assert why("freshness.unconfirmed_days", count=3) in stale["reasons"]
    assert why("freshness.confirmed_within_hour") in fresh["reasons"]


def test_every_candidate_explains_its_rank_factor_by_factor(matcher, dataset):
    legal = candidates_of(match(matcher, needs=["legal"], languages=["ro"], exploitation_type="labour"), "legal")

    assert legal[0]["reasons"] == [why("language.staff_speaks", language="ro"), why("distance.km", km=20.0),
                                   why("freshness.confirmed_within_hour"),
                                   why("specialism.none", exploitation_type="labour"), why("headroom.cases", count=3)]
    assert 0 <= legal[0]["score"] <= 1
    assert set(legal[0]["factors"]) == {"language", "distance", "freshness", "specialism", "headroom"}


def test_a_confidential_shelter_is_shown_coarsely_and_its_distance_as_about(matcher, dataset):
    shelters = candidates_of(match(matcher, needs=["shelter"], gender="female", location=AMERSFOORT), "shelter")
    women = next(c for c in shelters if c["provider"]["name"] == "Women's House Amersfoort")

    assert women["provider"]["location"]["address"] is None
    assert women["provider"]["location"]["precision_km"] == 5
    assert (women["provider"]["location"]["lat"], women["provider"]["location"]["lon"]) != tuple(AMERSFOORT.values())
    assert any(r["code"] in ("distance.about_km", "distance.under_1_km") for r in women["reasons"])


def test_the_care_plan_anchors_on_the_top_shelter(matcher, dataset):
    answer = match(matcher, needs=["shelter", "medical"], gender="female", age=25, languages=["ro"],
                   exploitation_type="sexual")

    top_shelter = candidates_of(answer, "shelter")[0]["provider"]
    assert top_shelter["name"] == "Women's House Amersfoort"
    plan = answer["care_plan"]
    assert plan["anchor_provider_id"] == top_shelter["id"]
    assert plan["anchor_name"] == "Women's House Amersfoort"
    assert plan["anchor_location"] == {"lat": top_shelter["location"]["lat"], "lon": top_shelter["location"]["lon"],
                                       "municipality": "Amersfoort"}
    medical = candidates_of(answer, "medical")
    # Ranked from where the person will live, not from where they are now (Utrecht).
    assert names(medical) == ["Clinic Amersfoort", "Central Clinic Utrecht"]
    assert medical[0]["distance_km"] < 10 < medical[1]["distance_km"]
    assert any(r["code"].endswith("_from_shelter") for r in medical[0]["reasons"])


def test_without_shelter_among_the_needs_there_is_no_care_plan(matcher, dataset):
    answer = match(matcher, needs=["medical"], languages=["ro"])

    assert answer["care_plan"] is None
    assert names(candidates_of(answer, "medical"))[0] == "Central Clinic Utrecht"


def test_without_a_shared_staff_language_an_interpreter_is_needed_and_ranked(matcher, dataset):
    answer = match(matcher, needs=["shelter"], gender="female", languages=["ti"])

    assert answer["interpreter_needed"] == [{"language": "ti", "needs": ["shelter"]}]
    added = answer["results"][-1]
    assert added["need"] == "interpreter" and added["added"] is True
    assert names(added["candidates"]) == ["Tigrinya Interpreters"]
    assert why("interpreting.own", language="ti") in added["candidates"][0]["reasons"]
    shelters = candidates_of(answer, "shelter")
    assert shelters[0]["provider"]["name"] == "Family Shelter Hilversum"
    assert why("language.interpreted", language="ti") in shelters[0]["reasons"]


def test_an_interpreter_already_asked_for_is_not_added_twice(matcher, dataset):
    answer = match(matcher, needs=["interpreter", "shelter"], languages=["ti"])

    assert [r["need"] for r in answer["results"]] == ["interpreter", "shelter"]
    assert answer["interpreter_needed"][0]["needs"] == ["shelter"]


def test_a_shared_staff_language_needs_no_interpreter(matcher, dataset):
    answer = match(matcher, needs=["shelter", "legal"], languages=["ti", "en"])

    assert answer["interpreter_needed"] == []
    assert [r["need"] for r in answer["results"]] == ["shelter", "legal"]


def test_a_need_nobody_can_meet_is_listed_as_unmet(matcher, dataset):
    answer = match(matcher, needs=["mental_health", "medical"], max_distance_km=50)

    assert candidates_of(answer, "mental_health") == []
    assert answer["unmet"][0]["need"] == "mental_health"
    assert answer["unmet"][0]["reason"] == why("unmet.not_offered", need="mental_health")
    assert answer["unmet"][0]["blocked_by"] == []


def test_limit_caps_the_candidates_per_need(matcher, dataset):
    answer = match(matcher, needs=["shelter"], limit=2)

    assert len(candidates_of(answer, "shelter")) == 2


def test_a_place_name_is_resolved_for_the_location(matcher, dataset):
    by_place = match(matcher, needs=["medical"], location={"place": "Amersfoort"})

    assert names(candidates_of(by_place, "medical"))[0] == "Clinic Amersfoort"


def test_a_provider_account_cannot_ask_for_matches(matcher, dataset):
    response = matcher.as_role("provider", provider_ids=[dataset["Clinic Amersfoort"]["id"]]).post(
        "/matches", {"needs": ["medical"], "languages": ["nl"], "location": UTRECHT})

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_an_admin_may_ask_for_matches_and_sees_exact_locations(matcher, dataset):
    response = matcher.as_role("admin").post("/matches", {"needs": ["shelter"], "languages": ["nl"],
                                                          "location": UTRECHT, "limit": 20})

    assert response.status_code == 200
    shelter = next(c for c in candidates_of(response.json, "shelter")
                   if c["provider"]["name"] == "Adults Only Utrecht")
    assert shelter["provider"]["location"]["precision_km"] == 0
