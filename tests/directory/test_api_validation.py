"""Bad input gets a 400 naming the field, and nothing is written."""
from __future__ import annotations

import copy
import json

import pytest

from services.shared.vocabulary import MAX_HOLD_MINUTES, MIN_HOLD_MINUTES
from tests.directory.api_support import field_errors
from tests.support.factories import provider


def with_change(path: str, value) -> dict:
    """A valid provider body with one (possibly nested) field set; `...` deletes it."""
    body = provider()
    *parents, leaf = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return body


PROVIDER_FIELD_ERRORS = [
    # types and needs
    ("type", "hotel", "type"),
    ("type", ..., "type"),
    ("services", ["housing"], "services.0"),
    ("services", [], "services"),
    ("services", ["shelter", "shelter"], "services"),
    ("services", "shelter", "services"),
    ("status", "open", "status"),
    # languages (ISO 639) and countries (ISO 3166-1 alpha-2)
    ("languages", ["english"], "languages.0"),
    ("languages", ["nl", "zz"], "languages.1"),
    ("languages", ["NL"], "languages.0"),
    ("interpretation_languages", ["klingon"], "interpretation_languages.0"),
    ("eligibility.countries", ["NLD"], "eligibility.countries.0"),
    ("eligibility.countries", ["ro"], "eligibility.countries.0"),
    ("eligibility.countries", ["XX"], "eligibility.countries.0"),
    # coordinates
    ("location.lat", 90.5, "location.lat"),
    ("location.lat", -91, "location.lat"),
    ("location.lon", 180.01, "location.lon"),
    ("location.lon", -200, "location.lon"),
    ("location.lat", "north", "location.lat"),
    ("location.lat", ..., "location.lat"),
    ("location.municipality", "", "location.municipality"),
    # ages
    ("eligibility.min_age", -1, "eligibility.min_age"),
    ("eligibility.max_age", 121, "eligibility.max_age"),
    ("eligibility.min_age", "adult", "eligibility.min_age"),
    ("eligibility.genders", ["woman"], "eligibility.genders.0"),
    ("eligibility.residence_statuses", ["tourist"], "eligibility.residence_statuses.0"),
    ("eligibility.exploitation_types", ["forced"], "eligibility.exploitation_types.0"),
    # capacity
    ("capacity.available", -1, "capacity.available"),
    ("capacity.maximum", -5, "capacity.maximum"),
    ("capacity.available", 11, "capacity.available"),  # the factory's maximum is 10
    ("capacity.unit", "room", "capacity.unit"),
    ("capacity.updated", "yesterday", "capacity.updated"),
    ("capacity.updated", "2026-11-27T08:00:00", "capacity.updated"),  # no zone
    ("capacity", ..., "capacity"),
    # unknown fields, at the top and nested
    ("bogus", 1, "bogus"),
    ("location.floor", 2, "location.floor"),
    ("capacity.held", 1, "capacity.held"),
    # hold time
    ("hold_minutes", MIN_HOLD_MINUTES - 1, "hold_minutes"),
    ("hold_minutes", MAX_HOLD_MINUTES + 1, "hold_minutes"),
    # the rest
    ("name", "", "name"),
    ("name", "x" * 201, "name"),
    ("contact.email", "not-an-address", "contact.email"),
    ("id", "not-a-uuid", "id"),
    # strict types: a float, a string or a boolean is not an integer; only true and false are booleans
    ("capacity.available", 5.9, "capacity.available"),
    ("capacity.available", 5.0, "capacity.available"),
    ("capacity.available", "5", "capacity.available"),
    ("capacity.available", " 7 ", "capacity.available"),
    ("hold_minutes", 5.9, "hold_minutes"),
    ("hold_minutes", "240", "hold_minutes"),
    ("eligibility.min_age", 18.5, "eligibility.min_age"),
    ("location.confidential", "yes", "location.confidential"),
    ("location.confidential", 1, "location.confidential"),
    ("location.confidential", "true", "location.confidential"),
    ("eligibility.accepts_children", "no", "eligibility.accepts_children"),
    ("location.lat", "52.1", "location.lat"),
    # text: no control characters, no bidirectional overrides or isolates
    ("name", "Veilig\x00Huis", "name"),
    ("name", "Huis\u202egnp.exe", "name"),
    ("organization", "Stichting\u2066X\u2069", "organization"),
    ("location.address", "Straat 1\x1b[31m", "location.address"),
    ("location.municipality", "Utrecht\n", "location.municipality"),
    ("description", "Regel\x85", "description"),
    ("contact.phone", "030\x7f", "contact.phone"),
    ("contact.intake_hours", "ma\u202b-vr", "contact.intake_hours"),
]


@pytest.mark.parametrize(("path", "value", "field"), PROVIDER_FIELD_ERRORS,
                         ids=[f"{p}={v!r}"[:60] for p, v, _ in PROVIDER_FIELD_ERRORS])
def test_a_bad_provider_field_is_refused_by_name_and_nothing_is_stored(admin, caseworker, path, value, field):
    fields = field_errors(admin.post("/providers", with_change(path, value)))
    assert field in fields, fields
    assert admin.get("/providers", include_inactive="true").json["total_items"] == 0


def test_min_age_above_max_age_is_refused_naming_min_age(admin):
    body = with_change("eligibility.min_age", 30)
    body["eligibility"]["max_age"] = 20
    assert field_errors(admin.post("/providers", body)) == {"eligibility.min_age": ["min_age must not be above max_age"]}


def test_equal_ages_are_accepted(admin):
    body = provider(eligibility={"min_age": 16, "max_age": 16})
    assert admin.post("/providers", body).status_code == 201


def test_capacity_equal_to_the_maximum_is_accepted(admin):
    assert admin.post("/providers", provider(capacity={"available": 10, "maximum": 10})).status_code == 201


def test_several_bad_fields_are_all_named(admin):
    body = provider(type="hotel", languages=["english"])
    body["location"]["lat"] = 100
    assert {"type", "languages.0", "location.lat"} <= set(field_errors(admin.post("/providers", body)))


def test_a_body_that_is_not_an_object_is_refused(admin):
    assert "body" in field_errors(admin.open("POST", "/providers", json_body=[provider()]))


def test_a_bad_replacement_leaves_the_stored_provider_unchanged(admin, create_provider):
    created = create_provider(name="Origineel")
    body = copy.deepcopy(provider(name="Nieuw"))
    body["location"]["lon"] = 999
    assert "location.lon" in field_errors(admin.put(f"/providers/{created['id']}", body))
    assert admin.get(f"/providers/{created['id']}").json["name"] == "Origineel"


def test_a_patch_is_validated_whole_after_merging(admin, create_provider):
    created = create_provider(eligibility={"min_age": 18, "max_age": 25})
    fields = field_errors(admin.patch(f"/providers/{created['id']}", {"eligibility": {"min_age": 30}}))
    assert "eligibility.min_age" in fields
    assert admin.get(f"/providers/{created['id']}").json["eligibility"]["min_age"] == 18


@pytest.mark.parametrize(("change", "field"), [
    ({"languages": ["english"]}, "languages.0"),
    ({"location": {"lat": 91}}, "location.lat"),
    ({"capacity": {"available": 11}}, "capacity.available"),
    ({"surprise": True}, "surprise"),
    ({"location": {"gps": "52,5"}}, "location.gps"),
])
def test_a_bad_patch_is_refused_by_name(admin, create_provider, change, field):
    created = create_provider()
    assert field in field_errors(admin.patch(f"/providers/{created['id']}", change))


# -- capacity reports ------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"available": -1}, "available"),
    ({"available": "three"}, "available"),
    ({}, "available"),
    ({"available": 2, "maximum": -1}, "maximum"),
    ({"available": 2, "extra": 1}, "extra"),
    ({"available": 11}, "available"),  # above the stored maximum of 10
    ({"available": 6, "maximum": 5}, "available"),
    ({"available": 5.9}, "available"),
    ({"available": "5"}, "available"),
    ({"available": " 7 "}, "available"),
    ({"available": True}, "available"),
    ({"available": 2, "maximum": 10.0}, "maximum"),
])
def test_a_bad_capacity_report_is_refused_by_name(admin, create_provider, body, field):
    created = create_provider(capacity={"available": 3, "maximum": 10})
    assert field in field_errors(admin.put(f"/providers/{created['id']}/capacity", body))
    assert admin.get(f"/providers/{created['id']}").json["capacity"]["available"] == 3


# -- referrals -------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"provider_id": "not-a-uuid"}, "provider_id"),
    ({"need": "housing"}, "need"),
    ({"need": "legal"}, "need"),  # a need this shelter does not serve
    ({"case_reference": ""}, "case_reference"),
    ({"case_reference": "x" * 65}, "case_reference"),
    ({"hold_minutes": MIN_HOLD_MINUTES - 1}, "hold_minutes"),
    ({"hold_minutes": MAX_HOLD_MINUTES + 1}, "hold_minutes"),
    ({"hold_minutes": "long"}, "hold_minutes"),
    ({"hold_minutes": 5.9}, "hold_minutes"),
    ({"hold_minutes": "60"}, "hold_minutes"),
    ({"client_name": "A. Person"}, "client_name"),
    # personal data in the case reference
    ({"case_reference": "NAME born 1990-01-01"}, "case_reference"),
    ({"case_reference": "111222333"}, "case_reference"),
    ({"case_reference": "1 januari 1990"}, "case_reference"),
    ({"case_reference": "piet@example.nl"}, "case_reference"),
    ({"case_reference": "+31 6 12345678"}, "case_reference"),
    ({"case_reference": "zaak\x00-1"}, "case_reference"),
    ({"case_reference": "zaak-1\u202e"}, "case_reference"),
])
def test_a_bad_referral_is_refused_by_name_and_holds_nothing(caseworker, admin, create_provider, change, field):
    shelter = create_provider(capacity={"available": 1})
    body = {"provider_id": shelter["id"], "need": "shelter", "case_reference": "zaak-1", **change}
    assert field in field_errors(caseworker.post("/referrals", body))
    assert admin.get(f"/providers/{shelter['id']}").json["capacity"]["held"] == 0


@pytest.mark.parametrize("missing", ["provider_id", "need", "case_reference"])
def test_a_referral_without_a_required_field_is_refused_by_name(caseworker, create_provider, missing):
    shelter = create_provider()
    body = {"provider_id": shelter["id"], "need": "shelter", "case_reference": "zaak-1"}
    del body[missing]
    assert missing in field_errors(caseworker.post("/referrals", body))


@pytest.mark.parametrize("minutes", [MIN_HOLD_MINUTES, MAX_HOLD_MINUTES])
def test_hold_minutes_at_either_bound_are_accepted(caseworker, create_provider, minutes):
    shelter = create_provider()
    body = {"provider_id": shelter["id"], "need": "shelter", "case_reference": "zaak-1", "hold_minutes": minutes}
    assert caseworker.post("/referrals", body).status_code == 201


# -- candidates ------------------------------------------------------------------------------

CANDIDATE_BASE = {"need": "shelter", "lat": 52.37, "lon": 4.89}


@pytest.mark.parametrize(("change", "field"), [
    ({"need": "housing"}, "need"),
    ({"lat": 95}, "lat"),
    ({"lon": -181}, "lon"),
    ({"gender": "woman"}, "gender"),
    ({"age": 130}, "age"),
    ({"age": -2}, "age"),
    ({"residence_status": "tourist"}, "residence_status"),
    ({"return_country": "ROU"}, "return_country"),
    ({"max_distance_km": 0}, "max_distance_km"),
    ({"max_distance_km": 501}, "max_distance_km"),
    ({"avoid": [{"lat": 52, "lon": 5, "radius_km": -1}]}, "avoid.0.radius_km"),
    ({"avoid": [{"lat": 52, "lon": 500, "radius_km": 1}]}, "avoid.0.lon"),
    ({"avoid": [{"lat": 52, "lon": 5}]}, "avoid.0.radius_km"),
    ({"avoid": [{"lat": 52, "lon": 5, "radius_km": 1}] * 11}, "avoid"),
    ({"limit": 0}, "limit"),
    ({"name": "A. Person"}, "name"),
])
def test_a_bad_candidate_request_is_refused_by_name(caseworker, change, field):
    assert field in field_errors(caseworker.post("/candidates", {**CANDIDATE_BASE, **change}))


@pytest.mark.parametrize("missing", ["need", "lat", "lon"])
def test_a_candidate_request_without_need_or_place_is_refused_by_name(caseworker, missing):
    body = dict(CANDIDATE_BASE)
    del body[missing]
    assert missing in field_errors(caseworker.post("/candidates", body))


# -- candidate batches -----------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({}, "queries"),
    ({"queries": []}, "queries"),
    ({"queries": [CANDIDATE_BASE] * 21}, "queries"),
    ({"queries": [CANDIDATE_BASE, {**CANDIDATE_BASE, "lat": 95}]}, "queries.1.lat"),
    ({"queries": [{**CANDIDATE_BASE, "avoid": [{"lat": 52, "lon": 5}]}]}, "queries.0.avoid.0.radius_km"),
    ({"queries": [{**CANDIDATE_BASE, "name": "A. Person"}]}, "queries.0.name"),
    ({"queries": [CANDIDATE_BASE], "name": "A. Person"}, "name"),
])
def test_a_bad_candidate_batch_is_refused_by_name(caseworker, body, field):
    assert field in field_errors(caseworker.post("/candidates/batch", body))


def test_a_batch_of_twenty_queries_is_answered_in_order(caseworker, create_provider):
    offered = {need: create_provider(services=[need], location={"lat": 52.37, "lon": 4.89})["id"]
               for need in ("shelter", "medical", "legal")}
    needs = ["shelter", "medical", "legal", "interpreter"] * 5
    answer = caseworker.post("/candidates/batch", {"queries": [{**CANDIDATE_BASE, "need": n} for n in needs]})
    assert answer.status_code == 200
    found = [[candidate["id"] for candidate in result["candidates"]] for result in answer.json["results"]]
    assert found == [[offered[need]] if need in offered else [] for need in needs]


DEEP = b"[" * 1000 + b"]" * 1000
JSON_ROUTES = [("POST", "/providers"), ("PUT", "/providers/00000000-0000-4000-8000-000000000001"),
               ("PATCH", "/providers/00000000-0000-4000-8000-000000000001"),
               ("PUT", "/providers/00000000-0000-4000-8000-000000000001/capacity"), ("POST", "/referrals"),
               ("POST", "/candidates"), ("POST", "/candidates/batch"), ("POST", "/audit")]


@pytest.mark.parametrize("method, path", JSON_ROUTES)
def test_a_body_nested_too_deep_is_refused_naming_the_body_on_every_json_route(admin, sqlite_store, method, path):
    response = admin.send(method, path, DEEP)
    assert field_errors(response) == {"body": ["nested more than 64 levels deep"]}
    deep_object = b'{"name":' * 900 + b"1" + b"}" * 900
    assert field_errors(admin.send(method, path, deep_object)) == {"body": ["nested more than 64 levels deep"]}
    assert sqlite_store.count_providers() == 0


def test_a_key_given_twice_is_refused_naming_the_key_and_nothing_is_written(admin, sqlite_store):
    body = json.dumps(provider())[:-1] + ', "name": "Other name"}'
    assert field_errors(admin.send("POST", "/providers", body.encode())) == {
        "name": ["given more than once in the same object"]}
    nested = json.dumps(provider()).replace('"available": ', '"available": 9, "available": ')
    assert field_errors(admin.send("POST", "/providers", nested.encode())) == {
        "available": ["given more than once in the same object"]}
    assert sqlite_store.count_providers() == 0


def test_a_multi_line_description_is_accepted(admin):
    assert admin.post("/providers", provider(description="Eerste regel.\r\nTweede\tregel.")).status_code == 201


@pytest.mark.parametrize(("change", "field"), [
    ({"location": {"confidential": "yes"}}, "location.confidential"),
    ({"hold_minutes": 60.5}, "hold_minutes"),
    ({"name": "X\u202eY"}, "name"),
])
def test_a_patch_with_a_loose_type_or_unsafe_text_is_refused_by_name(admin, create_provider, change, field):
    created = create_provider()
    assert field in field_errors(admin.patch(f"/providers/{created['id']}", change))
    assert admin.get(f"/providers/{created['id']}").json["location"]["confidential"] is False


@pytest.mark.parametrize("reference", ["CASE-2026-0042", "ZAAK 1234", "HVN-7F3K"])
def test_a_case_reference_from_a_case_system_is_accepted(caseworker, create_provider, reference):
    shelter = create_provider(capacity={"available": 1})
    made = caseworker.post("/referrals", {"provider_id": shelter["id"], "need": "shelter", "case_reference": reference})
    assert made.status_code == 201, made.json
    assert made.json["case_reference"] == reference


@pytest.mark.parametrize(("params", "field"), [
    ({"age": "5.9"}, "age"), ({"age": " 7 "}, "age"), ({"size": "1e1"}, "size"), ({"page": "+2"}, "page"),
    ({"available": "yes"}, "available"), ({"available": "1"}, "available"),
    ({"near": "Utrecht", "radius_km": "ten"}, "radius_km"), ({"near": "Utrecht", "radius_km": "nan"}, "radius_km"),
    ({"q": "huis\u202e"}, "q"), ({"near": "Utrecht\x00"}, "near"),
])
def test_a_loose_query_value_is_refused_by_name(caseworker, params, field):
    assert field in field_errors(caseworker.get("/providers", **params))


def test_query_digits_and_true_are_read(caseworker):
    assert caseworker.get("/providers", age="30", size="5", available="true", near="Utrecht",
                          radius_km="12.5").status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"lat": "52.1"}, "lat"), ({"age": 30.5}, "age"), ({"age": "30"}, "age"), ({"wheelchair": "yes"}, "wheelchair"),
    ({"limit": True}, "limit"), ({"avoid": [{"lat": 52, "lon": 5, "radius_km": "5"}]}, "avoid.0.radius_km"),
])
def test_a_loose_candidate_query_is_refused_by_name(caseworker, change, field):
    body = {"need": "shelter", "lat": 52.09, "lon": 5.12, **change}
    assert field in field_errors(caseworker.post("/candidates", body))


@pytest.mark.parametrize("unsafe", ["\x00", "\x85", "\u202e"])
def test_an_intake_address_with_a_control_or_direction_character_is_refused_by_name(admin, unsafe):
    from tests.support.factories import provider as make_provider

    body = make_provider(contact={"phone": "", "email": f"intake@example.org{unsafe}", "intake_hours": ""})
    answer = admin.post("/providers", body)
    assert answer.status_code == 400
    assert "contact.email" in answer.json["error"]["fields"] or "email" in str(answer.json["error"]["fields"])
