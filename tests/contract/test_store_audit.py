"""The audit log through the port: one entry per write, written with it, and filters to read it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.directory.domain.queries import AuditFilter
from services.directory.domain.referrals import NoCapacity
from services.directory.domain.rules import iso
from services.directory.store import AuditEntry


def newest(directory) -> AuditEntry:
    return directory.store.list_audit(AuditFilter(size=1)).items[0]


def entry(directory, action, target, **who) -> AuditEntry:
    return AuditEntry(at=iso(directory.clock.now), actor=who.get("actor", "admin:7"), role=who.get("role", "admin"),
                      action=action, target=target, request_id=f"rq-{action}", detail=who.get("detail"))


WRITES = {
    "put": lambda d, p, e: d.store.put_provider(d.record(), e),
    "replace": lambda d, p, e: d.store.put_provider(dict(d.record(), id=p["id"]), e),
    "delete": lambda d, p, e: d.store.delete_provider(p["id"], e),
    "capacity": lambda d, p, e: d.store.set_capacity(p["id"], 2, None, d.clock.now, e),
    "bulk": lambda d, p, e: d.store.bulk_upsert([d.record(), d.record()], e),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_provider_write_appends_exactly_one_entry_with_who_what_and_when(directory, write):
    shelter = directory.add()
    directory.clock.advance(minutes=7)
    before = directory.audit_count()
    written = entry(directory, f"test.{write}", shelter["id"], detail="d" if write != "bulk" else None)

    WRITES[write](directory, shelter, written)

    assert directory.audit_count() == before + 1
    logged = newest(directory)
    assert (logged.at, logged.actor, logged.role, logged.action, logged.target, logged.request_id) == (
        iso(directory.clock.now), "admin:7", "admin", f"test.{write}", shelter["id"], f"rq-test.{write}")


def test_creating_and_moving_a_referral_each_append_exactly_one_entry(directory):
    shelter = directory.add()
    before = directory.audit_count()
    referral = directory.refer(shelter["id"], created_by="caseworker:3")
    assert directory.audit_count() == before + 1
    created = newest(directory)
    assert (created.actor, created.role, created.action, created.target) == (
        "caseworker:3", "caseworker", "referral.create", referral.id)

    directory.move(referral.id, "accepted", actor="provider:9")
    assert directory.audit_count() == before + 2
    moved = newest(directory)
    assert (moved.actor, moved.role, moved.action, moved.target) == (
        "provider:9", "provider", "referral.accepted", referral.id)


def test_a_refused_referral_leaves_no_entry(directory):
    full = directory.add(capacity={"available": 0})
    before = directory.audit_count()
    with pytest.raises(NoCapacity):
        directory.refer(full["id"])
    assert directory.audit_count() == before


def test_a_write_that_fails_stores_neither_the_change_nor_its_entry(directory):
    broken = directory.record(eligibility={"genders": ["unknown-gender"]})
    before = (directory.audit_count(), directory.store.count_providers())
    with pytest.raises(Exception):
        directory.store.put_provider(broken, entry(directory, "provider.create", broken["id"]))
    assert (directory.audit_count(), directory.store.count_providers()) == before
    assert directory.get(broken["id"]) is None


def test_a_bulk_load_that_fails_half_way_stores_nothing(directory):
    records = [directory.record() for _ in range(5)]
    records[3]["eligibility"]["genders"] = ["unknown-gender"]
    before = directory.audit_count()
    with pytest.raises(Exception):
        directory.store.bulk_upsert(records, entry(directory, "provider.import", None))
    assert directory.store.count_providers() == 0
    assert directory.audit_count() == before


def test_append_audit_records_an_event_as_given(directory):
    event = entry(directory, "token.issue", "token:5", actor="admin:2", detail="role=caseworker")
    directory.store.append_audit(event)
    assert newest(directory) == event


def test_the_log_lists_newest_first_and_pages_without_gaps(directory):
    for n in range(12):
        directory.store.append_audit(entry(directory, "event", f"t{n}"))
        directory.clock.advance(seconds=1)
    pages = [directory.store.list_audit(AuditFilter(action="event", size=5, page=p)) for p in (1, 2, 3)]
    assert [p.total for p in pages] == [12, 12, 12]
    assert [e.target for p in pages for e in p.items] == [f"t{n}" for n in range(11, -1, -1)]


def test_the_log_filters_by_actor_action_target_and_time(directory):
    start = directory.clock.now
    directory.store.append_audit(entry(directory, "provider.create", "p1", actor="admin:1"))
    directory.clock.advance(hours=1)
    directory.store.append_audit(entry(directory, "provider.delete", "p1", actor="admin:2"))
    directory.clock.advance(hours=1)
    directory.store.append_audit(entry(directory, "provider.create", "p2", actor="admin:2"))

    def targets(**query):
        return [(e.action, e.target) for e in directory.store.list_audit(AuditFilter(**query)).items]

    assert targets(actor="admin:2") == [("provider.create", "p2"), ("provider.delete", "p1")]
    assert targets(action="provider.create") == [("provider.create", "p2"), ("provider.create", "p1")]
    assert targets(target="p1") == [("provider.delete", "p1"), ("provider.create", "p1")]
    hour = iso(start + timedelta(hours=1))
    assert targets(since=hour) == [("provider.create", "p2"), ("provider.delete", "p1")]
    assert targets(until=hour) == [("provider.create", "p1")]
    assert targets(since=hour, until=iso(start + timedelta(hours=2))) == [("provider.delete", "p1")]
    assert targets(actor="admin:1", action="provider.delete") == []
