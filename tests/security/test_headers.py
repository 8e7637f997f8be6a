"""Security headers on every page: a script policy without inline code, no framing, no sniffing, a referrer
policy, no caching of what pages show, and HSTS only when the gateway knows it is behind TLS."""
from __future__ import annotations

import pytest
import requests

from services.gateway import create_app
from services.gateway.accounts import AccountPolicy
from services.gateway.settings import GatewaySettings
from services.gateway.web.settings import WebSettings

pytestmark = pytest.mark.integration

ANONYMOUS_PAGES = ("/sign-in", "/api/v1/docs")
PAGES_OF_ROLE = {
    "caseworker": ("/match", "/group", "/providers", "/referrals", "/providers/{provider_id}"),
    "provider": ("/capacity", "/incoming"),
    "admin": ("/admin/providers", "/admin/providers/new", "/admin/accounts", "/admin/tokens", "/admin/audit",
              "/admin/providers/{provider_id}/edit"),
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_page_headers(answer: requests.Response | object, where: str) -> None:
    headers = answer.headers
    policy = directives(headers.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None, f"{where}: no script policy"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts, where
    assert policy.get("frame-ancestors") == ["'none'"] or headers.get("X-Frame-Options") == "DENY", where
    assert policy.get("object-src", policy.get("default-src")) in (["'none'"], ["'self'"]), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), where
    assert "no-store" in headers.get("Cache-Control", ""), where
    assert "Strict-Transport-Security" not in headers, f"{where}: HSTS over plain http"


@pytest.fixture(scope="module")
def signed_in(haven):
    """A signed-in browser session for each role."""
    for role in PAGES_OF_ROLE:
        haven.create_account(role, f"headers-{role}@example.org")
    return {role: haven.sign_in(f"headers-{role}@example.org") for role in PAGES_OF_ROLE}


def test_pages_anyone_can_open_carry_the_security_headers(haven):
    for path in ANONYMOUS_PAGES:
        answer = requests.get(haven.gateway_url + path, timeout=30)
        assert answer.headers["Content-Type"].startswith("text/html"), path
        assert_page_headers(answer, path)


@pytest.mark.parametrize("role", sorted(PAGES_OF_ROLE))
def test_every_page_of_every_role_carries_the_security_headers(haven, signed_in, role):
    for path in PAGES_OF_ROLE[role]:
        answer = signed_in[role].get(haven.gateway_url + path.format(provider_id=haven.provider_id), timeout=30)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html"), path
        assert_page_headers(answer, f"{role} {path}")


def test_scripts_and_styles_are_never_sniffed_as_something_else(haven):
    for path in ("/assets/haven.js", "/assets/haven.css", "/api/v1/docs.js"):
        answer = requests.get(haven.gateway_url + path, timeout=30)
        assert answer.status_code == 200 and answer.headers.get("X-Content-Type-Options") == "nosniff", path


def test_api_answers_are_neither_cached_nor_sniffed(haven):
    answer = requests.get(f"{haven.api}/providers", headers=haven.auth("caseworker"), timeout=30)
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def make_gateway(haven, tmp_path):
    """The gateway in this process, with the running directory and matcher behind it; settings overridable."""
    built = []

    def make(*, proxy_count: int = 0, secure_cookies: bool | None = None):
        settings = GatewaySettings(directory_url=haven.url("directory"), matcher_url=haven.url("matcher"),
                                   internal_secret=haven.secret, secret_key=b"headers-test",
                                   auth_db_path=tmp_path / "auth.db", rate_limit=0, proxy_count=proxy_count)
        web = WebSettings(accounts_db_path=tmp_path / "accounts.db", policy=AccountPolicy(),
                          secure_cookies=secure_cookies)
        app = create_app({"SETTINGS": settings, "WEB_SETTINGS": web})
        built.append(app)
        return app.test_client()

    yield make
    for app in built:
        app.extensions["haven_gateway"].close_clients()


def test_no_hsts_over_plain_http_even_when_a_client_claims_https_without_a_trusted_proxy(make_gateway):
    client = make_gateway()
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    assert "Strict-Transport-Security" not in client.get("/sign-in", headers={"X-Forwarded-Proto": "https"}).headers


def test_hsts_behind_a_trusted_tls_proxy(make_gateway):
    client = make_gateway(proxy_count=1)
    answer = client.get("/sign-in", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "max-age=" in answer.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def test_hsts_always_with_secure_cookies_and_never_when_they_are_turned_off(make_gateway):
    assert "max-age=" in make_gateway(secure_cookies=True).get("/sign-in").headers["Strict-Transport-Security"]
    answer = make_gateway(proxy_count=1, secure_cookies=False).get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in answer.headers
