"""A provider whose care is counted apart from its beds keeps each pool current on its own row, in a real browser."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.directory.demo import demo_providers
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def shelter_with_care() -> dict:
    return next(p for p in demo_providers(datetime.now(timezone.utc))
                if set(p.get("service_capacity") or ()) == {"medical", "mental_health"})


def test_a_shelter_with_care_changes_its_care_places_without_touching_its_beds(new_page, make_account):
    shelter = shelter_with_care()
    email, password = make_account("provider", provider_ids=(shelter["id"],))
    page = new_page()
    sign_in(page, email, password)
    page.wait_for_url("**/capacity")
    card = page.locator("section.capacity-card", has_text=shelter["name"])
    beds = card.locator(f"#p-{shelter['id']}-main [data-available]")
    care = card.locator(f"#p-{shelter['id']}-medical [data-available]")
    beds_before, care_before = int(beds.inner_text()), int(care.inner_text())

    # The button's accessible name starts with its visible text and names the pool.
    card.get_by_role("button", name=f"−1 (één minder vrij: {shelter['name']}, Medische zorg)").click()
    page.wait_for_url("**/capacity?msg=saved*")

    assert int(care.inner_text()) == care_before - 1
    assert int(beds.inner_text()) == beds_before
    pool = card.locator(f"#p-{shelter['id']}-mental_health")
    pool.get_by_label("Nu vrij").fill("1")
    pool.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/capacity?msg=saved*")
    assert pool.locator("[data-available]").inner_text() == "1"
    assert int(beds.inner_text()) == beds_before
    screenshot(page, "provider-capacity-pools")
