"""Provider pages: keep capacity current with one tap, accept or decline referrals while they are held."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ....shared.capacity import pool_of
from ..backend import BackendError
from ..blueprint import bp, requires
from ..context import claims_for, current_account, web
from ..forms import capacity_target
from ..errors import backend_text
from ..i18n import gettext


@bp.get("/capacity")
@requires("provider")
def capacity():
    account = current_account()
    claims = claims_for(account)
    providers, problems = [], []
    for provider_id in account.provider_ids:
        try:
            providers.append(web().backend.get_provider(claims, provider_id))
        except BackendError as err:
            problems.append(f"{provider_id}: {backend_text(err, g.locale, 'provider')}")
    pending = web().backend.list_referrals(claims, {"status": "pending", "size": 1})["total_items"]
    return render_template("provider/capacity.html", providers=providers, problems=problems, pending=pending,
                           msg=request.args.get("msg"), changed=request.args.get("id"))


@bp.post("/capacity/<uuid:provider_id>")
@requires("provider", "admin")
def capacity_update(provider_id):
    """+1, −1, "still correct" (the same number again, which refreshes `updated`) or a number."""
    account = current_account()
    claims = claims_for(account)
    backend = web().backend
    try:
        current = backend.get_provider(claims, str(provider_id))
    except BackendError as err:
        return render_template("error.html", title=gettext(g.locale, "Capacity"),
                               message=backend_text(err, g.locale, "provider")), err.status
    back = url_for("web.capacity") if account.role == "provider" else url_for("web.admin_providers")
    # A service with its own pool (service_capacity) is reported apart; without `need`, the main capacity.
    need = request.form.get("need") or None
    if need is not None and need not in (current.get("service_capacity") or {}):
        return render_template("error.html", title=gettext(g.locale, "Capacity"),
                               message=gettext(g.locale, "This service has no capacity of its own."), back=back), 400
    pool = pool_of(current, need)
    maximum = pool["maximum"]
    target = capacity_target(request.form, pool["available"], maximum)
    if target is None:
        return render_template("error.html", title=gettext(g.locale, "Capacity"),
                               message=gettext(g.locale, "Enter a number from {low} to {high}", low="0",
                                               high=str(maximum)), back=back), 400
    try:
        backend.set_capacity(claims, str(provider_id), target, need=need)
    except BackendError as err:
        return render_template("error.html", title=gettext(g.locale, "Capacity"),
                               message=backend_text(err, g.locale, "provider"), back=back), err.status
    msg = "confirmed" if request.form.get("action") == "confirm" else "saved"
    anchor = f"p-{provider_id}" if need is None else f"p-{provider_id}-{need}"
    return redirect(f"{back}?msg={msg}&id={provider_id}#{anchor}")


@bp.get("/incoming")
@requires("provider")
def incoming():
    """Referrals to this provider's places: pending first (with the hold time left), then recent ones."""
    claims = claims_for(current_account())
    backend = web().backend
    pending = backend.list_referrals(claims, {"status": "pending", "size": 100})
    recent = backend.list_referrals(claims, {"size": 25})
    recent_items = [r for r in recent["contents"] if r["status"] != "pending"]
    return render_template("provider/incoming.html", pending=pending["contents"], recent=recent_items,
                           msg=request.args.get("msg"), poll_seconds=web().settings.incoming_poll_seconds)


@bp.post("/referrals/<uuid:referral_id>/<any(accept, decline):verb>")
@requires("provider")
def referral_decide(referral_id, verb):
    try:
        web().backend.change_referral(claims_for(current_account()), str(referral_id), verb)
    except BackendError as err:
        return render_template("error.html", title=gettext(g.locale, "Referral"),
                               message=backend_text(err, g.locale, "referral"),
                               back=url_for("web.incoming")), err.status
    return redirect(url_for("web.incoming", msg="accepted" if verb == "accept" else "declined"))
