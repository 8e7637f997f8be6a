"""Two gateways and two directories on one search engine share everything: tokens, data, accounts, sessions.

Every process has its own HAVEN_DATA_DIR, so nothing can be shared through local files; gateway A talks
to directory A and gateway B to directory B. Skipped without Java (fails under HAVEN_REQUIRE_ENGINE=1).
"""
from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests

from services.gateway.accounts import AccountPolicy, Passwords, open_account_store
from services.gateway.accounts import service as accounts
from services.gateway.accounts.passwords import hasher_from_env
from tests.support.factories import provider
from tests.support.processes import free_port, start_gunicorn

pytestmark = [pytest.mark.engine, pytest.mark.integration]

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery staple"
GUNICORN_ARGS = ("--worker-class", "gthread", "--threads", "4")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    from services.shared.engine.indices import drop_indices
    from services.gateway.auth.search_engine import SearchEngineAuthStore
    from tests.support.engine_store import fresh_prefix, require_engine, store_url

    url = store_url(require_engine(), fresh_prefix())
    folder = tmp_path_factory.mktemp("replicas")
    ports = {name: free_port() for name in ("directory-a", "directory-b", "matcher", "gateway-a", "gateway-b")}
    common = {
        "HAVEN_STORE_URL": url, "HAVEN_INTERNAL_SECRET": secrets.token_hex(32),
        "HAVEN_SECRET_KEY": secrets.token_hex(32), "HAVEN_RATE_LIMIT": "0", "HAVEN_LOG_LEVEL": "WARNING",
        "HAVEN_MATCHER_URL": f"http://127.0.0.1:{ports['matcher']}",
        "HAVEN_PASSWORD_TIME_COST": "1", "HAVEN_PASSWORD_MEMORY_KIB": "8", "HAVEN_PASSWORD_PARALLELISM": "1",
    }

    def env_of(name: str, **more: str) -> dict[str, str]:
        data_dir = folder / name
        data_dir.mkdir()
        return {**common, "HAVEN_DATA_DIR": str(data_dir), **more}

    plan = {
        "directory-a": ("services.directory:create_app()", env_of("directory-a")),
        "directory-b": ("services.directory:create_app()", env_of("directory-b")),
        "matcher": ("services.matcher:create_app()",
                    env_of("matcher", HAVEN_DIRECTORY_URL=f"http://127.0.0.1:{ports['directory-a']}")),
        "gateway-a": ("services.gateway:create_app()",
                      env_of("gateway-a", HAVEN_DIRECTORY_URL=f"http://127.0.0.1:{ports['directory-a']}")),
        "gateway-b": ("services.gateway:create_app()",
                      env_of("gateway-b", HAVEN_DIRECTORY_URL=f"http://127.0.0.1:{ports['directory-b']}")),
    }
    processes = {}
    try:
        with ThreadPoolExecutor(max_workers=len(plan)) as pool:
            started = {name: pool.submit(start_gunicorn, spec, env, port=ports[name], extra_args=GUNICORN_ARGS)
                       for name, (spec, env) in plan.items()}
            for name, future in started.items():
                processes[name] = future.result()
        yield {"url": url, "env": env_of("cli"), "a": processes["gateway-a"].url, "b": processes["gateway-b"].url}
    finally:
        for process in processes.values():
            process.stop()
        cleaner = SearchEngineAuthStore(url)
        try:
            drop_indices(cleaner.engine.client, cleaner.engine.names,
                         ("providers", "referrals", "audit", "tokens", "accounts", "sessions"))
        finally:
            cleaner.close()


def cli_token(replicas, role: str) -> str:
    """Issued through the `haven tokens issue` code path, with only the engine store URL to go on."""
    from services.cli.tokens import issue_token

    with pytest.MonkeyPatch.context() as patch:
        for name, value in replicas["env"].items():
            patch.setenv(name, value)
        return issue_token(role, name=f"replicas test {role}")


@pytest.fixture(scope="module")
def admin_token(replicas):
    return cli_token(replicas, "admin")


@pytest.fixture(scope="module")
def caseworker_token(replicas):
    return cli_token(replicas, "caseworker")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_both_gateways_are_ready_on_the_engine(replicas):
    for gateway in (replicas["a"], replicas["b"]):
        answer = requests.get(gateway + "/readyz", timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["auth_store"] == "up"


def test_a_token_issued_by_the_cli_works_on_both_gateways(replicas, admin_token):
    for gateway in (replicas["a"], replicas["b"]):
        answer = requests.get(gateway + "/api/v1/providers", headers=bearer(admin_token), timeout=30)
        assert answer.status_code == 200, answer.text


def test_a_referral_made_through_one_gateway_is_seen_through_the_other(replicas, admin_token, caseworker_token):
    record = provider(name="Gedeeld Huis")
    made = requests.post(replicas["a"] + "/api/v1/providers", json=record, headers=bearer(admin_token), timeout=30)
    assert made.status_code == 201, made.text
    seen = requests.get(f"{replicas['b']}/api/v1/providers/{record['id']}", headers=bearer(admin_token), timeout=30)
    assert seen.status_code == 200 and seen.json()["name"] == "Gedeeld Huis"

    referral = requests.post(replicas["a"] + "/api/v1/referrals", headers=bearer(caseworker_token), timeout=30,
                             json={"provider_id": record["id"], "need": "shelter", "case_reference": "CASE-REPL-1"})
    assert referral.status_code == 201, referral.text
    referral_id = referral.json()["id"]
    through_b = requests.get(f"{replicas['b']}/api/v1/referrals/{referral_id}", headers=bearer(caseworker_token),
                             timeout=30)
    assert through_b.status_code == 200, through_b.text
    assert through_b.json()["case_reference"] == "CASE-REPL-1"


def test_a_session_started_on_one_gateway_is_used_and_ended_on_the_other(replicas):
    store = open_account_store(replicas["env"]["HAVEN_DATA_DIR"], replicas["url"])
    try:
        accounts.create_account(store=store, passwords=Passwords(hasher_from_env(replicas["env"])),
                                policy=AccountPolicy(), email="replica@example.org", role="caseworker",
                                password=PASSWORD, now=datetime.now(timezone.utc))
    finally:
        store.close()

    browser = requests.Session()
    form = browser.get(replicas["a"] + "/sign-in", timeout=30)
    answer = browser.post(replicas["a"] + "/sign-in", allow_redirects=False, timeout=30,
                          data={"email": "replica@example.org", "password": PASSWORD,
                                "csrf_token": FORM_TOKEN.search(form.text).group(1)})
    assert answer.status_code == 302, answer.text[:500]
    assert "haven_session" in browser.cookies

    # The cookie jar ignores ports: the same browser now asks gateway B.
    page = browser.get(replicas["b"] + "/match", allow_redirects=False, timeout=30)
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
    assert "replica@example.org" in page.text or "sign-out" in page.text

    signed_out = browser.post(replicas["b"] + "/sign-out", allow_redirects=False, timeout=30,
                              data={"csrf_token": FORM_TOKEN.search(page.text).group(1)})
    assert signed_out.status_code in (302, 303), signed_out.text[:500]
    # Ended for gateway A too: the old cookie no longer opens a page there.
    stale = requests.get(replicas["a"] + "/match", cookies={"haven_session": answer.cookies["haven_session"]},
                         allow_redirects=False, timeout=30)
    assert stale.status_code == 302 and "sign-in" in stale.headers["Location"]
