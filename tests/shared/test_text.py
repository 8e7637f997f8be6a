"""Stored text holds no control characters and no bidirectional overrides or isolates."""
from __future__ import annotations

import pytest

from services.shared.text import unsafe_character


@pytest.mark.parametrize("text", ["Veilig Huis", "Zoë's huis – Utrecht", "مرحبا", "ма-пт 09:00–17:00", ""])
def test_ordinary_text_in_any_script_is_safe(text):
    assert unsafe_character(text) is None


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_naming_the_code_point(char):
    assert unsafe_character(f"Huis{char}") == f"must not contain a control character (U+{ord(char):04X})"
    assert unsafe_character(f"Huis{char}", multiline=True) is not None


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                                  "\u2069"])
def test_bidirectional_overrides_and_isolates_are_refused(char):
    problem = f"must not contain a bidirectional override or isolate character (U+{ord(char):04X})"
    assert unsafe_character(f"exe.{char}fdp") == problem
    assert unsafe_character(f"line\n{char}", multiline=True) == problem


def test_tabs_and_line_breaks_only_in_multi_line_text():
    assert unsafe_character("one\r\ntwo\tthree", multiline=True) is None
    assert unsafe_character("one\ntwo") == "must be a single line: no tab or line break (U+000A)"
    assert unsafe_character("one\ttwo") is not None


def test_a_lone_surrogate_is_refused():
    assert unsafe_character("a\ud800b") == "must not contain a lone surrogate (U+D800)"
