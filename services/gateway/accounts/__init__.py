"""Accounts and web sessions for the pages: email and password, server-side sessions, locks."""
from __future__ import annotations

from pathlib import Path

from .model import Account, AccountError, AccountPolicy, Session
from .passwords import Passwords
from .store import AccountStore, AccountStoreUnavailable

ACCOUNTS_DB_NAME = "accounts.db"

__all__ = ["ACCOUNTS_DB_NAME", "Account", "AccountError", "AccountPolicy", "AccountStore",
           "AccountStoreUnavailable", "Passwords", "Session", "open_account_store"]


def open_account_store(path: str | Path, store_url: str | None = None) -> AccountStore:
    """The account store: in the search engine when the store URL names one, else the SQLite file at `path`.

    `store_url` defaults to HAVEN_STORE_URL, so every replica and `haven users` share the same accounts.
    """
    from ..settings import engine_store_url

    url = engine_store_url(store_url)
    if url:
        from .search_engine import SearchEngineAccountStore

        return SearchEngineAccountStore(url)
    from .sqlite import SqliteAccountStore

    return SqliteAccountStore(path)
