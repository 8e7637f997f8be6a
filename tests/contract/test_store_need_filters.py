"""Each hard filter applies where it matters, on every store: children only where the person will live,
wheelchair access only for services delivered on site, capacity left out only when asked."""
from __future__ import annotations

from tests.contract.records import ids
from tests.contract.test_store_candidates import candidates, nearby


def test_children_with_the_person_do_not_filter_outpatient_care_or_lawyers(directory):
    clinic = directory.add(type="medical", services=["medical"], location=nearby(5),
                           eligibility={"accepts_children": False})
    lawyer = directory.add(type="legal", services=["legal"], location=nearby(6),
                           eligibility={"accepts_children": False})

    assert ids(candidates(directory, need="medical", accompanying_children=True)) == [clinic["id"]]
    assert ids(candidates(directory, need="legal", accompanying_children=True)) == [lawyer["id"]]


def test_children_with_the_person_still_filter_shelters(directory):
    family = directory.add(location=nearby(7), eligibility={"accepts_children": True})
    directory.add(location=nearby(5), eligibility={"accepts_children": False})

    assert ids(candidates(directory, need="shelter", accompanying_children=True)) == [family["id"]]


def test_a_wheelchair_user_is_served_by_remote_and_outreach_services_in_any_building(directory):
    by_phone = directory.add(type="interpreter", services=["interpreter"], delivery=["remote"], location=nearby(5))
    at_home = directory.add(type="legal", services=["interpreter"], delivery=["on_site", "outreach"],
                            location=nearby(6))
    directory.add(type="interpreter", services=["interpreter"], delivery=["on_site"], location=nearby(4))
    accessible = directory.add(type="interpreter", services=["interpreter"], location=nearby(8),
                               eligibility={"wheelchair_accessible": True})

    assert ids(candidates(directory, need="interpreter", wheelchair=True)) == [
        by_phone["id"], at_home["id"], accessible["id"]]


def test_a_place_to_live_needs_an_accessible_building_whatever_else_it_delivers(directory):
    directory.add(delivery=["on_site", "outreach"], location=nearby(5))
    accessible = directory.add(location=nearby(9), eligibility={"wheelchair_accessible": True})

    assert ids(candidates(directory, need="shelter", wheelchair=True)) == [accessible["id"]]


def test_a_provider_without_a_delivery_field_is_delivered_on_site(directory):
    record = directory.record(type="legal", services=["legal"], location=nearby(5))
    record.pop("delivery", None)
    directory.store.put_provider(record, directory.audit("provider.create", record["id"]))

    assert candidates(directory, need="legal", wheelchair=True) == []
    assert ids(candidates(directory, need="legal")) == [record["id"]]


def test_full_providers_are_candidates_only_when_free_capacity_is_not_asked_for(directory):
    full = directory.add(capacity={"available": 0}, location=nearby(5))
    held = directory.add(capacity={"available": 1}, location=nearby(6))
    directory.refer(held["id"])

    assert candidates(directory) == []
    assert ids(candidates(directory, free_only=False)) == [full["id"], held["id"]]


def test_a_provider_that_cannot_serve_one_of_the_persons_support_needs_is_never_a_candidate(directory):
    directory.add(location=nearby(5), eligibility={"cannot_serve": ["addiction"]})
    able = directory.add(location=nearby(6), eligibility={"cannot_serve": ["pregnant"]})
    general = directory.add(location=nearby(7))

    assert ids(candidates(directory, support_needs=("addiction", "lgbtqi"))) == [able["id"], general["id"]]


def test_a_categorical_shelter_takes_in_only_its_own_groups_when_the_persons_groups_are_known(directory):
    reflection = directory.add(location=nearby(5), eligibility={"target_groups": ["reflection_period_non_dutch"]})
    municipal = directory.add(location=nearby(6), eligibility={"target_groups": ["dutch_eu_adults"]})
    anyone = directory.add(location=nearby(7))

    assert ids(candidates(directory, target_groups=("dutch_eu_adults",))) == [municipal["id"], anyone["id"]]
    assert ids(candidates(directory, target_groups=())) == [anyone["id"]]
    assert ids(candidates(directory)) == [reflection["id"], municipal["id"], anyone["id"]]


def test_target_groups_do_not_filter_outpatient_care(directory):
    clinic = directory.add(type="medical", services=["medical"], location=nearby(5),
                           eligibility={"target_groups": ["complex_needs"]})

    assert ids(candidates(directory, need="medical", target_groups=("minors",))) == [clinic["id"]]
