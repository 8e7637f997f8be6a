"""Request bodies are read strictly: too deep, a repeated key or anything but JSON is refused by name."""
from __future__ import annotations

import pytest

from services.shared.jsonbody import BodyError, loads_strict
from services.shared.vocabulary import MAX_JSON_DEPTH


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def refusal(text: str) -> BodyError:
    with pytest.raises(BodyError) as raised:
        loads_strict(text)
    return raised.value


def test_nesting_up_to_the_limit_is_read():
    assert loads_strict(nested(MAX_JSON_DEPTH)) is not None
    assert loads_strict('{"a":' * (MAX_JSON_DEPTH - 1) + "[]" + "}" * (MAX_JSON_DEPTH - 1)) is not None


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
def test_nesting_past_the_limit_is_refused_without_recursing(depth):
    error = refusal(nested(depth))
    assert (error.field, error.message) == ("body", f"nested more than {MAX_JSON_DEPTH} levels deep")
    assert refusal('{"a":' * depth + "1" + "}" * depth).field == "body"


def test_brackets_inside_strings_are_not_nesting():
    text = '{"q": "' + "[" * 500 + '\\"' + "{" * 500 + '"}'
    assert loads_strict(text)["q"].startswith("[[[")


def test_unclosed_brackets_are_not_json():
    assert refusal("[" * 5_000).message == "not valid JSON"


@pytest.mark.parametrize("text, key", [
    ('{"available": 1, "available": 5}', "available"),
    ('{"location": {"lat": 52, "lon": 5, "lat": 0}}', "lat"),
    ('[{"a": 1}, {"b": 1, "b": 2}]', "b"),
    ('{"": 1, "": 2}', ""),
])
def test_a_key_given_twice_in_one_object_is_refused_by_name(text, key):
    error = refusal(text)
    assert (error.field, error.message) == (key, "given more than once in the same object")


def test_the_same_key_in_different_objects_is_fine():
    assert loads_strict('{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}') == {"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}


@pytest.mark.parametrize("text", ["", "{", '{"a": NaN}', '{"a": Infinity}', '"\\ud800"', "[1,]", "\xff"])
def test_anything_but_json_is_refused(text):
    assert (refusal(text).field, refusal(text).message) == ("body", "not valid JSON")
