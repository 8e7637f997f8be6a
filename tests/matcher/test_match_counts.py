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


MATCH = {"needs": ["shelter", "legal"], "languages": ["nl"], "location": {"lat": 52.0907, "lon": 5.1214},
         "avoid": [{"lat": 52.0907, "lon": 5.1214, "radius_km": 60}], "max_distance_km": 40}


@pytest.mark.integration
def test_a_match_is_counted_at_the_directory_when_the_waiting_rows_are_sent(matcher, admin):
    answer = matcher.post("/matches", MATCH)
    assert answer.status_code == 200 and {item["need"] for item in answer.json["unmet"]} == {"shelter", "legal"}
    assert admin.get("/figures").json["need_counts"] == []  # waiting in the matcher until they are sent

    assert matcher.app.extensions["haven"].tally.send() == 1

    counted = {(row["need"], row["region"]): (row["matches"], row["unmet"])
               for row in admin.get("/figures").json["need_counts"]}
    assert counted == {("shelter", "Utrecht"): (1, 1), ("legal", "Utrecht"): (1, 1)}


@pytest.mark.integration
def test_the_rows_of_many_matches_go_in_one_request_per_caller_and_add_up(matcher, admin):
    other = matcher.as_role("caseworker", subject="another caseworker")
    for client in [matcher] * 3 + [other] * 2:
        assert client.post("/matches", MATCH).status_code == 200
    assert matcher.post("/matches/group", {"need": "shelter", "people": [
        {"languages": ["nl"], "location": {"lat": 52.0907, "lon": 5.1214}}]}).status_code == 200

    assert matcher.app.extensions["haven"].tally.send() == 2  # two callers
    assert matcher.app.extensions["haven"].tally.send() == 0  # nothing is sent twice

    counted = {(row["need"], row["region"]): (row["matches"], row["unmet"], row["groups"])
               for row in admin.get("/figures").json["need_counts"]}
    assert counted == {("shelter", "Utrecht"): (5, 5, 1), ("legal", "Utrecht"): (5, 5, 0)}


@pytest.mark.integration
def test_a_count_the_directory_cannot_take_is_logged_and_the_match_is_answered_all_the_same(
        matcher, admin, sqlite_store, caplog):
    with sqlite_store.file.transaction() as conn:
        conn.execute("DROP TABLE need_counts")  # the directory fails to store any count

    answer = matcher.post("/matches", MATCH)
    assert matcher.app.extensions["haven"].tally.send() == 0

    assert answer.status_code == 200 and answer.json["unmet"]
    assert any(record.getMessage() == "match outcome not counted" and record.status == 500
               for record in caplog.records)
