"""Confidential addresses never reach a caseworker or another provider: not in answers, errors or logs."""
from __future__ import annotations

import io
import json
import logging
import re
import uuid
from datetime import datetime, timezone

import pytest

from services.directory.store import AuditEntry
from services.shared.logs import JsonFormatter
from tests.gateway.conftest import ApiClient
from tests.support.factories import provider

pytestmark = pytest.mark.integration

MARKER = "HVNCONF"
DEMO_SAMPLE = 8


def _own_confidential_shelters() -> list[dict]:
    """Shelters whose street, postal code and exact point carry recognisable marks."""
    places = [("Utrecht", "Utrecht", 52.093417, 5.118263), ("Zwolle", "Overijssel", 52.512791, 6.093619),
              ("Breda", "Noord-Brabant", 51.589123, 4.774911)]
    return [provider(name=f"Schuilhuis {municipality}", services=["shelter", "medical"], location={
        "municipality": municipality, "region": region, "lat": lat, "lon": lon, "confidential": True,
        "address": f"Verborgen Laan {n} {MARKER}-t{n:03d}", "postal_code": f"{MARKER}-p{n}"},
        contact={"phone": "+31 30 000 0000", "email": "intake@example.org", "intake_hours": "24/7"})
        for n, (municipality, region, lat, lon) in enumerate(places, start=1)]


def _demo_confidential(now: datetime) -> list[dict]:
    try:
        from services.directory.demo import demo_providers

        records = demo_providers(now)
    except (ImportError, OSError):
        return []
    return [record for record in records if record["location"].get("confidential")]


def _exact_points(records: list[dict]) -> list[str]:
    """The exact coordinates as JSON writes them, when finer than the coarse grid could ever be."""
    points = []
    for record in records:
        for value in (record["location"]["lat"], record["location"]["lon"]):
            text = json.dumps(value)
            if re.fullmatch(r"-?\d+\.\d{5,}", text):
                points.append(text)
    return points


@pytest.fixture(scope="module")
def haven(stack):
    """The stack with the confidential shelters (and the demo data, when present) loaded."""
    from services.gateway import create_app

    now = datetime.now(timezone.utc)
    demo = _demo_confidential(now)
    if demo:
        stack.store.bulk_upsert(demo, AuditEntry(at=now.isoformat(), actor="test", role="admin",
                                                 action="provider.import", target=None, request_id=None))
    own = _own_confidential_shelters()
    public = provider(name="Open Huis Amersfoort", location={
        "municipality": "Amersfoort", "region": "Utrecht", "lat": 52.1561, "lon": 5.3878, "confidential": False})
    app = create_app({"SETTINGS": stack.settings(), "AUTH_STORE": stack.auth_store, "WEB": False})
    admin = ApiClient(app, stack.issue("admin"))
    for record in own + [public]:
        created = admin.post("/providers", json=record)
        assert created.status_code == 201, created.json
    app.extensions["haven_gateway"].close_clients()
    hidden = own + demo[:DEMO_SAMPLE]
    assert all(MARKER in record["location"]["address"] for record in hidden)
    return {"hidden": hidden, "all_hidden": own + demo, "public": public}


@pytest.fixture
def captured_logs():
    """Every log line of the three services while the test runs, as the JSON lines they write."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("any"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def _calls(hidden: dict, own_referral: str | None) -> list[tuple[str, str, dict | None]]:
    """Every operation a caseworker or another provider can attempt, aimed at one confidential shelter."""
    pid, location = hidden["id"], hidden["location"]
    exact = f"{location['lat']},{location['lon']}"
    here = {"lat": location["lat"], "lon": location["lon"]}
    calls = [
        ("GET", f"/providers?near={exact}&radius_km=2&size=100", None),
        ("GET", f"/providers?near={exact}&radius_km=50&need=shelter&available=true&size=100", None),
        ("GET", f"/providers?q={hidden['name'].split()[0]}&size=100", None),
        ("GET", f"/providers?near={location['municipality']}&size=100", None),
        ("GET", f"/providers/{pid}", None),
        ("PUT", f"/providers/{pid}", dict(hidden)),
        ("PATCH", f"/providers/{pid}", {"description": "x"}),
        ("DELETE", f"/providers/{pid}", None),
        ("PUT", f"/providers/{pid}/capacity", {"available": 1}),
        ("POST", "/matches", {"needs": ["shelter", "medical"], "languages": ["nl", "ro"], "location": here,
                              "limit": 20}),
        ("POST", "/matches", {"needs": ["shelter", "medical"], "languages": ["en"], "location": here,
                              "avoid": [{"lat": here["lat"], "lon": here["lon"], "radius_km": 1}], "limit": 20}),
        ("POST", "/matches/group", {"need": "shelter", "people": [{"languages": ["nl"], "location": here},
                                                                  {"languages": ["en"], "location": here}]}),
        ("POST", "/referrals", {"provider_id": pid, "need": "shelter", "case_reference": "LEAK-1"}),
        ("GET", f"/referrals?provider_id={pid}", None),
        ("GET", "/referrals", None),
        ("GET", "/audit", None),
        ("GET", "/hsds/services?per_page=100", None),
        ("GET", "/hsds/services?per_page=100&page=2", None),
        ("GET", f"/hsds/services?search={hidden['name'].split()[0]}", None),
        ("GET", f"/hsds/services/{pid}", None),
        ("GET", f"/providers/{uuid.uuid4()}", None),
        ("GET", "/openapi.json", None),
    ]
    if own_referral:
        calls += [("GET", f"/referrals/{own_referral}", None),
                  ("POST", f"/referrals/{own_referral}/accept", None),
                  ("POST", f"/referrals/{own_referral}/decline", None),
                  ("POST", f"/referrals/{own_referral}/cancel", None)]
    return calls


def test_no_confidential_address_or_exact_point_reaches_a_caseworker_or_another_provider(
        stack, haven, make_gateway, captured_logs):
    app = make_gateway()
    callers = {
        "caseworker": ApiClient(app, stack.issue("caseworker")),
        "other provider": ApiClient(app, stack.issue("provider", [haven["public"]["id"]])),
    }
    secrets_ = _exact_points(haven["all_hidden"])
    seen = 0
    for who, client in callers.items():
        for hidden in haven["hidden"]:
            made = callers["caseworker"].post("/referrals", json={"provider_id": hidden["id"], "need": "shelter",
                                                                  "case_reference": "LEAK-0"})
            referral = made.json["id"] if made.status_code == 201 else None
            for method, path, body in _calls(hidden, referral):
                answer = client.open(method, path, json=body)
                assert answer.status_code < 500, (who, method, path, answer.json)
                shown = answer.get_data(as_text=True) + json.dumps(dict(answer.headers))
                assert MARKER not in shown, (who, method, path)
                leaked = [point for point in secrets_ if point in shown]
                assert not leaked, (who, method, path, leaked)
                seen += 1
    logs = captured_logs.getvalue()
    assert logs, "the services logged nothing: the capture is not working"
    assert MARKER not in logs
    assert not [point for point in secrets_ if point in logs]
    assert seen > 100


def test_an_admin_sees_the_marked_address_but_not_in_hsds_which_is_for_other_systems(stack, haven, make_gateway):
    admin = ApiClient(make_gateway(), stack.issue("admin"))
    hidden = haven["hidden"][0]
    answer = admin.get(f"/providers/{hidden['id']}")
    assert answer.status_code == 200
    assert MARKER in answer.json["location"]["address"]
    # Even an admin's HSDS view is redacted: HSDS is for other systems.
    hsds = admin.get(f"/hsds/services/{hidden['id']}").get_data(as_text=True)
    assert MARKER not in hsds
    assert not [point for point in _exact_points([hidden]) if point in hsds]
