"""Capacity per service over the API: a provider's service_capacity, its reports, and referrals that hold it."""
from __future__ import annotations

import pytest

from tests.directory.api_support import field_errors
from tests.support.factories import provider

CARE = {"available": 2, "maximum": 3, "unit": "appointment"}


@pytest.fixture
def shelter(create_provider) -> dict:
    """A shelter that also offers medical care, counted apart from its beds."""
    return create_provider(services=["shelter", "medical", "legal"], capacity={"available": 4, "maximum": 10},
                           service_capacity={"medical": CARE})


def refer(client, provider_id, need, **extra):
    return client.post("/referrals", {"provider_id": provider_id, "need": need, "case_reference": f"zaak-{need}",
                                      **extra})


def pools(admin, provider_id) -> tuple[dict, dict]:
    shown = admin.get(f"/providers/{provider_id}").json
    return shown["capacity"], shown["service_capacity"]["medical"]


def test_a_provider_shows_each_pool_with_its_computed_fields(admin, shelter):
    beds, care = pools(admin, shelter["id"])
    assert (beds["available"], beds["free"], beds["held"]) == (4, 4, 0)
    assert (care["available"], care["maximum"], care["unit"], care["free"], care["held"]) == (2, 3, "appointment", 2, 0)
    assert care["stale"] is False and care["age_hours"] == 0.0 and care["updated"]


def test_a_provider_without_own_pools_shows_none(admin, create_provider):
    assert admin.get(f"/providers/{create_provider()['id']}").json["service_capacity"] == {}


def test_a_medical_referral_holds_a_care_place_and_leaves_the_beds_free(caseworker, admin, shelter):
    response = refer(caseworker, shelter["id"], "medical", party={"adults": 2, "children": 1})

    assert response.status_code == 201, response.json
    # Care is counted in appointments: one however many come; beds would hold one per person.
    assert response.json["units"] == 1
    beds, care = pools(admin, shelter["id"])
    assert (beds["free"], beds["held"]) == (4, 0)
    assert (care["free"], care["held"]) == (1, 1)


def test_a_full_care_pool_answers_409_while_beds_are_free(caseworker, admin, create_provider):
    full = create_provider(services=["shelter", "medical"], service_capacity={"medical": dict(CARE, available=0)})

    response = refer(caseworker, full["id"], "medical")

    assert response.status_code == 409
    assert response.json["error"]["code"] == "no_capacity"
    assert refer(caseworker, full["id"], "shelter").status_code == 201


def test_a_capacity_report_with_a_need_reports_that_pool_only(as_provider, admin, shelter):
    owner = as_provider(shelter["id"])

    response = owner.put(f"/providers/{shelter['id']}/capacity", {"available": 1, "need": "medical"})

    assert response.status_code == 200, response.json
    assert response.json["service_capacity"]["medical"]["available"] == 1
    assert response.json["capacity"]["available"] == 4
    response = owner.put(f"/providers/{shelter['id']}/capacity", {"available": 7})
    assert (response.json["capacity"]["available"], response.json["service_capacity"]["medical"]["available"]) == (7, 1)


@pytest.mark.parametrize(("body", "field"), [
    ({"available": 1, "need": "legal"}, "need"),           # legal draws on the main pool: no pool of its own
    ({"available": 1, "need": "housing"}, "need"),         # no such need
    ({"available": 1, "need": 3}, "need"),
    ({"available": 4, "need": "medical"}, "available"),    # above the care pool's maximum (3)
])
def test_a_bad_pool_report_is_refused_by_name_and_changes_nothing(as_provider, admin, shelter, body, field):
    response = as_provider(shelter["id"]).put(f"/providers/{shelter['id']}/capacity", body)

    assert field in field_errors(response)
    assert pools(admin, shelter["id"])[1]["available"] == 2


@pytest.mark.parametrize(("pools_given", "field"), [
    ({"legal": CARE}, "service_capacity"),                                   # not one of its services
    ({"housing": CARE}, "service_capacity"),                                 # not a need at all
    ({"medical": dict(CARE, available=5)}, "service_capacity.medical.available"),
    ({"medical": dict(CARE, available="2")}, "service_capacity.medical.available"),
    ({"medical": dict(CARE, maximum=True)}, "service_capacity.medical.maximum"),
    ({"medical": dict(CARE, unit="room")}, "service_capacity.medical.unit"),
    ({"medical": {"available": 1}}, "service_capacity.medical.maximum"),
    ({"medical": dict(CARE, colour="red")}, "service_capacity.medical.colour"),
    ({"medical": None}, "service_capacity.medical"),
    (["medical"], "service_capacity"),
])
def test_a_bad_service_capacity_is_refused_by_name(admin, pools_given, field):
    body = provider(services=["shelter", "medical"], service_capacity=pools_given)

    errors = field_errors(admin.post("/providers", body))

    assert any(name == field or name.startswith(field + ".") for name in errors), errors


def test_an_edit_keeps_a_pools_live_count_and_a_patch_may_not_set_it(admin, caseworker, shelter):
    refer(caseworker, shelter["id"], "medical")
    replacement = provider(id=shelter["id"], services=["shelter", "medical", "legal"],
                           service_capacity={"medical": dict(CARE, available=0, maximum=5)})

    response = admin.put(f"/providers/{shelter['id']}", replacement)

    assert response.status_code == 200, response.json
    care = response.json["service_capacity"]["medical"]
    assert (care["available"], care["maximum"], care["held"]) == (2, 5, 1)
    refused = admin.patch(f"/providers/{shelter['id']}", {"service_capacity": {"medical": {"available": 0}}})
    assert "service_capacity.medical.available" in field_errors(refused)
    patched = admin.patch(f"/providers/{shelter['id']}", {"service_capacity": {"medical": {"maximum": 4}}})
    assert patched.status_code == 200, patched.json
    assert patched.json["service_capacity"]["medical"]["maximum"] == 4


def test_an_edit_may_not_set_a_pool_maximum_below_its_available_units(admin, shelter):
    response = admin.patch(f"/providers/{shelter['id']}", {"service_capacity": {"medical": {"maximum": 1}}})

    assert "service_capacity.medical.available" in field_errors(response)
    assert admin.get(f"/providers/{shelter['id']}").json["service_capacity"]["medical"]["maximum"] == 3


def test_a_patch_may_add_a_pool_with_its_count(admin, shelter):
    response = admin.patch(f"/providers/{shelter['id']}", {"service_capacity": {
        "legal": {"available": 1, "maximum": 2, "unit": "case"}}})

    assert response.status_code == 200, response.json
    assert response.json["service_capacity"]["legal"]["free"] == 1
    assert response.json["service_capacity"]["medical"]["available"] == 2
