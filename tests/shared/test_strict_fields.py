"""Body fields take only their own JSON type; query-string fields only plain digits and true/false."""
from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from services.shared.strict_fields import (QueryBoolean, QueryFloat, QueryInteger, StrictBoolean, StrictFloat,
                                           StrictInteger, Text)


class Example(Schema):
    count = StrictInteger()
    flag = StrictBoolean()
    number = StrictFloat(allow_nan=False)
    text = Text()
    page = QueryInteger()
    near = QueryFloat()
    only = QueryBoolean()


def loaded(**data):
    return Example().load(data)


def refused(**data) -> dict:
    with pytest.raises(ValidationError) as raised:
        Example().load(data)
    return raised.value.messages


@pytest.mark.parametrize("value", [5.9, 5.0, "5", " 7 ", True, False, None, [5]])
def test_an_integer_is_a_json_integer_only(value):
    assert "count" in refused(count=value)


def test_an_integer_is_taken_as_it_is():
    assert loaded(count=5) == {"count": 5}


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None])
def test_a_boolean_is_true_or_false_only(value):
    assert "flag" in refused(flag=value)


def test_a_number_may_be_an_integer_but_never_a_string_or_a_boolean():
    assert loaded(number=5) == {"number": 5.0} and loaded(number=5.5) == {"number": 5.5}
    for value in ("5.5", True, False):
        assert "number" in refused(number=value)


@pytest.mark.parametrize("value, expected", [("5", 5), ("-3", -3), ("0", 0)])
def test_a_query_integer_is_plain_digits(value, expected):
    assert loaded(page=value) == {"page": expected}


@pytest.mark.parametrize("value", ["5.9", " 7 ", "+5", "1_000", "٣", "1e3", "", "9" * 40])
def test_a_query_integer_refuses_anything_else(value):
    assert "page" in refused(page=value)


def test_a_query_number_is_digits_with_an_optional_decimal_point():
    assert loaded(near="12.5") == {"near": 12.5}
    for value in ("nan", "inf", " 1", "1e3", "1,5"):
        assert "near" in refused(near=value)


def test_a_query_boolean_is_true_or_false():
    assert loaded(only="true") == {"only": True} and loaded(only="false") == {"only": False}
    for value in ("1", "yes", "True", "on"):
        assert "only" in refused(only=value)


def test_text_with_a_control_or_override_character_is_refused_naming_why():
    assert refused(text="a\x00b") == {"text": ["must not contain a control character (U+0000)"]}
    assert loaded(text="Veilig Huis") == {"text": "Veilig Huis"}
