"""Rate limits per token and per address: 429 in the one error shape, with Retry-After; in memory and in Redis."""
from __future__ import annotations

import pytest

from tests.gateway.conftest import ApiClient
from tests.gateway.servers import RedisServer, RedisUnavailable, redis_required

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis"))
    except RedisUnavailable as err:
        if redis_required():
            pytest.fail(f"HAVEN_REQUIRE_REDIS is set but Redis cannot run: {err}")
        pytest.skip(f"no Redis here: {err}")
    yield server
    server.stop()


def _assert_rate_limited(answer, limit: int) -> None:
    assert answer.status_code == 429
    error = answer.json["error"]
    assert error["code"] == "rate_limited"
    assert error["status"] == 429
    assert f"{limit} per minute" in error["message"]
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert answer.headers["X-Request-ID"] == error["request_id"]


def test_a_token_over_its_limit_gets_429_with_retry_after_while_another_token_goes_on(stack, make_gateway):
    app = make_gateway(rate_limit=3, rate_limit_address=0)
    first = ApiClient(app, stack.issue("caseworker"))
    for _ in range(3):
        assert first.get("/providers").status_code == 200
    _assert_rate_limited(first.get("/providers"), 3)
    assert ApiClient(app, stack.issue("caseworker")).get("/providers").status_code == 200


def test_the_token_limit_counts_every_route_together(stack, make_gateway):
    app = make_gateway(rate_limit=2, rate_limit_address=0)
    client = ApiClient(app, stack.issue("caseworker"))
    assert client.get("/providers").status_code == 200
    assert client.get("/hsds/services").status_code == 200
    _assert_rate_limited(client.get("/referrals"), 2)


def test_an_address_over_its_limit_gets_429_whatever_the_token(stack, make_gateway):
    app = make_gateway(rate_limit=100, rate_limit_address=3)
    for _ in range(3):
        assert ApiClient(app, "hvn_guessing").get("/providers").status_code == 401
    # Guessing tokens from one address is slowed down as well as using them.
    _assert_rate_limited(ApiClient(app, stack.issue("caseworker")).get("/providers"), 3)
    other_address = ApiClient(app, stack.issue("caseworker"))
    answer = other_address.get("/providers", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert answer.status_code == 200


def test_health_probes_are_never_limited(make_gateway):
    app = make_gateway(rate_limit=1, rate_limit_address=1)
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5


def test_a_rate_limit_of_zero_turns_limits_off(stack, make_gateway):
    app = make_gateway(rate_limit=0, rate_limit_address=1)
    client = ApiClient(app, stack.issue("caseworker"))
    assert {client.get("/providers").status_code for _ in range(5)} == {200}


def test_limits_kept_in_redis_are_shared_by_every_gateway_replica(stack, make_gateway, redis_server):
    token = stack.issue("caseworker")
    replicas = [ApiClient(make_gateway(rate_limit=4, rate_limit_address=0, redis_url=redis_server.url), token)
                for _ in range(2)]
    for replica in replicas * 2:
        assert replica.get("/providers").status_code == 200
    _assert_rate_limited(replicas[0].get("/providers"), 4)
    _assert_rate_limited(replicas[1].get("/providers"), 4)


def test_an_address_limit_in_redis_gives_429_with_retry_after(stack, make_gateway, redis_server):
    app = make_gateway(rate_limit=100, rate_limit_address=2, redis_url=redis_server.url)
    client = ApiClient(app, stack.issue("caseworker"), headers={})
    address = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get("/providers", environ_base=address).status_code == 200
    assert client.get("/providers", environ_base=address).status_code == 200
    _assert_rate_limited(client.get("/providers", environ_base=address), 2)


def test_a_redis_that_is_down_leaves_limits_working_in_memory_instead_of_failing_requests(stack, make_gateway):
    from tests.gateway.servers import free_port

    app = make_gateway(rate_limit=2, rate_limit_address=0, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    client = ApiClient(app, stack.issue("caseworker"))
    assert [client.get("/providers").status_code for _ in range(2)] == [200, 200]
    _assert_rate_limited(client.get("/providers"), 2)
