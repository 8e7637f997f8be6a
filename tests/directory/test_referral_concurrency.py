"""No overbooking under real concurrency: gunicorn workers racing for the last units of one provider."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services.directory.domain.queries import ReferralFilter
from services.directory.domain.rules import utc_now
from services.directory.store.sqlite import SqliteDirectoryStore
from services.shared.signing import Claims
from tests.support.factories import provider
from tests.support.processes import start_gunicorn
from tests.support.signed import signed_request

pytestmark = pytest.mark.integration

SECRET = "concurrency-test-secret"
FREE_UNITS = 7
ATTEMPTS = 200
THREADS = 50


@pytest.fixture
def directory_service(tmp_path):
    # An empty HAVEN_STORE_URL means the default: haven.db in the data folder, whatever the caller's
    # environment says.
    env = {"HAVEN_DATA_DIR": str(tmp_path), "HAVEN_INTERNAL_SECRET": SECRET, "HAVEN_LOG_LEVEL": "WARNING",
           "HAVEN_STORE_URL": ""}
    with start_gunicorn("services.directory:create_app()", env, workers=4) as service:
        yield service


def call(service, claims, method, path, *, session=None, **kwargs):
    return signed_request(service.url, SECRET.encode(), claims, method, path, session=session, **kwargs)


@pytest.mark.parametrize("round", range(3))
def test_exactly_the_free_units_are_held_when_200_referrals_race(directory_service, tmp_path, round):
    admin = Claims(role="admin", subject="admin:seed")
    body = provider(capacity={"available": FREE_UNITS, "maximum": FREE_UNITS})
    seeded = call(directory_service, admin, "POST", "/providers", json_body=body)
    assert seeded.status_code == 201, seeded.text
    provider_id = seeded.json()["id"]

    sessions = threading.local()
    start = threading.Barrier(THREADS)

    def refer(n: int) -> int:
        if not hasattr(sessions, "session"):
            sessions.session = requests.Session()
            start.wait(timeout=30)  # every thread ready before the first request goes out
        caseworker = Claims(role="caseworker", subject=f"caseworker:{n % 13}")
        response = call(directory_service, caseworker, "POST", "/referrals", session=sessions.session,
                        json_body={"provider_id": provider_id, "need": "shelter", "case_reference": f"race-{n}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = Counter(pool.map(refer, range(ATTEMPTS)))

    assert statuses == {201: FREE_UNITS, 409: ATTEMPTS - FREE_UNITS}, f"{statuses}\n{directory_service.stderr_tail()}"

    # The service agrees...
    pending = call(directory_service, admin, "GET", "/referrals", params={"status": "pending", "size": 100})
    assert pending.json()["total_items"] == FREE_UNITS
    capacity = call(directory_service, admin, "GET", f"/providers/{provider_id}").json()["capacity"]
    assert (capacity["available"], capacity["held"], capacity["free"]) == (FREE_UNITS, FREE_UNITS, 0)
    # ...and so does the file on disk, read without the service.
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    try:
        now = utc_now()
        assert store.list_referrals(ReferralFilter(status="pending", size=100), now).total == FREE_UNITS
        assert store.list_referrals(ReferralFilter(size=100), now).total == FREE_UNITS
        assert store.get_provider(provider_id, now)["capacity"]["held"] == FREE_UNITS
    finally:
        store.close()
