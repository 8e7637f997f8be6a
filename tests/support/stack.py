"""All three services as real gunicorn processes on free ports, as `haven up` runs them (no pytest dependency).

    stack = start_stack(tmp_path)            # demo data, rate limits off, a token per role
    requests.get(stack.gateway_url + "/api/v1/providers", headers=stack.auth("caseworker"))
    stack.kill("directory"); stack.start("directory")   # a crash, and the same service back on its port
    stack.close()

Each service keeps its port for the life of the stack, so a service started again is found where the
others expect it, as after a restart in production.
"""
from __future__ import annotations

import re
import secrets
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests

from services.directory.demo import load_demo
from services.directory.store import store_from_url
from services.gateway.accounts import AccountPolicy, Passwords, open_account_store
from services.gateway.accounts import service as accounts
from services.gateway.accounts.passwords import hasher_from_env
from services.gateway.auth import open_auth_store
from services.gateway.settings import auth_db_path
from services.gateway.web.settings import accounts_db_path
from tests.support.processes import ServiceProcess, free_port, start_gunicorn

SERVICES = ("directory", "matcher", "gateway")
PASSWORD = "correct horse battery staple 42"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# The production worker model (deploy/gunicorn.conf.py): threads keep connections alive between services.
# The same request-line limit as `haven up`: long enough for every query the API documents.
GUNICORN_ARGS = ("--worker-class", "gthread", "--threads", "4", "--keep-alive", "30",
                 "--limit-request-line", "8190")


@dataclass
class HavenStack:
    folder: Path
    env: dict[str, str]
    ports: dict[str, int]
    workers: int = 2
    # Settings for one service only, kept for its restarts (a directory that reaches its store another way).
    service_env: dict[str, dict[str, str]] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    provider_id: str = ""

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def gateway_url(self) -> str:
        return self.url("gateway")

    @property
    def api(self) -> str:
        return self.url("gateway") + "/api/v1"

    @property
    def store_url(self) -> str:
        return self.env["HAVEN_STORE_URL"]

    @property
    def secret(self) -> bytes:
        return self.env["HAVEN_INTERNAL_SECRET"].encode()

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def start(self, service: str, **env_overrides: str) -> ServiceProcess:
        """Start one service on its port (again, after a stop or a kill)."""
        env = dict(self.env, **self.service_env.get(service, {}), **env_overrides)
        process = start_gunicorn(f"services.{service}:create_app()", env, workers=self.workers,
                                 port=self.ports[service], extra_args=GUNICORN_ARGS)
        self.processes[service] = process
        return process

    def stop(self, service: str) -> None:
        """A graceful stop (SIGTERM)."""
        self.processes[service].stop()

    def kill(self, service: str) -> None:
        """A crash: SIGKILL to the master and every worker at once."""
        self.processes[service].kill()

    def issue(self, role: str, provider_ids: tuple[str, ...] = (), name: str = "") -> str:
        """A new API token, written straight into the gateway's auth store (SQLite, or the engine)."""
        store = open_auth_store(auth_db_path(self.env), self.store_url)
        try:
            _, plaintext = store.issue(role, tuple(provider_ids), name or f"test {role}", None,
                                       datetime.now(timezone.utc))
        finally:
            store.close()
        return plaintext

    def create_account(self, role: str, email: str, password: str = PASSWORD) -> None:
        """A web sign-in, written straight into the gateway's account store (a provider manages provider_id)."""
        store = open_account_store(accounts_db_path(self.env), self.store_url)
        try:
            accounts.create_account(store=store, passwords=Passwords(hasher_from_env(self.env)), policy=AccountPolicy(),
                                    email=email, role=role, password=password,
                                    provider_ids=(self.provider_id,) if role == "provider" else (),
                                    now=datetime.now(timezone.utc))
        finally:
            store.close()

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Session:
        """A browser-like session signed in through the real form (pre-session cookie and form token)."""
        browser = requests.Session()
        form = browser.get(f"{self.gateway_url}/sign-in", timeout=30)
        token = FORM_TOKEN.search(form.text).group(1)
        answer = browser.post(f"{self.gateway_url}/sign-in", timeout=30, allow_redirects=False,
                              data={"email": email, "password": password, "csrf_token": token})
        assert answer.status_code == 302, answer.text[:500]
        return browser

    def stderr(self, service: str) -> str:
        return self.processes[service].stderr_tail()

    def close(self) -> None:
        for service in reversed(SERVICES):
            process = self.processes.get(service)
            if process is not None:
                process.stop()


def start_stack(folder: Path, *, store_url: str | None = None, demo: bool = True, workers: int = 2,
                service_env: dict[str, dict[str, str]] | None = None, **env_overrides: str) -> HavenStack:
    """Directory, matcher and gateway under gunicorn, with demo data and a token for each role.

    `env_overrides` are HAVEN_* settings for all three (HAVEN_RATE_LIMIT is 0 unless given);
    `service_env` adds settings for one service, e.g. {"directory": {"HAVEN_STORE_URL": ...}}.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ports = {service: free_port() for service in SERVICES}
    env = {
        "HAVEN_DATA_DIR": str(folder),
        "HAVEN_STORE_URL": store_url or f"sqlite:///{folder / 'haven.db'}",
        "HAVEN_INTERNAL_SECRET": secrets.token_hex(32),
        "HAVEN_SECRET_KEY": secrets.token_hex(32),
        "HAVEN_DIRECTORY_URL": f"http://127.0.0.1:{ports['directory']}",
        "HAVEN_MATCHER_URL": f"http://127.0.0.1:{ports['matcher']}",
        "HAVEN_RATE_LIMIT": "0",
        "HAVEN_LOG_LEVEL": "WARNING",
        # The cheapest argon2 cost: accounts made by tests sign in quickly; the algorithm is the same.
        "HAVEN_PASSWORD_TIME_COST": "1", "HAVEN_PASSWORD_MEMORY_KIB": "8", "HAVEN_PASSWORD_PARALLELISM": "1",
        **env_overrides,
    }
    stack = HavenStack(folder=folder, env=env, ports=ports, workers=workers, service_env=service_env or {})
    if demo:
        store = store_from_url(env["HAVEN_STORE_URL"])
        try:
            load_demo(store, datetime.now(timezone.utc))
            stack.provider_id = next(
                record["id"] for record in store.iter_providers(datetime.now(timezone.utc))
                if record["type"] == "shelter" and record["status"] == "active")
        finally:
            store.close()
    try:
        # Started side by side: importing a service takes seconds, and none needs another to start.
        with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
            for started in [pool.submit(stack.start, service) for service in SERVICES]:
                started.result()
    except BaseException:
        stack.close()
        raise
    stack.tokens = {"admin": stack.issue("admin"), "caseworker": stack.issue("caseworker")}
    if stack.provider_id:
        stack.tokens["provider"] = stack.issue("provider", (stack.provider_id,))
    return stack


def sqlite_rows(path: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    """Rows read straight from a SQLite file, without any service (a read-only connection)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
