"""Points as the matcher passes them around; distances and areas are the shared geometry's (services.shared.geo)."""
from __future__ import annotations

from dataclasses import dataclass

from ...shared.geo import Area, distance_km  # noqa: F401 (the matcher's names for the shared geometry)


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def between(a: Point, b: Point) -> float:
    return distance_km(a.lat, a.lon, b.lat, b.lon)
