"""A reminder's link in a real browser: a shelter whose care counts are old confirms them on one page, a wrong
count named next to its field, with axe over every state."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from services.directory.notifications.links import make_link_token
from services.shared.config import internal_secret
from tests.browser.conftest import screenshot
from tests.browser.test_capacity_pools import shelter_with_care
from tests.browser.test_figures import _token

pytestmark = pytest.mark.browser


def test_a_shelter_confirms_its_old_care_counts_through_the_link_and_a_wrong_one_is_named(haven, new_page):
    shelter = shelter_with_care()
    headers = {"Authorization": f"Bearer {_token(haven, 'admin')}"}
    stored = requests.get(f"{haven.url}/api/v1/providers/{shelter['id']}", headers=headers, timeout=60).json()
    care = stored["service_capacity"]
    counted_at = {"medical": care["medical"]["updated"], "mental_health": care["mental_health"]["updated"]}
    token = make_link_token(internal_secret({"HAVEN_DATA_DIR": str(haven.data_dir)}), shelter["id"], counted_at,
                            datetime.now(timezone.utc))
    page = new_page()

    page.goto(f"/capacity/confirm/{token}")
    medical = page.get_by_label("Medische zorg: vrije afspraken nu")
    medical.fill(str(care["medical"]["maximum"] + 1))
    page.get_by_role("button", name="Opslaan").click()

    page.locator("#e-counts-medical").wait_for()
    assert f"({care['medical']['maximum']})" in page.locator("#e-counts-medical").inner_text()
    assert page.locator("#f-counts-medical").get_attribute("aria-invalid") == "true"
    assert page.locator("#e-counts-mental_health").count() == 0
    screenshot(page, "capacity-link-pools-error")
    unchanged = requests.get(f"{haven.url}/api/v1/providers/{shelter['id']}", headers=headers, timeout=60).json()
    assert unchanged["service_capacity"]["medical"]["updated"] == counted_at["medical"]

    # Every place free (not none: the shelter's care stays usable for the other browser tests).
    page.get_by_label("Medische zorg: vrije afspraken nu").fill(str(care["medical"]["maximum"]))
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Het aantal is opgeslagen").wait_for()

    confirmed = requests.get(f"{haven.url}/api/v1/providers/{shelter['id']}", headers=headers, timeout=60).json()
    assert confirmed["service_capacity"]["medical"]["available"] == care["medical"]["maximum"]
    assert confirmed["service_capacity"]["mental_health"]["available"] == care["mental_health"]["available"]
    assert confirmed["service_capacity"]["mental_health"]["updated"] != counted_at["mental_health"]
    assert confirmed["capacity"]["updated"] == stored["capacity"]["updated"]
