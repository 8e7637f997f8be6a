"""A part of Haven goes away and comes back, with real processes: a clear 503 naming it within the
timeout, readiness false, nothing half-written, and service again on its own once it is back."""
from __future__ import annotations

import pytest
import requests

from tests.reliability.faults import (SERVICE_TIMEOUT_S, assert_holds_consistent, assert_unavailable,
                                      assert_unavailable_or_read_model, capacity_of, ready, referrals_with_reference,
                                      timed, wait_until)
from tests.support.leaks import internal_detail
from tests.support.havens import haven_on

pytestmark = pytest.mark.integration

MATCH = {"needs": ["shelter", "legal"], "languages": ["ro", "en"], "gender": "female", "age": 24,
         "location": {"place": "Utrecht"}, "avoid": [{"place": "Rotterdam", "radius_km": 20}]}
GROUP = {"need": "shelter", "people": [{"languages": ["ro"], "location": {"place": "Utrecht"}},
                                       {"languages": ["bg"], "location": {"place": "Utrecht"}}]}


@pytest.fixture(scope="module")
def haven(tmp_path_factory):
    timeout = str(SERVICE_TIMEOUT_S)
    with haven_on("sqlite", tmp_path_factory.mktemp("faults"), HAVEN_SERVICE_TIMEOUT=timeout,
                  HAVEN_DIRECTORY_TIMEOUT=timeout) as stack:
        yield stack


def refer(stack, case_reference: str) -> requests.Response:
    return requests.post(f"{stack.api}/referrals", headers=stack.auth("caseworker"), timeout=60,
                         json={"provider_id": stack.provider_id, "need": "shelter", "case_reference": case_reference})


def test_a_crashed_directory_gives_503s_naming_it_then_service_resumes_when_it_is_back(haven):
    api, caseworker, provider = haven.api, haven.auth("caseworker"), haven.auth("provider")
    before = capacity_of(haven, haven.provider_id)
    haven.kill("directory")
    try:
        for call, args, kwargs in [
            (requests.get, (f"{api}/providers",), {"params": {"near": "Utrecht"}, "headers": caseworker}),
            (requests.post, (f"{api}/matches",), {"json": MATCH, "headers": caseworker}),
            (requests.post, (f"{api}/referrals",), {"headers": caseworker, "json": {
                "provider_id": haven.provider_id, "need": "shelter", "case_reference": "WHILE-DOWN"}}),
            (requests.put, (f"{api}/providers/{haven.provider_id}/capacity",),
             {"json": {"available": 0}, "headers": provider}),
            (requests.get, (f"{api}/audit",), {"headers": haven.auth("admin")}),
        ]:
            answer, seconds = timed(call, *args, **kwargs)
            assert_unavailable_or_read_model(answer, seconds, haven)
        is_ready, body = ready(haven.gateway_url)
        assert not is_ready and body["directory"] == "down" and body["matcher"] == "up"
        is_ready, body = ready(haven.url("matcher"))
        assert not is_ready and {key: body[key] for key in ("ready", "service", "directory")} == {
            "ready": False, "service": "matcher", "directory": "down"}
    finally:
        haven.start("directory")
    wait_until(lambda: ready(haven.gateway_url)[0])
    # The first write after the restart goes through: no stale connection, no manual step.
    assert refer(haven, "AFTER-RESTART").status_code == 201
    assert requests.post(f"{api}/matches", json=MATCH, headers=caseworker, timeout=60).status_code == 200
    assert referrals_with_reference(haven, "WHILE-DOWN") == 0
    after = capacity_of(haven, haven.provider_id)
    assert after["available"] == before["available"] and after["held"] == before["held"] + 1
    assert_holds_consistent(haven, haven.provider_id)


def test_a_crashed_matcher_stops_only_matching_and_matching_resumes_when_it_is_back(haven):
    api, caseworker = haven.api, haven.auth("caseworker")
    haven.kill("matcher")
    try:
        for path, body in (("/matches", MATCH), ("/matches/group", GROUP)):
            answer, seconds = timed(requests.post, api + path, json=body, headers=caseworker)
            assert_unavailable(answer, seconds, "matcher", haven)
        # Everything that does not need matching goes on: search, refer, report capacity.
        assert requests.get(f"{api}/providers", params={"near": "Utrecht"}, headers=caseworker,
                            timeout=60).status_code == 200
        assert refer(haven, "MATCHER-DOWN").status_code == 201
        is_ready, body = ready(haven.gateway_url)
        assert not is_ready and body["matcher"] == "down" and body["directory"] == "up"
    finally:
        haven.start("matcher")
    wait_until(lambda: ready(haven.gateway_url)[0])
    assert requests.post(f"{api}/matches", json=MATCH, headers=caseworker, timeout=60).status_code == 200
    assert requests.post(f"{api}/matches/group", json=GROUP, headers=caseworker, timeout=60).status_code == 200


def test_web_pages_say_a_part_is_not_answering_while_the_directory_is_down(haven):
    haven.create_account("caseworker", "faults@example.org")
    browser = haven.sign_in("faults@example.org")
    haven.kill("directory")
    try:
        # Signing in needs no directory; a page that reads from it says plainly that a part is down.
        assert requests.get(f"{haven.gateway_url}/sign-in", timeout=60).status_code == 200
        page = browser.get(f"{haven.gateway_url}/referrals", timeout=60)
        assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
        assert "Haven" in page.text and internal_detail(page.text, (haven.ports["directory"],)) is None
    finally:
        haven.start("directory")
    wait_until(lambda: ready(haven.gateway_url)[0])
    assert browser.get(f"{haven.gateway_url}/referrals", timeout=60).status_code == 200
