"""Every operation of the OpenAPI document has a stable id and examples; each request example is accepted by
the real API with the role that may send it, and each answer example fits its schema."""
from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS30Validator

from tests.gateway.conftest import ApiClient

pytestmark = pytest.mark.integration

# Who sends each body example, in an order that makes each one valid: the example provider exists before
# it is replaced, changed or referred to.
SENDERS = [("post", "/api/v1/providers", "admin"), ("put", "/api/v1/providers/{provider_id}", "admin"),
           ("patch", "/api/v1/providers/{provider_id}", "admin"),
           ("put", "/api/v1/providers/{provider_id}/capacity", "admin"),
           ("post", "/api/v1/referrals", "caseworker"),
           ("post", "/api/v1/matches", "caseworker"), ("post", "/api/v1/matches/group", "caseworker"),
           ("post", "/api/v1/waitlist", "caseworker")]
# Sent to a referral of their own below; the webhook example names a public host this machine may not resolve,
# and a URL that does not resolve is refused (tests/directory/notifications covers subscribing).
ON_A_REFERRAL = {("post", "/api/v1/referrals/{referral_id}/decline"): "provider",
                 ("post", "/api/v1/referrals/{referral_id}/cancel"): "caseworker"}
NOT_SENT = {("post", "/api/v1/webhooks")}


@pytest.fixture(scope="module")
def spec(stack):
    from services.gateway import create_app

    app = create_app({"SETTINGS": stack.settings(), "AUTH_STORE": stack.auth_store, "WEB": False})
    yield app.test_client().get("/api/v1/openapi.json").json
    app.extensions["haven_gateway"].close_clients()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def resolved(node, spec):
    """The schema with every $ref replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolved(target, spec)
        return {key: resolved(value, spec) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(item, spec) for item in node]
    return node


def test_every_operation_has_a_unique_stable_camel_case_id(spec):
    ids = [operation["operationId"] for _, _, operation in operations(spec)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]+", operation_id) for operation_id in ids), ids
    assert spec["paths"]["/api/v1/matches"]["post"]["operationId"] == "rankMatches"


def test_every_body_and_every_answer_with_a_body_has_an_example(spec):
    for method, path, operation in operations(spec):
        if "requestBody" in operation:
            assert "example" in operation["requestBody"]["content"]["application/json"], (method, path)
        for status, answer in operation["responses"].items():
            answer = resolved(answer, spec)
            content = answer.get("content", {}).get("application/json")
            if content is not None:
                assert "example" in content, (method, path, status)


def test_every_answer_example_fits_its_schema(spec):
    checked = 0
    for method, path, operation in operations(spec):
        for status, answer in operation["responses"].items():
            content = resolved(answer, spec).get("content", {}).get("application/json")
            if content and "example" in content and "schema" in content:
                OAS30Validator(content["schema"]).validate(content["example"])
                checked += 1
    assert checked > 40


def test_every_request_example_is_accepted_by_the_real_api_with_the_role_that_may_send_it(spec, stack, make_gateway):
    app = make_gateway()
    tokens = {role: stack.issue(role) for role in ("admin", "caseworker")}
    bodies = {(method, path): operation["requestBody"]["content"]["application/json"]["example"]
              for method, path, operation in operations(spec) if "requestBody" in operation}
    assert set(bodies) == {(method, path) for method, path, _ in SENDERS} | set(ON_A_REFERRAL) | NOT_SENT
    provider_id = bodies[("post", "/api/v1/providers")]["id"]
    for method, path, role in SENDERS:
        answer = ApiClient(app, tokens[role]).open(method.upper(), path.format(provider_id=provider_id),
                                                   json=bodies[(method, path)])
        assert 200 <= answer.status_code < 300, (method, path, answer.status_code, answer.json)
    tokens["provider"] = stack.issue("provider", (provider_id,))
    for number, ((method, path), role) in enumerate(ON_A_REFERRAL.items()):
        referral = ApiClient(app, tokens["caseworker"]).open("POST", "/api/v1/referrals", json=dict(
            bodies[("post", "/api/v1/referrals")], case_reference=f"CASE-EXAMPLE-{number}")).json
        answer = ApiClient(app, tokens[role]).open(method.upper(), path.format(referral_id=referral["id"]),
                                                   json=bodies[(method, path)])
        assert 200 <= answer.status_code < 300, (method, path, answer.status_code, answer.json)
