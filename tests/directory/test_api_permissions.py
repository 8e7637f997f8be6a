"""Least privilege: each role may do only its own part, and ownership is checked again here."""
from __future__ import annotations

import pytest

from tests.support.factories import provider

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def shelter(create_provider) -> dict:
    return create_provider(capacity={"available": 5, "maximum": 10})


@pytest.fixture
def clients(admin, caseworker, as_provider, shelter, create_provider):
    """One client per kind of caller, the provider ones with and without ownership of `shelter`."""
    elsewhere = create_provider(name="Elders")
    return {
        "admin": admin,
        "caseworker": caseworker,
        "owner": as_provider(shelter["id"]),
        "other provider": as_provider(elsewhere["id"]),
    }


def status_of(response) -> int:
    if response.status_code in (401, 403, 404):
        assert response.json["error"]["status"] == response.status_code
    return response.status_code


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 200), ("owner", 403), ("other provider", 403)])
def test_who_may_search_providers(clients, caller, expected):
    assert status_of(clients[caller].get("/providers")) == expected


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 200), ("owner", 200), ("other provider", 403)])
def test_who_may_read_one_provider(clients, shelter, caller, expected):
    assert status_of(clients[caller].get(f"/providers/{shelter['id']}")) == expected


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 201), ("caseworker", 403), ("owner", 403), ("other provider", 403)])
def test_who_may_create_a_provider(clients, caller, expected):
    assert status_of(clients[caller].post("/providers", provider())) == expected


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 403), ("owner", 403), ("other provider", 403)])
def test_who_may_replace_a_provider(clients, shelter, caller, expected):
    body = provider(id=shelter["id"], name="Vervangen")
    assert status_of(clients[caller].put(f"/providers/{shelter['id']}", body)) == expected


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 403), ("owner", 403), ("other provider", 403)])
def test_who_may_patch_a_provider(clients, shelter, caller, expected):
    assert status_of(clients[caller].patch(f"/providers/{shelter['id']}", {"name": "Anders"})) == expected


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 204), ("caseworker", 403), ("owner", 403), ("other provider", 403)])
def test_who_may_delete_a_provider(clients, shelter, caller, expected):
    assert clients[caller].delete(f"/providers/{shelter['id']}").status_code == expected


def test_a_refused_edit_changes_nothing(clients, shelter):
    clients["caseworker"].patch(f"/providers/{shelter['id']}", {"name": "Gekaapt"})
    clients["owner"].put(f"/providers/{shelter['id']}", provider(id=shelter["id"], name="Gekaapt"))
    clients["caseworker"].delete(f"/providers/{shelter['id']}")
    assert clients["admin"].get(f"/providers/{shelter['id']}").json["name"] == shelter["name"]


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 403), ("owner", 200), ("other provider", 403)])
def test_who_may_report_capacity(clients, shelter, caller, expected):
    response = clients[caller].put(f"/providers/{shelter['id']}/capacity", {"available": 1})
    assert status_of(response) == expected
    after = clients["admin"].get(f"/providers/{shelter['id']}").json["capacity"]["available"]
    assert after == (1 if expected == 200 else 5)


def test_a_provider_owning_several_may_report_for_each_of_them(as_provider, admin, create_provider):
    first, second = create_provider(), create_provider()
    owner = as_provider(first["id"], second["id"])
    for created in (first, second):
        assert owner.put(f"/providers/{created['id']}/capacity", {"available": 0}).status_code == 200


def test_capacity_of_an_unknown_provider_is_404_for_an_admin(admin):
    assert admin.put(f"/providers/{UNKNOWN}/capacity", {"available": 1}).status_code == 404


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 200), ("owner", 403), ("other provider", 403)])
def test_who_may_ask_for_candidates(clients, caller, expected):
    assert status_of(clients[caller].post("/candidates", {"need": "shelter", "lat": 52.09, "lon": 5.12})) == expected


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 403), ("caseworker", 201), ("owner", 403), ("other provider", 403)])
def test_only_caseworkers_create_referrals(clients, shelter, caller, expected):
    body = {"provider_id": shelter["id"], "need": "shelter", "case_reference": "zaak-9"}
    assert status_of(clients[caller].post("/referrals", body)) == expected
    held = clients["admin"].get(f"/providers/{shelter['id']}").json["capacity"]["held"]
    assert held == (1 if expected == 201 else 0)


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 403), ("owner", 403), ("other provider", 403)])
def test_only_admins_read_the_audit_log(clients, caller, expected):
    assert status_of(clients[caller].get("/audit")) == expected


def test_a_referral_to_an_unknown_provider_is_404(caseworker):
    response = caseworker.post("/referrals", {"provider_id": UNKNOWN, "need": "shelter", "case_reference": "z"})
    assert response.status_code == 404


@pytest.mark.parametrize(("caller", "expected"), [
    ("admin", 200), ("caseworker", 200), ("owner", 403), ("other provider", 403)])
def test_who_may_ask_for_a_candidate_batch(clients, caller, expected):
    body = {"queries": [{"need": "shelter", "lat": 52.09, "lon": 5.12}]}
    assert status_of(clients[caller].post("/candidates/batch", body)) == expected
