"""GET /providers: every filter through the query string, the HSDS envelope and distances."""
from __future__ import annotations

import pytest

from services.shared.geo import distance_km
from services.shared.places import resolve_place
from tests.directory.api_support import field_errors

DEN_HAAG = (52.0767, 4.2986)
DEN_BOSCH = (51.6992, 5.3042)
GRONINGEN = (53.2194, 6.5665)


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["contents"]]


def located(point, municipality="Ergens"):
    return {"lat": point[0], "lon": point[1], "municipality": municipality, "region": ""}


@pytest.fixture
def spread(create_provider):
    """Providers that differ in one attribute each."""
    create_provider(name="Haags Huis", type="shelter", services=["shelter"], languages=["nl", "ro"],
                    description="Opvang voor vrouwen, coördinatie van zorg",
                    eligibility={"genders": ["female"], "min_age": 18, "max_age": 30},
                    location=located(DEN_HAAG, "Den Haag"), capacity={"available": 2})
    create_provider(name="Bossche Advocaten", type="legal", services=["legal", "compensation"],
                    languages=["nl", "en"], interpretation_languages=["ti"],
                    description="Legal help for victims of trafficking",
                    eligibility={"genders": ["female", "male"], "min_age": 0, "max_age": 120},
                    location=located(DEN_BOSCH, "'s-Hertogenbosch"), capacity={"available": 0})
    create_provider(name="Gronings Medisch", type="medical", services=["medical"], languages=["nl", "pl"],
                    description="Medische zorg",
                    eligibility={"genders": ["male", "non_binary"], "min_age": 16, "max_age": 65},
                    location=located(GRONINGEN, "Groningen"), capacity={"available": 5})
    create_provider(name="Gesloten Huis", status="inactive", location=located(DEN_HAAG, "Den Haag"))


def test_no_filter_lists_active_providers_by_name(caseworker, spread):
    assert names(caseworker.get("/providers")) == ["Bossche Advocaten", "Gronings Medisch", "Haags Huis"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "coordinatie"}, ["Haags Huis"]),
    ({"q": "coördinatie"}, ["Haags Huis"]),
    ({"q": "victims trafficking"}, ["Bossche Advocaten"]),
    ({"q": "zorg"}, ["Gronings Medisch", "Haags Huis"]),
    ({"type": "legal"}, ["Bossche Advocaten"]),
    ({"type": ["legal", "medical"]}, ["Bossche Advocaten", "Gronings Medisch"]),
    ({"need": "compensation"}, ["Bossche Advocaten"]),
    ({"language": "ro"}, ["Haags Huis"]),
    ({"language": "ti"}, ["Bossche Advocaten"]),
    ({"language": "nl"}, ["Bossche Advocaten", "Gronings Medisch", "Haags Huis"]),
    ({"gender": "non_binary"}, ["Gronings Medisch"]),
    ({"gender": "female"}, ["Bossche Advocaten", "Haags Huis"]),
    ({"age": 17}, ["Bossche Advocaten", "Gronings Medisch"]),
    ({"age": 70}, ["Bossche Advocaten"]),
    ({"available": "true"}, ["Gronings Medisch", "Haags Huis"]),
    ({"available": "false"}, ["Bossche Advocaten", "Gronings Medisch", "Haags Huis"]),
    ({"near": "52.0767,4.2986", "radius_km": 10}, ["Haags Huis"]),
    ({"near": "Den Haag", "radius_km": 10}, ["Haags Huis"]),
    ({"near": "'s-Hertogenbosch", "radius_km": 10}, ["Bossche Advocaten"]),
    ({"near": "Den Bosch", "radius_km": 10}, ["Bossche Advocaten"]),
    ({"near": "Utrecht", "radius_km": 90}, ["Bossche Advocaten", "Haags Huis"]),
    ({"near": "Den Haag"}, ["Haags Huis", "Bossche Advocaten", "Gronings Medisch"]),
    ({"need": "shelter", "language": "ro", "gender": "female", "age": 25, "available": "true",
      "near": "Den Haag", "radius_km": 5, "q": "vrouwen"}, ["Haags Huis"]),
])
def test_each_filter_in_the_query_string_narrows_the_search(caseworker, spread, params, expected):
    assert names(caseworker.get("/providers", **params)) == expected


def test_admins_can_include_inactive_providers(admin, spread):
    assert "Gesloten Huis" in names(admin.get("/providers", include_inactive="true"))
    assert "Gesloten Huis" not in names(admin.get("/providers"))


def test_caseworkers_cannot_list_inactive_providers(caseworker, spread):
    response = caseworker.get("/providers", include_inactive="true")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_near_as_a_place_name_and_as_coordinates_give_the_same_distances(caseworker, spread):
    place = resolve_place("Den Haag")
    by_name = caseworker.get("/providers", near="Den Haag").json["contents"]
    by_point = caseworker.get("/providers", near=f"{place.lat},{place.lon}").json["contents"]
    assert [(p["id"], p["distance_km"]) for p in by_name] == [(p["id"], p["distance_km"]) for p in by_point]


def test_distance_km_is_on_each_item_with_near_and_absent_without(caseworker, spread):
    with_near = caseworker.get("/providers", near="Den Haag").json["contents"]
    assert [item["distance_km"] for item in with_near][0] == pytest.approx(0.0, abs=0.1)
    den_haag = resolve_place("Den Haag")
    assert with_near[1]["distance_km"] == round(distance_km(den_haag.lat, den_haag.lon, *DEN_BOSCH), 1)
    assert all(isinstance(item["distance_km"], float) for item in with_near)
    assert all("distance_km" not in item for item in caseworker.get("/providers").json["contents"])


def test_the_hsds_page_envelope_describes_the_page(caseworker, create_provider):
    for n in range(7):
        create_provider(name=f"Huis {n}")
    first = caseworker.get("/providers", size=3).json
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 7, "total_pages": 3, "page_number": 1, "size": 3,
        "first_page": True, "last_page": False, "empty": False}
    last = caseworker.get("/providers", size=3, page=3).json
    assert (last["page_number"], last["first_page"], last["last_page"], len(last["contents"])) == (3, False, True, 1)
    beyond = caseworker.get("/providers", size=3, page=4).json
    assert (beyond["empty"], beyond["contents"], beyond["total_items"]) == (True, [], 7)


def test_an_empty_search_is_an_empty_page(caseworker):
    page = caseworker.get("/providers", q="niets").json
    assert page == {"total_items": 0, "total_pages": 0, "page_number": 1, "size": 20, "first_page": True,
                    "last_page": True, "empty": True, "contents": []}


def test_pages_hold_every_provider_once(caseworker, create_provider):
    created = {create_provider(name=f"Huis {n % 3}")["id"] for n in range(11)}
    seen = [item["id"] for page in (1, 2, 3) for item in caseworker.get("/providers", size=4, page=page).json["contents"]]
    assert sorted(seen) == sorted(created)


def test_an_item_carries_the_provider_record_shape(caseworker, create_provider):
    create_provider()
    [item] = caseworker.get("/providers").json["contents"]
    assert {"id", "name", "organization", "type", "description", "services", "languages", "location",
            "eligibility", "capacity", "contact", "status", "last_modified"} <= set(item)
    assert {"available", "maximum", "unit", "updated", "held", "free", "age_hours", "stale"} <= set(item["capacity"])


# -- bad queries -----------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "field"), [
    ({"near": "Atlantis"}, "near"),
    ({"near": "91,5"}, "near"),
    ({"near": "52,181"}, "near"),
    ({"near": "x" * 121}, "near"),
    ({"radius_km": 10}, "radius_km"),
    ({"near": "Den Haag", "radius_km": 0}, "radius_km"),
    ({"near": "Den Haag", "radius_km": 501}, "radius_km"),
    ({"near": "Den Haag", "radius_km": "far"}, "radius_km"),
    ({"size": 101}, "size"),
    ({"size": 0}, "size"),
    ({"page": 0}, "page"),
    ({"type": "hotel"}, "type.0"),
    ({"need": "housing"}, "need"),
    ({"language": "english"}, "language"),
    ({"language": "zz"}, "language"),
    ({"gender": "woman"}, "gender"),
    ({"age": -1}, "age"),
    ({"age": "old"}, "age"),
    ({"available": "maybe"}, "available"),
    ({"q": ""}, "q"),
])
def test_a_bad_query_is_refused_naming_the_parameter(caseworker, params, field):
    assert field in field_errors(caseworker.get("/providers", **params))


@pytest.mark.parametrize("param", ["langauge", "lang", "radius", "sort"])
def test_an_unknown_query_parameter_is_refused_not_ignored(caseworker, create_provider, param):
    create_provider(languages=["nl"])
    assert param in field_errors(caseworker.get("/providers", **{param: "ro"}))


def test_an_unknown_place_is_named_in_the_error(caseworker):
    response = caseworker.get("/providers", near="Atlantis")
    assert "Atlantis" in field_errors(response)["near"][0]
