"""A place name several municipalities' places share is not guessed: every way in answers 400
`ambiguous_place` with the choices, over real HTTP through the gateway, and a chosen one resolves."""
from __future__ import annotations

import pytest
import requests

from tests.support.havens import haven_on

pytestmark = pytest.mark.integration

PERSON = {"languages": ["ro"], "location": {"place": "Utrecht"}}
DEN_HOORN = [{"name": "Den Hoorn", "municipality": "Midden-Delfland", "province": "Zuid-Holland",
              "value": "Den Hoorn, Midden-Delfland"},
             {"name": "Den Hoorn", "municipality": "Texel", "province": "Noord-Holland",
              "value": "Den Hoorn, Texel"}]


@pytest.fixture(scope="module")
def haven(tmp_path_factory):
    with haven_on("sqlite", tmp_path_factory.mktemp("haven-places")) as stack:
        yield stack


def _post(haven, path: str, body: dict) -> requests.Response:
    return requests.post(f"{haven.api}{path}", headers=haven.auth("caseworker"), json=body, timeout=60)


def _choices(answer: requests.Response, field: str) -> list[dict]:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "ambiguous_place"
    assert error["field"] == field
    assert field in error["fields"]
    assert error["message"].startswith(f"{field}: ")
    return error["choices"][field]


def test_a_shared_name_as_the_persons_location_answers_the_choices(haven):
    answer = _post(haven, "/matches", {"needs": ["shelter"], **PERSON, "location": {"place": "Den Hoorn"}})
    assert sorted(_choices(answer, "location.place"), key=lambda c: c["value"]) == DEN_HOORN


@pytest.mark.parametrize("place", ["Den Hoorn, Midden-Delfland", "Den Hoorn (Zuid-Holland)", "Den Hoorn, Texel"])
def test_a_chosen_place_is_matched_from(haven, place):
    answer = _post(haven, "/matches", {"needs": ["shelter"], **PERSON, "location": {"place": place}})
    assert answer.status_code == 200, answer.text


def test_a_shared_name_as_an_area_to_avoid_answers_the_choices(haven):
    answer = _post(haven, "/matches", {"needs": ["shelter"], **PERSON,
                                       "avoid": [{"place": "Utrecht", "radius_km": 5},
                                                 {"place": "Hengelo", "radius_km": 10}]})
    choices = _choices(answer, "avoid.1.place")
    assert {(c["municipality"], c["province"]) for c in choices} == {("Hengelo", "Overijssel"),
                                                                     ("Bronckhorst", "Gelderland")}
    chosen = _post(haven, "/matches", {"needs": ["shelter"], **PERSON,
                                       "avoid": [{"place": choices[0]["value"], "radius_km": 10}]})
    assert chosen.status_code == 200, chosen.text


def test_a_shared_name_in_a_group_answers_the_choices_of_that_person(haven):
    answer = _post(haven, "/matches/group", {"need": "shelter", "people": [
        PERSON, {"languages": ["en"], "location": {"place": "Zevenhuizen"}}]})
    choices = _choices(answer, "people.1.location.place")
    assert {c["municipality"] for c in choices} >= {"Zuidplas", "Westerkwartier"}


def test_a_shared_name_to_search_near_answers_the_choices(haven):
    cw = haven.auth("caseworker")
    answer = requests.get(f"{haven.api}/providers", params={"near": "Bergen"}, headers=cw, timeout=60)
    choices = _choices(answer, "near")
    assert {c["province"] for c in choices} == {"Noord-Holland", "Limburg"}
    for choice in choices:
        found = requests.get(f"{haven.api}/providers", params={"near": choice["value"]}, headers=cw, timeout=60)
        assert found.status_code == 200, found.text


def test_a_municipality_named_after_its_seat_is_one_place(haven):
    # Utrecht the city and Utrecht the municipality are one choice; Texel the municipality needs no choice.
    for place in ("Utrecht", "Texel", "Súdwest-Fryslân", "Ljouwert"):
        answer = _post(haven, "/matches", {"needs": ["shelter"], **PERSON, "location": {"place": place}})
        assert answer.status_code == 200, (place, answer.text)
