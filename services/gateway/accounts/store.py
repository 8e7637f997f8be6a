"""The account store port: accounts and web sessions, shared by every gateway replica."""
from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from .model import Account, Session


class AccountStoreUnavailable(Exception):
    """The account store cannot be read or written."""


class DuplicateEmail(Exception):
    """Another account already has this email address."""


class AccountStore(ABC):
    """Accounts and sessions. Adapter: SqliteAccountStore (accounts.db beside auth.db)."""

    # -- accounts ----------------------------------------------------------------------------
    @abstractmethod
    def add_account(self, account: Account) -> None:
        """Store a new account; DuplicateEmail when the email is taken."""

    @abstractmethod
    def get_account(self, account_id: str) -> Account | None: ...

    @abstractmethod
    def find_by_email(self, email: str) -> Account | None:
        """The account with this (normalised) email."""

    @abstractmethod
    def list_accounts(self) -> list[Account]:
        """Every account, by email."""

    @abstractmethod
    def update_account(self, account: Account) -> None:
        """Replace the stored account with this one (same id)."""

    @abstractmethod
    def record_failed_signin(self, account_id: str, max_failures: int, lock_until: datetime) -> Account | None:
        """Count one failure atomically; at max_failures the account locks until lock_until and the count restarts."""

    # -- sessions ----------------------------------------------------------------------------
    @abstractmethod
    def add_session(self, session: Session) -> None: ...

    @abstractmethod
    def get_session(self, id_hash: str) -> Session | None: ...

    @abstractmethod
    def touch_session(self, id_hash: str, now: datetime) -> None:
        """The session was used now: its idle time starts again."""

    @abstractmethod
    def delete_session(self, id_hash: str) -> None: ...

    @abstractmethod
    def delete_sessions_of(self, account_id: str) -> int:
        """Sign an account out everywhere; returns how many sessions ended."""

    @abstractmethod
    def delete_sessions_idle_since(self, cutoff: datetime) -> int:
        """Forget sessions last used before cutoff."""

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        """Release connections."""
