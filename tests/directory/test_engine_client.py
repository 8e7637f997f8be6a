"""A failed search inside a multi-search fails the call as the same search alone would."""
from __future__ import annotations

import pytest

from services.directory.store import StoreUnavailable
from services.shared.engine.client import _msearch_failure


@pytest.mark.parametrize("response", [
    {"status": 404, "error": {"type": "index_not_found_exception", "reason": "no such index [haven-providers]"}},
    {"status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "rejected"}},
    {"status": 503, "error": {"type": "search_phase_execution_exception", "reason": "all shards failed"}},
])
def test_a_missing_index_or_an_overloaded_engine_makes_the_store_unavailable(response):
    assert isinstance(_msearch_failure(response), StoreUnavailable)


def test_a_search_the_engine_refuses_as_malformed_is_a_programming_error_that_propagates():
    failure = _msearch_failure({"status": 400, "error": {"type": "parsing_exception", "reason": "unknown query"}})
    assert not isinstance(failure, StoreUnavailable)
    assert "400" in str(failure) and "parsing_exception" in str(failure)
