"""Read your writes: once a write has returned, the next search, candidate list or listing shows it.

On the search engine a write becomes searchable only after a refresh. Its scheduled refresh is switched
off here, so only the refreshes the store does itself can make a write visible, and a write that
forgets one fails at once instead of now and then.
"""
from __future__ import annotations

import contextlib

import pytest

from services.directory.domain.queries import AuditFilter, CandidateQuery, ReferralFilter, SearchQuery
from services.directory.domain.referrals import TooManyPending
from services.directory.store.search_engine import SearchEngineDirectoryStore
from tests.contract.conftest import STORE_FACTORIES
from tests.contract.records import ids

NEAR = (52.0907, 5.1214)  # where the test records are


@contextlib.contextmanager
def without_scheduled_refresh(store):
    """Switch an engine store's periodic refresh off for the duration; other stores are left as they are."""
    if not isinstance(store, SearchEngineDirectoryStore):
        yield
        return
    assert store.ping(), "the engine store is not ready"
    aliases = [store.providers, store.referrals, store.audit]
    for alias in aliases:
        store.client.put_settings(alias, {"index": {"refresh_interval": "-1"}})
    try:
        yield
    finally:
        for alias in aliases:
            store.client.put_settings(alias, {"index": {"refresh_interval": store.config.refresh_interval}})


@pytest.fixture
def store(store_backend, tmp_path):
    with STORE_FACTORIES[store_backend].make(tmp_path) as made, without_scheduled_refresh(made):
        yield made


def search(directory, **query) -> list[str]:
    return ids(directory.store.search(SearchQuery(**query), directory.clock.now))


def candidates(directory) -> list[str]:
    return ids(directory.store.candidates(CandidateQuery(need="shelter", near=NEAR), directory.clock.now))


def referrals(directory, **query) -> list[tuple[str, str]]:
    page = directory.store.list_referrals(ReferralFilter(**query), directory.clock.now)
    return [(referral.id, referral.status) for referral in page.items]


def actions(directory, **query) -> list[tuple[str, str | None]]:
    return [(entry.action, entry.target) for entry in directory.store.list_audit(AuditFilter(**query)).items]


def test_a_new_provider_is_found_by_the_next_search_and_candidate_list(directory):
    shelter = directory.add(name="Zonnehuis")
    assert search(directory, text="Zonnehuis") == [shelter["id"]]
    assert candidates(directory) == [shelter["id"]]


def test_a_capacity_update_is_seen_by_the_next_search_and_candidate_list(directory):
    shelter = directory.add(capacity={"available": 0})
    assert search(directory, available_only=True) == candidates(directory) == []

    directory.store.set_capacity(shelter["id"], 2, None, directory.clock.now, directory.audit("capacity.update"))

    found = directory.store.search(SearchQuery(available_only=True), directory.clock.now).items
    assert [(record["id"], record["capacity"]["available"]) for record, _ in found] == [(shelter["id"], 2)]
    assert candidates(directory) == [shelter["id"]]


def test_a_deleted_provider_is_gone_from_the_next_search(directory):
    shelter = directory.add()
    directory.store.delete_provider(shelter["id"], directory.audit("provider.delete", shelter["id"]))
    assert search(directory, include_inactive=True) == candidates(directory) == []


def test_a_bulk_load_is_found_by_the_next_search(directory):
    records = [directory.record(name=f"Opvang {n}") for n in range(3)]
    directory.store.bulk_upsert(records, directory.audit("provider.import"))
    assert sorted(search(directory, text="Opvang")) == sorted(record["id"] for record in records)


def test_a_hold_and_its_release_are_seen_by_the_next_candidate_list(directory):
    shelter = directory.add(capacity={"available": 1})
    referral = directory.refer(shelter["id"])
    assert candidates(directory) == search(directory, available_only=True) == []

    directory.move(referral.id, "cancelled", actor="caseworker:1", role="caseworker")
    assert candidates(directory) == search(directory, available_only=True) == [shelter["id"]]


def test_a_new_referral_and_each_move_are_listed_at_once(directory):
    shelter = directory.add(capacity={"available": 2})
    referral = directory.refer(shelter["id"], case_reference="case-ryw")
    assert referrals(directory, case_reference="case-ryw") == [(referral.id, "pending")]
    assert referrals(directory, provider_id=shelter["id"], status="pending") == [(referral.id, "pending")]

    directory.move(referral.id, "accepted")
    assert referrals(directory, case_reference="case-ryw") == [(referral.id, "accepted")]
    assert referrals(directory, provider_id=shelter["id"], status="pending") == []


def test_every_audit_entry_is_listed_as_soon_as_its_write_returns(directory):
    shelter = directory.add()
    assert actions(directory, target=shelter["id"]) == [("provider.create", shelter["id"])]

    directory.store.set_capacity(shelter["id"], 1, None, directory.clock.now,
                                 directory.audit("capacity.update", shelter["id"]))
    assert actions(directory, target=shelter["id"], size=1) == [("capacity.update", shelter["id"])]

    referral = directory.refer(shelter["id"])
    assert actions(directory, size=1) == [("referral.create", referral.id)]

    directory.store.append_audit(directory.audit("export.download", "providers"))
    assert actions(directory, size=1) == [("export.download", "providers")]


# Searches inside the referral operations themselves must see the referrals written just before them.

def test_the_pending_limit_counts_referrals_made_just_before(directory):
    shelters = [directory.add(capacity={"available": 1}) for _ in range(3)]
    first = directory.refer(shelters[0]["id"], case_reference="case-limit", max_pending=2)
    directory.refer(shelters[1]["id"], case_reference="case-limit", max_pending=2)
    with pytest.raises(TooManyPending):
        directory.refer(shelters[2]["id"], case_reference="case-limit", max_pending=2)

    directory.move(first.id, "cancelled", actor="caseworker:1", role="caseworker")
    directory.refer(shelters[2]["id"], case_reference="case-limit", max_pending=2)


def test_an_accept_cancels_the_referrals_for_the_case_made_just_before(directory):
    shelters = [directory.add(capacity={"available": 1}) for _ in range(2)]
    chosen, sibling = [directory.refer(shelter["id"], case_reference="case-one-hold") for shelter in shelters]
    directory.move(chosen.id, "accepted")
    assert directory.store.get_referral(sibling.id).status == "cancelled"
    assert search(directory, available_only=True) == [shelters[1]["id"]]


def test_the_sweep_expires_a_hold_made_just_before(directory):
    shelter = directory.add(capacity={"available": 1})
    referral = directory.refer(shelter["id"], minutes=10)
    directory.clock.advance(minutes=15)
    assert directory.store.expire_referrals(directory.clock.now) == 1
    assert referrals(directory, status="expired") == [(referral.id, "expired")]
