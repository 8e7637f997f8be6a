"""Bad input gets a 400 naming the field, never a 500, and the directory is not even asked."""
from __future__ import annotations

import pytest

from services.shared.signing import Claims, sign
from tests.conftest import SECRET
from tests.matcher.dataset import UTRECHT

PROFILE = {"needs": ["shelter"], "languages": ["ro"], "location": UTRECHT}


def person(**overrides) -> dict:
    return {"languages": ["ro"], "location": UTRECHT, **overrides}


def assert_names(response, field: str) -> None:
    assert response.status_code == 400, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error


def test_an_unknown_place_is_refused_naming_location_place(matcher):
    response = matcher.post("/matches", {**PROFILE, "location": {"place": "Nowhereville-aan-Zee"}})

    assert_names(response, "location.place")
    assert "Nowhereville" not in response.get_data(as_text=True)


def test_an_unknown_place_to_avoid_is_refused_naming_it(matcher):
    response = matcher.post("/matches", {**PROFILE, "avoid": [{"place": "Utrecht", "radius_km": 5},
                                                              {"place": "Nowhereville", "radius_km": 5}]})

    assert_names(response, "avoid.1.place")


@pytest.mark.parametrize(("body", "field"), [
    ({**PROFILE, "needs": ["shelter"] * 11}, "needs"),
    ({**PROFILE, "needs": ["shelter", "shelter"]}, "needs"),
    ({**PROFILE, "needs": []}, "needs"),
    ({**PROFILE, "needs": ["housing"]}, "needs.0"),
    ({**PROFILE, "avoid": [{"lat": 52.0, "lon": 5.0, "radius_km": 1}] * 11}, "avoid"),
    ({**PROFILE, "avoid": [{"lat": 52.0, "lon": 5.0, "radius_km": 501}]}, "avoid.0.radius_km"),
    ({**PROFILE, "avoid": [{"lat": 52.0, "lon": 5.0, "radius_km": 0}]}, "avoid.0.radius_km"),
    ({**PROFILE, "avoid": [{"lat": 52.0, "lon": 5.0}]}, "avoid.0.radius_km"),
    ({**PROFILE, "max_distance_km": 501}, "max_distance_km"),
    ({**PROFILE, "limit": 21}, "limit"),
    ({**PROFILE, "languages": ["xx"]}, "languages.0"),
    ({**PROFILE, "languages": ["en"] * 21}, "languages"),
    ({**PROFILE, "languages": []}, "languages"),
    ({**PROFILE, "age": 121}, "age"),
    ({**PROFILE, "gender": "unknown"}, "gender"),
    ({**PROFILE, "origin_country": "XX"}, "origin_country"),
    ({**PROFILE, "needs": ["repatriation"]}, "origin_country"),
    ({**PROFILE, "exploitation_type": "debt"}, "exploitation_type"),
    ({**PROFILE, "support_needs": ["vegan"]}, "support_needs.0"),
    ({**PROFILE, "support_needs": "lgbtqi"}, "support_needs"),
    ({**PROFILE, "support_needs": ["lgbtqi", "lgbtqi"]}, "support_needs"),
    ({**PROFILE, "location": {"lat": 52.0}}, "location.lon"),
    ({**PROFILE, "location": {"lat": 91, "lon": 5}}, "location.lat"),
    ({**PROFILE, "location": {"place": "Utrecht", "lat": 52.0, "lon": 5.0}}, "location.place"),
    ({key: value for key, value in PROFILE.items() if key != "location"}, "location"),
    ({**PROFILE, "name": "A. Person"}, "name"),
    ({**PROFILE, "location": {**UTRECHT, "address": "Street 1"}}, "location.address"),
    # strict types
    ({**PROFILE, "age": 24.5}, "age"),
    ({**PROFILE, "age": "24"}, "age"),
    ({**PROFILE, "age": True}, "age"),
    ({**PROFILE, "limit": 5.0}, "limit"),
    ({**PROFILE, "wheelchair": "yes"}, "wheelchair"),
    ({**PROFILE, "accompanying_children": 1}, "accompanying_children"),
    ({**PROFILE, "include_stale": "false"}, "include_stale"),
    ({**PROFILE, "max_distance_km": "50"}, "max_distance_km"),
    ({**PROFILE, "max_distance_km": True}, "max_distance_km"),
    ({**PROFILE, "location": {"lat": "52.09", "lon": 5.12}}, "location.lat"),
    ({**PROFILE, "avoid": [{"lat": 52.0, "lon": 5.0, "radius_km": "5"}]}, "avoid.0.radius_km"),
    # text
    ({**PROFILE, "location": {"place": "Utrecht\u202e"}}, "location.place"),
])
def test_a_bad_match_request_is_refused_naming_the_field(matcher, body, field):
    assert_names(matcher.post("/matches", body), field)


@pytest.mark.parametrize(("body", "field"), [
    ({"need": "shelter", "people": [person()] * 51}, "people"),
    ({"need": "shelter", "people": []}, "people"),
    ({"need": "shelter"}, "people"),
    ({"people": [person()]}, "need"),
    ({"need": "shelter", "people": [person(), person(age=-1)]}, "people.1.age"),
    ({"need": "shelter", "people": [person(location={"place": "Atlantis"})]}, "people.0.location.place"),
    ({"need": "repatriation", "people": [person(origin_country="RO"), person()]}, "people.1.origin_country"),
    ({"need": "shelter", "people": [person(needs=["shelter"])]}, "people.0.needs"),
    ({"need": "shelter", "people": [person()], "limit": 3}, "limit"),
])
def test_a_bad_group_request_is_refused_naming_the_field(matcher, body, field):
    assert_names(matcher.post("/matches/group", body), field)


def test_a_body_that_is_not_json_is_refused(matcher):
    body = b"{not json"
    headers = sign(SECRET, "POST", "/matches", body, Claims(role="caseworker", subject="test:caseworker"))

    response = matcher.client.post("/matches", data=body, headers=headers, content_type="application/json")

    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/matches", "/matches/group"])
def test_a_body_nested_too_deep_is_refused_naming_the_body(matcher, path):
    response = matcher.send("POST", path, b"[" * 1000 + b"]" * 1000)

    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert response.json["error"]["fields"] == {"body": ["nested more than 64 levels deep"]}


def test_a_key_given_twice_is_refused_naming_the_key(matcher):
    body = b'{"needs": ["shelter"], "languages": ["ro"], "location": {"lat": 52.09, "lon": 5.12, "lat": 0}}'

    response = matcher.send("POST", "/matches", body)

    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"lat": ["given more than once in the same object"]}
