"""Every public operation against every kind of caller, from one table, through the real services."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

pytestmark = pytest.mark.integration

CALLERS = ("admin", "caseworker", "caseworker_other", "provider_own", "provider_other",
           "no_token", "bad_token", "revoked_token", "expired_token")
UNAUTHENTICATED = ("no_token", "bad_token", "revoked_token", "expired_token")
UTRECHT = {"lat": 52.0907, "lon": 5.1214}
# Hex digits moved to letters: a random reference of digits only could pass the BSN 11-check and be refused.
LETTERS = str.maketrans("0123456789", "ghijklmnop")


def new_case_reference(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].translate(LETTERS)}"

# One row per operation. `{provider}` is a fresh provider owned by provider_own; `{referral}` a fresh pending
# referral to it, made by `caseworker`. Columns: admin, caseworker, caseworker_other (a caseworker who did not
# make the referral), provider_own, provider_other. Callers without a valid token get 401 on every operation
# but the public ones.
#        method    path                                  admin  cw  cw2  own  other
MATRIX = [
    ("GET",    "/providers?need=shelter",                  200, 200, 200, 403, 403),
    ("POST",   "/providers",                               201, 403, 403, 403, 403),
    ("GET",    "/providers/{provider}",                    200, 200, 200, 200, 403),
    ("PUT",    "/providers/{provider}",                    200, 403, 403, 403, 403),
    ("PATCH",  "/providers/{provider}",                    200, 403, 403, 403, 403),
    ("DELETE", "/providers/{provider}",                    204, 403, 403, 403, 403),
    ("PUT",    "/providers/{provider}/capacity",           200, 403, 403, 200, 403),
    ("POST",   "/matches",                                 403, 200, 200, 403, 403),
    ("POST",   "/matches/group",                           403, 200, 200, 403, 403),
    ("POST",   "/referrals",                               403, 201, 201, 403, 403),
    ("GET",    "/referrals",                               200, 200, 200, 200, 200),
    ("GET",    "/referrals?provider_id={provider}",        200, 200, 200, 200, 403),
    ("GET",    "/referrals/{referral}",                    200, 200, 404, 200, 404),
    ("POST",   "/referrals/{referral}/accept",             403, 403, 403, 200, 404),
    ("POST",   "/referrals/{referral}/decline",            403, 403, 403, 200, 404),
    ("POST",   "/referrals/{referral}/cancel",             403, 200, 404, 403, 403),
    ("GET",    "/audit?action=admin.request",              200, 403, 403, 403, 403),
    ("GET",    "/stale?hours=1",                           200, 403, 403, 403, 403),
    ("GET",    "/hsds/",                                   200, 200, 200, 200, 200),
    ("GET",    "/stats",                                   200, 403, 403, 403, 403),
    ("GET",    "/hsds/services",                           200, 200, 200, 200, 200),
    ("GET",    "/hsds/services/{provider}",                200, 200, 200, 200, 200),
    ("GET",    "/openapi.json",                            200, 200, 200, 200, 200),
    ("GET",    "/webhooks",                                200, 200, 200, 200, 200),
    ("POST",   "/webhooks",                                201, 201, 201, 201, 201),
    ("DELETE", "/webhooks/00000000-0000-4000-8000-000000000000", 404, 404, 404, 404, 404),
    ("GET",    "/waitlist",                                403, 200, 200, 403, 403),
    ("POST",   "/waitlist",                                403, 201, 201, 403, 403),
    ("DELETE", "/waitlist/00000000-0000-4000-8000-000000000000", 403, 404, 404, 403, 403),
]
PUBLIC = {"/openapi.json"}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    caller: str
    expected: int

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} as {self.caller} -> {self.expected}"


def _cases() -> list[Case]:
    cases = []
    for method, path, *statuses in MATRIX:
        expected = dict(zip(CALLERS, statuses))
        for caller in UNAUTHENTICATED:
            expected[caller] = 200 if path in PUBLIC else 401
        cases.extend(Case(method, path, caller, expected[caller]) for caller in CALLERS)
    return cases


CASES = _cases()


def _body(method: str, path: str, target: dict) -> dict | None:
    if (method, path) == ("POST", "/providers"):
        return provider(name="Nieuw Huis")
    if (method, path) == ("PUT", "/providers/{provider}"):
        return {**provider(name="Vervangen Huis"), "id": target["id"]}
    if (method, path) == ("PATCH", "/providers/{provider}"):
        return {"description": "Changed through the gateway."}
    if path.endswith("/capacity"):
        return {"available": 2}
    if path == "/matches":
        return {"needs": ["shelter"], "languages": ["nl"], "location": UTRECHT}
    if path == "/matches/group":
        return {"need": "shelter", "people": [{"languages": ["nl"], "location": UTRECHT}]}
    if path == "/waitlist":
        return {"query": {"need": "shelter", "lat": 52.09, "lon": 5.12}, "case_reference": new_case_reference("W")}
    if path == "/webhooks":
        return {"url": "http://127.0.0.1:9/hooks"}  # loopback: allowed by the test directory's settings
    if path == "/referrals":
        # A case of its own each time: one caseworker may hold only a few pending referrals per case.
        return {"provider_id": target["id"], "need": "shelter", "case_reference": new_case_reference("CASE")}
    return None


@pytest.fixture(scope="module")
def world(stack, tmp_path_factory):
    """A gateway with rate limits off, and the tokens that do not depend on the case."""
    from services.gateway import create_app

    app = create_app({"SETTINGS": stack.settings(), "AUTH_STORE": stack.auth_store, "WEB": False})
    admin = stack.issue("admin")
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    other_provider = ApiClient(app, admin).post("/providers", json=provider(name="Ander Huis")).json
    tokens = {
        "admin": admin,
        "caseworker": stack.issue("caseworker"),
        "caseworker_other": stack.issue("caseworker"),
        "provider_other": stack.issue("provider", [other_provider["id"]]),
        "no_token": None,
        "bad_token": "hvn_" + uuid.uuid4().hex,
        "revoked_token": stack.issue("admin", revoked=True),
        "expired_token": stack.issue("admin", expires_at=past),
    }
    yield app, tokens
    app.extensions["haven_gateway"].close_clients()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_caller_gets_the_status_the_table_gives_for_each_operation(case, world, stack):
    app, tokens = world
    admin = ApiClient(app, tokens["admin"])
    target = admin.post("/providers", json=provider(name="Doelwit Huis")).json
    tokens = dict(tokens, provider_own=stack.issue("provider", [target["id"]]))
    values = {"provider": target["id"]}
    if "{referral}" in case.path:
        made = ApiClient(app, tokens["caseworker"]).post("/referrals", json=_body("POST", "/referrals", target))
        assert made.status_code == 201, made.json
        values["referral"] = made.json["id"]

    answer = ApiClient(app, tokens[case.caller]).open(case.method, case.path.format(**values),
                                                      json=_body(case.method, case.path, target))

    assert answer.status_code == case.expected, answer.get_data(as_text=True)[:500]
    if case.expected >= 400:
        error = answer.json["error"]
        assert error["status"] == case.expected
        assert error["request_id"] == answer.headers["X-Request-ID"]
    if case.expected == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_table_covers_every_operation_of_the_public_api(world):
    app, _ = world
    documented = {(method.upper(), path)
                  for path, item in app.test_client().get("/api/v1/openapi.json").json["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    tabled = {(method, "/api/v1" + path.split("?")[0].replace("{provider}", "{provider_id}")
               .replace("{referral}", "{referral_id}")) for method, path, *_ in MATRIX}
    tabled = {(m, p.replace("/hsds/services/{provider_id}", "/hsds/services/{service_id}")
               .replace("/webhooks/00000000-0000-4000-8000-000000000000", "/webhooks/{webhook_id}")
               .replace("/waitlist/00000000-0000-4000-8000-000000000000", "/waitlist/{entry_id}")) for m, p in tabled}
    assert documented <= tabled
    assert tabled - documented == {("GET", "/api/v1/openapi.json")}
