"""`haven up` keeps its services running: a service killed outright is started again while the others
keep answering, a service that cannot start stops `haven up` with a clear message, and SIGTERM stops all."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests

from services.cli.supervise import Backoff, describe_exit
from tests.reliability.figures import record
from tests.support.haven_up import SERVICES, start_haven_up

MATCH = {"needs": ["shelter", "legal"], "languages": ["ro", "en"], "gender": "female", "age": 24,
         "location": {"place": "Utrecht"}}
RESTART_TIMEOUT_S = 60.0


def test_backoff_doubles_from_half_a_second_up_to_a_cap_and_starts_over_after_a_reset():
    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_backoff_stays_at_its_cap_however_many_crashes():
    backoff = Backoff()
    delays = [backoff.next_delay() for _ in range(5000)]
    assert max(delays) == 30 and delays[-1] == 30


def test_an_exit_is_described_by_its_code_or_by_the_signal_that_ended_it():
    assert describe_exit(3) == {"exit_code": 3, "signal": None}
    assert describe_exit(-signal.SIGKILL) == {"exit_code": None, "signal": "SIGKILL"}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def log_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


@pytest.fixture(scope="module")
def haven(tmp_path_factory):
    folder = tmp_path_factory.mktemp("supervised") / "data"
    with start_haven_up(folder, "--demo") as running:
        running.folder = folder
        yield running


def caseworker(haven) -> dict[str, str]:
    credentials = json.loads((haven.folder / "demo-credentials.json").read_text())
    return {"Authorization": f"Bearer {credentials['tokens']['caseworker']}"}


@pytest.mark.integration
@pytest.mark.parametrize("service", ["directory", "matcher", "gateway"])
def test_a_service_killed_outright_is_started_again_while_the_others_keep_answering(haven, service):
    others = [name for name in SERVICES if name != service]
    master = haven.masters()[service]
    os.kill(master, signal.SIGKILL)
    killed = time.monotonic()
    misses = {name: 0 for name in others}
    # Workers of a master killed outright may answer for a moment on their own: wait for the new master.
    while haven.masters().get(service, master) == master or not haven.healthy(service, timeout=1):
        assert time.monotonic() - killed < RESTART_TIMEOUT_S, haven.output_text()[-4000:]
        for name in others:
            misses[name] += not haven.healthy(name)
        time.sleep(0.05)
    seconds = time.monotonic() - killed
    print(f"{service} answered /healthz again {seconds:.2f} s after kill -9 of its master")
    record(f"restart after kill -9 ({service})", f"{seconds:.2f} s")
    assert misses == {name: 0 for name in others}
    assert not alive(master)
    assert haven.process.poll() is None

    restarts = [line for line in log_lines(haven.output_text())
                if line.get("message") == "service stopped; restarting" and line.get("target_service") == service]
    assert restarts and restarts[-1]["signal"] == "SIGKILL" and restarts[-1]["restart_in_s"] == 0.5, restarts

    # Real work through the gateway: search (gateway and directory) and matching (all three).
    headers = caseworker(haven)
    api = haven.url("gateway") + "/api/v1"
    search = requests.get(f"{api}/providers", params={"near": "Utrecht"}, headers=headers, timeout=60)
    assert search.status_code == 200 and search.json()["total_items"] > 0, search.text[:300]
    matches = requests.post(f"{api}/matches", json=MATCH, headers=headers, timeout=60)
    assert matches.status_code == 200 and matches.json()["results"], matches.text[:300]


@pytest.mark.integration
def test_sigterm_stops_all_three_services_and_haven_up_exits_cleanly(tmp_path):
    haven = start_haven_up(tmp_path / "data")
    try:
        masters = haven.masters()
        assert set(masters) == set(SERVICES)
        haven.process.send_signal(signal.SIGTERM)
        assert haven.process.wait(30) == 0
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in masters.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in masters.values())
        assert not any(haven.healthy(service, timeout=1) for service in SERVICES)
    finally:
        haven.stop()


@pytest.mark.integration
def test_a_service_that_cannot_start_stops_haven_up_with_a_message_naming_it(tmp_path):
    folder = tmp_path / "data"
    with pytest.raises(RuntimeError) as failed:
        # An invalid matcher setting: every start of the matcher fails before it answers.
        start_haven_up(folder, env={"HAVEN_MATCH_CANDIDATE_POOL": "0"}, timeout=60)
    message = str(failed.value)
    assert "exited with 1" in message, message
    assert "the matcher service exited 3 times before it ever answered" in message, message
