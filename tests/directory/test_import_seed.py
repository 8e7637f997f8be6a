"""`haven seed`: synthetic providers through the same checks and writes as an import."""
from __future__ import annotations

from datetime import datetime, timezone

from services.directory.domain.queries import AuditFilter
from services.directory.store.sqlite import SqliteDirectoryStore


def open_store(tmp_path) -> SqliteDirectoryStore:
    return SqliteDirectoryStore(tmp_path / "data" / "haven.db")


def test_seeding_adds_the_asked_number_and_the_same_seed_adds_the_same_providers(haven_cli, tmp_path):
    code, out, err = haven_cli("seed", "--count", "40", "--seed", "3")
    assert code == 0
    assert "Added 40 synthetic providers (seed 3)" in out
    assert "writing" in err

    haven_cli("seed", "--count", "40", "--seed", "3", "--quiet")
    store = open_store(tmp_path)
    try:
        assert store.count_providers() == 40
    finally:
        store.close()

    haven_cli("seed", "--count", "10", "--seed", "4", "--quiet")
    store = open_store(tmp_path)
    try:
        assert store.count_providers() == 50
        entries = store.list_audit(AuditFilter(action="provider.seed", page=1, size=10)).items
        assert all(entry.actor.startswith("cli:") for entry in entries) and len(entries) == 3
        assert any(record["location"]["confidential"] for record in store.iter_providers(datetime.now(timezone.utc)))
    finally:
        store.close()


def test_a_negative_count_is_refused(haven_cli):
    code, _, err = haven_cli("seed", "--count", "-1")
    assert code == 1 and "--count" in err
