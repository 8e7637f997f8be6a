"""Haven, or its directory store, on a chosen store ("sqlite" or "engine"): one place for every test that picks."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from services.directory.store import DirectoryStore
from services.directory.figures.store import FIGURES_KINDS
from services.directory.store.search_engine import SearchEngineDirectoryStore
from services.directory.store.search_engine_mappings import KINDS
from services.directory.store.sqlite import SqliteDirectoryStore
from services.shared.engine.indices import drop_indices
from tests.support.engine_store import engine_store, fresh_prefix, require_engine, store_url
from tests.support.stack import HavenStack, start_stack


@contextlib.contextmanager
def haven_on(store: str, folder: Path, *, engine_options: str | None = None, **options) -> Iterator[HavenStack]:
    """Gateway, directory and matcher under gunicorn on "sqlite" (a file in `folder`) or "engine" (a fresh index
    prefix on the test engine, dropped afterwards); `options` go to start_stack. Stopped on exit."""
    url = None
    if store == "engine":
        extra = {"options": engine_options} if engine_options else {}
        url = store_url(require_engine(), fresh_prefix(), **extra)
    stack = start_stack(folder, store_url=url, **options)
    try:
        yield stack
    finally:
        stack.close()
        if url:
            drop_engine_store(url)


def drop_engine_store(url: str) -> None:
    """Delete every index of the store at `url`."""
    store = SearchEngineDirectoryStore.from_url(url)
    try:
        drop_indices(store.client, store.names, KINDS + FIGURES_KINDS)
    finally:
        store.close()


@contextlib.contextmanager
def directory_store(store: str, folder: Path) -> Iterator[DirectoryStore]:
    """An empty directory store: a SQLite file in `folder`, or indices of their own on the test engine."""
    if store == "engine":
        with engine_store() as engine:
            yield engine
        return
    sqlite = SqliteDirectoryStore(folder / "haven.db")
    try:
        yield sqlite
    finally:
        sqlite.close()
