"""Signing in and out, the home page of each role, and the page language."""
from __future__ import annotations

import hashlib
import hmac
import logging

from flask import g, make_response, redirect, render_template, request, url_for

from ....shared.http import ServiceUnavailable
from ....shared.signing import Claims
from ...accounts import service as accounts
from ...context import gateway
from ..backend import BackendError
from ..blueprint import (LOCALE_COOKIE, REPLAYABLE, SESSION_COOKIE, bp, home_url, safe_next, secure_cookies,
                         set_session_cookie)
from ..context import claims_for, current_account, web
from ..i18n import LOCALES, gettext

log = logging.getLogger(__name__)


def record_quietly(account, action: str, target: str | None = None, detail: str | None = None) -> None:
    """Sign-in events join the audit log; a directory that is briefly down does not stop anyone signing in."""
    try:
        web().backend.record(claims_for(account), action, target or account.subject, detail)
    except (BackendError, ServiceUnavailable):
        log.warning("could not record a sign-in event", extra={"action": action})


def record_failed_sign_in(result, email: str) -> None:
    """Each refused sign-in joins the audit log; never the password.

    An address with an account is known by its account; an address without one may be someone's mistyped
    own address, so only a keyed hash of it is kept: repeated tries at one address show up as one hash.
    """
    if result.account is not None:
        record_quietly(result.account, "account.sign_in_failed", detail=result.refused)
        return
    digest = hmac.new(gateway().settings.secret_key, email.strip().lower().encode("utf-8"), hashlib.sha256)
    try:
        web().backend.record(Claims(role="admin", subject="gateway", request_id=g.get("request_id")),
                             "account.sign_in_failed", None, f"unknown account {digest.hexdigest()[:12]}")
    except (BackendError, ServiceUnavailable):
        log.warning("could not record a failed sign-in")


@bp.get("/")
def home():
    account = current_account()
    if account is None:
        return redirect(url_for("web.sign_in"))
    return redirect(home_url(account.role))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    ctx = web()
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_account() is not None:
            return redirect(target or home_url(current_account().role))
        idle_minutes = max(1, round(ctx.settings.policy.idle_timeout.total_seconds() / 60))
        return render_template("sign_in.html", next=target, reason=request.args.get("reason"), email="",
                               idle_minutes=idle_minutes)
    email = (request.form.get("email") or "").strip()[:254]
    result = accounts.sign_in(store=ctx.accounts, passwords=ctx.passwords, policy=ctx.settings.policy,
                              email=email, password=request.form.get("password") or "", now=ctx.now())
    if not result.ok:
        record_failed_sign_in(result, email)
        if result.just_locked:
            record_quietly(result.account, "account.locked",
                           detail=f"after {ctx.settings.policy.max_failures} failed sign-ins")
        minutes = int(ctx.settings.policy.lock_duration.total_seconds() // 60)
        message = {
            "locked": gettext(g.locale, "Too many failed sign-ins: this account is locked for {minutes} minutes. "
                                        "An admin can unlock it sooner.", minutes=minutes),
            "disabled": gettext(g.locale, "This account is disabled. Ask an admin."),
        }.get(result.refused, gettext(g.locale, "Wrong email address or password."))
        return render_template("sign_in.html", next=target, error=message, email=email), 401
    g.account, g.web_session = result.account, result.session
    record_quietly(result.account, "account.sign_in")
    response = make_response(redirect(target or home_url(result.account.role)))
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.sign_out(store=ctx.accounts, token=old)
    set_session_cookie(response, result.token)
    response.set_cookie(LOCALE_COOKIE, result.account.locale, max_age=365 * 24 * 3600, httponly=True,
                        secure=secure_cookies(), samesite="Lax", path="/")
    return response


@bp.post("/sign-out")
def sign_out():
    accounts.sign_out(store=web().accounts, token=request.cookies.get(SESSION_COOKIE))
    response = make_response(redirect(url_for("web.sign_in", reason="signed_out")))
    response.delete_cookie(SESSION_COOKIE, path="/")
    g.session_cleared = True
    return response


@bp.post("/language")
def language():
    """Switch between Dutch and English; kept on the account, and in a cookie before sign-in."""
    locale = request.form.get("locale")
    if locale not in LOCALES:
        locale = "nl"
    account = current_account()
    if account is not None:
        g.account = accounts.set_locale(store=web().accounts, account=account, locale=locale)
    target = safe_next(request.form.get("next"))
    if request.form.get("replay") and target in REPLAYABLE.values():
        # 307 keeps the method and body: the results are made again in the new language, and the form's
        # contents (a place, areas to avoid) stay in a POST body instead of landing in a URL.
        response = make_response(redirect(target, code=307))
    else:
        response = make_response(redirect(target or url_for("web.home")))
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, secure=secure_cookies(),
                        samesite="Lax", path="/")
    return response
