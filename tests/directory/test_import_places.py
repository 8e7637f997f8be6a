"""Provider imports place a record without coordinates by its municipality, as the gazetteer resolves it:
a municipality name is the municipality, a name several municipalities' places share is a problem naming
the choices, never a guess."""
from __future__ import annotations

import pytest

from services.directory.importing.checking import Checker, Problem
from services.directory.importing.geocoding import CachedGeocoder, GazetteerGeocoder, GeocodeCache
from services.directory.importing.sources import Row
from services.shared.places import resolve_place


def _row(municipality: str) -> Row:
    return Row("line 2", data={"name": "Hulp", "type": "legal", "services": ["legal"],
                               "location": {"municipality": municipality},
                               "capacity": {"available": 1, "maximum": 1}})


@pytest.mark.parametrize("municipality, province", [
    ("Westland", "Zuid-Holland"), ("Súdwest-Fryslân", "Friesland"), ("Hengelo", "Overijssel"),
    ("Bergen (L)", "Limburg"), ("Den Hoorn, Midden-Delfland", "Zuid-Holland")])
def test_a_municipality_or_chosen_place_is_located(municipality, province):
    result = Checker(GazetteerGeocoder()).check(_row(municipality))
    assert not isinstance(result, list), result
    place = resolve_place(municipality, municipality_first=True)
    assert (result.record["location"]["lat"], result.record["location"]["lon"]) == (place.lat, place.lon)
    assert result.record["location"]["region"] == province


def test_a_shared_name_is_a_problem_listing_the_choices():
    problems = Checker(GazetteerGeocoder()).check(_row("Bergen"))
    assert isinstance(problems, list) and len(problems) == 1
    problem = problems[0]
    assert isinstance(problem, Problem) and problem.field == "location.municipality"
    assert "Bergen, Bergen (NH)" in problem.message and "Bergen (L), Limburg" in problem.message


def test_an_online_geocoders_point_stands_when_the_municipality_name_is_shared(tmp_path):
    def online(query):
        return type("Location", (), {"latitude": 52.67, "longitude": 4.70})()

    geocoder = CachedGeocoder("fake", online, GeocodeCache(tmp_path / "cache.sqlite3"))
    found = geocoder.locate(municipality="Bergen", address="Dorpsstraat 1")
    assert (found.lat, found.lon, found.region) == (52.67, 4.70, "")
