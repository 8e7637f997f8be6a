"""`haven import` of CSV files: checks first, strict or lenient, idempotent, with offline geocoding."""
from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from services.directory.domain.queries import AuditFilter
from services.directory.importing import derived_id
from services.directory.importing.flat import COLUMN_NAMES
from services.directory.store.sqlite import SqliteDirectoryStore
from services.shared.places import resolve_place

DATA = Path(__file__).resolve().parents[1] / "data"
REPO = Path(__file__).resolve().parents[2]
TWO_BAD_ROWS = DATA / "providers_two_bad_rows.csv"
TEMPLATE = REPO / "deploy" / "templates" / "providers-template.csv"
HEADER = "name,type,services,municipality,lat,lon,available,maximum,unit"


@pytest.fixture
def stored(tmp_path):
    """The providers in the data folder's store, by id."""
    def read() -> dict[str, dict]:
        from datetime import datetime, timezone

        store = SqliteDirectoryStore(tmp_path / "data" / "haven.db")
        try:
            return {record["id"]: record for record in store.iter_providers(datetime.now(timezone.utc))}
        finally:
            store.close()

    return read


def write_csv(tmp_path: Path, *lines: str, name: str = "providers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problem_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("line ")]


def test_strict_import_of_a_file_with_two_bad_rows_imports_nothing_and_names_both_lines_and_fields(haven_cli, stored):
    code, out, err = haven_cli("import", str(TWO_BAD_ROWS), "--strict", "--quiet")

    assert code != 0
    assert problem_lines(err) == [
        "line 4: location.lat: must be greater than or equal to -90 and less than or equal to 90",
        "line 7: type: must be one of: shelter, medical, mental_health, legal, interpreter, repatriation",
    ]
    assert "Imported nothing: 2 of 7 records have problems" in err
    assert stored() == {}


def test_lenient_import_writes_the_good_rows_and_reports_the_bad(haven_cli, stored):
    code, out, err = haven_cli("import", str(TWO_BAD_ROWS), "--quiet")

    assert code == 0
    assert len(problem_lines(err)) == 2
    assert "Imported 5 of 7 providers, skipped 2 with problems" in out
    providers = stored()
    assert sorted(record["name"] for record in providers.values()) == [
        "Advocaten Amersfoort", "Huis Utrecht", "Terugkeer Rotterdam", "Tolkencentrum Leiden", "Veilig Huis Zwolle"]
    lawyers = providers["2f0c6a52-7d0e-4a8e-9d43-0d5b1f2f6a02"]
    assert lawyers["services"] == ["legal", "compensation"]
    assert lawyers["eligibility"]["genders"] == ["female", "male", "non_binary"]
    assert lawyers["contact"]["email"] is None


def test_a_progress_bar_goes_to_stderr_unless_quiet(haven_cli):
    code, out, err = haven_cli("import", str(TWO_BAD_ROWS))
    assert code == 0
    assert "writing" in err and "5/5" in err
    assert "writing" not in out


def test_reimporting_a_file_updates_the_same_providers_and_keeps_their_live_capacity(haven_cli, stored, tmp_path):
    haven_cli("import", str(TWO_BAD_ROWS), "--quiet")
    first = stored()
    changed = TWO_BAD_ROWS.read_text().replace("Huis Utrecht,shelter,shelter,nl;en,Utrecht,52.0907,5.1214,"
                                               "Teststraat 1,false,female,2,6",
                                               "Huis Utrecht,shelter,shelter,nl;en,Amersfoort,52.0907,5.1214,"
                                               "Teststraat 1,false,female,5,6")
    path = tmp_path / "again.csv"
    path.write_text(changed)

    code, out, _ = haven_cli("import", str(path), "--quiet")

    second = stored()
    assert code == 0
    assert second.keys() == first.keys()
    reimported = "2f0c6a52-7d0e-4a8e-9d43-0d5b1f2f6a01"
    assert second[reimported]["location"]["municipality"] == "Amersfoort"
    # Capacity changes only through capacity reports and accepts: an older list never puts its count back.
    assert second[reimported]["capacity"] == first[reimported]["capacity"]
    unchanged = "2f0c6a52-7d0e-4a8e-9d43-0d5b1f2f6a05"
    assert second[unchanged]["capacity"] == first[unchanged]["capacity"]


def test_rows_without_an_id_get_the_same_derived_id_on_every_import(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, HEADER, "Huis Zonder Id,shelter,shelter,Utrecht,52.09,5.12,1,4,bed")

    haven_cli("import", str(path), "--quiet")
    haven_cli("import", str(path), "--quiet")

    providers = stored()
    assert list(providers) == [derived_id("Huis Zonder Id", "Utrecht")]
    assert derived_id("  huis zonder  ID ", "UTRECHT") == derived_id("Huis Zonder Id", "Utrecht")


def test_a_place_without_coordinates_is_placed_by_the_offline_gazetteer(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, "name,type,services,municipality,region,lat,lon,available,maximum",
                     "Opvang Dokkum,shelter,shelter,Dokkum,,,,1,4")

    code, out, _ = haven_cli("import", str(path), "--quiet")

    assert code == 0
    assert "1 placed by gazetteer" in out
    location = next(iter(stored().values()))["location"]
    place = resolve_place("Dokkum")
    assert (location["lat"], location["lon"]) == (place.lat, place.lon)
    assert location["region"] == place.province == "Friesland"


def test_an_unknown_place_without_coordinates_is_reported(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, HEADER, "Opvang Nergens,shelter,shelter,Nergenshuizen,,,1,4,bed")

    code, _, err = haven_cli("import", str(path), "--quiet", "--strict")

    assert code == 1
    assert problem_lines(err) == [
        "line 2: location.lat: no coordinates given, and gazetteer does not know 'Nergenshuizen'"]


def test_given_coordinates_are_kept_even_when_the_place_is_known(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, HEADER, "Opvang Utrecht,shelter,shelter,Utrecht,52.1,5.2,1,4,bed")
    haven_cli("import", str(path), "--quiet")
    location = next(iter(stored().values()))["location"]
    assert (location["lat"], location["lon"]) == (52.1, 5.2)


def test_an_unknown_column_stops_the_import_before_anything_is_written(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, HEADER + ",municipalty", "Opvang,shelter,shelter,Utrecht,52.1,5.2,1,4,bed,x")

    code, _, err = haven_cli("import", str(path), "--quiet")

    assert code == 1
    assert "line 1: unknown column 'municipalty'" in err
    assert "nothing was imported" in err
    assert stored() == {}


def test_a_missing_required_column_is_named(haven_cli, tmp_path):
    path = write_csv(tmp_path, "name,type,services,lat,lon,available,maximum", "Opvang,shelter,shelter,52,5,1,4")
    code, _, err = haven_cli("import", str(path), "--quiet")
    assert code == 1
    assert "line 1: missing column municipality" in err


def test_a_provider_listed_twice_is_reported_at_its_second_line(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, HEADER,
                     "Opvang Een,shelter,shelter,Utrecht,52.1,5.2,1,4,bed",
                     "Opvang Twee,shelter,shelter,Utrecht,52.1,5.2,1,4,bed",
                     "opvang een,shelter,shelter,UTRECHT,52.1,5.2,2,4,bed")

    code, _, err = haven_cli("import", str(path), "--quiet")

    assert problem_lines(err) == ["line 4: id: no id, and the same name and municipality as line 2"]
    assert len(stored()) == 2


def test_every_problem_of_a_row_is_listed_with_its_field(haven_cli, tmp_path):
    path = write_csv(tmp_path, HEADER + ",languages,email",
                     "Opvang,shelter,shelter;sleeping,Utrecht,52.1,5.2,9,4,bed,nl;xx,not-an-email")

    _, _, err = haven_cli("import", str(path), "--quiet")

    fields = sorted(line.split(": ")[1] for line in problem_lines(err))
    assert fields == ["capacity.available", "contact.email", "languages.1", "services.1"]


def test_line_numbers_count_the_lines_of_quoted_multiline_cells(haven_cli, tmp_path):
    path = write_csv(tmp_path, HEADER + ",description",
                     'Opvang Een,shelter,shelter,Utrecht,52.1,5.2,1,4,bed,"first line',
                     'second line"',
                     "Opvang Twee,shelter,shelter,Utrecht,52.1,5.2,1,4,tent,")

    _, _, err = haven_cli("import", str(path), "--quiet")

    assert problem_lines(err) == ["line 4: capacity.unit: must be one of: bed, appointment, case, hour"]


def test_the_template_imports_cleanly(haven_cli, stored):
    code, out, err = haven_cli("import", str(TEMPLATE), "--strict", "--quiet")

    assert code == 0, err
    assert "Imported 2 of 2 providers" in out
    assert TEMPLATE.read_text().splitlines()[0].split(",") == list(COLUMN_NAMES)
    hidden = next(record for record in stored().values() if record["location"]["confidential"])
    assert hidden["eligibility"]["accepts_children"] is True
    assert hidden["interpretation_languages"] == ["pl", "uk"]


def test_a_spreadsheet_saved_with_semicolons_and_pipe_lists_imports(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, "name;type;services;languages;municipality;lat;lon;available;maximum;confidential",
                     "Opvang Delft;shelter;shelter|mental_health;nl|en;Delft;52.01;4.36;1;4;ja")

    code, _, err = haven_cli("import", str(path), "--quiet", "--strict")

    assert code == 0, err
    record = next(iter(stored().values()))
    assert record["services"] == ["shelter", "mental_health"]
    assert record["languages"] == ["nl", "en"]
    assert record["location"]["confidential"] is True


def test_reimporting_keeps_the_stored_count_and_time_whatever_the_file_says(haven_cli, stored, tmp_path):
    header = HEADER + ",id,updated"
    given_id = "2f0c6a52-7d0e-4a8e-9d43-0d5b1f2f6a99"
    first = write_csv(tmp_path, header, f"Opvang,shelter,shelter,Utrecht,52.1,5.2,1,4,bed,{given_id},"
                                        "2026-01-01T10:00:00+01:00", name="first.csv")
    haven_cli("import", str(first), "--quiet")
    assert stored()[given_id]["capacity"]["updated"] == "2026-01-01T09:00:00+00:00"

    same = write_csv(tmp_path, header, f"Opvang Nieuw,shelter,shelter,Utrecht,52.1,5.2,1,4,bed,{given_id},",
                     name="same.csv")
    haven_cli("import", str(same), "--quiet")
    assert stored()[given_id]["name"] == "Opvang Nieuw"
    assert stored()[given_id]["capacity"]["updated"] == "2026-01-01T09:00:00+00:00"

    changed = write_csv(tmp_path, header, f"Opvang Nieuw,shelter,shelter,Utrecht,52.1,5.2,3,6,bed,{given_id},"
                                          "2027-01-01T10:00:00+01:00", name="changed.csv")
    haven_cli("import", str(changed), "--quiet")
    capacity = stored()[given_id]["capacity"]
    assert (capacity["available"], capacity["updated"]) == (1, "2026-01-01T09:00:00+00:00")
    assert capacity["maximum"] == 6  # the maximum and the unit are the list's to change


def test_writes_go_in_chunks_each_recorded_in_the_audit_log_as_the_cli_user(haven_cli, tmp_path):
    lines = [f"Opvang {n},shelter,shelter,Utrecht,52.1,5.2,1,4,bed" for n in range(5)]
    path = write_csv(tmp_path, HEADER, *lines)

    haven_cli("import", str(path), "--quiet", "--chunk-size", "2")

    store = SqliteDirectoryStore(tmp_path / "data" / "haven.db")
    try:
        entries = store.list_audit(AuditFilter(action="provider.import", page=1, size=10)).items
    finally:
        store.close()
    assert sorted(entry.detail for entry in entries) == ["1 providers", "2 providers", "2 providers"]
    assert {entry.actor for entry in entries} == {f"cli:{getpass.getuser()}"}


def test_a_missing_file_is_a_clear_error(haven_cli, tmp_path):
    code, _, err = haven_cli("import", str(tmp_path / "nope.csv"))
    assert code == 1
    assert "no such file" in err


def test_an_empty_file_is_a_clear_error(haven_cli, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    code, _, err = haven_cli("import", str(path))
    assert code == 1
    assert "the file is empty" in err


def test_empty_columns_a_spreadsheet_adds_at_the_end_are_ignored(haven_cli, stored, tmp_path):
    path = write_csv(tmp_path, HEADER + ",,", "Opvang,shelter,shelter,Utrecht,52.1,5.2,1,4,bed,,",
                     "Opvang Kort,shelter,shelter,Utrecht,52.1,5.2,1,4")
    code, _, err = haven_cli("import", str(path), "--quiet", "--strict")
    assert code == 0, err
    assert sorted(record["name"] for record in stored().values()) == ["Opvang", "Opvang Kort"]
    assert all(record["capacity"]["unit"] == "bed" for record in stored().values())
