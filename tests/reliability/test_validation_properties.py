"""Any provider body, match body or query string (hypothesis) gets either a valid answer or a documented
4xx in the one JSON error shape that names the field at fault; never a 5xx, never a write on a 4xx.

Bodies start from a valid one and are mutated: fields dropped, replaced by any JSON value, unknown
fields added, nested values broken. The gateway runs in this process; the directory and matcher it
calls are real apps served over HTTP in threads.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from services.gateway import create_app as create_gateway
from services.gateway.auth.sqlite import SqliteAuthStore
from services.gateway.settings import GatewaySettings
from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from tests.gateway.servers import ServedApp
from tests.support.factories import provider

pytestmark = pytest.mark.integration

SECRET = b"validation-properties-secret"
EXAMPLES = 120
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
MATCH = {"needs": ["shelter", "legal"], "languages": ["ro", "en"], "gender": "female", "age": 24,
         "location": {"place": "Utrecht"}, "avoid": [{"lat": 51.92, "lon": 4.48, "radius_km": 20}],
         "max_distance_km": 150, "limit": 5, "accompanying_children": False, "residence_status": "unknown"}
QUERY_NAMES = ("q", "type", "need", "language", "gender", "age", "near", "radius_km", "available", "page", "size",
               "include_inactive")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10)


@st.composite
def mutated(draw, valid: dict) -> dict:
    """A valid body with a few of its fields (at any depth) dropped, replaced or added."""
    body = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(1, 3))):
        target = body
        path = []
        while isinstance(target, dict) and target and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(target)))
            if not isinstance(target[key], dict):
                break
            path.append(key)
            target = target[key]
        if not isinstance(target, dict):
            continue
        action = draw(st.sampled_from(("drop", "replace", "replace", "add")))
        keys = sorted(target)
        if action == "drop" and keys:
            target.pop(draw(st.sampled_from(keys)))
        elif action == "replace" and keys:
            target[draw(st.sampled_from(keys))] = draw(json_values)
        else:
            target[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    return body


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validation")
    store = SqliteDirectoryStore(folder / "haven.db")
    directory = ServedApp(create_directory({"SETTINGS": DirectorySettings(
        store_url=f"sqlite:///{folder / 'haven.db'}", internal_secret=SECRET), "STORE": store}))
    matcher_app = create_matcher({"SETTINGS": MatcherSettings(directory_url=directory.url, internal_secret=SECRET)})
    matcher = ServedApp(matcher_app)
    auth = SqliteAuthStore(folder / "auth.db")
    app = create_gateway({"SETTINGS": GatewaySettings(
        directory_url=directory.url, matcher_url=matcher.url, internal_secret=SECRET, secret_key=b"k",
        auth_db_path=folder / "auth.db", rate_limit=0), "AUTH_STORE": auth, "WEB": False})
    client = app.test_client()
    tokens = {role: auth.issue(role, (), "test", None, datetime.now(timezone.utc))[1] for role in ("admin", "caseworker")}
    seeded = client.post("/api/v1/providers", json=provider(), headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert seeded.status_code == 201, seeded.get_data(as_text=True)
    yield client, tokens, store, seeded.json["id"]
    app.extensions["haven_gateway"].close_clients()
    matcher_app.extensions["haven"].directory.session.close()
    matcher.stop()
    directory.stop()
    auth.close()
    store.close()


def _call(client, token, method, path, **kwargs):
    return client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def assert_answer_or_field_error(answer, ok: tuple[int, ...], refusals: tuple[int, ...] = ()) -> dict | None:
    """The answer is one of `ok`, a documented refusal in the error shape, or a 400 that names at least one
    field; returns the error fields of a 400."""
    assert answer.status_code in ok + refusals + (400,), (answer.status_code, answer.get_data(as_text=True)[:300])
    body = answer.get_json()
    assert isinstance(body, dict)
    if answer.status_code in refusals:
        assert body["error"]["status"] == answer.status_code and body["error"]["message"]
    if answer.status_code != 400:
        return None
    error = body["error"]
    assert error["status"] == 400 and error["code"] == "validation_error"
    # A field name is whatever the caller sent: even an empty key or one with a colon in it.
    assert error["fields"] and all(isinstance(name, str) and messages for name, messages in error["fields"].items())
    assert any(error["message"].startswith(f"{name}: ") for name in error["fields"]), error
    return error["fields"]


@SETTINGS
@given(body=mutated(MATCH))
def test_any_match_body_is_answered_or_refused_naming_a_field(gateway, body):
    client, tokens, _, _ = gateway
    answer = _call(client, tokens["caseworker"], "POST", "/api/v1/matches", json=body)
    if assert_answer_or_field_error(answer, (200,)) is None:
        assert {"results", "unmet"} <= set(answer.get_json())
        for result in answer.get_json()["results"]:
            assert all(0 <= candidate["score"] <= 1 for candidate in result["candidates"])


@SETTINGS
@given(body=mutated(provider()))
def test_any_provider_body_is_stored_whole_or_refused_naming_a_field_with_nothing_written(gateway, body):
    client, tokens, store, _ = gateway
    before = store.count_providers()
    answer = _call(client, tokens["admin"], "POST", "/api/v1/providers", json=body)
    fields = assert_answer_or_field_error(answer, (201, 409))
    if answer.status_code == 201:
        assert store.count_providers() == before + 1
        assert answer.get_json()["name"] == body["name"]
    else:
        assert store.count_providers() == before, fields


@SETTINGS
@given(body=st.one_of(mutated({"available": 2, "maximum": 10}), json_values))
def test_any_capacity_body_is_applied_or_refused_naming_a_field(gateway, body):
    client, tokens, store, provider_id = gateway
    answer = _call(client, tokens["admin"], "PUT", f"/api/v1/providers/{provider_id}/capacity", json=body)
    assert_answer_or_field_error(answer, (200,))


@SETTINGS
@given(params=st.lists(st.tuples(st.sampled_from(QUERY_NAMES) | st.text(min_size=1, max_size=8),
                                 st.text(max_size=25) | st.integers(-5, 1000).map(str)
                                 | st.sampled_from(("shelter", "Utrecht", "52.1,5.1", "true", "ro", "female"))),
                       max_size=5))
def test_any_search_query_is_answered_or_refused_naming_a_field(gateway, params):
    client, tokens, _, _ = gateway
    answer = _call(client, tokens["caseworker"], "GET", "/api/v1/providers", query_string=params)
    # 403: include_inactive is for admins only.
    if assert_answer_or_field_error(answer, (200,), refusals=(403,)) is None and answer.status_code == 200:
        page = answer.get_json()
        assert page["size"] <= 100 and len(page["contents"]) <= page["size"]


# -- hostile shapes: every JSON route, one defect at a time -------------------------------------

REFERRAL = {"need": "shelter", "case_reference": "CASE-2026-0042"}
GROUP = {"need": "shelter", "people": [{"languages": ["ro"], "location": {"place": "Utrecht"}, "age": 30}]}


def json_routes(provider_id: str) -> list[tuple[str, str, str, dict]]:
    """(role, method, path, valid body) for every JSON route of the gateway's API."""
    return [("admin", "POST", "/api/v1/providers", provider()),
            ("admin", "PUT", f"/api/v1/providers/{provider_id}", dict(provider(), id=provider_id)),
            ("admin", "PATCH", f"/api/v1/providers/{provider_id}", {"hold_minutes": 240}),
            ("admin", "PUT", f"/api/v1/providers/{provider_id}/capacity", {"available": 2, "maximum": 10}),
            ("caseworker", "POST", "/api/v1/referrals", dict(REFERRAL, provider_id=provider_id)),
            ("caseworker", "POST", "/api/v1/matches", MATCH),
            ("caseworker", "POST", "/api/v1/matches/group", GROUP)]


def _leaves(value, path=()):
    """(path, value) of every scalar in a body."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))
    else:
        yield path, value


def _set(body, path, value):
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


UNSAFE = ["\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u202a", "\u2066", "\u2069"]
PERSONAL = ["NAME born 1990-01-01", "111222333", "1 januari 1990", "01.01.1990", "piet@example.nl",
            "+31 6 12345678", "0612345678", "1234.56.782", "3/4/1985"]


@st.composite
def hostile(draw, body: dict) -> tuple[bytes, str]:
    """A valid body with one defect, as raw JSON, and the field the refusal must name (or "body")."""
    body = json.loads(json.dumps(body))
    leaves = list(_leaves(body))
    kind = draw(st.sampled_from(("deep", "duplicate", "float_for_int", "string_for_int", "bool_for_int",
                                 "string_for_bool", "int_for_bool", "unsafe_text", "string_for_number")))
    # A number field takes an integer as well: only integer fields are given a float.
    ints = [(p, v) for p, v in leaves if type(v) is int
            and not (kind == "float_for_int" and p[-1] in ("lat", "lon", "radius_km", "max_distance_km"))]
    bools = [(p, v) for p, v in leaves if type(v) is bool]
    texts = [(p, v) for p, v in leaves if type(v) is str and isinstance(p[-1], str)
             and p[-1] not in ("need", "type", "status", "unit", "provider_id", "place")]
    floats = [(p, v) for p, v in leaves if type(v) is float]
    if kind == "deep":
        depth = draw(st.integers(65, 3000))
        path, _ = draw(st.sampled_from(leaves))
        _set(body, path, "@@")
        opener = draw(st.sampled_from(("[", '{"a":')))
        closer = "]" if opener == "[" else "}"
        text = json.dumps(body).replace('"@@"', opener * depth + "1" + closer * depth)
        return text.encode(), "body"
    if kind == "duplicate":
        key = draw(st.sampled_from(sorted(body)))
        text = json.dumps(body)
        return (text[:-1] + f", {json.dumps(key)}: {json.dumps(body[key])}}}").encode(), key
    if kind in ("float_for_int", "string_for_int", "bool_for_int") and ints:
        path, value = draw(st.sampled_from(ints))
        _set(body, path, {"float_for_int": value + 0.5, "string_for_int": draw(st.sampled_from((str(value), f" {value} "))),
                          "bool_for_int": True}[kind])
    elif kind in ("string_for_bool", "int_for_bool") and bools:
        path, _ = draw(st.sampled_from(bools))
        _set(body, path, draw(st.sampled_from(("yes", "true", "1", "no"))) if kind == "string_for_bool" else 1)
    elif kind == "string_for_number" and floats:
        path, value = draw(st.sampled_from(floats))
        _set(body, path, str(value))
    elif texts:
        path, value = draw(st.sampled_from(texts))
        if path[-1] == "case_reference" and draw(st.booleans()):
            _set(body, path, draw(st.sampled_from(PERSONAL)))
        else:
            at = draw(st.integers(0, len(value)))
            _set(body, path, value[:at] + draw(st.sampled_from(UNSAFE)) + value[at:])
    else:
        path, _ = draw(st.sampled_from(leaves))
        _set(body, path, "@@")
        return json.dumps(body).replace('"@@"', "[" * 100 + "]" * 100).encode(), "body"
    return json.dumps(body).encode(), ".".join(str(part) for part in path)


@SETTINGS
@given(data=st.data())
def test_a_hostile_body_on_any_json_route_is_refused_naming_the_field_and_writes_nothing(gateway, data):
    client, tokens, store, provider_id = gateway
    role, method, path, valid = data.draw(st.sampled_from(json_routes(provider_id)))
    raw, field = data.draw(hostile(valid))
    before = (store.count_providers(), client.get(f"/api/v1/providers/{provider_id}",
                                                  headers={"Authorization": f"Bearer {tokens['admin']}"}).get_json())
    answer = _call(client, tokens[role], method, path, data=raw, content_type="application/json")
    assert answer.status_code == 400, (method, path, field, answer.status_code, answer.get_data(as_text=True)[:300])
    fields = assert_answer_or_field_error(answer, ())
    assert field in fields or any(name.endswith(f".{field}") or field.startswith(f"{name}.") for name in fields), \
        (field, fields)
    after = (store.count_providers(), client.get(f"/api/v1/providers/{provider_id}",
                                                 headers={"Authorization": f"Bearer {tokens['admin']}"}).get_json())
    assert after == before
