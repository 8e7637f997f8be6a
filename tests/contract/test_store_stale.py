"""Old counts on every store: a provider's care pools (`service_capacity`) are counted apart, so an old one puts
the provider on the stale list and in the staleness gauge, named, even when its main count is fresh."""
from __future__ import annotations

from datetime import timedelta

from services.directory.domain.rules import iso
from services.directory.stale import stale_providers, staleness_by_type


def shelter_with_care(directory, **overrides):
    return directory.add(services=["shelter", "medical"], capacity={"available": 3, "maximum": 8, "unit": "bed"},
                         service_capacity={"medical": {"available": 2, "maximum": 4, "unit": "appointment",
                                                       "updated": iso(directory.clock.now)}}, **overrides)


def report(directory, provider_id, available, need=None):
    directory.store.set_capacity(provider_id, available, None, directory.clock.now,
                                 directory.audit("capacity.update", provider_id), need=need)


def test_an_old_care_pool_puts_a_provider_with_a_fresh_main_count_on_the_stale_list(directory):
    shelter = shelter_with_care(directory, name="Huis met zorg")
    directory.add(name="Vers Huis")
    directory.clock.advance(hours=30)
    report(directory, shelter["id"], 3)                    # the beds are confirmed, the care is not
    directory.add(name="Nieuw Huis")

    stale = stale_providers(directory.store, directory.clock.now)

    assert [item["name"] for item in stale] == ["Huis met zorg", "Vers Huis"]  # same age: by name
    listed = stale[0]
    assert (listed["available"], listed["unit"], listed["updated"]) == (3, "bed", iso(directory.clock.now))
    assert listed["age_hours"] == 30.0
    assert listed["pools"] == [{"need": "medical", "available": 2, "maximum": 4, "unit": "appointment",
                                "updated": iso(directory.clock.now - timedelta(hours=30)), "age_hours": 30.0}]
    assert [pool["need"] for pool in stale[1]["pools"]] == [None]


def test_a_provider_is_as_old_as_its_oldest_pool_and_lists_every_old_one_oldest_first(directory):
    shelter = shelter_with_care(directory)
    directory.clock.advance(hours=10)
    report(directory, shelter["id"], 1, need="medical")
    directory.clock.advance(hours=20)

    listed, = stale_providers(directory.store, directory.clock.now, timedelta(hours=12))

    assert listed["age_hours"] == 30.0
    assert [(pool["need"], pool["age_hours"]) for pool in listed["pools"]] == [(None, 30.0), ("medical", 20.0)]
    assert [pool["need"] for pool in stale_providers(directory.store, directory.clock.now)[0]["pools"]] == [None]


def test_a_provider_whose_every_pool_is_fresh_is_not_listed(directory):
    shelter = shelter_with_care(directory)
    directory.clock.advance(hours=30)
    report(directory, shelter["id"], 3)
    report(directory, shelter["id"], 2, need="medical")

    assert stale_providers(directory.store, directory.clock.now) == []
    assert staleness_by_type(directory.store, directory.clock.now) == {"shelter": (1, 0)}


def test_the_staleness_gauge_counts_a_provider_with_an_old_care_pool_once(directory):
    shelter = shelter_with_care(directory)
    directory.add(name="Ander Huis")
    directory.clock.advance(hours=30)
    report(directory, shelter["id"], 3)

    assert staleness_by_type(directory.store, directory.clock.now) == {"shelter": (2, 2)}
    report(directory, shelter["id"], 2, need="medical")
    assert staleness_by_type(directory.store, directory.clock.now) == {"shelter": (2, 1)}
