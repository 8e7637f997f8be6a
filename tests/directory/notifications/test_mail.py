"""E-mail to a provider's intake address through a real SMTP server, in Dutch and English, without details."""
from __future__ import annotations

import pytest

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from tests.conftest import SECRET
from tests.support.factories import provider
from tests.support.signed import SignedFlaskClient
from tests.support.smtp_server import SmtpServer
from tests.support.webhook_receiver import eventually


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def admin(tmp_path, smtp):
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    settings = DirectorySettings(store_url=f"sqlite:///{tmp_path / 'haven.db'}", internal_secret=SECRET,
                                 deliver_seconds=0.05, webhook_retry_first_seconds=0.1,
                                 background_lock=tmp_path / "background.lock", smtp_url=smtp.url,
                                 mail_from="Haven <haven@test.invalid>", public_url="https://haven.example.nl")
    app = create_directory({"SETTINGS": settings, "STORE": store})
    yield SignedFlaskClient(app, SECRET, "admin")
    app.extensions["haven"].background.stop()
    store.close()


def test_the_provider_gets_a_mail_for_a_new_referral_and_for_its_cancel(admin, smtp):
    shelter = admin.post("/providers", provider(capacity={"available": 2, "maximum": 2},
                                                contact={"phone": "+31 30 000 0000", "email": "intake@opvang.example",
                                                         "intake_hours": "24/7"})).json
    caseworker = admin.as_role("caseworker")
    referral = caseworker.post("/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                              "case_reference": "ZAAK-M1", "callback": "+31 20 123 4567",
                                              "languages": ["ro"]}).json
    caseworker.post(f"/referrals/{referral['id']}/cancel", {"reason": "person_declined", "note": "Gaat terug."})

    eventually(lambda: len(smtp.messages) == 2)
    created, cancelled = smtp.messages
    assert created["to"] == ["intake@opvang.example"]
    assert created["subject"] == "Haven: Nieuwe verwijzing / New referral (ZAAK-M1)"
    assert f"https://haven.example.nl/api/v1/referrals/{referral['id']}" in created["text"]
    assert "Accept or decline" in created["text"] and "Neem de verwijzing aan" in created["text"]
    assert "ingetrokken" in cancelled["subject"]
    for message in smtp.messages:
        for detail in ("+31 20", "Gaat terug", "person_declined", "callback", "languages",
                       shelter["location"]["address"] or "-"):
            assert detail not in message["text"]


def test_a_provider_without_an_intake_address_gets_no_mail_and_nothing_breaks(admin, smtp):
    shelter = admin.post("/providers", provider(contact={"phone": "+31 30 000 0000", "email": None,
                                                         "intake_hours": "24/7"})).json
    referral = admin.as_role("caseworker").post("/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                                               "case_reference": "ZAAK-M2"}).json
    store = admin.client.application.extensions["haven"].notifier.store
    eventually(lambda: store.events_to_fan_out(10) == [])  # fanned out, to no one
    assert store.pending_deliveries(50) == []
    assert smtp.messages == []
    assert referral["status"] == "pending"


def test_a_stale_count_reminder_mails_a_one_time_link(admin, smtp):
    from datetime import datetime, timedelta, timezone

    from services.directory.notifications.stale import remind_stale

    now = datetime.now(timezone.utc)
    admin.post("/providers", provider(capacity={"available": 2, "maximum": 2,
                                                "updated": (now - timedelta(hours=23)).isoformat()}))
    context = admin.client.application.extensions["haven"]
    assert remind_stale(notifier=context.notifier, store=context.store, secret=SECRET, now=now,
                        before=timedelta(hours=2), spacing=timedelta(hours=8)) == 1
    eventually(lambda: len(smtp.messages) == 1)
    message = smtp.messages[0]
    assert message["to"] == ["intake@example.org"]
    assert "(1/3)" in message["subject"]
    assert "https://haven.example.nl/capacity/confirm/" in message["text"]


def test_a_caseworker_who_asks_for_mail_gets_every_decision_at_the_account_address(admin, smtp):
    shelter = admin.post("/providers", provider(capacity={"available": 2, "maximum": 2},
                                                contact={"phone": "+31 30 000 0000", "email": None,
                                                         "intake_hours": "24/7"})).json
    caseworker = admin.as_role("caseworker", subject="account:7")
    assert caseworker.put("/webhooks/mail", {"address": "regie@gemeente.example"}).json == {"email": True}
    assert caseworker.get("/webhooks/mail").json == {"email": True, "available": True}
    owner = admin.as_role("provider", provider_ids=(shelter["id"],))
    first = caseworker.post("/referrals", {"provider_id": shelter["id"], "need": "shelter", "case_reference": "ZAAK-M3"}).json
    owner.post(f"/referrals/{first['id']}/decline", {"reason": "not_eligible", "note": "Alleen vrouwen."})

    eventually(lambda: any("afgewezen" in m["subject"] for m in smtp.messages))
    declined = next(m for m in smtp.messages if "afgewezen" in m["subject"])
    assert declined["to"] == ["regie@gemeente.example"]
    assert "not_eligible" in declined["text"] and "Alleen vrouwen" not in declined["text"]

    assert caseworker.delete("/webhooks/mail").status_code == 204
    assert caseworker.get("/webhooks/mail").json["email"] is False


def test_a_mail_address_must_be_one(admin):
    answer = admin.as_role("caseworker").put("/webhooks/mail", {"address": "geen adres"})
    assert answer.status_code == 400
    assert "address" in answer.json["error"]["fields"]


def test_a_capacity_reminder_about_care_counted_apart_names_the_counts_its_link_confirms():
    from services.directory.notifications.events import payload
    from services.directory.notifications.mail import compose

    event = {"id": "evt_stale_p_1_2", "type": "capacity.stale", "at": "2026-12-07T10:00:00+00:00",
             "provider_id": "p", "capacity_updated": "2026-12-06T09:00:00+00:00", "reminder": 1, "token": "t",
             "pools": [{"need": None, "updated": "2026-12-06T09:00:00+00:00"},
                       {"need": "medical", "updated": "2026-12-06T08:00:00+00:00"}]}

    subject, text = compose(payload(event, "https://haven.example.nl"))

    assert "Tellingen / counts: hoofdtelling / main count, medical" in text
    assert "https://haven.example.nl/capacity/confirm/t" in text
    _, main_only = compose(payload(dict(event, pools=event["pools"][:1]), "https://haven.example.nl"))
    assert "Tellingen" not in main_only
