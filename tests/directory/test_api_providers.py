"""Managing providers and capacity over the API: create, replace, merge, delete, staleness."""
from __future__ import annotations

import pytest

from services.directory.domain.rules import iso
from tests.support.factories import provider


def test_creating_a_provider_answers_201_with_its_view(admin):
    body = provider(name="Nieuw Huis")
    response = admin.post("/providers", body)
    assert response.status_code == 201
    assert response.json["id"] == body["id"]
    assert response.json["capacity"]["free"] == 3
    assert admin.get(f"/providers/{body['id']}").json["name"] == "Nieuw Huis"


def test_a_provider_without_an_id_gets_a_uuid(admin):
    body = provider()
    del body["id"]
    created = admin.post("/providers", body).json
    assert len(created["id"]) == 36
    assert admin.get(f"/providers/{created['id']}").status_code == 200


def test_creating_an_existing_id_is_a_conflict(admin, create_provider):
    created = create_provider()
    response = admin.post("/providers", provider(id=created["id"]))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "provider_exists"


def test_put_creates_then_replaces(admin):
    body = provider(name="Eerst")
    assert admin.put(f"/providers/{body['id']}", body).status_code == 201
    replaced = admin.put(f"/providers/{body['id']}", dict(body, name="Daarna"))
    assert replaced.status_code == 200
    assert admin.get(f"/providers/{body['id']}").json["name"] == "Daarna"


def test_put_with_a_different_id_in_the_body_is_refused(admin, create_provider):
    created = create_provider()
    response = admin.put(f"/providers/{created['id']}", provider())
    assert response.status_code == 400
    assert "id" in response.json["error"]["fields"]


def test_a_replacement_that_leaves_capacity_alone_keeps_its_report_time(admin, create_provider, clock):
    created = create_provider()
    clock.advance(hours=30)
    body = provider(id=created["id"], name="Nieuwe naam")
    replaced = admin.put(f"/providers/{created['id']}", body).json
    assert replaced["capacity"]["updated"] == created["capacity"]["updated"]
    assert replaced["capacity"]["stale"] is True


def test_a_replacement_keeps_the_live_capacity_and_takes_the_maximum_and_unit(admin, create_provider, clock):
    created = create_provider(capacity={"available": 3, "maximum": 10, "unit": "bed"})
    clock.advance(hours=30)
    body = provider(id=created["id"], capacity={"available": 1, "maximum": 12, "unit": "case"})
    capacity = admin.put(f"/providers/{created['id']}", body).json["capacity"]
    assert (capacity["available"], capacity["updated"]) == (3, created["capacity"]["updated"])
    assert (capacity["maximum"], capacity["unit"]) == (12, "case")


def test_a_replacement_with_a_maximum_below_the_live_count_is_refused_naming_the_maximum(admin, create_provider):
    created = create_provider(capacity={"available": 3, "maximum": 10})
    body = provider(id=created["id"], capacity={"available": 1, "maximum": 2})
    response = admin.put(f"/providers/{created['id']}", body)
    assert response.status_code == 400
    assert list(response.json["error"]["fields"]) == ["capacity.maximum"]
    assert admin.get(f"/providers/{created['id']}").json["capacity"]["maximum"] == 10


def test_delete_removes_the_provider(admin, create_provider):
    created = create_provider()
    assert admin.delete(f"/providers/{created['id']}").status_code == 204
    assert admin.get(f"/providers/{created['id']}").status_code == 404
    assert admin.delete(f"/providers/{created['id']}").status_code == 404


# -- PATCH -----------------------------------------------------------------------------------

def test_patch_changes_the_named_field_and_keeps_every_other(admin, create_provider, clock):
    created = create_provider(languages=["nl", "ro"], eligibility={"genders": ["female"], "min_age": 21},
                              hold_minutes=90, status="active")
    clock.advance(hours=2)
    patched = admin.patch(f"/providers/{created['id']}", {"name": "Andere naam"})
    assert patched.status_code == 200
    after = admin.get(f"/providers/{created['id']}").json
    assert after["name"] == "Andere naam"
    for key in ("languages", "eligibility", "location", "contact", "hold_minutes", "status", "services", "type"):
        assert after[key] == created[key], key
    assert after["capacity"]["updated"] == created["capacity"]["updated"]
    assert after["capacity"]["available"] == created["capacity"]["available"]


def test_patch_merges_nested_objects_field_by_field(admin, create_provider):
    created = create_provider(location={"municipality": "Utrecht", "address": "Straat 2", "lat": 52.09, "lon": 5.12},
                              eligibility={"genders": ["female"], "min_age": 18, "max_age": 30})
    after = admin.patch(f"/providers/{created['id']}", {"location": {"lat": 52.1}, "eligibility": {"max_age": 40}}).json
    assert after["location"] == {**created["location"], "lat": 52.1}
    assert after["eligibility"] == {**created["eligibility"], "max_age": 40}


def test_patch_replaces_a_list_whole(admin, create_provider):
    created = create_provider(languages=["nl", "ro", "bg"])
    after = admin.patch(f"/providers/{created['id']}", {"languages": ["en"]}).json
    assert after["languages"] == ["en"]


def test_patching_available_capacity_is_refused_naming_the_capacity_report(admin, create_provider):
    created = create_provider(capacity={"available": 3, "maximum": 10})
    response = admin.patch(f"/providers/{created['id']}", {"capacity": {"available": 5}})
    assert response.status_code == 400
    assert list(response.json["error"]["fields"]) == ["capacity.available"]
    assert "capacity report" in response.json["error"]["message"]
    assert admin.get(f"/providers/{created['id']}").json["capacity"]["available"] == 3


def test_patching_the_maximum_keeps_the_live_count(admin, create_provider, as_provider):
    created = create_provider(capacity={"available": 3, "maximum": 10})
    as_provider(created["id"]).put(f"/providers/{created['id']}/capacity", {"available": 4})
    after = admin.patch(f"/providers/{created['id']}", {"capacity": {"maximum": 8}}).json
    assert (after["capacity"]["available"], after["capacity"]["maximum"]) == (4, 8)


def test_patching_an_unknown_provider_is_404(admin):
    response = admin.patch("/providers/00000000-0000-4000-8000-000000000000", {"name": "x"})
    assert response.status_code == 404


def test_a_patch_is_searchable_at_once(admin, caseworker, create_provider):
    created = create_provider(languages=["nl"])
    admin.patch(f"/providers/{created['id']}", {"languages": ["nl", "ti"]})
    assert [p["id"] for p in caseworker.get("/providers", language="ti").json["contents"]] == [created["id"]]


# -- capacity and staleness ------------------------------------------------------------------

def test_a_capacity_report_sets_available_and_updated(as_provider, create_provider, clock):
    created = create_provider(capacity={"available": 3, "maximum": 10})
    clock.advance(hours=3)
    response = as_provider(created["id"]).put(f"/providers/{created['id']}/capacity", {"available": 6})
    assert response.status_code == 200
    capacity = response.json["capacity"]
    assert (capacity["available"], capacity["maximum"], capacity["free"]) == (6, 10, 6)
    assert capacity["updated"] == iso(clock.now)
    assert capacity["age_hours"] == 0.0


def test_a_capacity_report_may_change_the_maximum(admin, create_provider):
    created = create_provider(capacity={"available": 3, "maximum": 10})
    capacity = admin.put(f"/providers/{created['id']}/capacity", {"available": 12, "maximum": 12}).json["capacity"]
    assert (capacity["available"], capacity["maximum"]) == (12, 12)


@pytest.mark.parametrize(("hours", "age_hours", "stale"), [(0, 0.0, False), (23.9, 23.9, False), (24, 24.0, False),
                                                          (24.1, 24.1, True), (200, 200.0, True)])
def test_capacity_age_and_staleness_follow_the_clock(caseworker, create_provider, clock, hours, age_hours, stale):
    created = create_provider()
    clock.advance(hours=hours)
    capacity = caseworker.get(f"/providers/{created['id']}").json["capacity"]
    assert (capacity["age_hours"], capacity["stale"]) == (age_hours, stale)
    [item] = caseworker.get("/providers").json["contents"]
    assert (item["capacity"]["age_hours"], item["capacity"]["stale"]) == (age_hours, stale)


def test_a_fresh_report_makes_a_stale_provider_fresh(as_provider, caseworker, create_provider, clock):
    created = create_provider()
    clock.advance(days=2)
    assert caseworker.get(f"/providers/{created['id']}").json["capacity"]["stale"] is True
    as_provider(created["id"]).put(f"/providers/{created['id']}/capacity", {"available": 2})
    assert caseworker.get(f"/providers/{created['id']}").json["capacity"]["stale"] is False


def test_providers_stale_for_more_than_a_week_are_left_out_of_candidates_unless_asked(caseworker, create_provider,
                                                                                     clock):
    created = create_provider()
    clock.advance(days=7, hours=1)
    body = {"need": "shelter", "lat": 52.09, "lon": 5.12}
    assert caseworker.post("/candidates", body).json["candidates"] == []
    [candidate] = caseworker.post("/candidates", {**body, "include_stale": True}).json["candidates"]
    assert candidate["id"] == created["id"]
    assert candidate["capacity"]["stale"] is True


def test_a_capacity_report_is_audited_with_who_and_what(admin, as_provider, create_provider):
    created = create_provider()
    owner = as_provider(created["id"], subject="provider:huis")
    owner.put(f"/providers/{created['id']}/capacity", {"available": 1})
    [entry] = admin.get("/audit", action="capacity.update").json["contents"]
    assert (entry["actor"], entry["role"], entry["target"], entry["detail"]) == (
        "provider:huis", "provider", created["id"], "available=1")
    assert entry["request_id"]
