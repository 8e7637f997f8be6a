"""Referrals through the port: holds, transitions, expiry at read time, sweeps and listings."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.directory.domain.queries import ReferralFilter
from services.directory.domain.referrals import InvalidTransition, NoCapacity
from services.directory.domain.rules import free_units, iso


def capacity(directory, provider_id):
    return directory.get(provider_id)["capacity"]


def listed(directory, **query):
    return directory.store.list_referrals(ReferralFilter(**query), directory.clock.now)


# -- holding ---------------------------------------------------------------------------------

def test_a_referral_holds_one_unit_while_pending(directory):
    shelter = directory.add(capacity={"available": 3})
    referral = directory.refer(shelter["id"])
    stored = directory.store.get_referral(referral.id)
    assert stored.status == "pending"
    assert stored.to_dict() == referral.to_dict()
    held = capacity(directory, shelter["id"])
    assert (held["available"], held["held"]) == (3, 1)


def test_holds_add_up_until_nothing_is_free(directory):
    shelter = directory.add(capacity={"available": 2})
    directory.refer(shelter["id"])
    directory.refer(shelter["id"])
    assert capacity(directory, shelter["id"])["held"] == 2
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"])


def test_no_capacity_changes_nothing(directory):
    shelter = directory.add(capacity={"available": 1})
    directory.refer(shelter["id"])
    audit_before = directory.audit_count()

    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"], case_reference="refused")

    assert capacity(directory, shelter["id"])["held"] == 1
    assert listed(directory).total == 1
    assert listed(directory, case_reference="refused").total == 0
    assert directory.audit_count() == audit_before


def test_a_provider_reporting_zero_takes_no_referral(directory):
    shelter = directory.add(capacity={"available": 0})
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"])
    assert listed(directory).total == 0


@pytest.mark.parametrize("status", ["inactive", "temporarily_closed"])
def test_a_provider_that_is_not_active_takes_no_referral(directory, status):
    closed = directory.add(status=status, capacity={"available": 5})
    with pytest.raises(NoCapacity):
        directory.refer(closed["id"])


def test_an_unknown_provider_takes_no_referral(directory):
    with pytest.raises(NoCapacity):
        directory.refer("00000000-0000-4000-8000-000000000000")


# -- transitions -----------------------------------------------------------------------------

def test_accepting_uses_the_held_unit_and_stamps_the_capacity(directory):
    shelter = directory.add(capacity={"available": 3})
    referral = directory.refer(shelter["id"])
    directory.clock.advance(minutes=10)

    accepted = directory.move(referral.id, "accepted")

    assert accepted.status == "accepted"
    assert accepted.updated_at == iso(directory.clock.now)
    after = capacity(directory, shelter["id"])
    assert (after["available"], after["held"]) == (2, 0)
    assert after["updated"] == iso(directory.clock.now)


@pytest.mark.parametrize("to_status", ["declined", "cancelled"])
def test_declining_or_cancelling_gives_the_unit_back(directory, to_status):
    shelter = directory.add(capacity={"available": 1})
    referral = directory.refer(shelter["id"])
    moved = directory.move(referral.id, to_status)
    assert moved.status == to_status
    after = capacity(directory, shelter["id"])
    assert (after["available"], after["held"]) == (1, 0)
    directory.refer(shelter["id"])


@pytest.mark.parametrize("first", ["accepted", "declined", "cancelled"])
@pytest.mark.parametrize("then", ["accepted", "declined", "cancelled"])
def test_only_a_pending_referral_can_move(directory, first, then):
    shelter = directory.add(capacity={"available": 3})
    referral = directory.refer(shelter["id"])
    directory.move(referral.id, first)
    before = (capacity(directory, shelter["id"]), directory.audit_count())

    with pytest.raises(InvalidTransition) as raised:
        directory.move(referral.id, then)

    assert raised.value.current == first
    assert directory.store.get_referral(referral.id).status == first
    assert (capacity(directory, shelter["id"]), directory.audit_count()) == before


@pytest.mark.parametrize("to_status", ["accepted", "declined", "cancelled"])
def test_an_expired_referral_cannot_move(directory, to_status):
    shelter = directory.add(capacity={"available": 3})
    referral = directory.refer(shelter["id"], minutes=30)
    directory.clock.advance(minutes=30)
    with pytest.raises(InvalidTransition) as raised:
        directory.move(referral.id, to_status)
    assert raised.value.current == "expired"
    assert capacity(directory, shelter["id"])["available"] == 3


# -- expiry ----------------------------------------------------------------------------------

def test_a_hold_counts_until_the_second_it_expires_and_not_after(directory):
    shelter = directory.add(capacity={"available": 1})
    referral = directory.refer(shelter["id"], minutes=45)

    directory.clock.advance(minutes=44, seconds=59)
    assert capacity(directory, shelter["id"])["held"] == 1
    assert listed(directory).items[0].status == "pending"

    directory.clock.advance(seconds=1)
    assert capacity(directory, shelter["id"])["held"] == 0
    [expired] = listed(directory).items
    assert (expired.id, expired.status, expired.updated_at) == (referral.id, "expired", referral.expires_at)


def test_an_expired_hold_frees_the_unit_for_a_new_referral_without_a_sweep(directory):
    shelter = directory.add(capacity={"available": 1})
    directory.refer(shelter["id"], minutes=5)
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"])
    directory.clock.advance(minutes=5)
    directory.refer(shelter["id"])
    assert capacity(directory, shelter["id"])["held"] == 1


def test_the_status_filter_follows_expiry_at_read_time(directory):
    shelter = directory.add(capacity={"available": 5})
    short = directory.refer(shelter["id"], minutes=10)
    long = directory.refer(shelter["id"], minutes=60)
    directory.clock.advance(minutes=20)
    assert [r.id for r in listed(directory, status="pending").items] == [long.id]
    assert [r.id for r in listed(directory, status="expired").items] == [short.id]
    assert listed(directory, status="pending").total == 1


def test_the_sweep_marks_passed_holds_expired_and_only_those(directory):
    shelter = directory.add(capacity={"available": 5})
    passed = [directory.refer(shelter["id"], minutes=10) for _ in range(2)]
    running = directory.refer(shelter["id"], minutes=120)
    accepted = directory.refer(shelter["id"], minutes=10)
    directory.move(accepted.id, "accepted")
    directory.clock.advance(minutes=15)

    assert directory.store.expire_referrals(directory.clock.now) == 2

    for referral in passed:
        stored = directory.store.get_referral(referral.id)
        assert (stored.status, stored.updated_at) == ("expired", referral.expires_at)
    assert directory.store.get_referral(running.id).status == "pending"
    assert directory.store.get_referral(accepted.id).status == "accepted"
    assert directory.store.expire_referrals(directory.clock.now) == 0


def test_the_sweep_does_not_change_what_readers_already_saw(directory):
    shelter = directory.add(capacity={"available": 2})
    directory.refer(shelter["id"], minutes=10)
    directory.clock.advance(minutes=11)
    before = (capacity(directory, shelter["id"]), [r.to_dict() for r in listed(directory).items])
    directory.store.expire_referrals(directory.clock.now)
    assert (capacity(directory, shelter["id"]), [r.to_dict() for r in listed(directory).items]) == before


# -- capacity reports while holds are pending ------------------------------------------------

def test_a_capacity_report_keeps_pending_holds(directory):
    shelter = directory.add(capacity={"available": 4})
    directory.refer(shelter["id"])
    directory.refer(shelter["id"])

    record = directory.store.set_capacity(shelter["id"], 3, None, directory.clock.now, directory.audit())

    assert (record["capacity"]["available"], record["capacity"]["held"]) == (3, 2)
    assert free_units(3, record["capacity"]["held"]) == 1
    directory.refer(shelter["id"])
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"])


def test_a_report_below_the_holds_leaves_nothing_free_but_keeps_the_holds(directory):
    shelter = directory.add(capacity={"available": 3})
    referrals = [directory.refer(shelter["id"]) for _ in range(3)]

    record = directory.store.set_capacity(shelter["id"], 1, None, directory.clock.now, directory.audit())

    assert record["capacity"]["held"] == 3
    assert free_units(record["capacity"]["available"], record["capacity"]["held"]) == 0
    with pytest.raises(NoCapacity):
        directory.refer(shelter["id"])
    assert all(directory.store.get_referral(r.id).status == "pending" for r in referrals)


# -- listing ---------------------------------------------------------------------------------

def test_referrals_list_newest_first_and_page_without_gaps_or_duplicates(directory):
    shelter = directory.add(capacity={"available": 50})
    made = []
    for n in range(13):
        made.append(directory.refer(shelter["id"], case_reference=f"case-{n}"))
        directory.clock.advance(seconds=30 if n % 3 else 0)  # some share a creation second
    pages = [listed(directory, size=5, page=n) for n in (1, 2, 3, 4)]

    assert [p.total for p in pages] == [13] * 4
    seen = [r.id for p in pages for r in p.items]
    assert len(seen) == len(set(seen)) == 13
    created = [directory.store.get_referral(i).created_at for i in seen]
    assert created == sorted(created, reverse=True)
    assert pages[3].items == []


def test_referrals_filter_by_creator_provider_status_and_case_reference(directory):
    first = directory.add(capacity={"available": 9})
    second = directory.add(capacity={"available": 9})
    a = directory.refer(first["id"], created_by="cw:a", case_reference="zaak-1")
    b = directory.refer(second["id"], created_by="cw:a", case_reference="zaak-2")
    c = directory.refer(first["id"], created_by="cw:b", case_reference="zaak-1")
    directory.move(c.id, "declined")

    def found(**query):
        return {r.id for r in listed(directory, **query).items}

    assert found(created_by="cw:a") == {a.id, b.id}
    assert found(provider_id=first["id"]) == {a.id, c.id}
    assert found(provider_ids=(second["id"],)) == {b.id}
    assert found(provider_ids=(first["id"], second["id"])) == {a.id, b.id, c.id}
    assert found(provider_ids=()) == set()
    assert found(status="declined") == {c.id}
    assert found(case_reference="zaak-1") == {a.id, c.id}
    assert found(created_by="cw:a", case_reference="zaak-1") == {a.id}
    assert found(provider_ids=(first["id"],), provider_id=second["id"]) == set()
    assert listed(directory, status="declined").total == 1


def test_an_unknown_referral_reads_as_none(directory):
    assert directory.store.get_referral("00000000-0000-4000-8000-000000000000") is None


# -- no overbooking --------------------------------------------------------------------------

def test_concurrent_referrals_never_hold_more_units_than_are_free(directory):
    shelter = directory.add(capacity={"available": 5})
    barrier = threading.Barrier(40)

    def attempt(n):
        barrier.wait(timeout=10)
        try:
            directory.refer(shelter["id"], case_reference=f"race-{n}")
            return True
        except NoCapacity:
            return False

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(attempt, range(40)))

    assert outcomes.count(True) == 5
    assert capacity(directory, shelter["id"])["held"] == 5
    assert listed(directory, status="pending").total == 5
