"""Usable by keyboard alone and on a phone; Dutch and English; the map drawn from the offline outline."""
from __future__ import annotations

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import SCREENSHOTS, no_horizontal_scroll, screenshot, sign_in

pytestmark = pytest.mark.browser


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.name || '')")


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has focus; fail if Tab never reaches it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def focus_is_visible(page) -> bool:
    return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }""")


def test_the_match_form_works_with_the_keyboard_alone(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    page.goto("/sign-in")
    # The email field has focus on arrival (waited for: a busy browser may apply autofocus after "load");
    # everything from here on is typed.
    page.wait_for_function("document.activeElement && document.activeElement.type === 'email'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/match")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.keyboard.press("Enter")
    tab_to(page, "f-needs-shelter")
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    tab_to(page, "f-needs-legal")
    page.keyboard.press("Space")

    tab_to(page, "f-languages")
    page.keyboard.type("Roe")
    page.get_by_role("option", name="Roemeens (ro)").wait_for()
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#f-languages", "aria-activedescendant")
    page.keyboard.press("Enter")
    page.keyboard.type("pidg")
    page.get_by_role("option", name="Nigeriaans Pidgin (pcm)").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#f-languages") == "Roemeens (ro), Nigeriaans Pidgin (pcm), "

    tab_to(page, "f-gender")
    page.keyboard.type("Vrouw")
    tab_to(page, "f-age")
    page.keyboard.type("27")
    tab_to(page, "f-place")
    page.keyboard.type("Utrec")
    page.get_by_role("option", name="Utrecht (Utrecht)").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    tab_to(page, "f-avoid_place_0")
    page.keyboard.type("Den Haag")
    page.keyboard.press("Tab")
    page.keyboard.type("15")
    # A third area, added from the keyboard.
    while page.evaluate("document.activeElement.hasAttribute('data-add-avoid')") is False:
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused_id(page) == "f-avoid_place_2"
    page.keyboard.type("52.37, 4.89")
    page.keyboard.press("Tab")
    page.keyboard.type("5")

    assert page.input_value("#f-gender") == "female"
    assert page.is_checked("#f-needs-shelter") and page.is_checked("#f-needs-legal")
    while page.evaluate("document.activeElement.textContent.trim()") != "Matches zoeken":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Matches", exact=True).wait_for()
    assert page.locator("svg.nl-map circle.avoid-area").count() == 2

    # Refer from the keyboard too: Enter in the case reference field refers no one.
    tab_to(page, "f-case_reference")
    page.keyboard.press("Enter")
    assert page.locator(".refer-result:not(:empty)").count() == 0
    while page.evaluate("document.activeElement.textContent.trim()") != "Verwijzen":
        page.keyboard.press("Tab")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    page.locator(".refer-result.ok, .refer-result.failed").first.wait_for()
    assert not page.problems.messages, page.problems.messages


def test_the_error_summary_takes_focus_and_links_to_the_fields(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    page.get_by_role("button", name="Matches zoeken").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Kies minstens één hulpvraag" in summary.inner_text()
    summary.get_by_role("link", name="Geef minstens één taal die de persoon spreekt").click()
    assert page.evaluate("location.hash") == "#f-languages"
    screenshot(page, "match-form-errors", full_page=False)


def test_pages_are_readable_on_a_phone(new_page, make_account, haven):
    email, password = make_account("caseworker")
    page = new_page(phone=True)
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-match-form")
    page.get_by_label("Opvang", exact=True).check()
    page.get_by_label("Medische zorg", exact=True).check()
    page.get_by_label("Talen die de persoon spreekt", exact=True).fill("bg, en")
    page.get_by_label("Waar de persoon nu is", exact=True).fill("Eindhoven")
    page.get_by_role("button", name="Matches zoeken").click()
    page.get_by_role("heading", name="Matches", exact=True).wait_for()
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-match-results")
    screenshot(page, "phone-match-results-top", full_page=False)
    page.goto("/providers")
    page.get_by_label("Biedt hulp bij").select_option("shelter")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    page.locator("table.providers tbody tr").first.wait_for()
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-search")

    provider_email, provider_password = make_account("provider", provider_ids=(haven.provider_id,))
    provider = new_page(phone=True)
    sign_in(provider, provider_email, provider_password)
    provider.wait_for_url("**/capacity")
    assert no_horizontal_scroll(provider)
    tap = provider.get_by_role("button", name="Klopt nog")
    box = tap.bounding_box()
    assert box["height"] >= 44  # big enough to tap
    screenshot(provider, "phone-provider-capacity")


def test_the_language_switch_is_kept_for_the_person(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    page.get_by_role("button", name="EN", exact=True).click()
    page.get_by_role("heading", name="Match a person").wait_for()
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("button", name="Sign out").click()
    # The sign-in page remembers English too; and so does the account, in any browser.
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Match a person").wait_for()
    other = new_page()
    sign_in(other, email, password)
    other.get_by_role("heading", name="Match a person").wait_for()
    page.get_by_role("button", name="NL", exact=True).click()
    page.get_by_role("heading", name="Persoon matchen").wait_for()


def test_the_results_map_is_drawn_offline(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    page.get_by_label("Opvang", exact=True).check()
    page.get_by_label("Juridische hulp", exact=True).check()
    page.get_by_label("Talen die de persoon spreekt", exact=True).fill("ro")
    page.get_by_label("Waar de persoon nu is", exact=True).fill("Zwolle")
    page.get_by_label("Gebied 1: plaats of coördinaten", exact=True).fill("Deventer")
    page.locator("#f-avoid_radius_0").fill("12")
    page.get_by_role("button", name="Matches zoeken").click()
    figure = page.locator("figure.map")
    figure.wait_for()
    assert figure.locator("path.land").count() == 1
    assert figure.locator("svg.nl-map g.marker-person").count() == 1
    assert figure.locator("g.marker-candidate, g.marker-anchor").count() >= 3
    figure.screenshot(path=str(SCREENSHOTS / "match-map.png"))
    base = page.url.split("/match")[0]
    # No tiles, fonts or scripts from anywhere else: every request stayed on this site.
    assert requests and all(url.startswith(base) or url.startswith("data:") for url in requests)


def test_pages_the_browser_cannot_find_switch_language_and_keep_results(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    response = page.goto("/nergens")
    assert response.status == 404 and page.get_by_role("heading", name="Niet gevonden").is_visible()
    assert_accessible(page, "not-found")

    page.goto("/match")
    page.get_by_label("Opvang", exact=True).check()
    page.locator("#f-languages").fill("ro")
    page.locator("#f-place").fill("Utrecht")
    page.get_by_role("button", name="Matches zoeken").click()
    page.get_by_role("heading", name="Matches", exact=True).wait_for()
    page.get_by_role("button", name="EN", exact=True).click()
    page.get_by_role("heading", name="Matches", exact=True).wait_for()
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("li.candidate").count() >= 1
    assert "Utrecht" not in page.url
    assert_accessible(page, "results-after-language-switch")


def test_the_phone_menu_scrolls_and_shows_there_is_more(new_page, make_account):
    email, password = make_account("caseworker")
    page = new_page(phone=True)
    sign_in(page, email, password)
    page.wait_for_url("**/match")
    menu = page.locator(".main-nav ul")
    assert menu.evaluate("ul => ul.scrollWidth > ul.clientWidth")
    assert menu.evaluate("ul => getComputedStyle(ul).overflowX") == "auto"
    # The cue: shadows drawn at the menu's edges (background layers), visible while there is more to scroll.
    assert "radial-gradient" in menu.evaluate("ul => getComputedStyle(ul).backgroundImage")
    screenshot(page, "phone-menu", full_page=False)
