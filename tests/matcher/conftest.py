"""The matcher against a real directory: a real SQLite file, served over real HTTP on a free port."""
from __future__ import annotations

import io
import logging
import threading

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


@pytest.fixture
def matcher_settings(directory_server) -> MatcherSettings:
    return MatcherSettings(directory_url=directory_server.url, internal_secret=SECRET)


@pytest.fixture
def matcher_app(matcher_settings, clock):
    app = create_matcher({"SETTINGS": matcher_settings, "CLOCK": clock})
    yield app
    app.extensions["haven"].directory.session.close()


@pytest.fixture
def matcher(matcher_app) -> SignedFlaskClient:
    """The matcher as a caseworker reaches it through the gateway."""
    return SignedFlaskClient(matcher_app, SECRET, "caseworker")


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
