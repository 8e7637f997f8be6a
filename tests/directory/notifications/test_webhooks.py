"""Signed webhooks from the outbox, through a real HTTP receiver, on each store."""
from __future__ import annotations

import contextlib

import pytest

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from tests.conftest import SECRET
from tests.support.factories import provider
from tests.support.signed import SignedFlaskClient
from tests.support.webhook_receiver import WebhookReceiver, eventually


@contextlib.contextmanager
def _store(kind, tmp_path):
    if kind == "sqlite":
        store = SqliteDirectoryStore(tmp_path / "haven.db")
        try:
            yield store, f"sqlite:///{tmp_path / 'haven.db'}"
        finally:
            store.close()
    else:
        from tests.support.engine_store import engine_store

        with engine_store() as store:
            # Signed-request nonces in a SQLite file: the store itself is passed to the app.
            yield store, f"sqlite:///{tmp_path / 'unused.db'}"


@pytest.fixture(params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def app(request, tmp_path):
    with _store(request.param, tmp_path) as (store, url):
        settings = DirectorySettings(store_url=url, internal_secret=SECRET, deliver_seconds=0.05, sweep_seconds=0.05,
                                     webhook_retry_first_seconds=0.1, webhook_allow_loopback=True,
                                     background_lock=tmp_path / "background.lock",
                                     public_url="https://haven.example.nl")
        made = create_directory({"SETTINGS": settings, "STORE": store})
        try:
            yield made
        finally:
            made.extensions["haven"].background.stop()


@pytest.fixture
def admin(app):
    return SignedFlaskClient(app, SECRET, "admin")


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def shelter(admin):
    return admin.post("/providers", provider(capacity={"available": 3, "maximum": 5})).json


def subscribe(client, receiver, **extra):
    answer = client.post("/webhooks", {"url": receiver.url, **extra})
    assert answer.status_code == 201, answer.json
    receiver.secret = answer.json["secret"]
    return answer.json


def refer(caseworker, shelter, **extra):
    made = caseworker.post("/referrals", {"provider_id": shelter["id"], "need": "shelter", "case_reference": "ZAAK-W1",
                                          "callback": "+31 20 123 4567", **extra})
    assert made.status_code == 201, made.json
    return made.json


def test_the_provider_hears_of_a_new_referral_by_a_signed_webhook_without_the_persons_details(admin, shelter,
                                                                                              receiver):
    owner = admin.as_role("provider", subject="provider:owner", provider_ids=(shelter["id"],))
    subscribed = subscribe(owner, receiver)
    assert subscribed["secret"].startswith("whsec_")
    referral = refer(admin.as_role("caseworker"), shelter, languages=["ro"])

    eventually(lambda: receiver.of(referral["id"]) == ["referral.created"])
    message = receiver.received[0]
    assert message["data"]["status"] == "pending"
    assert message["data"]["case_reference"] == "ZAAK-W1"
    assert message["data"]["links"]["referral"] == f"https://haven.example.nl/api/v1/referrals/{referral['id']}"
    for secret_thing in ("+31 20", "callback", "address", "Voorbeeld", "\"ro\""):
        assert secret_thing not in message["raw"]
    assert receiver.bad_signatures == 0
    # The secret is shown once: listing never shows it again.
    assert [set(item) for item in owner.get("/webhooks").json["contents"]] == [
        {"id", "url", "events", "description", "created_at"}]


def test_the_caseworker_hears_every_decision_in_order_once(admin, shelter, receiver):
    caseworker = admin.as_role("caseworker", subject="caseworker:w")
    subscribe(caseworker, receiver)
    owner = admin.as_role("provider", provider_ids=(shelter["id"],))
    declined = refer(caseworker, shelter, case_reference="ZAAK-W2")
    owner.post(f"/referrals/{declined['id']}/decline", {"reason": "not_eligible", "note": "Alleen vrouwen."})
    accepted = refer(caseworker, shelter, case_reference="ZAAK-W3")
    sibling = refer(caseworker, shelter, case_reference="ZAAK-W3")
    owner.post(f"/referrals/{accepted['id']}/accept")

    eventually(lambda: receiver.of(declined["id"]) == ["referral.created", "referral.declined"])
    eventually(lambda: receiver.of(accepted["id"]) == ["referral.created", "referral.accepted"])
    eventually(lambda: receiver.of(sibling["id"]) == ["referral.created", "referral.cancelled"])
    decline = next(m for m in receiver.received if m["type"] == "referral.declined")
    assert decline["data"]["reason"] == "not_eligible"
    assert "Alleen vrouwen" not in decline["raw"]
    cancel = next(m for m in receiver.received if m["type"] == "referral.cancelled")
    assert cancel["data"]["reason"] == "placed_elsewhere"
    assert len({m["id"] for m in receiver.received}) == len(receiver.received) == 6


def test_a_receiver_that_is_down_gets_everything_once_it_is_back(admin, shelter, receiver):
    caseworker = admin.as_role("caseworker")
    subscribe(admin.as_role("provider", provider_ids=(shelter["id"],)), receiver)
    receiver.down = True
    referral = refer(caseworker, shelter)
    caseworker.post(f"/referrals/{referral['id']}/cancel", {"reason": "person_declined"})
    eventually(lambda: receiver.refused >= 3)
    assert receiver.received == []

    receiver.down = False

    eventually(lambda: receiver.of(referral["id"]) == ["referral.created", "referral.cancelled"])
    # Recorded just after the receiver answered.
    eventually(lambda: app_counts(admin) == {"delivered": 2})


def app_counts(admin):
    return admin.client.application.extensions["haven"].notifier.store.delivery_counts()


def test_others_hear_nothing_of_referrals_that_are_not_theirs(admin, shelter, receiver):
    elsewhere = admin.post("/providers", provider(name="Elders", capacity={"available": 2, "maximum": 2})).json
    subscribe(admin.as_role("provider", subject="provider:other", provider_ids=(elsewhere["id"],)), receiver)
    theirs = refer(admin.as_role("caseworker"), shelter)
    mine = refer(admin.as_role("caseworker", subject="caseworker:2"), elsewhere)
    eventually(lambda: receiver.of(mine["id"]) == ["referral.created"])
    assert receiver.of(theirs["id"]) == []


def test_the_provider_is_reminded_of_a_hold_about_to_end_and_the_caseworker_is_not(admin, shelter, receiver):
    subscribe(admin.as_role("provider", provider_ids=(shelter["id"],)), receiver)
    caseworker = admin.as_role("caseworker", subject="caseworker:r")
    caseworker.post("/webhooks", {"url": receiver.url})  # same receiver, its own secret: would fail to verify
    short = refer(caseworker, shelter, hold_minutes=10)  # ends within the 30 minutes of a reminder
    long = refer(caseworker, shelter, hold_minutes=240, case_reference="ZAAK-W9")
    eventually(lambda: receiver.of(short["id"]) == ["referral.created", "referral.expiring"])
    eventually(lambda: receiver.of(long["id"]) == ["referral.created"])
    # The caseworker's deliveries were signed with its own secret; the receiver checks the provider's only.
    eventually(lambda: receiver.bad_signatures >= 2)


@pytest.mark.parametrize("url, problem", [
    ("http://169.254.169.254/latest/meta-data", "link-local"), ("http://10.0.0.5/hook", "private"),
    ("ftp://example.nl/hook", "https://"), ("http://user:pw@127.0.0.1/x", "user name"),
    ("http://[::ffff:169.254.169.254]/", "link-local"),
])
def test_internal_and_odd_urls_are_refused_naming_the_url(admin, url, problem):
    answer = admin.as_role("caseworker").post("/webhooks", {"url": url})
    assert answer.status_code == 400
    assert problem in answer.json["error"]["fields"]["url"][0]


def test_one_account_cannot_see_or_remove_anothers_webhook(admin, receiver):
    made = subscribe(admin.as_role("caseworker", subject="caseworker:a"), receiver)
    other = admin.as_role("caseworker", subject="caseworker:b")
    assert other.get("/webhooks").json["contents"] == []
    assert other.delete(f"/webhooks/{made['id']}").status_code == 404
    assert admin.as_role("caseworker", subject="caseworker:a").delete(f"/webhooks/{made['id']}").status_code == 204


def test_an_unknown_event_type_is_400(admin, receiver):
    answer = admin.as_role("caseworker").post("/webhooks", {"url": receiver.url, "events": ["referral.eaten"]})
    assert answer.status_code == 400
    assert "events.0" in answer.json["error"]["fields"]


def test_deliveries_and_their_latency_are_in_the_metrics_and_the_report(admin, shelter, receiver):
    subscribe(admin.as_role("provider", provider_ids=(shelter["id"],)), receiver)
    referral = refer(admin.as_role("caseworker"), shelter)
    eventually(lambda: receiver.of(referral["id"]) == ["referral.created"])
    eventually(lambda: 'haven_webhook_deliveries_total{outcome="delivered"} 1.0'
               in admin.client.get("/metrics").get_data(as_text=True))
    assert "haven_webhook_delivery_latency_seconds_count 1.0" in admin.client.get("/metrics").get_data(as_text=True)
    report = admin.get("/webhooks/deliveries").json
    assert report == {"counts": {"delivered": 1}, "problems": []}
    assert admin.as_role("caseworker").get("/webhooks/deliveries").status_code == 403


def test_removing_a_webhook_drops_its_pending_deliveries_and_no_others(admin, shelter, receiver):
    provider_account = admin.as_role("provider", provider_ids=(shelter["id"],))
    removed = subscribe(provider_account, receiver)
    subscribe(admin.as_role("caseworker"), receiver)
    receiver.down = True
    referral = refer(admin.as_role("caseworker"), shelter)
    admin.as_role("caseworker").post(f"/referrals/{referral['id']}/cancel", {"reason": "person_declined"})
    eventually(lambda: app_counts(admin) == {"pending": 4} and receiver.refused >= 4)

    assert provider_account.delete(f"/webhooks/{removed['id']}").status_code == 204
    assert app_counts(admin) == {"pending": 2}
    receiver.down = False
    eventually(lambda: app_counts(admin) == {"delivered": 2})
    # Signed with the kept webhook's secret (the receiver checks that one): nothing came for the removed one.
    assert (len(receiver.received), receiver.bad_signatures) == (2, 0)
