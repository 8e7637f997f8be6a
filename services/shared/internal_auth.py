"""Flask side of signed internal requests: every route but health and metrics needs valid claims."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, request

from .engine.client import is_engine_url
from .engine.nonces import EngineReplayGuard
from .errors import ApiError
from .replay import RedisReplayGuard
from .signing import Claims, ReplayGuard, SignatureError, SqliteReplayGuard, verify

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
log = logging.getLogger(__name__)


def signed_path() -> str:
    """The path and raw query string exactly as the client signed them."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def init_internal_auth(app: Flask, secret: bytes, guard: ReplayGuard | None = None) -> None:
    """Refuse every request without a valid, fresh, first-seen gateway signature.

    `guard` remembers used nonces; give one shared by every worker (SqliteReplayGuard) in production,
    or a replayed request could reach a worker that has not seen it.
    """
    guard = guard or ReplayGuard()

    @app.before_request
    def _verify():
        if request.path in OPEN_PATHS or request.path.startswith("/openapi"):
            return None
        try:
            g.claims = verify(secret, request.method, signed_path(), request.get_data(cache=True),
                              request.headers, guard)
        except SignatureError as err:
            log.warning("refused internal request", extra={"reason": str(err)})
            raise ApiError(401, "unauthenticated", "request not signed by the gateway") from err
        return None


def replay_guard(path: Path | None, *, redis_url: str | None = None, store_url: str | None = None) -> ReplayGuard:
    """Where used nonces are kept: Redis when configured, else the engine store, else a file every worker here shares.

    Redis and the engine are reached by every replica, so a request replayed to another machine is refused;
    the file (or this process's memory without one) still answers while they are unreachable.
    """
    local = SqliteReplayGuard(path) if path else ReplayGuard()
    if redis_url:
        return RedisReplayGuard(redis_url, local, local.window)
    if is_engine_url(store_url):
        return EngineReplayGuard(store_url, local, local.window)
    return local


def current_claims() -> Claims:
    return g.claims
