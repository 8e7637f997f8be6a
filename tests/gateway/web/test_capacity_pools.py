"""The provider capacity page keeps a row per capacity pool: the beds, and each service counted apart."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.gateway.web.conftest import Pages


def with_care(stack) -> dict:
    """A demo shelter whose medical and mental-health care are counted apart from its beds."""
    now = datetime.now(timezone.utc)
    return next(p for p in stack.store.iter_providers(now) if set(p.get("service_capacity") or ()) == {
        "medical", "mental_health"})


def counts(stack, provider_id) -> tuple[int, int, int]:
    record = stack.store.get_provider(provider_id, datetime.now(timezone.utc))
    own = record["service_capacity"]
    return record["capacity"]["available"], own["medical"]["available"], own["mental_health"]["available"]


def test_each_pool_has_its_own_row_with_buttons_named_for_it(web_app, make_account, demo_stack):
    shelter = with_care(demo_stack)
    make_account("provider", provider_ids=(shelter["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")

    html = provider.text("/capacity")

    assert html.count('name="action" value="decrement"') == 3
    assert f'<h3 id="n-{shelter["id"]}-main">Opvang</h3>' in html
    assert f'<h3 id="n-{shelter["id"]}-medical">Medische zorg</h3>' in html
    # Each button's accessible name starts with what it shows, then says which pool it changes.
    assert re.search(r'>−1<span class="visually-hidden"> \(één minder vrij: [^<]*, Medische zorg\)</span>', html)
    assert re.search(r'>\+1<span class="visually-hidden"> \(één meer vrij: [^<]*, Ggz-zorg\)</span>', html)
    assert len(set(re.findall(r'id="(available-[^"]+)"', html))) == 3


def test_a_tap_on_a_pools_row_changes_that_pool_only(web_app, make_account, demo_stack):
    shelter = with_care(demo_stack)
    make_account("provider", provider_ids=(shelter["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    provider.get("/capacity")
    beds, care, talk = counts(demo_stack, shelter["id"])

    response = provider.post(f"/capacity/{shelter['id']}", {"action": "decrement", "need": "medical"})

    assert response.status_code == 302 and response.headers["Location"].endswith(f"#p-{shelter['id']}-medical")
    assert counts(demo_stack, shelter["id"]) == (beds, care - 1, talk)
    provider.get("/capacity")
    provider.post(f"/capacity/{shelter['id']}", {"action": "set", "available": "1", "need": "mental_health"})
    provider.post(f"/capacity/{shelter['id']}", {"action": "increment"})
    assert counts(demo_stack, shelter["id"]) == (min(beds + 1, 5), care - 1, 1)


def test_a_service_without_its_own_pool_is_refused(web_app, make_account, demo_stack):
    shelter = with_care(demo_stack)
    make_account("provider", provider_ids=(shelter["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    provider.get("/capacity")
    before = counts(demo_stack, shelter["id"])

    response = provider.post(f"/capacity/{shelter['id']}", {"action": "decrement", "need": "shelter"})

    assert response.status_code == 400
    assert "geen eigen capaciteit" in response.get_data(as_text=True)
    assert counts(demo_stack, shelter["id"]) == before
