"""Requests generated from the OpenAPI document: never a 500, and every error in the one JSON shape."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from services.gateway import create_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(stack):
    app = create_app({"SETTINGS": stack.settings(), "AUTH_STORE": stack.auth_store, "WEB": False})
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    app.extensions["haven_gateway"].close_clients()


def _check(case, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500 or response.status_code == 503, (case.method, case.path, response.text[:300])
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code
        assert error["code"] and error["message"]


@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_generated_requests_never_get_a_server_error_and_errors_have_one_shape(api, stack, role):
    token = stack.issue(role)
    checked = 0
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            _check(case, token)

        check()
        checked += 1
    assert checked == 27  # every operation of the public API: /stats, the HSDS root, webhooks and waitlist too
