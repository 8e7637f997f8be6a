"""Who is calling: the one identity the gateway, the directory and the matcher know a caller by."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """A role, a subject (`token:<id>`, `account:<id>`, `cli:<user>`) and, for providers, the providers they run."""

    role: str
    subject: str
    provider_ids: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def owns(self, provider_id: str) -> bool:
        return self.role == "provider" and provider_id in self.provider_ids
