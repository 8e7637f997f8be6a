"""Prometheus metrics: per-route counts and latencies, service counters, staleness, multiprocess mode."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from services.directory.domain.rules import iso
from services.shared.metrics import (app_metrics, count_match, count_referral, count_unmet, init_metrics,
                                     store_timer)
from tests.support.factories import provider

REPO = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from the Prometheus text format."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def scrape(app) -> str:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def plain_app(**kwargs) -> Flask:
    app = Flask(__name__)

    @app.get("/things/<int:thing_id>")
    def thing(thing_id):
        return {"id": thing_id}, 200 if thing_id < 100 else 404

    init_metrics(app, "test", **kwargs)
    return app


def test_requests_are_counted_by_route_template_and_status_never_by_path(directory_app, admin, caseworker):
    record = provider()
    assert admin.post("/providers", record).status_code == 201
    assert caseworker.get(f"/providers/{record['id']}").status_code == 200
    assert caseworker.get(f"/providers/{record['id']}").status_code == 200

    text = scrape(directory_app)

    found = samples(text)
    one = dict(service="directory", method="GET", route="/providers/<uuid:provider_id>", status="200")
    assert value(found, "haven_http_requests_total", **one) == 2
    assert value(found, "haven_http_request_duration_seconds_count", **one) == 2
    assert value(found, "haven_http_requests_total", service="directory", method="POST", route="/providers",
                 status="201") == 1
    assert record["id"] not in text


def test_the_metrics_endpoint_needs_no_signature_and_does_not_count_itself(directory_app):
    scrape(directory_app)
    text = scrape(directory_app)
    assert 'route="/metrics"' not in text


def test_unknown_paths_are_counted_under_one_label(directory_app):
    client = directory_app.test_client()
    client.get("/no/such/place/52.09,5.12")
    text = scrape(directory_app)
    assert 'route="<unmatched>"' in text
    assert "52.09" not in text


def test_capacity_staleness_by_type_is_read_from_the_directory_at_scrape_time(directory_app, admin, clock):
    old = iso(clock.now - timedelta(hours=30))
    admin.post("/providers", provider(capacity={"available": 1, "maximum": 2, "unit": "bed", "updated": old}))
    admin.post("/providers", provider(name="Fresh", capacity={"available": 1, "maximum": 2, "unit": "bed"}))
    admin.post("/providers", provider(type="legal", services=["legal"], capacity={"available": 1, "maximum": 2,
                                                                                  "unit": "case", "updated": old}))

    found = samples(scrape(directory_app))

    assert value(found, "haven_providers", type="shelter") == 2
    assert value(found, "haven_capacity_stale_providers", type="shelter") == 1
    assert value(found, "haven_capacity_stale_providers", type="legal") == 1


def test_staleness_callback_is_cached_between_scrapes():
    calls = []

    def source():
        calls.append(1)
        return {"shelter": (3, 1)}

    app = plain_app(staleness=source, staleness_cache_seconds=60)
    scrape(app)
    scrape(app)
    assert len(calls) == 1


def test_expose_false_registers_the_collectors_without_serving_them():
    app = plain_app(expose=False)
    client = app.test_client()
    client.get("/things/7")

    assert client.get("/metrics").status_code == 404
    metrics = app_metrics(app)
    assert metrics.requests.labels("test", "GET", "/things/<int:thing_id>", "200")._value.get() == 1


def test_each_app_has_its_own_registry():
    first, second = plain_app(), plain_app()
    first.test_client().get("/things/1")
    first.test_client().get("/things/100")

    found_first, found_second = samples(scrape(first)), samples(scrape(second))

    labels = dict(service="test", method="GET", route="/things/<int:thing_id>")
    assert value(found_first, "haven_http_requests_total", status="200", **labels) == 1
    assert value(found_first, "haven_http_requests_total", status="404", **labels) == 1
    assert value(found_second, "haven_http_requests_total", status="200", **labels) is None


def test_service_counters_are_fed_through_helpers_in_the_app_context():
    app = plain_app()
    with app.app_context():
        count_match("shelter")
        count_match("shelter")
        count_unmet("legal")
        count_referral("pending")
        count_referral("accepted")
        with store_timer("search"):
            pass

        @store_timer("get_provider")
        def lookup():
            return 42

        assert lookup() == 42

    found = samples(scrape(app))
    assert value(found, "haven_matches_total", need="shelter") == 2
    assert value(found, "haven_unmet_needs_total", need="legal") == 1
    assert value(found, "haven_referrals_total", status="accepted") == 1
    assert value(found, "haven_store_operation_duration_seconds_count", service="test", operation="search") == 1
    assert value(found, "haven_store_operation_duration_seconds_count", service="test",
                 operation="get_provider") == 1


def test_helpers_do_nothing_outside_an_app_or_without_metrics():
    count_match("shelter")
    count_referral("pending")
    with store_timer("search"):
        pass
    with Flask(__name__).app_context():
        count_unmet("legal")


WORKER = textwrap.dedent("""
    import sys
    from flask import Flask
    from services.shared.metrics import count_referral, init_metrics

    app = Flask("worker")

    @app.get("/ping")
    def ping():
        count_referral("pending")
        return "pong"

    init_metrics(app, "test", staleness=lambda: {"shelter": (4, 2)})
    client = app.test_client()
    for _ in range(int(sys.argv[1])):
        client.get("/ping")
    if sys.argv[2] == "scrape":
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
""")


def test_multiprocess_mode_sums_every_worker_when_the_folder_is_set(tmp_path):
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path), PYTHONPATH=str(REPO))

    def worker(requests: int, then: str) -> str:
        done = subprocess.run([sys.executable, "-c", WORKER, str(requests), then], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    worker(3, "exit")
    text = worker(2, "scrape")

    found = samples(text)
    assert value(found, "haven_http_requests_total", service="test", method="GET", route="/ping",
                 status="200") == 5
    assert value(found, "haven_referrals_total", status="pending") == 5
    assert value(found, "haven_capacity_stale_providers", type="shelter") == 2


@pytest.mark.parametrize("name", ["haven_http_requests", "haven_http_request_duration_seconds"])
def test_request_metrics_carry_help_text(name):
    text = scrape(plain_app())
    assert f"# HELP {name}" in text


def test_the_matcher_serves_its_metrics_on_its_internal_port(tmp_path):
    from services.matcher import create_app as create_matcher
    from services.matcher.settings import MatcherSettings
    from tests.conftest import SECRET

    app = create_matcher({"SETTINGS": MatcherSettings(directory_url="http://127.0.0.1:9", internal_secret=SECRET)})
    try:
        app.test_client().get("/healthz")
        found = samples(scrape(app))
    finally:
        app.extensions["haven"].directory.session.close()
    assert value(found, "haven_http_requests_total", service="matcher", method="GET", route="/healthz",
                 status="200") == 1


def test_the_gateway_counts_requests_but_never_serves_metrics_on_its_public_port(tmp_path):
    from services.gateway import create_app as create_gateway
    from services.gateway.settings import GatewaySettings
    from tests.conftest import SECRET

    settings = GatewaySettings(directory_url="http://127.0.0.1:9", matcher_url="http://127.0.0.1:9",
                               internal_secret=SECRET, secret_key=b"k" * 32, auth_db_path=tmp_path / "auth.db",
                               rate_limit=0)
    app = create_gateway({"SETTINGS": settings, "WEB": False})
    context = app.extensions["haven_gateway"]
    try:
        answer = app.test_client().get("/metrics")
    finally:
        context.directory.session.close()
        context.matcher.session.close()
        context.auth_store.close()

    assert answer.status_code == 404
    assert b"haven_http_requests" not in answer.data
    assert app_metrics(app).requests.labels("gateway", "GET", "<unmatched>", "404")._value.get() == 1


def test_the_metrics_page_names_its_charset_once():
    answer = plain_app().test_client().get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].lower().count("charset") == 1
    assert answer.headers["Content-Type"] == CONTENT_TYPE_LATEST


def test_a_scrape_token_guards_the_metrics_of_an_unexposed_app():
    client = plain_app(expose=False, scrape_token="s3cret-scrape").test_client()
    client.get("/things/7")

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert page.status_code == 200
    assert 'route="/things/<int:thing_id>"' in page.get_data(as_text=True)
    assert "/metrics" not in page.get_data(as_text=True)


def test_the_multiprocess_folder_is_emptied_of_old_worker_files_only(tmp_path):
    from services.shared.metrics import prepare_multiprocess_dir

    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    (folder / "notes.txt").write_text("kept")
    prepare_multiprocess_dir({"PROMETHEUS_MULTIPROC_DIR": str(folder)})
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
