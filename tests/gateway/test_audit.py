"""Admin use of the API is audited (route, never body); the audit log is for admins, filterable and paged."""
from __future__ import annotations

import pytest

from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

pytestmark = pytest.mark.integration


def _token_id(stack, plaintext: str) -> str:
    from services.gateway.auth import hash_token

    return stack.auth_store.find_by_hash(hash_token(plaintext)).id


def test_every_admin_request_is_recorded_with_its_route_template_and_never_its_body(stack, make_gateway):
    app = make_gateway()
    token = stack.issue("admin")
    admin = ApiClient(app, token)
    created = admin.post("/providers", json=provider(name="Huis Geheimzinnig",
                                                     description="BODY-TEXT-NEVER-AUDITED")).json
    admin.patch(f"/providers/{created['id']}", json={"description": "BODY-TEXT-NEVER-AUDITED again"})

    actor = f"token:{_token_id(stack, token)}"
    entries = admin.get(f"/audit?actor={actor}&action=admin.request&size=100").json["contents"]
    routes = {(entry["detail"], entry["target"]) for entry in entries}
    assert ("POST", "/api/v1/providers") in routes
    assert ("PATCH", "/api/v1/providers/<uuid:provider_id>") in routes
    assert all(entry["role"] == "admin" and entry["actor"] == actor for entry in entries)
    everything = admin.get(f"/audit?actor={actor}&size=100").get_data(as_text=True)
    assert "BODY-TEXT-NEVER-AUDITED" not in everything
    assert created["id"] not in {entry["target"] for entry in entries}


def test_an_admin_token_refused_an_operation_is_recorded_as_refused(stack, make_gateway):
    token = stack.issue("admin")
    admin = ApiClient(make_gateway(), token)
    assert admin.post("/matches", json={}).status_code == 403
    entries = admin.get(f"/audit?actor=token:{_token_id(stack, token)}&action=admin.request").json["contents"]
    assert ("POST refused", "/api/v1/matches") in {(entry["detail"], entry["target"]) for entry in entries}


def test_requests_of_other_roles_are_not_recorded_as_admin_requests(stack, make_gateway):
    app = make_gateway()
    caseworker = stack.issue("caseworker")
    ApiClient(app, caseworker).get("/providers")
    actor = f"token:{_token_id(stack, caseworker)}"
    assert ApiClient(app, stack.issue("admin")).get(f"/audit?actor={actor}").json["total_items"] == 0


def test_the_audit_log_filters_by_action_target_and_time_and_pages(stack, make_gateway):
    app = make_gateway()
    admin = ApiClient(app, stack.issue("admin"))
    ids = [admin.post("/providers", json=provider(name=f"Huis {n}")).json["id"] for n in range(3)]
    created = admin.get("/audit?action=provider.create&size=2").json
    assert created["size"] == 2 and len(created["contents"]) == 2 and created["total_items"] >= 3
    assert {entry["action"] for entry in created["contents"]} == {"provider.create"}
    one = admin.get(f"/audit?target={ids[1]}").json["contents"]
    assert [entry["action"] for entry in one] == ["provider.create"]
    at = one[0]["at"]
    assert admin.get("/audit", query_string={"target": ids[1], "since": at}).json["total_items"] == 1
    assert admin.get("/audit", query_string={"target": ids[1], "until": "2000-01-01T00:00:00+00:00"}
                     ).json["total_items"] == 0


def test_a_bad_audit_filter_gets_400_naming_it(stack, make_gateway):
    answer = ApiClient(make_gateway(), stack.issue("admin")).get("/audit?since=yesterday")
    assert answer.status_code == 400
    assert "since" in answer.json["error"]["fields"]
