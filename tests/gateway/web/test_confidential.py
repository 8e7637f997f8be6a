"""DESIGN.md rule 1 on every page: a confidential address reaches only admins and the caseworker whose
referral there was accepted; everyone else sees the municipality and a point coarsened to about 5 km."""
from __future__ import annotations

import html as markup
import re
from datetime import datetime, timezone

import pytest

from tests.gateway.web.conftest import Pages


def confidential_providers(stack) -> list[dict]:
    now = datetime.now(timezone.utc)
    return [p for p in stack.store.iter_providers(now) if p["location"]["confidential"]]


def secrets_of(provider: dict) -> list[str]:
    location = provider["location"]
    found = [location["address"], f"{location['lat']}", f"{location['lon']}"]
    if location.get("postal_code"):
        found.append(location["postal_code"])
    return [text for text in found if text]


def assert_hidden(html: str, providers: list[dict]) -> None:
    html = markup.unescape(html)
    for provider in providers:
        for secret in secrets_of(provider):
            assert secret not in html, f"{provider['name']}: {secret!r} is on the page"


@pytest.fixture
def hidden(demo_stack):
    shelters = confidential_providers(demo_stack)
    assert len(shelters) > 10
    return shelters


def test_provider_pages_never_show_a_confidential_address_to_a_caseworker(caseworker, hidden):
    for provider in hidden:
        html = caseworker.text(f"/providers/{provider['id']}")
        assert provider["name"] in markup.unescape(html) and "Geheim." in html
        assert_hidden(html, hidden)


def test_search_results_never_show_a_confidential_address(caseworker, hidden):
    caseworker.get("/providers")
    for page in range(1, 6):
        html = caseworker.post("/providers", {"page": str(page), "near": "Utrecht"}).get_data(as_text=True)
        assert_hidden(html, hidden)
        assert "adres geheim" in html or page > 1


@pytest.mark.parametrize("place", ["Amsterdam", "Rotterdam", "Groningen", "Eindhoven", "Arnhem"])
def test_match_results_and_the_map_never_show_a_confidential_address(caseworker, hidden, place):
    caseworker.get("/match")
    html = caseworker.post("/match", {"needs": ["shelter", "medical"], "languages": "en", "place": place}).get_data(
        as_text=True)
    assert "Opvang" in html
    assert_hidden(html, hidden)
    assert "ongeveer" in html  # distances to coarse points say they are approximate


def test_a_provider_does_not_see_its_own_address_through_the_pages_either(web_app, make_account, hidden):
    # Rule 1 names admins and the accepted caseworker only; the provider's own view is coarse too.
    own = hidden[0]
    make_account("provider", provider_ids=(own["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    assert_hidden(provider.text("/capacity"), hidden)
    assert_hidden(provider.text(f"/providers/{own['id']}"), hidden)


def test_an_admin_sees_the_address(admin, hidden):
    provider = hidden[0]
    assert provider["location"]["address"] in admin.text(f"/providers/{provider['id']}")


def test_only_the_caseworker_whose_referral_was_accepted_sees_the_address(web_app, make_account, demo_stack, hidden):
    shelter = next(p for p in hidden if p["type"] == "shelter" and p["status"] == "active")
    from services.directory.store import AuditEntry

    now = datetime.now(timezone.utc)
    demo_stack.store.set_capacity(shelter["id"], 2, None, now, AuditEntry(
        at=now.isoformat(), actor="test", role="admin", action="capacity.update", target=None, request_id=None))
    make_account("caseworker", email="mine@example.org")
    make_account("caseworker", email="other@example.org")
    make_account("provider", provider_ids=(shelter["id"],))
    mine, other, provider = Pages(web_app), Pages(web_app), Pages(web_app)
    mine.sign_in("mine@example.org")
    other.sign_in("other@example.org")
    provider.sign_in("provider@example.org")

    mine.get("/match")
    made = mine.post("/referrals", {"choice": f"{shelter['id']}|shelter", "case_reference": "C-RULE1"})
    path = made.headers["Location"].split("?")[0]
    assert_hidden(mine.text(path), hidden)
    referral_id = path.rsplit("/", 1)[1]
    provider.get("/incoming")
    provider.post(f"/referrals/{referral_id}/accept")

    assert shelter["location"]["address"] in mine.text(path)
    assert other.get(path).status_code == 404
    assert_hidden(other.text("/referrals"), hidden)
    assert_hidden(provider.text(path), hidden)
    assert_hidden(mine.text("/referrals"), hidden)  # the list links to the address, it does not show it
    reveal = [e for e in demo_stack.store.list_audit(__import__("services.directory.domain.queries", fromlist=["x"])
                                                     .AuditFilter(action="address.reveal", size=100)).items
              if e.detail == f"referral={referral_id}"]
    assert reveal and all(e.actor.startswith("user:") for e in reveal)


def test_no_page_puts_a_typed_location_into_a_url(caseworker):
    # Rule 2: places describing a person travel in POST bodies only.
    html = caseworker.text("/match") + caseworker.text("/group") + caseworker.text("/providers")
    for form in re.findall(r"<form[^>]*>", html):
        if 'action="/language"' in form or 'action="/sign-out"' in form:
            continue
        assert 'method="post"' in form, form
