"""A SQLite file as every Haven store opens it: WAL, a busy timeout, one connection per thread, and numbered
migrations applied once each (PRAGMA user_version counts them), safe when several processes start at once."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Sequence, Union

from .stores import StoreUnavailable

# A migration is SQL (statements separated by ";") or a function given the connection inside the transaction.
Migration = Union[str, Callable[[sqlite3.Connection], None]]


def use_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """Switch the file to WAL. Processes opening a new file at once (gunicorn workers booting together) can be
    told "database is locked" at once, without the busy timeout: the switch is tried again until `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class SqliteFile:
    """Connections to one SQLite file, each thread its own, and the file's schema brought up to date."""

    def __init__(self, path: str | Path, *, migrations: Sequence[Migration] = (), busy_timeout_ms: int = 10_000,
                 unavailable: type[Exception] = StoreUnavailable,
                 configure: Callable[[sqlite3.Connection], None] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_ms = busy_timeout_ms
        self.unavailable = unavailable
        self.configure = configure
        self._local = threading.local()
        if migrations:
            migrate(self.connection(), migrations)

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                                       check_same_thread=False)
                conn.row_factory = sqlite3.Row
                use_wal(conn, self.busy_timeout_ms / 1000)
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
                if self.configure is not None:
                    self.configure(conn)
            except sqlite3.Error as err:
                raise self.unavailable(str(err)) from err
            self._local.conn = conn
        return conn

    def transaction(self) -> "Transaction":
        """BEGIN IMMEDIATE ... COMMIT on this thread's connection, or ROLLBACK on any error."""
        return Transaction(self.connection(), self.unavailable)

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class Transaction:
    """BEGIN IMMEDIATE takes the write lock before the first read, so two writers never act on one reading."""

    def __init__(self, conn: sqlite3.Connection, unavailable: type[Exception] = StoreUnavailable):
        self.conn = conn
        self.unavailable = unavailable

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise self.unavailable(str(err)) from err
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> None:
    """Apply the migrations not applied yet, in order, in one transaction; new steps are only ever appended."""
    with Transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step, migration in enumerate(migrations[version:], start=version + 1):
            if callable(migration):
                migration(conn)
            else:
                for statement in filter(str.strip, migration.split(";")):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={step}")
