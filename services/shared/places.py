"""Offline gazetteer of Dutch places and municipalities: resolve a typed place name to a point and province.

A name that several places in different municipalities share ("Den Hoorn", "Hengelo") is not guessed:
resolving it raises AmbiguousPlace with the choices. A caller picks one by adding the municipality or the
province after a comma or in brackets: "Den Hoorn, Midden-Delfland", "Den Hoorn (Zuid-Holland)".
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

PROVINCES = (
    "Drenthe", "Flevoland", "Friesland", "Gelderland", "Groningen", "Limburg", "Noord-Brabant",
    "Noord-Holland", "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland",
)
# The short forms Dutch addresses and municipality names use: "Bergen (NH)", "Rijswijk (ZH)".
PROVINCE_ABBREVIATIONS = {
    "dr": "Drenthe", "fl": "Flevoland", "fr": "Friesland", "fryslan": "Friesland", "gld": "Gelderland",
    "ge": "Gelderland", "gr": "Groningen", "gn": "Groningen", "l": "Limburg", "li": "Limburg",
    "lb": "Limburg", "nb": "Noord-Brabant", "nh": "Noord-Holland", "ov": "Overijssel", "o": "Overijssel",
    "u": "Utrecht", "ut": "Utrecht", "z": "Zeeland", "ze": "Zeeland", "zh": "Zuid-Holland",
}

_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
# "Den Hoorn, Midden-Delfland" and "Den Hoorn (Zuid-Holland)".
_AFTER_COMMA = re.compile(r"^(?P<name>[^,]+),(?P<qualifier>.+)$")
_IN_BRACKETS = re.compile(r"^(?P<name>.+?)\((?P<qualifier>[^()]+)\)\s*$")


@dataclass(frozen=True)
class Place:
    """A Dutch city, town or village (kind "place"), or a municipality named otherwise than its seat, at the
    seat (kind "municipality"). A place knows its municipality: Naaldwijk's is Westland, Utrecht's Utrecht."""

    name: str
    lat: float
    lon: float
    province: str
    population: int
    municipality: str = ""
    kind: str = "place"

    @property
    def label(self) -> str:
        """The name with what tells it apart from namesakes, which resolves to this place alone."""
        if not self.municipality or fold_name(self.municipality) == fold_name(self.name):
            return f"{self.name}, {self.province}"
        return f"{self.name}, {self.municipality}"

    def as_choice(self) -> dict:
        return {"name": self.name, "municipality": self.municipality, "province": self.province,
                "value": self.label}


class AmbiguousPlace(ValueError):
    """Several places in different municipalities answer to this name; the caller must choose."""

    def __init__(self, choices: tuple[Place, ...]):
        super().__init__("several places have this name; add the municipality or province")
        self.choices = choices


@dataclass(frozen=True)
class _Entry:
    """One searchable name of a place; a place has one entry per name and alias."""

    key: str
    is_alias: bool
    place: Place


def fold_name(text: str) -> str:
    """Compare form of a name: no case, accents, apostrophes or punctuation ("'s-Gravenhage" -> "s gravenhage")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = _NOT_ALPHANUMERIC.sub(" ", _APOSTROPHES.sub("", plain)).split()
    # "St. Annaparochie" and "Sint Annaparochie" are the same village.
    return " ".join("sint" if word == "st" else word for word in words)


@lru_cache(maxsize=1)
def _entries() -> tuple[_Entry, ...]:
    """Every name and alias in the gazetteer, most populous place first."""
    text = resources.files("services.shared").joinpath("data/places_nl.csv").read_text(encoding="utf-8")
    entries = []
    for row in csv.DictReader(io.StringIO(text)):
        place = Place(row["name"], float(row["lat"]), float(row["lon"]), row["province"], int(row["population"]),
                      row["municipality"], row["kind"])
        entries.append(_Entry(fold_name(place.name), False, place))
        for alias in filter(None, row["alternate_names"].split("|")):
            entries.append(_Entry(fold_name(alias), True, place))
    # A municipality before its seat of the same population: "Texel" is the municipality, not Den Burg.
    entries.sort(key=lambda entry: (-entry.place.population, entry.is_alias, entry.place.kind != "municipality",
                                    entry.key))
    return tuple(entries)


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[Place, ...]], dict[str, tuple[Place, ...]]]:
    """Folded name -> places by their own name, and by an alias; most populous first."""
    names: dict[str, list[Place]] = {}
    aliases: dict[str, list[Place]] = {}
    for entry in _entries():
        found = (aliases if entry.is_alias else names).setdefault(entry.key, [])
        if entry.place not in found:
            found.append(entry.place)
    return ({key: tuple(places) for key, places in names.items()},
            {key: tuple(places) for key, places in aliases.items()})


@lru_cache(maxsize=1)
def all_places() -> tuple[Place, ...]:
    """Every city, town and village in the gazetteer, most populous first.

    A municipality named otherwise than its seat (Westland at Naaldwijk) is a name for that seat, not one
    more place: it is left out here.
    """
    return tuple(entry.place for entry in _entries() if not entry.is_alias and entry.place.kind == "place")


def _named(key: str) -> tuple[Place, ...]:
    """Places whose own name is this and municipalities that also go by it ("Bergen" is Bergen (L) too);
    only when none does, places that go by it as an alternate name."""
    names, aliases = _index()
    also = tuple(place for place in aliases.get(key, ()) if place.kind == "municipality")
    return (names.get(key, ()) + also) or aliases.get(key, ())


def _one_per_municipality(places) -> tuple[Place, ...]:
    """The most populous place of each municipality: a municipality and its namesake seat are one choice."""
    chosen: dict[tuple[str, str], Place] = {}
    for place in places:
        chosen.setdefault((fold_name(place.municipality or place.name), place.province), place)
    return tuple(chosen.values())


def _qualified(text: str) -> tuple[Place, ...]:
    """Places named before a comma or bracket whose municipality or province follows it."""
    for pattern in (_AFTER_COMMA, _IN_BRACKETS):
        match = pattern.match(text)
        if not match:
            continue
        key, qualifier = fold_name(match["name"]), fold_name(match["qualifier"])
        if not key or not qualifier:
            continue
        province = PROVINCE_ABBREVIATIONS.get(qualifier.replace(" ", ""))
        found = [place for place in _named(key)
                 if qualifier in (fold_name(place.municipality), fold_name(place.province))
                 or place.province == province]
        if found:
            return _one_per_municipality(found)
    return ()


def place_choices(text: str) -> tuple[Place, ...]:
    """Every place this text may mean, one per municipality; empty when the gazetteer knows none."""
    if not isinstance(text, str):
        return ()
    key = fold_name(text)
    if not key:
        return ()
    places = _one_per_municipality(_named(key)) or _qualified(text)
    if len(places) > 1:
        # "Hengelo, Overijssel" names a province with one Hengelo municipality and perhaps villages of that name.
        own = [place for place in places if fold_name(place.municipality) == fold_name(place.name)]
        if len(own) == 1 and _qualified(text):
            return tuple(own)
    return places


def resolve_place(text: str, *, municipality_first: bool = False) -> Place | None:
    """The place a caseworker means by this name, or None when the gazetteer does not know it.

    Raises AmbiguousPlace when places in different municipalities share the name. With municipality_first
    a municipality of exactly this name is meant over villages of the same name elsewhere (an address's
    municipality field names a municipality).
    """
    places = place_choices(text)
    if not places:
        return None
    if len(places) > 1 and municipality_first:
        key = fold_name(text)
        own = [place for place in places if fold_name(place.municipality) == key]
        if len(own) == 1:
            return own[0]
    if len(places) > 1:
        raise AmbiguousPlace(places)
    return places[0]


def shares_name(place: Place) -> bool:
    """Whether places in other municipalities have the same name, so only its label picks it out."""
    return len(_one_per_municipality(_named(fold_name(place.name)))) > 1


def suggest_places(prefix: str, limit: int = 10) -> list[Place]:
    """Places for search-as-you-type: names starting with the prefix first, then names with a word starting so."""
    key = fold_name(prefix) if isinstance(prefix, str) else ""
    if not key or limit <= 0:
        return []
    starts: dict[Place, None] = {}
    inside: dict[Place, None] = {}
    word_start = " " + key
    for entry in _entries():
        if entry.key.startswith(key):
            starts[entry.place] = None
            if len(starts) >= limit:
                break
        elif word_start in entry.key:
            inside[entry.place] = None
    ranked = list(starts) + [place for place in inside if place not in starts]
    return ranked[:limit]
