"""The JSON log lines of a working day at the directory: what they carry, and what they never carry."""
from __future__ import annotations

import io
import json
import logging
from datetime import datetime

import pytest

from services.shared.logs import JsonFormatter
from tests.support.factories import provider

SECRET_ADDRESS = "Geheimstraat 17 HVNCONF-5e11a0d0beef"
SECRET_POINT = (52.108123, 5.170456)
NEAR = "52.0712,5.1044"
CASE_REFERENCE = "dossier-7f3a9c"
ACCESS_FIELDS = ("time", "level", "service", "request_id", "route", "status", "duration_ms")


@pytest.fixture
def log_stream(directory_app):
    """Everything logged while the test runs, as the JSON lines a log shipper would read."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("directory"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


@pytest.fixture
def working_day(directory_app, admin, caseworker, log_stream):
    """Create a confidential shelter, search near a point, read it, report capacity, refer, accept, look."""
    answers = []
    shelter = provider(name="Veilig Huis", location={
        "municipality": "Utrecht", "region": "Utrecht", "lat": SECRET_POINT[0], "lon": SECRET_POINT[1],
        "address": SECRET_ADDRESS, "postal_code": "3512 ZZ", "confidential": True})
    owner = admin.as_role("provider", subject="provider:veilig-huis", provider_ids=(shelter["id"],))
    answers.append(admin.post("/providers", shelter))
    answers.append(caseworker.get("/providers", near=NEAR, radius_km=25, need="shelter"))
    answers.append(caseworker.get(f"/providers/{shelter['id']}"))
    answers.append(owner.put(f"/providers/{shelter['id']}/capacity", {"available": 4}))
    answers.append(caseworker.post("/candidates", {"need": "shelter", "lat": 52.0712, "lon": 5.1044}))
    referral = caseworker.post("/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                              "case_reference": CASE_REFERENCE})
    answers.append(referral)
    answers.append(owner.post(f"/referrals/{referral.json['id']}/accept"))
    revealed = caseworker.get(f"/referrals/{referral.json['id']}")
    answers.append(revealed)
    # A refused write whose body holds the secret address and an impossible latitude.
    answers.append(admin.post("/providers", provider(location={"lat": 123.0, "address": SECRET_ADDRESS})))
    assert [answer.status_code for answer in answers] == [201, 200, 200, 200, 200, 201, 200, 200, 400]
    assert SECRET_ADDRESS in revealed.json["address"]  # it was really handed out, and still must not be logged
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    return answers, lines


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "haven.directory.access"]


def test_every_request_leaves_one_access_line_with_the_fields_operators_need(working_day):
    answers, lines = working_day
    access = access_lines(lines)

    assert len(access) == len(answers)
    for line, answer in zip(access, answers):
        assert [field for field in ACCESS_FIELDS if line.get(field) in (None, "")] == []
        assert line["service"] == "directory"
        assert line["level"] == "info"
        assert line["status"] == answer.status_code
        assert line["request_id"] == answer.headers["X-Request-ID"]
        assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
        assert datetime.fromisoformat(line["time"]).tzinfo is not None


def test_access_lines_name_the_route_template_never_the_path(working_day):
    _, lines = working_day
    routes = [line["route"] for line in access_lines(lines)]
    assert routes == ["/providers", "/providers", "/providers/<uuid:provider_id>",
                      "/providers/<uuid:provider_id>/capacity", "/candidates", "/referrals",
                      "/referrals/<uuid:referral_id>/accept", "/referrals/<uuid:referral_id>", "/providers"]


def test_no_body_query_string_coordinates_or_confidential_address_reaches_the_log(working_day):
    _, lines = working_day
    text = "\n".join(json.dumps(line) for line in lines)

    assert "HVNCONF-" not in text
    assert "Geheimstraat" not in text
    assert "3512 ZZ" not in text
    assert CASE_REFERENCE not in text
    assert "near" not in text and "52.0712" not in text and "5.1044" not in text
    assert str(SECRET_POINT[0]) not in text and str(SECRET_POINT[1]) not in text
    assert "?" not in "".join(line.get("route", "") for line in lines)
