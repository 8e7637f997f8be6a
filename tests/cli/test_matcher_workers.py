"""One read model per machine: `haven up` runs the matcher as one worker with the threads the workers would have
had together; that worker loads the model once, a capacity report reaches a caseworker's match through it, and a
worker killed outright is started again by gunicorn and catches up."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests

from services.cli.run import worker_settings
from tests.support.haven_up import _children, start_haven_up

DEADLINE_S = 120.0  # generous: a busy machine; nothing here is timed, only polled until it holds


def test_the_matcher_with_its_read_model_runs_one_worker_with_every_thread():
    assert worker_settings("matcher", 2, 4, {}) == (1, 8)
    assert worker_settings("matcher", 3, 2, {"HAVEN_MATCH_READ_MODEL": "on"}) == (1, 6)


def test_without_the_read_model_the_matcher_has_its_workers_like_every_other_service():
    assert worker_settings("matcher", 2, 4, {"HAVEN_MATCH_READ_MODEL": "off"}) == (2, 4)
    assert worker_settings("gateway", 2, 4, {}) == (2, 4)
    assert worker_settings("directory", 3, 2, {}) == (3, 2)
    # A wrong setting is the matcher's to name when it starts: `haven up` does not guess.
    assert worker_settings("matcher", 2, 4, {"HAVEN_MATCH_READ_MODEL": "maybe"}) == (2, 4)


@pytest.fixture(scope="module")
def haven(tmp_path_factory):
    folder = tmp_path_factory.mktemp("one-model") / "data"
    with start_haven_up(folder, "--demo", workers=2) as running:
        running.folder = folder
        yield running


def credentials(haven) -> dict:
    return json.loads((haven.folder / "demo-credentials.json").read_text())


def matcher_workers(haven) -> list[int]:
    return _children(haven.masters()["matcher"])


def read_model(haven) -> dict:
    try:
        return requests.get(haven.url("matcher") + "/readyz", timeout=5).json().get("read_model") or {}
    except (requests.RequestException, ValueError):
        return {}


def wait_until(what, message: str, haven) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not what():
        assert time.monotonic() < deadline, f"{message}\n{haven.output_text()[-3000:]}"
        time.sleep(0.1)


def models_loaded(haven) -> list[dict]:
    lines = []
    for line in haven.output_text().splitlines():
        try:
            logged = json.loads(line)
        except ValueError:
            continue
        if isinstance(logged, dict) and logged.get("message") == "read model loaded":
            lines.append(logged)
    return lines


def the_shelter(haven) -> tuple[str, dict, int]:
    """The demo provider's shelter: its id, a match asking for shelter where it is, its maximum."""
    headers = {"Authorization": f"Bearer {credentials(haven)['tokens']['caseworker']}"}
    name = credentials(haven)["provider_name"]
    found = requests.get(haven.url("gateway") + "/api/v1/providers", headers=headers, timeout=60,
                         params={"need": "shelter", "size": 100, "q": name}).json()
    shelter = next(item for item in found["contents"] if item["name"] == name)
    body = {"needs": ["shelter"], "languages": ["nl"], "limit": 20,
            "location": {"lat": shelter["location"]["lat"], "lon": shelter["location"]["lon"]}}
    return shelter["id"], body, shelter["capacity"]["maximum"]


def offered_by_the_read_model(haven, provider_id: str, body: dict) -> bool | None:
    """Whether a caseworker's match offers the provider; None unless the read model answered it."""
    headers = {"Authorization": f"Bearer {credentials(haven)['tokens']['caseworker']}"}
    answer = requests.post(haven.url("gateway") + "/api/v1/matches", json=body, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    if answer.json()["as_of"]["source"] != "read_model":
        return None
    return any(c["provider"]["id"] == provider_id for r in answer.json()["results"] for c in r["candidates"])


def report(haven, provider_id: str, available: int) -> None:
    headers = {"Authorization": f"Bearer {credentials(haven)['tokens']['provider']}"}
    answer = requests.put(f"{haven.url('gateway')}/api/v1/providers/{provider_id}/capacity",
                          json={"available": available}, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text[:300]


def a_report_reaches_a_match(haven) -> None:
    provider_id, body, maximum = the_shelter(haven)
    assert maximum > 0
    for available in (maximum, 0, maximum):
        report(haven, provider_id, available)
        wait_until(lambda: offered_by_the_read_model(haven, provider_id, body) is (available > 0),
                   f"a report of {available} free units never reached a match", haven)


@pytest.mark.integration
def test_one_matcher_worker_loads_the_read_model_once_and_sees_a_capacity_report(haven):
    master = haven.masters()["matcher"]
    command = Path(f"/proc/{master}/cmdline").read_bytes().split(b"\0")
    assert command[command.index(b"--workers") + 1] == b"1"
    assert command[command.index(b"--threads") + 1] == b"8"  # 2 workers x 4 threads, the default
    assert len(matcher_workers(haven)) == 1
    wait_until(lambda: read_model(haven).get("loaded") and read_model(haven).get("fresh"),
               "the matcher's read model was never loaded", haven)
    loaded = models_loaded(haven)
    assert len(loaded) == 1, loaded

    a_report_reaches_a_match(haven)


@pytest.mark.integration
def test_a_matcher_worker_killed_outright_is_started_again_and_catches_up(haven):
    wait_until(lambda: read_model(haven).get("fresh"), "the matcher's read model was never loaded", haven)
    [worker] = matcher_workers(haven)
    before = len(models_loaded(haven))
    os.kill(worker, signal.SIGKILL)
    wait_until(lambda: matcher_workers(haven) not in ([], [worker]), "no new matcher worker", haven)
    wait_until(lambda: len(models_loaded(haven)) == before + 1 and read_model(haven).get("fresh"),
               "the new worker never loaded the read model", haven)
    assert len(matcher_workers(haven)) == 1

    a_report_reaches_a_match(haven)


def test_a_matcher_stopped_gracefully_hands_the_outcome_counts_it_holds_to_the_directory(tmp_path):
    """Counts wait in the matcher for HAVEN_FIGURES_SECONDS; `haven up` stopping sends them on, not loses them."""
    from tests.support.stack import sqlite_rows

    folder = tmp_path / "data"
    running = start_haven_up(folder, "--demo", env={"HAVEN_FIGURES_SECONDS": "600"})
    try:
        running.folder = folder
        headers = {"Authorization": f"Bearer {credentials(running)['tokens']['caseworker']}"}
        body = {"needs": ["shelter", "legal"], "languages": ["nl"], "location": {"place": "Utrecht"}}
        for _ in range(3):
            answer = requests.post(running.url("gateway") + "/api/v1/matches", json=body, headers=headers, timeout=60)
            assert answer.status_code == 200, answer.text[:300]
        assert sqlite_rows(folder / "haven.db", "SELECT * FROM need_counts") == []  # still in the matcher
    finally:
        running.stop()

    counted = {(row["need"], row["region"]): row["matches"]
               for row in sqlite_rows(folder / "haven.db", "SELECT * FROM need_counts")}
    assert counted == {("shelter", "Utrecht"): 3, ("legal", "Utrecht"): 3}, running.output_text()[-3000:]
