"""The waiting list's store port and its adapters (the embedded file, the search engine).

Entries are deleted, never kept, when they end: offered a hold, withdrawn or past their time.
"""
from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod

from ...shared.engine.client import VersionConflict
from ...shared.engine.indices import ensure_indices
from .models import WaitlistEntry

TABLE = """
CREATE TABLE IF NOT EXISTS waitlist (
    id TEXT PRIMARY KEY,
    created_by TEXT NOT NULL,
    case_reference TEXT NOT NULL,
    need TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS waitlist_order ON waitlist(created_at, id);
CREATE INDEX IF NOT EXISTS waitlist_owner ON waitlist(created_by, created_at)
"""
_KEYWORD = {"type": "keyword"}
WAITLIST_MAPPINGS = {"waitlist": {"dynamic": "strict", "properties": {
    "id": _KEYWORD, "created_by": _KEYWORD, "case_reference": _KEYWORD, "need": _KEYWORD,
    "query": {"type": "object", "enabled": False}, "created_at": {"type": "date"}, "expires_at": {"type": "date"}}}}
WAITLIST_KINDS = tuple(WAITLIST_MAPPINGS)
PAGE = 1000  # entries read per request from the search engine


def add_waitlist_table(conn: sqlite3.Connection) -> None:
    """A migration step of the embedded store."""
    for statement in filter(str.strip, TABLE.split(";")):
        conn.execute(statement)


class WaitlistStore(ABC):
    @abstractmethod
    def add(self, entry: WaitlistEntry) -> None: ...

    @abstractmethod
    def entries(self, created_by: str | None = None) -> list[WaitlistEntry]:
        """One caseworker's entries, or all (None), longest waiting first."""

    @abstractmethod
    def take(self, entry_id: str, created_by: str | None = None) -> bool:
        """Delete an entry (only the caseworker's own when given); True for the one caller that deleted it."""

    def drop_ended(self, now_iso: str) -> int:
        """Delete entries past their time; returns how many."""
        return sum(self.take(entry.id) for entry in self.entries() if entry.expires_at <= now_iso)


class SqliteWaitlistStore(WaitlistStore):
    def __init__(self, file):
        self.file = file

    def add(self, entry: WaitlistEntry) -> None:
        row = dict(entry.to_dict(), query=json.dumps(entry.query))
        with self.file.transaction() as conn:
            conn.execute(f"INSERT INTO waitlist ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", row)

    def entries(self, created_by: str | None = None) -> list[WaitlistEntry]:
        sql, params = "SELECT * FROM waitlist", ()
        if created_by is not None:
            sql, params = sql + " WHERE created_by = ?", (created_by,)
        rows = self.file.connection().execute(sql + " ORDER BY created_at, id", params).fetchall()
        return [WaitlistEntry(**dict(dict(row), query=json.loads(row["query"]))) for row in rows]

    def take(self, entry_id: str, created_by: str | None = None) -> bool:
        with self.file.transaction() as conn:
            if created_by is None:
                return conn.execute("DELETE FROM waitlist WHERE id = ?", (entry_id,)).rowcount == 1
            return conn.execute("DELETE FROM waitlist WHERE id = ? AND created_by = ?",
                                (entry_id, created_by)).rowcount == 1


class SearchEngineWaitlistStore(WaitlistStore):
    def __init__(self, directory_store):
        self.directory = directory_store
        self.client = directory_store.client
        self.index = directory_store.names.alias("waitlist")
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            self.directory._ensure()
            ensure_indices(self.client, self.directory.names, self.directory.config, WAITLIST_MAPPINGS)
            self._ready = True

    def add(self, entry: WaitlistEntry) -> None:
        self._ensure()
        self.client.index(self.index, entry.id, entry.to_dict(), refresh="true", op_type="create", require_alias=True)

    def entries(self, created_by: str | None = None) -> list[WaitlistEntry]:
        self._ensure()
        query = {"term": {"created_by": created_by}} if created_by is not None else {"match_all": {}}
        # Every entry, however many, a page at a time (entries are written and deleted with a refresh).
        hits = self.client.walk(self.index, {"query": query, "sort": [{"created_at": "asc"}, {"id": "asc"}]},
                                chunk=PAGE)
        return [WaitlistEntry(**hit["_source"]) for hit in hits]

    def drop_ended(self, now_iso: str) -> int:
        """One request for all the ended entries, each deleted under its sequence number."""
        self._ensure()
        body = {"query": {"range": {"expires_at": {"lte": now_iso}}}, "sort": [{"id": "asc"}],
                "seq_no_primary_term": True}
        actions = [{"_op_type": "delete", "_index": self.index, "_id": hit["_id"], "if_seq_no": hit["_seq_no"],
                    "if_primary_term": hit["_primary_term"]} for hit in self.client.walk(self.index, body, chunk=PAGE)]
        if not actions:
            return 0
        # One that failed was taken or dropped by another directory meanwhile.
        return len(actions) - len(self.client.bulk(actions, refresh="true", require_alias=True))

    def take(self, entry_id: str, created_by: str | None = None) -> bool:
        self._ensure()
        found = self.client.get(self.index, entry_id)
        if found is None or (created_by is not None and found["_source"]["created_by"] != created_by):
            return False
        try:
            # Under its sequence number: of two directories taking one entry, one deletes it.
            return self.client.delete(self.index, entry_id, refresh="true", if_seq_no=found["_seq_no"],
                                      if_primary_term=found["_primary_term"])
        except VersionConflict:
            return False


def waitlist_store_for(store) -> WaitlistStore:
    from ..store.sqlite import SqliteDirectoryStore

    if isinstance(store, SqliteDirectoryStore):
        return SqliteWaitlistStore(store.file)
    return SearchEngineWaitlistStore(store)
