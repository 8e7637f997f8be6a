"""`haven stale` and stale_providers: whose capacity count is old, with how to reach them, oldest first."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from services.directory.domain.rules import iso
from services.directory.stale import stale_providers, staleness_by_type
from services.directory.store import AuditEntry
from services.directory.store.sqlite import SqliteDirectoryStore
from tests.support.factories import provider


def _with_age(name: str, hours: float, now, **overrides) -> dict:
    record = provider(name=name, **overrides)
    record["capacity"] = dict(record["capacity"], updated=iso(now - timedelta(hours=hours)))
    return record


@pytest.fixture
def filled(sqlite_store, clock):
    audit = AuditEntry(at=iso(clock.now), actor="test", role="admin", action="provider.import", target=None,
                       request_id=None)
    sqlite_store.bulk_upsert([
        _with_age("Vers", 2, clock.now),
        _with_age("Een Dag Oud", 25, clock.now, contact={"phone": "+31 30 111 1111", "email": "a@example.org"}),
        _with_age("Week Oud", 24 * 8, clock.now, type="legal", services=["legal"]),
        _with_age("Dicht", 24 * 30, clock.now, status="inactive"),
    ], audit)
    return sqlite_store


def test_stale_providers_are_listed_oldest_first_with_their_contact(filled, clock):
    stale = stale_providers(filled, clock.now)

    assert [item["name"] for item in stale] == ["Week Oud", "Een Dag Oud"]
    day_old = stale[1]
    assert (day_old["phone"], day_old["email"], day_old["age_hours"]) == ("+31 30 111 1111", "a@example.org", 25.0)


def test_the_age_limit_and_inactive_providers_are_up_to_the_caller(filled, clock):
    assert [item["name"] for item in stale_providers(filled, clock.now, timedelta(hours=1))] == [
        "Week Oud", "Een Dag Oud", "Vers"]
    assert stale_providers(filled, clock.now, include_inactive=True)[0]["name"] == "Dicht"


def test_staleness_by_type_counts_active_providers(filled, clock):
    assert staleness_by_type(filled, clock.now) == {"shelter": (2, 1), "legal": (1, 1)}


def _fill_cli_store(tmp_path, records):
    from datetime import datetime, timezone

    store = SqliteDirectoryStore(tmp_path / "data" / "haven.db")
    store.bulk_upsert(records, AuditEntry(at=iso(datetime.now(timezone.utc)), actor="test", role="admin",
                                          action="provider.import", target=None, request_id=None))
    store.close()


def test_the_stale_command_prints_a_table_to_call_from(haven_cli, tmp_path):
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    _fill_cli_store(tmp_path, [_with_age("Vers", 1, now), _with_age("Oud", 80, now),
                               _with_age("Ouder", 30, now, contact={"phone": "+31 20 222 2222"})])

    code, out, _ = haven_cli("stale")

    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["age", "name", "phone", "email", "type", "municipality", "last", "count"]
    assert lines[1].startswith("3 d 8 h") and "Oud" in lines[1]
    assert lines[2].startswith("30 h") and "+31 20 222 2222" in lines[2]
    assert "2 providers to call" in out


def test_the_stale_command_speaks_json_and_takes_hours(haven_cli, tmp_path):
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    _fill_cli_store(tmp_path, [_with_age("Vers", 1, now), _with_age("Oud", 80, now)])

    _, out, _ = haven_cli("stale", "--hours", "100", "--json")
    assert json.loads(out) == []
    _, out, _ = haven_cli("stale", "--hours", "0.5", "--json")
    assert [item["name"] for item in json.loads(out)] == ["Oud", "Vers"]
    _, out, _ = haven_cli("stale", "--hours", "100")
    assert "within the last 100 hours" in out


def test_the_stale_command_names_an_old_care_pool_beside_the_main_count(haven_cli, tmp_path):
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    _fill_cli_store(tmp_path, [_with_age("Zorghuis", 1, now, services=["shelter", "medical"], service_capacity={
        "medical": {"available": 2, "maximum": 4, "unit": "appointment", "updated": iso(now - timedelta(hours=50))}})])

    code, out, _ = haven_cli("stale")

    assert code == 0
    assert "3/10 bed; medical 2/4 appointment (2 d 2 h)" in out.splitlines()[1]
    assert out.splitlines()[1].startswith("2 d 2 h")
