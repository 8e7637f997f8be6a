"""Confirming counts on every store: the pools a reminder asked about are confirmed together, each only while
its count is still the one reported then, in one versioned write that the change feed hears."""
from __future__ import annotations

import pytest

from services.directory.domain.rules import iso
from services.directory.domain.versions import AboveMaximum, CountChanged


def shelter_with_care(directory):
    return directory.add(services=["shelter", "medical"], capacity={"available": 3, "maximum": 8, "unit": "bed"},
                         service_capacity={"medical": {"available": 2, "maximum": 4, "unit": "appointment",
                                                       "updated": iso(directory.clock.now)}})


def confirm(directory, provider_id, counted_at, counts=None):
    return directory.store.confirm_capacity(provider_id, counted_at, counts or {}, directory.clock.now,
                                            directory.audit("capacity.update", provider_id))


def test_confirming_a_care_pool_stamps_it_now_and_leaves_the_main_count_alone(directory):
    shelter = shelter_with_care(directory)
    counted = iso(directory.clock.now)
    directory.clock.advance(hours=25)

    confirmed = confirm(directory, shelter["id"], {"medical": counted})

    care = confirmed["service_capacity"]["medical"]
    assert (care["available"], care["updated"]) == (2, iso(directory.clock.now))
    assert (confirmed["capacity"]["available"], confirmed["capacity"]["updated"]) == (3, counted)
    assert confirmed["version"] == shelter["version"] + 1
    assert directory.get(shelter["id"])["service_capacity"]["medical"]["updated"] == iso(directory.clock.now)


def test_every_pool_named_is_confirmed_in_one_write_with_the_new_counts_given(directory):
    shelter = shelter_with_care(directory)
    counted = iso(directory.clock.now)
    since = directory.store.changes(0, 100, directory.clock.now).sequence
    directory.clock.advance(hours=25)

    confirmed = confirm(directory, shelter["id"], {None: counted, "medical": counted}, {"medical": 4})

    assert (confirmed["capacity"]["available"], confirmed["service_capacity"]["medical"]["available"]) == (3, 4)
    assert confirmed["capacity"]["updated"] == confirmed["service_capacity"]["medical"]["updated"] == iso(
        directory.clock.now)
    assert confirmed["version"] == shelter["version"] + 1
    changed = directory.store.changes(since, 100, directory.clock.now).records
    assert [record["service_capacity"]["medical"]["available"] for record in changed] == [4]


@pytest.mark.parametrize("needs", [["medical"], [None, "medical"], [None, "mental_health"]])
def test_a_pool_reported_since_or_not_there_confirms_nothing(directory, needs):
    shelter = shelter_with_care(directory)
    counted = iso(directory.clock.now)
    directory.clock.advance(hours=1)
    directory.store.set_capacity(shelter["id"], 1, None, directory.clock.now,
                                 directory.audit("capacity.update", shelter["id"]), need="medical")
    before = directory.get(shelter["id"])
    directory.clock.advance(hours=1)

    with pytest.raises(CountChanged):
        confirm(directory, shelter["id"], {need: counted for need in needs}, {None: 5})

    assert directory.get(shelter["id"]) == before


def test_a_new_count_above_its_pools_maximum_confirms_nothing(directory):
    shelter = shelter_with_care(directory)
    counted = iso(directory.clock.now)
    directory.clock.advance(hours=25)

    with pytest.raises(AboveMaximum) as raised:
        confirm(directory, shelter["id"], {None: counted, "medical": counted}, {None: 2, "medical": 5})

    assert raised.value.need == "medical"
    stored = directory.get(shelter["id"])
    assert (stored["capacity"]["updated"], stored["version"]) == (counted, shelter["version"])


def test_confirming_a_provider_that_is_not_there_finds_none(directory):
    assert confirm(directory, "0b7e0c2e-0000-4000-8000-000000000000", {None: iso(directory.clock.now)}) is None
