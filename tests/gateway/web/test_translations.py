"""Every word on the pages exists in Dutch, with the same {placeholders} as the English."""
from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from services.gateway.web import errors, labels
from services.gateway.web.i18n import catalog, gettext, term
from services.gateway.web.views.admin import AUDIT_ACTIONS
from services.shared import vocabulary as v

WEB = Path(__file__).resolve().parents[3] / "services" / "gateway" / "web"
TEMPLATE_CALL = re.compile(r"""(?<![\w.])_\(\s*(['"])(.*?)(?<!\\)\1""", re.S)
# Messages looked up from dicts of English strings: error pages, refusals by code, field labels.
INDIRECT = {"Something went wrong", *errors.TITLES.values(), *errors.MESSAGES.values(), *errors.NOT_FOUND.values(),
            *errors.BY_CODE.values(), errors.SERVER_TROUBLE, *labels.FIELD_LABELS.values()}
TERMS = {"need": v.NEEDS, "type": v.PROVIDER_TYPES, "gender": v.GENDERS, "exploitation": v.EXPLOITATION_TYPES,
         "residence": v.RESIDENCE_STATUSES, "status": v.REFERRAL_STATUSES, "provider_status": v.PROVIDER_STATUSES,
         "unit": v.CAPACITY_UNITS, "role": v.ROLES, "token_state": ("active", "revoked", "expired"),
         "audit": AUDIT_ACTIONS}


def template_strings() -> set[str]:
    found = set()
    for path in WEB.joinpath("templates").rglob("*.html"):
        found |= {match.group(2) for match in TEMPLATE_CALL.finditer(path.read_text())}
    return found


def python_strings() -> set[str]:
    """The literal message of every gettext(locale, "...") call in the web package."""
    found = set()
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "gettext" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)):
                found.add(node.args[1].value)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def used_strings() -> set[str]:
    return template_strings() | python_strings() | INDIRECT


def test_the_extraction_finds_the_strings():
    strings = used_strings()
    assert "Match a person" in strings and "Wrong email address or password." in strings
    assert len(strings) > 250


@pytest.mark.parametrize("text", sorted(used_strings()))
def test_every_string_has_a_dutch_translation_with_the_same_placeholders(text):
    dutch = catalog("nl").get(text)
    assert dutch, f"no Dutch for {text!r}"
    assert placeholders(dutch) == placeholders(text)


def test_no_dutch_entry_is_left_over_from_a_string_that_is_gone():
    terms = {key for key in catalog("nl") if key.split(":", 1)[0] in TERMS and ":" in key}
    unused = set(catalog("nl")) - used_strings() - terms
    assert not unused


@pytest.mark.parametrize("kind", sorted(TERMS))
def test_every_vocabulary_word_has_english_and_dutch(kind):
    for value in TERMS[kind]:
        assert catalog("en").get(f"{kind}:{value}"), (kind, value)
        assert catalog("nl").get(f"{kind}:{value}"), (kind, value)


def test_messages_fill_in_their_values():
    assert gettext("nl", "Page {n} of {total}", n=2, total=5) == "Pagina 2 van 5"
    assert gettext("en", "Page {n} of {total}", n=2, total=5) == "Page 2 of 5"
    assert term("nl", "need", "mental_health") == "Ggz-zorg"
    assert term("en", "need", "unheard_of") == "unheard of"


def test_catalogs_are_valid_json_objects_of_strings():
    for locale in ("nl", "en"):
        data = json.loads((WEB / "translations" / f"{locale}.json").read_text(encoding="utf-8"))
        assert all(isinstance(k, str) and isinstance(v_, str) and v_ for k, v_ in data.items())
