"""`haven backup DEST` and `haven restore SRC`: the embedded store's files, or an engine snapshot."""
from __future__ import annotations

import json
import os

import sqlite3
import sys
import time
from pathlib import Path

import requests

from ..shared.config import data_dir, default_store_url, make_private
from .common import error, utc_now

DATABASES = ("haven.db", "accounts.db", "auth.db")
KEY_FILES = ("internal.key", "secret.key")
MANIFEST = "haven-backup.json"
PAGES_PER_STEP = 256


def register(subparsers) -> None:
    backup = subparsers.add_parser("backup", help="copy the store (SQLite files and keys, or an engine snapshot)")
    backup.add_argument("dest", help="a new or empty folder")
    backup.add_argument("--quiet", action="store_true", help="no progress lines")
    backup.set_defaults(func=cmd_backup)
    restore = subparsers.add_parser("restore", help="put a backup back into HAVEN_DATA_DIR or the engine")
    restore.add_argument("src", help="a folder written by haven backup")
    restore.add_argument("--replace", action="store_true", help="overwrite the store's current data")
    restore.add_argument("--quiet", action="store_true", help="no progress lines")
    restore.set_defaults(func=cmd_restore)


def say(args, message: str) -> None:
    if not args.quiet:
        print(f"haven: {message}", file=sys.stderr, flush=True)


def private_folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(path)
    return path


def copy_database(source: Path, target: Path, report) -> None:
    """SQLite's online backup: a consistent copy while the services keep writing."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=PAGES_PER_STEP, progress=lambda status, remaining, total: report(total - remaining, total))
    finally:
        dst.close()
        src.close()


def copy_file(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(source.read_bytes())


def backup_files(args, source: Path, dest: Path) -> list[str]:
    copied = []
    for name in DATABASES:
        if (source / name).exists():
            say(args, f"copying {name}")
            copy_database(source / name, dest / name,
                          lambda done, total, name=name: say(args, f"  {name}: {done}/{total} pages")
                          if total > PAGES_PER_STEP else None)
            copied.append(name)
    for name in KEY_FILES:
        if (source / name).exists():
            copy_file(source / name, dest / name)
            copied.append(name)
    return copied


def restore_files(args, src: Path, target: Path, files: list[str]) -> None:
    existing = [name for name in files if (target / name).exists() and name in DATABASES]
    if existing and not args.replace:
        raise RuntimeError(f"{target} already holds {', '.join(existing)}; stop Haven and add --replace")
    for name in files:
        say(args, f"restoring {name}")
        for suffix in ("-wal", "-shm", "-journal"):
            (target / f"{name}{suffix}").unlink(missing_ok=True)
        if name in DATABASES:
            copy_database(src / name, target / name, lambda done, total: None)
        else:
            copy_file(src / name, target / name)
    if "haven.db" in files:
        renumber_changes(target / "haven.db")


def renumber_changes(database: Path) -> None:
    """A restored store numbers its changes in a new generation: matchers that read the live store further than
    the backup reaches load it again instead of waiting for numbers it already passed."""
    from ..directory.store.sqlite import new_change_generation

    conn = sqlite3.connect(database)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'change_counter'").fetchone():
            with conn:
                new_change_generation(conn)
    finally:
        conn.close()


# -- the search engine ------------------------------------------------------------------------

def engine_session(store_url: str):
    from ..shared.engine.client import EngineConfig

    config = EngineConfig.from_url(store_url)
    session = requests.Session()
    if config.username:
        session.auth = (config.username, config.password or "")
    session.verify = config.verify_certs
    return config, session, config.hosts[0]


def snapshot_location(session, host: str) -> str:
    """A folder inside the nodes' path.repo for Haven's snapshot repository."""
    nodes = session.get(f"{host}/_nodes/settings", timeout=30).json()["nodes"]
    repos = [node["settings"].get("path", {}).get("repo") for node in nodes.values()]
    repo = repos[0]
    if isinstance(repo, list):
        repo = repo[0] if repo else None
    if not repo:
        raise RuntimeError("the engine's nodes have no path.repo setting; set one to take snapshots")
    return str(Path(repo) / "haven")


def ensure_repository(session, host: str, name: str, location: str) -> None:
    answer = session.put(f"{host}/_snapshot/{name}", json={"type": "fs", "settings": {"location": location}},
                         timeout=60)
    answer.raise_for_status()


def wait_for(args, what: str, done) -> None:
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > 600:
            raise RuntimeError(f"{what} did not finish within 600 s")
        say(args, f"{what} ... {time.monotonic() - started:.0f}s")
        time.sleep(1)


def backup_engine(args, store_url: str) -> dict:
    config, session, host = engine_session(store_url)
    repository = f"{config.prefix}haven-backups"
    location = snapshot_location(session, host)
    ensure_repository(session, host, repository, location)
    snapshot = f"haven-{utc_now().strftime('%Y%m%dt%H%M%S')}"
    pattern = f"{config.prefix}haven-*"
    answer = session.put(f"{host}/_snapshot/{repository}/{snapshot}", timeout=60,
                         json={"indices": pattern, "include_global_state": False})
    answer.raise_for_status()

    def finished() -> bool:
        state = session.get(f"{host}/_snapshot/{repository}/{snapshot}", timeout=30).json()["snapshots"][0]
        if state["state"] in ("FAILED", "PARTIAL"):
            raise RuntimeError(f"snapshot {snapshot} ended {state['state']}")
        return state["state"] == "SUCCESS"

    wait_for(args, f"snapshot {snapshot}", finished)
    return {"repository": repository, "location": location, "snapshot": snapshot, "indices": pattern}


def restore_engine(args, store_url: str, saved: dict) -> None:
    config, session, host = engine_session(store_url)
    ensure_repository(session, host, saved["repository"], saved["location"])
    pattern = f"{config.prefix}haven-*"
    existing = session.get(f"{host}/_cat/indices/{pattern}?format=json", timeout=30).json()
    if existing and not args.replace:
        raise RuntimeError(f"the engine already holds {len(existing)} Haven indices; stop Haven and add --replace")
    for index in existing:
        session.delete(f"{host}/{index['index']}", timeout=60).raise_for_status()
    answer = session.post(f"{host}/_snapshot/{saved['repository']}/{saved['snapshot']}/_restore", timeout=60,
                          json={"indices": saved["indices"], "include_aliases": True, "include_global_state": False})
    answer.raise_for_status()

    def finished() -> bool:
        health = session.get(f"{host}/_cluster/health/{pattern}", params={"timeout": "1s"}, timeout=30).json()
        return health.get("status") in ("green", "yellow") and health.get("initializing_shards", 0) == 0

    wait_for(args, f"restore of {saved['snapshot']}", finished)


# -- commands ---------------------------------------------------------------------------------

def cmd_backup(args) -> int:
    dest = Path(args.dest)
    if dest.exists() and any(dest.iterdir()):
        return error("backup", f"{dest} is not empty")
    private_folder(dest)
    store_url = default_store_url()
    source = data_dir()
    try:
        manifest = {"made": utc_now().isoformat(), "store": store_url.split("://", 1)[0], "files": []}
        manifest["files"] = backup_files(args, source, dest)
        if not store_url.startswith("sqlite:"):
            manifest["engine"] = backup_engine(args, store_url)
    except (RuntimeError, OSError, sqlite3.Error, requests.RequestException) as err:
        return error("backup", str(err))
    fd = os.open(dest / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(manifest, handle, indent=2)
    say(args, f"backup written to {dest}: {', '.join(manifest['files']) or 'no files'}"
              + (f", snapshot {manifest['engine']['snapshot']}" if "engine" in manifest else ""))
    return 0


def cmd_restore(args) -> int:
    src = Path(args.src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as err:
        return error("restore", f"{src} holds no readable {MANIFEST}: {err}")
    target = private_folder(data_dir())
    try:
        restore_files(args, src, target, manifest["files"])
        if "engine" in manifest:
            restore_engine(args, default_store_url(), manifest["engine"])
    except (RuntimeError, OSError, sqlite3.Error, requests.RequestException) as err:
        return error("restore", str(err))
    say(args, f"restored {src} into {target}")
    return 0



