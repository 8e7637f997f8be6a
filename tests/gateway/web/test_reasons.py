"""The matcher's reasons, exactly as the running matcher writes them, all read in Dutch on Dutch pages."""
from __future__ import annotations

import itertools

import pytest

from services.gateway.web.reasons import is_known, translate_reason
from services.shared.signing import Claims

PLACES = ("Utrecht", "Amsterdam", "Groningen", "Maastricht", "Zwolle")
PROFILES = (
    {"languages": ["en"], "gender": "female", "age": 30},
    {"languages": ["ro", "bg"], "gender": "female", "age": 22, "exploitation_type": "sexual"},
    {"languages": ["ti"], "gender": "male", "age": 40, "exploitation_type": "labour", "max_distance_km": 15},
    {"languages": ["pl", "uk", "hu", "ar", "fa", "nl"], "gender": "male", "age": 35, "exploitation_type": "criminal",
     "avoid": [{"place": "Amersfoort", "radius_km": 30}]},
    {"languages": ["vi"], "gender": "non_binary", "age": 19, "exploitation_type": "other", "origin_country": "VN",
     "accompanying_children": True, "wheelchair": True},
)
NEEDS = ["shelter", "medical", "mental_health", "legal", "residence_status", "compensation", "interpreter",
         "repatriation"]


@pytest.fixture(scope="module")
def matcher_reasons(stack_for_reasons) -> list[str]:
    """Every reason the running matcher gives for a spread of people, places and needs."""
    matcher, claims = stack_for_reasons
    reasons = set()
    for profile, place, include_stale in itertools.product(PROFILES, PLACES, (False, True)):
        body = {**profile, "needs": NEEDS, "location": {"place": place}, "include_stale": include_stale, "limit": 20}
        body.setdefault("origin_country", "RO")
        answer = matcher.request("POST", "/matches", claims, json_body=body)
        assert answer.status_code == 200, answer.text
        data = answer.json()
        reasons |= {r for result in data["results"] for c in result["candidates"] for r in c["reasons"]}
        reasons |= {item["reason"] for item in data["unmet"]}
    group = {"need": "shelter", "people": [{"languages": ["ro"], "gender": "female", "age": 20,
                                            "location": {"place": "Middelburg"}, "max_distance_km": 40}] * 6}
    answer = matcher.request("POST", "/matches/group", claims, json_body=group).json()
    reasons |= {r for item in answer["assignments"] for r in item["reasons"]}
    reasons |= {item["reason"] for item in answer["unassigned"]}
    return sorted(reasons)


@pytest.fixture(scope="module")
def stack_for_reasons(demo_stack):
    from services.shared.http import ServiceClient
    from tests.gateway.conftest import SECRET

    client = ServiceClient("matcher", demo_stack.matcher_url, SECRET)
    yield client, Claims(role="caseworker", subject="test:reasons")
    client.session.close()


def test_the_spread_reaches_every_kind_of_reason(matcher_reasons):
    starts = ("Staff speak", "Interpreter needed", "km away", "km from the shelter", "Capacity confirmed",
              "Capacity not confirmed", "Specialised in", "No specialism", "free", "No ")
    for start in starts:
        assert any(start in reason for reason in matcher_reasons), start


def test_every_reason_the_matcher_gives_has_a_dutch_wording(matcher_reasons):
    unknown = [reason for reason in matcher_reasons if not is_known(reason)]
    assert not unknown
    assert all(translate_reason(reason, "nl") != reason for reason in matcher_reasons)


def test_english_pages_show_the_matchers_words_unchanged():
    assert translate_reason("Staff speak Romanian", "en") == "Staff speak Romanian"


def test_dutch_reasons_use_dutch_names_and_decimal_commas():
    assert translate_reason("Staff speak Romanian (the person's second language)", "nl") == (
        "Medewerkers spreken Roemeens (tweede taal van de persoon)")
    assert translate_reason("About 3.2 km from the shelter", "nl") == "Ongeveer 3,2 km van de opvang"
    assert translate_reason("No return organisation with free capacity serves Romania", "nl") == (
        "Geen terugkeerorganisatie met vrije capaciteit werkt voor Roemenië")
    assert translate_reason("Room for 1 more case", "nl") == "Ruimte voor nog 1 zaak"
    assert translate_reason("3 beds free", "nl") == "3 bedden vrij"


def test_an_unknown_wording_is_shown_as_it_came():
    assert translate_reason("A reason nobody wrote a pattern for", "nl") == "A reason nobody wrote a pattern for"
