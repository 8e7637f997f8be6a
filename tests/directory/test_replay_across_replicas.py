"""A signed request replayed to another replica on another machine is refused when the nonces are shared.

Two directory processes with separate data folders stand for two hosts: nothing is shared on disk.
"""
from __future__ import annotations

import os
import secrets

import pytest
import requests

from services.shared.signing import Claims, sign
from tests.gateway.servers import RedisServer, RedisUnavailable
from tests.support.processes import start_gunicorn
from tests.support.requirements import require

pytestmark = pytest.mark.integration
PATH = "/providers?need=shelter"


def replay_to_second_replica(tmp_path, **shared: str) -> tuple[int, int, int]:
    """Statuses of: the request on replica A, its copy on replica B, its copy on A again."""
    secret = secrets.token_hex(16)
    replicas = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            env = dict(os.environ, HAVEN_DATA_DIR=str(folder), HAVEN_INTERNAL_SECRET=secret, **shared)
            replicas.append(start_gunicorn("services.directory:create_app()", env, workers=2))
        headers = sign(secret.encode(), "GET", PATH, b"", Claims(role="caseworker", subject="test:replay"))
        return tuple(requests.get(replica.url + PATH, headers=headers, timeout=30).status_code
                     for replica in (replicas[0], replicas[1], replicas[0]))
    finally:
        for replica in replicas:
            replica.stop()


@pytest.fixture
def redis_url(tmp_path):
    try:
        server = RedisServer(tmp_path / "redis")
    except RedisUnavailable as err:
        require(False, str(err), "HAVEN_REQUIRE_REDIS")
    try:
        yield server.url
    finally:
        server.stop()


def test_without_a_shared_store_each_host_accepts_the_copy_once(tmp_path):
    assert replay_to_second_replica(tmp_path) == (200, 200, 401)


def test_with_redis_a_copy_sent_to_the_other_replica_is_refused(tmp_path, redis_url):
    assert replay_to_second_replica(tmp_path, HAVEN_REDIS_URL=redis_url) == (200, 401, 401)


@pytest.mark.engine
def test_with_an_engine_store_a_copy_sent_to_the_other_replica_is_refused(tmp_path):
    from tests.support.engine_store import fresh_prefix, require_engine, store_url

    url = store_url(require_engine(), fresh_prefix())
    assert replay_to_second_replica(tmp_path, HAVEN_STORE_URL=url) == (200, 401, 401)


def test_when_redis_goes_away_each_host_still_refuses_its_own_replays(tmp_path):
    from tests.support.processes import free_port

    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    assert replay_to_second_replica(tmp_path, HAVEN_REDIS_URL=nowhere) == (200, 200, 401)


@pytest.mark.engine
def test_the_engines_nonces_are_not_synced_to_disk_one_by_one_and_an_older_index_is_switched(tmp_path):
    import time

    from services.shared.engine.client import EngineClient, EngineConfig
    from services.shared.engine.indices import settings_for
    from services.shared.engine.nonces import NONCE_MAPPINGS, EngineReplayGuard
    from services.shared.signing import ReplayGuard
    from tests.support.engine_store import fresh_prefix, require_engine, store_url

    engine = require_engine()

    def durability(prefix: str) -> str:
        index = f"{prefix}haven-nonces"
        settings = requests.get(f"{engine}/{index}/_settings", timeout=30).json()[index]["settings"]["index"]
        return settings.get("translog", {}).get("durability", "request")  # the engine's default when unset

    fresh = fresh_prefix()
    guard = EngineReplayGuard(store_url(engine, fresh), ReplayGuard(), window_seconds=60)
    assert guard.check_and_remember("n-1", time.time()) is True
    assert durability(fresh) == "async"

    older = fresh_prefix()
    client = EngineClient(EngineConfig.from_url(store_url(engine, older)))
    client.create_index(f"{older}haven-nonces", settings_for(client.config), NONCE_MAPPINGS)
    assert durability(older) == "request"
    again = EngineReplayGuard(store_url(engine, older), ReplayGuard(), window_seconds=60)
    assert again.check_and_remember("n-2", time.time()) is True
    assert again.check_and_remember("n-2", time.time()) is False
    assert durability(older) == "async"
    for prefix in (fresh, older):
        client.delete_index(f"{prefix}haven-nonces")
