"""`haven backup` and `haven restore` bring back every provider, referral and audit entry."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.request

import pytest
import requests

from tests.support.processes import REPO
from tests.support.stack import sqlite_rows, start_stack

pytestmark = pytest.mark.integration


def haven(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=REPO, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


def table_rows(database) -> dict[str, list[tuple]]:
    tables = [row[0] for row in sqlite_rows(database, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: sorted(tuple(row) for row in sqlite_rows(database, f'SELECT * FROM "{table}"'))
            for table in tables}


def test_a_restored_data_folder_holds_every_provider_referral_audit_entry_and_key(tmp_path):
    stack = start_stack(tmp_path / "live")
    try:
        made = requests.post(stack.api + "/referrals", headers=stack.auth("caseworker"), timeout=30,
                             json={"provider_id": stack.provider_id, "need": "shelter", "case_reference": "BK-1"})
        assert made.status_code == 201, made.text
        env = {"HAVEN_DATA_DIR": str(stack.folder), "HAVEN_STORE_URL": stack.store_url}
        backup = haven("backup", str(tmp_path / "backup"), env=env)  # while the services run
    finally:
        stack.close()
    assert backup.returncode == 0, backup.stderr
    assert "copying haven.db" in backup.stderr
    for path in (tmp_path / "backup").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

    fresh = tmp_path / "fresh"
    restored = haven("restore", str(tmp_path / "backup"), env={"HAVEN_DATA_DIR": str(fresh)})
    assert restored.returncode == 0, restored.stderr

    before, after = table_rows(stack.folder / "haven.db"), table_rows(fresh / "haven.db")
    for kind in ("provider", "referral", "audit"):
        tables = [table for table in before if kind in table]
        assert tables and all(before[t] == after[t] and before[t] for t in tables), kind
    assert table_rows(stack.folder / "auth.db") == table_rows(fresh / "auth.db")
    # Its change feed counts in a generation of its own: a matcher that read the live store further loads it anew.
    live_generation = sqlite_rows(stack.folder / "haven.db", "SELECT generation FROM change_counter")
    assert live_generation != sqlite_rows(fresh / "haven.db", "SELECT generation FROM change_counter")
    manifest = json.loads((tmp_path / "backup" / "haven-backup.json").read_text())
    for name in manifest["files"]:
        assert stat.S_IMODE((fresh / name).stat().st_mode) == 0o600, name

    again = haven("restore", str(tmp_path / "backup"), env={"HAVEN_DATA_DIR": str(fresh)})
    assert again.returncode == 1 and "--replace" in again.stderr


@pytest.mark.engine
def test_an_engine_snapshot_restores_every_index_after_they_are_lost(tmp_path):
    from datetime import datetime, timezone

    from services.directory.demo import load_demo
    from services.directory.store import store_from_url
    from services.shared.engine.indices import drop_indices
    from tests.support.engine_store import fresh_prefix, require_engine, store_url

    engine = require_engine()
    prefix = fresh_prefix()
    url = store_url(engine, prefix)
    store = store_from_url(url)
    try:
        load_demo(store, datetime.now(timezone.utc))
    finally:
        store.close()

    def counts() -> dict[str, int]:
        urllib.request.urlopen(f"{engine}/{prefix}haven-*/_refresh", data=b"").read()
        rows = json.loads(urllib.request.urlopen(f"{engine}/_cat/indices/{prefix}haven-*?format=json").read())
        return {row["index"]: int(row["docs.count"]) for row in rows}

    before = counts()
    assert any("providers" in name and n > 0 for name, n in before.items()), before
    env = {"HAVEN_DATA_DIR": str(tmp_path / "data"), "HAVEN_STORE_URL": url}
    backup = haven("backup", str(tmp_path / "backup"), env=env)
    assert backup.returncode == 0, backup.stderr

    cleaner = store_from_url(url)
    try:
        drop_indices(cleaner.client, cleaner.names,
                     ("providers", "referrals", "audit", "provider-tombstones", "referral-cases"))
    finally:
        cleaner.close()
    assert not counts()

    restored = haven("restore", str(tmp_path / "backup"), env=env)
    assert restored.returncode == 0, restored.stderr
    assert counts() == before
