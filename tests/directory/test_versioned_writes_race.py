"""No lost updates under real concurrency: admin edits racing accepts and capacity reports, on every store.

Each trial makes a fresh provider and races admin PATCHes of its description (a field that has nothing
to do with capacity) against an accept or a series of capacity reports, over real HTTP to gunicorn
workers, while a reader polls the provider. Nothing may roll back: `available` ends where the accepts
and reports put it, a used bed is never held a second time, and the reader never sees `available` move
the wrong way. Run with `-s` to see the trials per store.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services.shared.signing import Claims
from tests.support.engine_store import engine_store, fresh_prefix, require_engine, store_url
from tests.support.factories import provider
from tests.support.processes import start_gunicorn
from tests.support.signed import signed_request

pytestmark = pytest.mark.integration

SECRET = "versioned-writes-race-secret"
TRIALS = 40
PATCHERS = 2         # admin edits in flight beside each accept or report
PATCHES_EACH = 2
REPORTS = 4          # capacity reports per trial, each one higher than the last
READ_EVERY_S = 0.02
START_S = 90         # a loaded machine can take a while to boot the workers

ADMIN = Claims(role="admin", subject="admin:race")
CASEWORKER = Claims(role="caseworker", subject="caseworker:race")


@pytest.fixture(params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def directory_service(request, tmp_path):
    """The directory as four gunicorn workers on a fresh store of each kind."""
    env = {"HAVEN_DATA_DIR": str(tmp_path), "HAVEN_INTERNAL_SECRET": SECRET, "HAVEN_LOG_LEVEL": "WARNING",
           "HAVEN_STORE_URL": ""}
    if request.param == "sqlite":
        with start_gunicorn("services.directory:create_app()", env, workers=4, timeout=START_S) as service:
            yield request.param, service
        return
    prefix = fresh_prefix()
    env["HAVEN_STORE_URL"] = store_url(require_engine(), prefix)
    with engine_store(prefix), start_gunicorn("services.directory:create_app()", env, workers=4,
                                              timeout=START_S) as service:
        yield request.param, service


class Caller:
    """Signed requests with one keep-alive session per thread."""

    def __init__(self, service):
        self.service = service
        self.local = threading.local()

    def __call__(self, claims: Claims, method: str, path: str, body=None) -> requests.Response:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return signed_request(self.service.url, SECRET.encode(), claims, method, path, json_body=body,
                              session=self.local.session)


class Reader:
    """Polls a provider's `available` until stopped; keeps every value seen, in order."""

    def __init__(self, call: Caller, provider_id: str):
        self.call, self.provider_id = call, provider_id
        self.seen: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            answer = self.call(ADMIN, "GET", f"/providers/{self.provider_id}")
            if answer.status_code == 200:
                self.seen.append(answer.json()["capacity"]["available"])
            self.stop.wait(READ_EVERY_S)  # leaves the workers to the writers most of the time


def _create(call: Caller, available: int) -> str:
    answer = call(ADMIN, "POST", "/providers", provider(capacity={"available": available, "maximum": 10}))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _patches(call: Caller, provider_id: str, start: threading.Barrier, trial: int) -> list[int]:
    start.wait(timeout=30)
    return [call(ADMIN, "PATCH", f"/providers/{provider_id}",
                 {"description": f"trial {trial}, edit {n}"}).status_code for n in range(PATCHES_EACH)]


def _race(pool: ThreadPoolExecutor, call: Caller, provider_id: str, trial: int, work) -> tuple[list[int], list]:
    """Run `work(start)` beside the patchers and a reader; returns what the reader saw and the patch statuses."""
    reader = Reader(call, provider_id)
    start = threading.Barrier(PATCHERS + 1)
    reading = pool.submit(reader.run)
    patchers = [pool.submit(_patches, call, provider_id, start, trial) for _ in range(PATCHERS)]
    try:
        work(start)
        statuses = [status for patcher in patchers for status in patcher.result(timeout=60)]
    finally:
        reader.stop.set()
        reading.result(timeout=60)
    return reader.seen, statuses


def _report(store: str, kind: str, failures: list[str]) -> None:
    print(f"\n[{kind} race, {store}] {TRIALS} trials, {TRIALS - len(failures)} clean, {len(failures)} lost updates")
    for failure in failures:
        print(f"  {failure}")


def test_admin_edits_racing_accepts_never_give_a_used_bed_back(directory_service):
    store, service = directory_service
    call = Caller(service)
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=PATCHERS + 3) as pool:
        for trial in range(TRIALS):
            provider_id = _create(call, available=1)
            held = call(CASEWORKER, "POST", "/referrals",
                        {"provider_id": provider_id, "need": "shelter", "case_reference": f"race-{trial}"})
            assert held.status_code == 201, held.text
            referral_id = held.json()["id"]
            owner = Claims(role="provider", subject=f"provider:{provider_id}", provider_ids=(provider_id,))

            def accept(start: threading.Barrier) -> None:
                start.wait(timeout=30)
                answer = call(owner, "POST", f"/referrals/{referral_id}/accept")
                assert answer.status_code == 200, answer.text

            seen, statuses = _race(pool, call, provider_id, trial, accept)
            assert set(statuses) == {200}, statuses
            available = call(ADMIN, "GET", f"/providers/{provider_id}").json()["capacity"]["available"]
            second = call(CASEWORKER, "POST", "/referrals",
                          {"provider_id": provider_id, "need": "shelter", "case_reference": f"again-{trial}"})
            went_up = any(later > earlier for earlier, later in zip(seen, seen[1:]))
            if available != 0 or second.status_code != 409 or went_up:
                failures.append(f"trial {trial}: available {available} after the accept (want 0), second referral "
                                f"{second.status_code} (want 409), reader saw {seen}")
    _report(store, "accept", failures)
    assert not failures, f"{len(failures)} of {TRIALS} trials lost an accept on {store}: {failures}"


def test_admin_edits_racing_capacity_reports_never_roll_a_report_back(directory_service):
    store, service = directory_service
    call = Caller(service)
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=PATCHERS + 3) as pool:
        for trial in range(TRIALS):
            provider_id = _create(call, available=0)
            owner = Claims(role="provider", subject=f"provider:{provider_id}", provider_ids=(provider_id,))

            def report(start: threading.Barrier) -> None:
                start.wait(timeout=30)
                for available in range(1, REPORTS + 1):  # each report higher: any fall is a rollback
                    answer = call(owner, "PUT", f"/providers/{provider_id}/capacity", {"available": available})
                    assert answer.status_code == 200, answer.text

            seen, statuses = _race(pool, call, provider_id, trial, report)
            assert set(statuses) == {200}, statuses
            available = call(ADMIN, "GET", f"/providers/{provider_id}").json()["capacity"]["available"]
            went_down = any(later < earlier for earlier, later in zip(seen, seen[1:]))
            if available != REPORTS or went_down:
                failures.append(f"trial {trial}: available {available} after the last report (want {REPORTS}), "
                                f"reader saw {seen}")
    _report(store, "capacity report", failures)
    assert not failures, f"{len(failures)} of {TRIALS} trials rolled a report back on {store}: {failures}"
