"""`haven import` on its fast path reports and stores exactly what the schema alone gives."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from services.cli import main
from services.directory.importing.quickload import QuickLoader
from services.directory.store.sqlite import SqliteDirectoryStore
from services.directory.synthetic import generate_providers

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def spoil(record: dict, how: int) -> dict | str:
    """One of many ways a record goes wrong, some of them only for the schema to find."""
    location, capacity, eligibility = record["location"], record["capacity"], record["eligibility"]
    match how:
        case 0: record["languages"] = ["nl", "xx"]
        case 1: capacity["available"] = capacity["maximum"] + 1
        case 2: eligibility["min_age"], eligibility["max_age"] = 30, 20
        case 3: record["surprise"] = True
        case 4: del record["type"]
        case 5: location["lat"] = "north"
        case 6: record["contact"]["email"] = "not-an-email"
        case 7: return "{not json"
        case 8: record["services"] = []
        case 9: location["lon"] = float("nan")
        case 10: record["hold_minutes"] = True
        case 11: eligibility["countries"] = ["NL", "NL"]
        case 12: record["name"] = ""
        case 13: capacity["updated"] = "2026-03-01T12:00:00"  # no time zone
        case 14: record["id"] = "not-a-uuid"
    return record


def unusual_but_valid(record: dict, how: int) -> dict:
    """Valid records in a less usual shape: fields left to their defaults, an integer for a coordinate."""
    match how:
        case 0: record.pop("eligibility")
        case 1: record["location"].pop("confidential")
        case 2: record["location"]["lat"] = round(record["location"]["lat"])  # an integer is a number too
        case 3: record.pop("contact")
    return record


@pytest.fixture
def providers_file(tmp_path) -> Path:
    lines = []
    records = list(generate_providers(90, seed=2026, now=NOW))
    for number, record in enumerate(records):
        if number % 6 == 5:
            record = spoil(record, number // 6)
        elif number % 7 == 3:
            record = unusual_but_valid(record, number % 4)
        lines.append(record if isinstance(record, str) else json.dumps(record))
    lines.append(json.dumps(records[10]))  # the same id again, far from the first
    path = tmp_path / "providers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(tmp_path, monkeypatch, capsys, path, name, *options):
    data_dir = tmp_path / name
    monkeypatch.setenv("HAVEN_DATA_DIR", str(data_dir))
    monkeypatch.delenv("HAVEN_STORE_URL", raising=False)
    code = main(["import", str(path), "--quiet", "--chunk-size", "7", *options])
    out, err = capsys.readouterr()
    store = SqliteDirectoryStore(data_dir / "haven.db")
    try:
        stored = {r["id"]: {k: v for k, v in r.items() if k != "last_modified"}
                  for r in store.iter_providers(NOW)}
    finally:
        store.close()
    return code, out, err, stored


@pytest.mark.parametrize("options", [(), ("--strict",)])
def test_bad_rows_across_chunks_are_reported_as_without_the_fast_path(tmp_path, monkeypatch, capsys, providers_file,
                                                                      options):
    fast = run_import(tmp_path, monkeypatch, capsys, providers_file, "fast", *options)
    monkeypatch.setattr(QuickLoader, "load", lambda self, data: None)
    plain = run_import(tmp_path, monkeypatch, capsys, providers_file, "plain", *options)

    assert fast == plain
    code, out, err, stored = fast
    problems = [line for line in err.splitlines() if line.startswith("line ")]
    assert len(problems) >= 16 and problems[-1] == "line 91: id: the same id as line 11"
    assert "line 6: languages.1: not an ISO 639 language code: 'xx'" in problems
    if options:
        assert code == 1 and stored == {}
    else:
        assert code == 0 and len(stored) == 90 - 15
        assert "Imported 75 of 91 providers, skipped 16 with problems." in out
