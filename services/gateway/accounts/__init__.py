"""Accounts and web sessions for the pages: email and password, server-side sessions, locks."""
from __future__ import annotations

from pathlib import Path

from .model import Account, AccountError, AccountPolicy, Session
from .passwords import Passwords
from .store import AccountStore, AccountStoreUnavailable

ACCOUNTS_DB_NAME = "accounts.db"

__all__ = ["ACCOUNTS_DB_NAME", "Account", "AccountError", "AccountPolicy", "AccountStore",
           "AccountStoreUnavailable", "Passwords", "Session", "open_account_store"]


def open_account_store(path: str | Path) -> AccountStore:
    """The account store at this path (SQLite)."""
    from .sqlite import SqliteAccountStore

    return SqliteAccountStore(path)
