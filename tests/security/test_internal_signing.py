"""The directory and matcher answer only requests the gateway signed, once, recently: tested over real HTTP."""
from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from services.shared.signing import Claims, sign

pytestmark = pytest.mark.integration

SEARCH = "/providers?need=shelter"
MATCH_BODY = {"needs": ["shelter"], "languages": ["en"], "location": {"place": "Utrecht"}}


def _send(url: str, method: str, target: str, body: bytes, headers: dict) -> requests.Response:
    # A new connection each time: with several gunicorn workers, each try may reach another process.
    with requests.Session() as fresh:
        sent = dict(headers, **({"Content-Type": "application/json"} if body else {}))
        return fresh.request(method, url + target, data=body or None, headers=sent, timeout=30)


def _refused(answer: requests.Response) -> bool:
    return answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("service, method, target, body", [
    ("directory", "GET", SEARCH, b""),
    ("directory", "POST", "/referrals", json.dumps({"provider_id": "0c6b3933-3c1a-5b4d-b81c-ae6736275800",
                                                    "need": "shelter", "case_reference": "S-1"}).encode()),
    ("matcher", "POST", "/matches", json.dumps(MATCH_BODY).encode()),
])
def test_an_unsigned_request_is_refused(haven, service, method, target, body):
    assert _refused(_send(haven.url(service), method, target, body, {}))


def test_a_request_signed_with_another_secret_is_refused(haven):
    headers = sign(b"not the deployment's secret", "GET", SEARCH, b"", Claims("admin", "someone"))
    assert _refused(_send(haven.url("directory"), "GET", SEARCH, b"", headers))


def test_a_signature_is_bound_to_its_path_and_body(haven):
    body = json.dumps(MATCH_BODY).encode()
    headers = sign(haven.secret, "POST", "/matches", body, Claims("caseworker", "someone"))
    other_body = json.dumps(dict(MATCH_BODY, needs=["legal"])).encode()
    assert _refused(_send(haven.url("matcher"), "POST", "/matches", other_body, headers))
    search_headers = sign(haven.secret, "GET", SEARCH, b"", Claims("caseworker", "someone"))
    assert _refused(_send(haven.url("directory"), "GET", "/providers?need=legal", b"", search_headers))


def test_claims_cannot_be_changed_after_signing(haven):
    headers = sign(haven.secret, "GET", SEARCH, b"", Claims("caseworker", "someone"))
    # The same signature with the role raised to admin: the claims are part of what is signed.
    claims = json.loads(base64.urlsafe_b64decode(headers["X-Haven-Claims"]))
    claims["role"] = "admin"
    headers["X-Haven-Claims"] = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
    assert _refused(_send(haven.url("directory"), "GET", SEARCH, b"", headers))


def test_a_request_signed_over_a_minute_ago_is_refused(haven):
    stale = Claims("caseworker", "someone", issued_at=time.time() - 120)
    headers = sign(haven.secret, "GET", SEARCH, b"", stale)
    assert _refused(_send(haven.url("directory"), "GET", SEARCH, b"", headers))


@pytest.mark.parametrize("service, method, target, body", [
    ("directory", "GET", SEARCH, b""),
    ("matcher", "POST", "/matches", json.dumps(MATCH_BODY).encode()),
])
def test_a_replayed_request_is_refused_by_every_worker(haven, service, method, target, body):
    headers = sign(haven.secret, method, target, body, Claims("caseworker", "someone"))
    statuses = [_send(haven.url(service), method, target, body, headers).status_code for _ in range(16)]
    assert statuses[0] == 200
    assert statuses[1:] == [401] * 15, statuses


def test_a_replayed_referral_holds_no_second_unit(haven):
    target = f"/providers/{haven.provider_id}"

    def held() -> int:
        headers = sign(haven.secret, "GET", target, b"", Claims("admin", "someone"))
        return _send(haven.url("directory"), "GET", target, b"", headers).json()["capacity"]["held"]

    before = held()
    body = json.dumps({"provider_id": haven.provider_id, "need": "shelter", "case_reference": "REPLAY-1"}).encode()
    headers = sign(haven.secret, "POST", "/referrals", body, Claims("caseworker", "someone"))
    answers = [_send(haven.url("directory"), "POST", "/referrals", body, headers).status_code for _ in range(8)]
    assert answers.count(201) == 1 and answers.count(401) == 7, answers
    assert held() == before + 1


def test_health_and_readiness_need_no_signature_and_say_nothing_else(haven):
    for service in ("directory", "matcher"):
        for path in ("/healthz", "/readyz"):
            answer = requests.get(haven.url(service) + path, timeout=10)
            assert answer.status_code == 200
            assert set(answer.json()) <= {"status", "service", "ready", "store", "directory", "read_model"}
            assert set(answer.json().get("read_model") or {}) <= {"loaded", "fresh", "loaded_after_s"}
