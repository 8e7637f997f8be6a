"""ISO 639 languages and ISO 3166-1 countries: validation and names in English and Dutch."""
import pytest

from services.shared.languages import (
    COUNTRY_NAMES_NL, LANGUAGE_NAMES, country_name, is_country_code, is_language_code, language_name,
    suggest_languages,
)


@pytest.mark.parametrize("code", ["nl", "en", "ti", "pcm", "bin", "ro", "uk", "prs", "eng"])
def test_two_and_three_letter_iso_639_codes_are_languages(code):
    assert is_language_code(code)


@pytest.mark.parametrize("code", ["xx", "EN", "english", "", "zzz", "e", "en-GB", " en", None, 12])
def test_unknown_upper_case_or_malformed_codes_are_not_languages(code):
    assert not is_language_code(code)


def test_every_curated_language_is_a_valid_code():
    assert len(LANGUAGE_NAMES) >= 60
    assert [code for code in LANGUAGE_NAMES if not is_language_code(code)] == []


def test_language_names_come_in_english_and_dutch():
    assert language_name("nl") == "Dutch"
    assert language_name("nl", "nl") == "Nederlands"
    assert language_name("uk", "nl") == "Oekraïens"
    assert language_name("pcm") == "Nigerian Pidgin"
    assert language_name("bin") == "Edo"
    assert language_name("ti", "nl") == "Tigrinya"


def test_languages_outside_the_curated_list_fall_back_to_the_english_name():
    assert language_name("zu") == "Zulu"
    assert language_name("zu", "nl") == "Zulu"


def test_naming_an_unknown_language_or_locale_is_an_error():
    with pytest.raises(ValueError):
        language_name("xx")
    with pytest.raises(ValueError):
        language_name("nl", "de")


def test_language_suggestions_match_codes_and_names_in_either_language():
    assert suggest_languages("ti")[0] == ("ti", "Tigrinya")
    assert ("uk", "Oekraïens") in suggest_languages("ukr", "nl")
    assert ("uk", "Ukrainian") in suggest_languages("oekr", "en")
    assert ("pcm", "Nigerian Pidgin") in suggest_languages("pidgin")


def test_language_suggestions_ignore_accents_and_respect_the_limit():
    assert ("uk", "Oekraïens") in suggest_languages("oekraiens", "nl")
    assert len(suggest_languages("a", limit=3)) == 3
    assert suggest_languages("") == []


@pytest.mark.parametrize("code", ["NL", "NG", "RO", "ER", "VN", "UA", "MD"])
def test_upper_case_alpha_2_codes_are_countries(code):
    assert is_country_code(code)


@pytest.mark.parametrize("code", ["nl", "XX", "NLD", "", "N", None])
def test_lower_case_unknown_or_alpha_3_codes_are_not_countries(code):
    assert not is_country_code(code)


def test_every_dutch_country_name_belongs_to_a_valid_code():
    assert len(COUNTRY_NAMES_NL) >= 30
    assert [code for code in COUNTRY_NAMES_NL if not is_country_code(code)] == []


def test_country_names_come_in_english_and_dutch_with_an_english_fallback():
    assert country_name("NG") == "Nigeria"
    assert country_name("ET", "nl") == "Ethiopië"
    assert country_name("VN") == "Vietnam"
    assert country_name("MD") == "Moldova"
    assert country_name("IS", "nl") == "Iceland"
    with pytest.raises(ValueError):
        country_name("XX")
