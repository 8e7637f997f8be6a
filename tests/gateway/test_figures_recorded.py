"""Unmet needs, group placements and capacity history recorded by real matches and the directory's daily sweep,
over real HTTP between gunicorn-served services, on each store; read back through GET /api/v1/stats."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services.gateway.figures import SUPPRESSED
from services.directory.store.search_engine import SearchEngineDirectoryStore
from tests.support.havens import haven_on
from tests.support.stack import sqlite_rows

pytestmark = pytest.mark.integration

PERSON = {"languages": ["nl", "en"], "gender": "female", "age": 30}
MET = dict(PERSON, needs=["shelter"], location={"place": "Utrecht"})
# Everything within 40 km of Groningen lies inside the area to avoid: nobody can be offered.
UNMET = dict(PERSON, needs=["legal"], location={"place": "Groningen"}, max_distance_km=40,
             avoid=[{"place": "Groningen", "radius_km": 60}])
GROUP = {"need": "shelter", "people": [dict(PERSON, location={"place": "Utrecht"}),
                                       dict(PERSON, location={"place": "Amersfoort"})]}
MET_MATCHES, UNMET_MATCHES, GROUPS = 12, 5, 5
EXPECTED_BY_NEED = [
    {"need": "legal", "matches": UNMET_MATCHES, "unmet": UNMET_MATCHES, "unmet_percent": 100},
    {"need": "shelter", "matches": MET_MATCHES, "unmet": SUPPRESSED, "unmet_percent": SUPPRESSED}]


def _stats(haven) -> dict:
    answer = requests.get(f"{haven.api}/stats", headers=haven.auth("admin"), timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()


def _poll(predicate, *, message: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, message
        time.sleep(0.3)
    return value


@pytest.fixture(scope="module", params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def haven(request, tmp_path_factory):
    with haven_on(request.param, tmp_path_factory.mktemp(f"figures-{request.param}")) as stack:
        stack.kind = request.param
        yield stack


def test_matches_made_side_by_side_are_each_counted_by_need_and_province_and_none_is_lost(haven):
    caseworker = haven.auth("caseworker")

    def post(path_and_body):
        path, body = path_and_body
        answer = requests.post(f"{haven.api}{path}", json=body, headers=caseworker, timeout=120)
        assert answer.status_code == 200, answer.text[:300]
        return answer.json()

    asked = ([("/matches", MET)] * MET_MATCHES + [("/matches", UNMET)] * UNMET_MATCHES
             + [("/matches/group", GROUP)] * GROUPS)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(post, asked))
    assert all(answer["results"][0]["candidates"] for answer in answers[:MET_MATCHES])
    assert all(answer["unmet"] for answer in answers[MET_MATCHES:MET_MATCHES + UNMET_MATCHES])
    unplaced = sum(len(answer["unassigned"]) for answer in answers[-GROUPS:])

    # The matcher counts once each answer has gone out: wait until every count has arrived (a lost one never does).
    figures = _poll(lambda: (found := _stats(haven))["unmet_needs"]["by_need"] == EXPECTED_BY_NEED
                    and found["group_placements"]["by_need"][:1] and found["group_placements"]["by_need"][0]["groups"]
                    == GROUPS and found, message="the matches were not all counted")
    unmet = figures["unmet_needs"]
    assert unmet["by_need"] == EXPECTED_BY_NEED
    assert unmet["by_region"] == [
        {"region": "Groningen", "matches": UNMET_MATCHES, "unmet": UNMET_MATCHES, "unmet_percent": 100},
        {"region": "Utrecht", "matches": MET_MATCHES, "unmet": SUPPRESSED, "unmet_percent": SUPPRESSED}]
    assert [row["matches"] for row in unmet["by_week"]] in ([MET_MATCHES + UNMET_MATCHES],
                                                            [SUPPRESSED, SUPPRESSED])  # unless a week ended between
    groups = figures["group_placements"]["by_need"]
    assert groups == [{"need": "shelter", "groups": GROUPS, "people": 2 * GROUPS,
                       "unplaced": unplaced if unplaced >= 5 else SUPPRESSED,
                       "unplaced_percent": SUPPRESSED if unplaced < 5 else round(100 * unplaced / (2 * GROUPS))}]
    assert "unmet_needs" not in figures["not_recorded"]


def _need_count_rows(haven) -> list[dict]:
    """Every stored row of the unmet-need counters, read from the store itself."""
    if haven.kind == "sqlite":
        return [dict(row) for row in sqlite_rows(haven.folder / "haven.db", "SELECT * FROM need_counts")]
    store = SearchEngineDirectoryStore.from_url(haven.store_url)
    try:
        alias = store.names.alias("need_counts")
        store.client.refresh(alias)
        hits = store.client.search(alias, {"query": {"match_all": {}}, "size": 1000})["hits"]["hits"]
        return [hit["_source"] for hit in hits]
    finally:
        store.close()


def test_the_store_keeps_only_week_need_province_and_counts(haven):
    rows = _need_count_rows(haven)
    assert rows and set(rows[0].keys()) == {"week", "need", "region", "matches", "unmet", "groups", "group_people",
                                            "group_unplaced"}
    assert {row["region"] for row in rows} <= {"Utrecht", "Groningen"}


def test_the_directory_records_each_regions_capacity_once_a_day_and_the_figures_show_it_by_week(haven):
    figures = _poll(lambda: (found := _stats(haven))["capacity_by_week"] and found,
                    message="the directory's sweep recorded no capacity day")
    now = {row["region"]: row for row in figures["capacity_by_region"]}
    weekly = figures["capacity_by_week"]
    assert {row["region"] for row in weekly} == set(now)
    for row in weekly:
        assert row["first_day"] == row["last_day"]  # one day recorded so far
        today = now[row["region"]]
        assert {key: row[key] for key in ("providers", "units", "in_use", "occupancy_percent")} == {
            key: today[key] for key in ("providers", "units", "in_use", "occupancy_percent")}
    assert any(isinstance(row["occupancy_percent"], int) for row in weekly)
    assert any(row["providers"] == SUPPRESSED for row in weekly)  # the demo has regions of two providers
