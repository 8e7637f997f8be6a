"""Who may call the gateway: API tokens (accounts and sessions join here), kept in the auth store."""
from __future__ import annotations

from pathlib import Path

from .store import ApiToken, AuthStore, AuthStoreUnavailable
from .tokens import InvalidToken, authenticate, hash_token, issue_token, revoke_token

__all__ = ["ApiToken", "AuthStore", "AuthStoreUnavailable", "InvalidToken", "authenticate",
           "hash_token", "issue_token", "open_auth_store", "revoke_token"]


def open_auth_store(path: str | Path, store_url: str | None = None) -> AuthStore:
    """The auth store: in the search engine when the store URL names one, else the SQLite file at `path`.

    `store_url` defaults to HAVEN_STORE_URL, so the gateway and `haven tokens` always agree.
    """
    from ..settings import engine_store_url

    url = engine_store_url(store_url)
    if url:
        from .search_engine import SearchEngineAuthStore

        return SearchEngineAuthStore(url)
    from .sqlite import SqliteAuthStore

    return SqliteAuthStore(path)
