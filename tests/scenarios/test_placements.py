"""What a coordinator would accept for the people Dutch practice places, on every store, over HTTP."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.shared.reasons import reason
from tests.scenarios.conftest import match, names, top, unmet
from tests.scenarios.dataset import ROTTERDAM, UTRECHT

pytestmark = pytest.mark.integration


def test_a_mother_with_two_children_gets_a_family_shelter_and_outpatient_care_and_a_lawyer(coordinator):
    answer = match(coordinator, needs=["shelter", "mental_health", "legal"], languages=["pcm", "en"],
                   gender="female", age=29, accompanying_children=True, residence_status="reflection_period",
                   exploitation_type="sexual", location={"place": "Rotterdam"})

    assert top(answer, "shelter") == "Reflection House Women Rotterdam"
    # Children filter where the family will live, not the trauma clinic or the lawyer.
    assert top(answer, "mental_health") == "Trauma Outpatient Utrecht"
    assert "Law Office Coolsingel" in names(answer, "legal")
    assert answer["unmet"] == []


def test_a_wheelchair_user_gets_an_accessible_shelter_and_remote_lawyers_and_interpreters(coordinator):
    answer = match(coordinator, needs=["shelter", "legal", "interpreter"], languages=["bg"], gender="male",
                   age=44, wheelchair=True, residence_status="eu", location=UTRECHT)

    assert top(answer, "shelter") == "Haven House Zwolle"
    # The office up the stairs is left out; the desk that works by phone and video is not.
    assert names(answer, "legal") == ["Legal Aid Desk Utrecht"]
    assert top(answer, "interpreter") == "Phone Interpreters NL"


def test_an_unaccompanied_minor_is_told_why_no_shelter_fits_and_to_go_through_guardianship(coordinator):
    answer = match(coordinator, needs=["shelter", "mental_health"], languages=["ti"], gender="male", age=15,
                   residence_status="undocumented", location={"place": "Amsterdam"})

    assert top(answer, "shelter") is None
    shelter = unmet(answer, "shelter")
    assert shelter["blocked_by"] == ["age"]
    assert shelter["reason"] == reason("unmet.age", need="shelter", age=15).as_dict()
    assert shelter["other_route"] == reason("route.guardianship").as_dict()
    assert top(answer, "mental_health") == "Trauma Outpatient Utrecht"


def test_a_woman_in_asylum_is_pointed_to_asylum_reception_when_residence_status_rules_shelters_out(coordinator):
    answer = match(coordinator, needs=["shelter"], languages=["ar"], gender="female", age=34,
                   residence_status="asylum", location=ROTTERDAM)

    shelter = unmet(answer, "shelter")
    # Only the complex-needs beds take any residence status, and those are kept for their target group.
    assert shelter["blocked_by"] == ["residence_status", "target_group"]
    assert shelter["other_route"] == reason("route.asylum_reception").as_dict()


def test_a_need_left_empty_by_two_requirements_together_names_both(coordinator):
    answer = match(coordinator, needs=["shelter"], languages=["nl"], gender="male", age=30, wheelchair=True,
                   accompanying_children=True, residence_status="dutch", location=UTRECHT)

    shelter = unmet(answer, "shelter")
    assert shelter["blocked_by"]
    assert shelter["other_route"] == reason("route.municipal_shelter").as_dict()


def test_a_return_home_goes_to_the_desk_serving_the_country(coordinator):
    answer = match(coordinator, needs=["repatriation"], languages=["ro"], origin_country="RO", wheelchair=True,
                   location={"place": "Den Haag"})

    # The desk comes to the person, so a wheelchair does not rule it out.
    assert top(answer, "repatriation") == "Return Desk Randstad"


def test_a_transgender_woman_is_offered_the_lgbtqi_safe_house_first_even_from_the_womens_shelters_town(coordinator):
    answer = match(coordinator, needs=["shelter"], languages=["en"], gender="female", age=26,
                   exploitation_type="sexual", residence_status="reflection_period", support_needs=["lgbtqi"],
                   location={"place": "Rotterdam"})

    shelter = next(r for r in answer["results"] if r["need"] == "shelter")["candidates"]
    assert shelter[0]["provider"]["name"] == "Rainbow Safe House Amsterdam"
    assert reason("support.specialised", support_needs=["lgbtqi"]).as_dict() in shelter[0]["reasons"]
    assert "Reflection House Women Rotterdam" in names(answer, "shelter")


def test_a_nigerian_woman_in_the_reflection_period_goes_to_the_shelter_for_non_dutch_victims(coordinator):
    answer = match(coordinator, needs=["shelter", "legal", "interpreter"], languages=["pcm", "en"], gender="female",
                   age=23, exploitation_type="sexual", residence_status="reflection_period", origin_country="NG",
                   location={"place": "Amsterdam"})

    assert top(answer, "shelter") == "Reflection House Women Rotterdam"
    # The municipal shelter is for Dutch and EU adults; the complex-needs beds are kept for complex needs.
    assert "Women's Shelter Utrecht" not in names(answer, "shelter")
    assert "Complex Care House Den Haag" not in names(answer, "shelter")
    assert top(answer, "interpreter") == "Phone Interpreters NL"


def test_someone_with_an_addiction_is_never_offered_a_shelter_that_cannot_serve_it(coordinator):
    answer = match(coordinator, needs=["shelter"], languages=["nl"], gender="female", age=41,
                   residence_status="dutch", support_needs=["addiction"], location=UTRECHT)

    assert "Women's Shelter Utrecht" not in names(answer, "shelter")
    assert top(answer, "shelter") == "Complex Care House Den Haag"


def test_a_dutch_minor_is_placed_far_from_home_in_protected_youth_shelter(coordinator):
    answer = match(coordinator, needs=["shelter"], languages=["nl"], gender="female", age=16,
                   residence_status="dutch", location={"place": "Rotterdam"},
                   avoid=[{"place": "Rotterdam", "radius_km": 40}])

    assert names(answer, "shelter") == ["Youth Protected Shelter Groningen"]


def test_a_mother_with_two_children_holds_three_beds_and_her_lawyer_one_case(coordinator, referrer):
    answer = match(coordinator, needs=["shelter", "legal"], languages=["en"], gender="female", age=31,
                   accompanying_children=True, residence_status="reflection_period", location={"place": "Rotterdam"})
    shelter = next(r for r in answer["results"] if r["need"] == "shelter")["candidates"][0]["provider"]
    lawyer = next(r for r in answer["results"] if r["need"] == "legal")["candidates"][0]["provider"]
    family = {"adults": 1, "children": 2}

    bed = referrer.post("/referrals", {"provider_id": shelter["id"], "need": "shelter", "case_reference": "FAM-1",
                                       "party": family})
    case = referrer.post("/referrals", {"provider_id": lawyer["id"], "need": "legal", "case_reference": "FAM-1",
                                        "party": family})

    assert bed.status_code == 201, bed.json
    assert (bed.json["units"], bed.json["party"]) == (3, family)
    assert case.json["units"] == 1
    assert referrer.get(f"/providers/{shelter['id']}").json["capacity"]["held"] == 3


def test_a_family_too_large_for_the_free_beds_is_refused_and_nothing_is_held(coordinator, referrer):
    answer = match(coordinator, needs=["shelter"], languages=["nl"], gender="female", age=35,
                   accompanying_children=True, residence_status="dutch", location=UTRECHT)
    shelter = next(r for r in answer["results"] if r["need"] == "shelter")["candidates"][0]["provider"]
    free = shelter["capacity"]["free"]

    response = referrer.post("/referrals", {"provider_id": shelter["id"], "need": "shelter", "case_reference": "FAM-2",
                                            "party": {"adults": 1, "children": free}})

    assert response.status_code == 409
    assert referrer.get(f"/providers/{shelter['id']}").json["capacity"]["held"] == 0


@pytest.mark.parametrize(("party", "field"), [({"adults": 0}, "party.adults"), ({"adults": 1, "children": -1},
                                              "party.children"), ({"adults": "2"}, "party.adults"),
                                             ({"adults": 1, "pets": 1}, "party.pets")])
def test_a_party_that_is_not_whole_numbers_of_people_is_refused_naming_the_field(referrer, party, field):
    response = referrer.post("/referrals", {"provider_id": "00000000-0000-4000-8000-000000000000", "need": "shelter",
                                            "case_reference": "FAM-3", "party": party})

    assert response.status_code == 400
    assert field in response.json["error"]["fields"]


def test_interpreters_are_ranked_by_the_first_language_and_a_remote_one_is_not_far(coordinator):
    answer = match(coordinator, needs=["interpreter"], languages=["ro", "en"], gender="male", age=38,
                   location=UTRECHT)

    interpreters = next(r for r in answer["results"] if r["need"] == "interpreter")["candidates"]
    assert [c["provider"]["name"] for c in interpreters] == ["Phone Interpreters NL", "Town Hall Interpreters Utrecht"]
    assert reason("distance.remote").as_dict() in interpreters[0]["reasons"]
    assert reason("interpreting.own_not_first", language="en", first_language="ro").as_dict() in interpreters[1]["reasons"]


def test_fourteen_men_freed_at_night_are_not_sent_to_a_shelter_whose_intake_is_closed(coordinator, clock):
    clock.now = datetime(2026, 11, 28, 1, 30, tzinfo=timezone.utc)  # 02:30 in the Netherlands
    man = {"languages": ["ro", "en"], "gender": "male", "age": 30, "residence_status": "reflection_period",
           "exploitation_type": "labour", "location": {"place": "Utrecht"}, "intake_now": True}

    response = coordinator.post("/matches/group", {"need": "shelter", "people": [man] * 14})

    assert response.status_code == 200, response.json
    placed = {a["provider_name"] for a in response.json["assignments"]}
    assert placed == {"Haven House Zwolle"}
    assert len(response.json["assignments"]) == 2
    assert len(response.json["unassigned"]) == 12


def test_a_man_asking_at_night_learns_when_the_mens_shelter_takes_people_in_again(coordinator, clock):
    clock.now = datetime(2026, 11, 28, 1, 30, tzinfo=timezone.utc)
    answer = match(coordinator, needs=["shelter"], languages=["pl"], gender="male", age=41,
                   residence_status="reflection_period", location={"place": "Arnhem"})

    arnhem = next(c for c in next(r for r in answer["results"] if r["need"] == "shelter")["candidates"]
                  if c["provider"]["name"] == "Reflection House Men Arnhem")
    assert reason("intake.next_opens", weekday="Sa", time="17:00").as_dict() in arnhem["reasons"]

    tonight = match(coordinator, needs=["shelter"], languages=["pl"], gender="male", age=41, intake_now=True,
                    residence_status="reflection_period", location={"place": "Arnhem"})
    assert "Reflection House Men Arnhem" not in names(tonight, "shelter")


def test_in_the_evening_the_mens_shelter_takes_the_group_in(coordinator, clock):
    clock.now = datetime(2026, 11, 28, 18, 0, tzinfo=timezone.utc)  # 19:00 in the Netherlands
    man = {"languages": ["ro"], "gender": "male", "age": 30, "residence_status": "reflection_period",
           "location": {"place": "Arnhem"}, "intake_now": True}

    response = coordinator.post("/matches/group", {"need": "shelter", "people": [man] * 14})

    assert len(response.json["assignments"]) == 14
    assert {a["provider_name"] for a in response.json["assignments"]} >= {"Reflection House Men Arnhem"}


def test_intake_hours_the_parser_does_not_understand_are_refused_naming_the_field(scenario_directory):
    from tests.conftest import SECRET
    from tests.support.factories import provider
    from tests.support.signed import SignedFlaskClient

    admin = SignedFlaskClient(scenario_directory.app, SECRET, "admin")
    response = admin.post("/providers", provider(contact={"intake_opening_hours": "ma-vr 9-17"}))

    assert response.status_code == 400
    assert "contact.intake_opening_hours" in response.json["error"]["fields"]


def test_intake_now_must_be_a_boolean(coordinator):
    response = coordinator.post("/matches", {"needs": ["shelter"], "languages": ["nl"], "location": UTRECHT,
                                             "intake_now": "yes"})

    assert response.status_code == 400
    assert "intake_now" in response.json["error"]["fields"]
