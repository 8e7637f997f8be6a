"""What every fault test checks: a clear 503 naming the part, in time, and readiness that tells the truth."""
from __future__ import annotations

import time

import requests

from tests.support.leaks import internal_detail

SERVICE_TIMEOUT_S = 5  # HAVEN_SERVICE_TIMEOUT and HAVEN_DIRECTORY_TIMEOUT of the stacks in these tests
HTTP_TIMEOUT_S = 60


def timed(call, *args, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = call(*args, timeout=HTTP_TIMEOUT_S, **kwargs)
    return answer, time.monotonic() - started


def assert_unavailable(answer: requests.Response, seconds: float, part: str | tuple[str, ...], stack) -> None:
    """503 with Retry-After, the one error shape, a message naming the part (one of `part`), nothing internal,
    within the timeout."""
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    error = answer.json()["error"]
    assert error["status"] == 503, error
    assert error["code"] in ("service_unavailable", "store_unavailable", "auth_unavailable"), error
    parts = (part,) if isinstance(part, str) else part
    assert any(name in error["message"] for name in parts), error
    assert int(answer.headers["Retry-After"]) > 0
    ports = (stack.ports["directory"], stack.ports["matcher"])
    assert internal_detail(answer.text, ports) is None, answer.text
    assert seconds < SERVICE_TIMEOUT_S + 1.5, f"the 503 took {seconds:.1f} s"


def assert_unavailable_or_read_model(answer, seconds: float, stack) -> None:
    """A 503 naming the directory; or, for a match only, an answer from the matcher's read model, which reads
    nothing from the store and may serve for as long as it has heard from the directory within its lag limit."""
    if answer.status_code == 200 and answer.request.path_url.endswith("/matches"):
        assert answer.json()["as_of"]["source"] == "read_model", answer.json()["as_of"]
        return
    assert_unavailable(answer, seconds, "directory", stack)


def ready(url: str) -> tuple[bool, dict]:
    try:
        answer = requests.get(url + "/readyz", timeout=10)
    except requests.RequestException:
        return False, {}
    return answer.status_code == 200, answer.json()


def wait_until(predicate, timeout: float = 30.0, every: float = 0.2):
    """The first true value of predicate() within timeout seconds; AssertionError otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:.0f} s: {getattr(predicate, '__name__', predicate)}")
        time.sleep(every)


def referrals_with_reference(stack, case_reference: str) -> int:
    answer = requests.get(f"{stack.api}/referrals", params={"case_reference": case_reference},
                          headers=stack.auth("admin"), timeout=HTTP_TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    return answer.json()["total_items"]


def capacity_of(stack, provider_id: str) -> dict:
    answer = requests.get(f"{stack.api}/providers/{provider_id}", headers=stack.auth("admin"), timeout=HTTP_TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    return answer.json()["capacity"]


def pending_for(stack, provider_id: str) -> int:
    answer = requests.get(f"{stack.api}/referrals", params={"provider_id": provider_id, "status": "pending"},
                          headers=stack.auth("admin"), timeout=HTTP_TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    return answer.json()["total_items"]


def assert_holds_consistent(stack, provider_id: str) -> None:
    """Held units are exactly the pending referrals, and free is what is left of available."""
    capacity = capacity_of(stack, provider_id)
    assert capacity["held"] == pending_for(stack, provider_id), capacity
    assert capacity["free"] == max(capacity["available"] - capacity["held"], 0), capacity
