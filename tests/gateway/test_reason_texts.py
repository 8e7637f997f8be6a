"""Every reason code the matcher can give has a text in English and Dutch, with the code's parameters and no others."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.gateway import reasons
from services.gateway.api import examples
from services.shared import vocabulary as v
from services.shared.placement import HARD_FILTERS
from services.shared.reasons import PARAM_KINDS, REASONS, UnknownReason, reason

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "reasons.md"
# A value of each kind of parameter, for writing every code out.
SAMPLES = {"language": "ro", "languages": ["ro", "bg"], "country": "RO", "need": "medical", "gender": "female",
           "residence_status": "reflection_period", "exploitation_type": "labour",
           "support_needs": ["lgbtqi", "pregnant"], "filters": ["capacity", "gender"], "filter": "age",
           "weekday": "Sa", "time": "17:00", "integer": 3, "km": 3.2, "ordinal": 2, "distance": 0.4, "score": 0.8123,
           "name": "Voorbeeldhuis Utrecht"}
# The words a parameter of each kind stands for, by catalogue context, and every value each may take.
WORDS = {"need": v.NEEDS, "gender": v.GENDERS, "residence_status": v.RESIDENCE_STATUSES,
         "exploitation_type": v.EXPLOITATION_TYPES, "support_need": v.SUPPORT_NEEDS,
         "filter": tuple(rule.name for rule in HARD_FILTERS) + ("language",),
         "ordinal": ("2", "3", "4", "5", "other"), "distance": ("under_1_km", "km")}


def forms(locale: str, msgid: str, context: str | None = None) -> tuple[str, ...]:
    message = reasons.catalogue_source(locale).get(msgid, context=context)
    assert message is not None, f"{locale}: no text for {context + ':' if context else ''}{msgid}"
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("locale", reasons.LOCALES)
@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_code_has_a_text_with_exactly_its_parameters(code, locale):
    texts = forms(locale, code)

    assert all(text.strip() for text in texts), f"{locale}: empty text for {code}"
    for text in texts:
        assert set(PLACEHOLDER.findall(text)) == set(REASONS[code]), f"{locale} {code}: {text!r}"
    assert len(texts) == (2 if "count" in REASONS[code] else 1)


@pytest.mark.parametrize("locale", reasons.LOCALES)
def test_the_catalogues_hold_no_code_the_registry_does_not_know(locale):
    codes = {message.id if isinstance(message.id, str) else message.id[0]
             for message in reasons.catalogue_source(locale) if message.id and not message.context}

    assert codes == set(REASONS)


@pytest.mark.parametrize("locale", reasons.LOCALES)
def test_the_catalogues_pass_babels_format_checks(locale):
    assert list(reasons.catalogue_source(locale).check()) == []


@pytest.mark.parametrize("locale", reasons.LOCALES)
@pytest.mark.parametrize("context", sorted(WORDS))
def test_every_word_a_parameter_stands_for_has_a_text(context, locale):
    for value in WORDS[context]:
        assert all(forms(locale, value, context)), f"{locale}: no word for {context}:{value}"


def test_every_parameter_of_every_code_is_of_a_known_kind():
    assert {kind for params in REASONS.values() for kind in params.values()} <= set(PARAM_KINDS)


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_code_reads_differently_in_dutch_and_english_with_nothing_left_unfilled(code):
    sample = reason(code, **{name: SAMPLES[kind] for name, kind in REASONS[code].items()}).as_dict()

    english, dutch = reasons.text(sample, "en"), reasons.text(sample, "nl")

    assert english != dutch
    assert "%(" not in english and "%(" not in dutch
    assert code not in (english, dutch)


def test_dutch_texts_use_dutch_names_plurals_and_decimal_commas():
    def nl(code, **params):
        return reasons.text(reason(code, **params).as_dict(), "nl")

    assert nl("language.staff_speaks_later", language="ro", rank=2) == (
        "Medewerkers spreken Roemeens (tweede taal van de persoon)")
    assert nl("language.staff_speaks_later", language="ro", rank=7) == (
        "Medewerkers spreken Roemeens (nr. 7 taal van de persoon)")
    assert nl("distance.about_km_from_shelter", km=3.2) == "Ongeveer 3,2 km van de opvang"
    assert nl("unmet.repatriation_country", country="RO") == (
        "Geen terugkeerorganisatie met vrije capaciteit werkt voor Roemenië")
    assert nl("headroom.cases", count=1) == "Ruimte voor nog 1 zaak"
    assert nl("headroom.beds", count=3) == "3 bedden vrij"
    assert nl("intake.next_opens", weekday="Sa", time="17:00") == "Opname weer open op zaterdag 17:00"
    assert nl("unmet.gender", need="shelter", gender="male") == "Geen opvang voor deze persoon: geen die past neemt mannen op"
    assert nl("unmet.interpreter_languages", languages=["ti", "ar"]) == (
        "Geen tolk met vrije capaciteit biedt Tigrinya of Arabisch")
    assert nl("plan.need_nearer", need="medical", distance=3.24, score=0.8123, provider_name="Huis A",
              top_distance=0.5, top_score=0.7) == (
        "Medische zorg dichterbij of beter vanaf deze opvang: de beste op 3,2 km (score 0,81) tegen minder dan 1 km "
        "vanaf Huis A (score 0,70)")


def test_english_texts_read_as_the_matcher_used_to_write_them():
    def en(code, **params):
        return reasons.text(reason(code, **params).as_dict(), "en")

    assert en("language.staff_speaks_later", language="en", rank=2) == (
        "Staff speak English (the person's second language)")
    assert en("freshness.unconfirmed_days", count=1) == "Capacity not confirmed for 1 day: call to confirm"
    assert en("freshness.unconfirmed_days", count=3) == "Capacity not confirmed for 3 days: call to confirm"
    assert en("support.specialised", support_needs=["lgbtqi"]) == "Specialised support for LGBTQI+ people"
    assert en("unmet.age", need="shelter", age=15) == (
        "No shelter for this person: none that fits takes in someone aged 15")


def test_a_language_no_catalogue_names_is_named_by_cldr_in_dutch():
    assert reasons.language_label("vi", "nl") == "Vietnamees"
    assert reasons.language_label("vi", "en") == "Vietnamese"
    assert reasons.language_label("pcm", "nl") == "Nigeriaans Pidgin"


def test_a_code_the_gateway_does_not_know_is_shown_as_the_code():
    assert reasons.text({"code": "something.new", "params": {}}, "nl") == "something.new"


def test_the_matcher_cannot_make_a_reason_outside_the_registry():
    with pytest.raises(UnknownReason):
        reason("language.staff_speaks")
    with pytest.raises(UnknownReason):
        reason("language.spoken_somehow", language="ro")


def test_the_api_examples_show_the_catalogues_english_texts():
    shown = []
    for result in examples.MATCH_RESPONSE["results"]:
        for candidate in result["candidates"]:
            shown += candidate["reasons"]
    shown += [item["reason"] for item in examples.MATCH_RESPONSE["unmet"]]
    for assignment in examples.GROUP_RESPONSE["assignments"]:
        shown += assignment["reasons"]
    shown += [item["reason"] for item in examples.GROUP_RESPONSE["unassigned"]]
    shown += [item["other_route"] for item in examples.GROUP_RESPONSE["unassigned"] if item.get("other_route")]
    shown += (examples.MATCH_RESPONSE.get("care_plan") or {}).get("reasons", [])

    assert shown
    for example in shown:
        assert example == reasons.with_text(reason(example["code"], **example["params"]).as_dict(), "en")


def test_the_docs_list_every_code():
    listed = set(re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE))

    assert listed == set(REASONS)


@pytest.mark.parametrize(("header", "locale"), [
    ("nl", "nl"), ("nl-BE", "nl"), ("NL", "nl"), ("de, nl;q=0.5", "nl"), ("en-GB,nl;q=0.9", "en"),
    ("nl;q=0.5,en-US;q=0.8", "en"), ("nl;q=0", "en"), ("*", "en"), ("", "en"), ("fr", "en"),
])
def test_the_language_asked_for_first_is_the_one_given(header, locale):
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    assert reasons.best_locale(parse_accept_header(header, LanguageAccept)) == locale


def test_parameters_that_do_not_fit_the_text_show_the_code_rather_than_fail():
    assert reasons.text({"code": "headroom.beds", "params": {"count": "many"}}, "nl") == "headroom.beds"
    assert reasons.text({"code": "language.staff_speaks", "params": {}}, "nl") == "language.staff_speaks"
