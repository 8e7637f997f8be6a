"""The gateway with its web pages, in front of the real directory and matcher of tests/gateway/conftest.py."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pyotp
import pytest
from argon2 import PasswordHasher

from services.directory.demo import load_demo
from services.gateway import create_app as create_gateway
from services.gateway.accounts import AccountPolicy, Passwords
from services.gateway.accounts import service as accounts
from services.gateway.accounts.sqlite import SqliteAccountStore
from services.gateway.web.context import EXTENSION
from services.gateway.web.settings import WebSettings
from tests.support.clock import ManualClock

PASSWORD = "a long enough password"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def demo_stack(stack):
    """The stack with the demo providers loaded (once per module; the stack is module-wide)."""
    load_demo(stack.store, datetime.now(timezone.utc))
    return stack


@pytest.fixture
def web_clock():
    return ManualClock(datetime.now(timezone.utc))


@pytest.fixture
def account_store(tmp_path):
    store = SqliteAccountStore(tmp_path / "accounts.db")
    yield store
    store.close()


@pytest.fixture
def make_web(demo_stack, account_store, web_clock, tmp_path):
    """A gateway app with pages; WebSettings fields can be overridden."""
    built = []

    def make(**overrides):
        settings = WebSettings(**{"accounts_db_path": tmp_path / "accounts.db", "policy": AccountPolicy(),
                                  **overrides})
        app = create_gateway({"SETTINGS": demo_stack.settings(), "AUTH_STORE": demo_stack.auth_store,
                              "CLOCK": web_clock, "WEB_SETTINGS": settings, "ACCOUNT_STORE": account_store})
        # Cheap hashes: these tests are about the pages, not the hash's cost.
        app.extensions[EXTENSION].passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        built.append(app)
        return app

    yield make
    for app in built:
        context = app.extensions["haven_gateway"]
        context.directory.session.close()
        context.matcher.session.close()


@pytest.fixture
def web_app(make_web):
    return make_web()


@pytest.fixture
def make_account(web_app, account_store, web_clock):
    def make(role="caseworker", email=None, provider_ids=(), password=PASSWORD):
        passwords = web_app.extensions[EXTENSION].passwords
        account, _ = accounts.create_account(store=account_store, passwords=passwords, policy=AccountPolicy(),
                                             email=email or f"{role}@example.org", role=role,
                                             provider_ids=tuple(provider_ids), password=password, now=web_clock())
        return account

    return make


class Pages:
    """A browser-like test client: keeps cookies and sends the form token of the last page it read."""

    def __init__(self, app, base_url: str | None = None):
        self.app = app
        self.client = app.test_client()
        self.base = {"base_url": base_url} if base_url else {}
        self.token = None

    def get(self, path, **kwargs):
        response = self.client.get(path, **self.base, **kwargs)
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path, data=None, *, token=True, **kwargs):
        data = dict(data or {})
        if token and self.token and "csrf_token" not in data:
            data["csrf_token"] = self.token
        response = self.client.post(path, data=data, **self.base, **kwargs)
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def sign_in(self, email, password=PASSWORD, *, code=True):
        """Email and password; then, where the account needs one, a real authenticator code (`code=False`: stop)."""
        self.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": password})
        if not code or "/sign-in/code" not in response.headers.get("Location", ""):
            return response
        self.get(response.headers["Location"])
        return self.post("/sign-in/code", {"code": self.current_code(email)})

    def current_code(self, email) -> str:
        """What an authenticator app would show now, on the app's clock, for a step not used yet."""
        account = self.app.extensions[EXTENSION].accounts.find_by_email(email.lower())
        totp = pyotp.TOTP(account.totp_secret)
        step = totp.timecode(self.app.extensions["haven_gateway"].clock())
        return totp.generate_otp(next(s for s in (step - 1, step, step + 1) if s > account.totp_last_step))

    def text(self, path, **kwargs) -> str:
        return self.get(path, **kwargs).get_data(as_text=True)


@pytest.fixture
def pages(web_app):
    return Pages(web_app)


@pytest.fixture
def caseworker(web_app, make_account):
    account = make_account("caseworker")
    client = Pages(web_app)
    assert client.sign_in(account.email).status_code == 302
    client.account = account
    return client


@pytest.fixture
def admin(web_app, make_account):
    account = make_account("admin")
    client = Pages(web_app)
    # An admin's first sign-in sets up the authenticator app and ends on the recovery codes page.
    assert "recovery-codes" in client.sign_in(account.email).get_data(as_text=True)
    client.account = account
    return client
