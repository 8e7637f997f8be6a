"""The gateway passes a provider's ETag out and the caller's If-Match in, over real HTTP to the directory."""
from __future__ import annotations

import pytest

from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

pytestmark = pytest.mark.integration


def test_an_admin_edit_with_a_stale_etag_is_412_and_with_the_current_one_goes_through(stack, make_gateway):
    gateway = make_gateway()
    admin = ApiClient(gateway, stack.issue("admin"))
    created = admin.post("/providers", json=provider(capacity={"available": 2, "maximum": 5}))
    provider_id = created.json["id"]
    read = admin.get(f"/providers/{provider_id}").headers["ETag"]
    assert read == created.headers["ETag"]

    owner = ApiClient(gateway, stack.issue("provider", [provider_id]))
    reported = owner.put(f"/providers/{provider_id}/capacity", json={"available": 1})
    assert reported.headers["ETag"] != read

    stale = admin.patch(f"/providers/{provider_id}", json={"description": "later"}, headers={"If-Match": read})
    assert stale.status_code == 412
    assert stale.json["error"]["code"] == "precondition_failed"
    assert list(stale.json["error"]["fields"]) == ["If-Match"]

    fresh = admin.put(f"/providers/{provider_id}", json=dict(provider(id=provider_id), description="later"),
                      headers={"If-Match": reported.headers["ETag"]})
    assert fresh.status_code == 200
    assert fresh.json["capacity"]["available"] == 1  # the report stands; an edit never writes the count
    assert admin.get(f"/providers/{provider_id}").headers["ETag"] == fresh.headers["ETag"]


def test_a_caseworker_reading_a_provider_gets_its_etag_too(stack, make_gateway):
    gateway = make_gateway()
    created = ApiClient(gateway, stack.issue("admin")).post("/providers", json=provider())
    answer = ApiClient(gateway, stack.issue("caseworker")).get(f"/providers/{created.json['id']}")
    assert answer.status_code == 200
    assert answer.headers["ETag"] == created.headers["ETag"]
