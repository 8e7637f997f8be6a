"""The flat CSV shape of a provider: one row per provider, one column per field, lists joined by ';'."""
from __future__ import annotations

import re
from dataclasses import dataclass

TEXT, LIST, BOOL, NUMBER = "text", "list", "bool", "number"
LIST_SEPARATOR = ";"
# '|' also separates list items, for spreadsheets saved with ';' between columns (Dutch Excel).
_LIST_SPLIT = re.compile(r"[;|]")
# A cell is text: it becomes the JSON type of its field here, as the API's strict schema expects it.
_BOOLEANS = {**dict.fromkeys(("true", "t", "yes", "y", "1", "on", "ja", "j", "waar"), True),
             **dict.fromkeys(("false", "f", "no", "n", "0", "off", "nee", "onwaar"), False)}
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}\.[0-9]{1,15}")


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]
    kind: str = TEXT


COLUMNS: tuple[Column, ...] = (
    Column("id", ("id",)),
    Column("name", ("name",)),
    Column("organization", ("organization",)),
    Column("type", ("type",)),
    Column("description", ("description",)),
    Column("services", ("services",), LIST),
    Column("languages", ("languages",), LIST),
    Column("interpretation_languages", ("interpretation_languages",), LIST),
    Column("municipality", ("location", "municipality")),
    Column("region", ("location", "region")),
    Column("lat", ("location", "lat"), NUMBER),
    Column("lon", ("location", "lon"), NUMBER),
    Column("address", ("location", "address")),
    Column("postal_code", ("location", "postal_code")),
    Column("confidential", ("location", "confidential"), BOOL),
    Column("genders", ("eligibility", "genders"), LIST),
    Column("min_age", ("eligibility", "min_age"), NUMBER),
    Column("max_age", ("eligibility", "max_age"), NUMBER),
    Column("accepts_children", ("eligibility", "accepts_children"), BOOL),
    Column("wheelchair_accessible", ("eligibility", "wheelchair_accessible"), BOOL),
    Column("exploitation_types", ("eligibility", "exploitation_types"), LIST),
    Column("residence_statuses", ("eligibility", "residence_statuses"), LIST),
    Column("countries", ("eligibility", "countries"), LIST),
    Column("delivery", ("delivery",), LIST),
    Column("specialises_in", ("eligibility", "specialises_in"), LIST),
    Column("cannot_serve", ("eligibility", "cannot_serve"), LIST),
    Column("target_groups", ("eligibility", "target_groups"), LIST),
    Column("available", ("capacity", "available"), NUMBER),
    Column("maximum", ("capacity", "maximum"), NUMBER),
    Column("unit", ("capacity", "unit")),
    Column("updated", ("capacity", "updated")),
    Column("phone", ("contact", "phone")),
    Column("email", ("contact", "email")),
    Column("intake_hours", ("contact", "intake_hours")),
    Column("intake_opening_hours", ("contact", "intake_opening_hours")),
    Column("hold_minutes", ("hold_minutes",), NUMBER),
    Column("status", ("status",)),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS = ("name", "type", "services", "municipality", "available", "maximum")
_BY_NAME = {column.name: column for column in COLUMNS}


def column_of(field_path: str) -> str | None:
    """The CSV column of a dotted record field ("location.lat" -> "lat"), if it has one."""
    parts = tuple(field_path.split("."))
    for column in COLUMNS:
        if parts[:len(column.path)] == column.path:
            return column.name
    return None


def unflatten(row: dict[str, str]) -> dict:
    """A CSV row as a nested provider record; empty cells are left out so the schema's defaults apply."""
    record: dict = {}
    for name, raw in row.items():
        column = _BY_NAME[name]
        cell = (raw or "").strip()
        if not cell:
            continue
        if column.kind == LIST:
            value: object = [item.strip() for item in _LIST_SPLIT.split(cell) if item.strip()]
        elif column.kind == BOOL:
            value = _BOOLEANS.get(cell.casefold(), cell)
        elif column.kind == NUMBER:
            value = _number(cell)
        else:
            value = cell
        target = record
        for key in column.path[:-1]:
            target = target.setdefault(key, {})
        target[column.path[-1]] = value
    return record


def _number(cell: str) -> object:
    """A number cell as an int or float; anything else stays text, for the schema to refuse naming the field."""
    if _INTEGER.fullmatch(cell):
        return int(cell)
    if _DECIMAL.fullmatch(cell):
        return float(cell)
    return cell


def flatten(record: dict) -> dict[str, str]:
    """A provider record as a CSV row, every column present."""
    row = {}
    for column in COLUMNS:
        value: object = record
        for key in column.path:
            value = value.get(key) if isinstance(value, dict) else None
        row[column.name] = _cell(value, column.kind)
    return row


def _cell(value: object, kind: str) -> str:
    if value is None:
        return ""
    if kind == LIST:
        return LIST_SEPARATOR.join(str(item) for item in value)  # type: ignore[union-attr]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
