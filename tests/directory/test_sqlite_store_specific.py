"""What only the embedded store has: distances worked out in SQL, and stores written before a schema change."""
from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timezone

import pytest

from services.directory.domain.queries import Area, CandidateQuery
from services.directory.domain.rules import iso
from services.directory.store import AuditEntry
from services.directory.store import sqlite as sqlite_store
from services.directory.store.sqlite import DISTANCE_PARAMS, SqliteDirectoryStore
from services.shared import vocabulary as v
from services.shared.geo import cell_of
from services.shared.geo import distance_km
from tests.support.factories import provider

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def audit() -> AuditEntry:
    return AuditEntry(at=iso(NOW), actor="admin:1", role="admin", action="test.write", target=None, request_id=None)


def test_sql_distance_is_the_python_distance_to_the_last_bit(tmp_path):
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    expression = store._distance(":lat1", ":lon1", ":lat2", ":lon2")
    assert "distance_km(" not in expression, "this SQLite has math functions; the SQL must not call back"
    rng = random.Random(2026)
    conn = store._conn()
    for _ in range(2000):
        lat1, lat2 = rng.uniform(50.5, 53.7), rng.uniform(50.5, 53.7)
        lon1, lon2 = rng.uniform(3.2, 7.3), rng.uniform(3.2, 7.3)
        found = conn.execute(f"SELECT {expression}",
                             dict(DISTANCE_PARAMS, lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2)).fetchone()[0]
        assert found == distance_km(lat1, lon1, lat2, lon2)


def test_without_sqlite_math_functions_the_python_distance_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_store, "_has_math_functions", lambda conn: False)
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    near = provider(location={"lat": 52.0907, "lon": 5.1214})
    far = provider(location={"lat": 52.3676, "lon": 4.9041})
    for record in (near, far):
        record["capacity"]["updated"] = iso(NOW)
        store.put_provider(record, audit())
    assert store._distance("a", "b", "c", "d") == "distance_km(a, b, c, d)"
    found = store.candidates(CandidateQuery(need="shelter", near=(52.09, 5.12), max_distance_km=10), NOW)
    assert [record["id"] for record, _ in found] == [near["id"]]


def _record(services, statuses, index) -> dict:
    record = provider(services=services, location={"lat": 52.09 + 0.01 * index, "lon": 5.12},
                      eligibility={"residence_statuses": statuses})
    record["capacity"]["updated"] = iso(NOW)
    return record


@pytest.mark.parametrize("residence", ["eu", "undocumented"])
def test_a_store_written_before_the_bit_columns_and_need_boxes_gets_them_filled_and_answers_the_same(tmp_path, residence):
    path = tmp_path / "haven.db"
    records = [_record(services, statuses, index) for index, (services, statuses) in enumerate([
        (["shelter"], ["eu"]), (["shelter", "medical"], []), (["medical"], ["undocumented", "eu"]),
        (["shelter", "legal"], ["undocumented"]), (["repatriation"], ["eu"])])]
    store = SqliteDirectoryStore(path)
    for record in records:
        store.put_provider(record, audit())
    store.close()
    # What a store written before the needs and residences columns and the need boxes looks like.
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE providers DROP COLUMN needs")
    conn.execute("ALTER TABLE providers DROP COLUMN residences")
    conn.execute("DROP TABLE provider_need_geo")
    conn.execute("PRAGMA user_version = 0")  # stores of that time counted no migrations
    conn.commit()
    conn.close()

    store = SqliteDirectoryStore(path)
    columns = {row["name"] for row in store._conn().execute("PRAGMA table_info(providers)")}
    assert {"needs", "residences"} <= columns
    boxes = store._conn().execute("SELECT COUNT(*) FROM provider_need_geo").fetchone()[0]
    assert boxes == sum(len(record["services"]) for record in records)
    found_count = 0
    for need in ("shelter", "medical", "legal"):
        found = store.candidates(CandidateQuery(need=need, near=(52.09, 5.12), residence_status=residence), NOW)
        expected = [r["id"] for r in records if need in r["services"] and (
            not r["eligibility"]["residence_statuses"] or residence in r["eligibility"]["residence_statuses"])]
        assert sorted(record["id"] for record, _ in found) == sorted(expected)
        found_count += len(found)
    assert found_count >= 4
    store.close()
    SqliteDirectoryStore(path).close()  # opening it again finds the columns and changes nothing


def test_an_area_to_avoid_leaves_out_a_provider_whose_coarse_point_lies_in_it_though_its_address_does_not(tmp_path):
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    record = provider(location={"confidential": True})
    record["capacity"]["updated"] = iso(NOW)
    store.put_provider(record, audit())
    exact = (record["location"]["lat"], record["location"]["lon"])
    coarse = sqlite_store.public_point(record["location"])
    gap = distance_km(*exact, *coarse)
    assert gap > 0.2
    # A small circle around the coarse point that keeps the exact address outside it.
    area = Area(lat=coarse[0], lon=coarse[1], radius_km=gap / 2)
    found = store.candidates(CandidateQuery(need="shelter", near=exact, avoid=(area,)), NOW)
    assert found == []
    assert store.candidates(CandidateQuery(need="shelter", near=exact), NOW)


def test_need_boxes_follow_a_provider_through_changes_of_needs_and_deletion(tmp_path):
    store = SqliteDirectoryStore(tmp_path / "haven.db")
    record = provider(services=["shelter", "medical"])
    record["capacity"]["updated"] = iso(NOW)
    store.put_provider(record, audit())

    def found(need: str) -> list[str]:
        return [r["id"] for r, _ in store.candidates(CandidateQuery(need=need, near=(52.09, 5.12)), NOW)]
    assert found("shelter") == found("medical") == [record["id"]]
    store.put_provider(dict(record, services=["legal"]), audit())
    assert found("shelter") == found("medical") == [] and found("legal") == [record["id"]]
    store.bulk_upsert([dict(record, services=["medical"])], audit())
    assert found("legal") == [] and found("medical") == [record["id"]]
    store.delete_provider(record["id"], audit())
    assert found("medical") == []
    assert store._conn().execute("SELECT COUNT(*) FROM provider_need_geo").fetchone()[0] == 0


def test_every_need_and_residence_status_has_its_own_stored_bit():
    # A value without a bit would be dropped from the row and never found by a candidate query.
    for bits, values in ((sqlite_store.NEED_BITS, v.NEEDS), (sqlite_store.RESIDENCE_BITS, v.RESIDENCE_STATUSES)):
        assert set(bits) == set(values)
        assert len(set(bits.values())) == len(bits) and all(bit & (bit - 1) == 0 for bit in bits.values())
    assert max(sqlite_store.NEED_NUMBERS.values()) < sqlite_store.NEED_SLOTS


def _edge_of_cell_area(location: dict) -> Area:
    """A circle that touches the provider's cell at its south-west corner and holds neither of its points."""
    box = cell_of(location["lat"], location["lon"]).box
    centre = (box.min_lat - 0.01, box.min_lon - 0.015)
    return Area(*centre, distance_km(*centre, box.min_lat, box.min_lon) + 0.2)


def test_a_store_written_before_the_confidential_column_gets_it_filled_and_applies_the_cell_rule(tmp_path):
    path = tmp_path / "haven.db"
    store = SqliteDirectoryStore(path)
    secret = provider(location={"confidential": True})
    secret["capacity"]["updated"] = iso(NOW)
    store.put_provider(secret, audit())
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE providers DROP COLUMN confidential")
        conn.execute("PRAGMA user_version = 0")  # stores of that time counted no migrations
    area = _edge_of_cell_area(secret["location"])
    assert not area.contains(secret["location"]["lat"], secret["location"]["lon"])

    reopened = SqliteDirectoryStore(path)
    try:
        near = (secret["location"]["lat"], secret["location"]["lon"])
        assert reopened.candidates(CandidateQuery(need="shelter", near=near), NOW)
        assert reopened.candidates(CandidateQuery(need="shelter", near=near, avoid=(area,)), NOW) == []
    finally:
        reopened.close()


def test_a_store_written_before_the_delivery_column_reads_it_from_each_record(tmp_path):
    path = tmp_path / "haven.db"
    store = SqliteDirectoryStore(path)
    remote = provider(type="legal", services=["legal"], delivery=["remote"])
    office = provider(type="legal", services=["legal"])
    office.pop("delivery", None)
    for record in (remote, office):
        record["capacity"]["updated"] = iso(NOW)
        store.put_provider(record, audit())
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE providers DROP COLUMN delivery")
        conn.execute("PRAGMA user_version = 5")  # the migrations before the delivery column had run

    reopened = SqliteDirectoryStore(path)
    try:
        near = (remote["location"]["lat"], remote["location"]["lon"])
        found = reopened.candidates(CandidateQuery(need="legal", near=near, wheelchair=True), NOW)
        assert [record["id"] for record, _ in found] == [remote["id"]]
    finally:
        reopened.close()


def test_a_store_written_before_capacity_per_service_reads_each_records_own_pools(tmp_path):
    path = tmp_path / "haven.db"
    store = SqliteDirectoryStore(path)
    shelter = provider(services=["shelter", "medical"], capacity={"available": 0, "maximum": 4},
                       service_capacity={"medical": {"available": 2, "maximum": 2, "unit": "appointment",
                                                     "updated": iso(NOW)}})
    plain = provider(services=["shelter", "medical"], capacity={"available": 1, "maximum": 4})
    for record in (shelter, plain):
        record["capacity"]["updated"] = iso(NOW)
        store.put_provider(record, audit())
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE providers DROP COLUMN own_pools")
        # The migrations before the column had run.
        conn.execute(f"PRAGMA user_version = {sqlite_store.MIGRATIONS.index(sqlite_store._add_own_pools_column)}")

    reopened = SqliteDirectoryStore(path)
    try:
        near = (shelter["location"]["lat"], shelter["location"]["lon"])
        found = reopened.candidates(CandidateQuery(need="medical", near=near), NOW)
        assert sorted(record["id"] for record, _ in found) == sorted([shelter["id"], plain["id"]])
        found = reopened.candidates(CandidateQuery(need="shelter", near=near), NOW)
        assert [record["id"] for record, _ in found] == [plain["id"]]
    finally:
        reopened.close()
