"""The gateway's settings, from HAVEN_* environment variables.

| variable | default | meaning |
| --- | --- | --- |
| HAVEN_DIRECTORY_URL | http://127.0.0.1:8081 | where the directory answers |
| HAVEN_MATCHER_URL | http://127.0.0.1:8082 | where the matcher answers |
| HAVEN_SERVICE_TIMEOUT | 10 | seconds to wait for one answer of the directory |
| HAVEN_MATCHER_TIMEOUT | HAVEN_DIRECTORY_TIMEOUT + 5 (15) | seconds to wait for one answer of the matcher: longer than the matcher waits for the directory, so a hung directory is named as such |
| HAVEN_RATE_LIMIT | 120 | requests per minute per token; `0` turns every limit off (tests, benchmarks) |
| HAVEN_RATE_LIMIT_ADDRESS | 600 | requests per minute per client address, with or without a token; `0`: none |
| HAVEN_REDIS_URL | (none) | rate-limit counters in Redis, shared by all workers and replicas (else per process) |
| HAVEN_PROXY_COUNT | 0 | proxies in front of the gateway whose X-Forwarded-For / -Proto to trust |
| HAVEN_SECRET_KEY | key file `secret.key` in HAVEN_DATA_DIR | signs web sessions |
| HAVEN_INTERNAL_SECRET | key file `internal.key` in HAVEN_DATA_DIR | signs requests to the internal services |
| HAVEN_DATA_DIR, HAVEN_STORE_URL | services.shared.config | tokens: `auth.db` beside a sqlite:/// store, else in the data dir; a search-engine URL (`opensearch+…`, `elasticsearch+…`) keeps tokens, accounts and sessions in the engine, shared by every replica |
| HAVEN_LOG_LEVEL | INFO | |
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..shared.config import (DEFAULT_DIRECTORY_TIMEOUT, TIMEOUT_MARGIN, data_dir, default_store_url, env,
                             env_float, env_int, internal_secret, secret_from_env_or_file)
from ..shared.engine.client import is_engine_url

DEFAULT_DIRECTORY_URL = "http://127.0.0.1:8081"
DEFAULT_MATCHER_URL = "http://127.0.0.1:8082"
DEFAULT_SERVICE_TIMEOUT = 10.0
DEFAULT_RATE_LIMIT = 120          # requests per minute per token
DEFAULT_RATE_LIMIT_ADDRESS = 600  # requests per minute per client address
AUTH_DB_NAME = "auth.db"
SECRET_KEY_FILE = "secret.key"


@dataclass(frozen=True)
class GatewaySettings:
    directory_url: str
    matcher_url: str
    internal_secret: bytes
    secret_key: bytes
    auth_db_path: Path
    # A search-engine store URL: tokens (and accounts, sessions) live there; "" keeps them in SQLite files.
    store_url: str = ""
    service_timeout: float = DEFAULT_SERVICE_TIMEOUT
    matcher_timeout: float = DEFAULT_DIRECTORY_TIMEOUT + TIMEOUT_MARGIN
    rate_limit: int = DEFAULT_RATE_LIMIT
    rate_limit_address: int = DEFAULT_RATE_LIMIT_ADDRESS
    redis_url: str | None = None
    proxy_count: int = 0
    log_level: str = "INFO"
    # A scraper presenting this bearer token reads /metrics; without one the gateway never serves them.
    metrics_token: str | None = None

    @property
    def limits_enabled(self) -> bool:
        """HAVEN_RATE_LIMIT=0 turns every limit off (tests, benchmarks)."""
        return self.rate_limit > 0

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "GatewaySettings":
        return cls(
            directory_url=env("HAVEN_DIRECTORY_URL", DEFAULT_DIRECTORY_URL, environ),
            matcher_url=env("HAVEN_MATCHER_URL", DEFAULT_MATCHER_URL, environ),
            internal_secret=internal_secret(environ),
            secret_key=secret_key(environ),
            auth_db_path=auth_db_path(environ),
            store_url=engine_store_url(None, environ) or "",
            service_timeout=env_float("HAVEN_SERVICE_TIMEOUT", DEFAULT_SERVICE_TIMEOUT, environ),
            matcher_timeout=matcher_timeout(environ),
            rate_limit=env_int("HAVEN_RATE_LIMIT", DEFAULT_RATE_LIMIT, environ),
            rate_limit_address=env_int("HAVEN_RATE_LIMIT_ADDRESS", DEFAULT_RATE_LIMIT_ADDRESS, environ),
            redis_url=env("HAVEN_REDIS_URL", None, environ),
            proxy_count=env_int("HAVEN_PROXY_COUNT", 0, environ),
            log_level=env("HAVEN_LOG_LEVEL", "INFO", environ),
            metrics_token=env("HAVEN_METRICS_TOKEN", None, environ),
        )


def matcher_timeout(environ: dict | None = None) -> float:
    """HAVEN_MATCHER_TIMEOUT, else the matcher's own wait for the directory plus a margin."""
    directory = env_float("HAVEN_DIRECTORY_TIMEOUT", DEFAULT_DIRECTORY_TIMEOUT, environ)
    return env_float("HAVEN_MATCHER_TIMEOUT", directory + TIMEOUT_MARGIN, environ)


def engine_store_url(store_url: str | None = None, environ: dict | None = None) -> str | None:
    """The store URL when it names a search engine, else None; `store_url` None means HAVEN_STORE_URL."""
    url = env("HAVEN_STORE_URL", None, environ) if store_url is None else store_url
    return url if is_engine_url(url) else None


def auth_db_path(environ: dict | None = None) -> Path:
    """auth.db beside the embedded store when HAVEN_STORE_URL is sqlite:///, else in HAVEN_DATA_DIR."""
    store_url = default_store_url(environ)
    if store_url.startswith("sqlite:///"):
        return Path(store_url[len("sqlite:///"):]).parent / AUTH_DB_NAME
    return data_dir(environ) / AUTH_DB_NAME


def secret_key(environ: dict | None = None) -> bytes:
    """HAVEN_SECRET_KEY, or a random key kept in secret.key in HAVEN_DATA_DIR (signs web sessions)."""
    return secret_from_env_or_file("HAVEN_SECRET_KEY", SECRET_KEY_FILE, environ)
