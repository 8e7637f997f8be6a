"""Open Referral HSDS as tables: a CSV package (datapackage.json with one CSV file per table, in a folder or
a zip) or the same tables as one JSON object (`{"services.csv": [...], ...}`), joined back into services.

The package is read with frictionless, which checks each cell against the package's own schema; a cell it
cannot read is a problem of that row, named by table, line and field.
"""
from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator

DESCRIPTOR = "datapackage.json"
# The tables a service is made of, by their resource names in HSDS's datapackage.json (3.1 adds the last two).
TABLES = ("service", "organization", "service_at_location", "location", "address", "phone", "language",
          "attribute", "taxonomy_term", "service_capacity", "unit")
# File names in the tabular JSON form, which names tables by their CSV file.
TABLE_OF_FILE = {"services.csv": "service", "organizations.csv": "organization",
                 "service_at_location.csv": "service_at_location", "service_at_locations.csv": "service_at_location",
                 "locations.csv": "location", "addresses.csv": "address", "phones.csv": "phone",
                 "languages.csv": "language", "attributes.csv": "attribute", "taxonomy_terms.csv": "taxonomy_term",
                 "service_capacity.csv": "service_capacity", "service_capacities.csv": "service_capacity",
                 "units.csv": "unit"}


class TableError(Exception):
    """The package as a whole cannot be read."""


def is_package(path: Path) -> bool:
    """A datapackage.json, a folder holding one, or a zip holding one (at its top or in one folder)."""
    if path.is_dir():
        return (path / DESCRIPTOR).is_file()
    if path.name.lower() == DESCRIPTOR:
        return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return _descriptor_in(archive) is not None
    return False


def is_tabular(record: dict) -> bool:
    """The tabular JSON form: every key a table's CSV file name, services among them."""
    return bool(record) and "services.csv" in record and all(str(key).endswith(".csv") for key in record)


def package_records(path: Path, max_bytes: int) -> Iterator[tuple[str, dict | None, str | None]]:
    """(where, service, problem) for every row of the package's services table."""
    with _unpacked(path, max_bytes) as descriptor:
        tables = _read_package(descriptor)
        yield from join_services(tables)


def tabular_records(record: dict, prefix: str = "") -> Iterator[tuple[str, dict | None, str | None]]:
    """(where, service, problem) for every service of the tabular JSON form."""
    tables: dict[str, list[tuple[str, dict]]] = {}
    for file_name, rows in record.items():
        table = TABLE_OF_FILE.get(file_name)
        if table is not None and isinstance(rows, list):
            tables[table] = [(f"{prefix}{file_name} item {number}", row)
                             for number, row in enumerate(rows, start=1) if isinstance(row, dict)]
    yield from join_services(tables)


def join_services(tables: dict[str, list[tuple[str, dict]]]) -> Iterator[tuple[str, dict | None, str | None]]:
    """Each row of the services table as a nested HSDS service, its related rows joined in by id."""
    if "service" not in tables:
        raise TableError("the package has no services table (services.csv): nothing to import")
    by_id = {table: {row.get("id"): row for _, row in tables.get(table, ()) if row.get("id")}
             for table in ("organization", "location", "taxonomy_term", "unit")}
    addresses = _grouped(tables, "address", "location_id")
    at_locations = _grouped(tables, "service_at_location", "service_id")
    phones = _grouped(tables, "phone", "service_id")
    languages = _grouped(tables, "language", "service_id")
    attributes = _grouped(tables, "attribute", "link_id")
    capacities = _grouped(tables, "service_capacity", "service_id")
    for where, row in tables["service"]:
        if "__problem__" in row:
            yield where, None, row["__problem__"]
            continue
        service_id = row.get("id")
        service = dict(row)
        organization = by_id["organization"].get(row.get("organization_id"))
        if organization is not None:
            service["organization"] = organization
        service["service_at_locations"] = [
            {**at, "location": {**location, "addresses": addresses.get(location.get("id"), [])}}
            for at in at_locations.get(service_id, [])
            if (location := by_id["location"].get(at.get("location_id"))) is not None]
        service["phones"] = phones.get(service_id, [])
        service["languages"] = languages.get(service_id, [])
        service["attributes"] = [{**attribute, "taxonomy_term": by_id["taxonomy_term"].get(
            attribute.get("taxonomy_term_id"))} for attribute in attributes.get(service_id, [])]
        # A capacity kept for one need names it by an attribute linked to the capacity.
        service["capacities"] = [{**capacity, "unit": by_id["unit"].get(capacity.get("unit_id")), "attributes": [
            {**attribute, "taxonomy_term": by_id["taxonomy_term"].get(attribute.get("taxonomy_term_id"))}
            for attribute in attributes.get(capacity.get("id"), [])]} for capacity in capacities.get(service_id, [])]
        yield where, service, None


def _grouped(tables, table: str, key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for _, row in tables.get(table, ()):
        if "__problem__" not in row and row.get(key):
            grouped[row[key]].append(row)
    return grouped


def _descriptor_in(archive: zipfile.ZipFile) -> str | None:
    names = [name for name in archive.namelist() if not name.startswith("__MACOSX/")]
    found = [name for name in names if name.rsplit("/", 1)[-1].lower() == DESCRIPTOR and name.count("/") <= 1]
    return min(found, key=len) if found else None


@contextmanager
def _unpacked(path: Path, max_bytes: int):
    """The package's datapackage.json on disk: as given, in the folder, or unpacked from the zip."""
    if path.is_dir():
        yield path / DESCRIPTOR
        return
    if not zipfile.is_zipfile(path):
        yield path
        return
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory(prefix="haven-hsds-") as folder:
        if sum(info.file_size for info in archive.infolist()) > max_bytes:
            raise TableError(f"{path.name} unpacks to more than {max_bytes // 1024 ** 3} GiB")
        descriptor = _descriptor_in(archive)
        # extractall keeps every member inside the folder (no absolute paths, no "..").
        archive.extractall(folder)
        yield Path(folder) / descriptor


def _read_package(descriptor: Path) -> dict[str, list[tuple[str, dict]]]:
    from frictionless import FrictionlessException, Package

    try:
        package = Package(str(descriptor.name), basepath=str(descriptor.parent))
    except FrictionlessException as err:
        raise TableError(f"{DESCRIPTOR} cannot be read: {err.error.note}") from None
    tables = {}
    for resource in package.resources:
        if resource.name not in TABLES:
            continue
        file_name = resource.path if isinstance(resource.path, str) else None
        # A package may leave out tables it has no rows for (HSDS's own examples do).
        if file_name is None or not (descriptor.parent / file_name).is_file():
            continue
        try:
            tables[resource.name] = list(_rows(resource, file_name))
        except FrictionlessException as err:
            raise TableError(f"{file_name}: {err.error.note}") from None
    return tables


def _rows(resource, file_name: str) -> Iterable[tuple[str, dict]]:
    with resource:
        for row in resource.row_stream:
            # frictionless counts the header as row 1, as a spreadsheet numbers lines.
            where = f"{file_name} line {row.row_number}"
            # A reference to a row the package leaves out (an organization not in it) is not this row's fault.
            errors = [error for error in row.errors if error.type != "foreign-key"]
            if errors:
                problems = "; ".join(f"{getattr(error, 'field_name', '') or 'row'}: {error.note}" for error in errors)
                yield where, {"__problem__": problems}
                continue
            yield where, {name: _plain(value) for name, value in row.to_dict().items() if value is not None}


def _plain(value):
    """Values as JSON would carry them: frictionless reads numbers as Decimal and times as datetime."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value
