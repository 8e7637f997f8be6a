"""Settings of the web pages and accounts, from HAVEN_* environment variables (documented in the README)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ...shared.config import env, env_bool, env_float, env_int
from ..accounts import ACCOUNTS_DB_NAME, AccountPolicy
from ..settings import auth_db_path


@dataclass(frozen=True)
class WebSettings:
    accounts_db_path: Path
    policy: AccountPolicy
    # None: Secure when the request came over TLS; True or False: always or never.
    secure_cookies: bool | None = None
    poll_seconds: int = 20
    # Caseworkers with an accepted referral see secret addresses: a second factor for them too, when set.
    second_factor_caseworkers: bool = False
    # The provider's incoming referrals: a new one shows within seconds, so a hold is seen while it lasts.
    incoming_poll_seconds: int = 5

    @classmethod
    def from_env(cls, environ: dict | None = None, *, beside: Path | None = None) -> "WebSettings":
        """Settings from HAVEN_*; `beside` is the gateway's auth.db, whose folder accounts.db shares."""
        policy = AccountPolicy(
            idle_timeout=timedelta(minutes=env_float("HAVEN_SESSION_IDLE_MINUTES", 30, environ)),
            max_lifetime=timedelta(hours=env_float("HAVEN_SESSION_MAX_HOURS", 12, environ)),
            max_failures=env_int("HAVEN_SIGNIN_MAX_FAILURES", 10, environ),
            lock_duration=timedelta(minutes=env_float("HAVEN_SIGNIN_LOCK_MINUTES", 60, environ)),
        )
        secure = None if env("HAVEN_SECURE_COOKIES", None, environ) is None else env_bool(
            "HAVEN_SECURE_COOKIES", False, environ)
        path = beside.parent / ACCOUNTS_DB_NAME if beside is not None else accounts_db_path(environ)
        return cls(accounts_db_path=path, policy=policy, secure_cookies=secure,
                   poll_seconds=env_int("HAVEN_WEB_POLL_SECONDS", 20, environ),
                   second_factor_caseworkers=env_bool("HAVEN_TOTP_CASEWORKERS", False, environ),
                   incoming_poll_seconds=env_int("HAVEN_WEB_INCOMING_POLL_SECONDS", 5, environ))


def accounts_db_path(environ: dict | None = None) -> Path:
    """accounts.db in the same folder as the gateway's auth.db."""
    return auth_db_path(environ).parent / ACCOUNTS_DB_NAME

