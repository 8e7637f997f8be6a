"""Between a right password and the second factor: a short-lived signed cookie naming the account.

It starts no session and opens no page but the code page. It is bound to the password hash, so a new
password makes it worthless, and it lasts five minutes.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from ..accounts import Account, AccountStore

LIFETIME = timedelta(minutes=5)


def _mac(key: bytes, account: Account, expires: int) -> str:
    message = f"{account.id}|{expires}|{account.password_hash}".encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue(key: bytes, account: Account, now: datetime) -> str:
    expires = int((now + LIFETIME).timestamp())
    return f"{account.id}.{expires}.{_mac(key, account, expires)}"


def resolve(key: bytes, value: str | None, store: AccountStore, now: datetime) -> Account | None:
    """The account a valid, unexpired cookie names; None for anything else."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(value) > 200:
        return None
    account_id, expires, mac = parts[0], int(parts[1]), parts[2]
    if now.timestamp() > expires:
        return None
    account = store.get_account(account_id)
    if account is None or account.disabled or not hmac.compare_digest(_mac(key, account, expires), mac):
        return None
    return account
