"""Used request nonces in the search engine: each one a document created with op_type=create."""
from __future__ import annotations

import threading

from ..replay import SharedReplayGuard
from ..signing import ReplayGuard
from .client import EngineClient, EngineConfig, VersionConflict
from .indices import IndexNames, settings_for

NONCE_MAPPINGS = {"dynamic": "strict", "properties": {"seen": {"type": "double"}}}
# The translog is written to disk every few seconds rather than before each answer: a nonce matters only within
# the signature's window, and one lost in a crash of the engine weakens nothing the guard does not already
# give up while the engine is away (each machine's own guard still refuses what reached it, as with Redis).
# Waiting for the disk on every signed request to a directory had been the dearest step of a referral.
DURABILITY = {"index": {"translog": {"durability": "async"}}}
PRUNE_EVERY = 1000


class EngineReplayGuard(SharedReplayGuard):
    """A second create of the same id is a 409 on every node, so every replica refuses a replay."""

    def __init__(self, url: str, fallback: ReplayGuard, window_seconds: int):
        super().__init__(fallback, window_seconds)
        self.config = EngineConfig.from_url(url)
        self.client = EngineClient(self.config)
        self.index = IndexNames(self.config.prefix).alias("nonces")
        self._created = False
        self._lock = threading.Lock()
        self._inserts = 0

    def _ensure_index(self) -> None:
        if self._created:
            return
        with self._lock:
            if not self._created:
                settings = settings_for(self.config)
                settings["index"] = {**settings["index"], **DURABILITY["index"]}
                if self.client.index_exists(self.index) or not self.client.create_index(self.index, settings,
                                                                                        NONCE_MAPPINGS):
                    self.client.put_settings(self.index, DURABILITY)  # made before this setting, or just now elsewhere
            self._created = True

    def remember_shared(self, nonce: str, now: float) -> bool:
        self._ensure_index()
        try:
            self.client.index(self.index, nonce, {"seen": now}, op_type="create")
        except VersionConflict:
            return False
        self._inserts += 1
        if self._inserts % PRUNE_EVERY == 0:
            self.client.delete_older(self.index, "seen", now - 2 * self.window)
        return True
