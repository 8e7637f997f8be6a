"""The one geometry of every service and store: distances, the public grid of ~5 km cells, areas.

A confidential provider is, to everyone but an admin, its public cell: one of a fixed grid of cells
about 5 km across. Its public point is the cell's centre, and an area to avoid treats it as the whole
cell. Nothing a non-admin can observe may depend on where in its cell it really is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from geopy.distance import EARTH_RADIUS as EARTH_RADIUS_KM

# One degree of latitude on the same sphere as distance_km: a box on any other figure cuts the circle.
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * math.pi / 180
# About 5 km cells at Dutch latitudes (52°N): 0.045° of latitude, 0.075° of longitude.
CELL_LAT_STEP = 0.045
CELL_LON_STEP = 0.075
CELL_PRECISION_KM = 5.0
# No point of a cell is further than this from the cell's centre, at any latitude (at the equator the
# half-diagonal is 4.86 km; it shrinks towards the poles): a bound for deciding which cells to test.
CELL_REACH_KM = 5.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres, on geopy's mean Earth radius.

    Written out rather than through geopy's Point objects: stores call it once per row, where object
    construction would dominate. The SQLite store's SQL repeats these steps in this order.
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


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box; a point is a box with no extent."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @classmethod
    def point(cls, lat: float, lon: float) -> "Box":
        return cls(lat, lat, lon, lon)

    def nearest_to(self, lat: float, lon: float) -> tuple[float, float]:
        """The point of the box nearest to (lat, lon) on the sphere.

        Within the box's longitudes the nearest point shares the longitude. Outside them it lies on the
        nearer meridian edge, at the latitude where that meridian comes closest (a little poleward of
        `lat`), clamped to the edge: clamping `lat` alone would be a few metres too far on wide circles.
        """
        if self.min_lon <= lon <= self.max_lon:
            return min(max(lat, self.min_lat), self.max_lat), lon
        edge = self.min_lon if lon < self.min_lon else self.max_lon
        closest = math.degrees(math.atan2(math.tan(math.radians(lat)), math.cos(math.radians(lon - edge))))
        return min(max(closest, self.min_lat), self.max_lat), edge


@dataclass(frozen=True)
class Cell:
    """One cell of the public grid, by row (latitude) and column (longitude)."""

    row: int
    col: int

    @property
    def key(self) -> str:
        """The cell as text, as stores index it."""
        return f"{self.row}:{self.col}"

    @property
    def box(self) -> Box:
        return Box(self.row * CELL_LAT_STEP, (self.row + 1) * CELL_LAT_STEP,
                   self.col * CELL_LON_STEP, (self.col + 1) * CELL_LON_STEP)

    @property
    def centre(self) -> tuple[float, float]:
        """The cell's public point, rounded so that it reads the same in every store and answer."""
        return (round(self.row * CELL_LAT_STEP + CELL_LAT_STEP / 2, 4),
                round(self.col * CELL_LON_STEP + CELL_LON_STEP / 2, 4))


def cell_of(lat: float, lon: float) -> Cell:
    """The grid cell holding a point (its centre included, so a public point gives its own cell)."""
    return Cell(math.floor(lat / CELL_LAT_STEP), math.floor(lon / CELL_LON_STEP))


def coarsen(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the ~5 km grid cell holding the point: the same answer for every caller."""
    return cell_of(lat, lon).centre


@dataclass(frozen=True)
class Area:
    """A circle: an area to avoid, or a radius to stay within."""

    lat: float
    lon: float
    radius_km: float

    def contains(self, lat: float, lon: float) -> bool:
        return distance_km(self.lat, self.lon, lat, lon) <= self.radius_km

    def touches(self, box: Box) -> bool:
        """Whether any part of the box lies within the circle (for a point: whether the circle holds it)."""
        return self.contains(*box.nearest_to(self.lat, self.lon))

    def touches_cell(self, lat: float, lon: float) -> bool:
        """Whether the circle touches any part of the public cell holding (lat, lon).

        Decided as stores decide it: the centre inside, or the cell among the edge cells.
        """
        cell = cell_of(lat, lon)
        return self.contains(*cell.centre) or self.touches(cell.box)

    def edge_cells(self) -> tuple[str, ...]:
        """The keys of the cells the circle touches although their centre lies outside it.

        With the cells whose centre lies inside (a plain distance test on the public point), these are
        every cell the circle touches: what a store needs to keep confidential providers out.
        """
        return _edge_cells(self.lat, self.lon, self.radius_km)


# Moving one column along a row moves a cell's centre by at most this (a column's width at the equator).
_MAX_COL_KM = CELL_LON_STEP * KM_PER_DEGREE_LAT


@lru_cache(maxsize=256)
def _edge_cells(lat: float, lon: float, radius_km: float) -> tuple[str, ...]:
    area = Area(lat, lon, radius_km)
    # Only cells whose centre lies within CELL_REACH_KM beyond the edge can touch the circle.
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km + CELL_REACH_KM)
    first, last = cell_of(min_lat, min_lon), cell_of(max_lat, max_lon)
    keys: list[str] = []
    for row in range(first.row, last.row + 1):
        # In a row, the cells whose centre lies inside form one run: walk in from each end to it.
        inside = _walk_to_inside(area, row, first.col, last.col + 1, 1, keys)
        if inside is not None:
            _walk_to_inside(area, row, last.col, inside, -1, keys)
    return tuple(keys)


def _walk_to_inside(area: Area, row: int, start: int, stop: int, step: int, keys: list[str]) -> int | None:
    """Collect edge cells from column `start` towards `stop` until a cell whose centre is inside; returns
    that column, or None. Cells too far to touch are stepped over as many at a time as cannot reach."""
    col = start
    while col != stop and (col < stop) == (step > 0):
        cell = Cell(row, col)
        centre_km = distance_km(area.lat, area.lon, *cell.centre)
        if centre_km <= area.radius_km:
            return col
        beyond = centre_km - area.radius_km - CELL_REACH_KM
        if beyond > 0:
            col += step * max(1, int(beyond // _MAX_COL_KM))
            continue
        if area.touches(cell.box):
            keys.append(cell.key)
        col += step
    return None
