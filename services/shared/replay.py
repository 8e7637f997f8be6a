"""Used request nonces shared by every replica: Redis when configured, else the guard given as fallback.

A replica on another machine must refuse a copy of a request another replica already answered; a nonce
only matters for the signature's skew window, so each is kept that long and then forgotten.
"""
from __future__ import annotations

import logging
import time

from .signing import ReplayGuard

log = logging.getLogger(__name__)
# A failed shared store is not asked again for this long; the local guard answers meanwhile.
RETRY_AFTER_S = 5.0


class SharedReplayGuard(ReplayGuard):
    """Remembers nonces in a store every replica reaches; while it is down, the local `fallback` does."""

    def __init__(self, fallback: ReplayGuard, window_seconds: int):
        super().__init__(window_seconds)
        self.fallback = fallback
        self._down_until = 0.0

    def remember_shared(self, nonce: str, now: float) -> bool:
        """True when the nonce is new everywhere (remembered now), False when seen; raise when unreachable."""
        raise NotImplementedError

    def check_and_remember(self, nonce: str, now: float) -> bool:
        # The local guard always sees the nonce too, so a replay within this machine is refused even when
        # the shared store has just failed.
        if not self.fallback.check_and_remember(nonce, now):
            return False
        if time.monotonic() < self._down_until:
            return True
        try:
            return self.remember_shared(nonce, now)
        except Exception as err:  # noqa: BLE001 - any failure of the shared store: keep serving on the local guard
            self._down_until = time.monotonic() + RETRY_AFTER_S
            log.warning("shared nonce store unreachable; nonces kept on this machine only",
                        extra={"reason": type(err).__name__})
            return True


class RedisReplayGuard(SharedReplayGuard):
    """SET NX with an expiry: one atomic step, so two replicas never both accept one nonce."""

    def __init__(self, url: str, fallback: ReplayGuard, window_seconds: int, prefix: str = "haven:nonce:"):
        super().__init__(fallback, window_seconds)
        import redis

        self.prefix = prefix
        self.redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)

    def remember_shared(self, nonce: str, now: float) -> bool:
        # Twice the window: a request signed up to `window` s ahead of this clock is still refused.
        return bool(self.redis.set(self.prefix + nonce, b"1", nx=True, ex=2 * self.window))
