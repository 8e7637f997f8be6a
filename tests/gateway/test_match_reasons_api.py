"""Reasons through the public API over real HTTP: codes with parameters, and text in the language asked for."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest
import requests

from services.directory.demo import load_demo
from services.gateway import create_app as create_gateway
from services.shared.reasons import REASONS
from tests.gateway.conftest import API
from tests.gateway.servers import ServedApp

pytestmark = pytest.mark.integration

PLACES = ("Utrecht", "Amsterdam", "Groningen", "Maastricht", "Zwolle")
PROFILES = (
    {"languages": ["en"], "gender": "female", "age": 30},
    {"languages": ["ro", "bg"], "gender": "female", "age": 22, "exploitation_type": "sexual"},
    {"languages": ["ti"], "gender": "male", "age": 40, "exploitation_type": "labour", "max_distance_km": 15},
    {"languages": ["pl", "uk", "hu", "ar", "fa", "nl"], "gender": "male", "age": 35, "exploitation_type": "criminal",
     "avoid": [{"place": "Amersfoort", "radius_km": 30}]},
    {"languages": ["vi"], "gender": "non_binary", "age": 19, "exploitation_type": "other", "origin_country": "VN",
     "accompanying_children": True, "wheelchair": True},
    {"languages": ["ro"], "gender": "female", "age": 16, "residence_status": "asylum", "support_needs": ["pregnant"]},
)
NEEDS = ["shelter", "medical", "mental_health", "legal", "residence_status", "compensation", "interpreter",
         "repatriation"]
GROUP = {"need": "shelter", "people": [{"languages": ["ro"], "gender": "female", "age": 20,
                                        "location": {"place": "Middelburg"}, "max_distance_km": 40}] * 6}


@pytest.fixture(scope="module")
def api(stack):
    """The gateway served over HTTP in front of the stack with the demo providers, and a caseworker's token."""
    load_demo(stack.store, datetime.now(timezone.utc))
    app = create_gateway({"SETTINGS": stack.settings(), "AUTH_STORE": stack.auth_store, "WEB": False})
    served = ServedApp(app)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.issue('caseworker')}"
    yield served.url + API, session
    session.close()
    served.stop()
    app.extensions["haven_gateway"].close_clients()


def post(api, path: str, body: dict, language: str | None = None) -> requests.Response:
    url, session = api
    headers = {"Accept-Language": language} if language is not None else {}
    return session.post(url + path, json=body, headers=headers, timeout=30)


def reasons_in(answer: dict) -> list[dict]:
    found = [r for result in answer.get("results", []) for c in result["candidates"] for r in c["reasons"]]
    found += [item[key] for item in answer.get("unmet", []) for key in ("reason", "other_route") if item[key]]
    found += [r for item in answer.get("assignments", []) for r in item["reasons"]]
    found += [item["reason"] for item in answer.get("unassigned", [])]
    return found


@pytest.fixture(scope="module")
def spread(api) -> dict[str, list[dict]]:
    """Every reason the running services give for a spread of people, places and needs, in each language."""
    answers = {"en": [], "nl": []}
    for profile, place, include_stale in itertools.product(PROFILES, PLACES, (False, True)):
        body = {**profile, "needs": NEEDS, "location": {"place": place}, "include_stale": include_stale,
                "limit": 20}
        body.setdefault("origin_country", "RO")
        for language in answers:
            answer = post(api, "/matches", body, language)
            assert answer.status_code == 200, answer.text
            answers[language] += reasons_in(answer.json())
    for language in answers:
        answers[language] += reasons_in(post(api, "/matches/group", GROUP, language).json())
    return answers


def test_a_match_in_dutch_gives_codes_parameters_and_dutch_text(api):
    answer = post(api, "/matches", {"needs": ["shelter", "legal"], "languages": ["ro", "en"], "gender": "female",
                                     "age": 24, "location": {"place": "Utrecht"}}, "nl-NL,nl;q=0.9,en;q=0.5")

    assert answer.status_code == 200
    assert answer.headers["Content-Language"] == "nl"
    assert "Accept-Language" in answer.headers["Vary"]
    shelter = answer.json()["results"][0]["candidates"][0]
    assert all(set(r) == {"code", "params", "text"} for r in shelter["reasons"])
    staff = [r for r in shelter["reasons"] if r["code"].startswith("language.staff_speaks")]
    assert staff and staff[0]["text"].startswith("Medewerkers spreken ")
    assert staff[0]["params"]["language"] in ("ro", "en")


def test_without_accept_language_the_text_is_english(api):
    body = {"needs": ["legal"], "languages": ["ro"], "location": {"place": "Utrecht"}}

    plain, asked, other = post(api, "/matches", body), post(api, "/matches", body, "en"), post(api, "/matches", body, "de")
    british = post(api, "/matches", body, "en-GB,nl;q=0.9")

    assert plain.headers["Content-Language"] == other.headers["Content-Language"] == "en"
    assert british.headers["Content-Language"] == "en"
    assert plain.json() == asked.json() == other.json() == british.json()
    assert any(r["text"] == "Staff speak Romanian" for r in reasons_in(plain.json()))


def test_an_unmet_need_gives_its_reason_and_other_route_as_reasons(api):
    body = {"needs": ["shelter"], "languages": ["ti"], "gender": "male", "age": 15, "residence_status": "undocumented",
            "location": {"place": "Amsterdam"}}

    english, dutch = post(api, "/matches", body, "en").json(), post(api, "/matches", body, "nl").json()

    unmet_en, unmet_nl = english["unmet"][0], dutch["unmet"][0]
    assert unmet_en["need"] == "shelter" and unmet_en["blocked_by"] == unmet_nl["blocked_by"]
    assert set(unmet_en["reason"]) == {"code", "params", "text"}
    assert unmet_en["reason"]["code"] == unmet_nl["reason"]["code"]
    assert unmet_en["reason"]["params"]["need"] == "shelter"
    assert unmet_en["reason"]["text"].startswith("No shelter for this person: ")
    assert unmet_nl["reason"]["text"].startswith("Geen opvang voor deze persoon: ")
    assert unmet_en["other_route"]["code"] == unmet_nl["other_route"]["code"] == "route.guardianship"
    assert "guardianship organisation" in unmet_en["other_route"]["text"]
    assert "voogdij-instelling" in unmet_nl["other_route"]["text"]


def test_a_need_that_is_met_has_no_other_route_and_an_interpreter_need_names_the_language(api):
    body = {"needs": ["shelter"], "languages": ["ti"], "gender": "female", "location": {"place": "Utrecht"}}

    answer = post(api, "/matches", body, "nl").json()

    assert answer["interpreter_needed"][0]["language"] == "ti"
    assert answer["interpreter_needed"][0]["language_name"] == "Tigrinya"
    assert post(api, "/matches", {**body, "languages": ["uk"]}, "nl").json()["interpreter_needed"][0][
        "language_name"] == "Oekraïens"


def test_group_reasons_come_in_the_language_asked_for(api):
    english, dutch = post(api, "/matches/group", GROUP, "en").json(), post(api, "/matches/group", GROUP, "nl").json()

    assert [r["code"] for r in reasons_in(english)] == [r["code"] for r in reasons_in(dutch)]
    assert english["unassigned"], "the group is larger than the places near Middelburg"
    assert all(set(item["reason"]) == {"code", "params", "text"} for item in dutch["unassigned"])
    assert all(item["reason"]["text"] != english["unassigned"][i]["reason"]["text"]
               for i, item in enumerate(dutch["unassigned"]))


def test_bad_input_is_still_a_400_naming_the_field(api):
    answer = post(api, "/matches", {"needs": ["shelter"], "languages": ["ro"]}, "nl")

    assert answer.status_code == 400
    assert "location" in answer.json()["error"]["fields"]


def test_every_reason_the_services_give_has_dutch_and_english_text(spread):
    english, dutch = spread["en"], spread["nl"]

    assert [r["code"] for r in english] == [r["code"] for r in dutch]
    assert {r["code"] for r in english} <= set(REASONS)
    for en, nl in zip(english, dutch):
        assert en["params"] == nl["params"]
        assert en["text"] and nl["text"] and en["text"] != nl["text"], (en, nl)
        assert en["code"] not in (en["text"], nl["text"])


def test_the_spread_reaches_every_kind_of_reason(spread):
    kinds = {r["code"].split(".")[0] for r in spread["en"]}

    assert {"language", "interpreting", "distance", "freshness", "specialism", "support", "headroom", "unmet",
            "route", "group"} <= kinds
