"""What a match leaves behind for the figures: need, province and whether it was met, nothing else."""
from __future__ import annotations

import pytest

from services.matcher.domain.geo import Point
from services.matcher.figures import NO_REGION, group_counts, match_counts, province_at


@pytest.mark.parametrize("lat, lon, province", [
    (52.0907, 5.1214, "Utrecht"), (53.2194, 6.5665, "Groningen"), (51.4416, 5.4697, "Noord-Brabant"),
    (50.8514, 5.6910, "Limburg"), (51.4988, 3.6110, "Zeeland"), (52.5185, 5.4714, "Flevoland"),
    (48.8566, 2.3522, NO_REGION), (54.5, 4.0, NO_REGION)])
def test_a_point_counts_in_its_province_and_outside_the_netherlands_in_none(lat, lon, province):
    assert province_at(Point(lat, lon)) == province


def test_each_need_asked_counts_once_and_a_need_the_matcher_added_does_not():
    answer = {"results": [], "unmet": [{"need": "legal"}, {"need": "interpreter"}]}
    counts = match_counts(Point(52.0907, 5.1214), ["shelter", "legal"], answer)
    assert counts == [{"need": "shelter", "region": "Utrecht", "matches": 1, "unmet": 0},
                      {"need": "legal", "region": "Utrecht", "matches": 1, "unmet": 1}]


def test_a_group_counts_once_with_its_people_and_those_left_without_a_place():
    counts = group_counts(Point(53.2194, 6.5665), "shelter", 4, {"unassigned": [{"person": 3}]})
    assert counts == [{"need": "shelter", "region": "Groningen", "groups": 1, "group_people": 4,
                       "group_unplaced": 1}]
