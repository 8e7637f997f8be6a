"""The second factor: TOTP codes from an authenticator app (RFC 6238, 30 s, 6 digits) and recovery codes.

Who needs one: every admin, caseworkers when the setting says so, and anyone who set one up. A wrong code
counts toward the same lock as a wrong password; a code is accepted once; recovery codes are shown once,
kept only as SHA-256 hashes (80 random bits each, so a plain hash cannot be reversed) and each works once.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

from .model import Account, AccountPolicy
from .store import AccountStore

ISSUER = "Haven"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_DIGITS = re.compile(r"^\d{6}$")


def needs_second_factor(account: Account, *, caseworkers_too: bool) -> bool:
    """Admins always, caseworkers by setting (both can reveal secret addresses), others once they set one up."""
    return account.totp_enabled or account.role == "admin" or (caseworkers_too and account.role == "caseworker")


def provisioning_uri(account: Account) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(account.totp_secret).provisioning_uri(name=account.email, issuer_name=ISSUER)


def begin_enrolment(*, store: AccountStore, account: Account) -> Account:
    """A secret for an account that has no working second factor yet (kept until a code confirms it)."""
    if account.totp_enabled or account.totp_secret:
        return account
    account = account.with_changes(totp_secret=pyotp.random_base32())
    store.update_account(account)
    return account


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode("utf-8")).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten codes of 16 characters (about 79 random bits), in groups of four."""
    return ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(4))
            for _ in range(RECOVERY_CODES)]


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: the account as it is now, and whether it was accepted (and how)."""

    account: Account
    ok: bool = False
    refused: str | None = None  # "invalid" | "locked" | "disabled"
    just_locked: bool = False
    used_recovery_code: bool = False
    recovery_codes: tuple[str, ...] = ()  # shown once, at enrolment


def _matching_step(secret: str, code: str, now: datetime, after_step: int) -> int | None:
    """The time step whose code this is (this one, or one either side for clock drift), if not used before."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > after_step and hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def check_code(*, store: AccountStore, policy: AccountPolicy, account: Account, code: str,
               now: datetime) -> CodeCheck:
    """An authenticator code (or at enrolment, the first one) or a recovery code; wrong ones count to the lock."""
    account = store.get_account(account.id) or account
    if account.is_locked(now):
        return CodeCheck(account, refused="locked")
    if account.disabled:
        return CodeCheck(account, refused="disabled")
    code = (code or "").strip().replace(" ", "")
    if account.totp_secret and _DIGITS.match(code):
        step = _matching_step(account.totp_secret, code, now, account.totp_last_step)
        if step is not None:
            changes = {"totp_last_step": step, "failed_signins": 0, "locked_until": None}
            codes: tuple[str, ...] = ()
            if not account.totp_enabled:
                codes = tuple(new_recovery_codes())
                changes.update(totp_enabled=True, recovery_hashes=tuple(_hash(c) for c in codes))
            account = account.with_changes(**changes)
            store.update_account(account)
            return CodeCheck(account, ok=True, recovery_codes=codes)
    elif account.totp_enabled and code:
        hashed = _hash(code)
        # Every stored hash is compared, in constant time, so timing tells nothing about which matched.
        matches = [hmac.compare_digest(stored, hashed) for stored in account.recovery_hashes]
        if any(matches):
            left = tuple(stored for stored, matched in zip(account.recovery_hashes, matches) if not matched)
            account = account.with_changes(recovery_hashes=left, failed_signins=0, locked_until=None)
            store.update_account(account)
            return CodeCheck(account, ok=True, used_recovery_code=True)
    counted = store.record_failed_signin(account.id, policy.max_failures, now + policy.lock_duration) or account
    if counted.is_locked(now):
        return CodeCheck(counted, refused="locked", just_locked=True)
    return CodeCheck(counted, refused="invalid")


def reset_second_factor(*, store: AccountStore, account: Account) -> Account:
    """Forget the secret and recovery codes (a lost phone): the next sign-in sets up a new one."""
    account = account.with_changes(totp_secret=None, totp_enabled=False, recovery_hashes=(), totp_last_step=0)
    store.update_account(account)
    store.delete_sessions_of(account.id)
    return account
