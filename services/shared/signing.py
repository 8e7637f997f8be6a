"""Gateway-signed internal requests: who is calling (role, provider ids) bound to this exact request.

The gateway authenticates the caller, then signs the claims together with the method, the path
with its query and a hash of the body. The internal services verify the signature, refuse
requests older than the allowed skew and refuse a nonce they have already seen (replay).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .identity import Caller
from .sqlite import use_wal

CLAIMS_HEADER = "X-Haven-Claims"
SIGNATURE_HEADER = "X-Haven-Signature"
ROLES = ("admin", "caseworker", "provider")
MAX_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Claims(Caller):
    """A caller as the gateway signs it onto one internal request: the only identity the internal services trust."""

    request_id: str | None = None
    issued_at: float = field(default_factory=time.time)
    nonce: str = field(default_factory=lambda: secrets.token_hex(12))

    @property
    def caller(self) -> Caller:
        return Caller(self.role, self.subject, tuple(self.provider_ids))

    def fresh(self, request_id: str | None = None) -> "Claims":
        """The same identity with a new nonce and time, for one more signed request."""
        return Claims(self.role, self.subject, self.provider_ids, request_id or self.request_id)


class SignatureError(Exception):
    """The request is unsigned, tampered with, too old or replayed."""


def _canonical(method: str, path: str, body: bytes, encoded_claims: str) -> bytes:
    digest = hashlib.sha256(body or b"").hexdigest()
    return "\n".join((method.upper(), path, digest, encoded_claims)).encode()


def sign(secret: bytes, method: str, path: str, body: bytes, claims: Claims) -> dict[str, str]:
    """Headers that prove the gateway sent this request for these claims."""
    payload = dict(asdict(claims), provider_ids=list(claims.provider_ids))
    encoded = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    mac = hmac.new(secret, _canonical(method, path, body, encoded), hashlib.sha256).hexdigest()
    return {CLAIMS_HEADER: encoded, SIGNATURE_HEADER: mac}


class ReplayGuard:
    """Remembers nonces for the skew window in this process; a second use of one is refused."""

    def __init__(self, window_seconds: int = MAX_SKEW_SECONDS):
        self.window = window_seconds
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def check_and_remember(self, nonce: str, now: float) -> bool:
        with self._lock:
            if len(self._seen) > 10_000:
                cutoff = now - 2 * self.window
                self._seen = {n: t for n, t in self._seen.items() if t > cutoff}
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


class SqliteReplayGuard(ReplayGuard):
    """Nonces in a small SQLite file, so every gunicorn worker on the machine refuses a replay.

    Losing the file loses nothing that matters: a nonce is only needed for the 60 s skew window,
    so the file runs without fsync.
    """

    def __init__(self, path: Path, window_seconds: int = MAX_SKEW_SECONDS):
        super().__init__(window_seconds)
        self.path = Path(path)
        self._local = threading.local()
        self._inserts = 0
        self._conn().execute("CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, seen REAL NOT NULL)")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            use_wal(conn, 10)
            conn.execute("PRAGMA synchronous=OFF")
            self._local.conn = conn
        return conn

    def check_and_remember(self, nonce: str, now: float) -> bool:
        conn = self._conn()
        try:
            conn.execute("INSERT INTO nonces (nonce, seen) VALUES (?, ?)", (nonce, now))
        except sqlite3.IntegrityError:
            return False
        self._inserts += 1
        if self._inserts % 1000 == 0:
            conn.execute("DELETE FROM nonces WHERE seen < ?", (now - 2 * self.window,))
        return True


def verify(secret: bytes, method: str, path: str, body: bytes, headers, guard: ReplayGuard,
           now: float | None = None) -> Claims:
    """The claims of a correctly signed, fresh, first-seen request; SignatureError otherwise."""
    encoded = headers.get(CLAIMS_HEADER)
    mac = headers.get(SIGNATURE_HEADER)
    if not encoded or not mac:
        raise SignatureError("unsigned request")
    expected = hmac.new(secret, _canonical(method, path, body, encoded), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        raise SignatureError("bad signature")
    try:
        payload = json.loads(base64.urlsafe_b64decode(encoded.encode()))
        claims = Claims(role=payload["role"], subject=payload["subject"],
                        provider_ids=tuple(payload.get("provider_ids") or ()),
                        request_id=payload.get("request_id"), issued_at=float(payload["issued_at"]),
                        nonce=str(payload["nonce"]))
    except (ValueError, KeyError, TypeError) as err:
        raise SignatureError("malformed claims") from err
    if claims.role not in ROLES:
        raise SignatureError("unknown role")
    now = time.time() if now is None else now
    if abs(now - claims.issued_at) > guard.window:
        raise SignatureError("expired signature")
    if not guard.check_and_remember(claims.nonce, now):
        raise SignatureError("replayed request")
    return claims
