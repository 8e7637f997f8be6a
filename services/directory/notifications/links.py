"""Signed one-time links that let a provider confirm or update its capacity counts without signing in.

A link names the provider and the pools it asks about (the main `capacity`, a need's own pool in
`service_capacity`), each with the `updated` it was made for: once any report changes one of those times
(the link's own use included) the link is spent. It also ends after `LINK_DAYS`.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from ...shared.capacity import in_pool_order

LINK_DAYS = 3


class InvalidLink(ValueError):
    """Not a link this service made, or one that has ended."""


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, b"haven capacity links v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_link_token(secret: bytes, provider_id: str, counted_at: dict[str | None, str], now: datetime) -> str:
    """A link for the pools in `counted_at` (None: the main one), each with the `updated` it confirms."""
    pools = [[need, counted_at[need]] for need in in_pool_order(counted_at)]
    body = _b64(json.dumps({"p": provider_id, "c": pools,
                            "e": int((now + timedelta(days=LINK_DAYS)).timestamp())}, separators=(",", ":")).encode())
    return f"{body}.{_b64(hmac.new(_key(secret), body.encode(), hashlib.sha256).digest())}"


def provider_of(token: str) -> str:
    """The provider a token names, unverified (the gateway routes by it; the directory verifies)."""
    try:
        return str(json.loads(_unb64(token.split(".", 1)[0]))["p"])
    except (ValueError, KeyError, TypeError):
        raise InvalidLink("not a capacity link") from None


def read_link_token(secret: bytes, token: str, now: datetime) -> tuple[str, dict[str | None, str]]:
    """(provider id, {pool's need or None for the main one: the `updated` it was made for}); InvalidLink when
    forged, malformed or ended. A link made before care pools were asked about names the main pool only."""
    try:
        body, signature = token.split(".", 1)
        expected = _b64(hmac.new(_key(secret), body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature):
            raise InvalidLink("not a capacity link")
        data = json.loads(_unb64(body))
        if now.timestamp() > data["e"]:
            raise InvalidLink("this link has ended")
        if "c" not in data:
            return str(data["p"]), {None: str(data["u"])}
        pools = {need: str(updated) for need, updated in data["c"]}
        if not pools or not all(need is None or isinstance(need, str) for need in pools):
            raise InvalidLink("not a capacity link")
        return str(data["p"]), pools
    except (ValueError, KeyError, TypeError) as err:
        if isinstance(err, InvalidLink):
            raise
        raise InvalidLink("not a capacity link") from None
