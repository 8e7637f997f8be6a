"""Where candidates come from: a small port, and its adapter that asks the directory over signed HTTP."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

from ..shared import jsonio
from ..shared.errors import ApiError, forbidden
from ..shared.http import ServiceClient, ServiceUnavailable
from ..shared.signing import Claims
from ..shared.vocabulary import MAX_CANDIDATE_QUERIES
from ..shared.placement import CandidateQuery

log = logging.getLogger(__name__)


class CandidateSource(ABC):
    """Providers passing a query's hard filters, nearest first, as the caller may see them."""

    # True when every answer is known to pass the query's hard filters by the shared rules
    # (services.shared.placement) in this very process; the matcher then checks only its own rules.
    # False for answers that come from elsewhere (over HTTP): each is checked again, as a defence in depth.
    filtered_here = False

    @abstractmethod
    def fetch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        """One list of provider views (each with distance_km) per query, in the order asked."""


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
