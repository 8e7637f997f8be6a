"""Dutch and English words for the pages: English source strings, Dutch from translations/nl.json.

Terms of the vocabulary (needs, types, statuses) are looked up as "kind:value" in both catalogs.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..accounts.model import DEFAULT_LOCALE, LOCALES

__all__ = ["DEFAULT_LOCALE", "LOCALES", "catalog", "gettext", "term"]


@lru_cache(maxsize=None)
def catalog(locale: str) -> dict[str, str]:
    """The messages of one locale; English source strings stand for themselves."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale: {locale!r}")
    folder = resources.files("services.gateway.web").joinpath("translations")
    return json.loads(folder.joinpath(f"{locale}.json").read_text(encoding="utf-8"))


def gettext(locale: str, text: str, **values) -> str:
    """The message in this locale, with {named} values filled in."""
    translated = catalog(locale).get(text) or text
    return translated.format(**values) if values else translated


def term(locale: str, kind: str, value: str | None) -> str:
    """A vocabulary word (kind "need", value "shelter") in this locale; the value itself when unknown."""
    if value is None:
        return ""
    key = f"{kind}:{value}"
    return catalog(locale).get(key) or catalog("en").get(key) or str(value).replace("_", " ")
