"""GET /api/v1/stale over real HTTP to a real directory: a provider whose care pool is old is listed, its old
pools named, and the fields older clients read keep their meaning."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.directory.domain.rules import iso
from services.directory.store import AuditEntry
from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

pytestmark = pytest.mark.integration


def test_an_old_care_pool_lists_its_provider_with_the_pool_named(stack, make_gateway):
    now = datetime.now(timezone.utc)
    record = provider(name="Oude Zorgtelling", services=["shelter", "medical"],
                      capacity={"available": 3, "maximum": 5, "unit": "bed", "updated": iso(now)},
                      service_capacity={"medical": {"available": 1, "maximum": 2, "unit": "appointment",
                                                    "updated": iso(now - timedelta(hours=50))}})
    stack.store.put_provider(record, AuditEntry(at=iso(now), actor="test", role="admin", action="provider.create",
                                                target=record["id"], request_id=None))
    admin = ApiClient(make_gateway(), stack.issue("admin"))

    answer = admin.get("/stale")

    assert answer.status_code == 200, answer.json
    listed = next(item for item in answer.json["contents"] if item["id"] == record["id"])
    assert (listed["available"], listed["maximum"], listed["unit"], listed["updated"]) == (3, 5, "bed", iso(now))
    assert 50.0 <= listed["age_hours"] < 51
    assert [(pool["need"], pool["available"], pool["maximum"], pool["unit"]) for pool in listed["pools"]] == [
        ("medical", 1, 2, "appointment")]
