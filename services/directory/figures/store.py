"""Where the figures' counts live: a port and its adapters (the embedded file, the search engine).

Nothing here is about a person. A need count is (ISO week, need, region) and how many matches asked for
the need, how many found nobody, and how many groups and people in them a group match placed. A capacity
day is (day, region) and the sums over active providers that day. Increments are atomic on each store, so
concurrent matches lose no count; a capacity day is written once (the first writer of the day wins).
"""
from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, fields

from ...shared.engine.client import VersionConflict
from ...shared.engine.indices import ensure_indices
from ...shared.stores import StoreUnavailable

COUNTERS = ("matches", "unmet", "groups", "group_people", "group_unplaced")
TALLIES = ("providers", "units", "in_use", "stale")


@dataclass(frozen=True)
class NeedCount:
    """One row of counters; `week` is an ISO week ("2026-W49"), `region` a province or "—"."""

    week: str
    need: str
    region: str
    matches: int = 0
    unmet: int = 0
    groups: int = 0
    group_people: int = 0
    group_unplaced: int = 0

    @property
    def key(self) -> str:
        return f"{self.week}|{self.need}|{self.region}"

    def plus(self, other: "NeedCount") -> "NeedCount":
        return NeedCount(self.week, self.need, self.region,
                         **{name: getattr(self, name) + getattr(other, name) for name in COUNTERS})


@dataclass(frozen=True)
class CapacityDay:
    """Active providers of one region on one day (YYYY-MM-DD, UTC): how many, their units, units in use, stale."""

    day: str
    region: str
    providers: int
    units: int
    in_use: int
    stale: int

    @property
    def key(self) -> str:
        return f"{self.day}|{self.region}"


TABLES = """
CREATE TABLE IF NOT EXISTS need_counts (
    week TEXT NOT NULL,
    need TEXT NOT NULL,
    region TEXT NOT NULL,
    matches INTEGER NOT NULL DEFAULT 0,
    unmet INTEGER NOT NULL DEFAULT 0,
    groups INTEGER NOT NULL DEFAULT 0,
    group_people INTEGER NOT NULL DEFAULT 0,
    group_unplaced INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (week, need, region)
);
CREATE TABLE IF NOT EXISTS capacity_days (
    day TEXT NOT NULL,
    region TEXT NOT NULL,
    providers INTEGER NOT NULL,
    units INTEGER NOT NULL,
    in_use INTEGER NOT NULL,
    stale INTEGER NOT NULL,
    PRIMARY KEY (day, region)
)
"""
_KEYWORD = {"type": "keyword"}
_COUNT = {"type": "long"}
FIGURES_MAPPINGS = {
    "need_counts": {"dynamic": "strict", "properties": {
        "week": _KEYWORD, "need": _KEYWORD, "region": _KEYWORD, **{name: _COUNT for name in COUNTERS}}},
    "capacity_days": {"dynamic": "strict", "properties": {
        "day": _KEYWORD, "region": _KEYWORD, **{name: _COUNT for name in TALLIES}}},
}
FIGURES_KINDS = tuple(FIGURES_MAPPINGS)


def add_figures_tables(conn: sqlite3.Connection) -> None:
    """A migration step of the embedded store."""
    for statement in filter(str.strip, TABLES.split(";")):
        conn.execute(statement)


class FiguresStore(ABC):
    @abstractmethod
    def add_need_counts(self, counts: list[NeedCount]) -> None:
        """Add each row's counters to the stored ones (created at zero), atomically per row."""

    @abstractmethod
    def need_counts(self) -> list[NeedCount]:
        """Every row, by week, need and region."""

    @abstractmethod
    def add_capacity_days(self, days: list[CapacityDay]) -> int:
        """Store each (day, region) not stored yet; returns how many were written (a repeat writes nothing)."""

    @abstractmethod
    def has_capacity_day(self, day: str) -> bool:
        """Whether any region's figures of this day are stored."""

    @abstractmethod
    def capacity_days(self) -> list[CapacityDay]:
        """Every stored day and region, by day and region."""


class SqliteFiguresStore(FiguresStore):
    def __init__(self, file):
        self.file = file

    def add_need_counts(self, counts: list[NeedCount]) -> None:
        columns = ("week", "need", "region", *COUNTERS)
        added = ", ".join(f"{name} = {name} + excluded.{name}" for name in COUNTERS)
        with self.file.transaction() as conn:
            # One statement per row: the addition happens inside SQLite, under the write lock.
            conn.executemany(
                f"INSERT INTO need_counts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                f"ON CONFLICT (week, need, region) DO UPDATE SET {added}",
                [tuple(getattr(count, name) for name in columns) for count in counts])

    def need_counts(self) -> list[NeedCount]:
        rows = self.file.connection().execute("SELECT * FROM need_counts ORDER BY week, need, region").fetchall()
        return [NeedCount(**dict(row)) for row in rows]

    def add_capacity_days(self, days: list[CapacityDay]) -> int:
        columns = [field.name for field in fields(CapacityDay)]
        with self.file.transaction() as conn:
            return sum(conn.execute(
                f"INSERT OR IGNORE INTO capacity_days ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                tuple(getattr(day, name) for name in columns)).rowcount for day in days)

    def has_capacity_day(self, day: str) -> bool:
        return self.file.connection().execute("SELECT 1 FROM capacity_days WHERE day = ? LIMIT 1",
                                              (day,)).fetchone() is not None

    def capacity_days(self) -> list[CapacityDay]:
        rows = self.file.connection().execute("SELECT * FROM capacity_days ORDER BY day, region").fetchall()
        return [CapacityDay(**dict(row)) for row in rows]


class SearchEngineFiguresStore(FiguresStore):
    """A document per row under its key; an increment is a read and a write conditional on what was read."""

    PAGE = 10_000

    def __init__(self, directory_store):
        self.directory = directory_store
        self.client = directory_store.client
        self.counts = directory_store.names.alias("need_counts")
        self.days = directory_store.names.alias("capacity_days")
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            self.directory._ensure()
            ensure_indices(self.client, self.directory.names, self.directory.config, FIGURES_MAPPINGS)
            self._ready = True

    def add_need_counts(self, counts: list[NeedCount]) -> None:
        self._ensure()
        for count in counts:
            self._add(count)

    def _add(self, count: NeedCount) -> None:
        while True:
            found = self.client.get(self.counts, count.key)
            try:
                if found is None:
                    self.client.index(self.counts, count.key, asdict(count), op_type="create", require_alias=True)
                else:
                    total = NeedCount(**found["_source"]).plus(count)
                    self.client.index(self.counts, count.key, asdict(total), if_seq_no=found["_seq_no"],
                                      if_primary_term=found["_primary_term"], require_alias=True)
                return
            except VersionConflict:
                continue  # another writer came between the read and the write: add to what it wrote

    def need_counts(self) -> list[NeedCount]:
        self._ensure()
        return [NeedCount(**source) for source in self._all(self.counts, ("week", "need", "region"))]

    def add_capacity_days(self, days: list[CapacityDay]) -> int:
        self._ensure()
        if not days:
            return 0
        failed = [next(iter(item.values())) for item in self.client.bulk(
            [{"_op_type": "create", "_index": self.days, "_id": day.key, "_source": asdict(day)} for day in days],
            require_alias=True)]
        # A conflict is a day written already, by this sweep before or by another directory.
        unwritten = [result for result in failed if result.get("status") != 409]
        if unwritten:
            raise StoreUnavailable(f"could not write capacity days: {unwritten[:1]}")
        return len(days) - len(failed)

    def has_capacity_day(self, day: str) -> bool:
        self._ensure()
        self.client.refresh(self.days, patient=False)
        return self.client.count(self.days, {"term": {"day": day}}) > 0

    def capacity_days(self) -> list[CapacityDay]:
        self._ensure()
        return [CapacityDay(**source) for source in self._all(self.days, ("day", "region"))]

    def _all(self, index: str, order: tuple[str, ...]) -> list[dict]:
        self.client.refresh(index, patient=False)
        sort = [{name: "asc"} for name in order]
        sources, after = [], None
        while True:
            body = {"query": {"match_all": {}}, "sort": sort, "size": self.PAGE}
            if after is not None:
                body["search_after"] = after
            hits = self.client.search(index, body)["hits"]["hits"]
            sources += [hit["_source"] for hit in hits]
            if len(hits) < self.PAGE:
                return sources
            after = hits[-1]["sort"]


def figures_store_for(store) -> FiguresStore:
    from ..store.sqlite import SqliteDirectoryStore

    if isinstance(store, SqliteDirectoryStore):
        return SqliteFiguresStore(store.file)
    return SearchEngineFiguresStore(store)
