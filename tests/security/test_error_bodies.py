"""No error a caller can cause shows a stack trace, a file path, a server internal or an internal address:
every kind of refusal, over real HTTP, from the gateway, its pages and the internal services themselves."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.support.leaks import internal_detail

pytestmark = pytest.mark.integration

MATCH = {"needs": ["shelter"], "languages": ["ro"], "location": {"place": "Utrecht"}}


def _gateway_errors(haven) -> dict[str, requests.Response]:
    api, cw, admin = haven.api, haven.auth("caseworker"), haven.auth("admin")
    provider = haven.auth("provider")
    full = _full_provider(haven)
    errors = {
        "no token": requests.get(f"{api}/providers", timeout=30),
        "unknown token": requests.get(f"{api}/providers", headers={"Authorization": "Bearer hvn_nope"}, timeout=30),
        "malformed authorization": requests.get(f"{api}/providers", headers={"Authorization": "Basic x"}, timeout=30),
        "wrong role": requests.get(f"{api}/audit", headers=cw, timeout=30),
        "another provider's capacity": requests.put(f"{api}/providers/{uuid.uuid4()}/capacity", headers=provider,
                                                    json={"available": 1}, timeout=30),
        "unknown route": requests.get(f"{api}/nothing-here", headers=cw, timeout=30),
        "unknown provider": requests.get(f"{api}/providers/{uuid.uuid4()}", headers=cw, timeout=30),
        "id that is not a uuid": requests.get(f"{api}/providers/../../etc/passwd", headers=cw, timeout=30),
        "wrong method": requests.delete(f"{api}/matches", headers=cw, timeout=30),
        "body that is not json": requests.post(f"{api}/matches", headers=dict(cw, **{"Content-Type": "application/json"}),
                                               data=b"{not json", timeout=30),
        "bad field": requests.post(f"{api}/matches", headers=cw, json=dict(MATCH, age=-1), timeout=30),
        "unknown field": requests.post(f"{api}/matches", headers=cw, json=dict(MATCH, name="A. Person"), timeout=30),
        "unknown place": requests.post(f"{api}/matches", headers=cw,
                                       json=dict(MATCH, location={"place": "/etc/passwd"}), timeout=30),
        "unknown query parameter": requests.get(f"{api}/providers", params={"debug": "1"}, headers=cw, timeout=30),
        "bad query value": requests.get(f"{api}/providers", params={"near": "x" * 500}, headers=cw, timeout=30),
        "body too large": requests.post(f"{api}/matches", headers=cw, data=b"[" + b" " * (1024 * 1024) + b"]",
                                        timeout=30),
        "no capacity": requests.post(f"{api}/referrals", headers=cw, timeout=30,
                                     json={"provider_id": full, "need": "shelter", "case_reference": "E-1"}),
        "need the provider does not serve": requests.post(
            f"{api}/referrals", headers=cw, timeout=30,
            json={"provider_id": haven.provider_id, "need": "repatriation", "case_reference": "E-2"}),
        "referral of someone else": requests.post(f"{api}/referrals/{uuid.uuid4()}/cancel", headers=cw, timeout=30),
        "bad hsds filter": requests.get(f"{api}/hsds/services", params={"taxonomy": "x"}, headers=cw, timeout=30),
        "bad audit time": requests.get(f"{api}/audit", params={"since": "yesterday"}, headers=admin, timeout=30),
    }
    return errors


def _full_provider(haven) -> str:
    body = {"name": "Full House", "type": "shelter", "services": ["shelter"],
            "location": {"municipality": "Utrecht", "lat": 52.09, "lon": 5.12, "confidential": True},
            "capacity": {"available": 0, "maximum": 3}}
    created = requests.post(f"{haven.api}/providers", headers=haven.auth("admin"), json=body, timeout=30)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _assert_clean(name: str, answer: requests.Response, haven) -> None:
    ports = (haven.ports["directory"], haven.ports["matcher"])
    headers = " ".join(f"{k}: {v}" for k, v in answer.headers.items() if k.lower() != "server")
    leak = internal_detail(answer.text, ports) or internal_detail(headers, ports)
    assert leak is None, f"{name}: {answer.status_code} shows {leak!r}: {answer.text[:300]}"


def test_no_api_error_shows_a_trace_a_path_or_an_internal_address(haven):
    for name, answer in _gateway_errors(haven).items():
        assert 400 <= answer.status_code < 500, (name, answer.status_code, answer.text[:200])
        error = answer.json()["error"]
        assert error["status"] == answer.status_code and error["code"] and error["message"], name
        _assert_clean(name, answer, haven)


def test_no_page_error_shows_a_trace_a_path_or_an_internal_address(haven):
    haven.create_account("provider", "errors@example.org")
    anonymous = requests.Session()
    browser = haven.sign_in("errors@example.org")
    site = haven.gateway_url
    pages = {
        "wrong password": anonymous.post(f"{site}/sign-in", data={"email": "errors@example.org", "password": "no"},
                                         timeout=30),
        "form without its token": browser.post(f"{site}/capacity/{haven.provider_id}", data={"available": "1"},
                                               timeout=30),
        "page of another role": browser.get(f"{site}/match", timeout=30),
        "unknown referral": browser.get(f"{site}/referrals/{uuid.uuid4()}", timeout=30),
        "unknown page asset": browser.get(f"{site}/assets/../../app.py", timeout=30),
    }
    for name, answer in pages.items():
        assert 400 <= answer.status_code < 500, (name, answer.status_code)
        _assert_clean(name, answer, haven)


def test_the_internal_services_refuse_without_detail_too(haven):
    answers = {
        "directory unsigned": requests.get(f"{haven.url('directory')}/providers", timeout=30),
        "directory unknown route": requests.get(f"{haven.url('directory')}/nothing", timeout=30),
        "matcher unsigned": requests.post(f"{haven.url('matcher')}/matches", data=json.dumps(MATCH), timeout=30,
                                          headers={"Content-Type": "application/json"}),
    }
    for name, answer in answers.items():
        assert answer.status_code in (401, 404), (name, answer.status_code)
        _assert_clean(name, answer, haven)
