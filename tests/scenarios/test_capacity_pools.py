"""Capacity per service over real HTTP, on each store: a shelter that also gives care counts them apart."""
from __future__ import annotations

from services.shared.reasons import reason
from services.shared.signing import Claims
from tests.conftest import SECRET
from tests.scenarios.conftest import match
from tests.support.signed import signed_request

CASEWORKER = Claims(role="caseworker", subject="test:caseworker")


def over_http(scenario_directory, method: str, path: str, body: dict | None = None):
    return signed_request(scenario_directory.url, SECRET, CASEWORKER.fresh(), method, path, json_body=body)


def free(unit_code: str, count: int) -> dict:
    return reason(unit_code, count=count).as_dict()


def reason_of(answer: dict, need: str, name: str) -> list[dict]:
    result = next(r for r in answer["results"] if r["need"] == need)
    return next(c["reasons"] for c in result["candidates"] if c["provider"]["name"] == name)


def test_a_medical_referral_at_a_shelter_with_care_leaves_its_free_beds_as_they_were(scenario_directory,
                                                                                     coordinator):
    person = dict(needs=["shelter", "medical"], languages=["bg"], gender="female", age=27, wheelchair=True,
                  residence_status="reflection_period", location={"place": "Zwolle"})
    answer = match(coordinator, **person)
    clinic = next(c["provider"] for r in answer["results"] if r["need"] == "medical" for c in r["candidates"]
                  if c["provider"]["name"] == "Haven House Zwolle")
    assert free("headroom.beds", 2) in reason_of(answer, "shelter", "Haven House Zwolle")
    assert free("headroom.appointments", 3) in reason_of(answer, "medical", "Haven House Zwolle")

    referral = over_http(scenario_directory, "POST", "/referrals",
                         {"provider_id": clinic["id"], "need": "medical", "case_reference": "POOL-1",
                          "party": {"adults": 1, "children": 0}})

    assert referral.status_code == 201, referral.text
    shown = over_http(scenario_directory, "GET", f"/providers/{clinic['id']}").json()
    assert (shown["capacity"]["free"], shown["capacity"]["held"]) == (2, 0)
    assert (shown["service_capacity"]["medical"]["free"], shown["service_capacity"]["medical"]["held"]) == (2, 1)
    again = match(coordinator, **person)
    assert free("headroom.beds", 2) in reason_of(again, "shelter", "Haven House Zwolle")
    assert free("headroom.appointments", 2) in reason_of(again, "medical", "Haven House Zwolle")
