"""Versioned provider writes through the port: versions, preconditions, and edits that never write capacity."""
from __future__ import annotations

import pytest

from services.directory.domain.referrals import NoCapacity
from services.directory.domain.rules import iso
from services.directory.domain.versions import MaximumBelowAvailable, Precondition, StaleVersion

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _version(directory, provider_id: str) -> int:
    return directory.get(provider_id)["version"]


def test_a_new_provider_is_at_version_1_and_every_write_of_its_record_raises_it(directory):
    added = directory.add(capacity={"available": 2, "maximum": 10})
    assert added["version"] == 1
    replaced = directory.store.put_provider(dict(directory.record(), id=added["id"]), directory.audit())
    assert replaced["version"] == 2
    reported = directory.store.set_capacity(added["id"], 3, None, directory.clock.now, directory.audit())
    assert reported["version"] == 3
    updated = directory.store.update_provider(added["id"], lambda stored: dict(stored, name="Anders"),
                                              directory.audit())
    assert updated["version"] == 4
    referral = directory.refer(added["id"])
    assert _version(directory, added["id"]) == 4  # a hold is counted on reading, not written to the record
    directory.move(referral.id, "accepted")
    assert _version(directory, added["id"]) == 5
    directory.store.bulk_upsert([dict(directory.record(), id=added["id"])], directory.audit())
    assert _version(directory, added["id"]) == 6


def test_a_declined_referral_gives_its_unit_back_without_a_new_version(directory):
    added = directory.add()
    referral = directory.refer(added["id"])
    directory.move(referral.id, "declined")
    assert _version(directory, added["id"]) == 1


def test_a_replacement_keeps_the_live_capacity_and_takes_maximum_and_unit(directory):
    added = directory.add(capacity={"available": 2, "maximum": 10, "unit": "bed"})
    directory.clock.advance(hours=3)
    directory.store.set_capacity(added["id"], 4, None, directory.clock.now, directory.audit())
    reported_at = iso(directory.clock.now)
    directory.clock.advance(hours=1)
    edit = directory.record(name="Nieuw", capacity={"available": 9, "maximum": 12, "unit": "case",
                                                    "updated": iso(directory.clock.now)})
    returned = directory.store.put_provider(dict(edit, id=added["id"]), directory.audit())

    for record in (returned, directory.get(added["id"])):
        assert record["name"] == "Nieuw"
        assert record["capacity"]["available"] == 4
        assert record["capacity"]["updated"] == reported_at
        assert (record["capacity"]["maximum"], record["capacity"]["unit"]) == (12, "case")


def test_an_edit_keeps_the_holds_and_a_used_unit(directory):
    added = directory.add(capacity={"available": 2, "maximum": 10})
    used = directory.refer(added["id"], case_reference="case-used")
    directory.move(used.id, "accepted")
    directory.refer(added["id"], case_reference="case-held")
    read_before = dict(directory.get(added["id"]), name="Bewerkt")
    read_before["capacity"] = dict(read_before["capacity"], available=2)  # a count read before the accept

    returned = directory.store.put_provider(read_before, directory.audit())

    assert (returned["capacity"]["available"], returned["capacity"]["held"]) == (1, 1)
    with pytest.raises(NoCapacity):
        directory.refer(added["id"], case_reference="case-third")


def test_a_bulk_load_keeps_the_live_capacity_of_existing_providers_and_sets_it_for_new_ones(directory):
    existing = directory.add(capacity={"available": 2, "maximum": 10})
    directory.store.set_capacity(existing["id"], 5, None, directory.clock.now, directory.audit())
    new = directory.record(capacity={"available": 7, "maximum": 9})
    again = dict(directory.record(name="Opnieuw", capacity={"available": 0, "maximum": 11}), id=existing["id"])

    assert directory.store.bulk_upsert([again, new], directory.audit()) == 2

    assert directory.get(existing["id"])["name"] == "Opnieuw"
    assert (directory.get(existing["id"])["capacity"]["available"],
            directory.get(existing["id"])["capacity"]["maximum"]) == (5, 11)
    assert directory.get(new["id"])["capacity"]["available"] == 7


def test_update_provider_merges_into_the_record_as_stored_now(directory):
    added = directory.add(capacity={"available": 2, "maximum": 10})
    directory.store.set_capacity(added["id"], 6, None, directory.clock.now, directory.audit())
    seen = []

    def change(stored: dict) -> dict:
        seen.append((stored["version"], stored["capacity"]["available"]))
        return dict(stored, description="bijgewerkt", capacity=dict(stored["capacity"], available=0))

    updated = directory.store.update_provider(added["id"], change, directory.audit("provider.update", added["id"]))

    assert seen[-1] == (2, 6)
    assert (updated["description"], updated["capacity"]["available"], updated["version"]) == ("bijgewerkt", 6, 3)


def test_update_provider_of_an_unknown_provider_answers_none_and_writes_no_audit_entry(directory):
    before = directory.audit_count()
    assert directory.store.update_provider(UNKNOWN, lambda stored: stored, directory.audit(),
                                           expected=Precondition()) is None
    assert directory.audit_count() == before


def test_a_change_that_raises_writes_nothing(directory):
    added = directory.add()
    before = directory.audit_count()

    def refuse(stored: dict) -> dict:
        raise ValueError("no")

    with pytest.raises(ValueError):
        directory.store.update_provider(added["id"], refuse, directory.audit())
    assert _version(directory, added["id"]) == 1
    assert directory.audit_count() == before


def test_a_stale_precondition_is_refused_with_the_current_version_and_nothing_changes(directory):
    added = directory.add(name="Oud")
    directory.store.set_capacity(added["id"], 1, None, directory.clock.now, directory.audit())
    before = directory.audit_count()

    with pytest.raises(StaleVersion) as refused:
        directory.store.put_provider(dict(directory.record(name="Nieuw"), id=added["id"]), directory.audit(),
                                     expected=Precondition(frozenset({1})))
    assert refused.value.current == 2
    with pytest.raises(StaleVersion):
        directory.store.update_provider(added["id"], lambda stored: dict(stored, name="Nieuw"), directory.audit(),
                                        expected=Precondition(frozenset({1})))

    assert directory.get(added["id"])["name"] == "Oud"
    assert directory.audit_count() == before


def test_a_matching_precondition_lets_the_write_through(directory):
    added = directory.add(name="Oud")
    written = directory.store.update_provider(added["id"], lambda stored: dict(stored, name="Nieuw"),
                                              directory.audit(), expected=Precondition(frozenset({1, 7})))
    assert (written["name"], written["version"]) == ("Nieuw", 2)
    anything = directory.store.put_provider(dict(directory.record(name="Weer"), id=added["id"]), directory.audit(),
                                            expected=Precondition())
    assert anything["version"] == 3


def test_a_precondition_on_a_provider_that_does_not_exist_creates_nothing(directory):
    record = directory.record()
    with pytest.raises(StaleVersion) as refused:
        directory.store.put_provider(record, directory.audit(), expected=Precondition())
    assert refused.value.current is None
    assert directory.get(record["id"]) is None


def test_an_edit_may_not_set_the_maximum_below_the_live_count(directory):
    added = directory.add(capacity={"available": 5, "maximum": 10})
    with pytest.raises(MaximumBelowAvailable):
        directory.store.update_provider(added["id"], lambda stored: dict(
            stored, capacity=dict(stored["capacity"], maximum=4)), directory.audit())
    assert directory.get(added["id"])["capacity"]["maximum"] == 10
