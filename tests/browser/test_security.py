"""Sign-in protections in a real browser: forged forms refused, lockout after 10 failures, idle sign-out."""
from __future__ import annotations

import pytest

from tests.browser.conftest import SHORT_IDLE_SECONDS, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_form_with_a_forged_token_is_refused(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    page.evaluate("document.querySelector('form.match-form input[name=csrf_token]').value = 'forged'")
    page.get_by_label("Opvang", exact=True).check()
    page.get_by_label("Talen die de persoon spreekt", exact=True).fill("ro")
    page.get_by_label("Waar de persoon nu is", exact=True).fill("Utrecht")
    with page.expect_response(lambda r: r.url.endswith("/match") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Matches zoeken").click()
    assert answer.value.status == 400
    page.get_by_role("heading", name="Formulier geweigerd").wait_for()
    screenshot(page, "csrf-refused", full_page=False)


def test_a_form_posted_from_another_site_does_nothing(new_page, make_account, haven):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    page.get_by_role("link", name="Mijn verwijzingen").click()
    before = page.locator("table.referrals tbody tr").count()
    # A page on another site that posts a referral as soon as it loads.
    evil = f"""<html><body><form id="f" method="post" action="{haven.url}/referrals">
        <input name="choice" value="{haven.provider_id}|shelter"><input name="case_reference" value="X-EVIL">
        </form><script>document.getElementById('f').submit()</script></body></html>"""
    page.context.route("http://evil.example/**", lambda route: route.fulfill(body=evil, content_type="text/html"))
    with page.expect_response(lambda r: r.url.endswith("/referrals") and r.request.method == "POST") as answer:
        page.goto("http://evil.example/prize")
    assert answer.value.status in (302, 400)  # refused, or sent to sign-in: the session cookie stayed home
    page.goto(f"{haven.url}/referrals")
    assert page.locator("table.referrals tbody tr").count() == before
    assert "X-EVIL" not in page.content()


def test_ten_wrong_passwords_lock_the_account(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    for attempt in range(10):
        sign_in(page, email, f"wrong password {attempt}")
        page.locator(".error-summary").wait_for()
    assert "60 minuten geblokkeerd" in page.locator(".error-summary").inner_text()
    sign_in(page, email, password)  # the right password, too late
    assert "geblokkeerd" in page.locator(".error-summary").inner_text()
    assert page.url.endswith("/sign-in")
    screenshot(page, "sign-in-locked", full_page=False)


def test_an_idle_session_signs_out_and_activity_keeps_it_alive(new_page, make_account, haven):
    email, password = make_account("caseworker")
    page = new_page(base_url=haven.short_idle_url)
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    for _ in range(3):  # activity more often than the timeout keeps the session
        page.wait_for_timeout(SHORT_IDLE_SECONDS * 1000 * 0.5)
        page.get_by_role("link", name="Mijn verwijzingen").click()
        page.wait_for_url("**/referrals")
    page.wait_for_timeout(SHORT_IDLE_SECONDS * 1000 + 1500)
    page.get_by_role("link", name="Persoon matchen").click()
    page.wait_for_url(lambda url: "/sign-in" in url and "reason=expired" in url)
    assert "zonder activiteit" in page.locator("main").inner_text()
    screenshot(page, "signed-out-idle", full_page=False)


def test_signing_out_returns_to_the_sign_in_page(new_page, make_account):
    email, password = make_account("admin")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/admin/providers")
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_url(lambda url: url.endswith("/sign-in?reason=signed_out"))
    page.goto("/admin/providers")
    assert "/sign-in" in page.url
