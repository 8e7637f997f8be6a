"""Notification pages: each account's channels, a caseworker's waiting list, the admins' deliveries."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..backend import BackendError
from ..blueprint import bp, requires
from ..context import claims_for, current_account, web


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires("caseworker", "provider", "admin")
def account_notifications():
    account = current_account()
    claims = claims_for(account)
    if request.method == "POST":
        wanted = request.form.get("email") == "on"
        try:
            # The account's own address, never one typed in: mail goes only where the account signs in.
            web().backend.set_mail(claims, account.email if wanted else None)
        except BackendError as err:
            if err.status != 409:
                raise
        return redirect(url_for("web.account_notifications", msg="saved"))
    channels = web().backend.notification_channels(claims)
    return render_template("notifications.html", channels=channels, email=account.email,
                           webhooks=[w for w in channels["webhooks"] if not w["url"].startswith("mailto:")],
                           msg=request.args.get("msg"))


@bp.get("/waitlist")
@requires("caseworker")
def waitlist():
    entries = web().backend.waitlist(claims_for(current_account()))
    return render_template("caseworker/waitlist.html", entries=entries, msg=request.args.get("msg"))


@bp.post("/waitlist/<uuid:entry_id>/leave")
@requires("caseworker")
def waitlist_leave(entry_id):
    try:
        web().backend.leave_waitlist(claims_for(current_account()), str(entry_id))
    except BackendError as err:
        if err.status != 404:
            raise
    return redirect(url_for("web.waitlist", msg="left"))


@bp.get("/admin/deliveries")
@requires("admin")
def admin_deliveries():
    report = web().backend.delivery_report(claims_for(current_account()))
    return render_template("admin/deliveries.html", counts=report["counts"], problems=report["problems"])
