"""Rate limits per token and per client address (Flask-Limiter); in memory, or in Redis when shared."""
from __future__ import annotations

import math
import time

from flask import Flask, g, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded

from ..shared.errors import error_response
from .settings import GatewaySettings

# Probes of load balancers and orchestrators are never limited.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})


def _caller_key() -> str:
    return g.principal.subject


def _address_key() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _anonymous() -> bool:
    return g.get("principal") is None


def init_limits(app: Flask, settings: GatewaySettings) -> Limiter | None:
    """Install the limits after identification ran (tokens are limited by who they are); None when off."""
    if not settings.limits_enabled:
        return None
    limits = [ApplicationLimit(f"{settings.rate_limit}/minute", key_function=_caller_key, scope="caller",
                               exempt_when=_anonymous)]
    if settings.rate_limit_address > 0:
        limits.append(ApplicationLimit(f"{settings.rate_limit_address}/minute", key_function=_address_key,
                                       scope="address"))
    limiter = Limiter(
        key_func=_address_key,
        application_limits=limits,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",
        key_prefix="haven",
        # When Redis is unreachable, limits keep working per process instead of failing every request.
        in_memory_fallback_enabled=bool(settings.redis_url),
    )
    limiter.request_filter(lambda: request.path in UNLIMITED_PATHS)
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(err: RateLimitExceeded):
        current = limiter.current_limit
        resets_at = current.window[0] if current else time.time() + 60
        retry_after = min(60, max(1, math.ceil(resets_at - time.time())))
        scope = "token" if err.limit.scope == "caller" else "address"
        amount = err.limit.limit.amount
        headers = {"Retry-After": str(retry_after), "X-RateLimit-Limit": str(amount),
                   "X-RateLimit-Remaining": "0"}
        return error_response(429, "rate_limited",
                              f"too many requests: at most {amount} per minute per {scope}; "
                              f"retry after {retry_after} s", headers=headers)

    return limiter
