"""`haven import` of Open Referral HSDS 3.1 services, and geocoding with an online geocoder's cache."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from geopy.exc import GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter

from services.directory.domain.rules import view_of
from services.directory.importing import read_records
from services.directory.importing.checking import Checker
from services.directory.importing.geocoding import CachedGeocoder, GeocodeCache, geopy_geocoder
from services.directory.importing.sources import Row
from services.directory.store.sqlite import SqliteDirectoryStore
from services.gateway.hsds import service_of
from services.shared.identity import Caller
from services.shared.places import resolve_place
from tests.support.factories import provider

DATA = Path(__file__).resolve().parents[1] / "data"
ELSEWHERE = DATA / "hsds_services_elsewhere.json"
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
ADMIN = Caller(role="admin", subject="test:admin")


def stored(tmp_path: Path) -> dict[str, dict]:
    store = SqliteDirectoryStore(tmp_path / "data" / "haven.db")
    try:
        return {record["id"]: record for record in store.iter_providers(NOW)}
    finally:
        store.close()


def hsds_service(**overrides) -> dict:
    record = provider(**overrides)
    record["capacity"]["updated"] = "2026-11-28T07:00:00+00:00"
    return service_of(view_of(dict(record, last_modified="2026-11-28T07:00:00+00:00"), ADMIN, NOW))


def test_services_from_another_directory_import_with_what_hsds_says(haven_cli, tmp_path):
    code, out, err = haven_cli("import", str(ELSEWHERE), "--quiet")

    assert code == 0
    assert [line for line in err.splitlines() if line.startswith("line")] == [
        "line 36: type: missing data for required field",
        "line 36: services: missing data for required field",
        "line 36: location.municipality: missing data for required field",
        "line 36: capacity: missing data for required field",
    ]
    record = stored(tmp_path)["8a6f1a7e-3b7c-4f3e-8f0e-6f5b2c1d0a01"]
    assert record["type"] == "legal"
    assert record["services"] == ["legal", "residence_status"]
    assert record["organization"] == "Stichting Straatadvocaten"
    assert record["languages"] == ["nl", "ar"]
    assert record["location"] == {"municipality": "Den Haag", "region": "Zuid-Holland", "lat": 52.0799,
                                  "lon": 4.3113, "address": "Spui 70", "postal_code": "2511 BT",
                                  "confidential": False}
    assert record["capacity"] == {"available": 4, "maximum": 12, "unit": "case", "held": 0,
                                  "updated": "2026-11-27T09:00:00+00:00"}
    assert record["eligibility"]["min_age"] == 16
    assert record["contact"] == {"phone": "+31 70 000 0000", "email": "spreekuur@straatadvocaten.example",
                                 "intake_hours": "", "intake_opening_hours": ""}


def test_the_format_is_recognised_from_the_content(tmp_path):
    rows = list(read_records(ELSEWHERE))
    assert rows[0].data["type"] == "legal"


def test_a_zip_of_hsds_files_imports_every_file_and_names_the_file_in_problems(haven_cli, tmp_path):
    good = hsds_service(name="Uit Zip")
    bad = hsds_service(name="Kapot")
    bad["capacities"][0]["available"] = -1
    archive = tmp_path / "services.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("page-1.json", json.dumps({"contents": [good], "total_items": 2}))
        zipped.writestr("page-2.json", json.dumps([bad], indent=1))
        zipped.writestr("README.txt", "not json")

    code, out, err = haven_cli("import", str(archive), "--quiet")

    assert "page-2.json line 2: capacity.available: must be greater than or equal to 0" in err
    assert [record["name"] for record in stored(tmp_path).values()] == ["Uit Zip"]


def test_the_gateway_mapping_alone_carries_what_hsds_has_a_place_for(haven_cli, tmp_path):
    service = hsds_service(name="Alleen HSDS", type="legal", services=["legal", "compensation"],
                           contact={"phone": "+31 20 000 0000", "intake_hours": "ma-vr 9-17"})
    path = tmp_path / "services.json"
    path.write_text(json.dumps([service]))

    code, _, err = haven_cli("import", str(path), "--quiet", "--strict")

    assert code == 0, err
    record = stored(tmp_path)[service["id"]]
    assert (record["type"], record["services"]) == ("legal", ["legal", "compensation"])
    assert record["contact"]["intake_hours"] == "ma-vr 9-17"
    assert record["location"]["address"] == "Teststraat 1"


def test_a_redacted_hsds_location_is_imported_as_confidential(haven_cli, tmp_path):
    service = hsds_service(location={"confidential": True, "address": "Geheim 1 HVNCONF-0123456789ab"})
    path = tmp_path / "services.json"
    path.write_text(json.dumps([service]))

    haven_cli("import", str(path), "--quiet", "--strict")

    location = stored(tmp_path)[service["id"]]["location"]
    assert location["confidential"] is True
    assert location["address"] == ""


class FakeOnlineGeocoder:
    """Stands in for geopy's geocode(query): answers from a table, counts the questions."""

    def __init__(self, answers: dict[str, tuple[float, float]], fail: bool = False):
        self.answers = answers
        self.fail = fail
        self.questions: list[str] = []

    def __call__(self, query: str):
        self.questions.append(query)
        if self.fail:
            raise GeocoderUnavailable("no network")
        point = self.answers.get(query)
        return None if point is None else type("Location", (), {"latitude": point[0], "longitude": point[1]})()


def test_an_online_geocoder_is_asked_once_per_address_across_imports(tmp_path):
    online = FakeOnlineGeocoder({"Kerkstraat 1, 3511 AA Utrecht, Netherlands": (52.0911, 5.1201)})
    for _ in range(2):
        cache = GeocodeCache(tmp_path / "cache.sqlite3")
        geocoder = CachedGeocoder("fake", online, cache)
        found = geocoder.locate(municipality="Utrecht", address="Kerkstraat 1", postal_code="3511 AA")
        cache.close()
        assert (found.lat, found.lon, found.region) == (52.0911, 5.1201, "Utrecht")
    assert online.questions == ["Kerkstraat 1, 3511 AA Utrecht, Netherlands"]


def test_a_confidential_address_is_never_sent_to_an_online_geocoder(tmp_path):
    online = FakeOnlineGeocoder({"Zwolle, Netherlands": (52.51, 6.09)})
    geocoder = CachedGeocoder("fake", online, GeocodeCache(tmp_path / "cache.sqlite3"))
    checker = Checker(geocoder)

    result = checker.check(Row("line 2", data={
        "name": "Veilig Huis", "type": "shelter", "services": ["shelter"],
        "location": {"municipality": "Zwolle", "address": "Geheimstraat 4 HVNCONF-a1b2c3d4e5f6",
                     "postal_code": "8011 ZZ", "confidential": True},
        "capacity": {"available": 1, "maximum": 4}}))

    assert online.questions == ["Zwolle, Netherlands"]
    assert (result.record["location"]["lat"], result.record["location"]["lon"]) == (52.51, 6.09)


def test_the_gazetteer_answers_when_the_online_geocoder_finds_nothing_or_fails(tmp_path):
    online = FakeOnlineGeocoder({})
    cache = GeocodeCache(tmp_path / "cache.sqlite3")
    geocoder = CachedGeocoder("fake", online, cache)
    place = resolve_place("Dokkum")

    found = geocoder.locate(municipality="Dokkum", address="Markt 1")
    geocoder.locate(municipality="Dokkum", address="Markt 1")
    assert (found.lat, found.lon) == (place.lat, place.lon)
    assert len(online.questions) == 1

    online.fail = True
    geocoder.locate(municipality="Dokkum", address="Markt 2")
    geocoder.locate(municipality="Dokkum", address="Markt 2")
    assert online.questions[1:] == ["Markt 2, Dokkum, Netherlands"] * 2
    assert geocoder.errors == 2


def test_a_geopy_geocoder_is_rate_limited_and_cached_in_the_data_folder(tmp_path):
    geocoder = geopy_geocoder("nominatim", "haven-tests", tmp_path)
    assert isinstance(geocoder.geocode, RateLimiter)
    assert geocoder.geocode.min_delay_seconds == 1.0
    assert (tmp_path / "geocode-cache.sqlite3").exists()
    geocoder.cache.close()


def test_an_online_geocoder_needs_a_user_agent_and_a_known_name(haven_cli, tmp_path):
    path = DATA / "providers_two_bad_rows.csv"
    code, _, err = haven_cli("import", str(path), "--geocoder", "nominatim")
    assert code == 1 and "--geocoder-user-agent" in err
    code, _, err = haven_cli("import", str(path), "--geocoder", "no-such-service", "--geocoder-user-agent", "x")
    assert code == 1 and "no geocoder named 'no-such-service'" in err


def test_malformed_hsds_objects_are_problems_of_their_record_not_a_crash(haven_cli, tmp_path):
    odd = hsds_service(name="Vreemd")
    odd["haven"] = {"location": "secret", "eligibility": ["x"], "capacity": 3, "contact": None}
    odd["organization"] = "Stichting"
    odd["phones"] = [{"number": 5, "description": 7}]
    odd["service_at_locations"][0]["location"]["description"] = {"text": "?"}
    path = tmp_path / "services.json"
    path.write_text(json.dumps([odd]))

    code, _, err = haven_cli("import", str(path), "--quiet", "--format", "hsds")

    # Its only record is bad, so nothing was imported: a failure even without --strict.
    assert code == 1
    assert "line 1: contact.phone: not a valid string" in err
