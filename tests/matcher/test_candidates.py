"""Asking the directory for candidates over real HTTP: one query alone, several in one batch or more."""
from __future__ import annotations

import pytest

from services.matcher.candidates import DirectoryCandidates
from services.shared.placement import CandidateQuery
from services.shared.http import ServiceClient
from services.shared.signing import Claims
from tests.conftest import SECRET
from tests.support.factories import provider

NEEDS = ("shelter", "medical", "legal")


@pytest.fixture
def client(directory_server):
    client = ServiceClient("directory", directory_server.url, SECRET)
    yield client
    client.session.close()


@pytest.fixture
def offered(add_providers):
    """One provider for each need, each at its own distance from the point asked about."""
    records = [provider(name=need, services=[need], location={"lat": 52.09 + 0.01 * index, "lon": 5.12})
               for index, need in enumerate(NEEDS)]
    return {need: created["id"] for need, created in add_providers(*records).items()}


@pytest.mark.parametrize("batch_size", [20, 2, 1])
def test_any_number_of_queries_gets_one_list_each_in_the_order_asked(client, offered, batch_size):
    source = DirectoryCandidates(client, Claims(role="caseworker", subject="test:caseworker"), batch_size=batch_size)
    needs = [NEEDS[index % 3] for index in range(7)] + ["interpreter"]
    queries = [CandidateQuery(need=need, near=(52.09, 5.12)) for need in needs]
    found = source.fetch(queries)
    assert [[candidate["id"] for candidate in lists] for lists in found] == \
        [[offered[need]] if need in offered else [] for need in needs]
    assert [[candidate["id"] for candidate in lists] for lists in source.fetch(queries[:1])] == [[offered["shelter"]]]
    assert source.fetch([]) == []
