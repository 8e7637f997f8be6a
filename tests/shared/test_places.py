"""The offline gazetteer: resolving typed place names and suggesting places as people type."""
from pathlib import Path

import pytest

from services.shared.places import PROVINCES, Place, all_places, fold_name, resolve_place, suggest_places

GAZETTEER = Path(__file__).resolve().parents[2] / "services" / "shared" / "data" / "places_nl.csv"


@pytest.mark.parametrize("text", ["Den Haag", "'s-Gravenhage", "The Hague", "den haag", "S-GRAVENHAGE",
                                  "  the   hague ", "’s Gravenhage"])
def test_den_haag_resolves_from_all_its_names(text):
    place = resolve_place(text)
    assert place is not None
    assert place.name == "Den Haag"
    assert place.province == "Zuid-Holland"


@pytest.mark.parametrize("text", ["Den Bosch", "den-bosch", "'s-Hertogenbosch", "s Hertogenbosch", "Hertogenbosch"])
def test_den_bosch_resolves_from_its_colloquial_and_official_names(text):
    assert resolve_place(text).name == "'s-Hertogenbosch"


def test_resolution_ignores_accents_case_and_extra_spaces():
    with_accent = resolve_place("Broeksterwâld")
    assert with_accent is not None
    assert resolve_place("broeksterwald") == with_accent
    assert resolve_place("  BROEKSTERWALD  ") == with_accent


def test_frisian_and_municipality_names_resolve_to_the_town():
    assert resolve_place("Ljouwert").name == "Leeuwarden"
    assert resolve_place("Snits").name == "Sneek"
    assert resolve_place("Almere").province == "Flevoland"


def test_sint_and_st_are_the_same_word():
    assert resolve_place("St. Annaparochie") == resolve_place("Sint Annaparochie")


def test_the_most_populous_place_wins_when_names_are_shared():
    hengelo = resolve_place("Hengelo")
    assert hengelo.province == "Overijssel"
    assert resolve_place("Rijswijk").province == "Zuid-Holland"


@pytest.mark.parametrize("text", ["Atlantis", "Berlin", "", "   ", "-", None, 42])
def test_unknown_or_empty_names_resolve_to_none(text):
    assert resolve_place(text) is None


def test_resolved_place_carries_coordinates_inside_the_netherlands():
    amsterdam = resolve_place("Amsterdam")
    assert isinstance(amsterdam, Place)
    assert 52.3 < amsterdam.lat < 52.4
    assert 4.8 < amsterdam.lon < 5.0
    assert amsterdam.population > 500_000


def test_suggestions_start_with_the_largest_place_matching_the_prefix():
    suggestions = suggest_places("ams")
    assert suggestions[0].name == "Amsterdam"
    assert all(fold_name(place.name).startswith("ams") for place in suggestions[:3])


def test_suggestions_find_a_later_word_of_a_name():
    assert "Den Haag" in [place.name for place in suggest_places("haag")]


def test_suggestions_match_aliases_and_respect_the_limit():
    assert suggest_places("den bo", limit=3)[0].name == "'s-Hertogenbosch"
    assert len(suggest_places("a", limit=4)) == 4
    assert len(set(suggest_places("de", limit=10))) == 10


def test_suggestions_for_nothing_are_empty():
    assert suggest_places("") == []
    assert suggest_places("qqqq") == []
    assert suggest_places("ams", limit=0) == []


def test_every_place_lies_in_one_of_the_twelve_provinces_and_in_the_netherlands():
    places = all_places()
    assert len(places) > 1500
    assert {place.province for place in places} == set(PROVINCES)
    for place in places:
        assert 50.7 <= place.lat <= 53.6 and 3.3 <= place.lon <= 7.3, place


def test_gazetteer_file_stays_small():
    assert GAZETTEER.stat().st_size < 1_000_000
