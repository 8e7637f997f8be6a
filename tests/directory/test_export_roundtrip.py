"""`haven export` then `haven import` gives the same directory back, in every format."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from services.directory.domain.queries import AuditFilter
from services.directory.domain.referrals import Referral
from services.directory.domain.rules import iso
from services.directory.store import AuditEntry
from services.directory.store.sqlite import SqliteDirectoryStore
from services.directory.synthetic import generate_providers
from services.shared.geo import coarsen
from tests.support.factories import provider

NOW = datetime.now(timezone.utc).replace(microsecond=0)
REDACTED = ("lat", "lon", "address", "postal_code")
CASES = [("csv", True), ("csv", False), ("json", True), ("json", False), ("hsds", True), ("hsds", False)]


def edge_cases() -> list[dict]:
    """Providers that test the corners of each format."""
    updated = iso(NOW - timedelta(hours=30))
    base = {"capacity": {"available": 2, "maximum": 5, "unit": "bed", "updated": updated}}
    return [
        provider(name='Zorg & Opvang "IJssel", Zwolle', organization="", description="Two lines;\nand a, comma",
                 contact={"phone": "", "email": None, "intake_hours": "24/7"}, **base),
        provider(name="Stille Opvang", status="temporarily_closed", eligibility={"genders": ["male"]},
                 location={"municipality": "Zwolle", "region": "", "lat": 52.512345, "lon": 6.091234,
                           "address": "Geheimstraat 9 HVNCONF-00aa11bb22cc", "postal_code": "8011 XY",
                           "confidential": True}, **base),
        provider(name="Terugkeer Zonder Adres", type="repatriation", services=["repatriation"], status="inactive",
                 location={"address": "", "postal_code": ""}, hold_minutes=4320,
                 eligibility={"countries": ["NG", "RO"], "residence_statuses": ["undocumented", "asylum"]},
                 capacity={"available": 0, "maximum": 0, "unit": "case", "updated": updated}),
        provider(name="Opvang met Zorg", services=["shelter", "medical", "legal"],
                 service_capacity={"medical": {"available": 1, "maximum": 3, "unit": "appointment",
                                               "updated": iso(NOW - timedelta(hours=2))},
                                   "legal": {"available": 0, "maximum": 2, "unit": "case", "updated": updated}},
                 **base),
    ]


@pytest.fixture
def source(tmp_path) -> tuple[str, dict[str, dict]]:
    """A store with 60 synthetic providers, the edge cases and one pending referral; its URL and records."""
    path = tmp_path / "source.db"
    store = SqliteDirectoryStore(path)
    audit = AuditEntry(at=iso(NOW), actor="test", role="admin", action="provider.import", target=None,
                       request_id=None)
    store.bulk_upsert([*generate_providers(60, seed=11, now=NOW), *edge_cases()], audit)
    held = next(record for record in store.iter_providers(NOW)
                if record["status"] == "active" and record["capacity"]["available"] > 0)
    store.create_referral(Referral(id=str(uuid.uuid4()), provider_id=held["id"], need=held["services"][0],
                                   case_reference="case-1", status="pending", created_by="test:caseworker",
                                   created_at=iso(NOW), expires_at=iso(NOW + timedelta(hours=4)),
                                   updated_at=iso(NOW)), NOW, audit)
    records = {record["id"]: record for record in store.iter_providers(NOW)}
    store.close()
    assert records[held["id"]]["capacity"]["held"] == 1
    return f"sqlite:///{path}", records


def fields(record: dict, prefix: str = "") -> dict[str, object]:
    """{"location.lat": 52.1, ...}: every leaf field of a record, for a field-by-field comparison."""
    flat = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(fields(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def comparable(record: dict, redact: bool) -> dict[str, object]:
    shown = copy.deepcopy(record)
    shown.pop("last_modified")  # the time of the import that wrote it
    shown.setdefault("delivery", ["on_site"])  # a record from before the field is delivered on site
    for key in ("specialises_in", "cannot_serve", "target_groups"):  # and has no support profile
        shown["eligibility"].setdefault(key, [])
    shown["contact"].setdefault("intake_opening_hours", "")  # nor structured intake hours
    shown["capacity"].pop("held")  # pending referrals live beside the providers, not in an export
    for pool in (shown.get("service_capacity") or {}).values():
        pool.pop("held")
    if redact and shown["location"]["confidential"]:
        for key in REDACTED:
            shown["location"].pop(key)
    return fields(shown)


def read_store(url: str) -> dict[str, dict]:
    store = SqliteDirectoryStore(url[len("sqlite:///"):])
    try:
        return {record["id"]: record for record in store.iter_providers(NOW)}
    finally:
        store.close()


@pytest.mark.parametrize(("fmt", "as_admin"), CASES, ids=[f"{f}-{'admin' if a else 'redacted'}" for f, a in CASES])
def test_an_import_of_an_export_gives_the_same_directory_back(haven_cli, source, tmp_path, fmt, as_admin):
    source_url, original = source
    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    exported = tmp_path / f"export.{'csv' if fmt == 'csv' else 'json'}"
    code, _, err = haven_cli("export", "--format", fmt, "--output", str(exported), "--store", source_url,
                         *(["--as-admin"] if as_admin else []))
    assert code == 0, err

    code, out, err = haven_cli("import", str(exported), "--format", fmt, "--store", target_url, "--strict", "--quiet")

    assert code == 0, err
    assert f"Imported {len(original)} of {len(original)} providers" in out
    imported = read_store(target_url)
    assert imported.keys() == original.keys()
    # HSDS never carries an exact confidential location, whoever exports.
    redact = not as_admin or fmt == "hsds"
    for provider_id, record in original.items():
        assert comparable(imported[provider_id], redact) == comparable(record, redact), record["name"]
        if redact and record["location"]["confidential"]:
            location = imported[provider_id]["location"]
            assert (location["lat"], location["lon"]) == coarsen(record["location"]["lat"], record["location"]["lon"])
            assert (location["address"], location["postal_code"]) == ("", "")


@pytest.mark.parametrize("fmt", ["csv", "json", "hsds"])
def test_an_export_without_admin_rights_shows_no_confidential_address_or_point(haven_cli, source, fmt):
    source_url, original = source
    code, text, _ = haven_cli("export", "--format", fmt, "--store", source_url)
    assert code == 0
    hidden = [record for record in original.values() if record["location"]["confidential"]]
    assert hidden
    assert "HVNCONF-" not in text
    for record in hidden:
        assert record["location"]["postal_code"] not in text
        assert str(record["location"]["lat"]) not in text and str(record["location"]["lon"]) not in text


def test_an_admin_export_includes_confidential_addresses_and_is_audited(haven_cli, source, tmp_path):
    source_url, _ = source
    _, text, _ = haven_cli("export", "--format", "json", "--as-admin", "--store", source_url)
    haven_cli("export", "--format", "csv", "--store", source_url)

    assert "HVNCONF-00aa11bb22cc" in text
    store = SqliteDirectoryStore(source_url[len("sqlite:///"):])
    try:
        reveal = store.list_audit(AuditFilter(action="address.reveal", page=1, size=10)).items
        plain = store.list_audit(AuditFilter(action="provider.export", page=1, size=10)).items
    finally:
        store.close()
    assert [entry.detail for entry in reveal] == ["format=json; confidential addresses included"]
    assert [entry.detail for entry in plain] == ["format=csv; confidential addresses redacted"]
    assert reveal[0].actor.startswith("cli:")


def test_an_admin_hsds_export_says_it_stays_redacted(haven_cli, source, tmp_path):
    source_url, _ = source
    code, text, err = haven_cli("export", "--format", "hsds", "--as-admin", "--store", source_url)
    assert code == 0
    assert "HSDS never carries exact confidential locations" in err
    assert "HVNCONF-" not in text


def test_the_json_export_has_one_provider_a_line_in_id_order(haven_cli, source):
    source_url, original = source
    _, text, _ = haven_cli("export", "--format", "json", "--store", source_url)
    lines = text.splitlines()
    assert (lines[0], lines[-1]) == ("[", "]")
    ids = [json.loads(line.rstrip(","))["id"] for line in lines[1:-1]]
    assert ids == sorted(original)


def test_exporting_twice_gives_the_same_file(haven_cli, source, tmp_path):
    source_url, _ = source
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    haven_cli("export", "--format", "csv", "--output", str(first), "--store", source_url)
    haven_cli("export", "--format", "csv", "--output", str(second), "--store", source_url)
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob(".*.partial"))
