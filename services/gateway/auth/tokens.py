"""API tokens: how they are made, hashed and checked. No Flask here."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Callable

from ...shared.identity import Caller
from ...shared.vocabulary import ROLES
from .store import ApiToken, AuthStore

TOKEN_PREFIX = "hvn_"
TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh random token: `hvn_` and 32 random bytes, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(plaintext: str) -> str:
    # A single SHA-256 is enough here: the token carries 256 random bits, so unlike a password it cannot
    # be guessed from its hash, and a slow KDF would only add latency to every API request.
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def principal_of(token: ApiToken) -> Caller:
    return Caller(role=token.role, subject=f"token:{token.id}", provider_ids=token.provider_ids)


class InvalidToken(Exception):
    """The presented token is unknown, malformed, revoked or expired (the reason stays in the logs)."""


def authenticate(store: AuthStore, presented: str, now: datetime) -> Caller:
    """The principal a presented bearer token stands for; InvalidToken otherwise."""
    if not presented.startswith(TOKEN_PREFIX) or len(presented) > 200:
        raise InvalidToken("malformed")
    presented_hash = hash_token(presented)
    token = store.find_by_hash(presented_hash)
    # The lookup is by hash; comparing again in constant time keeps a store's lookup semantics
    # (collation, prefix indexes) from ever deciding on its own that two tokens match.
    if token is None or not hmac.compare_digest(token.token_hash, presented_hash):
        raise InvalidToken("unknown")
    if token.revoked_at is not None:
        raise InvalidToken("revoked")
    if not token.is_active(now):
        raise InvalidToken("expired")
    return principal_of(token)


def check_grant(role: str, provider_ids: tuple[str, ...]) -> None:
    """ValueError unless the role exists and provider ids come with (and only with) the provider role."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "provider" and not provider_ids:
        raise ValueError("a provider token needs at least one provider id")
    if role != "provider" and provider_ids:
        raise ValueError("only provider tokens carry provider ids")


AuditSink = Callable[[str, "str | None", "str | None"], None]
"""Records one event in the audit log: (action, target, detail). Never the token itself."""


def issue_token(store: AuthStore, *, role: str, provider_ids: tuple[str, ...] = (), name: str = "",
                expires_at: datetime | None = None, now: datetime, audit: AuditSink) -> tuple[str, str]:
    """Issue a token and record it; returns (token_id, plaintext). Unrecorded tokens do not stay valid."""
    check_grant(role, provider_ids)
    token_id, plaintext = store.issue(role, tuple(provider_ids), name, expires_at, now)
    detail = f"role={role}" + (f" providers={','.join(provider_ids)}" if provider_ids else "")
    try:
        audit("token.issue", f"token:{token_id}", detail)
    except Exception:
        store.revoke(token_id, now)
        raise
    return token_id, plaintext


def revoke_token(store: AuthStore, *, token_id: str, now: datetime, audit: AuditSink) -> bool:
    """Revoke a token (at once, for every later request) and record it; False when it does not exist."""
    if not store.revoke(token_id, now):
        return False
    audit("token.revoke", f"token:{token_id}", None)
    return True
