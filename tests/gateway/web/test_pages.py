"""The pages over a real directory and matcher: match, refer, accept, manage, audit; and what each role sees."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.gateway.web.conftest import Pages

MATCH_FORM = {"needs": ["shelter", "legal"], "languages": "Roemeens (ro), en", "gender": "female", "age": "24",
              "place": "Utrecht", "avoid_place": ["Rotterdam", ""], "avoid_radius": ["20", ""]}


def providers(stack, **where) -> list[dict]:
    now = datetime.now(timezone.utc)
    return [p for p in stack.store.iter_providers(now)
            if all((p["location"] if key == "confidential" else p).get(key) == value for key, value in where.items())]


def free_shelter(stack) -> dict:
    """A confidential, active shelter for women that a referral can hold a place at."""
    shelter = next(p for p in providers(stack, type="shelter", status="active", confidential=True)
                   if "female" in p["eligibility"]["genders"] and p["location"]["municipality"] == "Amsterdam")
    stack.store.set_capacity(shelter["id"], 3, None, datetime.now(timezone.utc), _audit())
    return shelter


def _audit():
    from services.directory.store import AuditEntry

    return AuditEntry(at=datetime.now(timezone.utc).isoformat(), actor="test", role="admin", action="capacity.update",
                      target=None, request_id=None)


def test_a_match_shows_ranked_results_per_need_with_reasons_a_care_plan_and_a_map(caseworker):
    caseworker.get("/match")
    response = caseworker.post("/match", MATCH_FORM)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2 id=\"need-shelter\">Opvang" in html and "<h2 id=\"need-legal\">Juridische hulp" in html
    assert "Zorgplan:" in html
    assert "Medewerkers spreken" in html  # a reason, in Dutch
    assert '<svg viewBox="0 0' in html and 'class="avoid-area"' in html and 'class="marker marker-person"' in html
    # One numbered marker per provider in the list, the same numbers in both.
    numbers = set(re.findall(r'<span class="map-number"[^>]*>(\d+)</span>', html))
    markers = set(re.findall(r'<text y="4" text-anchor="middle">(\d+)</text>', html))
    assert numbers and markers <= numbers


def test_an_unmet_need_shows_why_and_the_other_route_in_dutch(caseworker):
    caseworker.get("/match")
    html = caseworker.post("/match", {"needs": ["shelter"], "languages": "ti", "gender": "male", "age": "15",
                                      "residence_status": "undocumented", "place": "Amsterdam"}).get_data(as_text=True)

    assert "Geen opvang voor deze persoon: " in html
    assert "via de voogdij-instelling in beschermde opvang" in html
    assert "No shelter for this person" not in html and "unmet." not in html


def test_no_provider_inside_an_area_to_avoid_is_offered(caseworker, demo_stack):
    caseworker.get("/match")
    html = caseworker.post("/match", {**MATCH_FORM, "place": "Rotterdam",
                                      "avoid_place": ["Rotterdam"], "avoid_radius": ["15"]}).get_data(as_text=True)
    for provider in providers(demo_stack, status="active"):
        if provider["location"]["municipality"] in ("Rotterdam", "Schiedam"):
            assert provider["name"] not in html


def test_match_form_errors_name_the_field_and_keep_what_was_typed(caseworker):
    caseworker.get("/match")
    response = caseworker.post("/match", {"languages": "Klingon", "place": "Atlantis", "age": "300",
                                          "avoid_place": ["Utrecht"], "avoid_radius": [""]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Kies minstens één hulpvraag", "Onbekende taal: Klingon", "Onbekende plaats",
                    "Vul een getal in van 0 tot en met 120", "Geef een straal in km"):
        assert message in html
    assert 'value="Atlantis"' in html and 'aria-invalid="true"' in html


def test_refer_hold_accept_and_the_address_for_the_caseworker_only(web_app, caseworker, make_account, demo_stack):
    shelter = free_shelter(demo_stack)
    caseworker.get("/match")
    caseworker.post("/match", {**MATCH_FORM, "place": "Amsterdam", "avoid_place": [""], "avoid_radius": [""]})
    made = caseworker.post("/referrals", {"choice": f"{shelter['id']}|shelter", "case_reference": "C-TEST01"})
    assert made.status_code == 302
    referral_page = caseworker.text(made.headers["Location"])
    assert "Verwezen. Eén plaats wordt vastgehouden tot" in referral_page and "In afwachting" in referral_page
    assert shelter["location"]["address"] not in referral_page

    make_account("provider", provider_ids=(shelter["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    incoming = provider.text("/incoming")
    assert "C-TEST01" in incoming and "nog " in incoming
    referral_id = re.search(r'data-referral="([0-9a-f-]+)"', incoming).group(1)
    assert provider.post(f"/referrals/{referral_id}/accept").status_code == 302

    accepted = caseworker.text(made.headers["Location"].split("?")[0])
    assert "Geaccepteerd" in accepted and shelter["location"]["address"] in accepted
    # The provider sees its referral, never the caseworker's view of the address.
    assert "Geaccepteerd" in provider.text("/incoming")


def test_one_click_refer_answers_json_for_the_page_script(caseworker, demo_stack):
    shelter = free_shelter(demo_stack)
    caseworker.get("/match")
    answer = caseworker.client.post("/referrals", data={"choice": f"{shelter['id']}|shelter",
                                                        "case_reference": "C-JSON01", "csrf_token": caseworker.token},
                                    headers={"Accept": "application/json"})
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["referral"]["status"] == "pending" and body["url"].startswith("/referrals/")
    assert body["message"].startswith("Verwezen: één plaats vastgehouden tot")


@pytest.mark.parametrize("reference", ["Jan Jansen 01-01-1990", "111222333", "j.jansen@example.nl", "06-12345678",
                                       "C-1\u202eX"])
def test_a_case_reference_that_looks_like_personal_data_is_refused_and_holds_nothing(caseworker, demo_stack, reference):
    shelter = free_shelter(demo_stack)
    caseworker.get("/match")
    answer = caseworker.client.post("/referrals", data={"choice": f"{shelter['id']}|shelter", "case_reference": reference,
                                                        "csrf_token": caseworker.token},
                                    headers={"Accept": "application/json"})
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert "persoonsgegevens" in error["message"] and list(error["fields"]) == ["case_reference"]
    assert next(p for p in providers(demo_stack) if p["id"] == shelter["id"])["capacity"]["held"] == \
        shelter["capacity"]["held"]


def test_referring_without_free_capacity_says_so_and_holds_nothing(caseworker, demo_stack):
    full = next(p for p in providers(demo_stack, type="shelter", status="active") if p["capacity"]["available"] == 0)
    caseworker.get("/match")
    answer = caseworker.client.post("/referrals", data={"choice": f"{full['id']}|shelter", "case_reference": "C-FULL",
                                                        "csrf_token": caseworker.token},
                                    headers={"Accept": "application/json"})
    assert answer.status_code == 409
    assert "Er is niets vastgehouden" in answer.get_json()["error"]["message"]


def test_referral_status_polling_reads_the_list_and_never_reveals_an_address(caseworker, demo_stack):
    shelter = free_shelter(demo_stack)
    caseworker.get("/match")
    made = caseworker.post("/referrals", {"choice": f"{shelter['id']}|shelter", "case_reference": "C-POLL"})
    referral_id = made.headers["Location"].split("/")[-1].split("?")[0]
    answer = caseworker.client.get(f"/ui/referrals/status?id={referral_id}",
                                   headers={"Accept": "application/json", "X-Haven-Poll": "1"})
    info = answer.get_json()["referrals"][referral_id]
    assert info["status"] == "pending" and info["status_text"] == "In afwachting" and info["left"]
    assert "address" not in answer.get_data(as_text=True)


def test_the_referrals_page_lists_own_referrals_with_live_status_hooks(caseworker, demo_stack):
    shelter = free_shelter(demo_stack)
    caseworker.get("/match")
    caseworker.post("/referrals", {"choice": f"{shelter['id']}|shelter", "case_reference": "C-LIST"})
    html = caseworker.text("/referrals")
    assert "C-LIST" in html and "data-poll=\"/ui/referrals/status\"" in html and "data-referral=" in html


def test_search_shows_free_capacity_and_flags_stale_reports_with_their_age(caseworker):
    caseworker.get("/providers")
    html = caseworker.post("/providers", {"need": "shelter", "page": "1"}).get_data(as_text=True)
    assert "aanbieders gevonden" in html and "vrij</strong>" in html
    assert "Verouderd:" in html and "geleden bevestigd — bel om het na te gaan" in html


def test_the_group_form_places_people_and_keeps_their_row_numbers(caseworker):
    caseworker.get("/group")
    form = {"need": "shelter", "place": "Utrecht", "rows": "3", "action": "place",
            "p0_languages": "ro", "p0_gender": "female", "p0_age": "22",
            "p2_languages": "pl", "p2_gender": "male", "p2_age": "35"}
    html = caseworker.post("/group", form).get_data(as_text=True)
    assert "Voorgestelde plaatsing: Opvang" in html
    assert "Persoon 1" in html and "Persoon 3" in html
    assert "Persoon 2</td>" not in html  # the empty row was left out, not numbered


def test_the_group_page_says_in_dutch_why_someone_has_no_place_and_where_else_to_turn(caseworker):
    caseworker.get("/group")
    form = {"need": "shelter", "place": "Amsterdam", "rows": "2", "action": "place",
            "p0_languages": "ro", "p0_gender": "female", "p0_age": "22",
            "p1_languages": "ti", "p1_gender": "male", "p1_age": "15", "p1_residence_status": "undocumented"}
    html = caseworker.post("/group", form).get_data(as_text=True)
    assert "Persoon 2: Geen opvang voor deze persoon: " in html
    assert "via de voogdij-instelling in beschermde opvang" in html


def test_the_group_form_can_grow_without_script(caseworker):
    caseworker.get("/group")
    html = caseworker.post("/group", {"rows": "3", "action": "add_person"}).get_data(as_text=True)
    assert "Persoon 4" in html


def test_a_provider_changes_its_capacity_with_one_tap(web_app, make_account, demo_stack):
    shelter = free_shelter(demo_stack)
    make_account("provider", provider_ids=(shelter["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    assert "3</strong> / " in provider.text("/capacity")
    provider.post(f"/capacity/{shelter['id']}", {"action": "increment"})
    assert "4</strong> / " in provider.text("/capacity")
    provider.post(f"/capacity/{shelter['id']}", {"action": "decrement"})
    provider.post(f"/capacity/{shelter['id']}", {"action": "set", "available": "2"})
    assert "2</strong> / " in provider.text("/capacity")


def test_still_correct_refreshes_the_report_time_without_changing_the_number(web_app, make_account, demo_stack):
    stale = next(p for p in providers(demo_stack, status="active") if p["capacity"]["updated"] < "2026-11-20"
                 or _age_hours(p) > 48)
    make_account("provider", provider_ids=(stale["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    assert "Verouderd:" in provider.text("/capacity")
    response = provider.post(f"/capacity/{stale['id']}", {"action": "confirm"})
    page = provider.text(response.headers["Location"])
    assert "capaciteit is bevestigd als nog juist" in page and "Verouderd:" not in page
    after = demo_stack.store.get_provider(stale["id"], datetime.now(timezone.utc))
    assert after["capacity"]["available"] == stale["capacity"]["available"]


def _age_hours(provider) -> float:
    updated = datetime.fromisoformat(provider["capacity"]["updated"])
    return (datetime.now(timezone.utc) - updated).total_seconds() / 3600


def test_a_provider_cannot_change_another_providers_capacity(web_app, make_account, demo_stack):
    own, other = providers(demo_stack, status="active")[:2]
    make_account("provider", provider_ids=(own["id"],))
    provider = Pages(web_app)
    provider.sign_in("provider@example.org")
    provider.get("/capacity")
    assert provider.post(f"/capacity/{other['id']}", {"action": "increment"}).status_code == 403
    assert provider.get(f"/providers/{other['id']}").status_code == 403


def test_an_admin_creates_edits_deactivates_and_marks_a_provider_confidential(admin, demo_stack):
    admin.get("/admin/providers/new")
    form = {"name": "Testhuis Zwolle", "type": "shelter", "status": "active", "services": ["shelter"],
            "languages": "nl, en", "municipality": "Zwolle", "region": "Overijssel", "lat": "52.5168",
            "lon": "6.0830", "address": "Teststraat 9", "genders": ["female"], "min_age": "18", "max_age": "120",
            "available": "2", "maximum": "6", "unit": "bed", "hold_minutes": "240"}
    created = admin.post("/admin/providers/new", form)
    assert created.status_code == 302
    record = next(p for p in providers(demo_stack) if p["name"] == "Testhuis Zwolle")
    assert record["location"]["confidential"] is False

    admin.get(f"/admin/providers/{record['id']}/edit")
    admin.post(f"/admin/providers/{record['id']}/edit", {**form, "description": "Voor vrouwen."})
    admin.get("/admin/providers?q=Testhuis")
    admin.post(f"/admin/providers/{record['id']}/confidential", {"confidential": "1"})
    admin.post(f"/admin/providers/{record['id']}/status", {"status": "inactive"})
    record = demo_stack.store.get_provider(record["id"], datetime.now(timezone.utc))
    assert (record["description"], record["location"]["confidential"], record["status"]) == (
        "Voor vrouwen.", True, "inactive")


def test_the_provider_form_names_missing_fields(admin):
    admin.get("/admin/providers/new")
    html = admin.post("/admin/providers/new", {"name": ""}).get_data(as_text=True)
    assert "Verplicht" in html and "Kies minstens één dienst" in html


def test_an_admin_creates_disables_and_resets_accounts(admin, web_app):
    admin.get("/admin/accounts")
    html = admin.post("/admin/accounts", {"email": "new@example.org", "role": "caseworker"}).get_data(as_text=True)
    password = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    newcomer = Pages(web_app)
    assert newcomer.sign_in("new@example.org", password).status_code == 302
    account_id = re.search(r'/admin/accounts/([0-9a-f-]+)/disable', admin.text("/admin/accounts")).group(1)
    admin.post(f"/admin/accounts/{account_id}/disable")
    assert newcomer.get("/match").status_code == 302  # its session ended at once
    assert newcomer.sign_in("new@example.org", password).status_code == 401


def test_an_admin_issues_and_revokes_api_tokens(admin, demo_stack):
    admin.get("/admin/tokens")
    html = admin.post("/admin/tokens", {"name": "case system", "role": "caseworker"}).get_data(as_text=True)
    token = re.search(r'<code class="secret">(hvn_[^<]+)</code>', html).group(1)
    from services.gateway.auth import authenticate

    assert authenticate(demo_stack.auth_store, token, datetime.now(timezone.utc)).role == "caseworker"
    token_id = re.search(r'/admin/tokens/([0-9a-f-]+)/revoke', html).group(1)
    admin.post(f"/admin/tokens/{token_id}/revoke")
    assert "Ingetrokken" in admin.text("/admin/tokens")


def test_the_audit_log_filters_by_person_and_action(admin, caseworker, demo_stack):
    shelter = free_shelter(demo_stack)
    caseworker.get("/match")
    caseworker.post("/referrals", {"choice": f"{shelter['id']}|shelter", "case_reference": "C-AUDIT"})
    html = admin.text("/admin/audit?actor=caseworker@example.org&action=referral.create")
    assert "referral.create" in html and "caseworker@example.org" in html
    assert "account.sign_in</code>" not in html
    assert "1 regels" in html or "regels" in html


def test_the_audit_log_says_which_date_is_wrong(admin):
    html = admin.text("/admin/audit?since=yesterday")
    assert "Gebruik de vorm JJJJ-MM-DD" in html


@pytest.mark.parametrize("path", ["/match", "/group", "/providers"])
def test_every_form_field_has_a_label(caseworker, path):
    html = caseworker.text(path)
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and not [i for i in ids if i not in labels]


def test_the_results_lead_back_to_the_form_with_the_answers_filled_in(caseworker):
    caseworker.get("/match")
    results = caseworker.post("/match", MATCH_FORM).get_data(as_text=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', results))
    assert hidden["place"] == "Utrecht" and hidden["age"] == "24"
    back = caseworker.post("/match", {**MATCH_FORM, "action": "edit"}).get_data(as_text=True)
    assert "<h1>Persoon matchen</h1>" in back
    assert 'value="Utrecht"' in back and 'value="24"' in back and 'value="Rotterdam"' in back
    assert 'id="f-needs-legal" name="needs" value="legal" checked' in back
