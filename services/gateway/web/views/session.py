"""Signing in and out, the home page of each role, and the page language."""
from __future__ import annotations

import hashlib
import hmac
import logging

import segno
from flask import g, make_response, redirect, render_template, request, url_for
from markupsafe import Markup

from ....shared.http import ServiceUnavailable
from ....shared.signing import Claims
from ...accounts import second_factor
from ...accounts import service as accounts
from ...context import gateway
from .. import pending
from ..backend import BackendError
from ..blueprint import (LOCALE_COOKIE, REPLAYABLE, SESSION_COOKIE, bp, home_url, safe_next, secure_cookies,
                         set_session_cookie)
from ..context import claims_for, current_account, web
from ..i18n import LOCALES, gettext

log = logging.getLogger(__name__)

PENDING_COOKIE = "haven_pending"


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
                              email=email, password=request.form.get("password") or "", now=ctx.now(),
                              second_factor=_needs_code)
    if result.needs_code:
        response = make_response(redirect(url_for("web.sign_in_code", next=target)))
        response.set_cookie(PENDING_COOKIE, pending.issue(_pending_key(), result.account, ctx.now()),
                            max_age=int(pending.LIFETIME.total_seconds()), httponly=True, secure=secure_cookies(),
                            samesite="Lax", path="/sign-in")
        return response
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
    return _signed_in(result, target)


def _signed_in(result, target, *, page=None):
    """Every factor checked: the session cookie, the language cookie, and the way on (or a page to show)."""
    g.account, g.web_session = result.account, result.session
    record_quietly(result.account, "account.sign_in")
    response = make_response(page if page is not None else redirect(target or home_url(result.account.role)))
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.sign_out(store=web().accounts, token=old)
    set_session_cookie(response, result.token)
    response.set_cookie(LOCALE_COOKIE, result.account.locale, max_age=365 * 24 * 3600, httponly=True,
                        secure=secure_cookies(), samesite="Lax", path="/")
    response.delete_cookie(PENDING_COOKIE, path="/sign-in")
    return response


def _needs_code(account) -> bool:
    return second_factor.needs_second_factor(account, caseworkers_too=web().settings.second_factor_caseworkers)


def _pending_key() -> bytes:
    return hmac.new(gateway().settings.secret_key, b"haven web second factor", hashlib.sha256).digest()


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    """The second step: a code from the authenticator app, or setting one up on the first sign-in."""
    ctx = web()
    target = safe_next(request.values.get("next"))
    account = pending.resolve(_pending_key(), request.cookies.get(PENDING_COOKIE), ctx.accounts, ctx.now())
    if account is None:
        return redirect(url_for("web.sign_in", next=target, reason="code_expired"))
    enrolling = not account.totp_enabled
    if enrolling:
        account = second_factor.begin_enrolment(store=ctx.accounts, account=account)
    error = None
    if request.method == "POST":
        check = second_factor.check_code(store=ctx.accounts, policy=ctx.settings.policy, account=account,
                                         code=request.form.get("code") or "", now=ctx.now())
        if check.ok:
            if check.recovery_codes:
                record_quietly(check.account, "account.second_factor_enrolled")
            if check.used_recovery_code:
                record_quietly(check.account, "account.recovery_code_used",
                               detail=f"{len(check.account.recovery_hashes)} left")
            result = accounts.finish_sign_in(store=ctx.accounts, policy=ctx.settings.policy, account=check.account,
                                             now=ctx.now())
            page = None
            if check.recovery_codes:
                g.account = result.account
                page = render_template("recovery_codes.html", codes=check.recovery_codes,
                                       next=target or home_url(result.account.role))
            return _signed_in(result, target, page=page)
        record_quietly(check.account, "account.second_factor_failed", detail=check.refused)
        if check.just_locked:
            record_quietly(check.account, "account.locked",
                           detail=f"after {ctx.settings.policy.max_failures} failed sign-ins")
        minutes = int(ctx.settings.policy.lock_duration.total_seconds() // 60)
        error = {"locked": gettext(g.locale, "Too many failed sign-ins: this account is locked for {minutes} "
                                             "minutes. An admin can unlock it sooner.", minutes=minutes),
                 "disabled": gettext(g.locale, "This account is disabled. Ask an admin.")}.get(
            check.refused, gettext(g.locale, "That code is not right. Type the 6 digits your app shows now."))
    qr = secret = None
    if enrolling:
        uri = second_factor.provisioning_uri(account)
        qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=True))
        secret = " ".join(account.totp_secret[i:i + 4] for i in range(0, len(account.totp_secret), 4))
    return render_template("sign_in_code.html", enrolling=enrolling, qr=qr, secret=secret, error=error,
                           next=target), 401 if error else 200


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
