"""Who may call the gateway: API tokens (accounts and sessions join here), kept in the auth store."""
from __future__ import annotations

from pathlib import Path

from .store import ApiToken, AuthStore, AuthStoreUnavailable
from .tokens import InvalidToken, Principal, authenticate, hash_token, issue_token, revoke_token

__all__ = ["ApiToken", "AuthStore", "AuthStoreUnavailable", "InvalidToken", "Principal", "authenticate",
           "hash_token", "issue_token", "open_auth_store", "revoke_token"]


def open_auth_store(path: str | Path) -> AuthStore:
    """The auth store at this path (SQLite; the search-engine adapter is chosen here once it exists)."""
    from .sqlite import SqliteAuthStore

    return SqliteAuthStore(path)
