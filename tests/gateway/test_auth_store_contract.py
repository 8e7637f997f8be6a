"""The AuthStore and AccountStore ports: every test runs against SQLite and against the search engine."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from services.shared.engine.indices import drop_indices, empty_indices
from services.gateway.accounts import open_account_store
from services.gateway.accounts.model import Account, Session
from services.gateway.accounts.store import DuplicateEmail
from services.gateway.auth import authenticate, hash_token, open_auth_store
from services.gateway.auth.search_engine import SearchEngineAuthStore

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("engine", id="engine", marks=pytest.mark.engine)]

_idle_prefixes: list[str] = []


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """Opens stores of one backend that share their data (as replicas do); cleans up after the test."""
    if request.param == "sqlite":
        yield lambda kind: (open_auth_store(tmp_path / "auth.db", "") if kind == "auth"
                            else open_account_store(tmp_path / "accounts.db", ""))
        return
    from tests.support.engine_store import fresh_prefix, require_engine, store_url

    http_url = require_engine()
    # Indices are emptied and reused by the next test: creating them costs far more than emptying them.
    prefix = _idle_prefixes.pop() if _idle_prefixes else fresh_prefix()
    url = store_url(http_url, prefix)
    opened = []

    def open_store(kind):
        store = open_auth_store(tmp_path, url) if kind == "auth" else open_account_store(tmp_path, url)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()
    cleaner = SearchEngineAuthStore(url)
    try:
        kinds = ("tokens", "accounts", "sessions")
        if all(cleaner.engine.client.alias_targets(cleaner.engine.alias(kind)) for kind in kinds):
            empty_indices(cleaner.engine.client, cleaner.engine.names, kinds)
            _idle_prefixes.append(prefix)
        else:
            drop_indices(cleaner.engine.client, cleaner.engine.names, kinds)
    finally:
        cleaner.close()


@pytest.fixture
def tokens(backend):
    return backend("auth")


@pytest.fixture
def accounts(backend):
    return backend("accounts")


def account(email="caseworker@example.org", account_id="a-1", **changes) -> Account:
    made = Account(id=account_id, email=email, role="caseworker", provider_ids=(), password_hash="$argon2id$x",
                   created_at=NOW)
    return made.with_changes(**changes) if changes else made


def session(id_hash="h" * 64, account_id="a-1", last_seen=NOW) -> Session:
    return Session(id_hash=id_hash, account_id=account_id, csrf_token="csrf", created_at=NOW, last_seen=last_seen)


# -- tokens ------------------------------------------------------------------------------------

def test_an_issued_token_is_found_by_its_hash_only(tokens):
    token_id, plaintext = tokens.issue("provider", ("p-1", "p-2"), "intake", NOW + timedelta(days=1), NOW)
    found = tokens.find_by_hash(hash_token(plaintext))
    assert (found.id, found.role, found.provider_ids, found.name) == (token_id, "provider", ("p-1", "p-2"), "intake")
    assert found.token_hash == hash_token(plaintext) and plaintext not in repr(found)
    assert (found.created_at, found.expires_at, found.revoked_at) == (NOW, NOW + timedelta(days=1), None)
    assert tokens.find_by_hash(hash_token("hvn_unknown")) is None
    assert tokens.get(token_id) == found and tokens.get("no-such-id") is None


def test_a_token_issued_by_one_replica_works_on_another_at_once(backend):
    first, second = backend("auth"), backend("auth")
    _, plaintext = first.issue("caseworker", (), "", None, NOW)
    assert authenticate(second, plaintext, NOW).role == "caseworker"


def test_revoking_keeps_the_first_time_and_unknown_ids_are_refused(backend):
    tokens, other = backend("auth"), backend("auth")
    token_id, plaintext = tokens.issue("admin", (), "", None, NOW)
    assert other.revoke(token_id, NOW + timedelta(minutes=1))
    assert tokens.revoke(token_id, NOW + timedelta(minutes=2))
    assert tokens.find_by_hash(hash_token(plaintext)).revoked_at == NOW + timedelta(minutes=1)
    assert tokens.get(token_id).state(NOW + timedelta(minutes=3)) == "revoked"
    assert not tokens.revoke("no-such-id", NOW)


def test_tokens_are_listed_newest_first(tokens):
    older, _ = tokens.issue("caseworker", (), "older", None, NOW)
    newer, _ = tokens.issue("admin", (), "newer", NOW + timedelta(hours=2), NOW + timedelta(hours=1))
    listed = tokens.list()
    assert [token.id for token in listed] == [newer, older]
    assert [token.state(NOW + timedelta(hours=3)) for token in listed] == ["expired", "active"]


# -- accounts ----------------------------------------------------------------------------------

def test_an_account_is_found_by_id_and_email_and_listed_by_email(accounts):
    accounts.add_account(account("zoe@example.org", "a-1"))
    accounts.add_account(account("adam@example.org", "a-2", role="provider", provider_ids=("p-1",)))
    assert accounts.get_account("a-2") == account("adam@example.org", "a-2", role="provider", provider_ids=("p-1",))
    assert accounts.find_by_email("zoe@example.org").id == "a-1"
    assert accounts.find_by_email("nobody@example.org") is None and accounts.get_account("nope") is None
    assert accounts.get_account("zoe@example.org") is None
    assert [found.email for found in accounts.list_accounts()] == ["adam@example.org", "zoe@example.org"]


def test_an_email_belongs_to_one_account_across_replicas(backend):
    first, second = backend("accounts"), backend("accounts")
    first.add_account(account("same@example.org", "a-1"))
    with pytest.raises(DuplicateEmail):
        second.add_account(account("same@example.org", "a-2"))
    assert second.get_account("a-2") is None
    assert [found.id for found in second.list_accounts()] == ["a-1"]


def test_concurrent_creation_of_one_address_lets_exactly_one_through(backend):
    stores = [backend("accounts") for _ in range(6)]
    outcomes = []

    def create(index, store):
        try:
            store.add_account(account("race@example.org", f"a-{index}"))
            outcomes.append("ok")
        except DuplicateEmail:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=create, args=pair) for pair in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate"] * 5 + ["ok"]
    assert len(stores[0].list_accounts()) == 1


def test_updating_replaces_the_account_and_moves_its_email(accounts):
    accounts.add_account(account("old@example.org", "a-1"))
    accounts.add_account(account("taken@example.org", "a-2"))
    changed = account("new@example.org", "a-1", disabled=True, locale="en", last_signin_at=NOW)
    accounts.update_account(changed)
    assert accounts.get_account("a-1") == changed
    assert accounts.find_by_email("new@example.org") == changed
    assert accounts.find_by_email("old@example.org") is None
    accounts.add_account(account("old@example.org", "a-3"))  # the old address is free again
    with pytest.raises(DuplicateEmail):
        accounts.update_account(changed.with_changes(email="taken@example.org"))
    assert accounts.get_account("a-1") == changed


def test_failed_sign_ins_count_up_and_lock_at_the_limit(accounts):
    accounts.add_account(account())
    until = NOW + timedelta(hours=1)
    counted = [accounts.record_failed_signin("a-1", 3, until) for _ in range(2)]
    assert [found.failed_signins for found in counted] == [1, 2] and counted[-1].locked_until is None
    locked = accounts.record_failed_signin("a-1", 3, until)
    assert (locked.failed_signins, locked.locked_until) == (0, until)
    assert accounts.get_account("a-1") == locked
    assert accounts.record_failed_signin("nobody", 3, until) is None


def test_concurrent_failures_on_several_replicas_all_count(backend):
    first = backend("accounts")
    first.add_account(account())
    stores = [backend("accounts") for _ in range(4)]

    def fail(store):
        for _ in range(5):
            store.record_failed_signin("a-1", 100, NOW + timedelta(hours=1))

    threads = [threading.Thread(target=fail, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert first.get_account("a-1").failed_signins == 20


# -- sessions ----------------------------------------------------------------------------------

def test_a_session_is_kept_by_hash_and_touched_forward_only(backend):
    accounts, other = backend("accounts"), backend("accounts")
    accounts.add_account(account())
    accounts.add_session(session())
    assert other.get_session("h" * 64) == session()
    other.touch_session("h" * 64, NOW + timedelta(minutes=5))
    accounts.touch_session("h" * 64, NOW + timedelta(minutes=1))  # late and older: ignored
    assert accounts.get_session("h" * 64).last_seen == NOW + timedelta(minutes=5)
    accounts.touch_session("missing", NOW)  # nothing to touch, no error
    assert accounts.get_session("missing") is None
    other.delete_session("h" * 64)
    assert accounts.get_session("h" * 64) is None
    accounts.delete_session("h" * 64)  # twice is fine


def test_signing_out_everywhere_ends_every_session_of_the_account_only(backend):
    accounts, other = backend("accounts"), backend("accounts")
    accounts.add_account(account())
    accounts.add_account(account("other@example.org", "a-2"))
    for index in range(3):
        accounts.add_session(session(f"s{index}", "a-1"))
    accounts.add_session(session("kept", "a-2"))
    assert other.delete_sessions_of("a-1") == 3
    assert [accounts.get_session(f"s{index}") for index in range(3)] == [None] * 3
    assert accounts.get_session("kept") is not None
    assert other.delete_sessions_of("a-1") == 0


def test_idle_sessions_are_forgotten(accounts):
    accounts.add_account(account())
    accounts.add_session(session("idle", last_seen=NOW))
    accounts.add_session(session("busy", last_seen=NOW + timedelta(minutes=40)))
    accounts.touch_session("idle", NOW + timedelta(minutes=10))
    if hasattr(accounts, "engine"):  # the engine's searches see writes after a refresh (within 1 s)
        accounts.engine.client.refresh(accounts.sessions)
    assert accounts.delete_sessions_idle_since(NOW + timedelta(minutes=30)) == 1
    assert accounts.get_session("idle") is None and accounts.get_session("busy") is not None
