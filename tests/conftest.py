"""Fixtures shared by every test: temporary data folders, a hand-moved clock, signed clients, a running Haven."""
from __future__ import annotations

import pytest

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from services.matcher.readmodel import FeedFollower
from tests.support.clock import ManualClock
from tests.support.havens import haven_on
from tests.support.signed import SignedFlaskClient

SECRET = b"test-secret-not-for-production"


def pytest_sessionfinish(session, exitstatus):
    """Matcher apps built in tests follow their directory's change feed in a thread of this process: stopped here,
    while their log lines still have somewhere to go."""
    FeedFollower.stop_all()


@pytest.fixture(scope="session")
def haven(tmp_path_factory):
    """One running Haven (three gunicorn services on SQLite, demo data, rate limits off) for every test that only
    uses it; tests that stop services or need other settings start their own with tests.support.havens.haven_on.

    Webhooks may go to a receiver on this machine and are delivered promptly: the load test measures them.
    """
    with haven_on("sqlite", tmp_path_factory.mktemp("haven"), HAVEN_WEBHOOK_ALLOW_LOOPBACK="1",
                  HAVEN_DELIVER_SECONDS="0.1") as stack:
        yield stack


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sqlite_store(tmp_path):
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    yield store
    store.close()


@pytest.fixture
def directory_app(sqlite_store, clock, tmp_path):
    settings = DirectorySettings(store_url=f"sqlite:///{tmp_path / 'haven.db'}", internal_secret=SECRET)
    return create_directory({"SETTINGS": settings, "STORE": sqlite_store, "CLOCK": clock})


@pytest.fixture
def admin(directory_app) -> SignedFlaskClient:
    return SignedFlaskClient(directory_app, SECRET, "admin")


@pytest.fixture
def caseworker(directory_app) -> SignedFlaskClient:
    return SignedFlaskClient(directory_app, SECRET, "caseworker")
