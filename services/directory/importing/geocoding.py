"""Coordinates for providers listed without them: the offline gazetteer, or a geopy geocoder with a cache.

A confidential provider's street address and postal code are never sent to an outside geocoder:
only its municipality is, so the secret address does not leave this machine.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Protocol

from ...shared.places import AmbiguousPlace, resolve_place

CACHE_FILE = "geocode-cache.sqlite3"
COUNTRY = "Netherlands"


@dataclass(frozen=True)
class Found:
    lat: float
    lon: float
    region: str = ""


class Geocoder(Protocol):
    name: str

    def locate(self, *, municipality: str, address: str = "", postal_code: str = "",
               confidential: bool = False) -> Found | None:
        """Where this provider is, or None when the place cannot be found.

        Raises AmbiguousPlace when the municipality field names places in several municipalities.
        """


class GazetteerGeocoder:
    """The offline gazetteer of Dutch places: a municipality's seat and province.

    The field names a municipality, so a municipality of exactly that name is meant over villages of the
    same name elsewhere ("Hengelo" is the municipality in Overijssel, not the village in Bronckhorst).
    """

    name = "gazetteer"

    def locate(self, *, municipality: str, address: str = "", postal_code: str = "",
               confidential: bool = False) -> Found | None:
        place = resolve_place(municipality, municipality_first=True)
        return Found(place.lat, place.lon, place.province) if place else None


class GeocodeCache:
    """Answers of an outside geocoder kept on disk, misses too, so a re-import asks nothing twice."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("CREATE TABLE IF NOT EXISTS answers (service TEXT NOT NULL, query TEXT NOT NULL, "
                           "lat REAL, lon REAL, at TEXT NOT NULL, PRIMARY KEY (service, query))")

    def get(self, service: str, query: str) -> tuple[bool, tuple[float, float] | None]:
        """(known, point): known is False when this query was never asked."""
        row = self._conn.execute("SELECT lat, lon FROM answers WHERE service = ? AND query = ?",
                                 (service, query)).fetchone()
        if row is None:
            return False, None
        return True, (None if row[0] is None else (row[0], row[1]))

    def put(self, service: str, query: str, point: tuple[float, float] | None) -> None:
        lat, lon = point if point else (None, None)
        self._conn.execute("INSERT OR REPLACE INTO answers (service, query, lat, lon, at) VALUES (?, ?, ?, ?, ?)",
                           (service, query, lat, lon, datetime.now(timezone.utc).isoformat()))

    def close(self) -> None:
        self._conn.close()


class CachedGeocoder:
    """An outside geocoder (any callable query -> geopy Location or None) behind a cache.

    The gazetteer answers when the outside geocoder finds nothing; errors of the outside
    service are not cached, so the next import asks again.
    """

    def __init__(self, service: str, geocode: Callable[[str], object], cache: GeocodeCache,
                 fallback: Geocoder | None = None):
        self.name = service
        self.geocode = geocode
        self.cache = cache
        self.fallback = fallback or GazetteerGeocoder()
        self.asked = 0
        self.errors = 0

    @staticmethod
    def query(*, municipality: str, address: str = "", postal_code: str = "", confidential: bool = False) -> str:
        if confidential:
            return f"{municipality}, {COUNTRY}"
        street = ", ".join(part for part in (address, " ".join(p for p in (postal_code, municipality) if p)) if part)
        return f"{street}, {COUNTRY}"

    def locate(self, *, municipality: str, address: str = "", postal_code: str = "",
               confidential: bool = False) -> Found | None:
        query = self.query(municipality=municipality, address=address, postal_code=postal_code,
                           confidential=confidential)
        known, point = self.cache.get(self.name, query)
        if not known:
            point = self._ask(query)
        try:
            gazetteer = self.fallback.locate(municipality=municipality)
        except AmbiguousPlace:
            if point is None:
                raise
            gazetteer = None
        if point is None:
            return gazetteer
        return Found(point[0], point[1], gazetteer.region if gazetteer else "")

    def _ask(self, query: str) -> tuple[float, float] | None:
        from geopy.exc import GeopyError

        self.asked += 1
        try:
            location = self.geocode(query)
        except GeopyError:
            self.errors += 1
            return None
        point = (round(location.latitude, 6), round(location.longitude, 6)) if location else None
        self.cache.put(self.name, query, point)
        return point


def geopy_geocoder(service: str, user_agent: str, data_dir: Path, *,
                   min_delay_seconds: float = 1.0) -> CachedGeocoder:
    """A geopy geocoder by name ("nominatim"), rate limited (Nominatim asks for one request a second)."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service

    geolocator = get_geocoder_for_service(service)(user_agent=user_agent, timeout=10)
    geocode = RateLimiter(geolocator.geocode, min_delay_seconds=min_delay_seconds, max_retries=2,
                          error_wait_seconds=5.0, swallow_exceptions=False)
    return CachedGeocoder(service, geocode, GeocodeCache(data_dir / CACHE_FILE))
