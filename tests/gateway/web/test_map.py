"""The offline map: the outline file, the projection and what is drawn."""
from __future__ import annotations

import json
from pathlib import Path

from services.gateway.web.mapview import Projection, build_map, outline_feature

STATIC = Path(__file__).resolve().parents[3] / "services" / "gateway" / "web" / "static"


def test_the_outline_is_a_small_credited_multipolygon_of_the_european_netherlands():
    path = STATIC / "nl-outline.json"
    assert path.stat().st_size < 20_000
    feature = json.loads(path.read_text())
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert "Natural Earth" in feature["properties"]["source"] and "world-atlas" in feature["properties"]["source"]
    lon_min, lat_min, lon_max, lat_max = feature["bbox"]
    assert 3.2 < lon_min < 3.5 and 7.1 < lon_max < 7.3 and 50.7 < lat_min < 50.8 and 53.4 < lat_max < 53.6
    # The Caribbean islands of the kingdom are not on this map.
    for polygon in feature["geometry"]["coordinates"]:
        for lon, lat in polygon[0]:
            assert 3 < lon < 7.5 and 50 < lat < 54


def test_places_land_where_they_belong_on_the_map():
    projection = Projection(tuple(outline_feature()["bbox"]))
    groningen, maastricht, den_helder = (projection.xy(53.219, 6.567), projection.xy(50.851, 5.691),
                                         projection.xy(52.959, 4.760))
    assert groningen[1] < den_helder[1] < maastricht[1]  # north is up
    assert den_helder[0] < maastricht[0] < groningen[0]  # east is right
    assert all(projection.contains(*point) for point in (groningen, maastricht, den_helder))


def test_circles_are_drawn_in_true_kilometres():
    projection = Projection(tuple(outline_feature()["bbox"]))
    west, _ = projection.xy(52.0, 5.0)
    east, _ = projection.xy(52.0, 5.0 + 20 / (111.32 * 0.6157))  # 20 km east at 52° north
    assert abs((east - west) - projection.km(20)) < 0.5


def test_the_map_draws_the_person_areas_and_candidates_and_counts_those_beyond_it():
    svg = build_map(person=(52.09, 5.12), person_title="here", avoid=[(51.92, 4.48, 20, "avoid")],
                    candidates=[{"lat": 52.37, "lon": 4.90, "label": "1", "title": "a"},
                                {"lat": 44.43, "lon": 26.10, "label": "2", "title": "Bucharest"}])
    assert svg.outline.startswith("M") and svg.outline.count("Z") >= 5
    assert [m.kind for m in svg.markers] == ["candidate", "person"]
    assert len(svg.circles) == 1 and svg.circles[0].r > 20
    assert svg.outside == 1


def test_markers_on_the_same_spot_are_moved_apart_with_a_line_to_the_true_spot():
    same = [{"lat": 52.37, "lon": 4.90, "label": str(n), "title": str(n)} for n in range(1, 5)]
    svg = build_map(candidates=same + [{"lat": 52.37, "lon": 4.90, "label": "5", "title": "5", "kind": "anchor"}])
    anchor = next(m for m in svg.markers if m.kind == "anchor")
    assert not anchor.moved  # the care plan's shelter keeps its true place
    others = [m for m in svg.markers if m.kind == "candidate"]
    assert all(m.moved and (m.at_x, m.at_y) == (anchor.x, anchor.y) for m in others)
    spots = [(m.x, m.y) for m in svg.markers]
    assert all(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 20 for i, a in enumerate(spots) for b in spots[i + 1:])
