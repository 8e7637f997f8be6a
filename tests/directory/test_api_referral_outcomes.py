"""What a referral says and why it ended, over the API: strict input, the note for the other party only."""
from __future__ import annotations

import logging

import pytest


@pytest.fixture
def shelter(create_provider) -> dict:
    return create_provider(capacity={"available": 5, "maximum": 10})


@pytest.fixture
def owner(as_provider, shelter):
    return as_provider(shelter["id"], subject="provider:owner")


def refer(client, provider_id, **extra):
    body = {"provider_id": provider_id, "need": "shelter", "case_reference": extra.pop("case_reference", "ZAAK-1"),
            **extra}
    return client.post("/referrals", body)


def test_a_referral_carries_languages_interpreter_urgency_and_a_callback(caseworker, owner, shelter):
    made = refer(caseworker, shelter["id"], languages=["ro", "en"], interpreter_needed=True, urgency="urgent",
                 callback="intake@gemeente.example.nl")
    assert made.status_code == 201, made.json
    seen = owner.get(f"/referrals/{made.json['id']}").json
    assert (seen["languages"], seen["interpreter_needed"], seen["urgency"], seen["callback"]) == (
        ["ro", "en"], True, "urgent", "intake@gemeente.example.nl")


@pytest.mark.parametrize("field, value", [
    ("callback", "bel mij"), ("callback", "+31 6"), ("callback", "a@b"), ("callback", "x..y@example.nl"),
    ("callback", 31201234567), ("callback", "+31 20 123 4567\n"), ("urgency", "now"), ("languages", ["xx1"]),
    ("languages", "ro"), ("interpreter_needed", "yes"), ("languages", ["ro", "ro"]),
])
def test_a_bad_brief_is_400_naming_the_field(caseworker, shelter, field, value):
    response = refer(caseworker, shelter["id"], **{field: value})
    assert response.status_code == 400
    assert any(name.split(".")[0] == field for name in response.json["error"]["fields"])


@pytest.mark.parametrize("callback", ["+31 20 123 4567", "020-1234567", "0201234567", "zorg.coordinatie@utrecht.nl"])
def test_office_phone_numbers_and_addresses_are_callbacks(caseworker, shelter, callback):
    assert refer(caseworker, shelter["id"], callback=callback).status_code == 201


def test_a_decline_note_is_shown_to_the_caseworker_and_to_no_one_else(caseworker, owner, admin, shelter, caplog):
    referral = refer(caseworker, shelter["id"]).json
    caplog.set_level(logging.DEBUG)
    declined = owner.post(f"/referrals/{referral['id']}/decline", {"reason": "not_eligible",
                                                                    "note": "Alleen vrouwen, sorry."})
    assert declined.status_code == 200, declined.json
    assert declined.json["reason"] == "not_eligible"
    seen = caseworker.get(f"/referrals/{referral['id']}").json
    assert (seen["status"], seen["reason"], seen["note"]) == ("declined", "not_eligible", "Alleen vrouwen, sorry.")
    assert caseworker.get("/referrals").json["contents"][0]["note"] == "Alleen vrouwen, sorry."
    assert admin.get(f"/referrals/{referral['id']}").json["note"] is None
    assert owner.get(f"/referrals/{referral['id']}").json["note"] is None
    assert "Alleen vrouwen" not in caplog.text


def test_a_cancel_note_is_shown_to_the_provider(caseworker, owner, shelter):
    referral = refer(caseworker, shelter["id"]).json
    cancelled = caseworker.post(f"/referrals/{referral['id']}/cancel", {"reason": "person_declined", "note": "Gaat terug."})
    assert cancelled.json["note"] is None  # the caseworker wrote it; it is for the provider
    seen = owner.get(f"/referrals/{referral['id']}").json
    assert (seen["reason"], seen["note"]) == ("person_declined", "Gaat terug.")


@pytest.mark.parametrize("verb, body, field", [
    ("decline", {"reason": "placed_elsewhere"}, "reason"),   # a caseworker's reason, not a provider's
    ("decline", {"reason": "bogus"}, "reason"),
    ("decline", {"note": "zonder reden"}, "reason"),
    ("decline", {"reason": "other", "note": "x" * 201}, "note"),
    ("decline", {"reason": "other", "note": "regel\u202eomgekeerd"}, "note"),
    ("decline", {"reason": "other", "extra": 1}, "extra"),
    ("cancel", {"reason": "no_capacity"}, "reason"),
])
def test_a_bad_reason_or_note_is_400_naming_the_field_and_changes_nothing(caseworker, owner, shelter, verb, body,
                                                                         field):
    referral = refer(caseworker, shelter["id"]).json
    client = owner if verb == "decline" else caseworker
    response = client.post(f"/referrals/{referral['id']}/{verb}", body)
    assert response.status_code == 400
    assert field in response.json["error"]["fields"]
    assert caseworker.get(f"/referrals/{referral['id']}").json["status"] == "pending"


def test_a_decline_without_a_body_has_the_reason_other(caseworker, owner, shelter):
    referral = refer(caseworker, shelter["id"]).json
    assert owner.post(f"/referrals/{referral['id']}/decline").json["reason"] == "other"


def test_accepting_one_cancels_the_other_holds_for_the_case(caseworker, as_provider, create_provider):
    shelters = [create_provider(capacity={"available": 1, "maximum": 5}) for _ in range(2)]
    first, second = [refer(caseworker, s["id"], case_reference="ZAAK-2").json for s in shelters]
    as_provider(shelters[0]["id"]).post(f"/referrals/{first['id']}/accept")
    other = caseworker.get(f"/referrals/{second['id']}").json
    assert (other["status"], other["reason"]) == ("cancelled", "placed_elsewhere")


def test_a_fourth_pending_referral_for_one_case_and_need_is_409_naming_the_case_reference(caseworker, create_provider):
    shelters = [create_provider(capacity={"available": 1, "maximum": 5}) for _ in range(4)]
    for shelter in shelters[:3]:
        assert refer(caseworker, shelter["id"], case_reference="ZAAK-3").status_code == 201
    response = refer(caseworker, shelters[3]["id"], case_reference="ZAAK-3")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "too_many_pending"
    assert "case_reference" in response.json["error"]["fields"]
