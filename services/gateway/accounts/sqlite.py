"""Accounts and sessions in one SQLite file (accounts.db, WAL), beside the gateway's auth.db."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ...shared.sqlite import SqliteFile
from .model import Account, Session
from .store import AccountStore, AccountStoreUnavailable, DuplicateEmail

# Applied in order, once each (services.shared.sqlite); new steps are appended, never made by editing one
# that has shipped.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        provider_ids TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_signins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        locale TEXT NOT NULL,
        last_signin_at TEXT
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen TEXT NOT NULL
    );
    CREATE INDEX sessions_account ON sessions(account_id);
    CREATE INDEX sessions_last_seen ON sessions(last_seen);
    """,
    """
    ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
    ALTER TABLE accounts ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE accounts ADD COLUMN recovery_hashes TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0
    """,
]


def _iso(moment: datetime | None) -> str | None:
    # Microseconds kept: idle timeouts in tests are seconds long. Always UTC, so text order is time order.
    return None if moment is None else moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class SqliteAccountStore(AccountStore):
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 10_000):
        self.file = SqliteFile(path, migrations=MIGRATIONS, busy_timeout_ms=busy_timeout_ms,
                               unavailable=AccountStoreUnavailable)
        self.path = self.file.path

    def _conn(self) -> sqlite3.Connection:
        return self.file.connection()

    def _execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._conn().execute(sql, params)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as err:
            raise AccountStoreUnavailable(str(err)) from err

    def ping(self) -> bool:
        try:
            self._execute("SELECT 1").fetchone()
            return True
        except AccountStoreUnavailable:
            return False

    def close(self) -> None:
        self.file.close()

    # -- accounts ----------------------------------------------------------------------------
    def add_account(self, account: Account) -> None:
        try:
            self._execute(
                "INSERT INTO accounts (id, email, role, provider_ids, password_hash, created_at, disabled, "
                "failed_signins, locked_until, locale, last_signin_at, totp_secret, totp_enabled, recovery_hashes, "
                "totp_last_step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._row_of(account))
        except sqlite3.IntegrityError as err:
            raise DuplicateEmail(account.email) from err

    def get_account(self, account_id: str) -> Account | None:
        row = self._execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
        return None if row is None else self._account(row)

    def find_by_email(self, email: str) -> Account | None:
        row = self._execute("SELECT * FROM accounts WHERE email = ?", (email,)).fetchone()
        return None if row is None else self._account(row)

    def list_accounts(self) -> list[Account]:
        return [self._account(row) for row in self._execute("SELECT * FROM accounts ORDER BY email").fetchall()]

    def update_account(self, account: Account) -> None:
        values = self._row_of(account)
        try:
            self._execute(
                "UPDATE accounts SET email = ?, role = ?, provider_ids = ?, password_hash = ?, created_at = ?, "
                "disabled = ?, failed_signins = ?, locked_until = ?, locale = ?, last_signin_at = ?, totp_secret = ?, "
                "totp_enabled = ?, recovery_hashes = ?, totp_last_step = ? WHERE id = ?",
                values[1:] + values[:1])
        except sqlite3.IntegrityError as err:
            raise DuplicateEmail(account.email) from err

    def record_failed_signin(self, account_id: str, max_failures: int, lock_until: datetime) -> Account | None:
        # One statement: concurrent wrong guesses on several replicas are all counted.
        self._execute(
            "UPDATE accounts SET "
            "locked_until = CASE WHEN failed_signins + 1 >= ? THEN ? ELSE locked_until END, "
            "failed_signins = CASE WHEN failed_signins + 1 >= ? THEN 0 ELSE failed_signins + 1 END "
            "WHERE id = ?",
            (max_failures, _iso(lock_until), max_failures, account_id))
        return self.get_account(account_id)

    # -- sessions ----------------------------------------------------------------------------
    def add_session(self, session: Session) -> None:
        self._execute("INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen) "
                      "VALUES (?, ?, ?, ?, ?)",
                      (session.id_hash, session.account_id, session.csrf_token, _iso(session.created_at),
                       _iso(session.last_seen)))

    def get_session(self, id_hash: str) -> Session | None:
        row = self._execute("SELECT * FROM sessions WHERE id_hash = ?", (id_hash,)).fetchone()
        if row is None:
            return None
        return Session(id_hash=row["id_hash"], account_id=row["account_id"], csrf_token=row["csrf_token"],
                       created_at=_time(row["created_at"]), last_seen=_time(row["last_seen"]))

    def touch_session(self, id_hash: str, now: datetime) -> None:
        self._execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?",
                      (_iso(now), id_hash, _iso(now)))

    def delete_session(self, id_hash: str) -> None:
        self._execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def delete_sessions_of(self, account_id: str) -> int:
        return self._execute("DELETE FROM sessions WHERE account_id = ?", (account_id,)).rowcount

    def delete_sessions_idle_since(self, cutoff: datetime) -> int:
        return self._execute("DELETE FROM sessions WHERE last_seen < ?", (_iso(cutoff),)).rowcount

    # -- rows --------------------------------------------------------------------------------
    @staticmethod
    def _row_of(account: Account) -> tuple:
        return (account.id, account.email, account.role, json.dumps(list(account.provider_ids)),
                account.password_hash, _iso(account.created_at), int(account.disabled), account.failed_signins,
                _iso(account.locked_until), account.locale, _iso(account.last_signin_at), account.totp_secret,
                int(account.totp_enabled), json.dumps(list(account.recovery_hashes)), account.totp_last_step)

    @staticmethod
    def _account(row: sqlite3.Row) -> Account:
        return Account(id=row["id"], email=row["email"], role=row["role"],
                       provider_ids=tuple(json.loads(row["provider_ids"])), password_hash=row["password_hash"],
                       created_at=_time(row["created_at"]), disabled=bool(row["disabled"]),
                       failed_signins=row["failed_signins"], locked_until=_time(row["locked_until"]),
                       locale=row["locale"], last_signin_at=_time(row["last_signin_at"]),
                       totp_secret=row["totp_secret"], totp_enabled=bool(row["totp_enabled"]),
                       recovery_hashes=tuple(json.loads(row["recovery_hashes"])), totp_last_step=row["totp_last_step"])
