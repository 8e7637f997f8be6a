"""Web pages for caseworkers, providers and admins: Jinja templates, static CSS and JS, Dutch and English.

`register_web(app)` adds them to the gateway app; they act as the signed-in person through the
gateway's own signed clients, so the internal services enforce roles and ownership as for the API.
"""
from __future__ import annotations

from functools import lru_cache

import pycountry
from flask import Flask, g, request
from werkzeug.exceptions import HTTPException

from ...shared import vocabulary as v
from ...shared.languages import country_name, language_name
from .. import reasons
from ..accounts import AccountStore, Passwords, open_account_store
from . import views  # noqa: F401  (routes)
from .blueprint import bp, expected_csrf_token, replay_fields
from .context import EXTENSION, WebContext, current_account
from .errors import error_page, register_error_pages
from .formatting import age, duration, local_time, number, time_left
from .i18n import DEFAULT_LOCALE, gettext, term
from .labels import field_label
from .settings import WebSettings

__all__ = ["register_web"]


def register_web(app: Flask, *, settings: WebSettings | None = None, accounts: AccountStore | None = None) -> None:
    """Add the pages to a gateway app (after the gateway context is on it)."""
    gateway_settings = app.extensions["haven_gateway"].settings
    settings = settings or WebSettings.from_env(beside=gateway_settings.auth_db_path)
    store = accounts or open_account_store(settings.accounts_db_path)
    app.extensions[EXTENSION] = WebContext(settings=settings, accounts=store, passwords=Passwords())
    app.register_blueprint(bp)
    register_error_pages(app)


@bp.app_template_global("csrf_token")
def _csrf_token() -> str:
    return expected_csrf_token()


@bp.context_processor
def page_helpers() -> dict:
    """What every template uses: words in the page's language, the account, vocabulary and formatting."""
    locale = g.get("locale", DEFAULT_LOCALE)
    now = g.get("web_now")

    def language_label(code: str) -> str:
        try:
            return language_name(code, locale)
        except ValueError:
            return code

    def country_label(code: str) -> str:
        try:
            return country_name(code, locale)
        except ValueError:
            return code

    return {
        "_": lambda text, **values: gettext(locale, text, **values),
        "term": lambda kind, value: term(locale, kind, value),
        "locale": locale,
        "account": current_account(),
        "vocab": v,
        "language_label": language_label,
        "country_label": country_label,
        "when": lambda text, with_date=True: local_time(text, locale, with_date=with_date),
        "left": lambda text: time_left(text, now, locale) if now else "",
        "age_text": lambda hours: age(hours, locale),
        "minutes_text": lambda minutes: duration(minutes, locale),
        "countries": _countries(locale),
        "field_label": lambda name, overrides=None: field_label(name, locale, overrides),
        "replay": replay_fields(),
        "current_path": request.full_path.rstrip("?") if request.method == "GET" else request.path,
    }


def _locale() -> str:
    return g.get("locale", DEFAULT_LOCALE)


@bp.app_template_filter("zip_terms")
def _zip_terms(values, kind: str) -> list[tuple[str, str]]:
    """Vocabulary values as (value, word) options for a select or checkboxes."""
    return [(value, term(_locale(), kind, value)) for value in values]


def _term_filter(kind: str):
    def word(value):
        return term(_locale(), kind, value)

    return word


for _kind in ("need", "gender", "exploitation", "residence", "type"):
    bp.add_app_template_filter(_term_filter(_kind), f"{_kind}_term")


@bp.app_template_filter("num")
def _number(value, digits: int = 1) -> str:
    return number(value, _locale(), digits)


@bp.app_template_filter("language_label")
def _language_label(code: str) -> str:
    try:
        return language_name(code, _locale())
    except ValueError:
        return code


@bp.app_template_filter("country_label")
def _country_label(code: str) -> str:
    try:
        return country_name(code, _locale())
    except ValueError:
        return code


@bp.app_template_filter("reason")
def _reason(reason: dict | None) -> str:
    """A reason from the matcher (a code with parameters) in the page's language, from the reason catalogues."""
    return reasons.text(reason, _locale()) if reason else ""


@lru_cache(maxsize=None)
def _countries(locale: str) -> list[tuple[str, str]]:
    names = [(country.alpha_2, country_name(country.alpha_2, locale)) for country in pycountry.countries]
    return sorted(names, key=lambda pair: pair[1])


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return error_page(err.code or 500)
