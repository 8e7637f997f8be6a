"""An offline map of the Netherlands as inline SVG: the outline, a person's place, areas to avoid, candidates.

Pure geometry, no Flask: an equirectangular projection scaled by cos(latitude) in the middle of the
country, which is within a few per cent of true shape at this size. Circles are drawn in true kilometres.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

KM_PER_DEGREE_LAT = 111.32
PIXELS_PER_DEGREE_LAT = 180.0
MARGIN_DEGREES = 0.12


MARKER_RADIUS = 10.0


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    title: str
    kind: str  # "person" | "candidate" | "anchor"
    need: str | None = None
    # Where the place really is, when the marker was moved aside so it does not hide another one.
    at_x: float | None = None
    at_y: float | None = None

    @property
    def moved(self) -> bool:
        return self.at_x is not None


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    title: str


@dataclass
class SvgMap:
    width: float
    height: float
    outline: str
    markers: list[Marker] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)
    outside: int = 0  # markers left off because they lie beyond the map

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


@lru_cache(maxsize=1)
def outline_feature() -> dict:
    text = resources.files("services.gateway.web").joinpath("static/nl-outline.json").read_text(encoding="utf-8")
    return json.loads(text)


class Projection:
    """Degrees to SVG pixels for a box of lon/lat."""

    def __init__(self, bbox: tuple[float, float, float, float]):
        lon_min, lat_min, lon_max, lat_max = bbox
        self.lon_min = lon_min - MARGIN_DEGREES / math.cos(math.radians((lat_min + lat_max) / 2))
        self.lat_max = lat_max + MARGIN_DEGREES
        self.lat_min = lat_min - MARGIN_DEGREES
        self.kx = PIXELS_PER_DEGREE_LAT * math.cos(math.radians((lat_min + lat_max) / 2))
        lon_span = (lon_max - lon_min) + 2 * MARGIN_DEGREES / math.cos(math.radians((lat_min + lat_max) / 2))
        self.width = lon_span * self.kx
        self.height = (self.lat_max - self.lat_min) * PIXELS_PER_DEGREE_LAT

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon_min) * self.kx, (self.lat_max - lat) * PIXELS_PER_DEGREE_LAT

    def km(self, kilometres: float) -> float:
        return kilometres / KM_PER_DEGREE_LAT * PIXELS_PER_DEGREE_LAT

    def contains(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height


def outline_path(feature: dict, projection: Projection) -> str:
    """The SVG path data of a (Multi)Polygon, one subpath per ring."""
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [projection.xy(lat, lon) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def build_map(*, person: tuple[float, float] | None = None, person_title: str = "",
              avoid: list[tuple[float, float, float, str]] = (), candidates: list[dict] = (),
              feature: dict | None = None) -> SvgMap:
    """The map for one match: avoid is (lat, lon, radius_km, title); candidates are {lat, lon, label, title, need}."""
    feature = feature or outline_feature()
    projection = Projection(tuple(feature["bbox"]))
    svg = SvgMap(width=round(projection.width), height=round(projection.height),
                 outline=outline_path(feature, projection))
    for lat, lon, radius_km, title in avoid:
        x, y = projection.xy(lat, lon)
        svg.circles.append(Circle(round(x, 1), round(y, 1), round(projection.km(radius_km), 1), title))
    placed: list[tuple[float, float]] = []
    if person is not None:
        x, y = projection.xy(*person)
        if projection.contains(x, y):
            placed.append((x, y))
            person_marker = Marker(round(x, 1), round(y, 1), "", person_title, "person")
        else:
            svg.outside += 1
            person_marker = None
    # The care plan's shelter first, so it keeps its true place when others crowd it.
    for candidate in sorted(candidates, key=lambda c: c.get("kind") != "anchor"):
        x, y = projection.xy(candidate["lat"], candidate["lon"])
        if not projection.contains(x, y):
            svg.outside += 1
            continue
        shown_x, shown_y = _free_spot(x, y, placed)
        placed.append((shown_x, shown_y))
        moved = (shown_x, shown_y) != (x, y)
        svg.markers.append(Marker(round(shown_x, 1), round(shown_y, 1), candidate["label"], candidate["title"],
                                  candidate.get("kind", "candidate"), candidate.get("need"),
                                  round(x, 1) if moved else None, round(y, 1) if moved else None))
    if person is not None and person_marker is not None:
        svg.markers.append(person_marker)
    return svg


def _free_spot(x: float, y: float, placed: list[tuple[float, float]]) -> tuple[float, float]:
    """The point itself, or the nearest spot on a widening spiral around it where no marker is yet."""
    spacing = 2 * MARKER_RADIUS + 2
    for step in range(0, 60):
        if step == 0:
            spot = (x, y)
        else:
            angle = step * 2.4  # radians: the golden angle spreads spots evenly
            distance = spacing * math.sqrt(step) * 0.9
            spot = (x + distance * math.cos(angle), y + distance * math.sin(angle))
        if all(math.hypot(spot[0] - px, spot[1] - py) >= spacing for px, py in placed):
            return spot
    return x, y
