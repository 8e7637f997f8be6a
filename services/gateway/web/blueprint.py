"""The pages' blueprint: who is signed in, the CSRF check, the page language and the security headers."""
from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for

from ...shared.errors import ApiError
from ..accounts import AccountStoreUnavailable
from ..accounts import service as accounts
from . import csrf
from .context import current_account, web
from .i18n import DEFAULT_LOCALE, LOCALES, gettext

log = logging.getLogger(__name__)

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

SESSION_COOKIE = "haven_session"
LOCALE_COOKIE = "haven_lang"
POLL_HEADER = "X-Haven-Poll"
# Scripts, styles, images and requests only from this origin; no inline script, no frames, no plugins.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                           "base-uri 'none'; object-src 'none'")
HOME_OF_ROLE = {"caseworker": "web.match", "provider": "web.capacity", "admin": "web.admin_providers"}
# Forms posted before signing in: the pre-session token is accepted on these.
ANONYMOUS_POSTS = frozenset({"web.sign_in", "web.language", "web.capacity_link"})
# Pages that answer a posted form (results, a form with errors): switching language posts the same form again.
REPLAYABLE = {"web.match": "/match", "web.group": "/group", "web.providers": "/providers"}
NOT_REPLAYED = frozenset({"csrf_token", "locale", "next", "replay"})


class CsrfRefused(Exception):
    """A POST without the right token: a forged request or a form left open from an old session."""


def _wants_json() -> bool:
    return request.path.startswith("/ui/") or request.accept_mimetypes.best == "application/json"


@bp.before_request
def _load_session():
    if request.endpoint == "web.static":
        return None
    load_page_state()
    if request.method == "POST":
        _check_csrf()
    return None


def load_page_state() -> None:
    """Who is signed in, the page language and the pre-session token, on `g`."""
    ctx = web()
    now = ctx.now()
    polling = request.headers.get(POLL_HEADER) == "1"
    # Light polling for referral status does not count as activity, so an open page still idles out.
    resumed = accounts.resume_session(store=ctx.accounts, policy=ctx.settings.policy,
                                      token=request.cookies.get(SESSION_COOKIE), now=now, touch=not polling)
    g.account, g.web_session, g.session_expired = resumed.account, resumed.session, resumed.expired
    g.web_now = now
    cookie_locale = request.cookies.get(LOCALE_COOKIE)
    if resumed.account is not None:
        g.locale = resumed.account.locale
    else:
        g.locale = cookie_locale if cookie_locale in LOCALES else DEFAULT_LOCALE
    g.pre_session = request.cookies.get(csrf.PRE_SESSION_COOKIE) or ""


def expected_csrf_token() -> str:
    """The token this browser's forms carry: the session's own, or the pre-session one before sign-in."""
    session = g.get("web_session")
    if session is not None:
        return session.csrf_token
    if not g.get("pre_session"):
        g.pre_session = csrf.new_pre_session()
        g.set_pre_session = True
    return csrf.anonymous_token(web().csrf_secret, g.pre_session)


def _check_csrf() -> None:
    given = request.form.get(csrf.FIELD) if request.form else None
    given = given or request.headers.get(csrf.HEADER)
    if not csrf.same_origin(request.headers.get("Origin"), request.host):
        raise CsrfRefused("cross-origin")
    session = g.get("web_session")
    if session is not None and csrf.tokens_match(session.csrf_token, given):
        return
    if (session is None or request.endpoint in ANONYMOUS_POSTS) and g.get("pre_session") and csrf.tokens_match(
            csrf.anonymous_token(web().csrf_secret, g.pre_session), given):
        return
    raise CsrfRefused("token")


@bp.errorhandler(CsrfRefused)
def _csrf_refused(err):
    log.warning("refused a form post without a valid token", extra={"reason": str(err)})
    message = gettext(g.get("locale", DEFAULT_LOCALE),
                      "This form has expired or did not come from this site. Reload the page and try again.")
    if _wants_json():
        return jsonify({"error": {"status": 400, "code": "csrf_failed", "message": message}}), 400
    return render_template("error.html", title=gettext(g.locale, "Form refused"), message=message), 400


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    if _wants_json():
        body = {"status": err.status, "code": err.code, "message": err.message}
        if err.fields:
            body["fields"] = err.fields
        return jsonify({"error": body}), err.status
    message = err.message if err.status < 500 else gettext(g.get("locale", DEFAULT_LOCALE),
                                                           "A part of Haven is not answering. Try again in a moment.")
    return render_template("error.html", title=gettext(g.get("locale", DEFAULT_LOCALE), "Something went wrong"),
                           message=message), err.status


@bp.errorhandler(AccountStoreUnavailable)
def _accounts_down(err):
    log.error("account store unavailable")
    locale = g.get("locale", DEFAULT_LOCALE)
    return render_template("error.html", title=gettext(locale, "Something went wrong"),
                           message=gettext(locale, "Signing in is unavailable. Try again in a moment.")), 503


@bp.after_request
def _headers(response):
    return apply_page_headers(response)


def apply_page_headers(response):
    """The pages' security and cache headers, and the cookies the request decided on."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
    if secure_cookies():
        # Behind TLS: browsers keep to https for this host from now on.
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.endpoint != "web.static":
        # Pages show capacity, referrals and sometimes addresses: never kept in a shared cache or the back button.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    if g.get("set_pre_session"):
        response.set_cookie(csrf.PRE_SESSION_COOKIE, g.pre_session, httponly=True, secure=secure_cookies(),
                            samesite="Lax", path="/")
    if g.get("session_expired") and g.get("account") is None and not g.get("session_cleared"):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def replay_fields() -> list[tuple[str, str]]:
    """The posted fields of a replayable page, for the language switch to send again (in the body, never a URL)."""
    if request.method != "POST" or request.endpoint not in REPLAYABLE:
        return []
    return [(name, value) for name, value in request.form.items(multi=True) if name not in NOT_REPLAYED]


def secure_cookies() -> bool:
    configured = web().settings.secure_cookies
    return request.is_secure if configured is None else configured


def set_session_cookie(response, token: str) -> None:
    # No max-age: the cookie ends with the browser; the server ends the session after idling or 12 hours.
    response.set_cookie(SESSION_COOKIE, token, httponly=True, secure=secure_cookies(), samesite="Lax", path="/")


def safe_next(target: str | None) -> str | None:
    """A local path to return to after sign-in; anything pointing off-site is dropped."""
    if not target or len(target) > 300:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


def requires(*roles: str):
    """Only for a signed-in account with one of these roles; others go to sign-in or get 403."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            account = current_account()
            if account is None:
                if _wants_json():
                    return jsonify({"error": {"status": 401, "code": "unauthenticated",
                                              "message": "signed out"}}), 401
                reason = "expired" if g.get("session_expired") else None
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("web.sign_in", next=safe_next(target), reason=reason))
            if account.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def home_url(role: str) -> str:
    return url_for(HOME_OF_ROLE.get(role, "web.sign_in"))
