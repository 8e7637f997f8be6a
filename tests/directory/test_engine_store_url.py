"""The search-engine store URL: which client, where, and its options."""
from __future__ import annotations

import pytest

from services.shared.engine.client import EngineConfig


def test_an_opensearch_url_names_the_client_hosts_and_defaults():
    config = EngineConfig.from_url("opensearch+http://127.0.0.1:9200")
    assert (config.flavour, config.hosts, config.prefix) == ("opensearch", ("http://127.0.0.1:9200",), "")
    assert (config.timeout, config.max_retries, config.refresh, config.refresh_interval) == (5.0, 1, "true", "1s")


def test_writes_can_be_told_to_wait_for_the_scheduled_refresh_instead_of_refreshing():
    assert EngineConfig.from_url("opensearch+http://127.0.0.1:9200/?refresh=wait_for").refresh == "wait_for"


def test_an_elasticsearch_url_with_credentials_several_hosts_and_options():
    config = EngineConfig.from_url(
        "elasticsearch+https://haven:p%40ss@es1:9200,es2:9200/?prefix=test-abc-&timeout=2.5&refresh_interval=200ms")
    assert config.flavour == "elasticsearch"
    assert config.hosts == ("https://es1:9200", "https://es2:9200")
    assert (config.username, config.password) == ("haven", "p@ss")
    assert (config.prefix, config.timeout, config.refresh_interval) == ("test-abc-", 2.5, "200ms")


@pytest.mark.parametrize("url", [
    "opensearch+ftp://host:9200",
    "opensearch+http:///?prefix=a-",
    "opensearch+http://host:9200/?prefx=a-",
    "opensearch+http://host:9200/?prefix=Upper-",
    "opensearch+http://host:9200/?prefix=_hidden",
    "opensearch+http://host:9200/?refresh=false",
])
def test_a_url_the_store_cannot_use_is_refused_with_the_reason(url):
    with pytest.raises(ValueError):
        EngineConfig.from_url(url)
