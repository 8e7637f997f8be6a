"""Page forms to API bodies: what a caseworker types becomes the API's fields, or an error naming the field."""
from __future__ import annotations

import pytest

from werkzeug.datastructures import MultiDict

from services.gateway.web.forms import (api_field_errors, capacity_target, group_body, language_display, match_body,
                                        parse_languages, parse_point, provider_form_values, provider_record)


def form(**fields) -> MultiDict:
    items = []
    for name, value in fields.items():
        for one in (value if isinstance(value, list) else [value]):
            items.append((name, one))
    return MultiDict(items)


def test_languages_are_understood_as_codes_names_or_chosen_suggestions():
    codes, problem = parse_languages("Roemeens (ro), en, Bulgarian, pools, Tigrinya", "nl")
    assert problem is None
    assert codes == ["ro", "en", "bg", "pl", "ti"]


def test_an_unknown_language_is_named_in_the_error():
    codes, problem = parse_languages("ro, Elvish", "en")
    assert problem == "Unknown language: Elvish"


def test_language_display_round_trips_through_the_parser():
    text = language_display(["ro", "pcm", "uk"], "nl")
    assert text == "Roemeens (ro), Nigeriaans Pidgin (pcm), Oekraïens (uk)"
    assert parse_languages(text, "nl") == (["ro", "pcm", "uk"], None)


def test_a_point_is_a_place_name_or_coordinates():
    assert parse_point("Utrecht") == {"place": "Utrecht"}
    assert parse_point(" 52.09, 5.12 ") == {"lat": 52.09, "lon": 5.12}
    assert parse_point("52.09 5.12") == {"lat": 52.09, "lon": 5.12}
    assert parse_point("") is None


def test_the_match_form_becomes_the_match_body():
    parsed = match_body(form(needs=["shelter", "legal", "shelter"], languages="ro, en", gender="female", age="24",
                             place="Utrecht", accompanying_children="1", exploitation_type="sexual",
                             residence_status="reflection_period", origin_country="ro",
                             avoid_place=["Rotterdam", "", "52.37, 4.89"], avoid_radius=["20", "", "5,5"],
                             max_distance_km="80"), "en")
    assert parsed.ok, parsed.errors
    assert parsed.body == {
        "needs": ["shelter", "legal"], "languages": ["ro", "en"], "gender": "female", "age": 24,
        "location": {"place": "Utrecht"}, "accompanying_children": True, "wheelchair": False,
        "exploitation_type": "sexual", "residence_status": "reflection_period", "origin_country": "RO",
        "avoid": [{"place": "Rotterdam", "radius_km": 20.0}, {"lat": 52.37, "lon": 4.89, "radius_km": 5.5}],
        "max_distance_km": 80.0, "include_stale": False, "limit": 5}


def test_match_form_errors_name_each_field():
    parsed = match_body(form(languages="", place="Nowhere-on-earth", age="-1", gender="robot",
                             avoid_place=["Utrecht", ""], avoid_radius=["", "10"], needs=["repatriation"]), "en")
    assert set(parsed.errors) == {"languages", "place", "age", "gender", "avoid_radius_0", "avoid_place_1",
                                  "origin_country"}


def test_group_form_skips_empty_rows_and_shares_place_and_areas_to_avoid():
    parsed, rows = group_body(form(need="shelter", place="Utrecht", rows="3", avoid_place=["Rotterdam"],
                                   avoid_radius=["15"], p0_languages="ro", p0_gender="female", p0_age="19",
                                   p2_languages="pl", p2_wheelchair="1"), "en")
    assert parsed.ok, parsed.errors
    assert rows == [0, 2]
    first, second = parsed.body["people"]
    assert first["location"] == second["location"] == {"place": "Utrecht"}
    assert first["avoid"] == second["avoid"] == [{"place": "Rotterdam", "radius_km": 15.0}]
    assert (first["age"], second["wheelchair"]) == (19, True)


def test_group_form_needs_a_person_and_a_return_country_for_repatriation():
    parsed, _ = group_body(form(need="repatriation", place="Utrecht", rows="2"), "en")
    assert "p0_languages" in parsed.errors
    parsed, _ = group_body(form(need="repatriation", place="Utrecht", rows="2", p1_languages="ro"), "en")
    assert "p1_origin_country" in parsed.errors


def test_api_field_names_map_to_form_fields():
    assert api_field_errors({"location.place": ["unknown"], "avoid.1.radius_km": ["too big"],
                             "people.2.age": ["bad"], "needs": ["x", "y"]}, "en") == {
        "place": "unknown", "avoid_radius_1": "too big", "p2_age": "bad", "needs": "x; y"}


def test_the_provider_form_round_trips_a_stored_provider():
    from tests.support.factories import provider

    stored = provider(location={"confidential": True}, eligibility={"countries": ["RO", "BG"]})
    parsed = provider_record(MultiDict([(k, v) for k, values in _flat(provider_form_values(stored)).items()
                                        for v in values]), "en")
    assert parsed.ok, parsed.errors
    for key in ("name", "type", "services", "languages", "hold_minutes", "status"):
        assert parsed.body[key] == stored[key]
    assert parsed.body["location"]["confidential"] is True
    assert parsed.body["eligibility"]["countries"] == ["RO", "BG"]
    assert parsed.body["capacity"]["available"] == stored["capacity"]["available"]


def _flat(values: dict) -> dict[str, list[str]]:
    flat = {}
    for key, value in values.items():
        if isinstance(value, bool):
            flat[key] = ["1"] if value else []
        elif isinstance(value, list):
            flat[key] = [str(v) for v in value]
        else:
            flat[key] = [str(value)]
    return flat


def test_the_provider_form_refuses_more_free_than_the_maximum():
    parsed = provider_record(form(name="X", type="shelter", services="shelter", municipality="Zwolle", lat="52.5",
                                  lon="6.1", genders="female", available="7", maximum="5"), "en")
    assert parsed.errors == {"available": "Must not be above the maximum"}


@pytest.mark.parametrize("name, value", [("name", "Huis\u202egnp.exe"), ("address", "Straat\x001"),
                                         ("description", "Regel\x1b[2J"), ("intake_hours", "ma-vr\n24/7")])
def test_the_provider_form_refuses_control_and_direction_characters_by_field(name, value):
    fields = dict(name="X", type="shelter", services="shelter", municipality="Zwolle", lat="52.5", lon="6.1",
                  genders="female", available="1", maximum="5")
    parsed = provider_record(form(**{**fields, name: value}), "en")
    assert parsed.errors == {name: "Remove control characters and text-direction marks"}


def test_the_provider_form_keeps_line_breaks_in_the_description():
    parsed = provider_record(form(name="X", type="shelter", services="shelter", municipality="Zwolle", lat="52.5",
                                  lon="6.1", genders="female", available="1", maximum="5",
                                  description="Eerste regel.\r\nTweede regel."), "en")
    assert parsed.ok


def test_capacity_buttons_stay_between_zero_and_the_maximum():
    assert capacity_target(form(action="increment"), 3, 10) == 4
    assert capacity_target(form(action="increment"), 10, 10) == 10
    assert capacity_target(form(action="decrement"), 0, 10) == 0
    assert capacity_target(form(action="confirm"), 6, 10) == 6
    assert capacity_target(form(action="set", available="8"), 3, 10) == 8
    assert capacity_target(form(action="set", available="11"), 3, 10) is None
    assert capacity_target(form(action="set", available="many"), 3, 10) is None


@pytest.mark.parametrize("locale, text, label", [
    ("nl", "Meer plaatsen heten zo; kies er een:", "Den Hoorn, Midden-Delfland"),
    ("en", "Several places have this name; choose one:", "Den Hoorn, Texel")])
def test_a_shared_place_name_is_an_error_carrying_its_choices(locale, text, label):
    parsed = match_body(form(needs="shelter", languages="ro", place="Den Hoorn",
                             avoid_place=["Zevenhuizen"], avoid_radius=["5"]), locale)
    assert parsed.errors["place"] == text
    assert label in [choice["value"] for choice in parsed.errors["place"].choices]
    assert {choice["municipality"] for choice in parsed.errors["avoid_place_0"].choices} >= {"Zuidplas",
                                                                                             "Westerkwartier"}
    chosen = match_body(form(needs="shelter", languages="ro", place=label), locale)
    assert "place" not in chosen.errors
    assert chosen.body["location"] == {"place": label}
