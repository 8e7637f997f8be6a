"""Match requests are never logged: only counts and durations, in both services."""
from __future__ import annotations

import json
import logging
import re

import pytest

from tests.matcher.dataset import fixed_dataset

pytestmark = pytest.mark.integration

# Values that identify this request's person and would only reach a log through its body.
LOCATION = {"lat": 52.0271828, "lon": 4.8314159}
PROFILE = {"needs": ["shelter", "medical", "legal"], "languages": ["ti", "pcm"], "gender": "female", "age": 117,
           "location": LOCATION, "origin_country": "ER", "exploitation_type": "labour",
           "avoid": [{"place": "Bodegraven", "radius_km": 7.125}], "max_distance_km": 123.456}
SECRETS = ("52.0271828", "4.8314159", "Bodegraven", "7.125", "123.456", "117", '"ER"', "pcm", "Tigrinya",
           "Oudewater")


# Times, durations and random ids can hold any digits; everything else a log line carries is checked.
NOISE = set(vars(logging.makeLogRecord({}))) | {"time", "duration_ms", "request_id"}


def everything_logged(caplog, json_logs) -> str:
    """The messages and extra fields of every record, from caplog and from the JSON stream."""
    texts = []
    for record in caplog.records:
        extra = {key: value for key, value in vars(record).items() if key not in NOISE}
        texts.append(f"{record.getMessage()} {record.exc_text or ''} {json.dumps(extra, default=str)}")
    for line in json_logs.getvalue().splitlines():
        texts.append(json.dumps({key: value for key, value in json.loads(line).items() if key not in NOISE}))
    return "\n".join(texts)


def leaks(secret: str, logged: str) -> bool:
    """Whether the secret appears as a value of its own, not inside a longer number or word.

    Ports and response sizes in the HTTP client's lines hold any digits: age 117 is no leak in port 41179.
    """
    return re.search(rf"(?<![\w.]){re.escape(secret)}(?![\w.])", logged) is not None


def test_leak_check_finds_whole_values_only():
    assert leaks("117", '{"age": 117}') and leaks("7.125", "radius 7.125 km") and leaks('"ER"', '["ER"]')
    assert leaks("Oudewater", "Oudewater-aan-de-Bodegraven")
    assert not leaks("117", "127.0.0.1:41179") and not leaks("117", "200 11170") and not leaks("pcm", "pcmx")


def test_no_request_body_content_reaches_the_logs(matcher, add_providers, clock, caplog, json_logs):
    add_providers(*fixed_dataset(clock.now))
    caplog.set_level(logging.DEBUG)

    answered = matcher.post("/matches", PROFILE)
    grouped = matcher.post("/matches/group", {"need": "shelter", "people": [
        {key: PROFILE[key] for key in PROFILE if key not in ("needs",)},
        {"languages": ["ti"], "location": {"place": "Oudewater"}, "age": 117}]})
    refused = matcher.post("/matches", {**PROFILE, "location": {"place": "Oudewater-aan-de-Bodegraven"}})

    assert (answered.status_code, grouped.status_code, refused.status_code) == (200, 200, 400)
    logged = everything_logged(caplog, json_logs)
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    match_line = next(line for line in lines if line["message"] == "match")
    assert match_line["needs_count"] == 3 and match_line["candidates_count"] >= 1 and "duration_ms" in match_line
    assert any(line["message"] == "group match" and line["people_count"] == 2 for line in lines)
    for secret in SECRETS:
        assert not leaks(secret, logged), secret
    assert '"age"' not in logged and "languages" not in logged
