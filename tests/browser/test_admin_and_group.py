"""Admin pages and group placement in a real browser, with screenshots of each."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_group_placement_assigns_places_and_refers_from_the_result(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.get_by_role("link", name="Groepsplaatsing").click()
    page.get_by_label("Wat ze nodig hebben").select_option("shelter")
    page.get_by_label("Waar ze nu zijn", exact=True).fill("Rotterdam")
    people = [("ro", "female", "23"), ("bg", "female", "31"), ("pl", "male", "40")]
    for index, (language, gender, age) in enumerate(people):
        row = page.locator("fieldset.person-row").nth(index)
        row.get_by_label("Talen die de persoon spreekt", exact=True).fill(language)
        row.get_by_label("Gender").select_option(gender)
        row.get_by_label("Leeftijd").fill(age)
    page.get_by_role("button", name="Persoon toevoegen").click()
    page.locator("fieldset.person-row").nth(3).wait_for()
    assert page.locator("fieldset.person-row").count() == 4
    assert page.locator("fieldset.person-row").nth(0).get_by_label("Leeftijd").input_value() == "23"
    page.get_by_role("button", name="Plaatsen zoeken").click()
    result = page.locator("section.group-result")
    result.wait_for()
    assert re.search(r"\d van 3 mensen geplaatst", result.inner_text())
    screenshot(page, "caseworker-group-placement")
    first = result.locator("tbody tr").first
    first.get_by_role("button", name="Verwijzen").click()
    first.locator(".refer-result.ok").wait_for()
    assert not page.problems.messages, page.problems.messages


def test_admin_manages_providers_accounts_and_tokens(new_page, make_account):
    email, password = make_account("admin")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/admin/providers")
    screenshot(page, "admin-providers", full_page=False)

    page.get_by_role("link", name="Nieuwe aanbieder").click()
    page.get_by_label("Naam", exact=True).fill("Browserhuis Deventer")
    page.get_by_label("Soort", exact=True).select_option("shelter")
    page.get_by_label("Opvang", exact=True).check()
    page.get_by_label("Talen die medewerkers spreken").fill("nl, en, ro")
    page.get_by_label("Gemeente").fill("Deventer")
    page.get_by_label("Breedtegraad").fill("52.2550")
    page.get_by_label("Lengtegraad").fill("6.1639")
    page.get_by_label("Straat en huisnummer").fill("Browserstraat 1")
    page.get_by_label("Vrouw", exact=True).check()
    page.get_by_label("Nu vrij").fill("2")
    page.get_by_label("Maximum", exact=True).fill("4")
    screenshot(page, "admin-provider-form")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Aanbieder aangemaakt.").wait_for()
    row = page.locator("tr", has_text="Browserhuis Deventer")
    row.get_by_role("button", name="Geheim maken (Browserhuis Deventer)").click()
    row = page.locator("tr", has_text="Browserhuis Deventer")
    assert "geheim" in row.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Deactiveren (Browserhuis Deventer)").click()
    page.locator("tr.is-inactive", has_text="Browserhuis Deventer").wait_for()

    page.get_by_role("link", name="Accounts").click()
    page.get_by_label("E-mailadres").fill("nieuw-casemanager@example.org")
    page.get_by_label("Rol", exact=True).select_option("caseworker")
    page.get_by_role("button", name="Account aanmaken").click()
    secret = page.locator("code.secret")
    assert len(secret.inner_text()) >= 12
    screenshot(page, "admin-accounts", full_page=False)

    page.get_by_role("link", name="API-tokens").click()
    page.get_by_label("Naam", exact=True).fill("dossiersysteem")
    page.get_by_role("button", name="Token uitgeven").click()
    assert page.locator("code.secret").inner_text().startswith("hvn_")
    page.get_by_role("button", name="Token dossiersysteem intrekken").click()
    page.get_by_text("Token ingetrokken.").wait_for()
    screenshot(page, "admin-tokens", full_page=False)
    assert not page.problems.messages, page.problems.messages


def test_search_flags_stale_capacity_with_its_age(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.get_by_role("link", name="Aanbieders zoeken").click()
    page.get_by_label("In de buurt van (plaats of lat, lon)", exact=True).fill("Utrecht")
    page.get_by_label("Binnen (km)").fill("200")
    page.get_by_label("Opvang", exact=True).check()
    page.get_by_role("button", name="Zoeken", exact=True).click()
    table = page.locator("table.providers")
    table.wait_for()
    stale = table.locator("tr.is-stale").first
    assert re.search(r"Verouderd: \d+ (dagen|u) geleden bevestigd — bel om het na te gaan", stale.inner_text())
    assert "van" in table.locator("tbody tr").first.inner_text() and "vrij" in table.inner_text()
    screenshot(page, "caseworker-search")
