"""Only fresh, untampered, first-seen requests signed by the gateway get in."""
from __future__ import annotations

import base64
import json
import time

import pytest

from services.shared.signing import CLAIMS_HEADER, SIGNATURE_HEADER, Claims, sign
from tests.conftest import SECRET


def signed_headers(method, path, body=b"", *, role="admin", issued_at=None, secret=SECRET, nonce=None):
    claims = Claims(role=role, subject=f"test:{role}")
    if issued_at is not None or nonce is not None:
        claims = Claims(role=role, subject=claims.subject, issued_at=issued_at or claims.issued_at,
                        nonce=nonce or claims.nonce)
    return sign(secret, method, path, body, claims)


def assert_unauthenticated(response):
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    assert response.json["error"]["status"] == 401


@pytest.fixture
def client(directory_app):
    return directory_app.test_client()


def test_a_correctly_signed_request_is_accepted(client):
    assert client.get("/providers", headers=signed_headers("GET", "/providers")).status_code == 200


def test_an_unsigned_request_is_refused(client):
    assert_unauthenticated(client.get("/providers"))


def test_a_request_with_only_the_claims_is_refused(client):
    headers = signed_headers("GET", "/providers")
    del headers[SIGNATURE_HEADER]
    assert_unauthenticated(client.get("/providers", headers=headers))


def test_a_request_signed_with_another_secret_is_refused(client):
    assert_unauthenticated(client.get("/providers", headers=signed_headers("GET", "/providers", secret=b"other")))


def test_a_changed_body_is_refused(client):
    body = json.dumps({"available": 1}).encode()
    headers = signed_headers("PUT", "/providers/00000000-0000-4000-8000-000000000000/capacity", body)
    response = client.put("/providers/00000000-0000-4000-8000-000000000000/capacity", headers=headers,
                          data=json.dumps({"available": 9}), content_type="application/json")
    assert_unauthenticated(response)


def test_a_changed_query_is_refused(client):
    headers = signed_headers("GET", "/providers?language=ro")
    assert_unauthenticated(client.get("/providers?language=bg", headers=headers))


def test_a_changed_path_is_refused(client):
    headers = signed_headers("GET", "/providers")
    assert_unauthenticated(client.get("/referrals", headers=headers))


def test_a_changed_method_is_refused(client):
    headers = signed_headers("GET", "/providers")
    assert_unauthenticated(client.post("/providers", headers=headers))


def test_claims_rewritten_to_another_role_are_refused(client):
    headers = signed_headers("GET", "/audit", role="caseworker")
    payload = json.loads(base64.urlsafe_b64decode(headers[CLAIMS_HEADER]))
    payload["role"] = "admin"
    headers[CLAIMS_HEADER] = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    assert_unauthenticated(client.get("/audit", headers=headers))


def test_a_role_that_does_not_exist_is_refused(client):
    assert_unauthenticated(client.get("/providers", headers=signed_headers("GET", "/providers", role="root")))


@pytest.mark.parametrize("age_seconds", [61, 3600, -61])
def test_a_request_signed_more_than_60_seconds_away_is_refused(client, age_seconds):
    headers = signed_headers("GET", "/providers", issued_at=time.time() - age_seconds)
    assert_unauthenticated(client.get("/providers", headers=headers))


def test_a_request_signed_55_seconds_ago_is_still_accepted(client):
    headers = signed_headers("GET", "/providers", issued_at=time.time() - 55)
    assert client.get("/providers", headers=headers).status_code == 200


def test_a_replayed_request_is_refused(client):
    headers = signed_headers("GET", "/providers")
    assert client.get("/providers", headers=headers).status_code == 200
    assert_unauthenticated(client.get("/providers", headers=headers))


def test_a_replayed_write_is_refused_and_holds_nothing_twice(client, admin, create_provider):
    shelter = create_provider(capacity={"available": 5})
    body = json.dumps({"provider_id": shelter["id"], "need": "shelter", "case_reference": "z"}).encode()
    headers = signed_headers("POST", "/referrals", body, role="caseworker")
    first = client.post("/referrals", headers=headers, data=body, content_type="application/json")
    again = client.post("/referrals", headers=headers, data=body, content_type="application/json")
    assert first.status_code == 201
    assert_unauthenticated(again)
    assert admin.get(f"/providers/{shelter['id']}").json["capacity"]["held"] == 1


def test_a_reused_nonce_is_refused_even_with_a_fresh_signature(client):
    first = signed_headers("GET", "/providers", nonce="same-nonce")
    second = signed_headers("GET", "/providers?size=5", nonce="same-nonce")
    assert client.get("/providers", headers=first).status_code == 200
    assert_unauthenticated(client.get("/providers?size=5", headers=second))


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_need_no_signature(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json["service"] == "directory"


def test_refusals_do_not_say_why(client):
    stale = client.get("/providers", headers=signed_headers("GET", "/providers", issued_at=time.time() - 120))
    unsigned = client.get("/providers")
    assert stale.json["error"]["message"] == unsigned.json["error"]["message"]
