"""The matcher explains its ranking in English sentences; Dutch pages show them in Dutch.

Each known wording has a pattern here; a sentence no pattern knows is shown as the matcher wrote it,
so a new reason is never lost, only untranslated (tests/gateway/test_web_reasons.py keeps the list
in step with the matcher).
"""
from __future__ import annotations

import re
from functools import lru_cache

from ...shared.languages import COUNTRY_NAMES_NL, LANGUAGE_NAMES, country_name

ORDINALS_NL = {"first": "eerste", "second": "tweede", "third": "derde", "fourth": "vierde", "fifth": "vijfde"}
EXPLOITATION_NL = {"sexual exploitation": "seksuele uitbuiting", "labour exploitation": "arbeidsuitbuiting",
                   "criminal exploitation": "criminele uitbuiting", "this form of exploitation": "deze vorm van uitbuiting"}
NEED_WORDS_NL = {"shelter": "opvang", "medical care": "medische zorg", "mental-health care": "ggz-zorg",
                 "legal help": "juridische hulp", "help with residence status": "hulp bij verblijfsstatus",
                 "help with a compensation claim": "hulp bij een schadeclaim", "interpreter": "tolk",
                 "return support": "hulp bij terugkeer"}
UNITS_NL = {"bed": ("bed", "bedden"), "appointment": ("afspraak", "afspraken"), "hour": ("uur", "uur"),
            "place": ("plaats", "plaatsen")}


@lru_cache(maxsize=1)
def _dutch_language_names() -> dict[str, str]:
    return {english: dutch for english, dutch in LANGUAGE_NAMES.values()}


def _language(name: str) -> str:
    return _dutch_language_names().get(name, name)


def _languages(names: str) -> str:
    return ", ".join(_language(name.strip()) for name in names.split(","))


@lru_cache(maxsize=1)
def _dutch_country_names() -> dict[str, str]:
    names = {}
    for code, dutch in COUNTRY_NAMES_NL.items():
        try:
            names[country_name(code, "en")] = dutch
        except ValueError:
            continue
    return names


def _number(text: str) -> str:
    return text.replace(".", ",")


def _preference(text: str | None) -> str:
    if not text:
        return ""
    ordinal = re.match(r" \(the person's (\w+|no\. \d+) language\)", text)
    if not ordinal:
        return text
    word = ordinal.group(1)
    return f" ({ORDINALS_NL.get(word, word.replace('no.', 'nr.'))} taal van de persoon)"


def _hours_or_days(count: str, unit: str) -> str:
    return f"{count} {'uur' if unit.startswith('hour') else ('dag' if count == '1' else 'dagen')}"


def _free(count: str | None, unit_words: str) -> str:
    if unit_words.startswith("more case"):
        return f"Ruimte voor nog {count or 1} {'zaak' if (count or '1') == '1' else 'zaken'}"
    for english, (one, many) in UNITS_NL.items():
        if unit_words.startswith(english):
            return f"{count or 1} {one if (count or '1') == '1' else many} vrij"
    return f"{count or 1} vrij"


# Why a need is unmet, after "No <need> for this person: " (services.matcher.domain.plan, unmet_reason).
CONSTRAINTS_NL = {"the areas to avoid": "de gebieden om te vermijden", "free capacity": "vrije capaciteit",
                  "capacity confirmed within 7 days": "capaciteit bevestigd binnen 7 dagen", "gender": "gender",
                  "age": "leeftijd", "children coming along": "meekomende kinderen",
                  "wheelchair access": "rolstoeltoegankelijkheid", "residence status": "verblijfsstatus",
                  "the maximum distance": "de maximale afstand", "the person's languages": "de talen van de persoon",
                  "support needs": "ondersteuningsbehoeften", "intake hours": "opnametijden", "the shelter's target group": "de doelgroep van de opvang"}
SUPPORT_NL = {"LGBTQI+ people": "lhbtiq+-personen", "psychiatric problems": "psychiatrische problemen",
              "addiction": "verslaving", "intellectual disability": "een verstandelijke beperking",
              "pregnancy": "zwangerschap", "physical disability": "een lichamelijke beperking"}


def _support(words: str) -> str:
    return " en ".join(SUPPORT_NL.get(part, part) for part in words.split(" and "))
DAYS_NL = {"Mo": "maandag", "Tu": "dinsdag", "We": "woensdag", "Th": "donderdag", "Fr": "vrijdag",
           "Sa": "zaterdag", "Su": "zondag"}
GROUPS_NL = {"women": "vrouwen", "men": "mannen", "non-binary people": "non-binaire personen"}
RESIDENCE_NL = {"Dutch": "Nederlands", "EU citizen": "EU-burger", "reflection period": "bedenktijd",
                "residence permit": "verblijfsvergunning", "asylum seeker": "asielzoeker",
                "undocumented": "ongedocumenteerd", "unknown": "onbekend"}


def _constraints(names: str) -> str:
    return ", ".join(CONSTRAINTS_NL.get(name.strip(), name.strip()) for name in names.split(","))


WHY_UNMET: list[tuple[re.Pattern, callable]] = [
    (re.compile(r"^the only ones that fit lie in the areas to avoid$"),
     lambda m: "de enige die passen liggen in de gebieden om te vermijden"),
    (re.compile(r"^every one that fits is full$"), lambda m: "alle die passen zijn vol"),
    (re.compile(r"^the only ones that fit have not confirmed capacity for 7 days \(include_stale shows them\)$"),
     lambda m: "de enige die passen bevestigden hun capaciteit 7 dagen niet (vink ze aan om ze te tonen)"),
    (re.compile(r"^none that fits takes in (women|men|non-binary people)$"),
     lambda m: f"geen die past neemt {GROUPS_NL[m[1]]} op"),
    (re.compile(r"^none that fits takes in someone aged (\d+)$"), lambda m: f"geen die past neemt iemand van {m[1]} op"),
    (re.compile(r"^none that fits takes children in$"), lambda m: "geen die past neemt kinderen op"),
    (re.compile(r"^none that fits is wheelchair accessible or serves remotely or at home$"),
     lambda m: "geen die past is rolstoeltoegankelijk of helpt op afstand of aan huis"),
    (re.compile(r"^none that fits accepts residence status (.+)$"),
     lambda m: f"geen die past neemt verblijfsstatus {RESIDENCE_NL.get(m[1], m[1])} aan"),
    (re.compile(r"^none that fits is within ([\d.]+) km( of the shelter)?$"),
     lambda m: f"geen die past ligt binnen {_number(m[1])} km" + (" van de opvang" if m[2] else "")),
    (re.compile(r"^none that fits takes people in at this hour \(Dutch time\)$"),
     lambda m: "geen die past neemt op dit uur mensen op"),
    (re.compile(r"^none that fits can serve the person's support needs$"),
     lambda m: "geen die past kan de ondersteuning bieden die de persoon nodig heeft"),
    (re.compile(r"^the only ones that fit are shelters for another target group$"),
     lambda m: "de enige die passen zijn opvang voor een andere doelgroep"),
    (re.compile(r"^none that fits offers (.+)$"), lambda m: f"geen die past biedt {_languages(m[1])}"),
    (re.compile(r"^no one requirement rules them all out, together these do: (.+)$"),
     lambda m: f"geen eis alleen sluit ze allemaal uit, samen doen deze dat: {_constraints(m[1])}"),
    (re.compile(r"^leaving out any one of these requirements would leave some: (.+)$"),
     lambda m: f"zonder een van deze eisen bleven er over: {_constraints(m[1])}"),
    (re.compile(r"^no active provider in the directory offers it$"),
     lambda m: "geen actieve aanbieder in de gids biedt het"),
]


def _why_unmet(need: str, why: str) -> str | None:
    for pattern, dutch in WHY_UNMET:
        match = pattern.match(why)
        if match:
            return f"Geen {NEED_WORDS_NL.get(need, need)} voor deze persoon: {dutch(match)}"
    return None


_PREF = r"( \(the person's (?:\w+|no\. \d+) language\))?"
# (pattern, Dutch): the Dutch is a function of the match.
PATTERNS: list[tuple[re.Pattern, callable]] = [
    (re.compile(r"^Interprets (.+), not the person's first language \((.+)\)$"),
     lambda m: f"Tolkt {_language(m[1])}, niet de eerste taal van de persoon ({_language(m[2])})"),
    (re.compile(r"^Arranges interpreters for (.+), not the person's first language \((.+)\)$"),
     lambda m: f"Regelt tolken voor {_language(m[1])}, niet de eerste taal van de persoon ({_language(m[2])})"),
    (re.compile(r"^Takes people in now$"), lambda m: "Neemt nu mensen op"),
    (re.compile(r"^Intake next opens (Mo|Tu|We|Th|Fr|Sa|Su) (\d\d:\d\d) \(Dutch time\)$"),
     lambda m: f"Opname weer open op {DAYS_NL[m[1]]} {m[2]}"),
    (re.compile(r"^Works by phone or video: distance does not matter$"),
     lambda m: "Werkt via telefoon of video: afstand speelt geen rol"),
    (re.compile(r"^Interprets (.+)$"), lambda m: f"Tolkt {_language(m[1])}"),
    (re.compile(rf"^Staff speak (.+?){_PREF}$"), lambda m: f"Medewerkers spreken {_language(m[1])}{_preference(m[2])}"),
    (re.compile(r"^Arranges interpreters for (.+)$"), lambda m: f"Regelt tolken voor {_language(m[1])}"),
    (re.compile(rf"^(.+?) only through an interpreter{_PREF}$"),
     lambda m: f"{_language(m[1])} alleen via een tolk{_preference(m[2])}"),
    (re.compile(r"^Interpreter needed for (.+)$"), lambda m: f"Tolk nodig voor {_language(m[1])}"),
    (re.compile(r"^Less than 1 km away$"), lambda m: "Minder dan 1 km hiervandaan"),
    (re.compile(r"^Less than 1 km from the shelter$"), lambda m: "Minder dan 1 km van de opvang"),
    (re.compile(r"^(About )?([\d.]+) km away$"),
     lambda m: f"{'Ongeveer ' if m[1] else ''}{_number(m[2])} km hiervandaan"),
    (re.compile(r"^(About )?([\d.]+) km from the shelter$"),
     lambda m: f"{'Ongeveer ' if m[1] else ''}{_number(m[2])} km van de opvang"),
    (re.compile(r"^Capacity confirmed less than an hour ago$"), lambda m: "Capaciteit minder dan een uur geleden bevestigd"),
    (re.compile(r"^Capacity confirmed (\d+) hours? ago$"), lambda m: f"Capaciteit {m[1]} uur geleden bevestigd"),
    (re.compile(r"^Capacity not confirmed for (\d+) (hours?|days?): call to confirm$"),
     lambda m: f"Capaciteit al {_hours_or_days(m[1], m[2])} niet bevestigd: bel om het na te gaan"),
    (re.compile(r"^Specialised in other forms of exploitation, not (.+)$"),
     lambda m: f"Gespecialiseerd in andere vormen van uitbuiting, niet in {EXPLOITATION_NL.get(m[1], m[1])}"),
    (re.compile(r"^Specialised in (.+)$"), lambda m: f"Gespecialiseerd in {EXPLOITATION_NL.get(m[1], m[1])}"),
    (re.compile(r"^No specialism in (.+)$"), lambda m: f"Geen specialisatie in {EXPLOITATION_NL.get(m[1], m[1])}"),
    (re.compile(r"^Room for (\d+) more cases?$"), lambda m: _free(m[1], "more case")),
    (re.compile(r"^(\d+) (beds?|appointments?|hours?|places?) free$"), lambda m: _free(m[1], m[2])),
    (re.compile(r"^No return organisation with free capacity serves (.+)$"),
     lambda m: f"Geen terugkeerorganisatie met vrije capaciteit werkt voor {_dutch_country_names().get(m[1], m[1])}"),
    (re.compile(r"^No interpreter with free capacity offers (.+)$"),
     lambda m: f"Geen tolk met vrije capaciteit biedt {_languages(m[1])}"),
    (re.compile(r"^No (.+?) with free capacity meets this person's requirements"
                r"( within ([\d.]+) km( of the shelter)?)?( outside the areas to avoid)?"
                r"(; providers that have not confirmed capacity for 7 days were left out \(include_stale shows them\))?$"),
     lambda m: ("Geen " + NEED_WORDS_NL.get(m[1], m[1]) + " met vrije capaciteit past bij wat deze persoon nodig heeft"
                + (f" binnen {_number(m[3])} km" + (" van de opvang" if m[4] else "") if m[2] else "")
                + (" buiten de gebieden om te vermijden" if m[5] else "")
                + ("; aanbieders die hun capaciteit 7 dagen niet bevestigden zijn weggelaten"
                   " (vink ze aan om ze te tonen)" if m[6] else ""))),
    (re.compile(r"^No (.+?) for this person: (.+)$"), lambda m: _why_unmet(m[1], m[2])),
    (re.compile(r"^Specialised support for (.+)$"), lambda m: f"Gespecialiseerde ondersteuning bij {_support(m[1])}"),
    (re.compile(r"^No specialised support for (.+)$"),
     lambda m: f"Geen gespecialiseerde ondersteuning bij {_support(m[1])}"),
    (re.compile(r"^The (\d+) suitable providers? had no free place left after placing others in this group$"),
     lambda m: f"De {m[1]} geschikte {'aanbieder had' if m[1] == '1' else 'aanbieders hadden'} geen vrije plaats "
               "meer na het plaatsen van anderen uit deze groep"),
]


def translate_reason(text: str, locale: str) -> str:
    """The reason in the page's language; English, or an unknown wording, stays as it is."""
    if locale != "nl" or not text:
        return text
    for pattern, dutch in PATTERNS:
        match = pattern.match(text)
        if match:
            return dutch(match) or text
    return text


def is_known(text: str) -> bool:
    return any(pattern.match(text) and dutch(pattern.match(text)) for pattern, dutch in PATTERNS)
