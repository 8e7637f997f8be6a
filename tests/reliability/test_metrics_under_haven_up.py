"""Under `haven up` with two workers per service, every scrape sums all workers: counters never go back."""
from __future__ import annotations

import secrets

import pytest
import requests
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from tests.support.haven_up import SERVICES, start_haven_up

pytestmark = pytest.mark.integration
SCRAPES = 40


def health_checks_counted(page: str) -> float:
    """haven_http_requests_total for /healthz, summed over its labels."""
    return sum(sample.value for family in text_string_to_metric_families(page)
               for sample in family.samples
               if sample.name == "haven_http_requests_total" and sample.labels.get("route") == "/healthz")


def test_every_scrape_of_every_service_counts_all_workers_and_never_goes_back(tmp_path):
    token = secrets.token_hex(16)
    with start_haven_up(tmp_path / "data", env={"HAVEN_METRICS_TOKEN": token}, workers=2) as haven:
        scraper = {"Authorization": f"Bearer {token}"}
        assert requests.get(haven.url("gateway") + "/metrics", timeout=10).status_code == 401
        for service in SERVICES:
            seen, sent = [], 0
            for _ in range(SCRAPES):
                for _ in range(3):  # new connections: they land on either worker
                    assert requests.get(haven.url(service) + "/healthz", timeout=10).status_code == 200
                    sent += 1
                answer = requests.get(haven.url(service) + "/metrics", headers=scraper, timeout=10)
                assert answer.status_code == 200, (service, answer.text[:300])
                assert answer.headers["Content-Type"] == CONTENT_TYPE_LATEST
                seen.append(health_checks_counted(answer.text))
            assert seen == sorted(seen), (service, seen)
            # Both workers answered some of these; one worker's own count would fall short of all of them.
            assert seen[-1] - seen[0] >= sent - 3, (service, seen[0], seen[-1], sent)
        assert (tmp_path / "data" / "metrics" / "directory").is_dir()
