"""The search engine under the directory dies or slows down (a TCP proxy between them), with real processes:
503s naming the store within its timeout, the directory unready, no half-done referral or capacity change,
and service again on its own when the engine answers again."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.reliability.faults import (SERVICE_TIMEOUT_S, assert_holds_consistent, assert_unavailable_or_read_model,
                                      capacity_of, ready, referrals_with_reference, timed, wait_until)
from tests.support.engine_store import fresh_prefix, require_engine, store_url
from tests.support.havens import drop_engine_store
from tests.support.stack import start_stack
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.engine, pytest.mark.integration]

ENGINE_TIMEOUT_S = 1.0  # the store URL's timeout: one engine call that takes longer is a 503
SLOWER_THAN_TIMEOUT_S = 2.5


@pytest.fixture(scope="module")
def engine_proxy():
    engine = urlsplit(require_engine())
    with TcpProxy(engine.hostname, engine.port) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def haven(engine_proxy, tmp_path_factory):
    # Only the directory reaches the engine through the proxy; the gateway (tokens live in the engine too)
    # reaches it directly, so every request gets as far as the directory.
    prefix, options = fresh_prefix(), f"refresh_interval=20ms&timeout={ENGINE_TIMEOUT_S}"
    url = store_url(require_engine(), prefix, options=options)
    proxied = store_url(f"http://127.0.0.1:{engine_proxy.port}", prefix, options=options)
    stack = start_stack(tmp_path_factory.mktemp("engine-faults"), store_url=url,
                        service_env={"directory": {"HAVEN_STORE_URL": proxied}},
                        HAVEN_SERVICE_TIMEOUT=str(SERVICE_TIMEOUT_S), HAVEN_DIRECTORY_TIMEOUT=str(SERVICE_TIMEOUT_S))
    yield stack
    stack.close()
    drop_engine_store(url)


def _writes_and_reads(stack, case_reference: str):
    api, caseworker = stack.api, stack.auth("caseworker")
    return [
        (requests.get, (f"{api}/providers",), {"params": {"near": "Utrecht", "need": "shelter"}, "headers": caseworker}),
        (requests.post, (f"{api}/matches",), {"headers": caseworker, "json": {
            "needs": ["shelter"], "languages": ["ro"], "location": {"place": "Utrecht"}}}),
        (requests.post, (f"{api}/referrals",), {"headers": caseworker, "json": {
            "provider_id": stack.provider_id, "need": "shelter", "case_reference": case_reference}}),
        (requests.put, (f"{api}/providers/{stack.provider_id}/capacity",),
         {"json": {"available": 1}, "headers": stack.auth("provider")}),
    ]


def _assert_recovered(stack, before: dict, case_reference: str) -> None:
    wait_until(lambda: ready(stack.url("directory"))[0], timeout=60)
    after = capacity_of(stack, stack.provider_id)
    assert referrals_with_reference(stack, case_reference) == 0, "a referral refused with 503 was stored"
    assert (after["available"], after["held"]) == (before["available"], before["held"]), (before, after)
    assert_holds_consistent(stack, stack.provider_id)
    answer = requests.post(f"{stack.api}/referrals", headers=stack.auth("caseworker"), timeout=60, json={
        "provider_id": stack.provider_id, "need": "shelter", "case_reference": f"{case_reference}-AFTER"})
    assert answer.status_code == 201, answer.text
    assert_holds_consistent(stack, stack.provider_id)


def test_a_dead_engine_gives_503s_naming_the_store_and_the_directory_comes_back_with_it(haven, engine_proxy):
    before = capacity_of(haven, haven.provider_id)
    engine_proxy.refuse()
    try:
        for call, args, kwargs in _writes_and_reads(haven, "ENGINE-DOWN"):
            answer, seconds = timed(call, *args, **kwargs)
            assert_unavailable_or_read_model(answer, seconds, haven)
        is_ready, body = ready(haven.url("directory"))
        assert not is_ready and body["store"] == "down"
    finally:
        engine_proxy.restore()
    _assert_recovered(haven, before, "ENGINE-DOWN")


def test_a_slow_engine_gives_503s_within_the_timeout_and_nothing_half_done(haven, engine_proxy):
    before = capacity_of(haven, haven.provider_id)
    engine_proxy.delay = SLOWER_THAN_TIMEOUT_S
    try:
        for call, args, kwargs in _writes_and_reads(haven, "ENGINE-SLOW"):
            answer, seconds = timed(call, *args, **kwargs)
            assert_unavailable_or_read_model(answer, seconds, haven)
        assert not ready(haven.url("directory"))[0]
    finally:
        engine_proxy.restore()
    _assert_recovered(haven, before, "ENGINE-SLOW")
