"""Each account's notification channels, a caseworker's waiting list, and the admins' page of deliveries."""
from __future__ import annotations

from services.shared.signing import Claims
from tests.gateway.conftest import SECRET
from tests.support.signed import signed_request


def test_an_account_sees_its_channels_and_that_this_installation_sends_no_mail(caseworker):
    text = caseworker.text("/account/notifications")
    assert "Deze installatie verstuurt geen e-mail." in text
    assert "Geen webhooks" in text


def test_admins_see_deliveries_by_status_and_others_do_not(admin, caseworker):
    assert admin.get("/admin/deliveries").status_code == 200
    assert "Afgeleverde meldingen" in admin.text("/admin/deliveries")
    assert caseworker.get("/admin/deliveries").status_code == 403


def test_a_caseworker_sees_its_waiting_list_and_can_stop_waiting(caseworker, demo_stack):
    assert "U wacht nergens op." in caseworker.text("/waitlist")
    claims = Claims(role="caseworker", subject=caseworker.account.subject)
    made = signed_request(demo_stack.directory_url, SECRET, claims, "POST", "/waitlist", json_body={
        "query": {"need": "shelter", "lat": 52.09, "lon": 5.12}, "case_reference": "ZAAK-WL1", "hours": 24})
    assert made.status_code == 201, made.text

    text = caseworker.text("/waitlist")
    assert "ZAAK-WL1" in text
    left = caseworker.post(f"/waitlist/{made.json()['id']}/leave")
    assert left.status_code == 302
    assert "ZAAK-WL1" not in caseworker.text("/waitlist")
