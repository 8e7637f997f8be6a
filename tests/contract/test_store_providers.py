"""Providers through the port: put, get, replace, delete, capacity reports, bulk loads, iteration."""
from __future__ import annotations

from services.directory.domain.queries import AuditFilter, SearchQuery
from services.directory.domain.rules import iso
from tests.contract.records import ids


def test_a_stored_provider_reads_back_whole_with_nothing_held(directory):
    record = directory.record(name="Huis De Linde", languages=["nl", "ro"],
                              eligibility={"residence_statuses": ["eu"], "countries": ["RO"]})
    directory.store.put_provider(record, directory.audit("provider.create", record["id"]))

    stored = directory.get(record["id"])

    assert stored["capacity"]["held"] == 0
    stored["capacity"].pop("held")
    assert stored["last_modified"] == iso(directory.clock.now)
    assert stored["version"] == 1
    assert {k: v for k, v in stored.items() if k not in ("last_modified", "version")} == record


def test_put_provider_returns_the_record_with_last_modified_from_the_audit_time(directory):
    record = directory.record()
    directory.clock.advance(minutes=3)
    returned = directory.store.put_provider(record, directory.audit())
    assert returned["last_modified"] == iso(directory.clock.now)
    assert returned["id"] == record["id"]


def test_an_unknown_provider_reads_as_none(directory):
    directory.add()
    assert directory.get("00000000-0000-4000-8000-000000000000") is None


def test_putting_the_same_id_again_replaces_the_record_and_its_search_attributes(directory):
    original = directory.add(name="Oud", services=["shelter"], languages=["ro"], description="slaapplaats")
    replacement = directory.record(name="Nieuw", services=["legal"], type="legal", languages=["bg"],
                                   description="advocaat")
    replacement["id"] = original["id"]
    directory.store.put_provider(replacement, directory.audit())
    now = directory.clock.now

    assert directory.store.count_providers() == 1
    assert directory.get(original["id"])["name"] == "Nieuw"
    assert ids(directory.store.search(SearchQuery(need="shelter"), now)) == []
    assert ids(directory.store.search(SearchQuery(language="ro"), now)) == []
    assert ids(directory.store.search(SearchQuery(text="slaapplaats"), now)) == []
    assert ids(directory.store.search(SearchQuery(need="legal", language="bg", text="advocaat"), now)) == [original["id"]]


def test_replacing_a_provider_moves_it_on_the_map(directory):
    moved = directory.add(location={"lat": 52.09, "lon": 5.12})
    replacement = directory.record(location={"lat": 53.22, "lon": 6.57, "municipality": "Groningen"})
    replacement["id"] = moved["id"]
    directory.store.put_provider(replacement, directory.audit())
    now = directory.clock.now

    assert ids(directory.store.search(SearchQuery(near=(52.09, 5.12), radius_km=20), now)) == []
    assert ids(directory.store.search(SearchQuery(near=(53.22, 6.57), radius_km=20), now)) == [moved["id"]]


def test_deleting_a_provider_removes_it_from_reads_counts_and_every_search(directory):
    gone = directory.add(name="Weg", description="verdwenen", languages=["pl"])
    kept = directory.add(name="Blijft")
    now = directory.clock.now

    assert directory.store.delete_provider(gone["id"], directory.audit("provider.delete", gone["id"])) is True

    assert directory.get(gone["id"]) is None
    assert directory.store.count_providers() == 1
    assert ids(directory.store.search(SearchQuery(), now)) == [kept["id"]]
    assert ids(directory.store.search(SearchQuery(text="verdwenen"), now)) == []
    assert ids(directory.store.search(SearchQuery(language="pl"), now)) == []
    assert ids(directory.store.search(SearchQuery(near=(52.09, 5.12), radius_km=5), now)) == [kept["id"]]


def test_deleting_an_unknown_provider_answers_false_and_writes_no_audit_entry(directory):
    directory.add()
    before = directory.audit_count()
    assert directory.store.delete_provider("00000000-0000-4000-8000-000000000000", directory.audit()) is False
    assert directory.audit_count() == before


def test_a_capacity_report_sets_available_and_stamps_updated_with_now(directory):
    added = directory.add(capacity={"available": 3, "maximum": 10})
    directory.clock.advance(hours=5)

    record = directory.store.set_capacity(added["id"], 7, None, directory.clock.now, directory.audit())

    assert record["capacity"]["available"] == 7
    assert record["capacity"]["maximum"] == 10
    assert record["capacity"]["updated"] == iso(directory.clock.now)
    assert record["capacity"]["held"] == 0
    assert directory.get(added["id"])["capacity"]["updated"] == iso(directory.clock.now)


def test_a_capacity_report_with_a_maximum_changes_the_maximum(directory):
    added = directory.add(capacity={"available": 3, "maximum": 10})
    record = directory.store.set_capacity(added["id"], 12, 15, directory.clock.now, directory.audit())
    assert (record["capacity"]["available"], record["capacity"]["maximum"]) == (12, 15)
    assert directory.get(added["id"])["capacity"]["maximum"] == 15


def test_a_capacity_report_is_seen_by_the_available_filter(directory):
    added = directory.add(capacity={"available": 2, "maximum": 10})
    directory.store.set_capacity(added["id"], 0, None, directory.clock.now, directory.audit())
    assert ids(directory.store.search(SearchQuery(available_only=True), directory.clock.now)) == []
    directory.store.set_capacity(added["id"], 1, None, directory.clock.now, directory.audit())
    assert ids(directory.store.search(SearchQuery(available_only=True), directory.clock.now)) == [added["id"]]


def test_a_capacity_report_for_an_unknown_provider_answers_none_and_writes_no_audit_entry(directory):
    before = directory.audit_count()
    assert directory.store.set_capacity("00000000-0000-4000-8000-000000000000", 1, None, directory.clock.now,
                                        directory.audit()) is None
    assert directory.audit_count() == before


def test_bulk_upsert_stores_every_record_and_counts_them(directory):
    records = [directory.record(name=f"Bulk {n:02d}") for n in range(30)]
    assert directory.store.bulk_upsert(records, directory.audit("provider.import")) == 30
    assert directory.store.count_providers() == 30
    for record in records[::7]:
        assert directory.get(record["id"])["name"] == record["name"]
    assert directory.store.search(SearchQuery(size=5), directory.clock.now).total == 30


def test_bulk_upsert_replaces_records_with_known_ids(directory):
    existing = directory.add(name="Voor", services=["shelter"])
    replacement = directory.record(name="Na", services=["medical"], type="medical")
    replacement["id"] = existing["id"]
    directory.store.bulk_upsert([replacement, directory.record(name="Extra")], directory.audit("provider.import"))

    assert directory.store.count_providers() == 2
    assert directory.get(existing["id"])["name"] == "Na"
    assert ids(directory.store.search(SearchQuery(need="medical"), directory.clock.now)) == [existing["id"]]


def test_bulk_upsert_keeps_a_given_last_modified_and_stamps_the_rest(directory):
    dated = directory.record(last_modified="2026-01-02T03:04:05+00:00")
    undated = directory.record()
    directory.clock.advance(hours=1)
    directory.store.bulk_upsert([dated, undated], directory.audit("provider.import"))
    assert directory.get(dated["id"])["last_modified"] == "2026-01-02T03:04:05+00:00"
    assert directory.get(undated["id"])["last_modified"] == iso(directory.clock.now)


def test_bulk_upsert_writes_one_audit_entry_for_the_whole_load(directory):
    before = directory.audit_count()
    directory.store.bulk_upsert((directory.record() for _ in range(12)), directory.audit("provider.import"))
    assert directory.audit_count() == before + 1
    assert directory.store.list_audit(AuditFilter(action="provider.import")).total == 1


def test_iter_providers_yields_every_provider_once_in_id_order_with_holds(directory):
    added = [directory.add(name=f"P{n}") for n in range(15)]
    directory.refer(added[4]["id"])

    listed = list(directory.store.iter_providers(directory.clock.now))

    assert [r["id"] for r in listed] == sorted(r["id"] for r in added)
    held = {r["id"]: r["capacity"]["held"] for r in listed}
    assert held[added[4]["id"]] == 1
    assert sum(held.values()) == 1


def test_providers_read_together_are_each_as_read_alone_and_unknown_ids_are_left_out(directory):
    added = [directory.add(name=f"P{n}") for n in range(4)]
    directory.refer(added[1]["id"])
    unknown = "00000000-0000-4000-8000-000000000000"

    found = directory.store.get_providers([added[1]["id"], unknown, added[3]["id"], added[0]["id"]],
                                          directory.clock.now)

    assert sorted(found) == sorted([added[0]["id"], added[1]["id"], added[3]["id"]])
    assert all(found[i] == directory.get(i) for i in found)
    assert found[added[1]["id"]]["capacity"]["held"] == 1
    assert directory.store.get_providers([], directory.clock.now) == {}


def test_many_providers_are_read_together_past_one_request(directory):
    directory.store.bulk_upsert((directory.record(name=f"P{n}") for n in range(1100)), directory.audit("provider.import"))
    every = [record["id"] for record in directory.store.iter_providers(directory.clock.now)]

    assert sorted(directory.store.get_providers(every, directory.clock.now)) == sorted(every)


def test_iter_providers_includes_inactive_providers(directory):
    inactive = directory.add(status="inactive")
    closed = directory.add(status="temporarily_closed")
    assert {r["id"] for r in directory.store.iter_providers(directory.clock.now)} == {inactive["id"], closed["id"]}


def test_an_empty_store_counts_nothing_and_iterates_nothing(store, clock):
    assert store.count_providers() == 0
    assert list(store.iter_providers(clock.now)) == []
    assert store.ping() is True
