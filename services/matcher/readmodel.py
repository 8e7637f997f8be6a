"""The matcher's own copy of the directory as caseworkers see it, kept up to date from the directory's change feed.

The directory stays the owner of every provider and of capacity: a referral there is still the only thing
that holds a unit (and refuses when none is free). What the matcher keeps is what GET /changes gives anyone
who may match: public views (a confidential provider on its public cell's centre, no address) with the holds
of pending referrals (a need, units and an end time; nothing about the case). Nothing about the person being
matched is kept: a query is answered and forgotten.

Candidate queries are answered the way the directory answers them, and by the same rules
(services.shared.placement): each hard filter that reads only the provider and the query is worked out once
per distinct value it reads, over every kind of provider (providers of which those rules read the same), by the
rule's own `passes`, and kept as a boolean column by kind (each provider's kind is a number in a column); free
capacity is the rule's `free_places` on a view whose holds are counted at the time asked
(`capacity.hold_has_ended`); how old a count may be is the stale rule's threshold compared over one column of
report times; areas to avoid, the distance limit and the order are the shared
geometry's, NumPy narrowing down and the rule's own function deciding every case within a millimetre of
an edge. Nearest first on the public point, ties by id, at most `limit`: the directory's order exactly. A query
looks only in the cells of a grid around its point, within a reach that grows until `limit` pass within it.

A match ranks the answers as `scorable` gives them: what ranking reads comes from the columns, and a whole view is
unpacked only for the candidates shown (`whole_view`).
"""
from __future__ import annotations

import ctypes
import gc
import logging
import math
import os
import threading
import time
import weakref
import zlib
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple, Sequence

import numpy as np

from ..shared import jsonio
from ..shared.capacity import hold_has_ended, pool_of
from ..shared.geo import CELL_REACH_KM, EARTH_RADIUS_KM, bounding_box, distance_km
from ..shared.http import ServiceClient
from ..shared.placement import (EXCLUDED_AFTER, HARD_FILTERS, CandidateQuery, capacity_as_seen, in_area,
                                pools_as_seen, public_point)
from ..shared.signing import Claims
from ..shared.times import parse_time
from ..shared.vocabulary import NEEDS
from .candidates import CandidateSource, Scorable

log = logging.getLogger(__name__)

CAPACITY_RULE = next(rule for rule in HARD_FILTERS if rule.name == "capacity")

# Filters that read the time or the query's geometry: worked out per query, not kept as columns.
PER_QUERY = frozenset({"capacity", "stale", "avoid", "distance"})
# The others read only what a kind of provider holds.
KIND_RULES = frozenset(rule.name for rule in HARD_FILTERS) - PER_QUERY
# Parts of a view no hard filter keeps a column of: kept only in the compressed whole view (the id in a list of
# its own; capacity, whose free units depend on holds and the time, as a column per need, and in full for rows
# with holds).
DISPLAY_ONLY = frozenset({"name", "organization", "description", "languages", "interpretation_languages",
                          "last_modified", "hold_minutes", "version", "holds", "distance_km", "id", "capacity",
                          "service_capacity"})
POOLS = ("capacity", "service_capacity")
# NumPy's trigonometry may differ from Python's in the last bits: within this many km of an edge, the rule's
# own function decides.
EDGE_KM = 1e-6
# Columns kept (least recently used dropped): one boolean per kind of provider (some thousands), not per provider.
MAX_COLUMNS = 256
# Whole views kept unpacked between requests (least recently used dropped): about 3 kB each. A match near
# where the last ones were answers mostly from here; a view that changes is unpacked anew (keyed by its write).
MAX_UNPACKED = 2048
# The preset dictionary the views are packed with: from this many of the first views read, at most zlib's window.
ZDICT_VIEWS = 32
ZDICT_BYTES = 32 * 1024
# Raw deflate (no zlib header or checksum): a stream with a preset dictionary otherwise checks the dictionary's
# checksum, 32 kB of work, on every view unpacked.
PACK_WBITS = -15
# zlib's level for the packed views: 6 packs them about a quarter smaller than 1 (about 180 bytes a view against
# 245) for some microseconds more a write.
PACK_LEVEL = 6
# Rows are found near a point through a grid of cells this many degrees of latitude and of longitude (about
# 11 by 7 km in the Netherlands): a query looks within FIRST_REACH_KM, and further by REACH_GROWTH each time,
# until `limit` providers pass within the reach (or the whole country is searched).
GRID_DEGREES = 0.1
FIRST_REACH_KM = 10.0
REACH_GROWTH = 2.0
# Objects made before the youngest generation is collected (Python's default is 700; a match makes tens of thousands).
GC_YOUNG_THRESHOLD = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_US = timedelta(microseconds=1)
FEED_CLAIMS = ("caseworker", "matcher:read-model")


@lru_cache(maxsize=65536)
def _microseconds(text: str) -> int:
    """A stored time as whole microseconds since 1970: compared as integers, exactly as the datetimes compare."""
    return (parse_time(text) - EPOCH) // ONE_US


@lru_cache(maxsize=None)
def _asking_for(need: str) -> CandidateQuery:
    """A query for `need` only: what the capacity rule reads of a query (its need) with none held."""
    return CandidateQuery(need=need, near=(0.0, 0.0))


def _distances(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """`geo.distance_km` over columns, the same steps; may differ from it in the last bits (see EDGE_KM)."""
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi = phi2 - phi1
    dlmb = np.radians(lons - lon)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


class _Answered(NamedTuple):
    """What `ReadModel.scorable` keeps of an answer to unpack its whole view later (`Scorable.view`)."""

    key: tuple[int, int]  # (row, stamp): which write of the row was answered
    packed: bytes  # the whole view as packed then, though the row be written again since
    seen: dict | None  # its pools at the request's time, for a row with holds
    distance_km: float
    kind: dict  # what the column rules read of it, as it was then (a kind's number may be given to another)


class ReadModel:
    """Provider views by row, with the columns the hard filters need; safe to use from several threads."""

    def __init__(self):
        self._lock = threading.RLock()
        self.sequence = 0
        self.generation: str | None = None  # the numbering `sequence` belongs to
        self.as_of: str | None = None  # when the directory answered the last page read
        self.loaded = False  # the snapshot has been read to its end
        self._row_of: dict[str, int] = {}
        self._ids: list[str | None] = []
        # What the column rules read of a provider (display-only fields and capacity left out): each distinct
        # one once (some thousands for 100,000 providers), by its number; each row's number in a column. The
        # whole view as compressed JSON, unpacked only for the candidates answered.
        self._kinds: list[dict] = []
        self._kind_of: dict[bytes, int] = {}
        self._kind_rows: list[int] = []  # how many rows are of each kind; a kind of none is numbered anew
        self._free_kinds: list[int] = []
        self._kind = np.zeros(0, dtype=np.int32)
        self._packed: list[bytes | None] = []
        # zlib's preset dictionary for the packed views: the first views read, whose keys and common values
        # every other view repeats (a view packed alone is about three times as large). Fixed for the model's life.
        self._zdict: bytes | None = None
        # Which write of the row this is (the views unpacked for a request are keyed by it).
        self._stamps = np.zeros(0, dtype=np.int64)
        self._writes = 0
        self._holds: list[tuple] = []
        # `capacity` and `service_capacity` of the rows with holds, whose free units depend on the time.
        self._pools: dict[int, dict] = {}
        self._free_rows: list[int] = []
        self._size = 0
        self._alive = np.zeros(0, dtype=bool)
        self._held = np.zeros(0, dtype=bool)  # rows with holds: their free units depend on the time
        self._lat = np.zeros(0)
        self._lon = np.zeros(0)
        self._confidential = np.zeros(0, dtype=bool)
        # The live rows in each cell of the grid, by its point's row and column of GRID_DEGREES (some tens a cell).
        self._grid: dict[tuple[int, int], np.ndarray] = {}
        self._updated = {need: np.zeros(0, dtype=np.int64) for need in NEEDS}
        # The capacity rule per need with none held (rows with holds are worked out per query).
        self._free = {need: np.zeros(0, dtype=bool) for need in NEEDS}
        # What ranking reads of the pool each need draws on, with none held: its free units, and its unit by number.
        self._free_units = {need: np.zeros(0, dtype=np.int32) for need in NEEDS}
        self._unit = {need: np.zeros(0, dtype=np.int8) for need in NEEDS}
        self._unit_names: list[str] = []
        # The languages staff speak and interpreters cover, each distinct pair once (a few hundred), by number.
        self._tongue = np.zeros(0, dtype=np.int32)
        self._tongues: list[dict] = []
        self._tongue_of: dict[tuple, int] = {}
        # Per rule and what it reads of a query: whether each kind passes (by kind number, not by row).
        self._columns: OrderedDict[tuple, tuple[tuple, np.ndarray]] = OrderedDict()
        self._unpacked: OrderedDict[tuple[int, int], dict] = OrderedDict()  # (row, stamp): the whole view

    # -- changes -------------------------------------------------------------------------------
    def apply(self, page: dict) -> None:
        """One page of GET /changes: changed providers replace their rows, deleted ones leave."""
        with self._lock:
            for provider_id in page["deleted"]:
                row = self._row_of.pop(provider_id, None)
                if row is not None:
                    self._ids[row] = None
                    self._leave_kind(row)
                    self._packed[row] = None
                    self._holds[row] = ()
                    self._pools.pop(row, None)
                    self._leave_grid(row)
                    self._alive[row] = self._held[row] = False
                    self._free_rows.append(row)
            if self._zdict is None and page["providers"]:
                sample = b"".join(jsonio.dumps(view) for view in page["providers"][:ZDICT_VIEWS])
                self._zdict = sample[-ZDICT_BYTES:]
            for view in page["providers"]:
                self._put(view)
            self.sequence = page["sequence"]
            self.generation = page.get("generation")
            self.as_of = page["as_of"]

    def _put(self, view: dict) -> None:
        view = dict(view)
        holds = tuple((hold["expires_at"], hold["units"], hold["need"]) for hold in view.pop("holds", ()))
        view.pop("distance_km", None)
        row = self._row_of.get(view["id"])
        if row is None:
            row = self._free_rows.pop() if self._free_rows else self._new_row()
            self._row_of[view["id"]] = row
            self._ids[row] = view["id"]
        # Without holds what is free never changes with time: counted once, with none held.
        if not holds:
            view["capacity"] = capacity_as_seen(view["capacity"], 0, parse_time(view["capacity"]["updated"]))
            view["service_capacity"] = {need: capacity_as_seen(pool, 0, parse_time(pool["updated"]))
                                        for need, pool in (view.get("service_capacity") or {}).items()}
        packer = zlib.compressobj(PACK_LEVEL, zlib.DEFLATED, PACK_WBITS, zdict=self._zdict)
        self._packed[row] = packer.compress(jsonio.dumps(view)) + packer.flush()
        self._writes += 1
        self._stamps[row] = self._writes
        self._holds[row] = holds
        if self._alive[row]:
            self._leave_grid(row)
        self._alive[row] = True
        self._held[row] = bool(holds)
        self._lat[row], self._lon[row] = public_point(view["location"])
        self._enter_grid(row)
        self._confidential[row] = bool(view["location"].get("confidential"))
        for need in NEEDS:
            pool = pool_of(view, need)
            self._updated[need][row] = _microseconds(pool["updated"])
            self._free[need][row] = CAPACITY_RULE.passes(_asking_for(need), view, None)
            self._free_units[need][row] = int(pool.get("free", 0))
            self._unit[need][row] = self._unit_number(pool.get("unit", "bed"))
        self._tongue[row] = self._tongue_number(view.get("languages"), view.get("interpretation_languages"))
        if holds:
            self._pools[row] = {key: view.get(key) for key in POOLS}
        else:
            self._pools.pop(row, None)
        kind = self._kind_number(self._slim(view))
        self._kind_rows[kind] += 1  # before the row leaves its kind, which may be this one
        self._leave_kind(row)
        self._kind[row] = kind

    def _new_row(self) -> int:
        row = self._size
        if row == len(self._alive):
            grow = max(64, len(self._alive))
            self._alive = np.concatenate([self._alive, np.zeros(grow, dtype=bool)])
            self._held = np.concatenate([self._held, np.zeros(grow, dtype=bool)])
            self._confidential = np.concatenate([self._confidential, np.zeros(grow, dtype=bool)])
            self._lat = np.concatenate([self._lat, np.zeros(grow)])
            self._lon = np.concatenate([self._lon, np.zeros(grow)])
            self._stamps = np.concatenate([self._stamps, np.zeros(grow, dtype=np.int64)])
            self._kind = np.concatenate([self._kind, np.full(grow, -1, dtype=np.int32)])
            self._tongue = np.concatenate([self._tongue, np.zeros(grow, dtype=np.int32)])
            for need in self._updated:
                self._updated[need] = np.concatenate([self._updated[need], np.zeros(grow, dtype=np.int64)])
                self._free[need] = np.concatenate([self._free[need], np.zeros(grow, dtype=bool)])
                self._free_units[need] = np.concatenate([self._free_units[need], np.zeros(grow, dtype=np.int32)])
                self._unit[need] = np.concatenate([self._unit[need], np.zeros(grow, dtype=np.int8)])
        self._ids.append(None)
        self._packed.append(None)
        self._holds.append(())
        self._size += 1
        return row

    # -- queries -------------------------------------------------------------------------------
    def candidates(self, queries: Sequence[CandidateQuery], now: datetime,
                   shown: dict | None = None) -> list[list[dict]]:
        """One list per query; `shown` keeps the views unpacked at this `now` for the next call (one request's)."""
        shown = {} if shown is None else shown
        reaches: dict[str, float] = {}
        with self._lock:
            return [self._candidates(query, now, shown, reaches) for query in queries]

    def scorable(self, queries: Sequence[CandidateQuery], now: datetime) -> list[list[Scorable]]:
        """`candidates` as ranking reads them: what the rules and scores read comes from the columns, and the whole
        view is unpacked only for the candidates shown (`whole_view`)."""
        now_us = (now - EPOCH) // ONE_US
        reaches: dict[str, float] = {}
        with self._lock:
            return [self._scorable(query, now, now_us, reaches) for query in queries]

    def _candidates(self, query: CandidateQuery, now: datetime, shown: dict, reaches: dict) -> list[dict]:
        nearest, timed = self._nearest(query, now, reaches)
        answer = []
        for distance, _, row in nearest:
            # Keyed by the row's stored view too: a change between two calls is never answered from before it.
            key = (int(row), int(self._stamps[row]))
            view = shown.get(key)
            if view is None:
                view = shown[key] = self._as_seen(self._unpack(key), timed.get(row), now)
            answer.append(dict(view, distance_km=round(distance, 1)))
        return answer

    def _scorable(self, query: CandidateQuery, now: datetime, now_us: int, reaches: dict) -> list[Scorable]:
        nearest, timed = self._nearest(query, now, reaches)
        if not nearest:
            return []
        need = query.need
        rows = np.fromiter((row for _, _, row in nearest), dtype=np.intp, count=len(nearest))
        columns = zip(self._kind[rows].tolist(), self._tongue[rows].tolist(), self._free_units[need][rows].tolist(),
                      self._unit[need][rows].tolist(), self._updated[need][rows].tolist(), self._stamps[rows].tolist(),
                      self._lat[rows].tolist(), self._lon[rows].tolist())
        rules_of: dict[tuple[int, int], dict] = {}  # per kind and languages: what the rules and scores read
        found = []
        for (distance, provider_id, row), (kind, tongue, free, unit, reported, stamp, lat, lon) in zip(nearest,
                                                                                                      columns):
            # The kind itself goes with the answer: a number no row is of any more may be given to another kind.
            slim = self._kinds[kind]
            rules = rules_of.get((kind, tongue))
            if rules is None:
                rules = rules_of[kind, tongue] = {"eligibility": slim.get("eligibility"),
                                                  "delivery": slim.get("delivery"), **self._tongues[tongue]}
            seen = timed.get(row)
            if seen is None:
                unit = self._unit_names[unit]
            else:
                pool = pool_of(seen, need)
                free, unit = int(pool.get("free", 0)), pool.get("unit", "bed")
            # As scoring.count_age_hours works it out from the report's time: whole microseconds, then hours.
            age_hours = max((now_us - reported) / 1_000_000 / 3600, 0.0)
            key = (int(row), stamp)
            found.append(Scorable(provider_id, distance, rules, key, age_hours, free, unit,
                                  _Answered(key, self._packed[row], seen, distance, slim), (lat, lon)))
        return found

    def whole_view(self, candidate: Scorable, now: datetime, shown: dict) -> dict:
        """The whole view of a candidate `scorable` answered, as `candidates` answers it (`shown`: one request's)."""
        answered: _Answered = candidate.view
        view = shown.get(answered.key)
        if view is None:
            with self._lock:
                whole = self._unpack(answered.key, answered.packed)
            view = shown[answered.key] = self._as_seen(whole, answered.seen, now)
        return dict(view, distance_km=round(answered.distance_km, 1))

    @staticmethod
    def _as_seen(whole: dict, seen: dict | None, now: datetime) -> dict:
        """The whole view with every pool as of `now`: a row with holds as worked out (`seen`), another with none
        held."""
        pools = seen or pools_as_seen(whole, {}, now)
        return dict(whole, capacity=pools["capacity"], service_capacity=pools["service_capacity"])

    def _nearest(self, query: CandidateQuery, now: datetime,
                 reaches: dict[str, float]) -> tuple[list[tuple[float, str, int]], dict]:
        """(distance, id, row) of the rows answered to `query`, nearest first, and the views at `now` of those with
        holds. `reaches`: per need, the reach the last query of it in this batch looked within (the queries of one
        match for a need are asked from points close together), where this one starts."""
        kinds = np.ones(len(self._kinds), dtype=bool)
        for rule in HARD_FILTERS:
            if rule.name in PER_QUERY or not rule.applies(query):
                continue
            kinds &= self._column(rule, query)
        # The nearest first: within a reach that grows until `limit` pass within it. A row beyond the reach's
        # box is further than the reach, so none of them is nearer than the `limit`th found within it.
        reach = reaches.get(query.need, FIRST_REACH_KM)
        while True:
            within = self._rows_within(query.near, reach)
            rows, near, timed = self._passing(query, now, kinds, within)
            if (within is None or (query.max_distance_km is not None and reach >= query.max_distance_km)
                    or np.count_nonzero(near <= reach - EDGE_KM) >= query.limit):
                break
            reach *= REACH_GROWTH
        reaches[query.need] = reach
        if not len(rows):
            return [], timed
        if query.max_distance_km is not None:
            keep = near <= query.max_distance_km + EDGE_KM
            rows, near = rows[keep], near[keep]
        if len(rows) > query.limit:
            last = np.partition(near, query.limit - 1)[query.limit - 1]
            keep = near <= last + EDGE_KM
            rows = rows[keep]
        found = rows.tolist()
        exact = sorted(zip(map(distance_km, self._lat[rows].tolist(), self._lon[rows].tolist(),
                               repeat(query.near[0]), repeat(query.near[1])),
                           [self._ids[row] for row in found], found))
        if query.max_distance_km is not None:
            exact = [found for found in exact if found[0] <= query.max_distance_km]
        return exact[:query.limit], timed

    def _passing(self, query: CandidateQuery, now: datetime, kinds: np.ndarray,
                 within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, dict]:
        """The rows among `within` (None: every row) that pass every hard filter of `query` at `now`, their
        distances from the query's point, and the views at `now` of those with holds."""
        if within is None:
            size = self._size
            rows = np.flatnonzero(self._alive[:size] & kinds[self._kind[:size]])
        else:
            rows = within[kinds[self._kind[within]]]
        if not query.include_stale:
            # placement.is_left_out_as_stale over one column: left out when reported more than EXCLUDED_AFTER ago.
            rows = rows[self._updated[query.need][rows] >= (now - EXCLUDED_AFTER - EPOCH) // ONE_US]
        if query.free_only:
            rows = rows[self._free[query.need][rows] | self._held[rows]]
        timed = {}
        held = self._held[rows]
        for index in np.flatnonzero(held):
            row = rows[index]
            timed[row] = self._at(row, now)
            held[index] = query.free_only and not CAPACITY_RULE.passes(query, timed[row], now)
        rows = rows[~held]
        for area in query.avoid:
            # Clearly inside (a confidential provider's centre inside holds its cell too) or clearly beyond
            # reach is decided here; the rest, near an edge, by the rule's own in_area.
            near = _distances(area.lat, area.lon, self._lat[rows], self._lon[rows])
            confidential = self._confidential[rows]
            inside = near <= area.radius_km - EDGE_KM
            reach = np.where(confidential, area.radius_km + CELL_REACH_KM, area.radius_km) + EDGE_KM
            edge = ~inside & (near <= reach)
            avoided = inside.copy()
            for index in np.flatnonzero(edge):
                avoided[index] = in_area(area, self._location(rows[index]))
            rows = rows[~avoided]
        return rows, _distances(query.near[0], query.near[1], self._lat[rows], self._lon[rows]), timed

    def _rows_within(self, point: tuple[float, float], reach_km: float) -> np.ndarray | None:
        """The live rows whose point is in the cells of the box around `point` that holds every point within
        `reach_km` (geo.bounding_box); None when that box has as many cells as hold any row."""
        min_lat, max_lat, min_lon, max_lon = bounding_box(*point, reach_km)
        lat_cells = range(math.floor(min_lat / GRID_DEGREES), math.floor(max_lat / GRID_DEGREES) + 1)
        lon_cells = range(math.floor(min_lon / GRID_DEGREES), math.floor(max_lon / GRID_DEGREES) + 1)
        if len(lat_cells) * len(lon_cells) >= len(self._grid):
            return None
        found = [self._grid[cell] for cell in ((row, column) for row in lat_cells for column in lon_cells)
                 if cell in self._grid]
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)

    def _cell_of(self, row: int) -> tuple[int, int]:
        return math.floor(self._lat[row] / GRID_DEGREES), math.floor(self._lon[row] / GRID_DEGREES)

    def _enter_grid(self, row: int) -> None:
        cell = self._cell_of(row)
        rows = self._grid.get(cell)
        self._grid[cell] = np.array([row], dtype=np.int32) if rows is None else np.append(rows, np.int32(row))

    def _leave_grid(self, row: int) -> None:
        cell = self._cell_of(row)
        rows = self._grid[cell][self._grid[cell] != row]
        if len(rows):
            self._grid[cell] = rows
        else:
            del self._grid[cell]

    def _unpack(self, key: tuple[int, int], packed: bytes | None = None) -> dict:
        """The whole view stored as (row, stamp), never changed by its readers (each answer is a copy); `packed`: as
        it was packed then, when the row may have been written again since."""
        view = self._unpacked.get(key)
        if view is not None:
            self._unpacked.move_to_end(key)
            return view
        packed = self._packed[key[0]] if packed is None else packed
        view = self._unpacked[key] = jsonio.loads(zlib.decompressobj(PACK_WBITS, zdict=self._zdict).decompress(packed))
        if len(self._unpacked) > MAX_UNPACKED:
            self._unpacked.popitem(last=False)
        return view

    def _slim(self, view: dict) -> dict:
        """What the column rules read: the view without what only people read (names, texts, languages, contact
        but intake hours, address), its id and capacity."""
        slim = {key: value for key, value in view.items() if key not in DISPLAY_ONLY}
        slim["contact"] = {"intake_opening_hours": (view.get("contact") or {}).get("intake_opening_hours")}
        # Where it is lives in the columns (`_location` puts it together again for the rules that read it).
        slim.pop("location")
        return slim

    def _location(self, row: int) -> dict:
        return {"lat": float(self._lat[row]), "lon": float(self._lon[row]),
                "confidential": bool(self._confidential[row])}

    def _kind_number(self, slim: dict) -> int:
        """The number of this kind of provider; a kind not seen before is numbered, with each kept column's answer."""
        key = jsonio.dumps(slim)
        number = self._kind_of.get(key)
        if number is not None:
            return number
        if self._free_kinds:
            number = self._free_kinds.pop()
            self._kinds[number] = slim
            for (rule, query), column in self._columns.values():
                column[number] = rule.passes(query, slim, None)
        else:
            number = len(self._kinds)
            self._kinds.append(slim)
            self._kind_rows.append(0)
            for name, ((rule, query), column) in self._columns.items():
                self._columns[name] = ((rule, query), np.append(column, rule.passes(query, slim, None)))
        self._kind_of[key] = number
        return number

    def _unit_number(self, unit: str) -> int:
        if unit not in self._unit_names:
            self._unit_names.append(unit)
        return self._unit_names.index(unit)

    def _tongue_number(self, languages: list | None, interpreted: list | None) -> int:
        key = (tuple(languages or ()), tuple(interpreted or ()))
        number = self._tongue_of.get(key)
        if number is None:
            number = self._tongue_of[key] = len(self._tongues)
            self._tongues.append({"languages": languages, "interpretation_languages": interpreted})
        return number

    def _leave_kind(self, row: int) -> None:
        """The row is no longer of its kind: a kind no row is of any more is forgotten and its number used again."""
        kind = int(self._kind[row])
        if kind < 0:
            return
        self._kind[row] = -1
        self._kind_rows[kind] -= 1
        if not self._kind_rows[kind]:
            del self._kind_of[jsonio.dumps(self._kinds[kind])]
            self._kinds[kind] = {}
            self._free_kinds.append(kind)

    def _at(self, row: int, now: datetime) -> dict:
        """The view of a row with holds at `now` (its capacity is kept as written): holds that have ended no longer
        count, the count's age as of now."""
        pools = self._pools[row]
        view = dict(self._kinds[self._kind[row]], capacity=pools["capacity"],
                    service_capacity=pools.get("service_capacity"))
        held: dict = {}
        for expires_at, units, need in self._holds[row]:
            if not hold_has_ended(expires_at, now):
                held[need] = held.get(need, 0) + units
        # Each hold in the pool its need draws on (capacity.pool_of), as the directory counts it.
        return dict(view, **pools_as_seen(view, held, now))

    def _column(self, rule, query: CandidateQuery) -> np.ndarray:
        """Whether each kind of provider passes `rule` for `query`: worked out once per kind and what the rule
        reads of the query (`now` plays no part), and kept (least recently used dropped)."""
        key = (query.need, rule.name, rule.reads(query))
        found = self._columns.get(key)
        if found is not None:
            self._columns.move_to_end(key)
            return found[1]
        # A kind no provider is of any more is an empty dict until its number is used again: it passes nothing.
        column = np.fromiter((bool(kind) and rule.passes(query, kind, None) for kind in self._kinds), dtype=bool,
                             count=len(self._kinds))
        self._columns[key] = ((rule, query), column)
        if len(self._columns) > MAX_COLUMNS:
            self._columns.popitem(last=False)
        return column


class ReadModelCandidates(CandidateSource):
    """Candidates from the read model, as the directory would answer a caseworker at the matcher's `now`.

    Every answer passed the query's hard filters here, by the shared rules (tests/reliability/test_read_model.py
    shows they are the directory's answers exactly): the matcher does not check them again."""

    filtered_here = True

    def __init__(self, model: ReadModel, now: datetime):
        self.model = model
        self.now = now
        self._shown: dict = {}  # the views this request has unpacked (one request, one time)

    def fetch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        return self.model.candidates(queries, self.now, self._shown)

    def fetch_scorable(self, queries: Sequence[CandidateQuery], now: datetime) -> list[list[Scorable]]:
        return self.model.scorable(queries, now)

    def view(self, candidate: Scorable) -> dict:
        return self.model.whole_view(candidate, self.now, self._shown)

    def kinds(self, candidates: Sequence[Scorable]) -> tuple[list[int], list[dict], frozenset[str]]:
        # What the column rules read of a candidate is its kind as it was when answered (kept with the answer).
        index_of: dict[int, int] = {}
        kinds: list[dict] = []
        index = []
        for candidate in candidates:
            slim = candidate.view.kind
            at = index_of.get(id(slim))
            if at is None:
                at = index_of[id(slim)] = len(kinds)
                kinds.append(slim)
            index.append(at)
        return index, kinds, KIND_RULES

    def as_of(self) -> dict:
        # Not the change number: it would tell any caseworker how much is written, and when.
        return {"at": self.model.as_of, "source": "read_model"}


def _settle_memory() -> None:
    """Once the snapshot is read: return to the system what reading its pages left free in the C heap (glibc keeps
    it otherwise), and keep the model's objects, which live as long as the process, out of the garbage collector's
    rounds. A match makes many short-lived objects; collecting less often lets most go by their count alone."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: its allocator decides
        pass
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


class FeedFollower:
    """Keeps one read model up to date: reads the snapshot, then every `interval` seconds what changed.

    One per worker process, in a daemon thread started in that process. `fresh()` says whether the model
    may answer: the snapshot read to its end and a page read within `max_lag` seconds; otherwise the
    matcher asks the directory itself, so a lagging or broken feed slows matching down but never answers
    from an old view.
    """

    _started: "weakref.WeakSet[FeedFollower]" = weakref.WeakSet()  # every follower started in this process

    def __init__(self, client: ServiceClient, *, interval: float = 0.2, max_lag: float = 5.0, page: int = 1000,
                 model: ReadModel | None = None):
        self.client = client
        self.interval = interval
        self.max_lag = max_lag
        self.page = page
        self.model = model or ReadModel()
        self.started_at: float | None = None
        self.loaded_after: float | None = None  # seconds from start to the snapshot's end
        self._last_read = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def start(self) -> "FeedFollower":
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return self
        self._pid = os.getpid()
        self.started_at = time.monotonic()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="read-model", daemon=True)
        self._thread.start()
        FeedFollower._started.add(self)
        return self

    @classmethod
    def stop_all(cls) -> None:
        """Stop every follower of this process (before its logging goes away at exit)."""
        followers = list(cls._started)
        for follower in followers:
            follower._stop.set()
        for follower in followers:
            follower.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def fresh(self) -> bool:
        return self.model.loaded and time.monotonic() - self._last_read <= self.max_lag

    def pull(self) -> int:
        """Read every page after the model's sequence; returns how many pages were read."""
        pages = 0
        while True:
            response = self.client.request("GET", "/changes", Claims(*FEED_CLAIMS),
                                           params={"since": self.model.sequence, "limit": self.page})
            if response.status_code != 200:
                raise FeedError(response.status_code)
            page = jsonio.loads(response.content)
            if self.model.generation is not None and page.get("generation") != self.model.generation:
                # Numbered anew (an index rebuilt): read everything again into a new model; until it has,
                # matches ask the directory.
                log.info("the directory's change numbering changed; loading the read model again")
                self.model = ReadModel()
                self.started_at = time.monotonic()
                continue
            self.model.apply(page)
            pages += 1
            if not page["more"]:
                self._last_read = time.monotonic()
                if not self.model.loaded:
                    self.model.loaded = True
                    _settle_memory()
                    self.loaded_after = time.monotonic() - (self.started_at or time.monotonic())
                    log.info("read model loaded", extra={"sequence": self.model.sequence,
                                                         "duration_ms": round(self.loaded_after * 1000, 1)})
                return pages

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.pull()
                failures = 0
                wait = self.interval
            except FeedError as err:
                if err.status == 501:
                    log.info("the directory keeps no change feed; candidates come from the directory")
                    return
                failures += 1
                log.warning("change feed refused", extra={"status": err.status})
                wait = min(self.interval * 2 ** failures, 5.0)
            except Exception as err:  # the thread must outlive any failure; the directory path answers meanwhile
                failures += 1
                log.warning("change feed unreachable", extra={"error": type(err).__name__})
                wait = min(self.interval * 2 ** failures, 5.0)
            self._stop.wait(wait)


class FeedError(Exception):
    def __init__(self, status: int):
        super().__init__(f"GET /changes answered {status}")
        self.status = status
