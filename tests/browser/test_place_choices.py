"""A place name several municipalities' places share, typed into the match form: the page lists the places
in the page's language, a click fills the field with the one meant, and the match runs from there."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def _describe_person(page) -> None:
    page.get_by_label("Opvang", exact=True).check()
    page.get_by_label("Talen die de persoon spreekt", exact=True).fill("ro")


def test_the_match_form_offers_the_places_a_shared_name_may_mean(new_page, haven):
    page = new_page()
    sign_in(page, haven.accounts["caseworker"]["email"], haven.accounts["caseworker"]["password"])
    page.wait_for_url("**/match")
    _describe_person(page)
    place = page.get_by_label("Waar de persoon nu is", exact=True)
    place.fill("Den Hoorn")
    page.get_by_label("Gebied 1: plaats of coördinaten", exact=True).fill("Hengelo")
    page.locator("#f-avoid_radius_0").fill("10")
    page.get_by_role("button", name="Matches zoeken").click()

    # Both fields say so, each with its own choices, in Dutch.
    assert "Meer plaatsen heten zo; kies er een:" in page.locator("#e-place").inner_text()
    texel = page.get_by_role("button", name="Den Hoorn (gemeente Texel, Noord-Holland)")
    delfland = page.get_by_role("button", name="Den Hoorn (gemeente Midden-Delfland, Zuid-Holland)")
    assert texel.is_visible() and delfland.is_visible()
    bronckhorst = page.get_by_role("button", name="Hengelo (gemeente Bronckhorst, Gelderland)")
    assert bronckhorst.is_visible()
    screenshot(page, "caseworker-match-place-choices")

    # The same page in English names the same choices in English.
    page.get_by_role("button", name="EN", exact=True).click()
    page.get_by_role("button", name="Den Hoorn (municipality of Midden-Delfland, Zuid-Holland)").wait_for()
    assert "Several places have this name; choose one:" in page.locator("#e-place").inner_text()
    page.get_by_role("button", name="NL", exact=True).click()

    # A click fills the field with the name and municipality; the match then runs.
    page.get_by_role("button", name="Den Hoorn (gemeente Midden-Delfland, Zuid-Holland)").click()
    assert place.input_value() == "Den Hoorn, Midden-Delfland"
    assert page.get_by_role("button", name="Den Hoorn (gemeente Texel, Noord-Holland)").count() == 0
    page.get_by_role("button", name="Hengelo (gemeente Hengelo, Overijssel)").click()
    assert page.locator("#f-avoid_place_0").input_value() == "Hengelo, Overijssel"
    page.get_by_role("button", name="Matches zoeken").click()
    page.get_by_role("heading", name="Matches", exact=True).wait_for()
    assert page.locator("svg.nl-map circle.avoid-area").count() == 1
    # The form pages with errors answer 400 on purpose; nothing else may go wrong (a script error, a CSP refusal).
    assert [message for message in page.problems.messages if "status of 400" not in message] == []


def test_suggestions_tell_namesakes_apart(new_page, haven):
    page = new_page()
    sign_in(page, haven.accounts["caseworker"]["email"], haven.accounts["caseworker"]["password"])
    page.wait_for_url("**/match")
    page.get_by_label("Waar de persoon nu is", exact=True).press_sequentially("Den Hoo", delay=30)
    page.get_by_role("option", name="Den Hoorn, Midden-Delfland (Zuid-Holland)").click()
    assert page.get_by_label("Waar de persoon nu is", exact=True).input_value() == "Den Hoorn, Midden-Delfland"
