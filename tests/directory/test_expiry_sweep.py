"""Holds past their time are marked expired by the directory's own sweep, once, by one worker."""
from __future__ import annotations

import time

import pytest

from services.directory import create_app as create_directory
from services.directory.background import Background, Task
from services.directory.domain.queries import AuditFilter
from services.directory.settings import DirectorySettings
from tests.conftest import SECRET
from tests.support.factories import provider
from tests.support.signed import SignedFlaskClient


def eventually(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


@pytest.fixture
def swept_app(sqlite_store, clock, tmp_path):
    settings = DirectorySettings(store_url=f"sqlite:///{tmp_path / 'haven.db'}", internal_secret=SECRET,
                                 sweep_seconds=0.05, background_lock=tmp_path / "background.lock")
    app = create_directory({"SETTINGS": settings, "STORE": sqlite_store, "CLOCK": clock})
    yield app
    app.extensions["haven"].background.stop()


def test_a_hold_past_its_time_is_marked_expired_with_an_audit_entry_without_anyone_reading_it(
        swept_app, sqlite_store, clock):
    admin = SignedFlaskClient(swept_app, SECRET, "admin")
    shelter = admin.post("/providers", provider(capacity={"available": 1, "maximum": 2})).json
    referral = admin.as_role("caseworker").post("/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                                               "case_reference": "ZAAK-S1", "hold_minutes": 5}).json
    time.sleep(0.2)
    assert sqlite_store.get_referral(referral["id"]).status == "pending"

    clock.advance(minutes=6)

    eventually(lambda: sqlite_store.get_referral(referral["id"]).status == "expired")
    entries = sqlite_store.list_audit(AuditFilter(action="referral.expire", target=referral["id"])).items
    assert [(e.actor, e.at) for e in entries] == [("directory", referral["expires_at"])]


def test_of_two_workers_sharing_a_lock_only_one_runs_the_tasks(tmp_path):
    runs = {"a": 0, "b": 0}
    workers = [Background([Task("count", 0.01, lambda name=name: runs.__setitem__(name, runs[name] + 1))],
                          lock_path=tmp_path / "background.lock") for name in ("a", "b")]
    for worker in workers:
        worker.start()
    try:
        eventually(lambda: runs["a"] + runs["b"] > 20)
        assert sorted(worker.leading for worker in workers) == [False, True]
        assert 0 in runs.values()
        # The leader goes; the other takes the lock over and runs the tasks from then on.
        leader, follower = sorted(workers, key=lambda worker: not worker.leading)
        leader.stop()
        before = dict(runs)
        eventually(lambda: follower.leading, timeout=5)
        eventually(lambda: sum(runs.values()) > sum(before.values()) + 5)
    finally:
        for worker in workers:
            worker.stop()


def test_a_failing_task_is_tried_again_on_the_next_round(tmp_path):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("store down")

    worker = Background([Task("flaky", 0.01, flaky)]).start()
    try:
        eventually(lambda: len(attempts) >= 4)
    finally:
        worker.stop()
