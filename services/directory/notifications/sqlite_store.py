"""Notifications in the embedded store's file: the outbox is written in the transaction of each change."""
from __future__ import annotations

import json
import sqlite3

from .store import Delivery, NotificationStore, Subscription

ID_CHUNK = 500  # ids a query names at once, well under SQLite's limit on parameters

TABLES = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    fanned_out INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox(fanned_out, seq);
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    role TEXT NOT NULL,
    provider_ids TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    description TEXT
);
CREATE INDEX IF NOT EXISTS webhooks_subject ON webhooks(subject, created_at);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event_at TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(status, seq);
"""


def add_notification_tables(conn: sqlite3.Connection) -> None:
    """A migration step of the embedded store."""
    for statement in filter(str.strip, TABLES.split(";")):
        conn.execute(statement)


def append_event(conn: sqlite3.Connection, event: dict) -> None:
    """Put an event in the outbox, inside the caller's write transaction."""
    conn.execute("INSERT INTO outbox (id, event) VALUES (?, ?)", (event["id"], json.dumps(event)))


class SqliteNotificationStore(NotificationStore):
    def __init__(self, file):
        self.file = file

    def add_subscription(self, subscription: Subscription) -> None:
        row = dict(subscription.__dict__, provider_ids=json.dumps(subscription.provider_ids),
                   events=json.dumps(subscription.events))
        with self.file.transaction() as conn:
            conn.execute(f"INSERT INTO webhooks ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)

    def subscriptions(self, subject: str | None = None) -> list[Subscription]:
        sql, params = "SELECT * FROM webhooks", ()
        if subject is not None:
            sql, params = sql + " WHERE subject = ?", (subject,)
        rows = self.file.connection().execute(sql + " ORDER BY created_at, id", params).fetchall()
        return [Subscription(**dict(dict(row), provider_ids=json.loads(row["provider_ids"]),
                                    events=json.loads(row["events"]))) for row in rows]

    def delete_subscription(self, subscription_id: str, subject: str) -> bool:
        with self.file.transaction() as conn:
            gone = conn.execute("DELETE FROM webhooks WHERE id = ? AND subject = ?", (subscription_id, subject)).rowcount
            if gone:
                conn.execute("DELETE FROM deliveries WHERE subscription_id = ? AND status = 'pending'", (subscription_id,))
        return bool(gone)

    def add_events_once(self, events: list[dict]) -> list[str]:
        added = []
        with self.file.transaction() as conn:
            for event in events:
                if conn.execute("INSERT OR IGNORE INTO outbox (id, event) VALUES (?, ?)",
                                (event["id"], json.dumps(event))).rowcount == 1:
                    added.append(event["id"])
        return added

    def get_events(self, event_ids: list[str]) -> dict[str, dict]:
        conn = self.file.connection()
        found = {}
        for start in range(0, len(event_ids), ID_CHUNK):
            chunk = event_ids[start:start + ID_CHUNK]
            rows = conn.execute(f"SELECT seq, event FROM outbox WHERE id IN ({', '.join('?' * len(chunk))})",
                                chunk).fetchall()
            for row in rows:
                event = dict(json.loads(row["event"]), seq=row["seq"])
                found[event["id"]] = event
        return found

    def events_to_fan_out(self, limit: int) -> list[dict]:
        rows = self.file.connection().execute(
            "SELECT seq, event FROM outbox WHERE fanned_out = 0 ORDER BY seq LIMIT ?", (limit,)).fetchall()
        return [dict(json.loads(row["event"]), seq=row["seq"]) for row in rows]

    def fan_out_all(self, fanned: list[tuple[dict, list[Delivery]]]) -> None:
        with self.file.transaction() as conn:
            for event, deliveries in fanned:
                for delivery in deliveries:
                    row = delivery.__dict__
                    conn.execute(f"INSERT OR IGNORE INTO deliveries ({', '.join(row)}) "
                                 f"VALUES ({', '.join(':' + k for k in row)})", row)
                conn.execute("UPDATE outbox SET fanned_out = 1 WHERE id = ?", (event["id"],))

    def pending_deliveries(self, limit: int) -> list[Delivery]:
        rows = self.file.connection().execute(
            "SELECT * FROM deliveries WHERE status = 'pending' ORDER BY seq, id LIMIT ?", (limit,)).fetchall()
        return [Delivery(**dict(row)) for row in rows]

    def failed_deliveries(self, limit: int) -> list[Delivery]:
        rows = self.file.connection().execute(
            "SELECT * FROM deliveries WHERE status = 'failed' ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
        return [Delivery(**dict(row)) for row in rows]

    def record_attempt(self, delivery: Delivery) -> None:
        with self.file.transaction() as conn:
            conn.execute("UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, last_error = ?, delivered_at = ? "
                         "WHERE id = ?", (delivery.status, delivery.attempts, delivery.next_at, delivery.last_error,
                                          delivery.delivered_at, delivery.id))

    def delivery_counts(self) -> dict[str, int]:
        rows = self.file.connection().execute("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status").fetchall()
        return {row["status"]: row["n"] for row in rows}
