"""The gateway's auth store port: API tokens now; accounts and web sessions join it later."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ApiToken:
    """An issued API token as stored: never the token itself, only its SHA-256 hash."""

    id: str
    token_hash: str
    role: str
    provider_ids: tuple[str, ...]
    name: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return "active"


class AuthStoreUnavailable(Exception):
    """The auth store cannot be read or written."""


class AuthStore(ABC):
    """Where the gateway keeps who may call it. Adapters: SqliteAuthStore (a search-engine one later)."""

    @abstractmethod
    def issue(self, role: str, provider_ids: tuple[str, ...], name: str, expires_at: datetime | None,
              now: datetime) -> tuple[str, str]:
        """Create a token; returns (token_id, plaintext). The plaintext is never stored or shown again."""

    @abstractmethod
    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        """The token with this SHA-256 hash (hex), whatever its state."""

    @abstractmethod
    def revoke(self, token_id: str, now: datetime) -> bool:
        """Mark a token revoked; False when no such token exists (revoking twice keeps the first time)."""

    @abstractmethod
    def list(self) -> list[ApiToken]:
        """Every token, newest first."""

    def get(self, token_id: str) -> ApiToken | None:
        return next((token for token in self.list() if token.id == token_id), None)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        """Release connections held by the calling thread."""
