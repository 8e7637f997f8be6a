"""Each account's notification channels, and the admins' page of deliveries."""
from __future__ import annotations


def test_an_account_sees_its_channels_and_that_this_installation_sends_no_mail(caseworker):
    text = caseworker.text("/account/notifications")
    assert "Deze installatie verstuurt geen e-mail." in text
    assert "Geen webhooks" in text


def test_admins_see_deliveries_by_status_and_others_do_not(admin, caseworker):
    assert admin.get("/admin/deliveries").status_code == 200
    assert "Afgeleverde meldingen" in admin.text("/admin/deliveries")
    assert caseworker.get("/admin/deliveries").status_code == 403
