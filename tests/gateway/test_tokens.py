"""API tokens in the SQLite auth store: random, stored only as a hash, expiring, revocable."""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from services.gateway.auth import InvalidToken, authenticate, hash_token, issue_token, revoke_token
from services.gateway.auth.sqlite import MIGRATIONS, SqliteAuthStore
from services.gateway.auth.tokens import TOKEN_PREFIX, new_token

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    opened = SqliteAuthStore(tmp_path / "auth.db")
    yield opened
    opened.close()


@pytest.fixture
def audit():
    events = []

    def record(action, target, detail):
        events.append((action, target, detail))

    record.events = events
    return record


def test_a_token_is_hvn_and_32_random_bytes_urlsafe():
    token = new_token()
    assert token.startswith(TOKEN_PREFIX)
    assert len(token) == len(TOKEN_PREFIX) + 43
    assert set(token[len(TOKEN_PREFIX):]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert new_token() != token


def test_only_the_sha256_of_a_token_is_stored(store, tmp_path):
    token_id, plaintext = store.issue("caseworker", (), "case system", None, NOW)
    assert hash_token(plaintext) == hashlib.sha256(plaintext.encode()).hexdigest()
    conn = sqlite3.connect(tmp_path / "auth.db")
    rows = conn.execute("SELECT * FROM tokens").fetchall()
    conn.close()
    assert plaintext not in repr(rows)
    assert store.find_by_hash(hash_token(plaintext)).id == token_id


def test_a_valid_token_stands_for_its_role_and_providers(store):
    _, plaintext = store.issue("provider", ("p-1", "p-2"), "", None, NOW)
    principal = authenticate(store, plaintext, NOW)
    assert principal.role == "provider"
    assert principal.provider_ids == ("p-1", "p-2")
    assert principal.subject.startswith("token:")
    assert principal.owns("p-2") and not principal.owns("p-3")


@pytest.mark.parametrize("presented", ["", "hvn_", "hvn_unknown", "not-a-haven-token", "hvn_" + "x" * 300])
def test_unknown_or_malformed_tokens_are_refused(store, presented):
    store.issue("admin", (), "", None, NOW)
    with pytest.raises(InvalidToken):
        authenticate(store, presented, NOW)


def test_a_token_stops_working_when_it_expires(store):
    _, plaintext = store.issue("caseworker", (), "", NOW + timedelta(days=1), NOW)
    assert authenticate(store, plaintext, NOW + timedelta(hours=23)).role == "caseworker"
    with pytest.raises(InvalidToken, match="expired"):
        authenticate(store, plaintext, NOW + timedelta(days=1))


def test_a_revoked_token_stops_working_at_once_and_keeps_its_first_revocation_time(store):
    token_id, plaintext = store.issue("admin", (), "", None, NOW)
    assert store.revoke(token_id, NOW + timedelta(minutes=1))
    assert store.revoke(token_id, NOW + timedelta(minutes=5))
    with pytest.raises(InvalidToken, match="revoked"):
        authenticate(store, plaintext, NOW + timedelta(minutes=2))
    assert store.get(token_id).revoked_at == NOW + timedelta(minutes=1)
    assert not store.revoke("no-such-token", NOW)


def test_tokens_are_listed_newest_first_with_their_state(store):
    first, _ = store.issue("admin", (), "first", None, NOW)
    second, _ = store.issue("caseworker", (), "second", NOW + timedelta(hours=1), NOW + timedelta(minutes=1))
    store.revoke(first, NOW)
    listed = store.list()
    assert [token.id for token in listed] == [second, first]
    later = NOW + timedelta(hours=2)
    assert [token.state(later) for token in listed] == ["expired", "revoked"]


def test_issuing_checks_the_role_and_provider_ids_and_records_it(store, audit):
    with pytest.raises(ValueError):
        issue_token(store, role="superuser", now=NOW, audit=audit)
    with pytest.raises(ValueError):
        issue_token(store, role="provider", now=NOW, audit=audit)
    with pytest.raises(ValueError):
        issue_token(store, role="caseworker", provider_ids=("p-1",), now=NOW, audit=audit)
    token_id, _ = issue_token(store, role="provider", provider_ids=("p-1",), name="shelter", now=NOW, audit=audit)
    assert audit.events == [("token.issue", f"token:{token_id}", "role=provider providers=p-1")]
    assert store.list()[0].name == "shelter"


def test_a_token_whose_issue_cannot_be_recorded_does_not_stay_valid(store):
    def broken(*event):
        raise RuntimeError("audit log unavailable")

    with pytest.raises(RuntimeError):
        issue_token(store, role="admin", now=NOW, audit=broken)
    assert [token.state(NOW) for token in store.list()] == ["revoked"]


def test_revoking_records_it_and_an_unknown_id_records_nothing(store, audit):
    token_id, _ = issue_token(store, role="admin", now=NOW, audit=audit)
    assert revoke_token(store, token_id=token_id, now=NOW, audit=audit)
    assert not revoke_token(store, token_id="missing", now=NOW, audit=audit)
    assert [event[0] for event in audit.events] == ["token.issue", "token.revoke"]


def test_the_store_uses_wal_and_migrates_once_however_often_it_is_opened(tmp_path):
    for _ in range(3):
        SqliteAuthStore(tmp_path / "auth.db").close()
    conn = sqlite3.connect(tmp_path / "auth.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()
