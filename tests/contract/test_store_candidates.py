"""Candidates through the port: every hard filter of matching, areas to avoid, staleness, order."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.directory.domain.queries import Area, CandidateQuery
from services.directory.domain.rules import iso
from services.shared.geo import coarsen
from services.shared.vocabulary import MAX_AVOID_AREAS, MAX_CANDIDATE_QUERIES
from tests.contract.geo_points import corner_of_cell, km_between, point_at
from tests.contract.records import ids

PERSON = (52.37, 4.89)  # Amsterdam


def candidates(directory, need="shelter", near=PERSON, **filters):
    return directory.store.candidates(CandidateQuery(need=need, near=near, **filters), directory.clock.now)


def at(point, **location):
    return {"lat": point[0], "lon": point[1], **location}


def nearby(km: float = 10, bearing: float = 90, **location) -> dict:
    return at(point_at(PERSON, km, bearing), **location)


# -- need, status, capacity ------------------------------------------------------------------

def test_only_providers_serving_the_need_are_candidates(directory):
    shelter = directory.add(services=["shelter"], location=nearby())
    directory.add(type="legal", services=["legal"], location=nearby())
    assert ids(candidates(directory, need="shelter")) == [shelter["id"]]


@pytest.mark.parametrize("status", ["inactive", "temporarily_closed"])
def test_providers_that_are_not_active_are_never_candidates(directory, status):
    directory.add(status=status, location=nearby())
    assert candidates(directory) == []


def test_providers_with_nothing_free_are_not_candidates(directory):
    directory.add(capacity={"available": 0}, location=nearby())
    free = directory.add(capacity={"available": 1}, location=nearby(20))
    assert ids(candidates(directory)) == [free["id"]]


def test_pending_holds_use_up_free_capacity_for_matching(directory):
    held = directory.add(capacity={"available": 1}, location=nearby(5))
    spare = directory.add(capacity={"available": 2}, location=nearby(6))
    directory.refer(held["id"])
    directory.refer(spare["id"])
    assert ids(candidates(directory)) == [spare["id"]]


def test_an_expired_hold_gives_the_unit_back_to_matching(directory):
    held = directory.add(capacity={"available": 1}, location=nearby())
    directory.refer(held["id"], minutes=60)
    assert candidates(directory) == []
    directory.clock.advance(minutes=60)
    assert ids(candidates(directory)) == [held["id"]]


# -- the person's attributes -----------------------------------------------------------------

def test_gender_must_be_accepted(directory):
    women = directory.add(eligibility={"genders": ["female"]}, location=nearby(5))
    men = directory.add(eligibility={"genders": ["male"]}, location=nearby(6))
    assert ids(candidates(directory, gender="female")) == [women["id"]]
    assert ids(candidates(directory, gender="male")) == [men["id"]]
    assert ids(candidates(directory)) == [women["id"], men["id"]]


@pytest.mark.parametrize(("age", "found"), [(15, False), (16, True), (17, True), (18, False)])
def test_age_must_be_within_the_range_with_both_ends_included(directory, age, found):
    minors = directory.add(eligibility={"min_age": 16, "max_age": 17}, location=nearby())
    assert (ids(candidates(directory, age=age)) == [minors["id"]]) is found


def test_accompanying_children_need_a_provider_that_accepts_them(directory):
    with_children = directory.add(eligibility={"accepts_children": True}, location=nearby(5))
    adults_only = directory.add(eligibility={"accepts_children": False}, location=nearby(6))
    assert ids(candidates(directory, accompanying_children=True)) == [with_children["id"]]
    assert ids(candidates(directory)) == [with_children["id"], adults_only["id"]]


def test_a_wheelchair_needs_an_accessible_provider(directory):
    accessible = directory.add(eligibility={"wheelchair_accessible": True}, location=nearby(5))
    directory.add(eligibility={"wheelchair_accessible": False}, location=nearby(6))
    assert ids(candidates(directory, wheelchair=True)) == [accessible["id"]]


def test_residence_status_must_be_accepted_and_an_empty_list_accepts_all(directory):
    any_status = directory.add(eligibility={"residence_statuses": []}, location=nearby(5))
    eu_only = directory.add(eligibility={"residence_statuses": ["eu", "dutch"]}, location=nearby(6))
    permit = directory.add(eligibility={"residence_statuses": ["reflection_period"]}, location=nearby(7))
    assert ids(candidates(directory, residence_status="eu")) == [any_status["id"], eu_only["id"]]
    assert ids(candidates(directory, residence_status="reflection_period")) == [any_status["id"], permit["id"]]
    assert ids(candidates(directory, residence_status="undocumented")) == [any_status["id"]]
    assert ids(candidates(directory)) == [any_status["id"], eu_only["id"], permit["id"]]


def test_repatriation_needs_the_return_country_served(directory):
    to_romania = directory.add(type="repatriation", services=["repatriation"],
                               eligibility={"countries": ["RO", "BG"]}, location=nearby(5))
    to_nigeria = directory.add(type="repatriation", services=["repatriation"],
                               eligibility={"countries": ["NG"]}, location=nearby(6))
    assert ids(candidates(directory, need="repatriation", return_country="BG")) == [to_romania["id"]]
    assert ids(candidates(directory, need="repatriation", return_country="NG")) == [to_nigeria["id"]]
    assert candidates(directory, need="repatriation", return_country="VN") == []


def test_the_return_country_does_not_restrict_other_needs(directory):
    shelter = directory.add(eligibility={"countries": []}, location=nearby())
    assert ids(candidates(directory, need="shelter", return_country="RO")) == [shelter["id"]]


# -- distance --------------------------------------------------------------------------------

def test_candidates_come_nearest_first_with_their_distance(directory):
    added = {km: directory.add(location=nearby(km, bearing=40 * km)) for km in (30, 2, 11, 70)}
    found = candidates(directory)
    assert ids(found) == [added[km]["id"] for km in (2, 11, 30, 70)]
    assert [round(d) for _, d in found] == [2, 11, 30, 70]


def test_equally_near_candidates_are_ordered_by_id(directory):
    place = nearby(12)
    added = sorted(directory.add(location=place)["id"] for _ in range(5))
    assert ids(candidates(directory)) == added


def test_the_maximum_distance_is_inclusive_and_leaves_out_anything_beyond(directory):
    point = point_at(PERSON, 40, 135)
    edge = directory.add(location=at(point))
    directory.add(location=nearby(60))
    exact = km_between(point, PERSON)
    assert ids(candidates(directory, max_distance_km=exact + 0.001)) == [edge["id"]]
    assert candidates(directory, max_distance_km=exact - 0.001) == []


def test_distant_providers_are_found_when_nothing_is_near(directory):
    groningen = directory.add(location={"lat": 53.2194, "lon": 6.5665, "municipality": "Groningen"})
    maastricht = directory.add(location={"lat": 50.8514, "lon": 5.6910, "municipality": "Maastricht"})
    assert ids(candidates(directory)) == [groningen["id"], maastricht["id"]]


def test_the_limit_keeps_the_nearest(directory):
    near = [directory.add(location=nearby(km))["id"] for km in (3, 6, 9)]
    far = [directory.add(location=nearby(km, bearing=180))["id"] for km in (150, 120)]
    assert ids(candidates(directory, limit=4)) == near + [far[1]]
    assert ids(candidates(directory, limit=2)) == near[:2]


def test_a_confidential_candidate_is_at_its_coarse_distance(directory):
    exact = corner_of_cell(*point_at(PERSON, 20, 0))
    directory.add(location=at(exact, confidential=True))
    [(_, distance)] = candidates(directory)
    assert distance == pytest.approx(km_between(coarsen(*exact), PERSON), abs=0.01)


def test_the_maximum_distance_is_measured_to_the_coarse_point_of_a_confidential_provider(directory):
    exact = corner_of_cell(*point_at(PERSON, 20, 0))
    hidden = directory.add(location=at(exact, confidential=True))
    coarse_km, exact_km = km_between(coarsen(*exact), PERSON), km_between(exact, PERSON)
    assert abs(coarse_km - exact_km) > 1
    assert ids(candidates(directory, max_distance_km=coarse_km + 0.01)) == [hidden["id"]]
    assert candidates(directory, max_distance_km=coarse_km - 0.01) == []


# -- areas to avoid --------------------------------------------------------------------------

def test_a_provider_inside_an_area_to_avoid_is_never_a_candidate_even_when_nearest(directory):
    exploiter = point_at(PERSON, 8, 270)
    inside = directory.add(location=at(point_at(exploiter, 1, 0)))
    outside = directory.add(location=nearby(40))
    found = candidates(directory, avoid=(Area(exploiter[0], exploiter[1], 5.0),))
    assert ids(found) == [outside["id"]]
    assert inside["id"] not in ids(candidates(directory, avoid=(Area(exploiter[0], exploiter[1], 5.0),), limit=1000))


def test_every_area_to_avoid_is_applied(directory):
    first, second = point_at(PERSON, 10, 0), point_at(PERSON, 10, 180)
    directory.add(location=at(first))
    directory.add(location=at(second))
    kept = directory.add(location=nearby(10, bearing=90))
    areas = (Area(*first, radius_km=2), Area(*second, radius_km=2))
    assert ids(candidates(directory, avoid=areas)) == [kept["id"]]


def test_a_confidential_provider_whose_exact_point_is_in_an_area_to_avoid_is_left_out(directory):
    exact = corner_of_cell(*point_at(PERSON, 15, 0))
    directory.add(location=at(exact, confidential=True))
    assert km_between(exact, coarsen(*exact)) > 3
    assert candidates(directory, avoid=(Area(*exact, radius_km=1.0),)) == []


def test_a_confidential_provider_whose_coarse_point_is_in_an_area_to_avoid_is_left_out(directory):
    exact = corner_of_cell(*point_at(PERSON, 15, 0))
    directory.add(location=at(exact, confidential=True))
    assert candidates(directory, avoid=(Area(*coarsen(*exact), radius_km=1.0),)) == []


def test_an_area_to_avoid_elsewhere_leaves_candidates_alone(directory):
    kept = directory.add(location=nearby(5))
    far_away = point_at(PERSON, 100, 180)
    assert ids(candidates(directory, avoid=(Area(*far_away, radius_km=20),))) == [kept["id"]]


# -- staleness -------------------------------------------------------------------------------

def test_capacity_reported_more_than_seven_days_ago_is_left_out_unless_asked_for(directory):
    now = directory.clock.now
    old = directory.add(capacity={"updated": iso(now - timedelta(days=7, minutes=1))}, location=nearby(5))
    fresh = directory.add(capacity={"updated": iso(now - timedelta(days=6, hours=23))}, location=nearby(6))
    assert ids(candidates(directory)) == [fresh["id"]]
    assert ids(candidates(directory, include_stale=True)) == [old["id"], fresh["id"]]


def test_a_capacity_report_brings_a_stale_provider_back(directory):
    stale = directory.add(location=nearby())
    directory.clock.advance(days=8)
    assert candidates(directory) == []
    directory.store.set_capacity(stale["id"], 2, None, directory.clock.now, directory.audit())
    assert ids(candidates(directory)) == [stale["id"]]


def test_every_hard_filter_together_leaves_the_one_provider_that_passes_them_all(directory):
    exploiter = point_at(PERSON, 3, 0)
    eligibility = {"genders": ["female"], "min_age": 18, "max_age": 30, "accepts_children": True,
                   "wheelchair_accessible": True, "residence_statuses": ["reflection_period"]}
    best = directory.add(eligibility=eligibility, location=nearby(25))
    directory.add(eligibility=eligibility, location=at(point_at(exploiter, 1, 90)))
    directory.add(eligibility={**eligibility, "accepts_children": False}, location=nearby(10))
    directory.add(eligibility={**eligibility, "max_age": 20}, location=nearby(10))
    directory.add(eligibility=eligibility, location=nearby(80))
    found = candidates(directory, gender="female", age=24, accompanying_children=True, wheelchair=True,
                       residence_status="reflection_period", max_distance_km=50,
                       avoid=(Area(*exploiter, radius_km=4),))
    assert ids(found) == [best["id"]]


# -- several queries at once -----------------------------------------------------------------

def test_several_queries_at_once_answer_each_as_it_is_answered_alone(directory):
    exploiter = point_at(PERSON, 12, 0)
    shelter = directory.add(services=["shelter"], location=nearby(6))
    directory.add(services=["shelter"], location=at(point_at(exploiter, 2, 90)))  # inside the area to avoid
    lawyer = directory.add(type="legal", services=["legal"], location=nearby(20, bearing=180))
    far_lawyer = directory.add(type="legal", services=["legal"], location=nearby(90, bearing=180))
    clinic = directory.add(type="medical", services=["medical"], location=nearby(3, bearing=270))
    returner = directory.add(type="repatriation", services=["repatriation"], location=nearby(30),
                             eligibility={"countries": ["NG"]})
    avoid = (Area(*exploiter, radius_km=5.0),)
    elsewhere = point_at(PERSON, 60, 180)
    queries = [
        CandidateQuery(need="shelter", near=PERSON, avoid=avoid),
        CandidateQuery(need="legal", near=PERSON, avoid=avoid),
        CandidateQuery(need="legal", near=PERSON, avoid=avoid, max_distance_km=50),
        CandidateQuery(need="legal", near=elsewhere, avoid=avoid, limit=1),
        CandidateQuery(need="medical", near=PERSON, avoid=avoid),
        CandidateQuery(need="repatriation", near=PERSON),  # no country to return to: nobody
        CandidateQuery(need="repatriation", near=PERSON, return_country="NG"),
        CandidateQuery(need="shelter", near=PERSON, avoid=avoid),  # asked twice, answered twice
        CandidateQuery(need="interpreter", near=PERSON),
    ]
    now = directory.clock.now

    together = directory.store.candidates_many(queries, now)

    assert together == [directory.store.candidates(query, now) for query in queries]
    assert [ids(found) for found in together] == [
        [shelter["id"]], [lawyer["id"], far_lawyer["id"]], [lawyer["id"]], [far_lawyer["id"]], [clinic["id"]],
        [], [returner["id"]], [shelter["id"]], []]
    assert directory.store.candidates_many([], now) == []


def test_a_full_batch_with_every_area_to_avoid_each_person_may_give_is_answered(directory):
    # 20 queries x (10 areas x 2 points + 1 maximum distance) = 420 distinct circles in one batch.
    kept = directory.add(location=nearby(5))
    avoided = directory.add(location=at(point_at(PERSON, 30, 0)))
    queries = [CandidateQuery(need="shelter", near=PERSON, max_distance_km=100 + number,
                              avoid=tuple(Area(*point_at(PERSON, 30 + area, 0), radius_km=1.5 + number / 100)
                                          for area in range(MAX_AVOID_AREAS)))
               for number in range(MAX_CANDIDATE_QUERIES)]

    together = directory.store.candidates_many(queries, directory.clock.now)

    assert [ids(found) for found in together] == [[kept["id"]]] * MAX_CANDIDATE_QUERIES
    assert avoided["id"] not in {provider_id for found in together for provider_id in ids(found)}
