"""The matcher as a service: health, readiness, internal auth, body limits, a directory that is down."""
from __future__ import annotations

import json
import socket

import requests

import pytest

from services.matcher import create_app
from services.matcher.settings import MatcherSettings
from services.shared.signing import Claims, sign
from services.shared.vocabulary import MAX_BODY_BYTES
from tests.conftest import SECRET
from tests.matcher.dataset import UTRECHT
from tests.support.signed import SignedFlaskClient, signed_request

PROFILE = {"needs": ["shelter"], "languages": ["nl"], "location": UTRECHT}


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def matcher_without_directory(clock):
    settings = MatcherSettings(directory_url=closed_port_url(), internal_secret=SECRET, directory_timeout=1)
    app = create_app({"SETTINGS": settings, "CLOCK": clock})
    yield app
    app.extensions["haven"].directory.session.close()


def test_healthz_answers_without_a_signature(matcher):
    response = matcher.client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "service": "matcher"}


def test_readyz_is_true_when_the_directory_answers(matcher):
    response = matcher.client.get("/readyz")

    assert response.status_code == 200
    assert response.json["ready"] is True


def test_readyz_is_false_when_the_directory_is_down(matcher_without_directory):
    response = matcher_without_directory.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json == {"ready": False, "service": "matcher", "directory": "down"}


def test_a_match_while_the_directory_is_down_is_a_503_naming_it(matcher_without_directory):
    response = SignedFlaskClient(matcher_without_directory, SECRET, "caseworker").post("/matches", PROFILE)

    assert response.status_code == 503
    assert response.json["error"]["code"] == "service_unavailable"
    assert "directory" in response.json["error"]["message"]
    assert response.headers["Retry-After"] == "5"


def test_an_unsigned_request_is_refused(matcher):
    response = matcher.client.post("/matches", json=PROFILE)

    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"


def test_a_request_signed_with_another_secret_is_refused(matcher_app):
    response = SignedFlaskClient(matcher_app, b"not-the-secret", "caseworker").post("/matches", PROFILE)

    assert response.status_code == 401


def test_a_replayed_request_is_refused(matcher):
    body = b'{"needs":["shelter"],"languages":["nl"],"location":{"place":"Utrecht"}}'
    headers = sign(SECRET, "POST", "/matches", body, Claims(role="caseworker", subject="test:caseworker"))

    first = matcher.client.post("/matches", data=body, headers=headers, content_type="application/json")
    again = matcher.client.post("/matches", data=body, headers=headers, content_type="application/json")

    assert first.status_code == 200
    assert again.status_code == 401


def test_a_body_over_one_mebibyte_is_refused(matcher):
    response = matcher.post("/matches", {**PROFILE, "padding": "x" * MAX_BODY_BYTES})

    assert response.status_code == 413
    assert response.json["error"]["code"] == "body_too_large"


def test_matches_work_over_real_http_and_the_request_id_reaches_the_directory(matcher_app, json_logs):
    from tests.matcher.conftest import ServedApp
    served = ServedApp(matcher_app)
    try:
        claims = Claims(role="caseworker", subject="test:caseworker", request_id="trace-42")
        session = requests.Session()
        session.headers["X-Request-ID"] = "trace-42"
        response = signed_request(served.url, SECRET, claims, "POST", "/matches", json_body=PROFILE, session=session)
        session.close()
    finally:
        served.stop()

    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "trace-42"
    assert response.json()["results"][0]["need"] == "shelter"
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    candidates = [line for line in lines if line.get("route") == "/candidates"]
    if response.json()["as_of"]["source"] == "directory":
        assert candidates and all(line["request_id"] == "trace-42" for line in candidates)
    else:  # answered from the read model: the directory was not asked
        assert not candidates


def test_the_openapi_document_names_both_endpoints(matcher):
    spec = matcher.client.get("/openapi.json").json

    assert {"/matches", "/matches/group"} <= set(spec["paths"])
    assert {"MatchRequest", "MatchResponse", "GroupRequest", "GroupResponse"} <= set(spec["components"]["schemas"])
