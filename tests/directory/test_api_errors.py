"""Errors keep one JSON shape: unknown paths and ids, wrong methods, bodies too large."""
from __future__ import annotations

import json

from services.shared.signing import Claims, sign
from services.shared.vocabulary import MAX_BODY_BYTES
from tests.conftest import SECRET


def assert_error_shape(response, status: int, code: str):
    assert response.status_code == status
    assert response.is_json
    error = response.json["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    return error


def test_an_unknown_provider_is_404(caseworker):
    error = assert_error_shape(caseworker.get("/providers/00000000-0000-4000-8000-000000000000"), 404, "not_found")
    assert error["message"] == "provider not found"


def test_an_id_that_is_not_a_uuid_is_404(caseworker):
    assert_error_shape(caseworker.get("/providers/not-a-uuid"), 404, "not_found")


def test_an_unknown_path_is_404(caseworker):
    assert_error_shape(caseworker.get("/nothing/here"), 404, "not_found")


def test_a_wrong_method_is_405_with_the_allowed_ones(admin):
    response = admin.delete("/providers")
    assert_error_shape(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_get_on_a_referral_action_is_405(caseworker):
    assert_error_shape(caseworker.get("/referrals/00000000-0000-4000-8000-000000000000/accept"), 405,
                       "method_not_allowed")


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(admin):
    response = admin.open("POST", "/providers", json_body={"name": "x" * (MAX_BODY_BYTES + 1)})
    assert_error_shape(response, 413, "body_too_large")
    assert admin.get("/providers").json["total_items"] == 0


def test_a_body_that_is_not_json_is_a_400(directory_app):
    body = b"{not json"
    headers = sign(SECRET, "POST", "/providers", body, Claims(role="admin", subject="test:admin"))
    response = directory_app.test_client().post("/providers", data=body, headers=headers,
                                                content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["status"] == 400


def test_the_request_id_given_by_the_gateway_comes_back(directory_app):
    headers = sign(SECRET, "GET", "/providers/not-a-uuid", b"", Claims(role="admin", subject="a"))
    headers["X-Request-ID"] = "gateway-req-42"
    response = directory_app.test_client().get("/providers/not-a-uuid", headers=headers)
    assert response.headers["X-Request-ID"] == "gateway-req-42"
    assert response.json["error"]["request_id"] == "gateway-req-42"


def test_no_error_carries_a_stack_trace(admin):
    response = admin.open("POST", "/providers", json_body={"capacity": "lots"})
    assert response.status_code == 400
    assert "Traceback" not in json.dumps(response.json)
