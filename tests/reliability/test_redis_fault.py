"""Redis, which keeps the rate-limit counters, goes away and comes back under a running gateway.

The documented degraded answer: every request is still served, limits keep working in each worker's
memory, readiness stays true; once Redis is back the counters are shared through it again, unaided.
"""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis
import requests

from tests.reliability.faults import ready, wait_until
from tests.support.processes import free_port
from tests.support.requirements import require
from tests.support.havens import haven_on

pytestmark = pytest.mark.integration

LIMIT = 30  # requests per minute per token
WORKERS = 2


class RedisProcess:
    """redis-server on a fixed port, nothing saved to disk; start it again on the same port after a stop."""

    def __init__(self, folder, port: int):
        self.folder, self.port = folder, port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, timeout=10, every=0.05)

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def keys(self) -> list:
        return redis.Redis.from_url(self.url, socket_timeout=1).keys("*haven*")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_and_haven(tmp_path_factory):
    require(shutil.which("redis-server") is not None, "redis-server is not installed", "HAVEN_REQUIRE_REDIS")
    server = RedisProcess(tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    try:
        with haven_on("sqlite", tmp_path_factory.mktemp("haven-redis"), workers=WORKERS, HAVEN_REDIS_URL=server.url,
                      HAVEN_RATE_LIMIT=str(LIMIT), HAVEN_RATE_LIMIT_ADDRESS="0") as stack:
            yield server, stack
    finally:
        server.stop()


def burst(stack, count: int) -> list[int]:
    """`count` searches with a fresh token, each on a new connection (so both workers get some)."""
    headers = {"Authorization": f"Bearer {stack.issue('caseworker')}"}
    statuses = []
    for _ in range(count):
        started = time.monotonic()
        statuses.append(requests.get(f"{stack.api}/providers", params={"size": 1}, headers=headers,
                                     timeout=30).status_code)
        assert time.monotonic() - started < 5, "a request waited on Redis"
    return statuses


def shared(statuses: list[int]) -> bool:
    """Counted in one place: exactly LIMIT answers, then 429."""
    return statuses == [200] * LIMIT + [429] * (len(statuses) - LIMIT)


def test_limits_fall_back_to_memory_while_redis_is_down_and_are_shared_again_once_it_is_back(redis_and_haven):
    server, stack = redis_and_haven
    assert shared(burst(stack, LIMIT + 2))
    assert server.keys()

    server.stop()
    statuses = burst(stack, WORKERS * LIMIT + 20)
    assert set(statuses) <= {200, 429}, statuses  # served or limited, never an error
    # Each worker counts on its own now: at least the limit, at most the limit in every worker, and a
    # worker that got more than the limit refused the rest.
    assert LIMIT <= statuses.count(200) <= WORKERS * LIMIT and 429 in statuses, statuses
    assert ready(stack.gateway_url)[0], "a Redis outage is degraded service, not unreadiness"

    server.start()
    wait_until(lambda: shared(burst(stack, LIMIT + 1)), timeout=90, every=1)
    assert server.keys()
