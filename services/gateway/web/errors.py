"""Error pages in the page's language, and the internal services' refusals in words for the pages.

Unknown addresses and wrong methods outside the API get an HTML page (API clients keep the JSON shape):
a browser that lands on one sees Haven's header, in Dutch or English, with a way back.
"""
from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from .i18n import DEFAULT_LOCALE, gettext

log = logging.getLogger(__name__)

# Addresses that stay JSON whatever the client accepts: the API, the page script's endpoints, the probes.
JSON_PREFIXES = ("/api/", "/ui/", "/healthz", "/readyz", "/metrics")
TITLES = {400: "Something is wrong with this request", 403: "Not allowed", 404: "Not found",
          405: "Not allowed", 409: "Not possible now", 413: "Too large", 429: "Too many requests"}
MESSAGES = {403: "Your role cannot open this page.", 404: "This page does not exist.",
            405: "This address cannot be used this way. Go back and use the page's buttons.",
            413: "What was sent is too large.", 429: "Too many requests in a short time. Wait a minute and try again."}
SERVER_TROUBLE = "Something went wrong on our side. Try again in a moment; nothing was changed."
# What the directory's refusals mean for someone on the pages, by what was asked for.
NOT_FOUND = {"referral": "This referral does not exist, or it is not yours to see.",
             "provider": "This provider does not exist, or it is not yours to see."}
BY_CODE = {"forbidden": "Your role cannot do this.",
           "no_capacity": "No free place left here: someone else referred first. Nothing was held.",
           "invalid_transition": "This referral has already been answered, cancelled or has expired.",
           "precondition_failed": "Someone else changed this in the meantime. Reload the page and try again."}


def wants_page() -> bool:
    """A browser asking for a page (not the API, the page script or a probe)."""
    if request.path.startswith(JSON_PREFIXES):
        return False
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def backend_text(err, locale: str, what: str | None = None) -> str:
    """A refusal of the directory or matcher as a sentence in the page's language."""
    if err.status == 404 and what in NOT_FOUND:
        return gettext(locale, NOT_FOUND[what])
    if err.code in BY_CODE:
        return gettext(locale, BY_CODE[err.code])
    if err.status >= 500:
        return gettext(locale, "A part of Haven is not answering. Try again in a moment.")
    if err.status in MESSAGES:
        return gettext(locale, MESSAGES[err.status])
    # Field messages of the API are English; Dutch pages say so in Dutch and keep the detail.
    return err.message if locale == "en" else gettext(locale, "The request was refused: {detail}", detail=err.message)


def error_page(status: int, message: str | None = None):
    """The error page for this status, in the page's language."""
    from . import page_helpers  # the page context (language, header) outside the blueprint's own requests

    locale = g.get("locale", DEFAULT_LOCALE)
    title = gettext(locale, TITLES.get(status, "Something went wrong"))
    if message is None:
        message = gettext(locale, MESSAGES[status]) if status in MESSAGES else (
            gettext(locale, SERVER_TROUBLE) if status >= 500 else "")
    return render_template("error.html", title=title, message=message, **page_helpers()), status


def register_error_pages(app: Flask) -> None:
    """HTML error pages for browser addresses; everything else keeps the JSON error handlers."""
    from .blueprint import apply_page_headers, load_page_state

    json_http_error = app.error_handler_spec[None][None].get(HTTPException)
    json_unexpected = app.error_handler_spec[None][None].get(Exception)

    def page(status: int, message: str | None = None):
        if "web_now" not in g:
            try:
                load_page_state()
            except Exception:  # the account store is down: the page still answers, in the default language
                log.warning("error page without the signed-in state")
        body, code = error_page(status, message)
        response = app.make_response((body, code))
        if status == 405 and getattr(g, "_allowed", None):
            response.headers["Allow"] = g._allowed
        return apply_page_headers(response)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not wants_page() or getattr(err, "data", None):
            return json_http_error(err)
        if err.code == 405 and err.valid_methods:
            g._allowed = ", ".join(err.valid_methods)
        return page(err.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if not wants_page():
            return json_unexpected(err)
        log.exception("unhandled error on a page")
        return page(500)
