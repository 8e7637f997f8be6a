"""The read model in a running matcher: the directory's change feed over signed HTTP, a matcher started again,
admins still asking the directory, and how long a write takes to reach a match (measured, not asserted)."""
from __future__ import annotations

import random
import time

import pytest

from services.directory.importing import Row, import_providers
from services.directory.synthetic import generate_providers
from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from services.shared.match_schemas import MatchResponseSchema
from services.shared.places import all_places
from services.shared.vocabulary import EXPLOITATION_TYPES, GENDERS, NEEDS
from tests.conftest import SECRET
from tests.matcher.conftest import CaughtUpClient, wait_until_caught_up
from tests.matcher.dataset import UTRECHT, fixed_dataset
from tests.support.signed import SignedFlaskClient

pytestmark = pytest.mark.integration
PROFILE = {"needs": ["shelter", "legal", "medical"], "languages": ["nl"], "location": UTRECHT, "limit": 20}


@pytest.fixture
def dataset(add_providers, clock) -> dict[str, dict]:
    return add_providers(*fixed_dataset(clock.now))


def started_matcher(directory_server, clock, *, read_model: bool):
    settings = MatcherSettings(directory_url=directory_server.url, internal_secret=SECRET, read_model=read_model,
                               read_model_interval=0.05)
    return create_matcher({"SETTINGS": settings, "CLOCK": clock})


def stopped(app) -> None:
    context = app.extensions["haven"]
    if context.follower is not None:
        context.follower.stop()
    context.directory.session.close()


@pytest.fixture
def both(directory_server, clock, sqlite_store):
    """A matcher with the read model and one without, on the same directory."""
    with_model = started_matcher(directory_server, clock, read_model=True)
    without = started_matcher(directory_server, clock, read_model=False)
    yield (CaughtUpClient(with_model, sqlite_store, SECRET, "caseworker"),
           CaughtUpClient(without, sqlite_store, SECRET, "caseworker"))
    stopped(with_model)
    stopped(without)


def answer(client, body=PROFILE) -> dict:
    response = client.post("/matches", body)
    assert response.status_code == 200, response.json
    return response.json


def without_as_of(found: dict) -> dict:
    return {key: value for key, value in found.items() if key != "as_of"}


def test_a_caseworker_gets_the_same_answer_from_the_read_model_as_from_the_directory(both, dataset, admin, clock):
    from_model, from_directory = both
    model_answer, directory_answer = answer(from_model), answer(from_directory)

    assert model_answer["as_of"] == {"source": "read_model", "at": model_answer["as_of"]["at"]}
    assert directory_answer["as_of"] == {"source": "directory", "at": directory_answer["as_of"]["at"]}
    assert without_as_of(model_answer) == without_as_of(directory_answer)
    assert any(c["provider"]["location"]["address"] is None for r in model_answer["results"] for c in r["candidates"])

    # A capacity report, a hold and a delete reach both the same way.
    shelter = dataset["Adults Only Utrecht"]
    assert admin.put(f"/providers/{shelter['id']}/capacity", {"available": 0}).status_code == 200
    assert admin.delete(f"/providers/{dataset['Youth House Zeist']['id']}").status_code == 204
    assert without_as_of(answer(from_model)) == without_as_of(answer(from_directory))


def test_an_admin_is_answered_by_the_directory_itself(both, dataset):
    from_model, _ = both
    admin = from_model.as_role("admin")

    found = answer(admin)

    assert found["as_of"]["source"] == "directory"
    # Admins see where a confidential shelter really is; the read model holds only public cells.
    assert any(c["provider"]["location"]["precision_km"] == 0.0 and c["provider"]["location"]["confidential"]
               for r in found["results"] for c in r["candidates"])


def test_a_matcher_stopped_and_started_again_catches_up_with_every_change_made_meanwhile(
        directory_server, clock, sqlite_store, dataset, admin):
    first = started_matcher(directory_server, clock, read_model=True)
    wait_until_caught_up(first, sqlite_store)
    before = answer(CaughtUpClient(first, sqlite_store, SECRET, "caseworker"))
    read_before = first.extensions["haven"].follower.model.sequence
    stopped(first)  # its process gone, its read model with it

    removed = dataset["Adults Only Utrecht"]["id"]
    assert admin.delete(f"/providers/{removed}").status_code == 204
    emptied = dataset["Women's House Amersfoort"]["id"]
    assert admin.put(f"/providers/{emptied}/capacity", {"available": 0}).status_code == 200

    again = started_matcher(directory_server, clock, read_model=True)
    try:
        after = answer(CaughtUpClient(again, sqlite_store, SECRET, "caseworker"))
        read_after = again.extensions["haven"].follower.model.sequence
        directory = started_matcher(directory_server, clock, read_model=False)
        expected = answer(CaughtUpClient(directory, sqlite_store, SECRET, "caseworker"))
        stopped(directory)
    finally:
        stopped(again)
    offered = {c["provider"]["id"] for r in after["results"] for c in r["candidates"]}
    assert removed in {c["provider"]["id"] for r in before["results"] for c in r["candidates"]}
    assert removed not in offered and emptied not in offered
    assert after["as_of"]["source"] == "read_model" and read_after > read_before
    assert without_as_of(after) == without_as_of(expected)


def test_the_feed_shows_what_a_caseworker_sees_and_refuses_bad_arguments_by_name(matcher_app, dataset, caseworker):
    page = caseworker.get("/changes", since=0, limit=1000).json
    confidential = next(p for p in page["providers"] if p["name"] == "Adults Only Utrecht")
    assert confidential["location"]["address"] is None and confidential["location"]["precision_km"] == 5.0
    assert (confidential["location"]["lat"], confidential["location"]["lon"]) != (UTRECHT["lat"], UTRECHT["lon"])
    assert page["more"] is False and page["sequence"] > 0 and page["deleted"] == []
    # Read as an admin, the feed still shows only what a caseworker may see.
    as_admin = caseworker.as_role("admin").get("/changes", since=0).json
    assert next(p for p in as_admin["providers"] if p["id"] == confidential["id"])["location"] == confidential["location"]

    for params, field in (({"since": -1}, "since"), ({"since": "x"}, "since"), ({"limit": 0}, "limit"),
                          ({"limit": 5001}, "limit"), ({"until": 3}, "until")):
        response = caseworker.get("/changes", **params)
        assert response.status_code == 400, params
        assert field in response.json["error"]["fields"], response.json
    assert caseworker.as_role("provider", provider_ids=(confidential["id"],)).get("/changes").status_code == 403


def test_how_long_a_write_takes_to_reach_a_match_is_measured(directory_server, clock, sqlite_store, dataset, admin,
                                                          capsys):
    """Write-to-match visibility with a 50 ms pull: reported, never asserted on (time depends on the machine)."""
    app = started_matcher(directory_server, clock, read_model=True)
    client = CaughtUpClient(app, sqlite_store, SECRET, "caseworker")
    answer(client)
    raw = SignedFlaskClient(app, SECRET, "caseworker")  # no waiting: the time until a write shows is measured
    shelter = dataset["Adults Only Utrecht"]["id"]
    seen = []
    try:
        for available in (0, 3, 0, 3, 0):
            assert admin.put(f"/providers/{shelter}/capacity", {"available": available}).status_code == 200
            written = time.perf_counter()
            while True:
                assert time.perf_counter() - written < 60, "a write never reached the matches"
                found = raw.post("/matches", {**PROFILE, "needs": ["shelter"]}).json
                offered = shelter in {c["provider"]["id"] for c in found["results"][0]["candidates"]}
                if offered == (available > 0):
                    break
            seen.append(time.perf_counter() - written)
    finally:
        stopped(app)
    with capsys.disabled():
        print(f"\nwrite-to-match visibility (50 ms pull): {', '.join(f'{s * 1000:.0f} ms' for s in seen)}")


def test_the_read_model_is_on_unless_switched_off_and_a_wrong_setting_is_named(tmp_path):
    environ = {"HAVEN_INTERNAL_SECRET": "x" * 32, "HAVEN_DATA_DIR": str(tmp_path)}
    assert MatcherSettings.from_env(environ).read_model is True
    assert MatcherSettings.from_env({**environ, "HAVEN_MATCH_READ_MODEL": "off"}).read_model is False
    for variable, value in (("HAVEN_MATCH_READ_MODEL", "maybe"), ("HAVEN_READ_MODEL_INTERVAL", "0"),
                            ("HAVEN_READ_MODEL_MAX_LAG", "0.1")):
        with pytest.raises(ValueError, match=variable):
            MatcherSettings.from_env({**environ, variable: value})


def test_a_hold_on_a_care_pool_reaches_the_read_model_in_that_pool_only(both, add_providers, admin, clock):
    from tests.support.factories import provider

    added = add_providers(provider(name="Opvang met Zorg Utrecht", services=["shelter", "medical"],
                                   location={"lat": UTRECHT["lat"], "lon": UTRECHT["lon"]},
                                   capacity={"available": 2, "maximum": 4, "updated": clock.now.isoformat()},
                                   service_capacity={"medical": {"available": 1, "maximum": 2, "unit": "appointment",
                                                                 "updated": clock.now.isoformat()}}))
    shelter = added["Opvang met Zorg Utrecht"]
    from_model, from_directory = both
    body = {"needs": ["shelter", "medical"], "languages": ["nl"], "location": UTRECHT, "limit": 20}
    referral = admin.as_role("caseworker", subject="test:caseworker").post(
        "/referrals", {"provider_id": shelter["id"], "need": "medical", "case_reference": "zaak-zorg"})
    assert referral.status_code == 201, referral.json

    model_answer, directory_answer = answer(from_model, body), answer(from_directory, body)

    assert without_as_of(model_answer) == without_as_of(directory_answer)
    names = {need: [c["provider"]["name"] for c in r["candidates"]]
             for r in model_answer["results"] for need in [r["need"]]}
    assert "Opvang met Zorg Utrecht" in names["shelter"]
    assert "Opvang met Zorg Utrecht" not in names["medical"]  # its one care place is held


def random_profiles(count: int, seed: int) -> list[dict]:
    """Match requests as caseworkers send them: some needs, one or two languages, someone somewhere in the country,
    sometimes with an area to avoid."""
    rng = random.Random(seed)
    places = sorted(all_places(), key=lambda place: -place.population)[:30]
    profiles = []
    for _ in range(count):
        place = rng.choice(places)
        profile = {"needs": rng.sample(list(NEEDS), rng.randint(1, 4)),
                   "languages": rng.sample(["nl", "en", "ro", "bg", "pl", "uk", "ar", "ti"], rng.randint(1, 2)),
                   "location": {"lat": place.lat, "lon": place.lon}, "gender": rng.choice(GENDERS),
                   "age": rng.randint(18, 60), "exploitation_type": rng.choice(EXPLOITATION_TYPES),
                   "origin_country": rng.choice(["RO", "BG", "NG", "UA"])}
        if rng.random() < 0.5:
            profile["avoid"] = [{"lat": place.lat + 0.2, "lon": place.lon, "radius_km": 10}]
        profiles.append(profile)
    return profiles


def test_answers_from_the_read_model_are_the_directorys_and_already_in_the_answers_shape(both, sqlite_store, clock):
    """Answers from the read model are written without walking them through the response schema: on a generated
    directory and random requests they are the directory's answers (which are walked through it), and the schema
    would change nothing in them."""
    rows = (Row(f"row {number}", data=record)
            for number, record in enumerate(generate_providers(400, seed=7, now=clock.now), start=1))
    import_providers(sqlite_store, rows, strict=True, now=clock.now, actor="system:test", action="provider.seed")
    from_model, from_directory = both
    schema = MatchResponseSchema()
    shown = 0
    for profile in random_profiles(25, seed=11):
        model_answer, directory_answer = answer(from_model, profile), answer(from_directory, profile)
        assert model_answer["as_of"]["source"] == "read_model"
        assert without_as_of(model_answer) == without_as_of(directory_answer), profile
        assert schema.dump(model_answer) == model_answer
        shown += sum(len(result["candidates"]) for result in model_answer["results"])
    assert shown > 100  # the answers compared are full ones, not empty lists
