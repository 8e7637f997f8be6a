"""The directory's settings, from HAVEN_* environment variables (documented in the README)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..shared.config import data_dir, default_store_url, env, internal_secret


@dataclass(frozen=True)
class DirectorySettings:
    store_url: str
    internal_secret: bytes
    log_level: str = "INFO"
    # Nonces of signed requests, shared by every worker on the machine (None: this process only).
    replay_db: Path | None = None
    # Nonces shared by every replica (Redis); without it the engine store keeps them, when it is one.
    redis_url: str | None = None
    # Pending referrals one caseworker may hold at once for one case reference and need (None: no limit).
    max_pending_per_case: int | None = 3
    # Seconds between sweeps that mark passed holds expired (None: no background work in this process).
    sweep_seconds: float | None = None
    # Among the workers of one machine, the one holding a lock on this file does the background work.
    background_lock: Path | None = None
    # Seconds between rounds of webhook delivery (None: this process delivers nothing).
    deliver_seconds: float | None = None
    # The first retry's wait; each next one waits twice as long, at most two hours, 15 attempts in all.
    webhook_retry_first_seconds: float = 10.0
    # Webhooks to 127.0.0.1 (tests, a receiver on the same machine); never link-local or private addresses.
    webhook_allow_loopback: bool = False
    # A hold ending within this many minutes sends its provider a referral.expiring reminder.
    expiring_minutes: float = 30.0
    # Capacity reminders: looked for every this many seconds (None: never), sent from this many hours before the
    # count goes stale, this many hours apart, at most three per count.
    stale_reminder_seconds: float | None = None
    stale_reminder_before_hours: float = 2.0
    stale_reminder_spacing_hours: float = 8.0
    # The day's capacity by region is recorded by the first look after midnight (UTC); looked for every this many
    # seconds (None: never).
    capacity_history_seconds: float | None = None
    # Mail to providers' intake addresses through this server (None: no mail).
    smtp_url: str | None = None
    mail_from: str = "Haven <noreply@haven.invalid>"
    # Where people reach the gateway: links in notifications.
    public_url: str = "http://127.0.0.1:8080"

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "DirectorySettings":
        return cls(store_url=default_store_url(environ), internal_secret=internal_secret(environ),
                   log_level=env("HAVEN_LOG_LEVEL", "INFO", environ),
                   replay_db=data_dir(environ) / "nonces-directory.db",
                   redis_url=env("HAVEN_REDIS_URL", None, environ),
                   max_pending_per_case=_limit(env("HAVEN_MAX_PENDING_PER_CASE", "3", environ)),
                   sweep_seconds=float(env("HAVEN_SWEEP_SECONDS", "30", environ)) or None,
                   background_lock=data_dir(environ) / "directory-background.lock",
                   deliver_seconds=float(env("HAVEN_DELIVER_SECONDS", "1", environ)) or None,
                   webhook_retry_first_seconds=float(env("HAVEN_WEBHOOK_RETRY_FIRST_SECONDS", "10", environ)),
                   webhook_allow_loopback=env("HAVEN_WEBHOOK_ALLOW_LOOPBACK", "0", environ) in ("1", "true", "yes"),
                   public_url=env("HAVEN_PUBLIC_URL", "http://127.0.0.1:8080", environ),
                   expiring_minutes=float(env("HAVEN_EXPIRING_MINUTES", "30", environ)),
                   smtp_url=env("HAVEN_SMTP_URL", None, environ),
                   capacity_history_seconds=float(env("HAVEN_CAPACITY_HISTORY_SECONDS", "900", environ)) or None,
                   stale_reminder_seconds=float(env("HAVEN_STALE_REMINDER_SECONDS", "600", environ)) or None,
                   stale_reminder_before_hours=float(env("HAVEN_STALE_REMINDER_BEFORE_HOURS", "2", environ)),
                   stale_reminder_spacing_hours=float(env("HAVEN_STALE_REMINDER_SPACING_HOURS", "8", environ)),
                   mail_from=env("HAVEN_MAIL_FROM", "Haven <noreply@haven.invalid>", environ))


def _limit(value: str) -> int | None:
    """A whole number of at least 1, or 0 for no limit."""
    number = int(value)
    if number < 0:
        raise ValueError("HAVEN_MAX_PENDING_PER_CASE: 0 (no limit) or more")
    return number or None
