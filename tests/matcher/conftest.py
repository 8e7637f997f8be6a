"""The matcher against a real directory: a real SQLite file, served over real HTTP on a free port."""
from __future__ import annotations

import io
import logging
import threading
import time
from datetime import datetime, timezone

import pytest
from werkzeug.serving import make_server

from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from services.shared.logs import JsonFormatter
from tests.conftest import SECRET
from tests.support.signed import SignedFlaskClient


class ServedApp:
    """A WSGI app served on 127.0.0.1 in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def directory_server(directory_app):
    served = ServedApp(directory_app)
    yield served
    served.stop()


@pytest.fixture(params=["directory", "read_model"])
def matcher_settings(request, directory_server) -> MatcherSettings:
    """Every matcher test runs twice: candidates asked of the directory, and answered from the read model."""
    return MatcherSettings(directory_url=directory_server.url, internal_secret=SECRET,
                           read_model=request.param == "read_model", read_model_interval=0.05,
                           figures_seconds=600)  # outcome counts go when a test sends them


@pytest.fixture
def matcher_app(matcher_settings, clock):
    app = create_matcher({"SETTINGS": matcher_settings, "CLOCK": clock})
    yield app
    if app.extensions["haven"].follower is not None:
        app.extensions["haven"].follower.stop()
    app.extensions["haven"].tally.send()
    app.extensions["haven"].directory.session.close()


class CaughtUpClient(SignedFlaskClient):
    """A signed client that, with the read model on, waits before each request until the model has read every
    change the directory has: the tests ask about what they just wrote (visibility is measured in the bench)."""

    def __init__(self, app, store, *args, **kwargs):
        super().__init__(app, *args, **kwargs)
        self.app, self.store = app, store

    def as_role(self, role, subject=None, provider_ids=()):
        return CaughtUpClient(self.app, self.store, self.secret, role, subject, provider_ids)

    def open(self, *args, **kwargs):
        wait_until_caught_up(self.app, self.store)
        return super().open(*args, **kwargs)

    def send(self, method, path, body):
        wait_until_caught_up(self.app, self.store)
        return super().send(method, path, body)


def wait_until_caught_up(app, store, timeout: float = 30.0) -> None:
    follower = app.extensions["haven"].follower
    if follower is None:
        return
    latest = store.changes(0, 10 ** 9, datetime.now(timezone.utc)).sequence
    deadline = time.monotonic() + timeout
    while not (follower.fresh() and follower.model.sequence >= latest):
        assert time.monotonic() < deadline, "the read model did not catch up with the directory"
        time.sleep(0.01)


@pytest.fixture
def matcher(matcher_app, sqlite_store) -> SignedFlaskClient:
    """The matcher as a caseworker reaches it through the gateway."""
    return CaughtUpClient(matcher_app, sqlite_store, SECRET, "caseworker")


@pytest.fixture
def add_providers(admin):
    """Create providers in the directory as an admin; returns them by name."""

    def add(*records: dict) -> dict[str, dict]:
        created = {}
        for record in records:
            response = admin.post("/providers", record)
            assert response.status_code == 201, response.json
            created[record["name"]] = response.json
        return created

    return add


@pytest.fixture
def json_logs():
    """Every log line of the process as the services write them (JSON), collected in memory."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
