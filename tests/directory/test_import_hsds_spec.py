"""`haven import` of Open Referral's own example data: JSON objects of every kind, the tabular JSON form and
the CSV package (datapackage.json), told apart from Haven's own formats by explicit markers only."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from services.directory.importing import detect_format
from services.directory.importing.sources import ImportFileError
from tests.directory.test_import_hsds import stored

SPEC = Path(__file__).resolve().parents[1] / "data" / "hsds-spec"
COUNSELLING = "ac148810-d857-441c-9679-408f346de14b"
DERIVED = ("service_full_nl.json", "organization_full_nl.json", "service_at_location_full_nl.json",
           "tabular_nl.json", "csv", "csv/datapackage.json")


@pytest.mark.parametrize("name", DERIVED)
def test_each_form_of_the_specifications_example_imports_as_the_same_provider(haven_cli, tmp_path, name):
    code, out, err = haven_cli("import", "--quiet", "--strict", str(SPEC / name))
    assert (code, out.strip()) == (0, "Imported 1 of 1 providers."), err
    record = stored(tmp_path)[COUNSELLING]
    assert (record["name"], record["organization"]) == ("Community Counselling", "Example Organization Inc.")
    assert (record["type"], record["services"]) == ("mental_health", ["mental_health"])
    assert record["languages"] == ["ur"]
    assert (record["location"]["municipality"], record["location"]["lat"]) == ("Utrecht", 52.0907)
    assert (record["capacity"]["available"], record["capacity"]["maximum"], record["capacity"]["unit"]) == (
        3, 10, "appointment")
    assert (record["eligibility"]["min_age"], record["eligibility"]["max_age"]) == (12, 100)


def test_the_csv_package_imports_from_a_zip(haven_cli, tmp_path):
    archive = tmp_path / "hsds-package.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for path in sorted((SPEC / "csv").iterdir()):
            packed.write(path, f"export/{path.name}")
    code, out, err = haven_cli("import", "--quiet", str(archive))
    assert code == 0, err
    assert COUNSELLING in stored(tmp_path)


def test_the_example_as_shipped_is_read_as_hsds_and_each_gap_is_named_and_nothing_imported(haven_cli):
    code, out, err = haven_cli("import", "--quiet", str(SPEC / "service_full.json"))
    assert code == 1 and out == ""
    # HSDS 3.0's example has no capacity and no need Haven can match on, and a latitude of 100.
    assert "line 1: capacity: missing data for required field" in err
    assert "line 1: services: missing data for required field" in err
    assert "line 1: location.lat: must be greater than or equal to -90" in err
    assert err.strip().endswith("Imported nothing: all 1 records have problems.")


def test_a_csv_package_missing_a_table_is_read_from_the_tables_it_has(haven_cli, tmp_path):
    package = tmp_path / "package"
    shutil.copytree(SPEC / "csv", package)
    (package / "languages.csv").unlink()
    code, out, err = haven_cli("import", "--quiet", str(package))
    assert code == 0, err
    assert stored(tmp_path)[COUNSELLING]["languages"] == []


def test_a_cell_the_package_schema_refuses_is_named_by_table_line_and_field(haven_cli, tmp_path):
    package = tmp_path / "package"
    shutil.copytree(SPEC / "csv", package)
    services = (package / "services.csv").read_text(encoding="utf-8").replace(",12,100,", ",twelve,100,")
    (package / "services.csv").write_text(services, encoding="utf-8")
    code, _, err = haven_cli("import", "--quiet", str(package))
    assert code == 1
    assert "services.csv line 2: minimum_age:" in err


def test_one_table_of_a_package_is_never_read_as_havens_own_csv(haven_cli):
    code, _, err = haven_cli("import", str(SPEC / "csv" / "services.csv"))
    assert code == 1
    assert "Open Referral HSDS CSV package" in err and "datapackage.json" in err
    assert "nothing was imported" in err


@pytest.mark.parametrize("record, expected", [
    ({"name": "x", "type": "shelter", "location": {"municipality": "Utrecht"}}, "json"),
    ({"name": "x", "service_at_locations": [], "organization": {"name": "y"}}, "hsds"),
    ({"services.csv": [], "organizations.csv": []}, "hsds"),
    ({"id": "1", "service": {"name": "x"}, "location": {"latitude": 52.1}}, "hsds"),
])
def test_the_format_comes_from_markers_of_one_format(tmp_path, record, expected):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record]))
    assert detect_format(path) == expected


def test_a_record_with_markers_of_neither_format_is_checked_as_havens_own(tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"name": "only a name"}]))
    assert detect_format(path) == "json"


@pytest.mark.parametrize("record", [
    {"name": "both", "type": "shelter", "service_at_locations": []},
    {"name": "both", "capacity": {"available": 1}, "organization": {"name": "y"}},
])
def test_a_record_with_markers_of_both_formats_is_refused_with_the_way_out(tmp_path, record):
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record]))
    with pytest.raises(ImportFileError, match="give --format json or --format hsds"):
        detect_format(path)


@pytest.mark.parametrize("example, kind", [("location", "location"), ("taxonomy_term", "taxonomy term"),
                                           ("base", "API root")])
def test_hsds_objects_that_are_not_services_say_what_they_are(haven_cli, tmp_path, example, kind):
    objects = {"location": {"id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5", "location_type": "physical",
                            "latitude": 52.09, "longitude": 5.12, "addresses": []},
               "taxonomy_term": {"id": "3f7b145d-84af-42d7-8fae-eaca714b02b2", "code": "code", "name": "name",
                                 "taxonomy": "taxonomy", "term_uri": "http://example.com"},
               "base": {"version": "3.0", "profile": "https://path/to/profile", "openapi_url": "https://example.com"}}
    path = tmp_path / f"{example}.json"
    path.write_text(json.dumps(objects[example]))
    code, _, err = haven_cli("import", "--quiet", "--format", "hsds", str(path))
    assert code == 1
    assert f"an HSDS {kind}" in err and "nothing to import" in err


def test_an_import_that_writes_nothing_fails_even_when_lenient(haven_cli, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("[]")
    code, out, err = haven_cli("import", str(path))
    assert code == 1 and "Imported nothing: the file holds no records." in err
