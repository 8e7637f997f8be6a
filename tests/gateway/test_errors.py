"""One JSON error shape for everything that can go wrong, and no hang or 500 when a service is down."""
from __future__ import annotations

import socket
import uuid

import pytest

from services.gateway import create_app
from tests.gateway.conftest import ApiClient
from tests.gateway.servers import closed_port_url
from tests.support.factories import provider

pytestmark = pytest.mark.integration


def _assert_error(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/json"
    error = answer.json["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["request_id"] == answer.headers["X-Request-ID"]
    assert "Traceback" not in answer.get_data(as_text=True)
    return error


@pytest.fixture
def down_gateway(stack):
    """A gateway whose directory and matcher addresses have nothing listening."""
    app = create_app({"SETTINGS": stack.settings(directory_url=closed_port_url(), matcher_url=closed_port_url()),
                      "AUTH_STORE": stack.auth_store, "WEB": False})
    yield app
    app.extensions["haven_gateway"].close_clients()


def test_a_body_over_one_mebibyte_gets_413_json_before_anything_else(stack, make_gateway):
    big = {"name": "x" * (1024 * 1024 + 10)}
    error = _assert_error(ApiClient(make_gateway(), stack.issue("admin")).post("/providers", json=big),
                          413, "body_too_large")
    assert "1024 KiB" in error["message"]
    _assert_error(ApiClient(make_gateway()).post("/providers", json=big), 413, "body_too_large")


def test_an_unknown_route_gets_404_json(make_gateway):
    _assert_error(ApiClient(make_gateway()).get("/nothing-here"), 404, "not_found")
    _assert_error(make_gateway().test_client().get("/no/such/page"), 404, "not_found")


def test_an_id_that_is_not_a_uuid_gets_404_json(stack, make_gateway):
    _assert_error(ApiClient(make_gateway(), stack.issue("caseworker")).get("/providers/not-a-uuid"),
                  404, "not_found")


def test_a_wrong_method_gets_405_json_with_the_allowed_ones(stack, make_gateway):
    answer = ApiClient(make_gateway(), stack.issue("admin")).delete("/audit")
    _assert_error(answer, 405, "method_not_allowed")
    assert "GET" in answer.headers["Allow"]


def test_a_body_that_is_not_json_gets_400_naming_the_body(stack, make_gateway):
    client = ApiClient(make_gateway(), stack.issue("caseworker"))
    answer = client.open("POST", "/referrals", data="{not json", headers={"Content-Type": "application/json"})
    assert _assert_error(answer, 400, "validation_error")["fields"] == {"body": ["not valid JSON"]}


GATEWAY_JSON_ROUTES = [("admin", "POST", "/providers"), ("admin", "PUT", f"/providers/{uuid.UUID(int=1)}"),
                       ("admin", "PATCH", f"/providers/{uuid.UUID(int=1)}"),
                       ("admin", "PUT", f"/providers/{uuid.UUID(int=1)}/capacity"),
                       ("caseworker", "POST", "/referrals"), ("caseworker", "POST", "/matches"),
                       ("caseworker", "POST", "/matches/group")]


@pytest.mark.parametrize("role, method, path", GATEWAY_JSON_ROUTES)
def test_a_body_nested_a_thousand_levels_deep_gets_400_naming_the_body(stack, make_gateway, role, method, path):
    client = ApiClient(make_gateway(), stack.issue(role))
    for deep in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000):
        answer = client.open(method, path, data=deep, headers={"Content-Type": "application/json"})
        assert _assert_error(answer, 400, "validation_error")["fields"] == {"body": ["nested more than 64 levels deep"]}


@pytest.mark.parametrize("role, method, path", GATEWAY_JSON_ROUTES)
def test_a_key_given_twice_gets_400_naming_the_key(stack, make_gateway, role, method, path):
    client = ApiClient(make_gateway(), stack.issue(role))
    answer = client.open(method, path, data='{"available": 1, "available": 2}',
                         headers={"Content-Type": "application/json"})
    assert _assert_error(answer, 400, "validation_error")["fields"] == {
        "available": ["given more than once in the same object"]}


@pytest.mark.parametrize("reference", ["NAME born 1990-01-01", "111222333", "piet@example.nl", "+31 6 12345678"])
def test_a_case_reference_that_looks_like_personal_data_is_refused_by_the_gateway(stack, make_gateway, reference):
    client = ApiClient(make_gateway(), stack.issue("caseworker"))
    answer = client.post("/referrals", json={"provider_id": str(uuid.UUID(int=1)), "need": "shelter",
                                             "case_reference": reference})
    assert list(_assert_error(answer, 400, "validation_error")["fields"]) == ["case_reference"]


def test_a_field_error_of_the_directory_passes_through_naming_the_field(stack, make_gateway):
    record = provider()
    del record["name"]
    error = _assert_error(ApiClient(make_gateway(), stack.issue("admin")).post("/providers", json=record),
                          400, "validation_error")
    assert "name" in error["fields"]


def test_a_conflict_of_the_directory_passes_through_as_409(stack, make_gateway):
    app = make_gateway()
    full = ApiClient(app, stack.issue("admin")).post("/providers", json=provider(
        capacity={"available": 0, "maximum": 4, "unit": "bed"})).json
    answer = ApiClient(app, stack.issue("caseworker")).post("/referrals", json={
        "provider_id": full["id"], "need": "shelter", "case_reference": "C-409"})
    _assert_error(answer, 409, "no_capacity")


def test_a_directory_that_is_down_gets_503_naming_it(stack, down_gateway):
    answer = ApiClient(down_gateway, stack.issue("caseworker")).get("/providers")
    error = _assert_error(answer, 503, "service_unavailable")
    assert "directory" in error["message"]
    assert answer.headers["Retry-After"]


def test_a_directory_that_is_down_stops_admin_requests_since_they_cannot_be_audited(stack, down_gateway):
    answer = ApiClient(down_gateway, stack.issue("admin")).patch(f"/providers/{uuid.uuid4()}", json={"name": "x"})
    assert "directory" in _assert_error(answer, 503, "service_unavailable")["message"]


def test_a_directory_that_accepts_but_never_answers_gets_503_after_the_timeout_not_a_hang(stack):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the kernel; nothing ever reads or answers them
    try:
        app = create_app({"SETTINGS": stack.settings(directory_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
                                                     service_timeout=0.2),
                          "AUTH_STORE": stack.auth_store, "WEB": False})
        answer = ApiClient(app, stack.issue("caseworker")).get("/providers")
        assert "directory" in _assert_error(answer, 503, "service_unavailable")["message"]
        app.extensions["haven_gateway"].close_clients()
    finally:
        silent.close()


def test_a_matcher_that_is_down_gets_503_naming_it(stack, down_gateway):
    answer = ApiClient(down_gateway, stack.issue("caseworker")).post("/matches", json={
        "needs": ["shelter"], "languages": ["nl"], "location": {"lat": 52.09, "lon": 5.12}})
    assert "matcher" in _assert_error(answer, 503, "service_unavailable")["message"]


def test_health_answers_alone_and_readiness_names_what_is_down(down_gateway, make_gateway):
    assert down_gateway.test_client().get("/healthz").json == {"status": "ok", "service": "gateway"}
    down = down_gateway.test_client().get("/readyz")
    assert down.status_code == 503
    assert down.json["directory"] == "down" and down.json["matcher"] == "down"
    up = make_gateway().test_client().get("/readyz")
    assert up.status_code == 200
    assert up.json == {"ready": True, "service": "gateway", "directory": "up", "matcher": "up", "auth_store": "up"}


def test_a_request_id_from_the_client_comes_back_and_reaches_the_directory(stack, make_gateway):
    app = make_gateway()
    admin = ApiClient(app, stack.issue("admin"))
    created = admin.post("/providers", json=provider(), headers={"X-Request-ID": "case-desk-42"})
    assert created.headers["X-Request-ID"] == "case-desk-42"
    entries = admin.get(f"/audit?action=provider.create&target={created.json['id']}").json["contents"]
    assert [entry["request_id"] for entry in entries] == ["case-desk-42"]


def test_a_request_id_is_made_when_the_client_sends_none_or_a_malformed_one(make_gateway):
    client = ApiClient(make_gateway())
    made = client.get("/openapi.json").headers["X-Request-ID"]
    assert len(made) == 32
    replaced = client.get("/openapi.json", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert replaced != "bad id with spaces"


def test_api_answers_are_not_cached(stack, make_gateway):
    answer = ApiClient(make_gateway(), stack.issue("caseworker")).get("/providers")
    assert answer.headers["Cache-Control"] == "no-store"
