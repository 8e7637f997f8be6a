"""Distances, bounding boxes and coarsening of confidential locations."""
from __future__ import annotations

import math

from geopy.distance import EARTH_RADIUS as EARTH_RADIUS_KM

# One degree of latitude on the same sphere as distance_km: a box on any other figure cuts the circle.
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * math.pi / 180
# About 5 km cells at Dutch latitudes (52°N): 0.045° of latitude, 0.075° of longitude.
COARSE_LAT_STEP = 0.045
COARSE_LON_STEP = 0.075
COARSE_PRECISION_KM = 5.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres, on geopy's mean Earth radius.

    Written out rather than through geopy's Point objects: the SQLite store calls it once per row
    inside a bounding box, where object construction would dominate.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 0.01)
    dlon = radius_km / (KM_PER_DEGREE_LAT * cos_lat)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def coarsen(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the ~5 km grid cell holding the point: the same answer for every caller."""
    cell_lat = math.floor(lat / COARSE_LAT_STEP) * COARSE_LAT_STEP + COARSE_LAT_STEP / 2
    cell_lon = math.floor(lon / COARSE_LON_STEP) * COARSE_LON_STEP + COARSE_LON_STEP / 2
    return round(cell_lat, 4), round(cell_lon, 4)
