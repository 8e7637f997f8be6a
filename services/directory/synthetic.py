"""Synthetic providers in the wire shape, for seeding, load tests and benchmarks; deterministic by seed."""
from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from services.shared.places import Place, all_places, fold_name

ALL_GENDERS = ("female", "male", "non_binary")
NON_DUTCH = ("eu", "reflection_period", "residence_permit", "asylum", "undocumented", "unknown")
DUTCH_AND_EU = ("dutch", "eu", "residence_permit")

# Languages staff or interpreters speak, most frequent among identified victims first (DOMAIN.md).
FREQUENT_LANGUAGES = (
    "ro", "bg", "pl", "hu", "uk", "pcm", "ar", "ti", "vi", "zh", "th", "es", "pt", "bin", "ru", "fr", "de",
    "tr", "sq", "lt", "lv", "sk", "yo", "ig", "am", "so", "fa", "prs", "tl", "hi", "ur", "bn", "ku",
)
RETURN_COUNTRIES = ("NG", "RO", "BG", "UA", "VN", "ER", "ET", "MA", "BR", "CN", "TH", "PH", "UG", "GH", "AL",
                    "MD", "PL", "HU", "SK", "LT", "IN", "SL", "CO")
STREETS = (
    "Lindenlaan", "Kastanjelaan", "Molenstraat", "Kerkstraat", "Stationsweg", "Parkweg", "Beukenlaan",
    "Julianastraat", "Wilhelminaweg", "Oranjestraat", "Havenkade", "Sportlaan", "Schoolstraat", "Eikenlaan",
    "Berkenweg", "Dorpsstraat", "Hoofdstraat", "Marktplein", "Spoorstraat", "Dijkweg", "Emmalaan", "Singel",
)
STEMS = ("De Linde", "Het Anker", "De Haven", "Het Baken", "De Brug", "Nieuw Begin", "De Wending", "Het Kompas",
         "De Vuurtoren", "Zonnehof", "De Eik", "Het Veer", "De Meander", "Lichtpunt", "Overstag", "De Horizon")
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"

TYPE_WEIGHTS = {"shelter": 28, "medical": 17, "mental_health": 13, "legal": 20, "interpreter": 13, "repatriation": 9}
UNITS = {"shelter": "bed", "medical": "appointment", "mental_health": "appointment", "legal": "case",
         "interpreter": "hour", "repatriation": "case"}
STATUS_WEIGHTS = {"active": 95, "temporarily_closed": 3, "inactive": 2}


@dataclass(frozen=True)
class _Profile:
    """One kind of provider: its fixed traits and the ranges its varying traits are drawn from."""

    weight: int
    label: str
    organization: str
    services: tuple[str, ...]
    genders: tuple[str, ...]
    min_age: int
    max_age: int
    accepts_children: bool
    exploitation_types: tuple[str, ...]
    residence_statuses: tuple[str, ...]
    confidential_share: float
    maximum: tuple[int, int]
    full_share: float
    hold_minutes: tuple[int, ...]
    intake_hours: str
    description: str
    # Services counted apart from the beds (HSDS service_capacity), in appointments.
    own_pools: tuple[str, ...] = ()


PROFILES: dict[str, tuple[_Profile, ...]] = {
    "shelter": (
        _Profile(30, "Beschermde opvang", "Stichting", ("shelter",), ("female",), 18, 120, True,
                 ("sexual", "labour"), NON_DUTCH, 1.0, (6, 16), 0.45, (240,), "24/7",
                 "Protected shelter at a secret address for women in the reflection period, with their children."),
        _Profile(10, "Mannenopvang", "Stichting", ("shelter",), ("male",), 18, 120, False,
                 ("labour", "criminal"), NON_DUTCH, 1.0, (6, 14), 0.35, (240,), "24/7",
                 "Opvang voor mannen na arbeidsuitbuiting, met begeleiding naar werk en huisvesting."),
        _Profile(5, "Jeugdopvang", "Jeugdbescherming", ("shelter", "mental_health"), ALL_GENDERS, 12, 17, False,
                 ("sexual", "criminal"), (), 1.0, (4, 10), 0.4, (120,), "24/7 via de voogdij",
                 "Beschermde opvang voor minderjarigen met 24-uurs begeleiding en één vaste mentor."),
        _Profile(8, "Zorgopvang", "Stichting", ("shelter", "mental_health", "medical"), ALL_GENDERS, 18, 120, False,
                 (), (), 1.0, (3, 8), 0.3, (480,), "ma-vr 09:00-17:00, crisis 24/7",
                 "Opvang met psychiatrische en verslavingszorg voor cliënten met complexe problematiek.",
                 own_pools=("medical",)),
        _Profile(25, "Vrouwenopvang", "Vrouwenopvang", ("shelter",), ("female",), 18, 120, True,
                 ("sexual",), DUTCH_AND_EU, 0.95, (6, 20), 0.25, (240, 480), "24/7 crisislijn",
                 "Vrouwenopvang onder de Wmo voor Nederlandse en EU-vrouwen, ook met kinderen."),
        _Profile(12, "Maatschappelijke opvang", "Stichting", ("shelter",), ALL_GENDERS, 18, 120, False,
                 (), DUTCH_AND_EU, 0.2, (10, 30), 0.2, (120,), "dagelijks 17:00-23:00",
                 "Social shelter for adults with a café and evening meals; short stays only."),
    ),
    "medical": (
        _Profile(45, "Huisartsenpraktijk", "Gezondheidscentrum", ("medical",), ALL_GENDERS, 0, 120, True,
                 (), (), 0.0, (10, 30), 0.1, (240,), "ma-vr 08:00-17:00",
                 "Huisarts voor cliënten met en zonder verzekering; telefonische tolk bij elk consult."),
        _Profile(25, "Poli Seksuele Gezondheid", "GGD", ("medical",), ALL_GENDERS, 12, 120, False,
                 ("sexual",), (), 0.0, (10, 30), 0.1, (240,), "ma-vr 09:00-16:30",
                 "Free and anonymous STI testing, contraception and pregnancy care."),
        _Profile(15, "Forensisch Medisch Centrum", "FMC", ("medical",), ALL_GENDERS, 0, 120, True,
                 ("sexual", "labour"), (), 0.0, (4, 12), 0.15, (120,), "24/7",
                 "Forensisch-medisch onderzoek en letselverslag, in coördinatie met politie en opvang."),
        _Profile(15, "Verloskundigenpraktijk", "Verloskunde", ("medical",), ("female",), 14, 55, True,
                 (), (), 0.0, (6, 16), 0.1, (240,), "ma-vr 08:30-17:00, spoed 24/7",
                 "Verloskundige zorg, ook voor vrouwen zonder verzekering."),
    ),
    "mental_health": (
        _Profile(55, "Traumacentrum", "GGZ", ("mental_health",), ALL_GENDERS, 18, 120, False,
                 ("sexual", "labour"), (), 0.0, (4, 16), 0.25, (1440,), "ma-vr 09:00-17:00",
                 "Traumabehandeling (EMDR, NET) na mensenhandel, met tolk in de behandelkamer."),
        _Profile(20, "Jeugd-GGZ", "GGZ", ("mental_health",), ALL_GENDERS, 4, 23, True,
                 ("sexual", "criminal"), (), 0.0, (3, 10), 0.25, (1440,), "ma-vr 09:00-17:00",
                 "Trauma care for children and young people after exploitation."),
        _Profile(25, "Crisisdienst", "GGZ", ("mental_health",), ALL_GENDERS, 18, 120, False,
                 (), (), 0.0, (2, 6), 0.2, (60, 120), "24/7",
                 "Psychiatric crisis assessment within four hours of referral."),
    ),
    "legal": (
        _Profile(35, "Slachtofferadvocaat", "Advocatenkantoor", ("legal", "compensation"), ALL_GENDERS, 0, 120, True,
                 ("sexual", "labour", "criminal"), (), 0.0, (3, 12), 0.15, (1440,), "ma-vr 09:00-17:30",
                 "Victim's lawyer in the criminal case: reporting, the right to speak and compensation."),
        _Profile(35, "Migratierecht", "Advocatenkantoor", ("legal", "residence_status"), ALL_GENDERS, 0, 120, True,
                 (), NON_DUTCH, 0.0, (3, 15), 0.15, (1440,), "ma-vr 09:00-17:00",
                 "Vreemdelingenrecht: bedenktijd, verblijfsvergunning en voortgezet verblijf."),
        _Profile(15, "Schadeclaim", "Rechtshulp", ("legal", "compensation"), ALL_GENDERS, 0, 120, True,
                 ("labour",), (), 0.0, (4, 15), 0.1, (2880,), "ma-vr 09:00-17:00",
                 "Loonvorderingen en schadeclaims; geïnteresseerd? Bel voor een gratis intake."),
        _Profile(15, "Rechtswinkel", "Rechtswinkel", ("legal", "residence_status", "compensation"), ALL_GENDERS,
                 16, 120, False, (), (), 0.0, (5, 15), 0.1, (1440,), "di en do 13:00-17:00",
                 "Gratis juridisch spreekuur over verblijf, werk en schadevergoeding."),
    ),
    "interpreter": (
        _Profile(100, "Tolkencentrum", "Tolkenbureau", ("interpreter",), ALL_GENDERS, 0, 120, True,
                 (), (), 0.0, (10, 80), 0.1, (60, 120, 240), "ma-vr 08:00-18:00, spoed 24/7",
                 "Beëdigde tolken ter plaatse, telefonisch of via video; de cliënt betaalt nooit."),
    ),
    "repatriation": (
        _Profile(100, "Terugkeerbureau", "Stichting", ("repatriation",), ALL_GENDERS, 0, 120, True,
                 (), (), 0.0, (8, 40), 0.1, (2880, 4320), "ma-vr 09:00-17:00",
                 "Assisted voluntary return and reintegration: travel documents, travel and support after arrival."),
    ),
}


@dataclass(frozen=True)
class _Site:
    """A place ready for fast drawing: its slug for e-mail addresses computed once."""

    place: Place
    slug: str


@lru_cache(maxsize=1)
def _sites() -> tuple[tuple[_Site, ...], tuple[float, ...]]:
    """Gazetteer places and their cumulative population weights; unknown populations count as small villages."""
    sites = tuple(_Site(place, fold_name(place.name).replace(" ", "-")) for place in all_places())
    weights = tuple(itertools.accumulate(max(site.place.population, 500) for site in sites))
    return sites, weights


def _cumulative(weights: dict[str, int] | tuple[_Profile, ...]) -> tuple[float, ...]:
    values = weights.values() if isinstance(weights, dict) else (profile.weight for profile in weights)
    return tuple(itertools.accumulate(values))


def _pick(rng: random.Random, items: tuple, cumulative: tuple[float, ...]):
    """One item drawn in proportion to its weight (faster than rng.choices for one draw)."""
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def generate_providers(count: int, *, seed: int = 0, now: datetime | None = None) -> Iterator[dict]:
    """`count` fictional providers; the same seed and `now` (default: the current time) give the same providers."""
    if count < 0:
        raise ValueError("count must not be negative")
    now = datetime.now(timezone.utc) if now is None else now
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    rng = random.Random(seed)
    updated_times = _UpdatedTimes(int(now.timestamp()))
    sites, site_weights = _sites()
    types = tuple(TYPE_WEIGHTS)
    type_weights = _cumulative(TYPE_WEIGHTS)
    statuses = tuple(STATUS_WEIGHTS)
    status_weights = _cumulative(STATUS_WEIGHTS)
    profile_weights = {kind: _cumulative(profiles) for kind, profiles in PROFILES.items()}
    pools = _Pools(rng)
    for index in range(count):
        kind = _pick(rng, types, type_weights)
        profile: _Profile = _pick(rng, PROFILES[kind], profile_weights[kind])
        site: _Site = _pick(rng, sites, site_weights)
        yield _provider(rng, index, kind, profile, site, _pick(rng, statuses, status_weights), updated_times, pools)


def _provider(rng: random.Random, index: int, kind: str, profile: _Profile, site: _Site,
              status: str, updated_times: _UpdatedTimes, pools: _Pools) -> dict:
    """One provider record in the wire shape."""
    place = site.place
    random_ = rng.random
    stem = STEMS[int(random_() * len(STEMS))]
    staff, interpreted = pools.languages(random_(), kind)
    confidential = random_() < profile.confidential_share
    address = f"{STREETS[int(random_() * len(STREETS))]} {1 + int(random_() * 240)}"
    if confidential:
        address = f"{address} HVNCONF-{rng.getrandbits(48):012x}"
    low, high = profile.maximum
    maximum = low + int(random_() * (high - low + 1))
    available = 0 if random_() < profile.full_share else 1 + int(random_() * maximum)
    record = {
        "id": _uuid4(rng.getrandbits(128)),
        "name": f"{profile.label} {stem} {place.name}",
        "organization": f"{profile.organization} {stem}",
        "type": kind,
        "description": profile.description,
        "services": list(profile.services),
        "languages": staff,
        "interpretation_languages": interpreted,
        "location": {
            "municipality": place.name,
            "region": place.province,
            "lat": round(place.lat + (random_() - 0.5) * 0.02, 6),
            "lon": round(place.lon + (random_() - 0.5) * 0.03, 6),
            "address": address,
            "postal_code": (f"{1000 + int(random_() * 9000)} "
                            f"{POSTCODE_LETTERS[int(random_() * 18)]}{POSTCODE_LETTERS[int(random_() * 18)]}"),
            "confidential": confidential,
        },
        # Interpreters work by phone and video as well; the rest at their own address.
        "delivery": ["on_site", "remote"] if kind == "interpreter" else ["on_site"],
        "eligibility": {
            "genders": list(profile.genders),
            "min_age": profile.min_age,
            "max_age": profile.max_age,
            "accepts_children": profile.accepts_children,
            "wheelchair_accessible": random_() < 0.3,
            "exploitation_types": list(profile.exploitation_types),
            "residence_statuses": list(profile.residence_statuses),
            "countries": pools.countries(random_()) if kind == "repatriation" else [],
            "specialises_in": [],
            "cannot_serve": [],
            "target_groups": [],
        },
        "capacity": {
            "available": available,
            "maximum": maximum,
            "unit": UNITS[kind],
            "updated": updated_times.draw(random_(), random_()),
        },
        "contact": {
            "phone": f"+31 85 000 {int(random_() * 10000):04d}",
            "email": f"intake-{index}@{site.slug}.example",
            "intake_hours": profile.intake_hours,
            "intake_opening_hours": "",
        },
        "hold_minutes": profile.hold_minutes[int(random_() * len(profile.hold_minutes))],
        "status": status,
    }
    if profile.own_pools:
        # Worked out from the beds, not drawn: the same seed keeps giving the same providers as before.
        updated = record["capacity"]["updated"]
        record["service_capacity"] = {need: {"available": maximum - available, "maximum": maximum,
                                             "unit": "appointment", "updated": updated}
                                      for need in profile.own_pools}
    return record


class _Pools:
    """Language and country lists drawn once per run and reused: drawing them per provider is the slow part."""

    SIZE = 1024

    def __init__(self, rng: random.Random) -> None:
        random_ = rng.random
        self._staff = [self._staff_languages(random_, interpreter=False) for _ in range(self.SIZE)]
        self._agency = [self._staff_languages(random_, interpreter=True) for _ in range(self.SIZE)]
        self._interpreted = [
            [] if random_() < 0.4 else _draw_distinct(random_, FREQUENT_LANGUAGES, 2 + int(random_() * 7))
            for _ in range(self.SIZE)
        ]
        self._countries = [_draw_distinct(random_, RETURN_COUNTRIES, 1 + int(random_() * 8)) for _ in range(self.SIZE)]

    @staticmethod
    def _staff_languages(random_, *, interpreter: bool) -> list[str]:
        """Dutch nearly always, English mostly, a few more; an interpreter agency many more."""
        staff = ["nl", "en"] if random_() < 0.85 else ["nl"]
        extra = 4 + int(random_() * 11) if interpreter else int(random_() * random_() * 4)
        return list(dict.fromkeys(staff + _draw_distinct(random_, FREQUENT_LANGUAGES, extra)))

    def languages(self, draw: float, kind: str) -> tuple[list[str], list[str]]:
        """Staff languages and languages offered only through an interpreter, as fresh lists."""
        slot = int(draw * self.SIZE)
        if kind == "interpreter":
            return list(self._agency[slot]), []
        staff = self._staff[slot]
        interpreted = self._interpreted[(slot * 7 + 3) % self.SIZE]
        return list(staff), [code for code in interpreted if code not in staff]

    def countries(self, draw: float) -> list[str]:
        """Return destinations of one repatriation provider, as a fresh list."""
        return list(self._countries[int(draw * self.SIZE)])


def _draw_distinct(random_, items: tuple[str, ...], at_most: int) -> list[str]:
    """Up to `at_most` distinct items, repeats dropped (much cheaper than rng.sample for a few items)."""
    size = len(items)
    return list(dict.fromkeys([items[int(random_() * size)] for _ in range(at_most)]))


def _uuid4(bits: int) -> str:
    """A version 4 UUID string from 128 random bits (what uuid.UUID(int=..., version=4) gives, faster)."""
    bits = (bits & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class _UpdatedTimes:
    """Capacity report times before `now`: most within a day, some stale (1 to 6 days), a few over a week old."""

    def __init__(self, now_seconds: int) -> None:
        self._now_seconds = now_seconds
        # Times fall on whole minutes, so the ISO strings repeat and are formatted once each.
        self._texts: dict[int, str] = {}

    def draw(self, draw: float, fraction: float) -> str:
        """The ISO 8601 time for two uniform draws: one picks the age band, the other the age within it."""
        if draw < 0.7:
            age_minutes = int(fraction * 24 * 60)
        elif draw < 0.92:
            age_minutes = int((24 + fraction * 120) * 60)
        else:
            age_minutes = int((168 + fraction * 500) * 60)
        text = self._texts.get(age_minutes)
        if text is None:
            moment = datetime.fromtimestamp(self._now_seconds - age_minutes * 60, tz=timezone.utc)
            text = self._texts[age_minutes] = moment.isoformat()
        return text
