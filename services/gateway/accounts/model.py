"""Accounts and web sessions: the rules for signing in, locking and idling out. No Flask, no store."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ...shared.vocabulary import ROLES

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class AccountPolicy:
    """How long a session may idle, and how hard guessing a password is made."""

    idle_timeout: timedelta = timedelta(minutes=30)
    max_lifetime: timedelta = timedelta(hours=12)
    max_failures: int = 10
    lock_duration: timedelta = timedelta(hours=1)
    min_password_length: int = 12


@dataclass(frozen=True)
class Account:
    """A person who signs in to the web pages; the password is kept only as an argon2 hash."""

    id: str
    email: str
    role: str
    provider_ids: tuple[str, ...]
    password_hash: str
    created_at: datetime
    disabled: bool = False
    failed_signins: int = 0
    locked_until: datetime | None = None
    locale: str = DEFAULT_LOCALE
    last_signin_at: datetime | None = None
    # The second factor: a TOTP secret (set at enrolment, live once a first code confirmed it), the
    # SHA-256 of each unused recovery code, and the last time step used, so a code works only once.
    totp_secret: str | None = None
    totp_enabled: bool = False
    recovery_hashes: tuple[str, ...] = ()
    totp_last_step: int = 0

    @property
    def subject(self) -> str:
        """The identity the internal services and the audit log know this account by."""
        return f"user:{self.id}"

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def with_changes(self, **changes) -> "Account":
        return replace(self, **changes)


@dataclass(frozen=True)
class Session:
    """A signed-in browser. Only a hash of the cookie value is stored, so a copy of the store signs no one in."""

    id_hash: str
    account_id: str
    csrf_token: str
    created_at: datetime
    last_seen: datetime

    def is_expired(self, now: datetime, policy: AccountPolicy) -> bool:
        return now - self.last_seen > policy.idle_timeout or now - self.created_at > policy.max_lifetime


class AccountError(ValueError):
    """An account request that cannot be done as asked; the message names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    """The compare form of an address: trimmed, lower case; AccountError when it is not one."""
    cleaned = (email or "").strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise AccountError("email", "not an email address")
    return cleaned


def check_grant(role: str, provider_ids: tuple[str, ...]) -> None:
    """Provider ids come with, and only with, the provider role."""
    if role not in ROLES:
        raise AccountError("role", f"must be one of {', '.join(ROLES)}")
    if role == "provider" and not provider_ids:
        raise AccountError("provider", "a provider account needs at least one provider id")
    if role != "provider" and provider_ids:
        raise AccountError("provider", "only provider accounts manage providers")


def check_password(password: str, policy: AccountPolicy) -> None:
    if len(password or "") < policy.min_password_length:
        raise AccountError("password", f"must be at least {policy.min_password_length} characters")
    if len(password) > 1024:
        raise AccountError("password", "must be at most 1024 characters")


def new_password() -> str:
    """A random password people can type: 4 groups of 5 letters and digits, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def hash_session_token(token: str) -> str:
    # The token carries 256 random bits: a plain SHA-256 cannot be reversed, and needs no slow KDF.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
