"""Capacity per service (HSDS service_capacity) through the port: a need with its own pool holds, uses,
reports and gives back units of that pool only; every other need draws on the main capacity."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from services.directory.domain.queries import CandidateQuery, SearchQuery
from services.directory.domain.referrals import NoCapacity, Referral, hold_until
from services.directory.domain.rules import iso
from services.directory.domain.versions import MaximumBelowAvailable, NoSuchPool
from tests.contract.records import ids


def shelter_with_care(directory, *, beds: int = 3, care: int = 2, **overrides):
    """A shelter that also offers medical care, its care places counted apart from its beds."""
    return directory.add(services=["shelter", "medical", "legal"], capacity={"available": beds, "maximum": 10},
                         service_capacity={"medical": {"available": care, "maximum": 4, "unit": "appointment",
                                                       "updated": iso(directory.clock.now)}}, **overrides)


def pools(directory, provider_id):
    """(beds available, beds held, care available, care held) as the store reads them."""
    record = directory.get(provider_id)
    care = record["service_capacity"]["medical"]
    return record["capacity"]["available"], record["capacity"]["held"], care["available"], care["held"]


def near(record):
    return record["location"]["lat"], record["location"]["lon"]


def test_a_medical_referral_to_a_shelter_with_care_leaves_its_beds_alone(directory):
    shelter = shelter_with_care(directory)

    referral = directory.refer(shelter["id"], need="medical")

    assert pools(directory, shelter["id"]) == (3, 0, 2, 1)
    directory.clock.advance(minutes=5)
    directory.move(referral.id, "accepted")
    assert pools(directory, shelter["id"]) == (3, 0, 1, 0)
    record = directory.get(shelter["id"])
    assert record["service_capacity"]["medical"]["updated"] == iso(directory.clock.now)
    assert record["capacity"]["updated"] != iso(directory.clock.now)


def test_a_need_without_its_own_pool_draws_on_the_main_capacity(directory):
    shelter = shelter_with_care(directory)

    directory.refer(shelter["id"], need="shelter")
    legal = directory.refer(shelter["id"], need="legal")
    assert pools(directory, shelter["id"]) == (3, 2, 2, 0)

    directory.move(legal.id, "accepted")
    assert pools(directory, shelter["id"]) == (2, 1, 2, 0)


@pytest.mark.parametrize("to_status", ["declined", "cancelled"])
def test_declining_or_cancelling_gives_the_unit_back_to_its_own_pool(directory, to_status):
    shelter = shelter_with_care(directory, care=1)
    referral = directory.refer(shelter["id"], need="medical")
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"], need="medical")

    directory.move(referral.id, to_status)

    assert pools(directory, shelter["id"]) == (3, 0, 1, 0)
    directory.refer(shelter["id"], need="medical")


def test_an_expired_hold_gives_its_unit_back_to_its_own_pool(directory):
    shelter = shelter_with_care(directory, care=1)
    directory.refer(shelter["id"], need="medical", minutes=30)
    directory.refer(shelter["id"], need="shelter", minutes=120)
    directory.clock.advance(minutes=31)

    assert pools(directory, shelter["id"]) == (3, 1, 1, 0)
    assert directory.store.expire_referrals(directory.clock.now) == 1
    assert pools(directory, shelter["id"]) == (3, 1, 1, 0)
    directory.refer(shelter["id"], need="medical")


def test_a_full_care_pool_refuses_care_while_beds_are_free_and_the_other_way_round(directory):
    shelter = shelter_with_care(directory, beds=0, care=1)

    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"], need="shelter")
    directory.refer(shelter["id"], need="medical")
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"], need="medical")
    assert pools(directory, shelter["id"]) == (0, 0, 1, 1)


def test_racing_referrals_on_one_pool_never_overbook_it_and_leave_the_other_alone(directory):
    shelter = shelter_with_care(directory, beds=4, care=3)
    barrier = threading.Barrier(24)

    def attempt(n):
        barrier.wait(timeout=10)
        try:
            directory.refer(shelter["id"], need="medical", case_reference=f"race-{n}")
            return True
        except NoCapacity:
            return False

    with ThreadPoolExecutor(max_workers=24) as pool:
        outcomes = list(pool.map(attempt, range(24)))

    assert outcomes.count(True) == 3
    assert pools(directory, shelter["id"]) == (4, 0, 3, 3)
    for n in range(4):
        directory.refer(shelter["id"], need="shelter", case_reference=f"bed-{n}")
    assert pools(directory, shelter["id"]) == (4, 4, 3, 3)


def test_a_capacity_report_names_the_pool_it_counts(directory):
    shelter = shelter_with_care(directory)
    directory.refer(shelter["id"], need="medical")
    directory.clock.advance(hours=1)

    reported = directory.store.set_capacity(shelter["id"], 4, None, directory.clock.now,
                                            directory.audit("capacity.update", shelter["id"]), need="medical")

    care = reported["service_capacity"]["medical"]
    assert (care["available"], care["maximum"], care["held"], care["updated"]) == (4, 4, 1, iso(directory.clock.now))
    assert reported["capacity"]["available"] == 3
    assert reported["capacity"]["updated"] == shelter["capacity"]["updated"]
    assert reported["version"] == shelter["version"] + 1

    main = directory.store.set_capacity(shelter["id"], 7, 12, directory.clock.now,
                                        directory.audit("capacity.update", shelter["id"]))
    assert (main["capacity"]["available"], main["capacity"]["maximum"]) == (7, 12)
    assert main["service_capacity"]["medical"]["available"] == 4


def test_a_report_for_a_need_without_its_own_pool_writes_nothing(directory):
    shelter = shelter_with_care(directory)
    before = directory.audit_count()

    with pytest.raises(NoSuchPool):
        directory.store.set_capacity(shelter["id"], 1, None, directory.clock.now,
                                     directory.audit("capacity.update", shelter["id"]), need="legal")

    assert directory.get(shelter["id"])["version"] == shelter["version"]
    assert directory.audit_count() == before


def test_an_edit_keeps_every_pool_live_count_and_may_add_or_remove_a_pool(directory):
    shelter = shelter_with_care(directory)
    directory.refer(shelter["id"], need="medical")
    edit = directory.record(id=shelter["id"], services=["shelter", "medical", "legal"],
                            capacity={"available": 9, "maximum": 10, "updated": "2020-01-01T00:00:00+00:00"},
                            service_capacity={
                                "medical": {"available": 0, "maximum": 3, "unit": "appointment",
                                            "updated": "2020-01-01T00:00:00+00:00"},
                                "legal": {"available": 2, "maximum": 2, "unit": "appointment",
                                          "updated": iso(directory.clock.now)}})

    stored = directory.store.put_provider(edit, directory.audit("provider.update", shelter["id"]))

    assert stored["capacity"]["available"] == 3
    care = stored["service_capacity"]["medical"]
    assert (care["available"], care["maximum"], care["held"]) == (2, 3, 1)
    assert care["updated"] == shelter["service_capacity"]["medical"]["updated"]
    assert stored["service_capacity"]["legal"]["available"] == 2

    without = directory.record(id=shelter["id"], services=["shelter", "medical", "legal"])
    stored = directory.store.put_provider(without, directory.audit("provider.update", shelter["id"]))
    assert not stored.get("service_capacity")
    # The pending medical referral draws on the main pool now that care has no pool of its own.
    assert stored["capacity"]["held"] == 1


def test_an_edit_cannot_set_a_pool_maximum_below_its_available_units(directory):
    shelter = shelter_with_care(directory, care=2)
    edit = directory.record(id=shelter["id"], services=["shelter", "medical", "legal"],
                            service_capacity={"medical": {"available": 0, "maximum": 1, "unit": "appointment",
                                                          "updated": iso(directory.clock.now)}})

    with pytest.raises(MaximumBelowAvailable) as raised:
        directory.store.put_provider(edit, directory.audit("provider.update", shelter["id"]))

    assert raised.value.field == "service_capacity.medical.maximum"
    assert directory.get(shelter["id"])["version"] == shelter["version"]


def test_candidates_are_free_and_fresh_by_the_pool_of_their_need(directory):
    full_beds = shelter_with_care(directory, beds=0, care=2, name="Beds full")
    full_care = shelter_with_care(directory, beds=2, care=0, name="Care full")
    point = near(full_beds)

    def found(need, **query):
        return ids(directory.store.candidates(CandidateQuery(need=need, near=point, **query), directory.clock.now))

    assert found("shelter") == [full_care["id"]]
    assert found("medical") == [full_beds["id"]]
    assert found("legal") == [full_care["id"]]
    assert sorted(found("medical", free_only=False)) == sorted([full_beds["id"], full_care["id"]])

    directory.refer(full_beds["id"], need="medical")
    directory.refer(full_beds["id"], need="medical")
    assert found("medical") == []
    assert found("shelter") == [full_care["id"]]


def test_a_stale_own_pool_leaves_out_only_its_need(directory):
    shelter = shelter_with_care(directory)
    directory.clock.advance(days=8)
    directory.store.set_capacity(shelter["id"], 3, None, directory.clock.now,
                                 directory.audit("capacity.update", shelter["id"]))
    point = near(shelter)

    def found(need):
        return ids(directory.store.candidates(CandidateQuery(need=need, near=point), directory.clock.now))

    assert found("shelter") == [shelter["id"]]
    assert found("medical") == []
    assert ids(directory.store.candidates(CandidateQuery(need="medical", near=point, include_stale=True),
                                          directory.clock.now)) == [shelter["id"]]

    directory.store.set_capacity(shelter["id"], 1, None, directory.clock.now,
                                 directory.audit("capacity.update", shelter["id"]), need="medical")
    assert found("medical") == [shelter["id"]]


def test_search_for_available_providers_reads_the_pool_of_the_need_asked(directory):
    shelter = shelter_with_care(directory, beds=0, care=1)
    now = directory.clock.now

    assert ids(directory.store.search(SearchQuery(need="medical", available_only=True), now)) == [shelter["id"]]
    assert ids(directory.store.search(SearchQuery(need="shelter", available_only=True), now)) == []
    assert ids(directory.store.search(SearchQuery(available_only=True), now)) == []


def test_imported_referrals_hold_their_need_pool_again(directory):
    shelter = shelter_with_care(directory)
    now = directory.clock.now
    referrals = [Referral(id=str(uuid.uuid4()), provider_id=shelter["id"], need=need, case_reference="MIG-2",
                          status="pending", created_by="caseworker:1", created_at=iso(now),
                          expires_at=hold_until(now, 240), updated_at=iso(now)) for need in ("medical", "shelter")]

    assert directory.store.import_referrals(referrals, now) == 2

    assert pools(directory, shelter["id"]) == (3, 1, 2, 1)


def test_records_from_before_pools_read_and_hold_as_one_pool(directory):
    old = directory.add(services=["shelter", "medical"], capacity={"available": 1})

    directory.refer(old["id"], need="medical")

    record = directory.get(old["id"])
    assert not record.get("service_capacity")
    assert record["capacity"]["held"] == 1
    with pytest.raises(NoCapacity):
        directory.refer(old["id"], need="shelter")
    later = directory.clock.now + timedelta(minutes=1)
    assert ids(directory.store.candidates(CandidateQuery(need="shelter", near=near(old)), later)) == []
