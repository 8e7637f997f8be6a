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
from .domain.person import CandidateQuery

log = logging.getLogger(__name__)


class CandidateSource(ABC):
    """Providers passing a query's hard filters, nearest first, as the caller may see them."""

    @abstractmethod
    def fetch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        """One list of provider views (each with distance_km) per query, in the order asked."""


class DirectoryCandidates(CandidateSource):
    """Asks the directory's POST /candidates for the caller, several queries at once."""

    def __init__(self, client: ServiceClient, claims: Claims, *, parallel: int = 8):
        self.client = client
        self.claims = claims
        self.parallel = parallel

    def fetch(self, queries: Sequence[CandidateQuery]) -> list[list[dict]]:
        if len(queries) <= 1:
            return [self._one(query) for query in queries]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(queries))) as pool:
            return list(pool.map(self._one, queries))

    def _one(self, query: CandidateQuery) -> list[dict]:
        response = self.client.request("POST", "/candidates", self.claims, json_body=query.to_wire())
        if response.status_code == 200:
            return jsonio.loads(response.content)["candidates"]
        if response.status_code == 403:
            raise forbidden()
        if response.status_code == 503:
            raise ServiceUnavailable(self.client.service)
        # The status only: the directory's message may echo what was asked.
        log.warning("candidate query refused", extra={"target_service": self.client.service,
                                                      "status": response.status_code})
        raise ApiError(502, "bad_gateway", f"the {self.client.service} service could not answer a candidate query")
