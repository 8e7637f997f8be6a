"""Everything Haven writes in its data folder is its user's alone: files 0600, folders 0700, whichever
process writes them (the `haven` command, gunicorn workers), and a folder made before is tightened."""
from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

import pytest
import requests

from tests.support.haven_up import start_haven_up
from tests.support.processes import start_gunicorn

pytestmark = pytest.mark.integration

MATCH = {"needs": ["shelter", "legal"], "languages": ["ro"], "location": {"place": "Utrecht"}}


def loose_modes(folder: Path) -> dict[str, str]:
    """Every path under folder (and folder itself) whose mode is not 0700 (folders) or 0600 (files)."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
            wanted = 0o700 if path.is_dir() else 0o600
        except FileNotFoundError:
            continue  # a WAL file checkpointed away meanwhile
        if mode != wanted:
            found[str(path.relative_to(folder.parent))] = oct(mode)
    return found


def use(haven) -> None:
    """Search and match through the gateway, so every service has written what it writes."""
    credentials = json.loads((haven.folder / "demo-credentials.json").read_text())
    headers = {"Authorization": f"Bearer {credentials['tokens']['caseworker']}"}
    api = haven.url("gateway") + "/api/v1"
    assert requests.get(f"{api}/providers", params={"need": "shelter"}, headers=headers, timeout=60).status_code == 200
    assert requests.post(f"{api}/matches", json=MATCH, headers=headers, timeout=60).status_code == 200


def run_demo(folder: Path) -> set[str]:
    """`haven up --demo` on folder, used; the loose modes while it runs and after it stopped, and the file names."""
    previous = os.umask(0o022)  # what a login shell usually has: the processes must not rely on the caller's
    try:
        haven = start_haven_up(folder, "--demo")
    finally:
        os.umask(previous)
    with haven:
        haven.folder = folder
        use(haven)
        assert loose_modes(folder) == {}
    assert loose_modes(folder) == {}
    return {path.name for path in folder.iterdir()}


def test_haven_up_demo_makes_every_file_0600_and_the_data_folder_0700(tmp_path):
    names = run_demo(tmp_path / "data")
    # The files this covers: stores, keys, sign-ins, nonces.
    assert {"haven.db", "auth.db", "accounts.db", "internal.key", "secret.key", "demo-credentials.json",
            "nonces-directory.db", "nonces-matcher.db"} <= names, names


def test_haven_up_tightens_a_data_folder_made_with_loose_modes(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o755)
    for name in ("internal.key", "haven-copy.db", "haven-copy.db-wal", "notes.txt"):
        (folder / name).write_text(secrets.token_hex(32))
        (folder / name).chmod(0o644)
    previous = os.umask(0o022)
    try:
        haven = start_haven_up(folder)
    finally:
        os.umask(previous)
    with haven:
        # Haven's own files are tightened; anything else someone keeps in the folder is left alone.
        assert loose_modes(folder) == {"data/notes.txt": "0o644"}


def test_a_service_started_by_gunicorn_alone_writes_private_files(tmp_path):
    folder = tmp_path / "data"
    previous = os.umask(0o022)
    try:
        service = start_gunicorn("services.directory:create_app()", {
            "HAVEN_DATA_DIR": str(folder), "HAVEN_STORE_URL": f"sqlite:///{folder / 'haven.db'}",
            "HAVEN_INTERNAL_SECRET": secrets.token_hex(32)}, workers=1)
    finally:
        os.umask(previous)
    with service:
        assert (folder / "haven.db").exists()
        assert loose_modes(folder) == {}
