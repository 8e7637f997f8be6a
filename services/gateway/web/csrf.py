"""Cross-site request forgery protection for the pages: a secret token on every POST.

Signed in, the token is the session's own (kept server-side with the session). Before signing in,
it is an HMAC of a random pre-session cookie, so the sign-in form itself cannot be posted from elsewhere.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
PRE_SESSION_COOKIE = "haven_pre"


def new_pre_session() -> str:
    return secrets.token_urlsafe(24)


def anonymous_token(secret: bytes, pre_session: str) -> str:
    """The token a form must carry before sign-in: bound to this browser's pre-session cookie."""
    return hmac.new(secret, b"csrf:" + pre_session.encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given or len(given) > 200:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def same_origin(origin: str | None, host: str) -> bool:
    """A browser's Origin header, when it sends one, must name this host ("null" never does)."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    return bool(parts.scheme in ("http", "https") and parts.netloc) and parts.netloc.lower() == host.lower()
