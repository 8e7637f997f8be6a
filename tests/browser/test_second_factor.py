"""The second factor in a real browser: set up from the QR page's key, codes from pyotp as an app computes them."""
from __future__ import annotations

import pyotp
import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import AUTHENTICATOR, authenticator_code, screenshot

pytestmark = pytest.mark.browser


def password_step(page, email, password):
    page.goto("/sign-in")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url("**/sign-in/code**")


def test_an_admin_sets_up_an_authenticator_then_signs_in_with_codes_and_a_recovery_code(new_page, make_account):
    email, password = make_account("admin")
    page = new_page()
    password_step(page, email, password)
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "second-factor-setup")
    key = page.locator("#totp-secret").inner_text().replace(" ", "")
    AUTHENTICATOR[email] = {"key": key, "step": 0}
    page.get_by_label("Code", exact=True).fill("000000" if pyotp.TOTP(key).now() != "000000" else "111111")
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_text("Die code klopt niet.").wait_for()
    page.problems.messages.clear()  # the refused code's 401, as intended
    page.get_by_label("Code", exact=True).fill(authenticator_code(email))
    page.get_by_role("button", name="Bevestigen").click()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    screenshot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name="Ik heb ze bewaard: verder").click()
    page.wait_for_url("**/admin/providers")

    # Another browser: the password alone opens nothing; the app's code does.
    other = new_page()
    password_step(other, email, password)
    assert other.locator(".qr svg").count() == 0
    assert other.goto("/admin/providers").url.endswith("/sign-in?next=/admin/providers")
    password_step(other, email, password)
    other.get_by_label("Code", exact=True).fill(authenticator_code(email))
    other.get_by_role("button", name="Bevestigen").click()
    other.wait_for_url("**/admin/providers")

    # A recovery code works once.
    for expected in ("/admin/providers", "/sign-in/code"):
        third = new_page()
        password_step(third, email, password)
        third.get_by_label("Code", exact=True).fill(codes[0])
        third.get_by_role("button", name="Bevestigen").click()
        third.wait_for_load_state()
        assert expected in third.url
    assert_accessible(third, "second-factor-code-refused")

    page.get_by_role("link", name="Auditlog").click()
    log = page.locator("table.audit").inner_text()
    assert "Authenticator-app ingesteld" in log and "Herstelcode gebruikt" in log and "Verkeerde authenticatorcode" in log

    page.get_by_role("link", name="Cijfers").click()
    # Capacity charts always have bars; the referral charts only once this instance has referrals.
    assert page.locator("svg.bars").count() >= 2 and "<5" in page.locator("main").inner_text()
    screenshot(page, "admin-figures")
    assert not page.problems.messages, page.problems.messages


def test_wrong_codes_lock_the_account_like_wrong_passwords(new_page, make_account):
    email, password = make_account("admin")
    page = new_page()
    password_step(page, email, password)
    key = page.locator("#totp-secret").inner_text().replace(" ", "")
    wrong = next(code for code in ("000000", "111111") if code != pyotp.TOTP(key).now())
    for _ in range(10):
        page.get_by_label("Code", exact=True).fill(wrong)
        page.get_by_role("button", name="Bevestigen").click()
        page.locator("#error-summary").wait_for()
    assert "geblokkeerd" in page.locator("#error-summary").inner_text()
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Bevestigen").click()
    assert "geblokkeerd" in page.locator("#error-summary").inner_text()
