"""The whole path in a real browser: a provider frees a bed, a caseworker matches a person and refers,
the provider accepts, the caseworker sees it live with the address, an admin finds both in the audit log."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def choose_suggestion(page, label: str, typed: str, option: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.press_sequentially(typed, delay=30)
    page.get_by_role("option", name=option).click()


def test_match_refer_accept_and_audit(new_page, haven):
    accounts = haven.accounts

    # The provider reports two free beds (the demo shelter starts full).
    provider = new_page()
    sign_in(provider, accounts["provider"]["email"], accounts["provider"]["password"])
    provider.wait_for_url("**/capacity")
    card = provider.locator("section.capacity-card", has_text=haven.provider_name)
    card.get_by_label("Nu vrij").fill("2")
    card.get_by_role("button", name="Opslaan").click()
    provider.wait_for_url("**/capacity?msg=saved*")
    assert card.locator("[data-available]").inner_text() == "2"
    screenshot(provider, "provider-capacity")

    # The caseworker describes the person and asks for matches.
    caseworker = new_page()
    sign_in(caseworker, accounts["caseworker"]["email"], accounts["caseworker"]["password"])
    caseworker.wait_for_url("**/match")
    caseworker.get_by_label("Opvang", exact=True).check()
    caseworker.get_by_label("Juridische hulp", exact=True).check()
    choose_suggestion(caseworker, "Talen die de persoon spreekt", "Roe", "Roemeens (ro)")
    choose_suggestion(caseworker, "Talen die de persoon spreekt", "Eng", "Engels (en)")
    assert caseworker.get_by_label("Talen die de persoon spreekt", exact=True).input_value() == (
        "Roemeens (ro), Engels (en), ")
    caseworker.get_by_label("Gender").select_option("female")
    caseworker.get_by_label("Leeftijd").fill("24")
    choose_suggestion(caseworker, "Waar de persoon nu is", "Amsterd", "Amsterdam (Noord-Holland)")
    caseworker.get_by_label("Gebied 1: plaats of coördinaten", exact=True).fill("Rotterdam")
    caseworker.locator("#f-avoid_radius_0").fill("20")
    screenshot(caseworker, "caseworker-match-form")
    caseworker.get_by_role("button", name="Matches zoeken").click()

    # Ranked results per need, with reasons, the care plan and the map.
    caseworker.get_by_role("heading", name="Matches", exact=True).wait_for()
    shelters = caseworker.locator("section.need-result", has=caseworker.locator("#need-shelter"))
    assert shelters.locator("li.candidate").count() >= 1
    assert "Zorgplan:" in caseworker.locator("main").inner_text()
    assert caseworker.locator("svg.nl-map circle.avoid-area").count() == 1
    ours = shelters.locator("li.candidate", has_text=haven.provider_name)
    assert "adres geheim" in ours.inner_text() and "Medewerkers spreken" in ours.inner_text()
    screenshot(caseworker, "caseworker-match-results")

    # One click refers and holds a bed; the hold and its end are shown in place.
    case_reference = caseworker.get_by_label("Dossierkenmerk voor verwijzingen").input_value()
    assert re.fullmatch(r"C-[A-Z0-9]{6}", case_reference)
    ours.get_by_role("button", name="Verwijzen").click()
    result = ours.locator("[data-refer-result]")
    result.get_by_role("link", name="Verwijzing openen").wait_for()
    assert re.search(r"Verwezen: één plaats vastgehouden tot \d\d:\d\d \(4 u\)", result.inner_text())

    caseworker.get_by_role("link", name="Mijn verwijzingen").click()
    row = caseworker.locator("tr", has_text=case_reference)
    assert haven.provider_name in row.inner_text()
    assert "In afwachting" in row.inner_text()
    screenshot(caseworker, "caseworker-referrals-pending")

    # The provider sees it pending, with the hold time left, and accepts.
    provider.get_by_role("link", name="Verwijzingen").click()
    pending = provider.locator("li.pending", has_text=case_reference)
    assert "nog 3 u" in pending.inner_text() or "nog 4 u" in pending.inner_text()
    screenshot(provider, "provider-referrals-pending")
    pending.get_by_role("button", name="Accepteren").click()
    provider.get_by_text("Geaccepteerd. De casemanager ziet nu uw adres.").wait_for()

    # Without reloading, the caseworker's list turns to accepted; the referral shows the address.
    row.locator(".status-accepted").wait_for()
    row.get_by_role("link", name="adres").click()
    caseworker.get_by_text(haven.provider_address).wait_for()
    screenshot(caseworker, "caseworker-referral-accepted")

    # An admin finds both actions in the audit log.
    admin = new_page()
    sign_in(admin, accounts["admin"]["email"], accounts["admin"]["password"])
    admin.get_by_role("link", name="Auditlog").click()
    admin.get_by_label("Actie").fill("referral.create")
    admin.get_by_role("button", name="Filteren").click()
    created = admin.locator("table.audit tbody tr").first
    assert accounts["caseworker"]["email"] in created.inner_text()
    admin.get_by_label("Actie").fill("referral.accept")
    admin.get_by_role("button", name="Filteren").click()
    accepted = admin.locator("table.audit tbody tr").first
    assert accounts["provider"]["email"] in accepted.inner_text()
    admin.get_by_label("Actie").fill("")
    admin.get_by_role("button", name="Filteren").click()
    screenshot(admin, "admin-audit")

    for page in (provider, caseworker, admin):
        assert not page.problems.messages, page.problems.messages
