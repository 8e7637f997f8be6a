"""Error pages, refusals and error summaries in the page's language; the language switch keeps the results."""
from __future__ import annotations

import re
import uuid

from tests.gateway.web.test_pages import MATCH_FORM

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_an_unknown_address_shows_a_dutch_page_to_a_browser(pages):
    response = pages.get("/no-such-page", headers=HTML)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<html lang=\"nl\"" in html and "Deze pagina bestaat niet." in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_an_unknown_address_is_english_after_switching(caseworker):
    caseworker.post("/language", {"locale": "en", "next": "/match"})
    html = caseworker.get("/no-such-page", headers=HTML).get_data(as_text=True)
    assert "This page does not exist." in html and "Sign out" in html


def test_a_wrong_method_on_a_page_is_a_page_too(pages):
    response = pages.get("/sign-out", headers=HTML)
    assert response.status_code == 405 and "Dit adres kan niet zo gebruikt worden" in response.get_data(as_text=True)
    assert "POST" in response.headers["Allow"]


def test_the_api_and_the_page_script_keep_json_errors(pages):
    for path in ("/api/v1/no-such-thing", "/ui/no-such-thing"):
        response = pages.get(path, headers=HTML)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert pages.get("/no-such-page", headers={"Accept": "application/json"}).get_json()["error"]["code"] == "not_found"


def test_a_missing_referral_is_said_in_dutch(caseworker):
    html = caseworker.get(f"/referrals/{uuid.uuid4()}").get_data(as_text=True)
    assert "Deze verwijzing bestaat niet, of u mag hem niet zien." in html
    assert "not found" not in html.lower()


def test_the_error_summary_names_each_field_and_links_to_it(admin):
    admin.get("/admin/providers/new")
    html = admin.post("/admin/providers/new", {"name": ""}).get_data(as_text=True)
    summary = html[html.index('id="error-summary"'):html.index("</div>", html.index('id="error-summary"'))]
    items = re.findall(r'<li><a href="#(f-[a-z_]+)">([^<]+)</a></li>', summary)
    assert ("f-name", "Naam: Verplicht") in items and ("f-municipality", "Gemeente: Verplicht") in items
    assert ("f-services", "Diensten (hulpvragen): Kies minstens één dienst") in items
    for target, _ in items:
        assert f'id="{target}"' in html


def test_switching_language_on_the_results_posts_the_same_form_again(caseworker):
    caseworker.get("/match")
    results = caseworker.post("/match", MATCH_FORM).get_data(as_text=True)
    switch = results[results.index('class="language-switch"'):results.index("</form>", results.index('class="language-switch"'))]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', switch)
    assert 'class="results' in results and ("place", "Utrecht") in fields and ("replay", "1") in fields
    body = {}
    for name, value in fields:
        body.setdefault(name, []).append(value)
    body["locale"] = "en"
    moved = caseworker.post("/language", body)
    assert moved.status_code == 307 and moved.headers["Location"].endswith("/match")
    again = caseworker.post("/match", body).get_data(as_text=True)
    assert "<html lang=\"en\"" in again and "Where the person is now" in again and 'class="results' in again


def test_the_map_legend_draws_the_maps_own_person_symbol(caseworker):
    caseworker.get("/match")
    html = caseworker.post("/match", MATCH_FORM).get_data(as_text=True)
    legend = html[html.index('class="legend"'):]
    assert 'class="key map-key"' in legend and '<g class="marker marker-person"><path d="M0,-12 L10,6 L-10,6 Z"/></g>' in legend
