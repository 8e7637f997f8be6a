"""The matcher's reasons written out in English or Dutch, from gettext catalogues read with Babel.

The matcher gives each reason as a code with parameters (services.shared.reasons). The texts live in
catalogues/en.po and catalogues/nl.po (msgid: the code; msgctxt: the kind of a word a parameter stands
for); they are compiled in memory the first time they are used, and the app factory does that at start so
a broken catalogue stops the gateway there. Parameters that are codes become names in the reader's
language: languages (the names caseworkers use, else CLDR's), countries and weekdays from CLDR, needs,
genders, residence statuses and the like from the catalogues.
"""
from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

from babel import Locale
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from ...shared.languages import LANGUAGE_NAMES, language_name
from ...shared.reasons import REASONS

LOCALES = ("en", "nl")
DEFAULT_LOCALE = "en"
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
# The catalogue context a parameter of each kind is looked up in; one word each, a list joined.
WORD_CONTEXTS = {"need": "need", "gender": "gender", "residence_status": "residence_status",
                 "exploitation_type": "exploitation_type", "filter": "filter", "support_needs": "support_need",
                 "filters": "filter"}


@lru_cache(maxsize=None)
def catalogue_source(locale: str):
    """The catalogue of one locale as Babel reads it from its .po file."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale: {locale!r}")
    text = resources.files(__name__).joinpath("catalogues", f"{locale}.po").read_bytes()
    return read_po(io.BytesIO(text), locale=locale)


@lru_cache(maxsize=None)
def translations(locale: str) -> Translations:
    """The catalogue of one locale compiled in memory, as gettext translations."""
    compiled = io.BytesIO()
    write_mo(compiled, catalogue_source(locale))
    compiled.seek(0)
    return Translations(compiled, domain="reasons")


def load() -> None:
    """Read and compile every catalogue now (the app factory calls this at start)."""
    for locale in LOCALES:
        translations(locale)


def best_locale(accept_language) -> str:
    """The locale a request's `Accept-Language` (werkzeug's parsed header) asks for first; English by default.

    Languages are taken by quality, each by its primary subtag (`en-GB` is English, `nl-BE` Dutch).
    """
    for value, quality in accept_language:  # highest quality first
        primary = value.split("-")[0].split("_")[0].lower()
        if quality > 0 and primary in LOCALES:
            return primary
    return DEFAULT_LOCALE


def text(reason: dict, locale: str) -> str:
    """One reason in words; a locale without the code falls back to English, and English to the code."""
    code = reason.get("code")
    params = reason.get("params") or {}
    for tried in dict.fromkeys((locale, DEFAULT_LOCALE)):
        try:
            template = _template(code, params, tried)
            if template is None:
                continue
            written = template % _rendered(code, params, tried)
            # A text may start with a parameter written in lower case ("medical care within reach ...").
            return written[:1].upper() + written[1:]
        except (KeyError, TypeError, ValueError):
            # Parameters that do not fit the text (a matcher newer than this gateway): the next language, or the code.
            continue
    return str(code)


def with_text(reason: dict | None, locale: str) -> dict | None:
    """The reason as the public API gives it: its code and parameters, and its text in `locale`."""
    if reason is None:
        return None
    return {"code": reason.get("code"), "params": reason.get("params") or {}, "text": text(reason, locale)}


def language_label(code: str, locale: str) -> str:
    """A language's name in `locale`: the name caseworkers use where there is one, else CLDR's, else the code."""
    if code in LANGUAGE_NAMES:
        return language_name(code, locale)
    name = Locale.parse(locale).languages.get(code)
    if name:
        return name
    try:
        return language_name(code, locale)
    except ValueError:
        return code


def country_label(code: str, locale: str) -> str:
    """A country's name in `locale` (CLDR), or the code when it is unknown."""
    return Locale.parse(locale).territories.get(code, code)


def _template(code: str, params: dict, locale: str) -> str | None:
    if code not in REASONS or not _has(locale, code):
        return None
    if "count" in params:
        return translations(locale).ngettext(code, code, int(params["count"]))
    return translations(locale).gettext(code)


def _has(locale: str, msgid: str, context: str | None = None) -> bool:
    message = catalogue_source(locale).get(msgid, context=context)
    if message is None:
        return False
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


def _rendered(code: str, params: dict, locale: str) -> dict[str, str]:
    kinds = REASONS[code]
    return {name: _value(kinds.get(name, ""), value, locale) for name, value in params.items()}


@lru_cache(maxsize=8192)
def _decimal(value: float, pattern: str, locale: str) -> str:
    """A number written the locale's way; the same few thousand (scores, distances, counts) come back all the time."""
    return format_decimal(value, format=pattern, locale=locale)


def _value(kind: str, value, locale: str) -> str:
    if kind == "language":
        return language_label(value, locale)
    if kind == "languages":
        return format_list([language_label(code, locale) for code in value], style="or", locale=locale)
    if kind == "country":
        return country_label(value, locale)
    if kind in ("support_needs", "filters"):
        return format_list([_word(WORD_CONTEXTS[kind], item, locale) for item in value], locale=locale)
    if kind in WORD_CONTEXTS:
        return _word(WORD_CONTEXTS[kind], value, locale)
    if kind == "km":
        return _decimal(value, "#,##0.###", locale)
    if kind == "distance":
        if value < 1:
            return _word("distance", "under_1_km", locale)
        shown = round(value, 1) if value < 10 else round(value)
        return _word("distance", "km", locale) % {"km": _decimal(shown, "#,##0.#", locale)}
    if kind == "score":
        return _decimal(value, "0.00", locale)
    if kind == "weekday" and value in WEEKDAYS:
        return Locale.parse(locale).days["format"]["wide"][WEEKDAYS.index(value)]
    if kind == "ordinal":
        word = _word("ordinal", str(value), locale, fallback=None)
        return word if word is not None else _word("ordinal", "other", locale) % {"n": value}
    return str(value)


def _word(context: str, value: str, locale: str, fallback: str | None = "") -> str | None:
    """A word of the vocabulary in `locale`; English when the locale lacks it, else the value itself."""
    for tried in dict.fromkeys((locale, DEFAULT_LOCALE)):
        if _has(tried, str(value), context):
            return translations(tried).pgettext(context, str(value))
    return str(value).replace("_", " ") if fallback == "" else fallback


def match_answer_in(answer: dict, locale: str) -> dict:
    """A match answer from the matcher with every reason, and each language named, in `locale`."""
    for result in answer.get("results") or ():
        for candidate in result.get("candidates") or ():
            candidate["reasons"] = [with_text(why, locale) for why in candidate.get("reasons") or ()]
    for unmet in answer.get("unmet") or ():
        unmet["reason"] = with_text(unmet.get("reason"), locale)
        unmet["other_route"] = with_text(unmet.get("other_route"), locale)
    if answer.get("care_plan") and "reasons" in answer["care_plan"]:
        answer["care_plan"]["reasons"] = [with_text(why, locale) for why in answer["care_plan"]["reasons"] or ()]
    for needed in answer.get("interpreter_needed") or ():
        needed["language_name"] = language_label(needed["language"], locale)
    return answer


def group_answer_in(answer: dict, locale: str) -> dict:
    """A group placement from the matcher with every reason in `locale`."""
    for assignment in answer.get("assignments") or ():
        assignment["reasons"] = [with_text(why, locale) for why in assignment.get("reasons") or ()]
    for unassigned in answer.get("unassigned") or ():
        unassigned["reason"] = with_text(unassigned.get("reason"), locale)
        if "other_route" in unassigned:
            unassigned["other_route"] = with_text(unassigned["other_route"], locale)
    return answer
