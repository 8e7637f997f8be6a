"""The directory's settings, from HAVEN_* environment variables (documented in the README)."""
from __future__ import annotations

from dataclasses import dataclass

from ..shared.config import default_store_url, env, internal_secret


@dataclass(frozen=True)
class DirectorySettings:
    store_url: str
    internal_secret: bytes
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "DirectorySettings":
        return cls(store_url=default_store_url(environ), internal_secret=internal_secret(environ),
                   log_level=env("HAVEN_LOG_LEVEL", "INFO", environ))
