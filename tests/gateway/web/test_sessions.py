"""Signing in to the pages: cookies, CSRF tokens, idle timeout, lockout, roles, language."""
from __future__ import annotations

import re

import pytest

from services.directory.domain.queries import AuditFilter
from tests.gateway.web.conftest import PASSWORD, Pages


def cookie(response, name: str) -> str:
    return next(header for header in response.headers.getlist("Set-Cookie") if header.startswith(f"{name}="))


def test_signing_in_sets_an_http_only_same_site_session_cookie(pages, make_account):
    make_account("caseworker")
    response = pages.sign_in("caseworker@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/match"
    session = cookie(response, "haven_session")
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert "Secure" not in session  # plain http in this test; see the next tests
    assert "Max-Age" not in session and "Expires" not in session


def test_the_session_cookie_is_secure_behind_tls(web_app, make_account):
    make_account("caseworker")
    pages = Pages(web_app, base_url="https://haven.example")
    assert "Secure" in cookie(pages.sign_in("caseworker@example.org"), "haven_session")


def test_the_session_cookie_is_secure_when_configured(make_web, make_account):
    app = make_web(secure_cookies=True)
    make_account("caseworker")
    assert "Secure" in cookie(Pages(app).sign_in("caseworker@example.org"), "haven_session")


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(pages, make_account):
    make_account("caseworker")
    pages.get("/sign-in")
    wrong = pages.post("/sign-in", {"email": "caseworker@example.org", "password": "not it at all"})
    pages.get("/sign-in")
    unknown = pages.post("/sign-in", {"email": "nobody@example.org", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Onjuist e-mailadres of wachtwoord." in wrong.get_data(as_text=True)
    assert "Onjuist e-mailadres of wachtwoord." in unknown.get_data(as_text=True)


def test_ten_wrong_passwords_lock_the_account_for_an_hour(pages, make_account, web_clock):
    make_account("caseworker")
    for attempt in range(10):
        pages.get("/sign-in")
        response = pages.post("/sign-in", {"email": "caseworker@example.org", "password": f"wrong {attempt}"})
    assert "geblokkeerd" in response.get_data(as_text=True)
    assert pages.sign_in("caseworker@example.org").status_code == 401
    web_clock.advance(minutes=61)
    assert pages.sign_in("caseworker@example.org").status_code == 302


def test_a_form_posted_without_its_token_is_refused(caseworker):
    caseworker.get("/match")
    refused = caseworker.post("/match", {"needs": "shelter", "languages": "ro", "place": "Utrecht"}, token=False)
    assert refused.status_code == 400
    assert "Formulier geweigerd" in refused.get_data(as_text=True)


def test_the_sign_in_form_itself_needs_its_token(pages, make_account):
    make_account("caseworker")
    pages.get("/sign-in")
    refused = pages.post("/sign-in", {"email": "caseworker@example.org", "password": PASSWORD}, token=False)
    assert refused.status_code == 400
    assert "haven_session" not in " ".join(refused.headers.getlist("Set-Cookie"))


def test_a_token_from_another_session_is_refused(web_app, make_account):
    make_account("caseworker", email="one@example.org")
    make_account("caseworker", email="two@example.org")
    one, two = Pages(web_app), Pages(web_app)
    one.sign_in("one@example.org")
    two.sign_in("two@example.org")
    one.get("/match")
    two.get("/match")
    forged = one.post("/sign-out", {"csrf_token": two.token})
    assert forged.status_code == 400
    assert one.get("/match").status_code == 200  # still signed in: the forged sign-out did nothing


def test_a_post_from_another_origin_is_refused_even_with_a_token(caseworker):
    caseworker.get("/match")
    refused = caseworker.post("/sign-out", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 400
    assert caseworker.get("/match").status_code == 200


def test_json_posts_carry_the_token_in_a_header(caseworker):
    caseworker.get("/match")
    assert caseworker.client.post("/ui/languages", json={"q": "roe"}).status_code == 400
    answer = caseworker.client.post("/ui/languages", json={"q": "roe"}, headers={"X-CSRF-Token": caseworker.token})
    assert answer.status_code == 200
    assert {"code": "ro", "name": "Roemeens", "label": "Roemeens (ro)"} in answer.get_json()["suggestions"]


@pytest.mark.parametrize("path", ["/ui/languages", "/ui/places"])
def test_a_json_post_nested_too_deep_or_with_a_key_twice_gets_400_naming_it(caseworker, path):
    caseworker.get("/match")
    headers = {"X-CSRF-Token": caseworker.token, "Content-Type": "application/json"}
    deep = caseworker.client.post(path, data="[" * 1000 + "]" * 1000, headers=headers)
    assert deep.status_code == 400, deep.get_data(as_text=True)[:200]
    assert deep.get_json()["error"]["fields"] == {"body": ["nested more than 64 levels deep"]}
    twice = caseworker.client.post(path, data='{"q": "roe", "q": "utr"}', headers=headers)
    assert twice.status_code == 400
    assert twice.get_json()["error"]["fields"] == {"q": ["given more than once in the same object"]}


def test_signing_out_ends_the_session_on_the_server(caseworker):
    session = caseworker.client.get_cookie("haven_session").value
    caseworker.get("/match")
    caseworker.post("/sign-out")
    # The old cookie, replayed, no longer signs anyone in.
    caseworker.client.set_cookie("haven_session", session)
    response = caseworker.get("/match")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_an_idle_session_ends_after_thirty_minutes(caseworker, web_clock):
    web_clock.advance(minutes=29)
    assert caseworker.get("/match").status_code == 200
    web_clock.advance(minutes=29)
    assert caseworker.get("/referrals").status_code == 200
    web_clock.advance(minutes=31)
    response = caseworker.get("/referrals")
    assert response.status_code == 302
    assert "reason=expired" in response.headers["Location"]
    assert "zonder activiteit" in caseworker.text(response.headers["Location"])


def test_status_polling_does_not_count_as_activity(caseworker, web_clock):
    for _ in range(4):
        web_clock.advance(minutes=11)
        caseworker.client.get("/ui/referrals/status", headers={"X-Haven-Poll": "1", "Accept": "application/json"})
    assert caseworker.get("/match").status_code == 302


def test_the_idle_timeout_is_a_setting(make_web, make_account, web_clock):
    from datetime import timedelta

    from services.gateway.accounts import AccountPolicy

    app = make_web(policy=AccountPolicy(idle_timeout=timedelta(minutes=5)))
    make_account("caseworker")
    pages = Pages(app)
    pages.sign_in("caseworker@example.org")
    web_clock.advance(minutes=6)
    assert pages.get("/match").status_code == 302


def test_signed_out_visitors_go_to_sign_in_and_come_back_after(pages, make_account):
    make_account("caseworker")
    response = pages.get("/referrals?status=pending")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/referrals?status%3Dpending"
    pages.get(response.headers["Location"])
    signed_in = pages.post("/sign-in", {"email": "caseworker@example.org", "password": PASSWORD,
                                        "next": "/referrals?status=pending"})
    assert signed_in.headers["Location"] == "/referrals?status=pending"


def test_sign_in_never_sends_anyone_off_site(pages, make_account):
    make_account("caseworker")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        pages.get("/sign-in")
        response = pages.post("/sign-in", {"email": "caseworker@example.org", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/match"
        pages.post("/sign-out")


def test_each_role_lands_on_its_own_page_and_is_kept_out_of_others(web_app, make_account, demo_stack):
    provider_id = next(iter(demo_stack.store.iter_providers(__import__("datetime").datetime.now(
        __import__("datetime").timezone.utc))))["id"]
    homes = {"caseworker": "/match", "provider": "/capacity", "admin": "/admin/providers"}
    forbidden = {"caseworker": ["/admin/providers", "/admin/audit", "/capacity", "/incoming"],
                 "provider": ["/match", "/group", "/providers", "/admin/accounts"],
                 "admin": ["/match", "/capacity"]}
    for role, home in homes.items():
        make_account(role, provider_ids=(provider_id,) if role == "provider" else ())
        pages = Pages(web_app)
        landing = pages.sign_in(f"{role}@example.org")
        # An admin's first sign-in sets up the authenticator app, then goes on from the recovery codes page.
        assert (landing.headers.get("Location") or re.search(r'class="button primary" href="([^"]+)"',
                                                             landing.get_data(as_text=True)).group(1)) == home
        assert pages.get(home).status_code == 200
        for path in forbidden[role]:
            assert pages.get(path).status_code == 403, (role, path)


def test_pages_send_a_strict_content_security_policy(caseworker):
    response = caseworker.get("/match")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    # Every script is a file from this site; the only inline block is JSON data, which never runs.
    assert html.count("<script") == 2
    assert '<script type="application/json" id="page-messages">' in html
    assert "https://" not in html.split("<main")[0]


def test_the_language_choice_is_kept_on_the_account(web_app, make_account):
    make_account("caseworker")
    pages = Pages(web_app)
    pages.sign_in("caseworker@example.org")
    assert "Persoon matchen" in pages.text("/match")
    pages.post("/language", {"locale": "en", "next": "/match"})
    assert "Match a person" in pages.text("/match")
    # A new browser, the same person: still English.
    other = Pages(web_app)
    other.sign_in("caseworker@example.org")
    assert "Match a person" in other.text("/match")


def test_before_sign_in_the_language_is_kept_in_a_cookie(pages):
    pages.get("/sign-in")
    pages.post("/language", {"locale": "en", "next": "/sign-in"})
    assert "Sign in to Haven" in pages.text("/sign-in")


def test_signing_in_is_recorded_in_the_audit_log(caseworker, demo_stack):
    entries = demo_stack.store.list_audit(AuditFilter(actor=caseworker.account.subject)).items
    assert [entry.action for entry in entries] == ["account.sign_in"]


def test_behind_tls_pages_ask_browsers_to_stay_on_https(make_web, web_app, make_account):
    assert "Strict-Transport-Security" not in Pages(web_app).get("/sign-in").headers
    secure = Pages(make_web(secure_cookies=True)).get("/sign-in")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_accounts_live_beside_the_gateways_auth_store(demo_stack):
    from services.gateway import create_app as create_gateway

    app = create_gateway({"SETTINGS": demo_stack.settings(), "AUTH_STORE": demo_stack.auth_store})
    try:
        context = app.extensions["haven_web"]
        assert context.settings.accounts_db_path == demo_stack.folder / "accounts.db"
        assert context.accounts.ping()
    finally:
        app.extensions["haven_web"].accounts.close()
        app.extensions["haven_gateway"].directory.session.close()
        app.extensions["haven_gateway"].matcher.session.close()
