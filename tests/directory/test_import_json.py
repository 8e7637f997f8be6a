"""`haven import` of JSON: an array of API-shaped providers, a page envelope, one object, or JSON lines."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from services.directory.importing import ImportFileError, read_records
from services.directory.store.sqlite import SqliteDirectoryStore
from tests.support.factories import provider


def stored(tmp_path: Path) -> dict[str, dict]:
    store = SqliteDirectoryStore(tmp_path / "data" / "haven.db")
    try:
        return {record["id"]: record for record in store.iter_providers(datetime.now(timezone.utc))}
    finally:
        store.close()


def problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("line ")]


def test_problems_in_a_json_array_are_reported_at_the_line_where_the_record_starts(haven_cli, tmp_path):
    good, bad = provider(name="Goed"), provider(name="Fout", location={"lat": -91})
    path = tmp_path / "providers.json"
    path.write_text(json.dumps([good, bad], indent=2))
    bad_line = [number for number, line in enumerate(path.read_text().splitlines(), start=1) if line == "  {"][1]

    code, out, err = haven_cli("import", str(path), "--quiet")

    assert code == 0
    assert problems(err) == [f"line {bad_line}: location.lat: must be greater than or equal to -90 and "
                             f"less than or equal to 90"]
    assert [record["name"] for record in stored(tmp_path).values()] == ["Goed"]


def test_json_lines_report_a_broken_line_and_import_the_rest(haven_cli, tmp_path):
    path = tmp_path / "providers.jsonl"
    path.write_text("\n".join([json.dumps(provider(name="Een")), '{"name": "half', "",
                               json.dumps(provider(name="Twee")), "[1, 2]"]) + "\n")

    code, out, err = haven_cli("import", str(path), "--quiet")

    assert problems(err) == ["line 2: not valid JSON: Unterminated string starting at (column 10)",
                             "line 5: expected a JSON object, found list"]
    assert sorted(record["name"] for record in stored(tmp_path).values()) == ["Een", "Twee"]


def test_unknown_fields_are_refused_by_the_schema(haven_cli, tmp_path):
    path = tmp_path / "providers.json"
    path.write_text(json.dumps([dict(provider(), beds=3)]))
    code, _, err = haven_cli("import", str(path), "--quiet", "--strict")
    assert code == 1
    assert problems(err) == ["line 1: beds: unknown field"]


def test_providers_as_the_api_shows_them_import_as_they_are(haven_cli, tmp_path, admin):
    created = admin.post("/providers", provider(name="Uit de API")).json
    shown = admin.get(f"/providers/{created['id']}").json
    page = admin.get("/providers", q="API").json
    assert "held" in shown["capacity"] and "last_modified" in shown and page["contents"]
    single, envelope = tmp_path / "one.json", tmp_path / "page.json"
    single.write_text(json.dumps(shown))
    envelope.write_text(json.dumps(page, indent=1))

    for path in (single, envelope):
        code, out, err = haven_cli("import", str(path), "--quiet", "--strict")
        assert code == 0, err

    record = stored(tmp_path)[created["id"]]
    for field in ("name", "type", "services", "eligibility", "contact", "hold_minutes", "status"):
        assert record[field] == shown[field]
    assert record["capacity"]["updated"] == shown["capacity"]["updated"]


def test_a_broken_json_array_is_a_file_error_naming_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"name": "a"},\n  {"name": "b",}\n]\n')
    with pytest.raises(ImportFileError, match=r"line 3: not valid JSON"):
        list(read_records(path))


def test_json_that_is_neither_array_nor_object_is_a_file_error(tmp_path):
    path = tmp_path / "number.json"
    path.write_text("42")
    with pytest.raises(ImportFileError, match="expected a JSON array or object"):
        list(read_records(path, "json"))


def test_an_empty_array_imports_nothing_and_fails(haven_cli, tmp_path):
    path = tmp_path / "none.json"
    path.write_text("[ ]")
    code, out, err = haven_cli("import", str(path), "--quiet", "--strict")
    assert code == 1 and out == ""
    assert "Imported nothing: the file holds no records." in err


def test_a_file_name_that_says_nothing_needs_a_format(haven_cli, tmp_path):
    path = tmp_path / "providers.data"
    path.write_text(json.dumps([provider()]))
    code, _, err = haven_cli("import", str(path))
    assert code == 1 and "give --format" in err
    code, out, _ = haven_cli("import", str(path), "--format", "json", "--quiet")
    assert code == 0 and "Imported 1 of 1" in out
