"""The flat CSV shape of a provider: one row per provider, one column per field, lists joined by ';'."""
from __future__ import annotations

import re
from dataclasses import dataclass

TEXT, LIST, BOOL, NUMBER, POOLS = "text", "list", "bool", "number", "pools"
LIST_SEPARATOR = ";"
# '|' also separates list items, for spreadsheets saved with ';' between columns (Dutch Excel).
_LIST_SPLIT = re.compile(r"[;|]")
# A cell is text: it becomes the JSON type of its field here, as the API's strict schema expects it.
_BOOLEANS = {**dict.fromkeys(("true", "t", "yes", "y", "1", "on", "ja", "j", "waar"), True),
             **dict.fromkeys(("false", "f", "no", "n", "0", "off", "nee", "onwaar"), False)}
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}\.[0-9]{1,15}")
# A need's own capacity pool in one list item: "medical=2/4 place", with "@<report time>" when it has one.
_POOL = re.compile(r"(?P<need>[a-z_]+)\s*=\s*(?P<available>[0-9]{1,15})\s*/\s*(?P<maximum>[0-9]{1,15})"
                   r"(?:\s+(?P<unit>[a-z_]+))?(?:\s*@\s*(?P<updated>\S+))?")


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
    Column("service_capacity", ("service_capacity",), POOLS),
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
        elif column.kind == POOLS:
            value = _pools(cell)
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


def _pools(cell: str) -> object:
    """"medical=2/4 place; legal=1/1 appointment@2026-12-01T09:00:00+00:00" as service_capacity; a cell not in
    that shape stays text, for the schema to refuse naming the field."""
    pools = {}
    for item in (item.strip() for item in _LIST_SPLIT.split(cell)):
        if not item:
            continue
        found = _POOL.fullmatch(item)
        if found is None:
            return cell
        pool: dict = {"available": int(found["available"]), "maximum": int(found["maximum"])}
        if found["unit"]:
            pool["unit"] = found["unit"]
        if found["updated"]:
            pool["updated"] = found["updated"]
        pools[found["need"]] = pool
    return pools


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
    if kind == POOLS:
        return LIST_SEPARATOR.join(
            f"{need}={pool['available']}/{pool['maximum']} {pool.get('unit', 'bed')}"
            + (f"@{pool['updated']}" if pool.get("updated") else "")
            for need, pool in sorted(value.items()))  # type: ignore[union-attr]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
