"""Search-engine stores for tests: one shared node, a fresh index prefix per store, no leftovers.

Without Java the engine tests are skipped with the reason; with HAVEN_REQUIRE_ENGINE=1 (CI) a missing
engine fails them instead.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import uuid
from typing import Iterator
from urllib.parse import urlsplit

from services.directory.figures.store import FIGURES_KINDS
from services.directory.notifications.engine_store import NOTIFICATION_KINDS
from services.directory.waitlist.store import WAITLIST_KINDS
from services.directory.store.search_engine import SearchEngineDirectoryStore
from services.directory.store.search_engine_mappings import CASE_KINDS, KINDS, TOMBSTONE_KINDS
from services.shared.engine.indices import drop_indices, empty_indices
from tests.support.engine import URL_ENV, engine_url, unavailable_reason
from tests.support.requirements import require

REQUIRE_ENV = "HAVEN_REQUIRE_ENGINE"
# Short scheduled refreshes keep tests that write with `refresh=wait_for` quick. They would also hide a
# write that forgets to refresh: tests/contract/test_store_read_your_writes.py turns them off to catch that.
TEST_OPTIONS = "refresh_interval=20ms&timeout=10"


def require_engine() -> str:
    """The shared engine's http URL; skips (or fails, when required) without one."""
    url = engine_url()
    require(url is not None, f"search engine unavailable: {unavailable_reason()}", REQUIRE_ENV)
    return url


def store_url(http_url: str, prefix: str, flavour: str = "opensearch", options: str = TEST_OPTIONS) -> str:
    """`opensearch+http://host:port/?prefix=...` for an engine at `http_url`."""
    parts = urlsplit(http_url)
    return f"{flavour}+{parts.scheme}://{parts.netloc}/?prefix={prefix}&{options}"


def fresh_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:10]}-"


@contextlib.contextmanager
def engine_store(prefix: str | None = None) -> Iterator[SearchEngineDirectoryStore]:
    """An empty store under its own index prefix on the shared engine.

    Without a given prefix, the indices of an earlier test are emptied and reused: creating three
    indices costs over a second, emptying them a few milliseconds. A given prefix is dropped on exit.
    """
    http_url = require_engine()
    pooled = prefix is None
    if pooled:
        prefix = _idle.pop() if _idle else _new_pooled_prefix()
    store = SearchEngineDirectoryStore.from_url(store_url(http_url, prefix))
    try:
        yield store
    finally:
        try:
            # Made only by tests of notifications, the waiting list, figures and the change feed's deletes:
            # dropped, so a reused prefix starts without them.
            drop_indices(store.client, store.names,
                         NOTIFICATION_KINDS + WAITLIST_KINDS + FIGURES_KINDS + TOMBSTONE_KINDS)
            if pooled:
                empty_indices(store.client, store.names, KINDS + CASE_KINDS)
                _idle.append(prefix)
            else:
                drop_indices(store.client, store.names, KINDS + CASE_KINDS)
        finally:
            store.close()


_idle: list[str] = []
_pooled: list[str] = []


def _new_pooled_prefix() -> str:
    if not _pooled and os.environ.get(URL_ENV):
        # An engine that outlives the tests keeps nothing of them. (Registered after the shared
        # engine's own exit handler, so it runs before a temporary engine would be stopped.)
        atexit.register(_drop_pooled)
    prefix = fresh_prefix()
    _pooled.append(prefix)
    return prefix


def _drop_pooled() -> None:
    # The process is ending: log handlers may point at streams pytest has already closed.
    logging.disable(logging.CRITICAL)
    url = engine_url()
    for prefix in _pooled:
        store = SearchEngineDirectoryStore.from_url(store_url(url, prefix))
        try:
            drop_indices(store.client, store.names, KINDS + CASE_KINDS + NOTIFICATION_KINDS + WAITLIST_KINDS)
        except Exception:  # noqa: BLE001 - best effort as the process ends
            pass
        finally:
            store.close()
