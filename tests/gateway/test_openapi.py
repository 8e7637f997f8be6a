"""GET /api/v1/openapi.json documents the whole public API, and /api/v1/docs lets a person try it."""
from __future__ import annotations

import re

import pytest

from services.gateway import create_app
from services.gateway.settings import GatewaySettings

OPERATIONS = {
    ("get", "/api/v1/providers"), ("post", "/api/v1/providers"),
    ("get", "/api/v1/providers/{provider_id}"), ("put", "/api/v1/providers/{provider_id}"),
    ("patch", "/api/v1/providers/{provider_id}"), ("delete", "/api/v1/providers/{provider_id}"),
    ("put", "/api/v1/providers/{provider_id}/capacity"),
    ("post", "/api/v1/matches"), ("post", "/api/v1/matches/group"),
    ("post", "/api/v1/referrals"), ("get", "/api/v1/referrals"), ("get", "/api/v1/referrals/{referral_id}"),
    ("post", "/api/v1/referrals/{referral_id}/accept"), ("post", "/api/v1/referrals/{referral_id}/decline"),
    ("post", "/api/v1/referrals/{referral_id}/cancel"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/stale"),
    ("get", "/api/v1/stats"),
    ("get", "/api/v1/hsds/"), ("get", "/api/v1/hsds/services"), ("get", "/api/v1/hsds/services/{service_id}"),
    ("get", "/api/v1/webhooks"), ("post", "/api/v1/webhooks"), ("delete", "/api/v1/webhooks/{webhook_id}"),
    ("get", "/api/v1/waitlist"), ("post", "/api/v1/waitlist"), ("delete", "/api/v1/waitlist/{entry_id}"),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    settings = GatewaySettings(directory_url="http://127.0.0.1:9", matcher_url="http://127.0.0.1:9",
                               internal_secret=b"s", secret_key=b"k", auth_db_path=folder / "auth.db")
    built = create_app({"SETTINGS": settings, "WEB": False})
    yield built
    built.extensions["haven_gateway"].close_clients()


@pytest.fixture(scope="module")
def spec(app):
    answer = app.test_client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.json


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def test_every_public_operation_is_documented_and_nothing_else(spec):
    assert {(method, path) for method, path, _ in _operations(spec)} == OPERATIONS


def test_every_operation_needs_the_bearer_token_and_says_what_happens_without_one(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "an API token: hvn_..."}
    for method, path, operation in _operations(spec):
        assert operation["security"] == [{"bearerAuth": []}], (method, path)
        for status in ("401", "403", "429", "503"):
            assert status in operation["responses"], (method, path, status)
        assert operation["summary"], (method, path)


def test_error_answers_share_one_documented_shape(spec):
    responses = spec["components"]["responses"]
    for name in ("BadRequest", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "BodyTooLarge",
                 "RateLimited", "ServiceUnavailable"):
        assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in responses["RateLimited"]["headers"]
    error = spec["components"]["schemas"]["ErrorBody"]["properties"]
    assert {"status", "code", "message", "request_id", "fields"} <= set(error)


def test_writes_document_their_body_bad_input_and_size_limit(spec):
    for method, path, operation in _operations(spec):
        if method in ("post", "put", "patch") and not path.endswith(("/accept", "/decline", "/cancel")):
            assert operation["requestBody"]["content"]["application/json"]["schema"], (method, path)
            assert {"400", "413"} <= set(operation["responses"]), (method, path)


def test_reused_wire_schemas_describe_queries_bodies_and_answers(spec):
    paths = spec["paths"]
    search = {p["name"] for p in paths["/api/v1/providers"]["get"]["parameters"]}
    assert {"q", "type", "need", "language", "gender", "age", "near", "radius_km", "available", "page",
            "size"} <= search
    assert paths["/api/v1/referrals"]["post"]["responses"]["409"] == {"$ref": "#/components/responses/Conflict"}
    assert paths["/api/v1/referrals"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralIn"}
    match = paths["/api/v1/matches"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert match == {"$ref": "#/components/schemas/MatchRequest"}
    audit = {p["name"] for p in paths["/api/v1/audit"]["get"]["parameters"]}
    assert {"actor", "action", "target", "since", "until", "page", "size"} <= audit
    hsds = {p["name"] for p in paths["/api/v1/hsds/services"]["get"]["parameters"]}
    assert hsds == {"search", "page", "per_page"}


def test_the_openapi_document_needs_no_token(app):
    assert app.test_client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer nonsense"}
                                 ).status_code == 200


def test_the_api_page_is_self_contained_and_loads_nothing_from_elsewhere(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    script = client.get("/api/v1/docs.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    for text in (page.get_data(as_text=True), script.get_data(as_text=True)):
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text)
        assert "cdn" not in text.lower()
    assert 'src="docs.js"' in page.get_data(as_text=True)
    assert "openapi.json" in script.get_data(as_text=True)


def test_provider_writes_document_if_match_and_412_and_provider_answers_their_etag(spec):
    item = spec["paths"]["/api/v1/providers/{provider_id}"]
    for method in ("put", "patch"):
        headers = [p for p in item[method].get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["If-Match"], method
        assert "412" in item[method]["responses"], method
    assert "If-Match" not in str(item["get"].get("parameters", []))
    for path, method in (("/api/v1/providers/{provider_id}", "get"), ("/api/v1/providers/{provider_id}", "put"),
                         ("/api/v1/providers/{provider_id}", "patch"),
                         ("/api/v1/providers/{provider_id}/capacity", "put")):
        assert "ETag" in spec["paths"][path][method]["responses"]["200"]["headers"], (path, method)
