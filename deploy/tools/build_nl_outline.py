"""Build services/gateway/web/static/nl-outline.json, the offline outline of the Netherlands.

Source: `countries-10m.json` (TopoJSON) of the npm package world-atlas, a redistribution of
Natural Earth's 1:10m Admin 0 boundaries. Get it without installing anything globally:

    cd "$(mktemp -d)" && npm pack world-atlas && tar xzf world-atlas-*.tgz
    python deploy/tools/build_nl_outline.py package/countries-10m.json

Only the European part is kept (the Caribbean islands of the country lie far outside the map), small
islets are dropped and every ring is simplified, so the file stays a few kilobytes.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[2] / "services" / "gateway" / "web" / "static" / "nl-outline.json"
COUNTRY_ID = "528"  # ISO 3166-1 numeric: the Netherlands
EUROPE = (3.0, 50.6, 7.4, 53.8)  # lon_min, lat_min, lon_max, lat_max
SOURCE = ("Natural Earth 1:10m Admin 0 countries (public domain), via the npm package "
          "world-atlas {version} (ISC licence, Copyright 2013-2019 Michael Bostock)")


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (TopoJSON arcs are quantised and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join a ring's arcs; a negative index (~i) means arc i reversed; shared end points appear once."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on a closed ring, iterative so long coastlines do not hit the recursion limit."""
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1)
        far, far_distance = None, tolerance
        for i in range(first + 1, last):
            x0, y0 = points[i]
            if length == 0:
                distance = math.hypot(x0 - x1, y0 - y1)
            else:
                distance = abs((x2 - x1) * (y1 - y0) - (x1 - x0) * (y2 - y1)) / length
            if distance > far_distance:
                far, far_distance = i, distance
        if far is not None:
            keep[far] = True
            stack.extend(((first, far), (far, last)))
    return [point for point, kept in zip(points, keep) if kept]


def ring_area(points: list[tuple[float, float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]))) / 2


def inside(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> bool:
    return all(box[0] <= x <= box[2] and box[1] <= y <= box[3] for x, y in points)


def build(topology: dict, version: str, tolerance: float, min_area: float) -> dict:
    arcs = decode_arcs(topology)
    country = next(g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == COUNTRY_ID)
    polygons = country["arcs"] if country["type"] == "MultiPolygon" else [country["arcs"]]
    kept = []
    for polygon in polygons:
        outer = ring_points(polygon[0], arcs)
        # Only the European part; islets smaller than min_area (square degrees) would be specks.
        if not inside(outer, EUROPE) or ring_area(outer) < min_area:
            continue
        rings = [simplify(ring_points(ring, arcs), tolerance) for ring in polygon]
        rings = [[[round(x, 4), round(y, 4)] for x, y in ring] for ring in rings if len(ring) >= 4]
        if rings:
            kept.append(rings)
    xs = [x for polygon in kept for ring in polygon for x, _ in ring]
    ys = [y for polygon in kept for ring in polygon for _, y in ring]
    return {
        "type": "Feature",
        "properties": {"name": "Nederland", "iso_a3": "NLD", "source": SOURCE.format(version=version),
                       "simplified_degrees": tolerance},
        "bbox": [min(xs), min(ys), max(xs), max(ys)],
        "geometry": {"type": "MultiPolygon", "coordinates": kept},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="countries-10m.json from the world-atlas package")
    parser.add_argument("--version", default="2.0.2", help="world-atlas version, for the credit line")
    parser.add_argument("--tolerance", type=float, default=0.004, help="simplification, in degrees")
    parser.add_argument("--min-area", type=float, default=0.0015, help="smallest island kept, square degrees")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    feature = build(json.loads(args.topojson.read_text()), args.version, args.tolerance, args.min_area)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(feature, separators=(",", ":")) + "\n")
    points = sum(len(ring) for polygon in feature["geometry"]["coordinates"] for ring in polygon)
    print(f"{args.output}: {len(feature['geometry']['coordinates'])} polygons, {points} points, "
          f"{args.output.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
