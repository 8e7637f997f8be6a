"""A family holds as many beds as it has people, on every store, and no store ever overbooks for it."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.directory.domain.referrals import NoCapacity
from services.shared.capacity import free_units
from tests.contract.records import ids
from tests.contract.test_store_candidates import candidates, nearby


def capacity(directory, provider_id):
    return directory.get(provider_id)["capacity"]


def test_a_mother_with_two_children_holds_three_beds(directory):
    shelter = directory.add(capacity={"available": 4})

    referral = directory.refer(shelter["id"], units=3)

    assert directory.store.get_referral(referral.id).units == 3
    assert capacity(directory, shelter["id"])["held"] == 3
    assert free_units(4, capacity(directory, shelter["id"])["held"]) == 1


def test_a_family_larger_than_the_free_beds_holds_nothing(directory):
    shelter = directory.add(capacity={"available": 2})

    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"], units=3)

    assert capacity(directory, shelter["id"])["held"] == 0
    directory.refer(shelter["id"], units=2)
    assert capacity(directory, shelter["id"])["held"] == 2


def test_accepting_a_family_uses_all_its_beds_and_declining_gives_them_back(directory):
    shelter = directory.add(capacity={"available": 5})
    accepted = directory.refer(shelter["id"], units=3)
    declined = directory.refer(shelter["id"], units=2)

    directory.move(accepted.id, "accepted")
    directory.move(declined.id, "declined")

    assert capacity(directory, shelter["id"])["available"] == 2
    assert capacity(directory, shelter["id"])["held"] == 0


def test_a_family_on_hold_takes_the_shelter_out_of_matching_when_no_bed_is_left(directory):
    shelter = directory.add(capacity={"available": 3}, location=nearby(5))
    directory.refer(shelter["id"], units=3)

    assert candidates(directory) == []
    assert ids(candidates(directory, free_only=False)) == [shelter["id"]]


def test_concurrent_family_referrals_never_hold_more_beds_than_are_free(directory):
    shelter = directory.add(capacity={"available": 7})
    barrier = threading.Barrier(20)

    def attempt(n):
        barrier.wait(timeout=10)
        try:
            directory.refer(shelter["id"], case_reference=f"family-{n}", units=2 + n % 2)
            return 2 + n % 2
        except NoCapacity:
            return 0

    with ThreadPoolExecutor(max_workers=20) as pool:
        held = list(pool.map(attempt, range(20)))

    assert sum(held) <= 7
    assert capacity(directory, shelter["id"])["held"] == sum(held)
    # Whatever order they came in, no family that still fitted was turned away.
    assert 7 - sum(held) < 2
