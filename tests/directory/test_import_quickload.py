"""The import's fast path loads a record exactly as ProviderInSchema does, or leaves it to the schema."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
from marshmallow import ValidationError

from services.directory.importing.quickload import QuickLoader
from services.directory.synthetic import generate_providers
from services.shared.schemas import ProviderInSchema, ProviderPatchSchema
from tests.support.factories import provider

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
REFUSED = "refused by the schema"
# Values a field of any kind might be given: right and wrong types, edge lengths, codes real and made up.
ODD_VALUES = (None, "", " ", "x" * 4001, 0, -1, 7, 100_001, 1.5, 52.1, float("nan"), True, False, "12", "52.1",
              "true", [], ["nl"], ["nl", "nl"], ["shelter"], ["xx"], ["NL"], {}, {"x": 1}, "nl", "NL", "xx",
              "female", "bed", "active", "2026-03-01T12:00:00+00:00", "2026-03-01T12:00:00",
              "not-an-email", "a@b.example", "4a97db3a-d8fb-4426-8483-8101a1eef165")
MISSING = object()


def schema_answer(schema, data):
    try:
        return schema.load(copy.deepcopy(data))
    except ValidationError:
        return REFUSED


def paths(record, prefix=()):
    for key, value in record.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from paths(value, (*prefix, key))


def changed(record, path, value):
    record = copy.deepcopy(record)
    parent = record
    for key in path[:-1]:
        parent = parent[key]
    if value is MISSING:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return record


def variants():
    records = [provider(), provider(contact={"email": None}, capacity={"updated": "2026-02-01T08:00:00Z"}),
               *generate_providers(4, seed=2026, now=NOW)]
    for record in records:
        yield record
        yield dict(record, unknown_field=1)
        for path in paths(record):
            for value in (MISSING, *ODD_VALUES):
                yield changed(record, path, value)


def test_generated_providers_take_the_fast_path_with_the_schemas_result():
    schema = ProviderInSchema()
    quick = QuickLoader(schema)
    for record in generate_providers(50, seed=2026, now=NOW):
        assert quick.load(copy.deepcopy(record)) == schema.load(copy.deepcopy(record))


def test_every_record_the_fast_path_accepts_the_schema_loads_to_the_same_result():
    schema = ProviderInSchema()
    quick = QuickLoader(schema)
    accepted = refused_by_schema = 0
    for data in variants():
        fast = quick.load(copy.deepcopy(data))
        expected = schema_answer(schema, data)
        if fast is None:
            refused_by_schema += expected is REFUSED
            continue
        accepted += 1
        assert expected is not REFUSED, data
        assert fast == expected
        assert list(fast) == list(expected)
    # Both branches were exercised: the comparison above is not empty on either side.
    assert accepted > 100 and refused_by_schema > 1000


@pytest.mark.parametrize("schema", [ProviderPatchSchema(partial=True), ProviderInSchema(many=True)])
def test_schemas_loaded_another_way_are_always_left_to_marshmallow(schema):
    assert QuickLoader(schema).load(provider()) is None
