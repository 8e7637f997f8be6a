"""Points at a known distance and bearing, on the same sphere as the store's distances."""
from __future__ import annotations

from geopy.distance import great_circle

from services.shared.geo import coarsen, distance_km


def point_at(origin: tuple[float, float], km: float, bearing_degrees: float) -> tuple[float, float]:
    """The point `km` from origin on the given bearing (0 north, 90 east)."""
    destination = great_circle(kilometers=km).destination(origin, bearing_degrees)
    return destination.latitude, destination.longitude


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return distance_km(a[0], a[1], b[0], b[1])


def corner_of_cell(lat: float, lon: float) -> tuple[float, float]:
    """A point in the same ~5 km cell as (lat, lon) but about 3 km from the cell's centre."""
    centre = coarsen(lat, lon)
    corner = (centre[0] + 0.02, centre[1] + 0.035)
    assert coarsen(*corner) == centre
    return corner
