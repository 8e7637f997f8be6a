"""The auth store in one SQLite file (auth.db, WAL), beside the embedded directory store."""
from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

from ...shared.sqlite import SqliteFile
from .store import ApiToken, AuthStore, AuthStoreUnavailable
from .tokens import hash_token, new_token

# Applied in order, once each (services.shared.sqlite); new steps are appended, never made by editing one
# that has shipped.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        provider_ids TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX tokens_created ON tokens(created_at);
    """,
]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class SqliteAuthStore(AuthStore):
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 10_000):
        self.file = SqliteFile(path, migrations=MIGRATIONS, busy_timeout_ms=busy_timeout_ms,
                               unavailable=AuthStoreUnavailable)
        self.path = self.file.path

    def _conn(self) -> sqlite3.Connection:
        return self.file.connection()

    def close(self) -> None:
        self.file.close()

    def ping(self) -> bool:
        try:
            self._conn().execute("SELECT 1").fetchone()
            return True
        except (sqlite3.Error, AuthStoreUnavailable):
            return False

    # -- tokens ------------------------------------------------------------------------------
    def issue(self, role, provider_ids, name, expires_at, now):
        token_id = str(uuid.uuid4())
        plaintext = new_token()
        try:
            self._conn().execute(
                "INSERT INTO tokens (id, token_hash, role, provider_ids, name, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_id, hash_token(plaintext), role, json.dumps(list(provider_ids)), name or "", _iso(now),
                 _iso(expires_at)))
        except sqlite3.Error as err:
            raise AuthStoreUnavailable(str(err)) from err
        return token_id, plaintext

    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        row = self._query_one("SELECT * FROM tokens WHERE token_hash = ?", (token_hash,))
        return None if row is None else self._token(row)

    def get(self, token_id: str) -> ApiToken | None:
        row = self._query_one("SELECT * FROM tokens WHERE id = ?", (token_id,))
        return None if row is None else self._token(row)

    def revoke(self, token_id: str, now: datetime) -> bool:
        try:
            cursor = self._conn().execute("UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                                          (_iso(now), token_id))
        except sqlite3.Error as err:
            raise AuthStoreUnavailable(str(err)) from err
        return cursor.rowcount > 0

    def list(self) -> list[ApiToken]:
        try:
            rows = self._conn().execute("SELECT * FROM tokens ORDER BY created_at DESC, id").fetchall()
        except sqlite3.Error as err:
            raise AuthStoreUnavailable(str(err)) from err
        return [self._token(row) for row in rows]

    def _query_one(self, sql: str, params: tuple):
        try:
            return self._conn().execute(sql, params).fetchone()
        except sqlite3.Error as err:
            raise AuthStoreUnavailable(str(err)) from err

    @staticmethod
    def _token(row: sqlite3.Row) -> ApiToken:
        return ApiToken(id=row["id"], token_hash=row["token_hash"], role=row["role"],
                        provider_ids=tuple(json.loads(row["provider_ids"])), name=row["name"],
                        created_at=_time(row["created_at"]), expires_at=_time(row["expires_at"]),
                        revoked_at=_time(row["revoked_at"]))
