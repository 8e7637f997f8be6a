"""Providers as Open Referral HSDS 3.1 services: the pure mapping, and the two endpoints over it."""
from __future__ import annotations

import json

import pytest

from services.gateway import hsds
from services.shared.geo import coarsen
from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

SECRET_STREET = "Schuilweg 7"


def _view(**overrides) -> dict:
    """A provider as the directory shows it to an admin (exact location, computed capacity fields)."""
    record = provider(**overrides)
    record["capacity"].update(updated="2026-11-28T08:00:00+00:00", held=1, free=2, age_hours=1.0, stale=False)
    record["last_modified"] = "2026-11-28T08:00:00+00:00"
    return record


def _confidential(**overrides) -> dict:
    return _view(location={"address": SECRET_STREET, "postal_code": "3511 ZZ", "lat": 52.093417,
                           "lon": 5.118263, "confidential": True}, **overrides)


def test_a_service_carries_the_hsds_fields_with_the_provider_id():
    view = _view(interpretation_languages=["ro", "ti"])
    service = hsds.service_of(view)
    assert service["id"] == view["id"]
    assert (service["name"], service["status"]) == (view["name"], "active")
    assert service["organization"]["name"] == "Test Organisation"
    assert service["organization_id"] == service["organization"]["id"]
    assert [(lang["code"], lang["name"]) for lang in service["languages"]] == [("nl", "Dutch"), ("en", "English")]
    assert "Tigrinya" in service["interpretation_services"]
    assert (service["minimum_age"], service["maximum_age"]) == (18, 120)
    assert "ages 18 to 120" in service["eligibility_description"].lower()
    assert service["attributes"][0]["taxonomy_term"]["code"] == "shelter"


def test_capacity_is_what_can_be_referred_to_now_with_its_unit_and_time():
    [capacity] = hsds.service_of(_view())["capacities"]
    assert (capacity["available"], capacity["maximum"]) == (2, 10)
    assert capacity["unit"]["name"] == "bed"
    assert capacity["updated"] == "2026-11-28T08:00:00+00:00"


def test_a_need_with_its_own_pool_is_a_capacity_of_its_own_that_names_its_need():
    view = _view(services=["shelter", "medical"], service_capacity={"medical": {
        "available": 2, "maximum": 3, "unit": "appointment", "updated": "2026-11-28T09:00:00+00:00", "held": 1,
        "free": 1, "age_hours": 1.0, "stale": False}})

    beds, care = hsds.service_of(view)["capacities"]

    assert "attributes" not in beds and beds["available"] == 2 and beds["unit"]["name"] == "bed"
    assert (care["available"], care["maximum"], care["unit"]["name"]) == (1, 3, "appointment")
    assert care["updated"] == "2026-11-28T09:00:00+00:00"
    assert care["description"].startswith("Medical care: ")
    [attribute] = care["attributes"]
    assert (attribute["link_id"], attribute["link_entity"], attribute["value"]) == (care["id"], "service_capacity",
                                                                                     "medical")
    assert care["id"] != beds["id"] and care["id"] == hsds.service_of(view)["capacities"][1]["id"]


def test_a_public_location_carries_its_street_and_exact_point():
    [at] = hsds.service_of(_view())["service_at_locations"]
    location = at["location"]
    assert (location["latitude"], location["longitude"]) == (52.0907, 5.1214)
    assert location["addresses"][0]["address_1"] == "Teststraat 1"
    assert location["addresses"][0]["postal_code"] == "3511 AA"


def test_a_confidential_location_keeps_only_municipality_region_and_the_coarse_point_even_from_an_admin_view():
    view = _confidential()
    service = hsds.service_of(view)
    text = json.dumps(service)
    assert SECRET_STREET not in text and "3511 ZZ" not in text
    assert "52.093417" not in text and "5.118263" not in text
    location = service["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == coarsen(52.093417, 5.118263)
    address = location["addresses"][0]
    assert (address["address_1"], address["postal_code"]) == ("", "")
    assert (address["city"], address["state_province"], address["country"]) == ("Utrecht", "Utrecht", "NL")
    assert "Confidential" in location["description"]


def test_nested_ids_are_uuids_that_stay_the_same_between_exports():
    first, second = hsds.service_of(_view(id="8a3c1f0e-1111-4222-8333-944445555666")), hsds.service_of(
        _view(id="8a3c1f0e-1111-4222-8333-944445555666"))
    assert first == second
    ids = [first["service_at_locations"][0]["id"], first["capacities"][0]["id"], first["languages"][0]["id"]]
    assert len(set(ids)) == 3 and all(len(i) == 36 for i in ids)


@pytest.mark.parametrize("status,shown", [("active", "active"), ("inactive", "inactive"),
                                          ("temporarily_closed", "temporarily closed")])
def test_statuses_use_the_hsds_words(status, shown):
    assert hsds.service_of(_view(status=status))["status"] == shown


def test_a_directory_page_becomes_an_hsds_page_of_services():
    page = {"total_items": 3, "total_pages": 2, "page_number": 1, "size": 2, "first_page": True,
            "last_page": False, "empty": False, "contents": [_view(), _confidential()]}
    mapped = hsds.service_page(page)
    assert {key: mapped[key] for key in page if key != "contents"} == {
        key: page[key] for key in page if key != "contents"}
    assert [service["id"] for service in mapped["contents"]] == [item["id"] for item in page["contents"]]


@pytest.mark.integration
def test_any_token_reads_the_directory_as_hsds_pages_with_confidential_locations_redacted(stack, make_gateway):
    app = make_gateway()
    admin = ApiClient(app, stack.issue("admin"))
    hidden = admin.post("/providers", json=provider(name="Hsds Schuilhuis", location={
        "address": SECRET_STREET, "lat": 52.093417, "lon": 5.118263, "confidential": True})).json
    provider_token = stack.issue("provider", [hidden["id"]])
    for token in (stack.issue("caseworker"), provider_token, stack.issue("admin")):
        client = ApiClient(app, token)
        page = client.get("/hsds/services", query_string={"search": "Hsds Schuilhuis", "per_page": 5})
        assert page.status_code == 200, page.json
        assert page.json["total_items"] == 1 and page.json["size"] == 5
        assert page.json["contents"][0]["id"] == hidden["id"]
        one = client.get(f"/hsds/services/{hidden['id']}")
        assert one.status_code == 200
        for answer in (page, one):
            assert SECRET_STREET not in answer.get_data(as_text=True)
            assert "52.093417" not in answer.get_data(as_text=True)


@pytest.mark.integration
def test_hsds_query_errors_name_the_parameter_and_unknown_services_are_404(stack, make_gateway):
    client = ApiClient(make_gateway(), stack.issue("caseworker"))
    bad = client.get("/hsds/services?per_page=1000")
    assert bad.status_code == 400 and "per_page" in bad.json["error"]["fields"]
    unsupported = client.get("/hsds/services?taxonomy_id=x")
    assert unsupported.status_code == 400 and "taxonomy_id" in unsupported.json["error"]["fields"]
    assert client.get("/hsds/services/6dde18e0-c115-5726-b7dc-000000000000").status_code == 404
    assert ApiClient(make_gateway()).get("/hsds/services?per_page=1000").status_code == 401


@pytest.mark.integration
def test_the_hsds_root_answers_the_version_profile_and_where_the_openapi_document_is(stack, make_gateway):
    app = make_gateway()
    about = ApiClient(app, stack.issue("provider")).get("/hsds/")
    assert about.status_code == 200
    assert about.json == {"version": "3.1", "profile": hsds.PROFILE,
                          "openapi_url": "/api/v1/openapi.json"}
    assert app.test_client().get(about.json["openapi_url"]).status_code == 200
    assert ApiClient(app).get("/hsds/").status_code == 401
