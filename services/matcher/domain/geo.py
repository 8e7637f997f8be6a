"""Great-circle distances and areas to avoid, as the matcher sees them."""
from __future__ import annotations

import math
from dataclasses import dataclass

# geopy's mean Earth radius, the one the directory uses: both services give the same distances.
EARTH_RADIUS_KM = 6371.009


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Area:
    """A circle the person must stay out of."""

    lat: float
    lon: float
    radius_km: float

    def contains(self, point: Point) -> bool:
        return distance_km(self.lat, self.lon, point.lat, point.lon) <= self.radius_km


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def between(a: Point, b: Point) -> float:
    return distance_km(a.lat, a.lon, b.lat, b.lon)
