"""Where candidates come from: a small port, and its adapter that asks the directory over signed HTTP."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Hashable, NamedTuple, Sequence

from ..shared import jsonio
from ..shared.errors import ApiError, forbidden
from ..shared.http import ServiceClient, ServiceUnavailable
from ..shared.signing import Claims
from ..shared.vocabulary import MAX_CANDIDATE_QUERIES
from ..shared.capacity import pool_of
from ..shared.placement import CandidateQuery
from .domain.geo import Point, between
from .domain.person import provider_point
from .domain.scoring import count_age_hours

log = logging.getLogger(__name__)


class Scorable(NamedTuple):
    """A candidate as ranking reads it; its whole view only if it is shown (`CandidateSource.view`)."""

    provider_id: str
    distance_km: float  # from the query's point, unrounded
    rules: dict  # what the matcher's own rules and the score's factors read: languages, eligibility, delivery
    token: Hashable  # the same for the same answer within one request: what scoring works out is kept by it
    age_hours: float  # how old the count of the pool the query's need draws on is, at the request's time
    free: int  # free units of that pool
    unit: str
    view: Any  # the whole view, or what the source makes it from
    point: tuple[float, float]  # its public point (provider_point), where distances to it are measured from


def scorable(views: list[dict], query: CandidateQuery, now: datetime) -> list[Scorable]:
    """Candidates answered as whole views, as ranking reads them."""
    origin = Point(*query.near)
    found = []
    for view in views:
        pool = pool_of(view, query.need)
        point = provider_point(view)
        found.append(Scorable(view["id"], between(origin, point), view, id(view),
                              count_age_hours(pool["updated"], now),
                              int(pool.get("free", 0)), pool.get("unit", "bed"), view, (point.lat, point.lon)))
    return found


class CandidateSource(ABC):
    """Providers passing a query's hard filters, nearest first, as the caller may see them."""

    # True when every answer is known to pass the query's hard filters by the shared rules
    # (services.shared.placement) in this very process; the matcher then checks only its own rules.
    # False for answers that come from elsewhere (over HTTP): each is checked again, as a defence in depth.
    filtered_here = False

    @abstractmethod
    def fetch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        """One list of provider views (each with distance_km) per query, in the order asked."""

    def fetch_scorable(self, queries: Sequence[CandidateQuery], now: datetime) -> list[list[Scorable]]:
        """The same answers as `fetch`, as ranking reads them (`now`: the request's time)."""
        return [scorable(views, query, now) for query, views in zip(queries, self.fetch(queries))]

    def view(self, candidate: Scorable) -> dict:
        """The candidate's whole view, with distance_km, as `fetch` answers it."""
        return candidate.view

    def kinds(self, candidates: Sequence[Scorable]) -> tuple[list[int], list[dict], frozenset[str]] | None:
        """The candidates sorted into kinds for the hard filters that read only what a kind holds: each candidate's
        kind (an index into the second list), one view per kind of which those filters read what they read of the
        candidate's own view, and the filters' names. None when the source knows no kinds: each candidate is then
        checked on its whole view."""
        return None


class DirectoryCandidates(CandidateSource):
    """Asks the directory for the caller: POST /candidates for one query, /candidates/batch for several.

    A batch is one request however many needs it carries (each HTTP hop costs more CPU than a
    candidate query); batches past the directory's limit are sent side by side.
    """

    def __init__(self, client: ServiceClient, claims: Claims, *, parallel: int = 8,
                 batch_size: int = MAX_CANDIDATE_QUERIES):
        self.client = client
        self.claims = claims
        self.parallel = parallel
        self.batch_size = batch_size

    def fetch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        if len(queries) <= 1:
            return [self._one(query) for query in queries]
        batches = [queries[start:start + self.batch_size] for start in range(0, len(queries), self.batch_size)]
        if len(batches) == 1:
            return self._batch(batches[0])
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(batches))) as pool:
            return [found for answer in pool.map(self._batch, batches) for found in answer]

    def _one(self, query: CandidateQuery) -> list[dict]:
        return self._ask("/candidates", query.to_wire())["candidates"]

    def _batch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        answer = self._ask("/candidates/batch", {"queries": [query.to_wire() for query in queries]})
        return [result["candidates"] for result in answer["results"]]

    def _ask(self, path: str, body: dict) -> dict:
        response = self.client.request("POST", path, self.claims, json_body=body)
        if response.status_code == 200:
            return jsonio.loads(response.content)
        if response.status_code == 403:
            raise forbidden()
        if response.status_code == 503:
            raise ServiceUnavailable(self.client.service)
        # The status only: the directory's message may echo what was asked.
        log.warning("candidate query refused", extra={"target_service": self.client.service,
                                                      "status": response.status_code})
        raise ApiError(502, "bad_gateway", f"the {self.client.service} service could not answer a candidate query")
