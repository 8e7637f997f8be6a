"""Every limit at its boundary, over real HTTP: the limit itself passes, one more is a 4xx naming the field.

The limits live in services/shared/vocabulary.py; the README's Limits table must say the same numbers.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from services.shared import vocabulary as v
from services.shared.languages import LANGUAGE_NAMES

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
PERSON = {"languages": ["ro"], "location": {"place": "Utrecht"}}
MATCH = dict(PERSON, needs=["shelter"])
CODES = sorted(LANGUAGE_NAMES)


def refused_naming(answer: requests.Response, field: str, status: int = 400) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    error = answer.json()["error"]
    assert field in (error.get("fields") or {}) or error["message"].startswith(f"{field}:"), error


@pytest.fixture(scope="module")
def api(haven):
    def call(method: str, path: str, role: str = "caseworker", headers: dict | None = None,
             **kwargs) -> requests.Response:
        return requests.request(method, haven.api + path, headers={**haven.auth(role), **(headers or {})},
                                timeout=60, **kwargs)

    return call


def test_a_body_of_exactly_one_mebibyte_passes_and_one_byte_more_is_413(api):
    compact = json.dumps(MATCH).encode()
    exactly = compact[:-1] + b" " * (v.MAX_BODY_BYTES - len(compact)) + b"}"
    assert len(exactly) == v.MAX_BODY_BYTES
    headers = {"Content-Type": "application/json"}
    assert api("POST", "/matches", data=exactly, headers=headers).status_code == 200
    answer = api("POST", "/matches", data=exactly + b" ", headers=headers)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "body_too_large"
    assert "body" in answer.json()["error"]["message"]


@pytest.mark.parametrize("path, name, role", [("/providers", "size", "caseworker"), ("/referrals", "size", "caseworker"),
                                              ("/audit", "size", "admin"), ("/hsds/services", "per_page", "caseworker")])
def test_a_page_of_100_passes_and_101_is_refused(api, path, name, role):
    assert api("GET", path, role, params={name: v.MAX_PAGE_SIZE}).status_code == 200
    refused_naming(api("GET", path, role, params={name: v.MAX_PAGE_SIZE + 1}), name)


def test_a_search_radius_of_500_km_passes_and_more_is_refused(api):
    assert api("GET", "/providers", params={"near": "Utrecht", "radius_km": v.MAX_RADIUS_KM}).status_code == 200
    refused_naming(api("GET", "/providers", params={"near": "Utrecht", "radius_km": v.MAX_RADIUS_KM + 0.5}),
                   "radius_km")


def test_a_maximum_distance_and_an_area_to_avoid_of_500_km_pass_and_more_is_refused(api):
    assert api("POST", "/matches", json=dict(MATCH, max_distance_km=v.MAX_RADIUS_KM)).status_code == 200
    refused_naming(api("POST", "/matches", json=dict(MATCH, max_distance_km=v.MAX_RADIUS_KM + 1)), "max_distance_km")
    far = {"place": "Groningen", "radius_km": v.MAX_RADIUS_KM}
    assert api("POST", "/matches", json=dict(MATCH, avoid=[far])).status_code == 200
    refused_naming(api("POST", "/matches", json=dict(MATCH, avoid=[dict(far, radius_km=v.MAX_RADIUS_KM + 1)])),
                   "avoid.0.radius_km")


def test_ten_areas_to_avoid_pass_and_eleven_are_refused(api):
    area = {"lat": 53.2, "lon": 6.56, "radius_km": 5}
    assert api("POST", "/matches", json=dict(MATCH, avoid=[area] * v.MAX_AVOID_AREAS)).status_code == 200
    refused_naming(api("POST", "/matches", json=dict(MATCH, avoid=[area] * (v.MAX_AVOID_AREAS + 1))), "avoid")


def test_every_need_once_passes_and_more_needs_than_the_limit_are_refused(api):
    # Needs are unique and there are fewer of them than the limit, so all of them at once is the most one can ask.
    assert len(v.NEEDS) <= v.MAX_NEEDS
    assert api("POST", "/matches", json=dict(MATCH, needs=list(v.NEEDS), origin_country="RO")).status_code == 200
    refused_naming(api("POST", "/matches", json=dict(MATCH, needs=["shelter"] * (v.MAX_NEEDS + 1))), "needs")
    refused_naming(api("POST", "/matches", json=dict(MATCH, needs=["shelter", "shelter"])), "needs")


def test_twenty_languages_of_a_person_pass_and_twenty_one_are_refused(api):
    assert api("POST", "/matches", json=dict(MATCH, languages=CODES[:v.MAX_LANGUAGES])).status_code == 200
    refused_naming(api("POST", "/matches", json=dict(MATCH, languages=CODES[:v.MAX_LANGUAGES + 1])), "languages")


def test_a_group_of_50_passes_and_51_is_refused(api):
    group = {"need": "shelter", "people": [PERSON] * v.MAX_GROUP_SIZE}
    assert api("POST", "/matches/group", json=group).status_code == 200
    refused_naming(api("POST", "/matches/group", json=dict(group, people=[PERSON] * (v.MAX_GROUP_SIZE + 1))), "people")


def test_a_case_reference_of_64_characters_passes_and_65_is_refused(api, haven):
    body = {"provider_id": haven.provider_id, "need": "shelter"}
    made = api("POST", "/referrals", json=dict(body, case_reference="R" * v.MAX_CASE_REFERENCE))
    assert made.status_code == 201, made.text
    api("POST", f"/referrals/{made.json()['id']}/cancel")
    refused_naming(api("POST", "/referrals", json=dict(body, case_reference="R" * (v.MAX_CASE_REFERENCE + 1))),
                   "case_reference")


@pytest.mark.parametrize("minutes, allowed", [(v.MIN_HOLD_MINUTES - 1, False), (v.MIN_HOLD_MINUTES, True),
                                              (v.MAX_HOLD_MINUTES, True), (v.MAX_HOLD_MINUTES + 1, False)])
def test_a_hold_from_5_minutes_to_72_hours_passes_and_outside_is_refused(api, haven, minutes, allowed):
    answer = api("POST", "/referrals", json={"provider_id": haven.provider_id, "need": "shelter",
                                             "case_reference": f"HOLD-{minutes}", "hold_minutes": minutes})
    if allowed:
        assert answer.status_code == 201, answer.text
        api("POST", f"/referrals/{answer.json()['id']}/cancel")
    else:
        refused_naming(answer, "hold_minutes")


@pytest.mark.parametrize("name, limit", [("q", 200), ("near", 120)])
def test_search_words_and_places_up_to_their_length_pass_and_longer_are_refused(api, name, limit):
    text = "Utrecht" + " " * (limit - len("Utrecht")) if name == "near" else "a" * limit
    assert api("GET", "/providers", params={name: text}).status_code == 200
    refused_naming(api("GET", "/providers", params={name: text + "x"}), name)


def test_a_place_name_of_120_characters_is_read_and_121_are_refused(api):
    answer = api("POST", "/matches", json=dict(MATCH, location={"place": "x" * 120}))
    refused_naming(answer, "location.place")  # read, and refused because no such place exists
    assert "not a Dutch place" in answer.json()["error"]["fields"]["location.place"][0]
    answer = api("POST", "/matches", json=dict(MATCH, location={"place": "x" * 121}))
    refused_naming(answer, "location.place")
    assert "not a Dutch place" not in answer.json()["error"]["fields"]["location.place"][0]


@pytest.mark.parametrize("field, limit", [("name", 200), ("description", 4000), ("organization", 200)])
def test_provider_texts_up_to_their_length_pass_and_longer_are_refused(api, field, limit):
    body = {"name": "Limit Test", "type": "legal", "services": ["legal"],
            "location": {"municipality": "Utrecht", "lat": 52.09, "lon": 5.12}, "capacity": {"available": 1, "maximum": 1}}
    made = api("POST", "/providers", "admin", json=dict(body, **{field: "x" * limit}))
    assert made.status_code == 201, made.text
    api("DELETE", f"/providers/{made.json()['id']}", "admin")
    refused_naming(api("POST", "/providers", "admin", json=dict(body, **{field: "x" * (limit + 1)})), field)


def test_a_provider_may_list_60_languages_and_61_are_refused(api):
    codes = CODES[:v.MAX_PROVIDER_LANGUAGES + 1]
    assert len(codes) == v.MAX_PROVIDER_LANGUAGES + 1
    body = {"name": "Many Tongues", "type": "interpreter", "services": ["interpreter"],
            "location": {"municipality": "Utrecht", "lat": 52.09, "lon": 5.12}, "capacity": {"available": 1, "maximum": 1}}
    made = api("POST", "/providers", "admin", json=dict(body, languages=codes[:-1]))
    assert made.status_code == 201, made.text
    api("DELETE", f"/providers/{made.json()['id']}", "admin")
    refused_naming(api("POST", "/providers", "admin", json=dict(body, languages=codes)), "languages")


def test_the_readme_limits_table_says_what_the_code_enforces():
    table = README.read_text(encoding="utf-8").split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", table, flags=re.MULTILINE))
    assert rows["request body"].startswith(f"{v.MAX_BODY_BYTES // (1024 * 1024)} MiB")
    assert rows["page size"] == str(v.MAX_PAGE_SIZE)
    assert rows["radius, maximum distance, area to avoid"] == f"{v.MAX_RADIUS_KM} km"
    assert rows["needs per match"] == str(v.MAX_NEEDS)
    assert rows["candidates per need in a match"].startswith(f"{v.MAX_CANDIDATES_PER_NEED} ")
    assert rows["languages of a person"] == str(v.MAX_LANGUAGES)
    assert rows["languages of a provider"] == str(v.MAX_PROVIDER_LANGUAGES)
    assert rows["areas to avoid"] == str(v.MAX_AVOID_AREAS)
    assert rows["people in a group placement"] == str(v.MAX_GROUP_SIZE)
    assert rows["case reference"].startswith(f"{v.MAX_CASE_REFERENCE} characters")
    assert rows["referral hold"].startswith(f"{v.MIN_HOLD_MINUTES} minutes to {v.MAX_HOLD_MINUTES // 60} hours")
