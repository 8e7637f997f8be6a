"""ISO 639 languages and ISO 3166-1 countries: validation and display names in English and Dutch."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

LOCALES = ("en", "nl")

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")

# Languages met in this work, with the names caseworkers use (pycountry's are sometimes archaic: "Bini").
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "nl": ("Dutch", "Nederlands"),
    "en": ("English", "Engels"),
    "fy": ("Frisian", "Fries"),
    "dse": ("Dutch Sign Language (NGT)", "Nederlandse Gebarentaal (NGT)"),
    "pap": ("Papiamento", "Papiaments"),
    "srn": ("Sranan Tongo", "Sranantongo"),
    "ro": ("Romanian", "Roemeens"),
    "bg": ("Bulgarian", "Bulgaars"),
    "pl": ("Polish", "Pools"),
    "hu": ("Hungarian", "Hongaars"),
    "uk": ("Ukrainian", "Oekraïens"),
    "ru": ("Russian", "Russisch"),
    "rom": ("Romani", "Romani"),
    "lt": ("Lithuanian", "Litouws"),
    "lv": ("Latvian", "Lets"),
    "et": ("Estonian", "Estisch"),
    "sk": ("Slovak", "Slowaaks"),
    "cs": ("Czech", "Tsjechisch"),
    "sl": ("Slovenian", "Sloveens"),
    "sq": ("Albanian", "Albanees"),
    "sr": ("Serbian", "Servisch"),
    "hr": ("Croatian", "Kroatisch"),
    "bs": ("Bosnian", "Bosnisch"),
    "mk": ("Macedonian", "Macedonisch"),
    "el": ("Greek", "Grieks"),
    "ka": ("Georgian", "Georgisch"),
    "hy": ("Armenian", "Armeens"),
    "az": ("Azerbaijani", "Azerbeidzjaans"),
    "mn": ("Mongolian", "Mongools"),
    "tr": ("Turkish", "Turks"),
    "ku": ("Kurdish", "Koerdisch"),
    "kmr": ("Kurmanji (Northern Kurdish)", "Kurmanji (Noord-Koerdisch)"),
    "ckb": ("Sorani (Central Kurdish)", "Sorani (Centraal-Koerdisch)"),
    "ar": ("Arabic", "Arabisch"),
    "ary": ("Moroccan Arabic", "Marokkaans-Arabisch"),
    "rif": ("Tarifit (Riffian Berber)", "Tarifit (Riffijns)"),
    "tzm": ("Tamazight", "Tamazight"),
    "fa": ("Persian (Farsi)", "Perzisch (Farsi)"),
    "prs": ("Dari", "Dari"),
    "ps": ("Pashto", "Pasjtoe"),
    "ur": ("Urdu", "Urdu"),
    "hi": ("Hindi", "Hindi"),
    "pa": ("Punjabi", "Punjabi"),
    "bn": ("Bengali", "Bengaals"),
    "ne": ("Nepali", "Nepalees"),
    "ta": ("Tamil", "Tamil"),
    "si": ("Sinhala", "Singalees"),
    "ti": ("Tigrinya", "Tigrinya"),
    "am": ("Amharic", "Amhaars"),
    "om": ("Oromo", "Oromo"),
    "so": ("Somali", "Somalisch"),
    "sw": ("Swahili", "Swahili"),
    "pcm": ("Nigerian Pidgin", "Nigeriaans Pidgin"),
    "bin": ("Edo", "Edo"),
    "yo": ("Yoruba", "Yoruba"),
    "ig": ("Igbo", "Igbo"),
    "ha": ("Hausa", "Hausa"),
    "tw": ("Twi", "Twi"),
    "kri": ("Krio", "Krio"),
    "ln": ("Lingala", "Lingala"),
    "fr": ("French", "Frans"),
    "de": ("German", "Duits"),
    "es": ("Spanish", "Spaans"),
    "pt": ("Portuguese", "Portugees"),
    "it": ("Italian", "Italiaans"),
    "vi": ("Vietnamese", "Vietnamees"),
    "zh": ("Chinese", "Chinees"),
    "yue": ("Cantonese", "Kantonees"),
    "th": ("Thai", "Thai"),
    "tl": ("Tagalog", "Tagalog"),
    "fil": ("Filipino", "Filipijns"),
    "id": ("Indonesian", "Indonesisch"),
    "my": ("Burmese", "Birmaans"),
    "km": ("Khmer", "Khmer"),
    "lo": ("Lao", "Laotiaans"),
}

# Countries of origin and return destinations met in this work; other countries show their English name.
COUNTRY_NAMES_NL: dict[str, str] = {
    "NL": "Nederland", "BE": "België", "DE": "Duitsland", "FR": "Frankrijk", "GB": "Verenigd Koninkrijk",
    "ES": "Spanje", "PT": "Portugal", "IT": "Italië", "GR": "Griekenland",
    "RO": "Roemenië", "BG": "Bulgarije", "PL": "Polen", "HU": "Hongarije", "SK": "Slowakije",
    "CZ": "Tsjechië", "LT": "Litouwen", "LV": "Letland", "EE": "Estland", "UA": "Oekraïne",
    "MD": "Moldavië", "RU": "Rusland", "BY": "Belarus", "AL": "Albanië", "RS": "Servië", "TR": "Turkije",
    "GE": "Georgië", "AM": "Armenië", "MN": "Mongolië",
    "NG": "Nigeria", "GH": "Ghana", "UG": "Oeganda", "SL": "Sierra Leone", "GN": "Guinee",
    "CM": "Kameroen", "CD": "Democratische Republiek Congo", "KE": "Kenia", "ER": "Eritrea",
    "ET": "Ethiopië", "SO": "Somalië", "SD": "Soedan", "MA": "Marokko", "DZ": "Algerije",
    "TN": "Tunesië", "EG": "Egypte", "LY": "Libië", "SY": "Syrië", "IQ": "Irak", "IR": "Iran",
    "AF": "Afghanistan", "PK": "Pakistan", "IN": "India", "BD": "Bangladesh", "NP": "Nepal",
    "LK": "Sri Lanka", "VN": "Vietnam", "CN": "China", "TH": "Thailand", "PH": "Filipijnen",
    "ID": "Indonesië", "BR": "Brazilië", "CO": "Colombia", "VE": "Venezuela",
    "DO": "Dominicaanse Republiek", "SR": "Suriname", "CW": "Curaçao",
}

# pycountry's formal names read oddly in a list ("Congo, The Democratic Republic of the").
_COUNTRY_NAMES_EN: dict[str, str] = {
    "CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo", "RU": "Russia",
    "PS": "Palestine", "KP": "North Korea",
}


def is_language_code(code: object) -> bool:
    """True for a lower-case ISO 639-1 (two-letter) or ISO 639-3 (three-letter) code."""
    return isinstance(code, str) and _known_language(code)


# Each code is looked up in pycountry's tables once: a bulk import checks the same few codes many times.
@lru_cache(maxsize=2048)
def _known_language(code: str) -> bool:
    if not _LANGUAGE_CODE.fullmatch(code):
        return False
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code) is not None
    return pycountry.languages.get(alpha_3=code) is not None


def language_name(code: str, locale: str = "en") -> str:
    """Display name of a language code in English or Dutch; ValueError for an unknown code."""
    _check_locale(locale)
    if code in LANGUAGE_NAMES:
        english, dutch = LANGUAGE_NAMES[code]
        return dutch if locale == "nl" else english
    if not is_language_code(code):
        raise ValueError(f"not an ISO 639 language code: {code!r}")
    field = "alpha_2" if len(code) == 2 else "alpha_3"
    return pycountry.languages.get(**{field: code}).name


def suggest_languages(prefix: str, locale: str = "en", limit: int = 10) -> list[tuple[str, str]]:
    """(code, name) pairs for search-as-you-type, matching a code or a name in English or Dutch."""
    _check_locale(locale)
    key = _fold(prefix) if isinstance(prefix, str) else ""
    if not key or limit <= 0:
        return []
    ranked = []
    for position, (code, english, dutch) in enumerate(_language_candidates()):
        names = (_fold(english), _fold(dutch))
        if code == key:
            tier = 0
        elif any(name.startswith(key) for name in names):
            tier = 1
        elif any(f" {key}" in name or f"({key}" in name for name in names):
            tier = 2
        else:
            continue
        ranked.append((tier, position, code, dutch if locale == "nl" else english))
    ranked.sort()
    return [(code, name) for _, _, code, name in ranked[:limit]]


def is_country_code(code: object) -> bool:
    """True for an upper-case ISO 3166-1 alpha-2 code."""
    return isinstance(code, str) and _known_country(code)


@lru_cache(maxsize=2048)
def _known_country(code: str) -> bool:
    return _COUNTRY_CODE.fullmatch(code) is not None and pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str, locale: str = "en") -> str:
    """Display name of a country code in English or Dutch; ValueError for an unknown code."""
    _check_locale(locale)
    if not is_country_code(code):
        raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {code!r}")
    if locale == "nl" and code in COUNTRY_NAMES_NL:
        return COUNTRY_NAMES_NL[code]
    if code in _COUNTRY_NAMES_EN:
        return _COUNTRY_NAMES_EN[code]
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=1)
def _language_candidates() -> tuple[tuple[str, str, str], ...]:
    """The curated languages first, then every other language with a two-letter code, by English name."""
    curated = [(code, english, dutch) for code, (english, dutch) in LANGUAGE_NAMES.items()]
    others = [
        (language.alpha_2, language.name, language.name)
        for language in pycountry.languages
        if hasattr(language, "alpha_2") and language.alpha_2 not in LANGUAGE_NAMES
    ]
    curated.sort(key=lambda candidate: candidate[1])
    others.sort(key=lambda candidate: candidate[1])
    return tuple(curated + others)


def _fold(text: str) -> str:
    """Compare form: no case, no accents ("Oekraïens" -> "oekraiens")."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise ValueError(f"locale must be one of {', '.join(LOCALES)}: {locale!r}")
