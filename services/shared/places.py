"""Offline gazetteer of Dutch places: resolve a typed place name to coordinates and province."""
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

_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Place:
    """A Dutch city, town or village from GeoNames."""

    name: str
    lat: float
    lon: float
    province: str
    population: int


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
        place = Place(row["name"], float(row["lat"]), float(row["lon"]), row["province"], int(row["population"]))
        entries.append(_Entry(fold_name(place.name), False, place))
        for alias in filter(None, row["alternate_names"].split("|")):
            entries.append(_Entry(fold_name(alias), True, place))
    entries.sort(key=lambda entry: (-entry.place.population, entry.is_alias, entry.key))
    return tuple(entries)


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Place]:
    """Folded name -> place; a real name beats an alias, then the most populous place wins."""
    index: dict[str, Place] = {}
    for entry in sorted(_entries(), key=lambda entry: entry.is_alias):
        index.setdefault(entry.key, entry.place)
    return index


@lru_cache(maxsize=1)
def all_places() -> tuple[Place, ...]:
    """Every place in the gazetteer, most populous first."""
    return tuple(entry.place for entry in _entries() if not entry.is_alias)


def resolve_place(text: str) -> Place | None:
    """The place a caseworker means by this name, or None when the gazetteer does not know it."""
    if not isinstance(text, str):
        return None
    key = fold_name(text)
    return _by_key().get(key) if key else None


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
