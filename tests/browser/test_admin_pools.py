"""An admin edits a shelter's services counted apart in a real browser: a wrong maximum named next to its field,
then saved; the form in Dutch and English, with axe over every state."""
from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_capacity_pools import shelter_with_care
from tests.browser.test_figures import _token

pytestmark = pytest.mark.browser


def test_an_admin_changes_a_care_pools_maximum_and_a_wrong_one_is_named_next_to_it(haven, new_page, make_account):
    shelter = shelter_with_care()
    headers = {"Authorization": f"Bearer {_token(haven, 'admin')}"}
    before = requests.get(f"{haven.url}/api/v1/providers/{shelter['id']}", headers=headers, timeout=60).json()
    care = before["service_capacity"]["mental_health"]
    email, password = make_account("admin")
    page = new_page()
    sign_in(page, email, password)
    page.goto(f"/admin/providers/{shelter['id']}/edit")

    maximum = page.get_by_label("Ggz-zorg: maximum")
    assert maximum.input_value() == str(care["maximum"])
    assert page.get_by_label("Ggz-zorg: vrije plekken nu").get_attribute("readonly") is not None
    assert care["available"] > 0  # the demo shelter has care places free: a maximum below them is refused
    maximum.fill(str(care["available"] - 1))
    page.get_by_role("button", name="Opslaan").click()
    page.locator("#e-pool_mental_health_maximum").wait_for()
    assert f"de {care['available']} die nu vrij zijn" in page.locator("#e-pool_mental_health_maximum").inner_text()
    assert page.locator("#f-pool_mental_health_maximum").get_attribute("aria-invalid") == "true"
    screenshot(page, "admin-provider-pools-error")

    page.get_by_label("Ggz-zorg: maximum").fill(str(care["maximum"] + 1))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/admin/providers?msg=saved*")

    after = requests.get(f"{haven.url}/api/v1/providers/{shelter['id']}", headers=headers, timeout=60).json()
    assert after["service_capacity"]["mental_health"]["maximum"] == care["maximum"] + 1
    assert after["service_capacity"]["mental_health"]["available"] == care["available"]
    assert after["service_capacity"]["medical"]["maximum"] == before["service_capacity"]["medical"]["maximum"]

    page.goto(f"/admin/providers/{shelter['id']}/edit")
    page.get_by_role("button", name="EN", exact=True).click()
    page.get_by_role("group", name="Count another service apart").wait_for()
    assert page.get_by_label("Mental-health care: maximum").input_value() == str(care["maximum"] + 1)
    screenshot(page, "admin-provider-pools-en")
    page.get_by_role("button", name="NL", exact=True).click()
