"""The change feed (DirectoryStore.changes): every write that changes a provider's view or what is free of it
is listed after the number a reader got before it, once per provider, in one growing sequence."""
from __future__ import annotations

import threading
from datetime import timedelta

from services.directory.domain.referrals import NoCapacity


def changed_since(store, since: int, now, limit: int = 1000):
    """Every page after `since`: (ids listed, ids deleted, the last number)."""
    listed, deleted = [], []
    while True:
        page = store.changes(since, limit, now)
        listed += [record["id"] for record in page.records]
        deleted += page.deleted
        assert page.sequence >= since
        since = page.sequence
        if not page.more:
            return listed, deleted, since


def test_a_snapshot_lists_every_provider_once_page_by_page(directory, store, clock):
    added = sorted(directory.add()["id"] for _ in range(5))
    store.delete_provider(added[0], directory.audit("provider.delete", added[0]))

    listed, deleted, sequence = changed_since(store, 0, clock.now, limit=2)

    # Pages after the first read on from a number, so a delete numbered later may show: of nothing listed.
    assert sorted(listed) == added[1:] and set(deleted) <= {added[0]} and sequence > 0
    first = store.changes(0, 1000, clock.now)
    assert sorted(record["id"] for record in first.records) == added[1:] and first.deleted == []


def test_each_kind_of_write_lists_its_provider_after_the_number_read_before_it(directory, store, clock):
    first, second = directory.add(), directory.add(capacity={"available": 2, "maximum": 4, "unit": "bed"})
    _, _, sequence = changed_since(store, 0, clock.now)
    assert changed_since(store, sequence, clock.now)[:2] == ([], [])

    writes = [
        ("capacity report", first["id"], lambda: store.set_capacity(first["id"], 1, None, clock.now,
                                                                    directory.audit("capacity.update", first["id"]))),
        ("edit", first["id"], lambda: store.put_provider(dict(directory.record(id=first["id"]), name="Renamed"),
                                                         directory.audit("provider.update", first["id"]))),
    ]
    for what, provider_id, write in writes:
        write()
        listed, deleted, after = changed_since(store, sequence, clock.now)
        assert listed == [provider_id] and deleted == [] and after > sequence, what
        sequence = after

    held = directory.refer(second["id"])
    listed, _, sequence_held = changed_since(store, sequence, clock.now)
    assert listed == [second["id"]], "a hold taken"
    assert store.changes(sequence_held, 1000, clock.now).records == []
    directory.move(held.id, "declined")
    listed, _, sequence = changed_since(store, sequence_held, clock.now)
    assert listed == [second["id"]], "a hold given back"

    accepted = directory.refer(second["id"])
    _, _, sequence = changed_since(store, sequence, clock.now)
    directory.move(accepted.id, "accepted")
    listed, _, sequence = changed_since(store, sequence, clock.now)
    assert listed == [second["id"]], "a unit used"

    store.delete_provider(first["id"], directory.audit("provider.delete", first["id"]))
    listed, deleted, sequence = changed_since(store, sequence, clock.now)
    assert listed == [] and deleted == [first["id"]], "a delete"


def test_the_holds_listed_are_every_pending_one_with_its_end_and_units(directory, store, clock):
    shelter = directory.add(capacity={"available": 3, "maximum": 4, "unit": "bed"})
    short = directory.refer(shelter["id"], minutes=10)
    long = directory.refer(shelter["id"], minutes=300, units=2)
    try:
        directory.refer(shelter["id"])
        raise AssertionError("a fourth unit was held where three were free")
    except NoCapacity:
        pass

    later = clock.now + timedelta(minutes=30)  # the first hold has ended, with no write
    page = store.changes(0, 1000, later)

    (record,) = page.records
    holds = sorted((hold.expires_at, hold.units) for hold in page.holds[shelter["id"]])
    assert holds == [(short.expires_at, 1), (long.expires_at, 2)]
    assert record["capacity"]["held"] == 2  # as get_provider counts them at that time


def test_a_reader_polling_while_providers_are_deleted_misses_no_delete(directory, store, clock):
    """A reader that keeps its model from the feed, polling as fast as it can while providers are deleted one
    after another, ends without any of them: whatever moment it reads, a delete is in the feed after it."""
    kept = [directory.add()["id"] for _ in range(3)]
    doomed = [directory.add()["id"] for _ in range(30)]
    listed, _, sequence = changed_since(store, 0, clock.now)
    model = set(listed)
    done = threading.Event()

    def follow():
        nonlocal sequence
        while not done.is_set():
            page = store.changes(sequence, 1000, clock.now)
            model.difference_update(page.deleted)
            model.update(record["id"] for record in page.records)
            sequence = page.sequence

    reader = threading.Thread(target=follow)
    reader.start()
    try:
        for provider_id in doomed:
            assert store.delete_provider(provider_id, directory.audit("provider.delete", provider_id))
    finally:
        done.set()
        reader.join()
    listed, deleted, _ = changed_since(store, sequence, clock.now)
    model.difference_update(deleted)
    model.update(listed)

    assert model == set(kept)
