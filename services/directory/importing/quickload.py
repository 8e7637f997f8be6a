"""A fast path for loading plainly valid records with a marshmallow schema, on the schema's own rules.

Marshmallow spends most of a provider's load in its per-field machinery (error stores, getters,
a validator chain built per call), not in the rules. `QuickLoader` walks the schema's declared
fields once and calls, per record, the same fields' conversions and the same validator objects
directly. It only ever accepts: whenever a value is not of the plain JSON type a field expects,
a field is missing or unknown, or any rule fails, it answers None and the caller loads the record
with the schema itself, which gives the result and the messages exactly as before. A schema it
cannot follow (load hooks, field validators, partial loading) is never walked: every record then
goes to the schema.
"""
from __future__ import annotations

from typing import Any, Callable

from marshmallow import RAISE, Schema, fields, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from ...shared.strict_fields import StrictBoolean, StrictFloat, StrictInteger, Text

_NOT_PLAIN = object()  # a value the fast path does not judge: the schema decides
Loader = Callable[[Any], Any]  # value -> loaded value, or _NOT_PLAIN


class QuickLoader:
    """`load(data)` is `schema.load(data)` for records it accepts, None for the schema to decide."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self._load = _schema_loader(schema, unknown=None)

    def load(self, data: Any) -> dict | None:
        if self._load is None:
            return None
        try:
            loaded = self._load(data)
        except Exception:  # noqa: BLE001 - anything unexpected is the schema's to report
            return None
        return None if loaded is _NOT_PLAIN else loaded


def _schema_loader(schema: Schema, unknown: str | None) -> Loader | None:
    hooks = schema._hooks
    if (schema.many or schema.partial or hooks[PRE_LOAD] or hooks[POST_LOAD] or hooks[VALIDATES]
            or (unknown or schema.unknown) != RAISE or schema.dict_class is not dict):
        return None
    plan = []
    for attr_name, field in schema.load_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        target = field.attribute or attr_name
        value_loader = _field_loader(field)
        if value_loader is None or "." in target:
            return None
        plan.append((key, target, field, value_loader))
    keys = frozenset(key for key, *_ in plan)
    # Schema validators run as marshmallow runs them: those taking the collection first, then the others.
    validators = [getattr(schema, name) for name, pass_many, _ in hooks[VALIDATES_SCHEMA] if pass_many]
    validators += [getattr(schema, name) for name, pass_many, options in hooks[VALIDATES_SCHEMA]
                   if not pass_many and not options.get("pass_original")]
    if len(validators) != len(hooks[VALIDATES_SCHEMA]):
        return None
    load_unknown = unknown if unknown is not None else schema.unknown

    def load(data: Any) -> Any:
        if type(data) is not dict or not keys.issuperset(data):
            return _NOT_PLAIN
        loaded = {}
        for key, target, field, value_loader in plan:
            value = data.get(key, missing)
            if value is missing:
                if field.required:
                    return _NOT_PLAIN
                default = field.load_default
                value = default() if callable(default) else default
                if value is not missing:
                    loaded[target] = value
                continue
            if value is None:
                if not field.allow_none:
                    return _NOT_PLAIN
                loaded[target] = None
                continue
            value = value_loader(value)
            if value is _NOT_PLAIN:
                return _NOT_PLAIN
            loaded[target] = value
        for validator in validators:
            validator(loaded, partial=schema.partial, many=False, unknown=load_unknown)
        return loaded

    return load


def _field_loader(field: fields.Field) -> Loader | None:
    """A loader for a present, non-null value of `field`: its conversion, then its validators."""
    if field.pre_load:
        return None
    convert = _converter(field)
    if convert is None:
        return None
    validators = tuple(field.validators)
    if not validators:
        return convert

    def load(value: Any) -> Any:
        value = convert(value)
        if value is _NOT_PLAIN:
            return _NOT_PLAIN
        for validator in validators:
            if validator(value) is False:  # as marshmallow's validator chain reads a False answer
                return _NOT_PLAIN
        return value

    return load


def _converter(field: fields.Field) -> Loader | None:
    kind = type(field)
    if kind in (fields.String, fields.Email, Text):
        return lambda value: value if type(value) is str else _NOT_PLAIN
    if kind in (fields.Boolean, StrictBoolean):
        return lambda value: value if type(value) is bool else _NOT_PLAIN
    if kind in (fields.Integer, StrictInteger):
        return lambda value: value if type(value) is int else _NOT_PLAIN
    if kind is fields.List:
        return _list_converter(field)
    if kind is fields.Nested:
        return _nested_converter(field)
    if isinstance(field, fields.Dict):
        return _dict_converter(field)
    if kind in (fields.Float, StrictFloat, fields.UUID, fields.AwareDateTime, fields.DateTime):
        # The field's own conversion, without the generic machinery around it.
        return lambda value: field._deserialize(value, None, None)
    return None


def _list_converter(field: fields.List) -> Loader | None:
    item_loader = _field_loader(field.inner)
    if item_loader is None:
        return None
    inner = field.inner

    def convert(value: Any) -> Any:
        if type(value) is not list:
            return _NOT_PLAIN
        loaded = []
        for item in value:
            if item is None:
                if not inner.allow_none:
                    return _NOT_PLAIN
                loaded.append(None)
                continue
            item = item_loader(item)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            loaded.append(item)
        return loaded

    return convert


def _dict_converter(field: fields.Dict) -> Loader | None:
    if field.key_field is None or field.value_field is None:
        return None
    key_loader, value_loader = _field_loader(field.key_field), _field_loader(field.value_field)
    if key_loader is None or value_loader is None:
        return None

    def convert(value: Any) -> Any:
        if type(value) is not dict:
            return _NOT_PLAIN
        loaded = {}
        for key, item in value.items():
            key, item = key_loader(key), (value_loader(item) if item is not None else _NOT_PLAIN)
            if key is _NOT_PLAIN or item is _NOT_PLAIN:
                return _NOT_PLAIN
            loaded[key] = item
        return loaded

    return convert


def _nested_converter(field: fields.Nested) -> Loader | None:
    schema = field.schema
    if field.many or schema.many:
        return None
    load = _schema_loader(schema, unknown=field.unknown)
    if load is None:
        return None
    return lambda value: load(value) if type(value) is dict else _NOT_PLAIN
