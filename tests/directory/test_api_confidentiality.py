"""Confidential locations: only admins see the street address and exact point, in every answer."""
from __future__ import annotations

import json
import logging

import pytest

from services.shared.geo import CELL_LAT_STEP, CELL_LON_STEP, coarsen, distance_km
from tests.directory.api_support import HIDDEN_ADDRESS, HIDDEN_POINT

COARSE_POINT = coarsen(*HIDDEN_POINT)
PROBE = (52.3676, 4.9041)  # Amsterdam, about 30 km away


def on_grid(lat: float, lon: float) -> bool:
    """True when the point is the centre of a ~5 km cell."""
    lat_cells = (lat - CELL_LAT_STEP / 2) / CELL_LAT_STEP
    lon_cells = (lon - CELL_LON_STEP / 2) / CELL_LON_STEP
    return abs(lat_cells - round(lat_cells)) < 1e-6 and abs(lon_cells - round(lon_cells)) < 1e-6


def assert_coarse(view: dict) -> None:
    location = view["location"]
    assert (location["lat"], location["lon"]) == COARSE_POINT
    assert on_grid(location["lat"], location["lon"])
    assert location["address"] is None
    assert location["postal_code"] is None
    assert location["precision_km"] == 5
    assert (location["municipality"], location["region"]) == ("Utrecht", "Utrecht")
    # Nothing of the exact place anywhere in the item, under any key.
    text = json.dumps(view)
    assert HIDDEN_ADDRESS not in text and "3512 ZZ" not in text
    assert str(HIDDEN_POINT[0]) not in text and str(HIDDEN_POINT[1]) not in text


def assert_exact(view: dict) -> None:
    location = view["location"]
    assert (location["lat"], location["lon"]) == HIDDEN_POINT
    assert location["address"] == HIDDEN_ADDRESS
    assert location["postal_code"] == "3512 ZZ"
    assert location["precision_km"] == 0


def test_the_hidden_point_lies_far_enough_from_its_cell_centre_to_tell_them_apart():
    assert distance_km(*HIDDEN_POINT, *COARSE_POINT) > 2.5


# -- get -------------------------------------------------------------------------------------

def test_an_admin_sees_the_exact_address_and_point(admin, hidden_shelter):
    assert_exact(admin.get(f"/providers/{hidden_shelter['id']}").json)
    assert_exact(hidden_shelter)


def test_a_caseworker_sees_only_the_coarse_cell(caseworker, hidden_shelter):
    assert_coarse(caseworker.get(f"/providers/{hidden_shelter['id']}").json)


def test_even_the_owning_provider_sees_only_the_coarse_cell(as_provider, hidden_shelter):
    response = as_provider(hidden_shelter["id"]).get(f"/providers/{hidden_shelter['id']}")
    assert response.status_code == 200
    assert_coarse(response.json)


def test_a_provider_that_is_not_confidential_shows_its_address_to_everyone(caseworker, create_provider):
    public = create_provider(location={"address": "Open Straat 1", "lat": 52.1, "lon": 5.2, "confidential": False})
    location = caseworker.get(f"/providers/{public['id']}").json["location"]
    assert (location["address"], location["lat"], location["lon"], location["precision_km"]) == (
        "Open Straat 1", 52.1, 5.2, 0)


# -- search ----------------------------------------------------------------------------------

def test_search_shows_a_caseworker_the_coarse_cell_and_the_coarse_distance(caseworker, hidden_shelter):
    [item] = caseworker.get("/providers", near=f"{PROBE[0]},{PROBE[1]}").json["contents"]
    assert_coarse(item)
    assert item["distance_km"] == round(distance_km(*COARSE_POINT, *PROBE), 1)
    assert item["distance_km"] != round(distance_km(*HIDDEN_POINT, *PROBE), 1)


def test_search_shows_an_admin_the_exact_place_but_the_same_public_distance(admin, hidden_shelter):
    [item] = admin.get("/providers", near=f"{PROBE[0]},{PROBE[1]}").json["contents"]
    assert_exact(item)
    assert item["distance_km"] == round(distance_km(*COARSE_POINT, *PROBE), 1)


def test_a_radius_around_the_exact_point_does_not_find_the_shelter(caseworker, hidden_shelter):
    near_exact = caseworker.get("/providers", near=f"{HIDDEN_POINT[0]},{HIDDEN_POINT[1]}", radius_km=1)
    assert near_exact.json["total_items"] == 0
    near_cell = caseworker.get("/providers", near=f"{COARSE_POINT[0]},{COARSE_POINT[1]}", radius_km=1)
    assert near_cell.json["total_items"] == 1


def test_text_search_on_the_street_name_reveals_nothing(caseworker, hidden_shelter):
    assert caseworker.get("/providers", q="Geheimstraat").json["total_items"] == 0


# -- candidates ------------------------------------------------------------------------------

def test_candidates_show_a_caseworker_the_coarse_cell_and_distance(caseworker, hidden_shelter):
    response = caseworker.post("/candidates", {"need": "shelter", "lat": PROBE[0], "lon": PROBE[1]})
    [candidate] = response.json["candidates"]
    assert_coarse(candidate)
    assert candidate["distance_km"] == round(distance_km(*COARSE_POINT, *PROBE), 1)


def test_a_candidate_batch_shows_a_caseworker_the_coarse_cell_in_every_list(caseworker, hidden_shelter):
    query = {"need": "shelter", "lat": PROBE[0], "lon": PROBE[1]}
    answer = caseworker.post("/candidates/batch", {"queries": [query, {**query, "need": "medical"}, query]})
    first, medical, last = answer.json["results"]
    assert medical["candidates"] == []
    for result in (first, last):
        [candidate] = result["candidates"]
        assert_coarse(candidate)
    assert HIDDEN_ADDRESS not in answer.get_data(as_text=True)


def test_candidates_show_an_admin_the_exact_place(admin, hidden_shelter):
    [candidate] = admin.post("/candidates", {"need": "shelter", "lat": PROBE[0], "lon": PROBE[1]}).json["candidates"]
    assert_exact(candidate)


# -- writes by the owner, and logs -----------------------------------------------------------

def test_a_capacity_report_answers_the_owner_with_the_coarse_cell(as_provider, hidden_shelter):
    response = as_provider(hidden_shelter["id"]).put(f"/providers/{hidden_shelter['id']}/capacity", {"available": 1})
    assert response.status_code == 200
    assert_coarse(response.json)


def test_an_error_for_the_owner_does_not_mention_the_address(as_provider, hidden_shelter):
    response = as_provider(hidden_shelter["id"]).put(f"/providers/{hidden_shelter['id']}/capacity", {"available": 99})
    assert response.status_code == 400
    assert HIDDEN_ADDRESS not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["caseworker", "provider"])
def test_log_lines_never_carry_the_address_or_exact_point(admin, hidden_shelter, caplog, role):
    client = admin.as_role(role, provider_ids=(hidden_shelter["id"],))
    with caplog.at_level(logging.DEBUG):
        client.get(f"/providers/{hidden_shelter['id']}")
        client.get("/providers", near="Utrecht", radius_km=20)
        client.put(f"/providers/{hidden_shelter['id']}/capacity", {"available": 2})
        client.post("/candidates", {"need": "shelter", "lat": 52.09, "lon": 5.12})
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records
    assert HIDDEN_ADDRESS not in logged
    assert str(HIDDEN_POINT[0]) not in logged
