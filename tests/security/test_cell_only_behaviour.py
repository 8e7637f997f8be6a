"""A confidential shelter is its public cell in behaviour too: nothing a caseworker can ask depends on where in
the cell it really is, an area to avoid that touches the cell keeps it out, and shrinking circles around it
learn the cell and nothing more. Real directory and matcher over HTTP, on each store.
"""
from __future__ import annotations

import math

import pytest

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.gateway import create_app as create_gateway
from services.gateway.auth.sqlite import SqliteAuthStore
from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from services.shared.geo import KM_PER_DEGREE_LAT, Area, cell_of, coarsen, distance_km
from tests.gateway.conftest import SECRET, ApiClient, Stack
from tests.gateway.servers import ServedApp
from tests.support.factories import provider
from tests.support.havens import directory_store

pytestmark = pytest.mark.integration

# A cell in Utrecht province, and two points of it far apart: near its south-west and north-east corners.
CELL = cell_of(52.10, 5.20)
CORNER_SW = (CELL.box.min_lat + 0.002, CELL.box.min_lon + 0.003)
CORNER_NE = (CELL.box.max_lat - 0.002, CELL.box.max_lon - 0.003)
PERSON = {"lat": 52.0907, "lon": 5.1214}  # Utrecht centre, about 6 km away


@pytest.fixture(params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def haven(request, tmp_path):
    """A gateway (in process) in front of a real directory and matcher over HTTP, on the store asked for."""
    with directory_store(request.param, tmp_path) as store:
        # The store is handed over built; the URL only names it.
        directory = ServedApp(create_directory({
            "SETTINGS": DirectorySettings(store_url=f"sqlite:///{tmp_path / 'haven.db'}", internal_secret=SECRET),
            "STORE": store}))
        matcher_app = create_matcher({"SETTINGS": MatcherSettings(directory_url=directory.url,
                                                                  internal_secret=SECRET)})
        matcher = ServedApp(matcher_app)
        auth = SqliteAuthStore(tmp_path / "auth.db")
        stack = Stack(folder=tmp_path, store=store, auth_store=auth, directory_url=directory.url,
                      matcher_url=matcher.url)
        gateway = create_gateway({"SETTINGS": stack.settings(), "AUTH_STORE": auth, "WEB": False})
        try:
            yield Haven(ApiClient(gateway, stack.issue("admin")), ApiClient(gateway, stack.issue("caseworker")))
        finally:
            gateway.extensions["haven_gateway"].close_clients()
            matcher.stop()
            matcher_app.extensions["haven"].directory.session.close()
            directory.stop()
            auth.close()


class Haven:
    def __init__(self, admin: ApiClient, caseworker: ApiClient):
        self.admin = admin
        self.caseworker = caseworker
        self.requests = 0

    def add_secret_shelter(self, point: tuple[float, float]) -> dict:
        record = provider(name="Schuilhuis", services=["shelter"], location={
            "municipality": "Utrecht", "region": "Utrecht", "lat": point[0], "lon": point[1],
            "confidential": True, "address": "Verborgen Laan 1", "postal_code": "3500 AA"})
        answer = self.admin.post("/providers", json=record)
        assert answer.status_code == 201, answer.json
        return record

    def move(self, record: dict, point: tuple[float, float]) -> None:
        moved = dict(record, location=dict(record["location"], lat=point[0], lon=point[1]))
        answer = self.admin.put(f"/providers/{record['id']}", json=moved)
        assert answer.status_code == 200, answer.json

    def match(self, **body) -> dict:
        self.requests += 1
        answer = self.caseworker.post("/matches", json={"needs": ["shelter"], "languages": ["nl"],
                                                        "location": PERSON, "limit": 20, **body})
        assert answer.status_code == 200, answer.json
        return answer.json

    def offered(self, shelter_id: str, avoid: list[dict]) -> bool:
        shelters = self.match(avoid=avoid)["results"][0]["candidates"]
        return any(candidate["provider"]["id"] == shelter_id for candidate in shelters)


def questions(shelter_point: tuple[float, float]) -> list[tuple[str, str, dict | None]]:
    """Searches, matches and group placements aimed at the shelter, with circles crossing its cell."""
    box = CELL.box
    around = [(box.min_lat - 0.01, box.min_lon - 0.01), (box.max_lat + 0.003, box.max_lon + 0.004),
              (box.min_lat + 0.01, box.min_lon + 0.02), coarsen(*shelter_point)]
    calls: list[tuple[str, str, dict | None]] = []
    for lat, lon in around:
        for radius in (0.3, 1.0, 2.0, 3.5, 6.0):
            avoid = [{"lat": lat, "lon": lon, "radius_km": radius}]
            calls.append(("POST", "/matches", {"needs": ["shelter"], "languages": ["nl"], "location": PERSON,
                                               "avoid": avoid, "limit": 20}))
            calls.append(("POST", "/matches/group", {"need": "shelter", "people": [
                {"languages": ["nl"], "location": PERSON, "avoid": avoid}]}))
            calls.append(("GET", f"/providers?near={lat},{lon}&radius_km={radius}&size=100", None))
        for distance in (3.0, 5.0, 8.0):
            calls.append(("POST", "/matches", {"needs": ["shelter"], "languages": ["nl"],
                                               "location": {"lat": lat, "lon": lon}, "max_distance_km": distance}))
            # A care plan weighs the shelter with the care reachable from it, and ranks care from the chosen one.
            calls.append(("POST", "/matches", {"needs": ["shelter", "medical", "legal"], "languages": ["nl"],
                                               "location": {"lat": lat, "lon": lon}, "max_distance_km": distance}))
    return calls


def _answers(haven: Haven, calls) -> list:
    seen = []
    for method, path, body in calls:
        answer = haven.caseworker.open(method, path, json=body)
        assert answer.status_code == 200, (path, answer.json)
        seen.append(_stable(answer.json))
    return seen


def _stable(value):
    """An answer without what changes by itself between two asks (capacity age, modification times)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("age_hours", "last_modified", "updated", "as_of")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_no_search_match_or_group_answer_depends_on_where_in_its_cell_a_secret_shelter_is(haven):
    shelter = haven.add_secret_shelter(CORNER_SW)
    calls = questions(CORNER_SW)
    before = _answers(haven, calls)
    assert any(str(answer).count(shelter["id"]) for answer in before), "the shelter never showed: a vacuous test"
    assert any(shelter["id"] not in str(answer) for answer in before), "no circle kept it out: a vacuous test"
    assert any((answer.get("care_plan") or {}).get("anchor_provider_id") == shelter["id"]
               and len(answer["results"]) > 1 for answer in before), "it never anchored a care plan: a vacuous test"

    haven.move(shelter, CORNER_NE)

    assert _answers(haven, calls) == before


def test_an_area_to_avoid_touching_only_the_edge_of_the_cell_keeps_the_shelter_out(haven):
    shelter = haven.add_secret_shelter(CORNER_NE)
    box = CELL.box
    # South-west of the cell, its edge 300 m inside the cell's corner: neither the exact point (north-east)
    # nor the public point (the centre) is in it.
    corner = (box.min_lat, box.min_lon)
    centre = (corner[0] - 1.0 / KM_PER_DEGREE_LAT, corner[1] - 1.0 / (KM_PER_DEGREE_LAT * math.cos(math.radians(52))))
    radius = distance_km(*centre, *corner) + 0.3
    area = Area(*centre, radius)
    assert not area.contains(*CORNER_NE) and not area.contains(*coarsen(*CORNER_NE))
    avoid = [{"lat": centre[0], "lon": centre[1], "radius_km": radius}]

    assert haven.offered(shelter["id"], [])
    assert not haven.offered(shelter["id"], avoid)
    group = haven.caseworker.post("/matches/group", json={"need": "shelter", "people": [
        {"languages": ["nl"], "location": PERSON, "avoid": avoid}]})
    assert shelter["id"] not in str(group.json)


def locate(haven: Haven, shelter_id: str, centres: list[tuple[float, float]], *, precision_km: float = 0.001):
    """The attack: from each centre, the largest avoid radius that still leaves the shelter offered."""
    radii = []
    for centre in centres:
        low, high = 0.0, 30.0  # offered with a circle of `low`, not with one of `high`
        while high - low > precision_km:
            middle = (low + high) / 2
            if haven.offered(shelter_id, [{"lat": centre[0], "lon": centre[1], "radius_km": middle}]):
                low = middle
            else:
                high = middle
        radii.append(round(high, 3))
    return radii


def test_shrinking_circles_from_three_centres_learn_the_cell_and_nothing_more(haven, capsys):
    centres = [(52.20, 5.05), (52.00, 5.15), (52.16, 5.40)]
    shelter = haven.add_secret_shelter(CORNER_SW)
    found_sw = locate(haven, shelter["id"], centres)
    asked = haven.requests
    haven.move(shelter, CORNER_NE)
    found_ne = locate(haven, shelter["id"], centres)

    # Each radius is the distance to the nearest point of the cell: the same wherever the shelter is in it.
    assert found_sw == found_ne
    for centre, radius in zip(centres, found_sw):
        nearest = distance_km(*centre, *CELL.box.nearest_to(*centre))
        assert abs(radius - nearest) <= 0.002
    with capsys.disabled():
        print(f"\nlocating attack: {asked} match requests; every radius ends at the cell's edge, "
              f"{min(distance_km(*c, *CORNER_SW) - r for c, r in zip(centres, found_sw)):.2f} km or more "
              f"short of the shelter")
