"""The gateway in front of a real directory and matcher, each served over real HTTP on a free port."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from services.gateway import create_app as create_gateway
from services.gateway.auth.sqlite import SqliteAuthStore
from services.gateway.settings import GatewaySettings
from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from tests.gateway.servers import ServedApp

SECRET = b"gateway-test-secret-not-for-production"
API = "/api/v1"


@dataclass
class Stack:
    """A running directory and matcher with one SQLite store and one auth store."""

    folder: Path
    store: SqliteDirectoryStore
    auth_store: SqliteAuthStore
    directory_url: str
    matcher_url: str

    def settings(self, **overrides) -> GatewaySettings:
        base = GatewaySettings(directory_url=self.directory_url, matcher_url=self.matcher_url,
                               internal_secret=SECRET, secret_key=b"test-session-key",
                               auth_db_path=self.folder / "auth.db", rate_limit=0)
        return dataclasses.replace(base, **overrides)

    def issue(self, role: str, provider_ids=(), *, expires_at: datetime | None = None,
              revoked: bool = False) -> str:
        """A token straight from the auth store (the CLI's audit trail is tested on its own)."""
        now = datetime.now(timezone.utc)
        created = min(now, expires_at - timedelta(days=1)) if expires_at else now
        token_id, plaintext = self.auth_store.issue(role, tuple(provider_ids), f"test {role}", expires_at, created)
        if revoked:
            self.auth_store.revoke(token_id, now)
        return plaintext


def _start_stack(folder: Path):
    store = SqliteDirectoryStore(folder / "haven.db")
    directory = ServedApp(create_directory({
        "SETTINGS": DirectorySettings(store_url=f"sqlite:///{folder / 'haven.db'}", internal_secret=SECRET,
                                      webhook_allow_loopback=True),
        "STORE": store}))
    matcher_app = create_matcher({"SETTINGS": MatcherSettings(directory_url=directory.url, internal_secret=SECRET)})
    matcher = ServedApp(matcher_app)
    served = [directory, matcher]
    auth_store = SqliteAuthStore(folder / "auth.db")
    stack = Stack(folder=folder, store=store, auth_store=auth_store, directory_url=directory.url,
                  matcher_url=matcher.url)

    def stop():
        for server in served:
            server.stop()
        matcher_app.extensions["haven"].directory.session.close()
        auth_store.close()
        store.close()

    return stack, stop


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running, stop = _start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    stop()


@pytest.fixture
def make_gateway(stack):
    """Build gateway apps in front of the stack; settings fields can be overridden."""
    built = []

    def make(**overrides):
        # API only: the web pages have their own tests.
        app = create_gateway({"SETTINGS": stack.settings(**overrides), "AUTH_STORE": stack.auth_store,
                              "WEB": False})
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["haven_gateway"].close_clients()


class ApiClient:
    """A test client that sends one bearer token (or none) to /api/v1."""

    def __init__(self, app, token: str | None = None, headers: dict | None = None):
        self.client = app.test_client()
        self.token = token
        self.headers = headers or {}

    def with_token(self, token: str | None) -> "ApiClient":
        return ApiClient(self.client.application, token, self.headers)

    def open(self, method: str, path: str, *, json=None, headers: dict | None = None, **kwargs):
        sent = dict(self.headers, **(headers or {}))
        if self.token is not None:
            sent["Authorization"] = f"Bearer {self.token}"
        url = path if path.startswith(("/api/", "/healthz", "/readyz")) else API + path
        return self.client.open(url, method=method, json=json, headers=sent, **kwargs)

    def get(self, path, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.open("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.open("PUT", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.open("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.open("DELETE", path, **kwargs)
