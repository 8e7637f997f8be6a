"""The store refuses, at start-up and in words naming both versions, a server its client does not speak."""
from __future__ import annotations

import pytest

from services.shared.engine.client import EngineConfig, server_info
from services.shared.engine.version import EngineVersionMismatch, require_compatible


def es(number: str) -> dict:
    return {"version": {"number": number, "build_flavor": "default"}}


def opensearch(number: str) -> dict:
    return {"version": {"number": number, "distribution": "opensearch"}}


def test_an_elasticsearch_9_client_is_refused_by_an_8_server_with_both_versions_named():
    with pytest.raises(EngineVersionMismatch) as refused:
        require_compatible("elasticsearch", es("8.15.3"), "9.1.0")
    assert "8.15.3" in str(refused.value) and "9.1.0" in str(refused.value)


def test_an_elasticsearch_client_speaks_a_server_of_its_own_major():
    require_compatible("elasticsearch", es("9.1.5"), "9.5.1")


def test_an_elasticsearch_8_client_is_refused_by_a_9_server():
    with pytest.raises(EngineVersionMismatch, match="9.0.0.*8.19.0"):
        require_compatible("elasticsearch", es("9.0.0"), "8.19.0")


def test_an_opensearch_client_speaks_servers_up_to_its_own_major():
    require_compatible("opensearch", opensearch("2.19.1"), "3.2.0")
    require_compatible("opensearch", opensearch("3.0.0"), "3.2.0")
    with pytest.raises(EngineVersionMismatch, match="3.1.0.*2.4.0"):
        require_compatible("opensearch", opensearch("3.1.0"), "2.4.0")


def test_an_elasticsearch_url_on_an_opensearch_server_is_named_as_such():
    with pytest.raises(EngineVersionMismatch, match="server is opensearch 2.19.1"):
        require_compatible("elasticsearch", opensearch("2.19.1"), "9.5.1")


@pytest.mark.engine
def test_the_local_opensearch_node_passes_the_check_and_an_older_client_would_not():
    from tests.support.engine_store import require_engine, store_url

    config = EngineConfig.from_url(store_url(require_engine(), "version-check-"))
    info = server_info(config)
    assert info is not None
    require_compatible("opensearch", info, "3.2.0")
    with pytest.raises(EngineVersionMismatch) as refused:
        require_compatible("opensearch", info, "1.1.0")
    assert info["version"]["number"] in str(refused.value) and "1.1.0" in str(refused.value)


@pytest.mark.engine
def test_a_store_pointed_at_the_wrong_engine_stops_at_start_up():
    from services.directory.store import store_from_url
    from tests.support.engine_store import require_engine, store_url

    with pytest.raises(EngineVersionMismatch, match="asks for elasticsearch, but the server is opensearch"):
        store_from_url(store_url(require_engine(), "version-check-", flavour="elasticsearch"))
