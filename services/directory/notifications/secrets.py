"""Webhook signing secrets: made here, shown once, kept sealed under a key derived from the internal secret.

A copy of the store alone (a backup, an engine snapshot) does not give the secrets away: opening them
needs the internal secret too, which lives only in the key file or the environment of the services.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random

from cryptography.fernet import Fernet

PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(random.token_bytes(32)).decode()


class SecretBox:
    """Seals and opens webhook secrets with a key only the services know."""

    def __init__(self, internal_secret: bytes):
        key = hmac.new(internal_secret, b"haven webhook secrets v1", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        return self._fernet.decrypt(sealed.encode()).decode()
