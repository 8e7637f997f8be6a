"""Counting a match's outcome for the figures: per need asked, whether anyone was found, in the match's province.

What leaves the matcher is only (need, province, asked, unmet) or, for a group, (need, province, 1 group,
people, unplaced); never the point, the time, the person's attributes or the candidates. The directory adds
it to the week's counters. Counting never fails or slows a match: a match's rows wait in this process's
`Tally` and go to the directory together with the others of the last second, one request per caller, from a
thread of their own; when the directory cannot take them the loss is logged.
"""
from __future__ import annotations

import logging
import math
import os
import threading
import time
from functools import lru_cache

from ..shared.http import ServiceClient
from ..shared.places import all_places
from ..shared.signing import Claims
from ..shared.vocabulary import MAX_FIGURE_ROWS
from .domain.geo import Point

log = logging.getLogger(__name__)
NO_REGION = "—"
# A point farther than this from every place of the gazetteer is not in a Dutch province.
MAX_KM_TO_A_PLACE = 25.0
_CELL_DEGREES = 0.5  # a cell and its neighbours reach at least 30 km from any point


@lru_cache(maxsize=1)
def _places_by_cell() -> dict[tuple[int, int], list]:
    cells: dict[tuple[int, int], list] = {}
    for place in all_places():
        cells.setdefault(_cell(place.lat, place.lon), []).append(place)
    return cells


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _CELL_DEGREES), math.floor(lon / _CELL_DEGREES)


def province_at(point: Point) -> str:
    """The province of the nearest gazetteer place, or "—" when no place is near (outside the Netherlands)."""
    row, column = _cell(point.lat, point.lon)
    cells = _places_by_cell()
    nearby = [place for dr in (-1, 0, 1) for dc in (-1, 0, 1) for place in cells.get((row + dr, column + dc), ())]
    if not nearby:
        return NO_REGION
    km_per_lon = 111.32 * math.cos(math.radians(point.lat))

    def km(place) -> float:
        return math.hypot((place.lat - point.lat) * 110.57, (place.lon - point.lon) * km_per_lon)

    nearest = min(nearby, key=km)
    return nearest.province if km(nearest) <= MAX_KM_TO_A_PLACE else NO_REGION


def match_counts(point: Point, needs: list[str], answer: dict) -> list[dict]:
    """One row per need the caseworker asked for (not a need the matcher added): asked once, unmet or not."""
    region = province_at(point)
    unmet = {item["need"] for item in answer["unmet"]}
    return [{"need": need, "region": region, "matches": 1, "unmet": int(need in unmet)}
            for need in dict.fromkeys(needs)]


def group_counts(point: Point, need: str, people: int, answer: dict) -> list[dict]:
    """One group match: its need, the province of its first person, how many people and how many were not placed."""
    return [{"need": need, "region": province_at(point), "groups": 1, "group_people": people,
             "group_unplaced": len(answer["unassigned"])}]


class Tally:
    """Rows of answered matches waiting to be counted, sent every `every_s` seconds by a thread of this process.

    A request to the directory per match made each match's worker thread wait for the directory's write before
    it read the next request on its connection; now a match only adds its rows here, and the directory gets one
    request per caller per interval, whose rows it adds up per need and province before writing. Rows stay
    grouped by caller: each request is signed as the caseworker or admin whose matches it counts. A worker
    stopped gracefully sends what is waiting (the app's ON_STOP, run by gunicorn's `worker_exit` hook); one
    killed loses at most the last interval's rows.
    """

    def __init__(self, client: ServiceClient, every_s: float):
        self._client = client
        self._every_s = every_s
        self._lock = threading.Lock()
        self._waiting: dict[tuple, tuple[Claims, list[dict]]] = {}
        self._owner: int | None = None  # the process whose thread sends (a fork starts its own)

    def add(self, claims: Claims, rows: list[dict]) -> None:
        with self._lock:
            key = (claims.role, claims.subject, tuple(claims.provider_ids))
            self._waiting.setdefault(key, (claims, []))[1].extend(rows)
            if self._owner != os.getpid():
                self._owner = os.getpid()
                threading.Thread(target=self._send_every_interval, name="haven-figures", daemon=True).start()

    def send(self) -> int:
        """Send every waiting row now; how many requests the directory took."""
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        taken = 0
        for claims, rows in waiting.values():
            for start in range(0, len(rows), MAX_FIGURE_ROWS):
                taken += send_counts(self._client, claims.fresh(), rows[start:start + MAX_FIGURE_ROWS])
        return taken

    def _send_every_interval(self) -> None:
        while True:
            time.sleep(self._every_s)
            self.send()


def send_counts(client: ServiceClient, claims: Claims, counts: list[dict]) -> bool:
    """POST the counts to the directory as the caller; False (logged) when they could not be added."""
    try:
        response = client.request("POST", "/figures/matches", claims, json_body={"counts": counts})
    except Exception:  # noqa: BLE001 - runs after the answer went out: a failure is logged, never raised
        response = None
    if response is not None and response.status_code == 200:
        return True
    log.warning("match outcome not counted", extra={"target_service": client.service,
                                                    "status": getattr(response, "status_code", 503)})
    return False
