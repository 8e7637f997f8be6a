"""Who may call the gateway with a token: API tokens, kept in the auth store (web accounts are in ../accounts)."""
from __future__ import annotations

from pathlib import Path

from ..settings import engine_store_url
from .search_engine import SearchEngineAuthStore
from .sqlite import SqliteAuthStore
from .store import ApiToken, AuthStore, AuthStoreUnavailable
from .tokens import InvalidToken, authenticate, hash_token, issue_token, revoke_token

__all__ = ["ApiToken", "AuthStore", "AuthStoreUnavailable", "InvalidToken", "authenticate",
           "hash_token", "issue_token", "open_auth_store", "revoke_token"]


def open_auth_store(path: str | Path, store_url: str | None = None) -> AuthStore:
    """The auth store: in the search engine when the store URL names one, else the SQLite file at `path`.

    `store_url` defaults to HAVEN_STORE_URL, so the gateway and `haven tokens` always agree.
    """
    url = engine_store_url(store_url)
    if url:
        return SearchEngineAuthStore(url)
    return SqliteAuthStore(path)
