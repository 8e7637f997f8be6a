"""Referrals over the API: holds, the lifecycle, who may move them, 409s and the address reveal."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.directory.domain.rules import iso
from tests.directory.api_support import HIDDEN_ADDRESS


@pytest.fixture
def shelter(create_provider) -> dict:
    return create_provider(capacity={"available": 2, "maximum": 10}, hold_minutes=120)


@pytest.fixture
def owner(as_provider, shelter):
    return as_provider(shelter["id"], subject="provider:owner")


@pytest.fixture
def stranger(as_provider, create_provider):
    return as_provider(create_provider(name="Elders")["id"], subject="provider:stranger")


def refer(client, provider_id, **extra):
    body = {"provider_id": provider_id, "need": "shelter", "case_reference": "zaak-1", **extra}
    return client.post("/referrals", body)


def capacity(admin, provider_id):
    return admin.get(f"/providers/{provider_id}").json["capacity"]


# -- creating --------------------------------------------------------------------------------

def test_a_referral_is_201_pending_and_holds_a_unit_until_its_expiry(caseworker, admin, shelter, clock):
    response = refer(caseworker, shelter["id"])
    assert response.status_code == 201
    referral = response.json
    assert (referral["status"], referral["provider_id"], referral["need"]) == ("pending", shelter["id"], "shelter")
    assert referral["created_by"] == "test:caseworker"
    assert referral["provider_name"] == shelter["name"]
    assert referral["address"] is None
    # The provider's own hold time applies when the caseworker names none.
    assert referral["expires_at"] == iso(clock.now + timedelta(minutes=120))
    held = capacity(admin, shelter["id"])
    assert (held["available"], held["held"], held["free"]) == (2, 1, 1)


def test_the_caseworker_may_ask_for_a_shorter_hold(caseworker, shelter, clock):
    assert refer(caseworker, shelter["id"], hold_minutes=30).json["expires_at"] == iso(clock.now + timedelta(minutes=30))


def test_when_nothing_is_free_the_answer_is_409_and_nothing_is_held(caseworker, admin, shelter):
    refer(caseworker, shelter["id"])
    refer(caseworker, shelter["id"])
    response = refer(caseworker, shelter["id"], case_reference="te-veel")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "no_capacity"
    assert capacity(admin, shelter["id"])["held"] == 2
    assert caseworker.get("/referrals", case_reference="te-veel").json["total_items"] == 0


def test_a_referral_to_an_inactive_provider_is_409(caseworker, create_provider):
    closed = create_provider(status="temporarily_closed")
    assert refer(caseworker, closed["id"]).status_code == 409


# -- accept, decline, cancel -----------------------------------------------------------------

def test_its_provider_accepts_and_the_unit_stays_used(caseworker, owner, admin, shelter):
    referral = refer(caseworker, shelter["id"]).json
    response = owner.post(f"/referrals/{referral['id']}/accept")
    assert response.status_code == 200
    assert response.json["status"] == "accepted"
    after = capacity(admin, shelter["id"])
    assert (after["available"], after["held"], after["free"]) == (1, 0, 1)


def test_its_provider_declines_and_the_unit_comes_back(caseworker, owner, admin, shelter):
    referral = refer(caseworker, shelter["id"]).json
    assert owner.post(f"/referrals/{referral['id']}/decline").json["status"] == "declined"
    after = capacity(admin, shelter["id"])
    assert (after["available"], after["held"], after["free"]) == (2, 0, 2)


def test_the_creator_cancels_and_the_unit_comes_back(caseworker, admin, shelter):
    referral = refer(caseworker, shelter["id"]).json
    assert caseworker.post(f"/referrals/{referral['id']}/cancel").json["status"] == "cancelled"
    assert capacity(admin, shelter["id"])["free"] == 2


@pytest.mark.parametrize(("first", "then"), [
    ("accept", "accept"), ("accept", "decline"), ("decline", "accept"), ("accept", "cancel"), ("decline", "cancel")])
def test_a_referral_that_is_no_longer_pending_cannot_move_again(caseworker, owner, shelter, first, then):
    referral = refer(caseworker, shelter["id"]).json
    assert owner.post(f"/referrals/{referral['id']}/{first}").status_code == 200
    mover = caseworker if then == "cancel" else owner
    response = mover.post(f"/referrals/{referral['id']}/{then}")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "invalid_transition"


def test_a_cancelled_referral_cannot_be_accepted(caseworker, owner, shelter):
    referral = refer(caseworker, shelter["id"]).json
    caseworker.post(f"/referrals/{referral['id']}/cancel")
    assert owner.post(f"/referrals/{referral['id']}/accept").status_code == 409


def test_a_hold_expires_exactly_at_its_time_and_gives_the_unit_back(caseworker, owner, admin, shelter, clock):
    referral = refer(caseworker, shelter["id"], hold_minutes=30).json
    clock.advance(minutes=29, seconds=59)
    assert caseworker.get(f"/referrals/{referral['id']}").json["status"] == "pending"
    assert capacity(admin, shelter["id"])["held"] == 1
    clock.advance(seconds=1)
    assert caseworker.get(f"/referrals/{referral['id']}").json["status"] == "expired"
    assert capacity(admin, shelter["id"])["held"] == 0
    response = owner.post(f"/referrals/{referral['id']}/accept")
    assert response.status_code == 409
    assert "expired" in response.json["error"]["message"]


# -- who may move and see a referral ---------------------------------------------------------

@pytest.mark.parametrize("verb", ["accept", "decline"])
def test_only_its_provider_accepts_or_declines(caseworker, admin, other_caseworker, stranger, owner, shelter, verb):
    referral = refer(caseworker, shelter["id"]).json
    assert caseworker.post(f"/referrals/{referral['id']}/{verb}").status_code == 403
    assert admin.post(f"/referrals/{referral['id']}/{verb}").status_code == 403
    assert other_caseworker.post(f"/referrals/{referral['id']}/{verb}").status_code == 404
    assert stranger.post(f"/referrals/{referral['id']}/{verb}").status_code == 404
    assert caseworker.get(f"/referrals/{referral['id']}").json["status"] == "pending"
    assert owner.post(f"/referrals/{referral['id']}/{verb}").status_code == 200


def test_only_the_creator_cancels(caseworker, admin, other_caseworker, owner, stranger, shelter):
    referral = refer(caseworker, shelter["id"]).json
    assert owner.post(f"/referrals/{referral['id']}/cancel").status_code == 403
    assert admin.post(f"/referrals/{referral['id']}/cancel").status_code == 403
    assert other_caseworker.post(f"/referrals/{referral['id']}/cancel").status_code == 404
    assert stranger.post(f"/referrals/{referral['id']}/cancel").status_code == 404
    assert caseworker.post(f"/referrals/{referral['id']}/cancel").status_code == 200


def test_a_referral_is_visible_to_its_creator_its_provider_and_admins_only(caseworker, admin, other_caseworker,
                                                                         owner, stranger, shelter):
    referral = refer(caseworker, shelter["id"]).json
    for client in (caseworker, owner, admin):
        assert client.get(f"/referrals/{referral['id']}").status_code == 200
    for client in (other_caseworker, stranger):
        response = client.get(f"/referrals/{referral['id']}")
        assert response.status_code == 404
        assert response.json == {"error": {**response.json["error"], "code": "not_found",
                                           "message": "referral not found", "status": 404}}


def test_an_unknown_referral_reads_the_same_as_someone_elses(caseworker):
    response = caseworker.get("/referrals/00000000-0000-4000-8000-000000000000")
    assert (response.status_code, response.json["error"]["message"]) == (404, "referral not found")


def test_each_caller_lists_only_the_referrals_they_may_see(caseworker, admin, other_caseworker, owner, stranger,
                                                        shelter, create_provider):
    elsewhere = create_provider(name="Ander Huis")
    mine = refer(caseworker, shelter["id"], case_reference="a").json
    theirs = refer(other_caseworker, elsewhere["id"], case_reference="b").json

    def listed(client, **params):
        response = client.get("/referrals", **params)
        assert response.status_code == 200
        return {item["id"] for item in response.json["contents"]}

    assert listed(caseworker) == {mine["id"]}
    assert listed(other_caseworker) == {theirs["id"]}
    assert listed(owner) == {mine["id"]}
    assert listed(stranger) == set()
    assert listed(admin) == {mine["id"], theirs["id"]}
    assert listed(admin, provider_id=elsewhere["id"]) == {theirs["id"]}
    assert listed(owner, provider_id=elsewhere["id"]) == set()
    assert listed(caseworker, case_reference="b") == set()


def test_providers_cannot_search_by_case_reference(owner, caseworker, shelter):
    refer(caseworker, shelter["id"], case_reference="geheim")
    assert owner.get("/referrals", case_reference="geheim").status_code == 403


def test_referral_listings_filter_by_status_and_page(caseworker, owner, create_provider):
    roomy = create_provider(capacity={"available": 9, "maximum": 10})
    made = [refer(caseworker, roomy["id"], case_reference=f"z{n}").json for n in range(5)]
    as_owner = owner.as_role("provider", subject="provider:roomy", provider_ids=(roomy["id"],))
    as_owner.post(f"/referrals/{made[0]['id']}/accept")
    as_owner.post(f"/referrals/{made[1]['id']}/decline")
    assert caseworker.get("/referrals", status="pending").json["total_items"] == 3
    assert [r["id"] for r in caseworker.get("/referrals", status="accepted").json["contents"]] == [made[0]["id"]]
    first = caseworker.get("/referrals", size=2).json
    assert (first["total_items"], first["total_pages"], len(first["contents"])) == (5, 3, 2)
    seen = [r["id"] for page in (1, 2, 3) for r in caseworker.get("/referrals", size=2, page=page).json["contents"]]
    assert sorted(seen) == sorted(r["id"] for r in made)


@pytest.mark.parametrize(("params", "field"), [({"status": "open"}, "status"), ({"provider_id": "x"}, "provider_id"),
                                               ({"size": 101}, "size"), ({"owner": "me"}, "owner")])
def test_a_bad_referral_listing_is_refused_by_name(caseworker, params, field):
    response = caseworker.get("/referrals", **params)
    assert response.status_code == 400
    assert field in response.json["error"]["fields"]


# -- the address, once accepted --------------------------------------------------------------

def test_the_creator_gets_the_address_once_its_referral_is_accepted(caseworker, admin, as_provider, hidden_shelter):
    referral = refer(caseworker, hidden_shelter["id"]).json
    assert caseworker.get(f"/referrals/{referral['id']}").json["address"] is None
    as_provider(hidden_shelter["id"]).post(f"/referrals/{referral['id']}/accept")

    revealed = caseworker.get(f"/referrals/{referral['id']}").json["address"]

    assert HIDDEN_ADDRESS in revealed and "3512 ZZ" in revealed and "Utrecht" in revealed
    # The provider record itself stays coarse for the caseworker.
    assert caseworker.get(f"/providers/{hidden_shelter['id']}").json["location"]["address"] is None


def test_an_address_reveal_is_audited(caseworker, admin, as_provider, hidden_shelter):
    referral = refer(caseworker, hidden_shelter["id"]).json
    as_provider(hidden_shelter["id"]).post(f"/referrals/{referral['id']}/accept")
    assert admin.get("/audit", action="address.reveal").json["total_items"] == 0

    caseworker.get(f"/referrals/{referral['id']}")

    [entry] = admin.get("/audit", action="address.reveal").json["contents"]
    assert (entry["actor"], entry["role"], entry["target"]) == ("test:caseworker", "caseworker", hidden_shelter["id"])
    assert referral["id"] in entry["detail"]
    assert HIDDEN_ADDRESS not in str(entry)


def test_nobody_else_gets_the_address_through_the_referral(caseworker, admin, other_caseworker, as_provider,
                                                           hidden_shelter):
    owner = as_provider(hidden_shelter["id"])
    referral = refer(caseworker, hidden_shelter["id"]).json
    owner.post(f"/referrals/{referral['id']}/accept")
    assert owner.get(f"/referrals/{referral['id']}").json["address"] is None
    assert admin.get(f"/referrals/{referral['id']}").json["address"] is None
    assert other_caseworker.get(f"/referrals/{referral['id']}").status_code == 404
    for client in (caseworker, owner, admin):
        assert all(item["address"] is None for item in client.get("/referrals").json["contents"])
    assert admin.get("/audit", action="address.reveal").json["total_items"] == 0


@pytest.mark.parametrize("outcome", ["decline", "pending", "expired"])
def test_no_address_without_acceptance(caseworker, as_provider, admin, hidden_shelter, clock, outcome):
    referral = refer(caseworker, hidden_shelter["id"], hold_minutes=10).json
    if outcome == "decline":
        as_provider(hidden_shelter["id"]).post(f"/referrals/{referral['id']}/decline")
    if outcome == "expired":
        clock.advance(minutes=11)
    assert caseworker.get(f"/referrals/{referral['id']}").json["address"] is None
    assert admin.get("/audit", action="address.reveal").json["total_items"] == 0


# -- audit of the lifecycle ------------------------------------------------------------------

def test_every_step_of_a_referral_is_audited_once(caseworker, owner, admin, shelter):
    referral = refer(caseworker, shelter["id"]).json
    owner.post(f"/referrals/{referral['id']}/accept")
    entries = admin.get("/audit", target=referral["id"]).json["contents"]
    assert [(e["action"], e["actor"], e["role"]) for e in entries] == [
        ("referral.accept", "provider:owner", "provider"), ("referral.create", "test:caseworker", "caseworker")]
    assert all(e["request_id"] for e in entries)
    assert all("zaak-1" not in str(e) for e in entries)
