"""Prometheus metrics for every service: requests by route template, plus the counters services feed.

Each app gets its own CollectorRegistry, so tests can build many apps in one process. Under
gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty folder, before the workers
start): the values are then shared through files in that folder and `/metrics` reports the sum
over all workers (prometheus_client's multiprocess mode).
"""
from __future__ import annotations

import hmac
import os
import time
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from typing import Callable, Mapping

from flask import Flask, Response, current_app, g, has_app_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

METRICS_PATH = "/metrics"
EXTENSION = "haven_metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Request latencies from a cached lookup (a few ms) to a slow search-engine round trip (seconds).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

# type -> (providers, of which stale); called at scrape time.
StalenessSource = Callable[[], Mapping[str, tuple[int, int]]]


@dataclass
class Metrics:
    """The collectors of one app; services reach them through the helpers below."""

    service: str
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    matches: Counter
    unmet: Counter
    referrals: Counter
    store_latency: Histogram
    staleness: "_StalenessCollector | None" = None
    multiprocess: bool = field(default=False)

    def exposition(self) -> bytes:
        """The text format for a scrape: this process only, or every worker in multiprocess mode."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        if self.staleness is not None:
            registry.register(self.staleness)
        return generate_latest(registry)


class _StalenessCollector:
    """Providers and stale providers by type, asked of the directory when scraped, cached briefly."""

    def __init__(self, source: StalenessSource, cache_seconds: float):
        self.source = source
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, Mapping[str, tuple[int, int]]] | None = None

    def _counts(self) -> Mapping[str, tuple[int, int]]:
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] >= self.cache_seconds:
            self._cached = (now, dict(self.source()))
        return self._cached[1]

    def collect(self):
        total = GaugeMetricFamily("haven_providers", "Providers by type", labels=["type"])
        stale = GaugeMetricFamily("haven_capacity_stale_providers",
                                  "Providers with a capacity report (of any pool) older than 24 hours, by type", labels=["type"])
        for kind, (count, stale_count) in sorted(self._counts().items()):
            total.add_metric([kind], count)
            stale.add_metric([kind], stale_count)
        yield total
        yield stale


def init_metrics(app: Flask, service: str, *, expose: bool = True, staleness: StalenessSource | None = None,
                 staleness_cache_seconds: float = 30.0, scrape_token: str | None = None) -> Metrics:
    """Count and time every request by route template and status; serve them at /metrics when `expose`.

    `expose=False` registers the collectors without serving them: for a service whose port is public
    (the gateway), which must not show its metrics to the world, unless a `scrape_token` is given: then
    /metrics answers only a scraper presenting `Authorization: Bearer <scrape_token>`. `staleness` is a
    callback giving {provider type: (providers, stale providers)}, called at most once per
    `staleness_cache_seconds`.
    """
    registry = CollectorRegistry()
    multiprocess = bool(os.environ.get(MULTIPROC_ENV))
    metrics = Metrics(
        service=service,
        registry=registry,
        requests=Counter("haven_http_requests", "HTTP requests by route template and status",
                         ["service", "method", "route", "status"], registry=registry),
        latency=Histogram("haven_http_request_duration_seconds", "Time to answer an HTTP request",
                          ["service", "method", "route", "status"], buckets=REQUEST_BUCKETS, registry=registry),
        matches=Counter("haven_matches", "Needs for which matching found at least one candidate", ["need"],
                        registry=registry),
        unmet=Counter("haven_unmet_needs", "Needs for which matching found no candidate", ["need"],
                      registry=registry),
        referrals=Counter("haven_referrals", "Referrals that reached a status", ["status"], registry=registry),
        store_latency=Histogram("haven_store_operation_duration_seconds", "Time a store operation took",
                                ["service", "operation"], buckets=STORE_BUCKETS, registry=registry),
        multiprocess=multiprocess,
    )
    if staleness is not None:
        metrics.staleness = _StalenessCollector(staleness, staleness_cache_seconds)
        if not multiprocess:
            registry.register(metrics.staleness)
    app.extensions[EXTENSION] = metrics

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        # The route template ("/providers/<uuid:provider_id>"), never the path: bounded labels, no ids.
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        if started is None or g.pop("metrics_scrape", False):
            return response
        labels = (service, request.method, route, str(response.status_code))
        metrics.requests.labels(*labels).inc()
        metrics.latency.labels(*labels).observe(time.perf_counter() - started)
        return response

    if expose or scrape_token:
        # Answered before any other hook: a scrape costs no token lookup and no rate-limit count.
        @app.before_request
        def _serve_metrics():
            if request.path != METRICS_PATH or request.method not in ("GET", "HEAD"):
                return None
            g.metrics_scrape = True  # scrapes are not counted, refused ones included
            if scrape_token and not _presents(scrape_token):
                return Response("a scrape token is required\n", status=401, mimetype="text/plain",
                                headers={"WWW-Authenticate": 'Bearer realm="haven-metrics"'})
            # content_type, not mimetype: CONTENT_TYPE_LATEST carries its charset already.
            return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    return metrics


def _presents(token: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())


def prepare_multiprocess_dir(environ: Mapping[str, str] | None = None) -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR (made 0700 if missing) before the workers start: old files would add in."""
    folder = (os.environ if environ is None else environ).get(MULTIPROC_ENV)
    if not folder:
        return
    os.makedirs(folder, mode=0o700, exist_ok=True)
    # Only prometheus-client's own files: the folder may have been pointed somewhere that holds more.
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False) and entry.name.endswith(".db"):
            os.unlink(entry.path)


def child_exit(server, worker) -> None:
    """gunicorn hook: a worker's live gauges leave the sum when it exits (its counters stay counted)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def app_metrics(app: Flask | None = None) -> Metrics | None:
    """The metrics of this app (or the current one); None outside an app or when metrics are off."""
    if app is None:
        if not has_app_context():
            return None
        return current_app.extensions.get(EXTENSION)
    return app.extensions.get(EXTENSION)


def count_match(need: str, *, found: bool = True) -> None:
    """One need matched: counted as a match when candidates were found, else as unmet."""
    metrics = app_metrics()
    if metrics is not None:
        (metrics.matches if found else metrics.unmet).labels(need).inc()


def count_unmet(need: str) -> None:
    count_match(need, found=False)


def count_referral(status: str) -> None:
    """A referral reached this status (pending when made, then accepted, declined, ...)."""
    metrics = app_metrics()
    if metrics is not None:
        metrics.referrals.labels(status).inc()


class store_timer(ContextDecorator):
    """Time a store operation: `with store_timer("search"): ...` or `@store_timer("search")`."""

    def __init__(self, operation: str):
        self.operation = operation
        self._started = 0.0

    def _recreate_cm(self):
        # A fresh timer per call of a decorated function, so threads never share a start time.
        return store_timer(self.operation)

    def __enter__(self):
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self._started
        metrics = app_metrics()
        if metrics is not None:
            metrics.store_latency.labels(metrics.service, self.operation).observe(elapsed)
        return False
