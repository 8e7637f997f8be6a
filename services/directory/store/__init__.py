"""Choose the directory store from its URL."""
from __future__ import annotations

from .base import AuditEntry, DirectoryStore, StoreUnavailable

__all__ = ["AuditEntry", "DirectoryStore", "StoreUnavailable", "store_from_url"]


def store_from_url(url: str) -> DirectoryStore:
    """sqlite:///path, elasticsearch+http(s)://host:port or opensearch+http(s)://host:port."""
    if url.startswith("sqlite:///"):
        from .sqlite import SqliteDirectoryStore

        return SqliteDirectoryStore.from_url(url)
    if url.startswith(("elasticsearch+", "opensearch+")):
        from .search_engine import SearchEngineDirectoryStore

        return SearchEngineDirectoryStore.from_url(url)
    raise ValueError(f"unsupported store URL scheme: {url.split(':', 1)[0]}")
