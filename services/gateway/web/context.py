"""What the pages need, built once by register_web and kept on the app."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g

from ...shared.signing import Claims
from ..accounts import Account, AccountStore, Passwords
from ..context import gateway
from .backend import Backend
from .settings import WebSettings

EXTENSION = "haven_web"


@dataclass
class WebContext:
    settings: WebSettings
    accounts: AccountStore
    passwords: Passwords

    @property
    def backend(self) -> Backend:
        """The directory and matcher through the gateway's own signed clients."""
        ctx = gateway()
        return Backend(directory=ctx.directory, matcher=ctx.matcher)

    @property
    def csrf_secret(self) -> bytes:
        # Derived from the gateway's secret key, so every replica checks the same pre-session tokens.
        return hmac.new(gateway().settings.secret_key, b"haven web csrf", hashlib.sha256).digest()

    def now(self) -> datetime:
        return gateway().clock()


def web() -> WebContext:
    return current_app.extensions[EXTENSION]


def current_account() -> Account | None:
    return g.get("account")


def claims_for(account: Account) -> Claims:
    """The signed-in person as the internal services know them: role, user:<id>, provider ids."""
    return Claims(role=account.role, subject=account.subject, provider_ids=account.provider_ids,
                  request_id=g.get("request_id"))
