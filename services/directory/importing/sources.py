"""Reading an input file into raw records, each with where it came from (`line 7`)."""
from __future__ import annotations

import csv
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Generator, Iterable, Iterator

from . import hsds_tables
from .flat import COLUMN_NAMES, REQUIRED_COLUMNS, unflatten
from .hsds import record_format

FORMATS = ("csv", "json", "hsds")
MAX_ZIP_BYTES = 2 * 1024 ** 3
_WHITESPACE = " \t\r\n"
_DECODER = json.JSONDecoder()
# Columns of HSDS's tables that no Haven provider list has: one of them marks a file as an HSDS table.
HSDS_TABLE_COLUMNS = frozenset({"organization_id", "program_id", "service_id", "location_id", "link_id",
                                "taxonomy_term_id", "alternate_name", "location_type", "address_1", "latitude",
                                "longitude", "service_at_location_id", "year_incorporated"})


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass(frozen=True)
class Row:
    """One raw record, or the reason it could not be read."""

    where: str
    data: dict | None = None
    error: str | None = None


def detect_format(path: Path) -> str:
    """csv, json or hsds, from explicit markers only: an HSDS package's datapackage.json, a CSV header of
    Haven's columns, the fields of the first JSON record. A file that could be either is refused."""
    if path.is_dir() or path.name.lower() == hsds_tables.DESCRIPTOR:
        if not hsds_tables.is_package(path):
            raise ImportFileError(f"{path} holds no {hsds_tables.DESCRIPTOR}; give a file, or the folder of an "
                                  f"Open Referral HSDS CSV package")
        return "hsds"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".zip":
        return "hsds"
    if suffix not in (".json", ".jsonl", ".ndjson"):
        raise ImportFileError(f"cannot tell the format of {path.name}; give --format csv, json or hsds")
    first = next((row.data for row in _json_rows(_read_text(path), "") if row.data is not None), None)
    if first is None:
        return "json"
    if hsds_tables.is_tabular(first):
        return "hsds"
    found = record_format(first)
    if found is None:
        raise ImportFileError(f"cannot tell whether {path.name} holds Haven provider records or Open Referral "
                              f"HSDS services: its first record has fields that only each of them has; give "
                              f"--format json or --format hsds")
    return found


def read_rows(path: Path, fmt: str) -> Iterator[Row]:
    """Every record in the file in order; ImportFileError when the file cannot be read at all."""
    if fmt == "csv":
        return _csv_file_rows(path)
    if fmt == "json":
        return _json_rows(_read_text(path), "")
    if fmt == "hsds":
        if hsds_tables.is_package(path):
            return _table_rows(lambda: hsds_tables.package_records(path, MAX_ZIP_BYTES))
        if zipfile.is_zipfile(path):
            return _zip_rows(path)
        return _hsds_json_rows(_read_text(path), "")
    raise ImportFileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _hsds_json_rows(text: str, prefix: str) -> Iterator[Row]:
    """HSDS JSON: objects as they come, or the tabular form's tables joined into services."""
    for row in _json_rows(text, prefix):
        if row.data is not None and hsds_tables.is_tabular(row.data):
            yield from _table_rows(lambda: hsds_tables.tabular_records(row.data, prefix))
        else:
            yield row


def _table_rows(records) -> Iterator[Row]:
    try:
        for where, service, problem in records():
            yield Row(where, data=service, error=problem)
    except hsds_tables.TableError as err:
        raise ImportFileError(str(err)) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"no such file: {path}") from None
    except UnicodeDecodeError as err:
        raise ImportFileError(f"{path.name} is not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise ImportFileError(f"cannot read {path}: {err.strerror}") from None


# -- CSV ---------------------------------------------------------------------------------------

def _csv_file_rows(path: Path) -> Iterator[Row]:
    """Rows read as the file streams in: a large file is never held whole in memory."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ImportFileError(f"no such file: {path}") from None
    except OSError as err:
        raise ImportFileError(f"cannot read {path}: {err.strerror}") from None
    with handle:
        try:
            first_line = handle.readline()
            handle.seek(0)
            yield from _csv_rows(handle, first_line)
        except UnicodeDecodeError:
            raise ImportFileError(f"{path.name} is not UTF-8 text; save it as UTF-8") from None


def _csv_rows(lines: Iterable[str], first_line: str) -> Iterator[Row]:
    delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFileError("the file is empty; the first line must name the columns") from None
    _check_header(header)
    end_of_previous = reader.line_num
    for cells in reader:
        where = f"line {end_of_previous + 1}"
        end_of_previous = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            yield Row(where, error=f"{len(cells)} cells, but the header names {len(header)} columns")
            continue
        # Columns without a name (a spreadsheet's empty trailing columns) are left out.
        yield Row(where, data=unflatten({name: cell for name, cell in zip(header, cells) if name}))


def _check_header(header: list[str]) -> None:
    unknown = [name for name in header if name and name not in COLUMN_NAMES]
    hsds = [name for name in unknown if name in HSDS_TABLE_COLUMNS]
    if hsds:
        raise ImportFileError(f"line 1: columns {', '.join(hsds)} are those of a table of an Open Referral HSDS "
                              f"CSV package, not of Haven's provider list; import the package's "
                              f"{hsds_tables.DESCRIPTOR} (or its folder or zip) instead")
    if unknown:
        raise ImportFileError(f"line 1: unknown column{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(repr(name) for name in unknown)}; "
                              f"the columns are: {', '.join(COLUMN_NAMES)}")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise ImportFileError(f"line 1: column{'s' if len(repeated) > 1 else ''} "
                              f"{', '.join(repeated)} appear{'' if len(repeated) > 1 else 's'} more than once")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(f"line 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")


# -- JSON: an array, an HSDS page envelope, one object, or JSON lines ------------------------

def _json_rows(text: str, prefix: str) -> Iterator[Row]:
    scanner = _Scanner(text, prefix)
    position = scanner.skip(0)
    if position == len(text):
        raise ImportFileError(f"{prefix}the file is empty")
    if text[position] == "[":
        yield from scanner.array_items(position)
        return
    if text[position] != "{":
        raise ImportFileError(f"{prefix}line {scanner.line(position)}: expected a JSON array or object")
    try:
        first, end = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError:
        # Not one whole object: JSON lines, where each line stands alone.
        yield from _json_lines(text, prefix)
        return
    rest = scanner.skip(end)
    if rest < len(text):
        yield from _json_lines(text, prefix)
    elif isinstance(first.get("contents"), list):
        yield from scanner.envelope_items(position)
    else:
        yield Row(f"{prefix}line {scanner.line(position)}", data=first)


def _json_lines(text: str, prefix: str) -> Iterator[Row]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{prefix}line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            yield Row(where, error=f"not valid JSON: {err.msg} (column {err.colno})")
            continue
        yield _as_row(where, value)


def _as_row(where: str, value: object) -> Row:
    if isinstance(value, dict):
        return Row(where, data=value)
    return Row(where, error=f"expected a JSON object, found {type(value).__name__}")


class _Scanner:
    """Walks a JSON text far enough to know on which line each record starts."""

    def __init__(self, text: str, prefix: str):
        self.text = text
        self.prefix = prefix
        self._counted_to = 0
        self._lines = 1

    def line(self, position: int) -> int:
        # Positions only move forward, so newlines are counted once over the whole file.
        if position >= self._counted_to:
            self._lines += self.text.count("\n", self._counted_to, position)
        else:
            return self.text.count("\n", 0, position) + 1
        self._counted_to = position
        return self._lines

    def skip(self, position: int) -> int:
        text = self.text
        while position < len(text) and text[position] in _WHITESPACE:
            position += 1
        return position

    def fail(self, err: json.JSONDecodeError) -> ImportFileError:
        return ImportFileError(f"{self.prefix}line {err.lineno}: not valid JSON: {err.msg} (column {err.colno})")

    def expect(self, position: int, characters: str) -> int:
        position = self.skip(position)
        if position >= len(self.text) or self.text[position] not in characters:
            found = self.text[position] if position < len(self.text) else "the end of the file"
            raise ImportFileError(f"{self.prefix}line {self.line(position)}: expected "
                                  f"{' or '.join(repr(c) for c in characters)}, found {found!r}")
        return position

    def array_items(self, position: int) -> Generator[Row, None, int]:
        """The items of the array starting at `position`; returns the position after it."""
        position = self.skip(position + 1)
        if position < len(self.text) and self.text[position] == "]":
            return position + 1
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, position)
            except json.JSONDecodeError as err:
                raise self.fail(err) from None
            yield _as_row(f"{self.prefix}line {self.line(position)}", value)
            position = self.expect(end, ",]")
            if self.text[position] == "]":
                return position + 1
            position = self.skip(position + 1)

    def envelope_items(self, position: int) -> Iterator[Row]:
        """The `contents` of the page envelope object starting at `position` (already known to be valid)."""
        position = self.skip(position + 1)
        while self.text[position] != "}":
            key, end = _DECODER.raw_decode(self.text, position)
            position = self.skip(self.expect(end, ":") + 1)
            if key == "contents":
                end = yield from self.array_items(position)
            else:
                _, end = _DECODER.raw_decode(self.text, position)
            position = self.expect(end, ",}")
            if self.text[position] == ",":
                position = self.skip(position + 1)


def _zip_rows(path: Path) -> Iterator[Row]:
    with zipfile.ZipFile(path) as archive:
        members = sorted((info for info in archive.infolist()
                          if not info.is_dir() and info.filename.lower().endswith(".json")
                          and not info.filename.startswith("__MACOSX/")), key=lambda info: info.filename)
        if not members:
            raise ImportFileError(f"{path.name} holds no .json files")
        if sum(info.file_size for info in members) > MAX_ZIP_BYTES:
            raise ImportFileError(f"{path.name} unpacks to more than {MAX_ZIP_BYTES // 1024 ** 3} GiB")
        for info in members:
            try:
                text = archive.read(info).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ImportFileError(f"{info.filename} is not UTF-8 text") from None
            yield from _hsds_json_rows(text, f"{info.filename} ")
