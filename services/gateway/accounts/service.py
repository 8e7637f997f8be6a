"""Account use cases: create, sign in and out, resume a session, disable, reset a password.

Each takes the store (and the password hasher where needed) as arguments, and the time as `now`.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from .model import (DEFAULT_LOCALE, LOCALES, Account, AccountError, AccountPolicy, Session, check_grant,
                    check_password, hash_session_token, new_password, new_session_token, normalise_email)
from .passwords import Passwords
from .store import AccountStore, DuplicateEmail


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: a session token, or why not (wrong, locked, disabled)."""

    account: Account | None
    token: str | None = None
    session: Session | None = None
    refused: str | None = None  # "invalid" | "locked" | "disabled"
    just_locked: bool = False
    needs_code: bool = False  # the password was right; a second factor comes next

    @property
    def ok(self) -> bool:
        return self.token is not None


def create_account(*, store: AccountStore, passwords: Passwords, policy: AccountPolicy, email: str, role: str,
                   provider_ids: tuple[str, ...] = (), password: str | None = None, locale: str = DEFAULT_LOCALE,
                   now: datetime) -> tuple[Account, str]:
    """Make an account; returns it and its password (generated when none is given)."""
    email = normalise_email(email)
    provider_ids = tuple(dict.fromkeys(p.strip() for p in provider_ids if p.strip()))
    check_grant(role, provider_ids)
    password = password or new_password()
    check_password(password, policy)
    if locale not in LOCALES:
        raise AccountError("locale", f"must be one of {', '.join(LOCALES)}")
    account = Account(id=str(uuid.uuid4()), email=email, role=role, provider_ids=provider_ids,
                      password_hash=passwords.hash(password), created_at=now, locale=locale)
    try:
        store.add_account(account)
    except DuplicateEmail:
        raise AccountError("email", "another account already has this email address") from None
    return account, password


def sign_in(*, store: AccountStore, passwords: Passwords, policy: AccountPolicy, email: str, password: str,
            now: datetime, second_factor=None) -> SignIn:
    """Check an email and password; a success starts a new session, a failure counts toward the lock.

    `second_factor(account)` says whether a code is needed: then a right password starts no session and
    leaves the failure count as it is, so signing in again cannot reset the count of wrong codes.
    """
    try:
        key = normalise_email(email)
    except AccountError:
        key = None
    account = store.find_by_email(key) if key else None
    if account is None:
        passwords.verify_decoy(password or "")
        return SignIn(None, refused="invalid")
    if account.is_locked(now):
        # Not even a right password opens a locked account: guessing stays pointless until it unlocks.
        return SignIn(account, refused="locked")
    if not passwords.verify(account.password_hash, password or ""):
        counted = store.record_failed_signin(account.id, policy.max_failures, now + policy.lock_duration)
        if counted is not None and counted.is_locked(now):
            return SignIn(counted, refused="locked", just_locked=True)
        return SignIn(counted, refused="invalid")
    if account.disabled:
        return SignIn(account, refused="disabled")
    if passwords.needs_rehash(account.password_hash):
        account = account.with_changes(password_hash=passwords.hash(password))
        store.update_account(account)
    if second_factor is not None and second_factor(account):
        return SignIn(account, needs_code=True)
    return finish_sign_in(store=store, policy=policy, account=account, now=now)


def finish_sign_in(*, store: AccountStore, policy: AccountPolicy, account: Account, now: datetime) -> SignIn:
    """Every factor checked: the failure count restarts and a new session begins."""
    changes = {"failed_signins": 0, "locked_until": None, "last_signin_at": now}
    account = account.with_changes(**changes)
    store.update_account(account)
    # Sessions nobody came back to are forgotten here, so the table never grows without bound.
    store.delete_sessions_idle_since(now - policy.idle_timeout)
    token, session = start_session(store=store, account=account, now=now)
    return SignIn(account, token=token, session=session)


def start_session(*, store: AccountStore, account: Account, now: datetime) -> tuple[str, Session]:
    """A fresh session (a new id at every sign-in, so an id planted before it is worthless)."""
    token = new_session_token()
    session = Session(id_hash=hash_session_token(token), account_id=account.id,
                      csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen=now)
    store.add_session(session)
    return token, session


@dataclass(frozen=True)
class Resumed:
    account: Account | None
    session: Session | None
    expired: bool = False


def resume_session(*, store: AccountStore, policy: AccountPolicy, token: str | None, now: datetime,
                   touch: bool = True) -> Resumed:
    """The account behind a session cookie, if the session is alive; an idle session ends here."""
    if not token or len(token) > 200:
        return Resumed(None, None)
    session = store.get_session(hash_session_token(token))
    if session is None:
        return Resumed(None, None)
    if session.is_expired(now, policy):
        store.delete_session(session.id_hash)
        return Resumed(None, None, expired=True)
    account = store.get_account(session.account_id)
    if account is None or account.disabled:
        store.delete_session(session.id_hash)
        return Resumed(None, None)
    if touch:
        store.touch_session(session.id_hash, now)
    return Resumed(account, session)


def sign_out(*, store: AccountStore, token: str | None) -> None:
    if token:
        store.delete_session(hash_session_token(token))


def disable_account(*, store: AccountStore, account_id: str) -> Account:
    """Stop an account signing in, and end its sessions now."""
    account = _existing(store, account_id)
    account = account.with_changes(disabled=True)
    store.update_account(account)
    store.delete_sessions_of(account.id)
    return account


def enable_account(*, store: AccountStore, account_id: str) -> Account:
    account = _existing(store, account_id).with_changes(disabled=False, failed_signins=0, locked_until=None)
    store.update_account(account)
    return account


def reset_password(*, store: AccountStore, passwords: Passwords, policy: AccountPolicy, account_id: str,
                   password: str | None = None) -> tuple[Account, str]:
    """Set a new password (generated when none is given), lift a lock and end every session."""
    password = password or new_password()
    check_password(password, policy)
    account = _existing(store, account_id).with_changes(password_hash=passwords.hash(password), failed_signins=0,
                                                        locked_until=None)
    store.update_account(account)
    store.delete_sessions_of(account.id)
    return account, password


def set_locale(*, store: AccountStore, account: Account, locale: str) -> Account:
    if locale not in LOCALES:
        raise AccountError("locale", f"must be one of {', '.join(LOCALES)}")
    changed = account.with_changes(locale=locale)
    store.update_account(changed)
    return changed


def find_account(*, store: AccountStore, id_or_email: str) -> Account:
    """An account by id or by email; AccountError naming the field when there is none."""
    account = store.get_account(id_or_email)
    if account is None and "@" in id_or_email:
        account = store.find_by_email(normalise_email(id_or_email))
    if account is None:
        raise AccountError("account", f"no account {id_or_email!r}")
    return account


def _existing(store: AccountStore, account_id: str) -> Account:
    account = store.get_account(account_id)
    if account is None:
        raise AccountError("account", "no such account")
    return account
