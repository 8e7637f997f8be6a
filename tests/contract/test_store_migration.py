"""Copying into a store and rebuilding its indices, through the port: what `haven migrate` and `haven reindex` use."""
from __future__ import annotations

import uuid

from services.directory.domain.queries import AuditFilter, ReferralFilter
from services.directory.domain.referrals import Referral, hold_until
from services.directory.domain.rules import iso
from services.directory.store import AuditEntry
from tests.contract.records import ids


def _referral(provider_id: str, now, *, status: str = "pending", minutes: int = 240) -> Referral:
    return Referral(id=str(uuid.uuid4()), provider_id=provider_id, need="shelter", case_reference="MIG-1",
                    status=status, created_by="caseworker:1", created_at=iso(now),
                    expires_at=hold_until(now, minutes), updated_at=iso(now))


def test_imported_referrals_are_kept_as_they_are_and_pending_ones_hold_their_unit_again(directory):
    shelter = directory.add(capacity={"available": 3})
    now = directory.clock.now
    pending, declined = _referral(shelter["id"], now), _referral(shelter["id"], now, status="declined")

    assert directory.store.import_referrals([pending, declined], now) == 2

    assert directory.store.get_referral(pending.id).to_dict() == pending.to_dict()
    assert directory.store.get_referral(declined.id).to_dict() == declined.to_dict()
    assert directory.get(shelter["id"])["capacity"]["held"] == 1
    listed = directory.store.list_referrals(ReferralFilter(provider_id=shelter["id"]), now)
    assert sorted(r.id for r in listed.items) == sorted((pending.id, declined.id))


def test_imported_audit_entries_keep_their_order_and_times(directory):
    earlier = [AuditEntry(at=f"2026-01-0{day}T08:00:00+00:00", actor="admin:old", role="admin",
                          action="provider.create", target=f"p-{day}", request_id=None) for day in (1, 2, 3)]

    assert directory.store.import_audit(earlier) == 3

    newest_first = directory.store.list_audit(AuditFilter(actor="admin:old")).items
    assert [entry.target for entry in newest_first] == ["p-3", "p-2", "p-1"]
    assert [entry.at for entry in newest_first] == [e.at for e in reversed(earlier)]


def test_rebuilding_the_indices_loses_nothing_and_answers_as_before(directory):
    from services.directory.domain.queries import SearchQuery

    added = [directory.add(name=f"Opvang {n}") for n in range(3)]
    referral = directory.refer(added[0]["id"])
    before = ids(directory.store.search(SearchQuery(text="opvang"), directory.clock.now))

    done = directory.store.rebuild_indices()

    assert done
    assert ids(directory.store.search(SearchQuery(text="opvang"), directory.clock.now)) == before
    assert sorted(before) == sorted(p["id"] for p in added)
    assert directory.store.get_referral(referral.id).status == "pending"
    assert directory.get(added[0]["id"])["capacity"]["held"] == 1
    assert directory.store.get_referral(referral.id) == referral
