"""The embedded store: one SQLite file in WAL mode, an R*Tree for places and FTS5 for text.

Provider records are kept whole as JSON beside the columns the filters need. Needs, languages,
residence statuses and return countries sit in one indexed attribute table, so each filter is an
index probe, and a radius search starts from the R*Tree box instead of every row. A candidate query
starts from a second R*Tree with the need as a third dimension, so it reads only the providers of
its need inside its box; residence statuses are bits on the provider row, tested there; distances
are worked out by SQLite's own math functions.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from ...shared import jsonio
from ...shared.capacity import after_use, can_hold, pool_of, with_holds, without_holds
from ...shared.geo import CELL_REACH_KM, EARTH_RADIUS_KM, Area, bounding_box, distance_km
from ...shared.placement import (RESIDENTIAL_NEEDS, WITHOUT_A_VISIT, children_matter, delivery_of,
                                 groups_matter, intake_matters, intake_slots_of)
from ...shared.sqlite import SqliteFile, Transaction
from ..domain.queries import AuditFilter, CandidateQuery, Page, ReferralFilter, SearchQuery
from ..domain.referrals import PLACED_ELSEWHERE, InvalidTransition, NoCapacity, Referral, TooManyPending
from ..domain.rules import EXCLUDED_AFTER, iso, public_point
from ..domain.versions import Precondition, check_maximum, check_pool, confirm_pools, keep_live_capacity
from ..notifications.events import referral_event
from ..notifications.sqlite_store import add_notification_tables, append_event
from ..figures.store import add_figures_tables
from ..waitlist.store import add_waitlist_table
from .base import AuditEntry, ChangePage, DirectoryStore, Hold, expiry_audit, sibling_cancel_audit

GENDER_BITS = {"female": 1, "male": 2, "non_binary": 4}
# Needs and residence statuses as bits of one column each, so a candidate query tests them on the row
# it reads anyway. The bits are stored: give a new value a new bit, never renumber.
NEED_BITS = {"shelter": 1, "medical": 2, "mental_health": 4, "legal": 8, "residence_status": 16,
             "compensation": 32, "interpreter": 64, "repatriation": 128}
NEED_NUMBERS = {need: bit.bit_length() - 1 for need, bit in NEED_BITS.items()}
NEED_SLOTS = 16  # need numbers per provider in provider_need_geo ids
# How a provider delivers its services, as bits (the rule lives in services.shared.placement).
DELIVERY_BITS = {"on_site": 1, "remote": 2, "outreach": 4}
SUPPORT_BITS = {"lgbtqi": 1, "psychiatric": 2, "addiction": 4, "intellectual_disability": 8, "pregnant": 16,
                "physical_disability": 32}
GROUP_BITS = {"reflection_period_non_dutch": 1, "dutch_eu_adults": 2, "complex_needs": 4, "minors": 8, "lgbtqi": 16}
RESIDENCE_BITS = {"dutch": 1, "eu": 2, "reflection_period": 4, "residence_permit": 8, "asylum": 16,
                  "undocumented": 32, "unknown": 64}
SCHEMA = """
CREATE TABLE IF NOT EXISTS providers (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    name_key TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL,
    pub_lat REAL NOT NULL, pub_lon REAL NOT NULL,
    confidential INTEGER NOT NULL DEFAULT 0,
    genders INTEGER NOT NULL,
    min_age INTEGER NOT NULL, max_age INTEGER NOT NULL,
    accepts_children INTEGER NOT NULL,
    wheelchair INTEGER NOT NULL,
    residence_any INTEGER NOT NULL,
    needs INTEGER NOT NULL DEFAULT 0,
    residences INTEGER NOT NULL DEFAULT 0,
    delivery INTEGER NOT NULL DEFAULT 1,
    cannot_serve INTEGER NOT NULL DEFAULT 0,
    target_groups INTEGER NOT NULL DEFAULT 0,
    intake_restricted INTEGER NOT NULL DEFAULT 0,
    own_pools INTEGER NOT NULL DEFAULT 0,
    available INTEGER NOT NULL,
    capacity_updated TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS providers_name ON providers(name_key, id);
CREATE TABLE IF NOT EXISTS provider_attrs (
    kind TEXT NOT NULL, value TEXT NOT NULL, pk INTEGER NOT NULL,
    PRIMARY KEY (kind, value, pk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provider_attrs_pk ON provider_attrs(pk);
CREATE VIRTUAL TABLE IF NOT EXISTS provider_geo USING rtree(pk, min_lat, max_lat, min_lon, max_lon);
-- One entry per provider and need it offers, the need as a third dimension (id = pk * 16 + need's
-- bit number): a candidate query reads only the providers of its need inside its box.
CREATE VIRTUAL TABLE IF NOT EXISTS provider_need_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon,
                                                                 min_need, max_need);
CREATE VIRTUAL TABLE IF NOT EXISTS provider_text USING fts5(
    name, organization, description, municipality,
    tokenize = "porter unicode61 remove_diacritics 2"
);
CREATE TABLE IF NOT EXISTS referrals (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    need TEXT NOT NULL,
    case_reference TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    adults INTEGER,
    children INTEGER,
    units INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS referrals_holds ON referrals(provider_id, status, expires_at);
CREATE INDEX IF NOT EXISTS referrals_creator ON referrals(created_by, created_at);
CREATE INDEX IF NOT EXISTS referrals_created ON referrals(created_at, id);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT, request_id TEXT, detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
"""
# Units held: a family's referral holds a bed per person (services.shared.capacity.units_for). A read counts
# them per referral need, and services.shared.capacity puts them in the pool each need draws on.
HELD_BY_NEED = ("(SELECT json_group_object(h.need, h.units) FROM (SELECT r.need, SUM(r.units) AS units "
                "FROM referrals r WHERE r.provider_id = p.id AND r.status = 'pending' AND r.expires_at > :now "
                "GROUP BY r.need) h)")
# Small first: where providers are dense, the first circles already hold enough, and each round reads
# only the rows inside its box.
CANDIDATE_RADII_KM = (5.0, 10.0, 25.0, 75.0, 200.0, 600.0)
IMPORT_CHUNK = 500
REFERRAL_COLUMNS = tuple(field.name for field in dataclasses.fields(Referral))
DRIVER_COUNT_LIMIT = 1_000_000  # a count past this says only "long"; no store here holds more
_WORD = re.compile(r"\w+", re.UNICODE)
# The constants of `distance_km`, bound as parameters wherever SQL works a distance out.
DISTANCE_PARAMS = {"two_earth_radius": 2 * EARTH_RADIUS_KM, "radian": math.pi / 180}


def path_from_url(url: str) -> Path:
    """sqlite:///relative/or/absolute/path.db -> Path."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url}")
    return Path(url[len("sqlite:///"):])


def fts_query(text: str) -> str | None:
    """Words as quoted prefix terms, all required; FTS syntax in user text has no effect."""
    words = _WORD.findall(text)[:12]
    return " ".join(f'"{word}"*' for word in words) or None


class SqliteDirectoryStore(DirectoryStore):
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 10_000):
        self.file = SqliteFile(path, migrations=MIGRATIONS, busy_timeout_ms=busy_timeout_ms,
                               configure=_configure)
        self.path = self.file.path
        self._has_math = _has_math_functions(self._conn())

    @classmethod
    def from_url(cls, url: str) -> "SqliteDirectoryStore":
        return cls(path_from_url(url))

    # -- connections -------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        return self.file.connection()

    def _write(self) -> Transaction:
        return self.file.transaction()

    def _distance(self, lat1: str, lon1: str, lat2: str, lon2: str) -> str:
        """SQL for `distance_km` of two points, worked out by SQLite itself when it has math functions.

        The same steps in the same order as the Python function, on the same constants (bound as
        parameters, so to the last bit), so both give the same number; without SQLite's math
        functions, the Python function is called for each row instead.
        """
        if not self._has_math:
            return f"distance_km({lat1}, {lon1}, {lat2}, {lon2})"
        return (f"(:two_earth_radius * asin(min(1.0, sqrt("
                f"pow(sin(({lat2} * :radian - {lat1} * :radian) / 2), 2) "
                f"+ cos({lat1} * :radian) * cos({lat2} * :radian) * pow(sin((({lon2}) - ({lon1})) * :radian / 2), 2)"
                f"))))")

    def close(self) -> None:
        self.file.close()

    def ping(self) -> bool:
        try:
            self._conn().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    # -- providers ---------------------------------------------------------------------------
    def put_provider(self, record: dict, audit: AuditEntry, *, expected: Precondition | None = None) -> dict:
        return self._edit(record["id"], lambda stored: record, audit, expected=expected, create=True)

    def update_provider(self, provider_id: str, change: Callable[[dict], dict], audit: AuditEntry, *,
                        expected: Precondition | None = None) -> dict | None:
        return self._edit(provider_id, change, audit, expected=expected, create=False)

    def _edit(self, provider_id: str, change: Callable[[dict], dict], audit: AuditEntry, *,
              expected: Precondition | None, create: bool) -> dict | None:
        """Read, check, change and write one provider inside one write transaction: nothing can come between."""
        with self._write() as conn:
            row = conn.execute("SELECT doc, version FROM providers WHERE id = ?", (provider_id,)).fetchone()
            if row is None and not create:
                return None
            if expected is not None:
                expected.check(provider_id, row["version"] if row else None)
            stored = dict(json.loads(row["doc"]), version=row["version"]) if row else None
            edited = without_holds(dict(change(stored), id=provider_id, last_modified=audit.at))
            edited.pop("version", None)
            if stored is not None:
                edited = keep_live_capacity(edited, stored)
                check_maximum(edited)
            self._upsert(conn, edited)
            _append_audit(conn, audit)
            written = conn.execute(f"SELECT p.doc, p.version, {HELD_BY_NEED} AS held FROM providers p WHERE p.id = :id",
                                   {"id": provider_id, "now": audit.at}).fetchone()
        return _versioned(written)

    def bulk_upsert(self, records: Iterable[dict], audit: AuditEntry) -> int:
        batch = [dict(record, last_modified=record.get("last_modified") or audit.at) for record in records]
        with self._write() as conn:
            # Read inside the write transaction: a capacity report or an accept cannot slip in between.
            live = {row["id"]: json.loads(row["doc"]) for row in conn.execute(
                "SELECT p.id, p.doc FROM json_each(?) j JOIN providers p ON p.id = j.value",
                (json.dumps([record["id"] for record in batch]),))}
            batch = [keep_live_capacity(record, live[record["id"]]) if record["id"] in live else record
                     for record in batch]
            self._upsert(conn, *batch)
            _append_audit(conn, AuditEntry(**{**audit.__dict__, "detail": f"{len(batch)} providers"}))
        return len(batch)

    def _upsert(self, conn: sqlite3.Connection, *records: dict) -> None:
        """Insert or replace providers with one statement per table for all of them (a bulk load's chunk)."""
        latest = {record["id"]: record for record in records}  # a provider given twice ends as given last
        ids = list(latest)
        existing = dict(conn.execute("SELECT p.id, p.pk FROM json_each(?) j JOIN providers p ON p.id = j.value",
                                     (json.dumps(ids),)).fetchall())
        next_pk = conn.execute("SELECT COALESCE(MAX(pk), 0) + 1 FROM providers").fetchone()[0]
        inserts, updates, attrs, geo, need_geo, text = [], [], [], [], [], []
        for provider_id, record in latest.items():
            location, eligibility, capacity = record["location"], record["eligibility"], record["capacity"]
            pub_lat, pub_lon = public_point(location)
            pk = existing.get(provider_id)
            if pk is None:
                pk, next_pk = next_pk, next_pk + 1
                rows = inserts
            else:
                rows = updates
            rows.append(dict(
                pk=pk, id=provider_id, doc=json.dumps(record, separators=(",", ":")), type=record["type"],
                status=record["status"], name_key=record["name"].casefold(),
                lat=location["lat"], lon=location["lon"], pub_lat=pub_lat, pub_lon=pub_lon,
                confidential=int(bool(location.get("confidential"))),
                genders=sum(GENDER_BITS[g] for g in eligibility["genders"]),
                min_age=eligibility["min_age"], max_age=eligibility["max_age"],
                accepts_children=int(eligibility["accepts_children"]),
                wheelchair=int(eligibility["wheelchair_accessible"]),
                residence_any=int(not eligibility["residence_statuses"]),
                needs=_bits(NEED_BITS, record["services"]),
                residences=_bits(RESIDENCE_BITS, eligibility["residence_statuses"]),
                delivery=_bits(DELIVERY_BITS, delivery_of(record)),
                cannot_serve=_bits(SUPPORT_BITS, eligibility.get("cannot_serve") or ()),
                target_groups=_bits(GROUP_BITS, eligibility.get("target_groups") or ()),
                intake_restricted=int(intake_slots_of(record) is not None),
                own_pools=_bits(NEED_BITS, record.get("service_capacity") or ()),
                available=capacity["available"], capacity_updated=capacity["updated"],
                last_modified=record["last_modified"],
            ))
            attrs += [("need", need, pk) for need in record["services"]]
            attrs += [("lang", code, pk) for code in record["languages"]]
            attrs += [("ilang", code, pk) for code in record.get("interpretation_languages", [])]
            attrs += [("residence", status, pk) for status in eligibility["residence_statuses"]]
            attrs += [("country", code, pk) for code in eligibility["countries"]]
            # The quarter hours of the week intake is open, for providers that take people in only at some.
            attrs += [("intake", str(slot), pk) for slot in sorted(intake_slots_of(record) or ())]
            geo.append((pk, pub_lat, pub_lat, pub_lon, pub_lon))
            need_geo += [(pk * NEED_SLOTS + number, pub_lat, pub_lat, pub_lon, pub_lon, number, number)
                         for number in sorted({NEED_NUMBERS[need] for need in record["services"] if need in NEED_NUMBERS})]
            text.append((pk, record["name"], record.get("organization", ""), record.get("description", ""),
                         location.get("municipality", "")))
        columns = list((inserts or updates or [{}])[0])
        if inserts:
            conn.executemany(f"INSERT INTO providers ({', '.join(columns)}) "
                             f"VALUES ({', '.join(':' + c for c in columns)})", inserts)
        if updates:
            assignments = ", ".join(f"{c} = :{c}" for c in columns if c != "pk")
            conn.executemany(f"UPDATE providers SET {assignments}, version = version + 1 WHERE pk = :pk", updates)
            old = [(row["pk"],) for row in updates]
            conn.executemany("DELETE FROM provider_attrs WHERE pk = ?", old)
            conn.executemany("DELETE FROM provider_geo WHERE pk = ?", old)
            conn.executemany("DELETE FROM provider_need_geo WHERE id = ?", _need_geo_ids(pk for (pk,) in old))
            conn.executemany("DELETE FROM provider_text WHERE rowid = ?", old)
        # In key order, each posting list is written in one place instead of all over the index.
        conn.executemany("INSERT OR IGNORE INTO provider_attrs (kind, value, pk) VALUES (?, ?, ?)", sorted(attrs))
        conn.executemany("INSERT INTO provider_geo (pk, min_lat, max_lat, min_lon, max_lon) VALUES (?, ?, ?, ?, ?)",
                         geo)
        conn.executemany("INSERT INTO provider_need_geo (id, min_lat, max_lat, min_lon, max_lon, min_need, max_need) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", need_geo)
        conn.executemany("INSERT INTO provider_text (rowid, name, organization, description, municipality) "
                         "VALUES (?, ?, ?, ?, ?)", text)
        _changed(conn, ids)

    def get_provider(self, provider_id: str, now: datetime) -> dict | None:
        row = self._conn().execute(f"SELECT p.doc, p.version, {HELD_BY_NEED} AS held FROM providers p WHERE p.id = :id",
                                   {"id": provider_id, "now": iso(now)}).fetchone()
        return _versioned(row) if row else None

    def get_providers(self, provider_ids: list[str], now: datetime) -> dict[str, dict]:
        conn, found = self._conn(), {}
        for chunk in _chunks(provider_ids, IMPORT_CHUNK):
            params = {f"id{n}": provider_id for n, provider_id in enumerate(chunk)}
            rows = conn.execute(f"SELECT p.doc, p.version, {HELD_BY_NEED} AS held FROM providers p "
                                f"WHERE p.id IN ({', '.join(':' + key for key in params)})",
                                dict(params, now=iso(now))).fetchall()
            found.update((record["id"], record) for record in map(_versioned, rows))
        return found

    def delete_provider(self, provider_id: str, audit: AuditEntry) -> bool:
        with self._write() as conn:
            row = conn.execute("SELECT pk FROM providers WHERE id = ?", (provider_id,)).fetchone()
            if row is None:
                return False
            pk = row["pk"]
            for table, column in (("provider_attrs", "pk"), ("provider_geo", "pk"), ("provider_text", "rowid"),
                                  ("providers", "pk")):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (pk,))
            conn.executemany("DELETE FROM provider_need_geo WHERE id = ?", _need_geo_ids([pk]))
            _changed(conn, [provider_id], deleted=True)
            _append_audit(conn, audit)
        return True

    def set_capacity(self, provider_id, available, maximum, now, audit, *, need=None):
        with self._write() as conn:
            row = conn.execute("SELECT doc FROM providers WHERE id = ?", (provider_id,)).fetchone()
            if row is None:
                return None
            record = json.loads(row["doc"])
            check_pool(record, need)
            capacity = pool_of(record, need)
            capacity["available"] = available
            if maximum is not None:
                capacity["maximum"] = maximum
            capacity["updated"] = iso(now)
            record["last_modified"] = iso(now)
            _write_pools(conn, record, provider_id)
            _changed(conn, [provider_id])
            _append_audit(conn, audit)
        return self.get_provider(provider_id, now)

    def confirm_capacity(self, provider_id, counted_at, counts, now, audit):
        with self._write() as conn:
            row = conn.execute("SELECT doc FROM providers WHERE id = ?", (provider_id,)).fetchone()
            if row is None:
                return None
            record = json.loads(row["doc"])
            confirm_pools(record, counted_at, counts, iso(now))
            record["last_modified"] = iso(now)
            _write_pools(conn, record, provider_id)
            _changed(conn, [provider_id])
            _append_audit(conn, audit)
        return self.get_provider(provider_id, now)

    def count_providers(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM providers").fetchone()[0]

    def iter_providers(self, now):
        cursor = self._conn().execute(f"SELECT p.doc, {HELD_BY_NEED} AS held FROM providers p ORDER BY p.id",
                                      {"now": iso(now)})
        for row in cursor:
            yield _record(row)

    def changes(self, since: int, limit: int, now: datetime) -> ChangePage:
        conn = self._conn()
        conn.execute("BEGIN")  # one snapshot: the changes, the records and their holds read together
        try:
            rows = conn.execute(
                f"SELECT c.provider_id, c.seq, c.deleted, p.doc, {HELD_BY_NEED} AS held FROM provider_changes c "
                "LEFT JOIN providers p ON p.id = c.provider_id WHERE c.seq > :since "
                f"{'AND c.deleted = 0 ' if since == 0 else ''}ORDER BY c.seq LIMIT :limit",
                {"since": since, "limit": limit + 1, "now": iso(now)}).fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            generation = conn.execute("SELECT generation FROM change_counter").fetchone()[0]
            live = [row["provider_id"] for row in rows if not row["deleted"]]
            holds: dict[str, list[Hold]] = {provider_id: [] for provider_id in live}
            for hold in conn.execute("SELECT r.provider_id, r.need, r.units, r.expires_at FROM json_each(?) j "
                                     "JOIN referrals r ON r.provider_id = j.value AND r.status = 'pending' "
                                     "ORDER BY r.provider_id, r.expires_at", (json.dumps(live),)):
                holds[hold["provider_id"]].append(Hold(hold["need"], hold["units"], hold["expires_at"]))
        finally:
            conn.execute("COMMIT")
        return ChangePage(records=[_record(row) for row in rows if not row["deleted"]], holds=holds,
                          deleted=[row["provider_id"] for row in rows if row["deleted"]],
                          sequence=rows[-1]["seq"] if rows else since, more=more, generation=generation)

    # -- search ------------------------------------------------------------------------------
    def search(self, query: SearchQuery, now: datetime) -> Page:
        params: dict = {"now": iso(now), **DISTANCE_PARAMS}
        lists = []  # attribute filters as (kinds, parameter): each is one posting list in provider_attrs
        if query.need:
            params["need"] = query.need
            lists.append((("need",), "need"))
        if query.language:
            params["language"] = query.language
            lists.append((("lang", "ilang"), "language"))
        driver = self._search_driver(query, params, lists)
        # With a driver the query starts from its posting list; without one, from the R*Tree box.
        # Filters name the pk of the table read first, so they run before the wide providers row is read.
        if driver:
            pk, join = "f.pk", "CROSS JOIN"  # CROSS JOIN keeps the written order
        else:
            from_box = query.near and query.radius_km is not None and not query.text
            pk, join = ("g.pk" if from_box else "p.pk"), "JOIN"
        joins, where = [], []
        if not query.include_inactive:
            where.append("p.status = 'active'")
        if query.types:
            where.append(f"p.type IN ({_placeholders(params, 'type', query.types)})")
        for kinds, name in lists:
            if (kinds, name) != driver:
                where.append(f"({' OR '.join(_has_attr(kind, ':' + name, pk) for kind in kinds)})")
        if query.gender:
            params["gender_bit"] = GENDER_BITS[query.gender]
            where.append("(p.genders & :gender_bit) != 0")
        if query.age is not None:
            params["age"] = query.age
            where.append("p.min_age <= :age AND p.max_age >= :age")
        if query.available_only:
            available, _, held = _pool_sql(params, query.need)
            where.append(f"{available} - {held} > 0")
        order = ["p.name_key", "p.id"]
        distance = "NULL"
        if query.near:
            params["near_lat"], params["near_lon"] = query.near
            distance = self._distance("p.pub_lat", "p.pub_lon", ":near_lat", ":near_lon")
            order.insert(0, "distance")
            if query.radius_km is not None:
                params["radius"] = query.radius_km
                _within_box(joins, where, params, query.near, query.radius_km, "f.pk" if driver else "p.pk", join)
                where.append(f"{distance} <= :radius")
        if query.text:
            fts = fts_query(query.text)
            if fts is None:
                return Page()
            params["fts"] = fts
            joins.append(f"{join} (SELECT rowid AS pk, bm25(provider_text, 10.0, 4.0, 1.0, 2.0) AS rank "
                         f"FROM provider_text WHERE provider_text MATCH :fts) t ON t.pk = {pk}")
            order.insert(0 if not query.near else 1, "t.rank")
        if driver:
            kinds, name = driver
            source = (f"(SELECT DISTINCT pk FROM provider_attrs WHERE kind IN ({', '.join(map(_quoted, kinds))}) "
                      f"AND value = :{name}) f {' '.join(joins)} "
                      f"CROSS JOIN providers p ON p.pk = f.pk")
        else:
            source = f"providers p {' '.join(joins)}"
        params["limit"] = query.size
        params["offset"] = (query.page - 1) * query.size
        sql = (f"SELECT p.doc, {HELD_BY_NEED} AS held, {distance} AS distance, COUNT(*) OVER () AS total "
               f"FROM {source} {'WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY {', '.join(order)} LIMIT :limit OFFSET :offset")
        rows = self._conn().execute(sql, params).fetchall()
        if not rows and query.page > 1:
            total = self._conn().execute(
                f"SELECT COUNT(*) FROM {source} {'WHERE ' + ' AND '.join(where) if where else ''}", params).fetchone()[0]
            return Page([], total)
        total = rows[0]["total"] if rows else 0
        return Page([(_record(row), row["distance"]) for row in rows], total)

    def _search_driver(self, query: SearchQuery, params: dict, lists: list) -> tuple | None:
        """The attribute list to start a search from, or None to start from the R*Tree box.

        A 50 km circle in the Netherlands holds half the country, so the box is often the weaker
        filter: the shorter of the lists and the box wins. Counts stop at the smallest so far, so
        choosing costs little more than reading the winner's index range.
        """
        if not lists or query.text:
            return None  # text: the full-text index drives; probed once per listed pk it would be quadratic
        conn = self._conn()
        best, best_count = None, DRIVER_COUNT_LIMIT
        for kinds, name in lists:
            count = conn.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM provider_attrs WHERE kind IN ({', '.join('?' * len(kinds))}) "
                "AND value = ? LIMIT ?)", (*kinds, params[name], best_count)).fetchone()[0]
            if best is None or count < best_count:
                best, best_count = (kinds, name), count
        if query.near and query.radius_km is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(query.near[0], query.near[1], query.radius_km)
            in_box = conn.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM provider_geo g WHERE g.max_lat >= ? AND g.min_lat <= ? "
                "AND g.max_lon >= ? AND g.min_lon <= ? LIMIT ?)",
                (min_lat, max_lat, min_lon, max_lon, best_count)).fetchone()[0]
            if in_box < best_count:
                return None
        return best

    def candidates(self, query: CandidateQuery, now: datetime) -> list[tuple[dict, float]]:
        if query.need not in NEED_BITS:
            return []
        params: dict = {"now": iso(now), "need_bit": NEED_BITS[query.need], "need_number": NEED_NUMBERS[query.need],
                        "limit": query.limit, **DISTANCE_PARAMS}
        params["near_lat"], params["near_lon"] = query.near
        # Cheap column tests first, then index probes, then arithmetic, the holds count last: SQLite
        # tests the terms in the order written, so most rows of the box are thrown out for little.
        where = ["p.status = 'active'"]
        available, updated, held = _pool_sql(params, query.need)
        if query.free_only:
            where.append(f"{available} > 0")
        if not query.include_stale:
            params["fresh_since"] = iso(now - EXCLUDED_AFTER)
            where.append(f"{updated} >= :fresh_since")
        if query.gender:
            params["gender_bit"] = GENDER_BITS[query.gender]
            where.append("(p.genders & :gender_bit) != 0")
        if query.age is not None:
            params["age"] = query.age
            where.append("p.min_age <= :age AND p.max_age >= :age")
        if children_matter(query):
            where.append("p.accepts_children = 1")
        if query.wheelchair and query.need in RESIDENTIAL_NEEDS:
            where.append("p.wheelchair = 1")
        elif query.wheelchair:
            params["without_a_visit"] = _bits(DELIVERY_BITS, WITHOUT_A_VISIT)
            where.append("(p.wheelchair = 1 OR (p.delivery & :without_a_visit) != 0)")
        if query.support_needs:
            params["support_bits"] = _bits(SUPPORT_BITS, query.support_needs)
            where.append("(p.cannot_serve & :support_bits) = 0")
        if groups_matter(query):
            params["group_bits"] = _bits(GROUP_BITS, query.target_groups)
            where.append("(p.target_groups = 0 OR (p.target_groups & :group_bits) != 0)")
        if intake_matters(query):
            params["intake_slot"] = str(query.intake_slot)
            where.append(f"(p.intake_restricted = 0 OR {_has_attr('intake', ':intake_slot')})")
        where.append("(p.needs & :need_bit) != 0")  # the row decides; the need R*Tree only narrows
        if query.residence_status:
            params["residence_bit"] = RESIDENCE_BITS.get(query.residence_status, 0)
            where.append("(p.residence_any = 1 OR (p.residences & :residence_bit) != 0)")
        if query.need == "repatriation":
            if not query.return_country:
                return []
            params["country"] = query.return_country
            where.append(_has_attr("country", ":country"))
        # Areas to avoid, by the rule's home (placement.in_area): a provider's public point inside the
        # circle, or for a confidential provider any part of its cell. The exact point plays no part. Only
        # rows inside the area's box (widened by a cell) can be held; the edge cells are decided by the
        # rule's own function.
        for index, area in enumerate(query.avoid):
            name = f"a{index}"
            params.update({f"{name}_lat": area.lat, f"{name}_lon": area.lon, f"{name}_r": area.radius_km,
                           f"{name}_reach": area.radius_km + CELL_REACH_KM})
            params.update(zip((f"{name}_min_lat", f"{name}_max_lat", f"{name}_min_lon", f"{name}_max_lon"),
                              bounding_box(area.lat, area.lon, area.radius_km + CELL_REACH_KM)))
            centre_km = self._distance("p.pub_lat", "p.pub_lon", f":{name}_lat", f":{name}_lon")
            where.append(f"NOT (p.pub_lat BETWEEN :{name}_min_lat AND :{name}_max_lat "
                         f"AND p.pub_lon BETWEEN :{name}_min_lon AND :{name}_max_lon "
                         f"AND ({centre_km} <= :{name}_r OR (p.confidential = 1 AND {centre_km} <= :{name}_reach "
                         f"AND touches_cell(:{name}_lat, :{name}_lon, :{name}_r, p.pub_lat, p.pub_lon))))")
        if query.free_only:
            where.append(f"{available} - {held} > 0")
        distance = self._distance("p.pub_lat", "p.pub_lon", ":near_lat", ":near_lon")
        radii = [r for r in CANDIDATE_RADII_KM if query.max_distance_km is None or r < query.max_distance_km]
        radii.append(query.max_distance_km or CANDIDATE_RADII_KM[-1] * 40)
        rows: list = []
        for radius in radii:
            # Widen the circle until enough candidates pass: cost follows the answer, not the table.
            round_params = dict(params, radius=radius)
            round_params.update(zip(("box_min_lat", "box_max_lat", "box_min_lon", "box_max_lon"),
                                    bounding_box(query.near[0], query.near[1], radius)))
            # The box of this need drives (see _within_box on the overlap test); the distance is worked
            # out once per row that passed every other test; documents and holds for the rows kept.
            sql = (f"SELECT p.doc, {HELD_BY_NEED} AS held, c.distance FROM "
                   f"(SELECT p.pk, {distance} AS distance FROM provider_need_geo g "
                   f"CROSS JOIN providers p ON p.pk = g.id / {NEED_SLOTS} "
                   f"WHERE g.min_need <= :need_number AND g.max_need >= :need_number "
                   f"AND g.max_lat >= :box_min_lat AND g.min_lat <= :box_max_lat "
                   f"AND g.max_lon >= :box_min_lon AND g.min_lon <= :box_max_lon "
                   f"AND {' AND '.join(where)}) c CROSS JOIN providers p ON p.pk = c.pk "
                   f"WHERE c.distance <= :radius ORDER BY c.distance, p.id LIMIT :limit")
            rows = self._conn().execute(sql, round_params).fetchall()
            if len(rows) >= query.limit:
                break
        return [(_record(row), row["distance"]) for row in rows]

    # -- referrals ---------------------------------------------------------------------------
    def create_referral(self, referral: Referral, now: datetime, audit: AuditEntry, *,
                        max_pending: int | None = None) -> Referral:
        # BEGIN IMMEDIATE takes the write lock before the read: two workers cannot both see a free unit.
        with self._write() as conn:
            if max_pending is not None:
                pending = conn.execute(
                    "SELECT COUNT(*) FROM referrals WHERE created_by = ? AND case_reference = ? AND need = ? "
                    "AND status = 'pending' AND expires_at > ?",
                    (referral.created_by, referral.case_reference, referral.need, iso(now))).fetchone()[0]
                if pending >= max_pending:
                    raise TooManyPending(max_pending)
            row = conn.execute(f"SELECT p.doc, {HELD_BY_NEED} AS held FROM providers p WHERE p.id = :id",
                               {"id": referral.provider_id, "now": iso(now)}).fetchone()
            if row is None:
                raise NoCapacity(referral.provider_id)
            record = _record(row)
            pool = pool_of(record, referral.need)
            if not can_hold(status=record["status"], available=pool["available"], held=pool["held"],
                            units=referral.units):
                raise NoCapacity(referral.provider_id)
            values = _referral_row(referral)
            conn.execute(f"INSERT INTO referrals ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})",
                         values)
            _changed(conn, [referral.provider_id])
            _append_audit(conn, audit)
            append_event(conn, referral_event(referral, audit.at))
        return referral

    def get_referral(self, referral_id: str) -> Referral | None:
        row = self._conn().execute("SELECT * FROM referrals WHERE id = ?", (referral_id,)).fetchone()
        return _referral_of(row) if row else None

    def transition_referral(self, referral_id, to_status, now, audit, *, reason=None, note=None):
        with self._write() as conn:
            row = conn.execute("SELECT * FROM referrals WHERE id = ?", (referral_id,)).fetchone()
            if row is None:
                raise KeyError(referral_id)
            referral = _referral_of(row)
            current = referral.effective_status(now)
            if current != "pending":
                raise InvalidTransition(current, to_status)
            conn.execute("UPDATE referrals SET status = ?, updated_at = ?, reason = ?, note = ? WHERE id = ?",
                         (to_status, iso(now), reason, note, referral_id))
            if to_status == "accepted":
                self._use_unit(conn, row["provider_id"], row["need"], now, row["units"])
            _changed(conn, [row["provider_id"]])
            _append_audit(conn, audit)
            append_event(conn, referral_event(_referral_of(conn.execute(
                "SELECT * FROM referrals WHERE id = ?", (referral_id,)).fetchone()), iso(now)))
            if to_status == "accepted":
                self._cancel_siblings(conn, referral, now, audit)
        return self.get_referral(referral_id)

    @staticmethod
    def _cancel_siblings(conn: sqlite3.Connection, accepted: Referral, now: datetime, audit: AuditEntry) -> None:
        """One hold per case: the caseworker's other pending referrals for the case and need end with the accept."""
        rows = conn.execute("SELECT * FROM referrals WHERE created_by = ? AND case_reference = ? AND need = ? "
                            "AND status = 'pending' AND expires_at > ? AND id != ? ORDER BY created_at, id",
                            (accepted.created_by, accepted.case_reference, accepted.need, iso(now),
                             accepted.id)).fetchall()
        for row in rows:
            conn.execute("UPDATE referrals SET status = 'cancelled', updated_at = ?, reason = ? WHERE id = ?",
                         (iso(now), PLACED_ELSEWHERE, row["id"]))
            _changed(conn, [row["provider_id"]])
            _append_audit(conn, sibling_cancel_audit(audit, row["id"], accepted.id))
            append_event(conn, referral_event(_referral_of(dict(
                dict(row), status="cancelled", reason=PLACED_ELSEWHERE, updated_at=iso(now))), iso(now)))

    @staticmethod
    def _use_unit(conn: sqlite3.Connection, provider_id: str, need: str, now: datetime, units: int = 1) -> None:
        """An accepted referral takes its held units out of the reported free units of its need's pool.

        Runs inside the transition's write transaction, so no edit or report can read the old count
        and write it back over this one.
        """
        doc_row = conn.execute("SELECT doc FROM providers WHERE id = ?", (provider_id,)).fetchone()
        if doc_row is None:
            return
        record = json.loads(doc_row["doc"])
        pool = pool_of(record, need)
        pool["available"] = after_use(pool["available"], units)
        pool["updated"] = record["last_modified"] = iso(now)
        _write_pools(conn, record, provider_id)

    def list_referrals(self, query: ReferralFilter, now: datetime) -> Page:
        params: dict = {"now": iso(now), "limit": query.size, "offset": (query.page - 1) * query.size}
        where = []
        if query.created_by is not None:
            params["created_by"] = query.created_by
            where.append("created_by = :created_by")
        if query.provider_ids is not None:
            where.append(f"provider_id IN ({_placeholders(params, 'owned', query.provider_ids) or 'NULL'})")
        if query.provider_id:
            params["provider_id"] = query.provider_id
            where.append("provider_id = :provider_id")
        if query.case_reference:
            params["case_reference"] = query.case_reference
            where.append("case_reference = :case_reference")
        if query.status == "expired":
            where.append("(status = 'expired' OR (status = 'pending' AND expires_at <= :now))")
        elif query.status == "pending":
            where.append("status = 'pending' AND expires_at > :now")
        elif query.status:
            params["status"] = query.status
            where.append("status = :status")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._conn().execute(
            f"SELECT *, COUNT(*) OVER () AS total FROM referrals {clause} "
            f"ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset", params).fetchall()
        total = rows[0]["total"] if rows else self._conn().execute(
            f"SELECT COUNT(*) FROM referrals {clause}", params).fetchone()[0]
        items = [_referral_of({k: row[k] for k in row.keys() if k != "total"}).as_of(now) for row in rows]
        return Page(items, total)

    def expire_referrals(self, now: datetime) -> int:
        with self._write() as conn:
            rows = conn.execute("UPDATE referrals SET status = 'expired', updated_at = expires_at "
                                "WHERE status = 'pending' AND expires_at <= ? RETURNING *",
                                (iso(now),)).fetchall()
            _changed(conn, sorted({row["provider_id"] for row in rows}))
            for row in rows:
                _append_audit(conn, expiry_audit(row["id"], row["expires_at"]))
                append_event(conn, referral_event(_referral_of(row), row["expires_at"]))
            return len(rows)

    def remind_expiring(self, now: datetime, until: datetime) -> int:
        with self._write() as conn:
            rows = conn.execute("UPDATE referrals SET reminded = 1 WHERE status = 'pending' AND reminded = 0 "
                                "AND expires_at > ? AND expires_at <= ? RETURNING *", (iso(now), iso(until))).fetchall()
            for row in rows:
                append_event(conn, referral_event(_referral_of(row), iso(now), type_="referral.expiring"))
            return len(rows)

    def import_referrals(self, referrals: Iterable[Referral], now: datetime) -> int:
        """Referrals as they are: the embedded store counts holds from its referrals table, so the rows suffice."""
        count = 0
        for chunk in _chunks(referrals, IMPORT_CHUNK):
            with self._write() as conn:
                conn.executemany(f"INSERT OR REPLACE INTO referrals ({', '.join(REFERRAL_COLUMNS)}) "
                                 f"VALUES ({', '.join(':' + k for k in REFERRAL_COLUMNS)})",
                                 [_referral_row(referral) for referral in chunk])
                _changed(conn, sorted({referral.provider_id for referral in chunk}))
            count += len(chunk)
        return count

    # -- audit -------------------------------------------------------------------------------
    def import_audit(self, entries: Iterable[AuditEntry]) -> int:
        count = 0
        for chunk in _chunks(entries, IMPORT_CHUNK):
            with self._write() as conn:
                for entry in chunk:
                    _append_audit(conn, entry)
            count += len(chunk)
        return count

    def rebuild_indices(self, *, kinds=None, progress=None) -> dict[str, str]:
        """Rebuild every index and the text index from the tables (the tables hold the truth)."""
        conn = self._conn()
        conn.execute("REINDEX")
        conn.execute("INSERT INTO provider_text(provider_text) VALUES ('rebuild')")
        conn.execute("PRAGMA optimize")
        if progress:
            progress("providers", 1, 1)
        return {"providers": "indices rebuilt"}

    def append_audit(self, entry: AuditEntry) -> None:
        with self._write() as conn:
            _append_audit(conn, entry)

    def list_audit(self, query: AuditFilter) -> Page:
        params: dict = {"limit": query.size, "offset": (query.page - 1) * query.size}
        where = []
        for name in ("actor", "action", "target"):
            if getattr(query, name):
                params[name] = getattr(query, name)
                where.append(f"{name} = :{name}")
        if query.since:
            params["since"] = query.since
            where.append("at >= :since")
        if query.until:
            params["until"] = query.until
            where.append("at < :until")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._conn().execute(
            f"SELECT at, actor, role, action, target, request_id, detail, COUNT(*) OVER () AS total "
            f"FROM audit {clause} ORDER BY seq DESC LIMIT :limit OFFSET :offset", params).fetchall()
        total = rows[0]["total"] if rows else self._conn().execute(
            f"SELECT COUNT(*) FROM audit {clause}", params).fetchone()[0]
        return Page([AuditEntry(**{k: row[k] for k in row.keys() if k != "total"}) for row in rows], total)


def _changed(conn: sqlite3.Connection, provider_ids, *, deleted: bool = False) -> None:
    """Give each provider the next numbers of the change sequence, in the writing transaction: writers take
    the write lock first, so numbers are committed in the order they are given and a reader never sees a
    later one without every earlier one."""
    if not provider_ids:
        return
    last = conn.execute("UPDATE change_counter SET seq = seq + ? RETURNING seq", (len(provider_ids),)).fetchone()[0]
    first = last - len(provider_ids) + 1
    conn.executemany("INSERT INTO provider_changes (provider_id, seq, deleted) VALUES (?, ?, ?) "
                     "ON CONFLICT (provider_id) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted",
                     [(provider_id, first + index, int(deleted)) for index, provider_id in enumerate(provider_ids)])


def _add_change_feed(conn: sqlite3.Connection) -> None:
    """The change sequence: each provider's last change number, deletes kept as tombstones; providers stored
    before it get their numbers in id order."""
    conn.execute("CREATE TABLE IF NOT EXISTS change_counter (one INTEGER PRIMARY KEY CHECK (one = 1), "
                 "seq INTEGER NOT NULL)")
    conn.execute("INSERT OR IGNORE INTO change_counter (one, seq) VALUES (1, 0)")
    conn.execute("CREATE TABLE IF NOT EXISTS provider_changes (provider_id TEXT PRIMARY KEY, "
                 "seq INTEGER NOT NULL UNIQUE, deleted INTEGER NOT NULL DEFAULT 0)")
    _changed(conn, [row[0] for row in conn.execute("SELECT id FROM providers ORDER BY id")])


def _add_change_generation(conn: sqlite3.Connection) -> None:
    """The change feed's generation: which copy of the store its numbers count in."""
    if "generation" not in {row[1] for row in conn.execute("PRAGMA table_info(change_counter)")}:
        conn.execute("ALTER TABLE change_counter ADD COLUMN generation TEXT NOT NULL DEFAULT ''")
        new_change_generation(conn)


def new_change_generation(conn: sqlite3.Connection) -> None:
    """Number the store's changes in a generation of their own: a restored copy counts from where its backup
    was, below what readers of the live store have read, so they must load it again (`haven restore`)."""
    conn.execute("UPDATE change_counter SET generation = 'sqlite-' || lower(hex(randomblob(8)))")


def _chunks(items: Iterable, size: int):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _bits(bits: dict[str, int], values) -> int:
    return sum({bits[value] for value in values if value in bits})


def _add_bit_columns(conn: sqlite3.Connection) -> None:
    """Stores written before the needs and residences columns get them, filled from the attribute table."""
    if "needs" in _columns(conn):
        return
    conn.execute("ALTER TABLE providers ADD COLUMN needs INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE providers ADD COLUMN residences INTEGER NOT NULL DEFAULT 0")
    for column, kind, bits in (("needs", "need", NEED_BITS), ("residences", "residence", RESIDENCE_BITS)):
        cases = " ".join(f"WHEN {_quoted(value)} THEN {bit}" for value, bit in bits.items())
        conn.execute(f"UPDATE providers SET {column} = (SELECT COALESCE(SUM(CASE a.value {cases} ELSE 0 END), 0) "
                     f"FROM provider_attrs a WHERE a.kind = '{kind}' AND a.pk = providers.pk)")


def _add_confidential_column(conn: sqlite3.Connection) -> None:
    """Stores written before the confidential column get it, read from each provider's record."""
    if "confidential" in _columns(conn):
        return
    conn.execute("ALTER TABLE providers ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0")
    conn.execute("UPDATE providers SET confidential = 1 WHERE json_extract(doc, '$.location.confidential')")


def _add_version_column(conn: sqlite3.Connection) -> None:
    """Stores written before provider versions get the column, every provider at version 1."""
    if "version" not in _columns(conn):
        conn.execute("ALTER TABLE providers ADD COLUMN version INTEGER NOT NULL DEFAULT 1")


def _add_delivery_column(conn: sqlite3.Connection) -> None:
    """Stores written before providers said how they deliver get the column, read from each record (on site
    when the record says nothing)."""
    if "delivery" in _columns(conn):
        return
    conn.execute("ALTER TABLE providers ADD COLUMN delivery INTEGER NOT NULL DEFAULT 1")
    _fill_bits(conn, "delivery", DELIVERY_BITS, "$.delivery", "array",
               extra="AND json_array_length(doc, '$.delivery') > 0")


def _add_support_columns(conn: sqlite3.Connection) -> None:
    """Stores written before support profiles get the columns, read from each record (none when it has none)."""
    if "cannot_serve" in _columns(conn):
        return
    for column, bits in (("cannot_serve", SUPPORT_BITS), ("target_groups", GROUP_BITS)):
        conn.execute(f"ALTER TABLE providers ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
        _fill_bits(conn, column, bits, f"$.eligibility.{column}", "array")


def _add_intake_column(conn: sqlite3.Connection) -> None:
    """Stores written before structured intake hours: no provider said when it takes people in."""
    if "intake_restricted" not in _columns(conn):
        conn.execute("ALTER TABLE providers ADD COLUMN intake_restricted INTEGER NOT NULL DEFAULT 0")


def _add_referral_party_columns(conn: sqlite3.Connection) -> None:
    """Referrals made before parties each held one unit, for a party nobody named."""
    if "units" in {row["name"] for row in conn.execute("PRAGMA table_info(referrals)")}:
        return
    conn.execute("ALTER TABLE referrals ADD COLUMN adults INTEGER")
    conn.execute("ALTER TABLE referrals ADD COLUMN children INTEGER")
    conn.execute("ALTER TABLE referrals ADD COLUMN units INTEGER NOT NULL DEFAULT 1")


def _add_own_pools_column(conn: sqlite3.Connection) -> None:
    """Stores written before capacity per service: the needs with their own pool, read from each record."""
    if "own_pools" in _columns(conn):
        return
    conn.execute("ALTER TABLE providers ADD COLUMN own_pools INTEGER NOT NULL DEFAULT 0")
    _fill_bits(conn, "own_pools", NEED_BITS, "$.service_capacity", "object")


def _fill_bits(conn: sqlite3.Connection, column: str, bits: dict[str, int], path: str, kind: str,
               extra: str = "") -> None:
    """Fill a bit-set column from each record: the bits of the values of the array (or the keys of the object) at
    `path`, for records where it is one."""
    part = "value" if kind == "array" else "key"
    cases = " ".join(f"WHEN {_quoted(value)} THEN {bit}" for value, bit in bits.items())
    conn.execute(f"UPDATE providers SET {column} = (SELECT COALESCE(SUM(CASE j.{part} {cases} ELSE 0 END), 0) "
                 f"FROM json_each(providers.doc, '{path}') j) WHERE json_type(doc, '{path}') = '{kind}' {extra}")


def _add_referral_brief_columns(conn: sqlite3.Connection) -> None:
    """Referrals get what a provider needs to decide and why they ended (older rows: none given)."""
    present = {row["name"] for row in conn.execute("PRAGMA table_info(referrals)")}
    for column, kind in REFERRAL_BRIEF_COLUMNS.items():
        if column not in present:
            conn.execute(f"ALTER TABLE referrals ADD COLUMN {column} {kind}")


REFERRAL_BRIEF_COLUMNS = {"languages": "TEXT NOT NULL DEFAULT '[]'", "interpreter_needed": "INTEGER NOT NULL DEFAULT 0",
                          "urgency": "TEXT NOT NULL DEFAULT 'routine'", "callback": "TEXT", "reason": "TEXT",
                          "note": "TEXT", "reminded": "INTEGER NOT NULL DEFAULT 0"}


def _referral_row(referral: Referral) -> dict:
    """A referral as the columns of its row."""
    row = referral.to_dict()
    row["languages"] = json.dumps(list(row["languages"]))
    row["interpreter_needed"] = int(row["interpreter_needed"])
    return row


def _referral_of(row) -> Referral:
    values = {k: row[k] for k in REFERRAL_COLUMNS}
    values["languages"] = json.loads(values["languages"])
    values["interpreter_needed"] = bool(values["interpreter_needed"])
    return Referral(**values)


def _need_geo_ids(pks) -> list[tuple[int]]:
    return [(pk * NEED_SLOTS + number,) for pk in pks for number in NEED_NUMBERS.values()]


def _fill_need_geo(conn: sqlite3.Connection) -> None:
    """Stores written before provider_need_geo get it filled from the providers' need bits."""
    if (conn.execute("SELECT 1 FROM providers LIMIT 1").fetchone() is None
            or conn.execute("SELECT 1 FROM provider_need_geo LIMIT 1").fetchone() is not None):
        return
    for number in NEED_NUMBERS.values():
        conn.execute("INSERT INTO provider_need_geo (id, min_lat, max_lat, min_lon, max_lon, min_need, max_need) "
                     f"SELECT pk * {NEED_SLOTS} + ?, pub_lat, pub_lat, pub_lon, pub_lon, ?, ? FROM providers "
                     "WHERE (needs & ?) != 0", (number, number, number, 1 << number))


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row["name"] for row in conn.execute("PRAGMA table_info(providers)")}


def _configure(conn: sqlite3.Connection) -> None:
    """Each connection's cache and the functions its SQL calls."""
    # 8 MB of page cache per connection (SQLite's default is 2): candidate queries read scattered
    # rows; more per thread would grow each worker's memory past what it gains.
    conn.execute("PRAGMA cache_size=-8192")
    conn.create_function("distance_km", 4, distance_km, deterministic=True)
    conn.create_function("touches_cell", 5, _touches_cell, deterministic=True)


# Applied in order, once each (services.shared.sqlite); new steps are appended. Stores made before the
# steps were counted run them all again: each finds its work done and does nothing.
MIGRATIONS = [SCHEMA, _add_bit_columns, _fill_need_geo, _add_confidential_column, _add_version_column,
              _add_delivery_column, _add_support_columns, _add_referral_party_columns, _add_intake_column,
              _add_referral_brief_columns, add_notification_tables, add_waitlist_table,
              add_figures_tables, _add_change_feed, _add_own_pools_column, _add_change_generation]


def _touches_cell(lat: float, lon: float, radius_km: float, cell_lat: float, cell_lon: float) -> int:
    return int(Area(lat, lon, radius_km).touches_cell(cell_lat, cell_lon))


def _has_math_functions(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite was built with the math functions `_distance` uses (3.35+, a compile-time option)."""
    try:
        conn.execute("SELECT asin(1.0), sqrt(4.0), pow(2.0, 2), sin(1.0), cos(1.0)").fetchone()
        return True
    except sqlite3.OperationalError:
        return False


def _append_audit(conn: sqlite3.Connection, entry: AuditEntry) -> None:
    conn.execute("INSERT INTO audit (at, actor, role, action, target, request_id, detail) "
                 "VALUES (:at, :actor, :role, :action, :target, :request_id, :detail)", entry.__dict__)


def _write_pools(conn: sqlite3.Connection, record: dict, provider_id: str) -> None:
    """Write a record whose pools' counts changed (a report, a used unit): the document and the main pool's columns."""
    conn.execute("UPDATE providers SET doc = ?, available = ?, capacity_updated = ?, last_modified = ?, "
                 "version = version + 1 WHERE id = ?",
                 (json.dumps(record, separators=(",", ":")), record["capacity"]["available"],
                  record["capacity"]["updated"], record["last_modified"], provider_id))


def _record(row) -> dict:
    """The stored record with `held` in every pool, from the units held per referral need."""
    return with_holds(jsonio.loads(row["doc"]), json.loads(row["held"]) if row["held"] else {})


def _versioned(row) -> dict:
    """A provider record with its held units and its version, read in one statement."""
    return dict(_record(row), version=row["version"])


def _pool_sql(params: dict, need: str | None) -> tuple[str, str, str]:
    """SQL for the available units, report time and held units of the pool `need` draws on (None: the main
    pool), as services.shared.capacity.pool_of chooses it: the need's own pool, read from the record, where
    the provider keeps one (a bit in `own_pools`), else the main capacity's columns. Holds are counted for
    the referrals whose need draws on that same pool."""
    params["pool_need"] = need
    params["pool_need_bit"] = NEED_BITS.get(need, 0) if need else 0
    params["pool_available"] = f"$.service_capacity.{need}.available"
    params["pool_updated"] = f"$.service_capacity.{need}.updated"
    own = "(p.own_pools & :pool_need_bit) != 0"
    available = f"(CASE WHEN {own} THEN json_extract(p.doc, :pool_available) ELSE p.available END)"
    updated = f"(CASE WHEN {own} THEN json_extract(p.doc, :pool_updated) ELSE p.capacity_updated END)"
    held = ("(SELECT COALESCE(SUM(r.units), 0) FROM referrals r WHERE r.provider_id = p.id "
            "AND r.status = 'pending' AND r.expires_at > :now "
            f"AND CASE WHEN {own} THEN r.need = :pool_need ELSE (p.own_pools & {_NEED_BIT_OF_REFERRAL}) = 0 END)")
    return available, updated, held


_NEED_BIT_OF_REFERRAL = f"(CASE r.need {' '.join(f'WHEN {chr(39)}{n}{chr(39)} THEN {b}' for n, b in NEED_BITS.items())} ELSE 0 END)"


def _has_attr(kind: str, value_param: str, pk: str = "p.pk") -> str:
    return f"EXISTS (SELECT 1 FROM provider_attrs a WHERE a.kind = '{kind}' AND a.value = {value_param} AND a.pk = {pk})"


def _quoted(kind: str) -> str:
    return f"'{kind}'"


def _placeholders(params: dict, prefix: str, values) -> str:
    names = []
    for index, value in enumerate(values):
        params[f"{prefix}{index}"] = value
        names.append(f":{prefix}{index}")
    return ", ".join(names)


def _within_box(joins: list, where: list, params: dict, near, radius_km: float, pk: str = "p.pk",
                join: str = "JOIN") -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(near[0], near[1], radius_km)
    params.update(box_min_lat=min_lat, box_max_lat=max_lat, box_min_lon=min_lon, box_max_lon=max_lon)
    joins.append(f"{join} provider_geo g ON g.pk = {pk}")
    # Overlap, not containment: the R*Tree keeps 32-bit floats rounded outwards, so a point on the
    # box's edge is stored as a slightly larger box. The exact distance test decides afterwards.
    where.append("g.max_lat >= :box_min_lat AND g.min_lat <= :box_max_lat "
                 "AND g.max_lon >= :box_min_lon AND g.min_lon <= :box_max_lon")
