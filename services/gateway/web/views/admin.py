"""Admin pages: providers (create, edit, deactivate, confidential), accounts, API tokens, the audit log."""
from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta, timezone

from flask import Response, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ....shared import vocabulary as v
from ....shared.http import ServiceUnavailable
from ...accounts import AccountError
from ...accounts import service as accounts
from ...auth import issue_token, revoke_token
from ...context import gateway
from ...figures import csv_rows, gather
from ..backend import BackendError
from ..blueprint import bp, requires
from ..context import claims_for, current_account, web
from ..forms import api_field_errors, provider_form_values, provider_pools, provider_record
from ..charts import bar_chart
from ..i18n import gettext, term

PAGE_SIZE = 25


def _int(text, default):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return default


def _record(action: str, target: str | None, detail: str | None = None) -> None:
    web().backend.record(claims_for(current_account()), action, target, detail)


# -- providers -------------------------------------------------------------------------------

@bp.get("/admin/providers")
@requires("admin")
def admin_providers():
    params = {"include_inactive": "true", "size": PAGE_SIZE, "page": max(_int(request.args.get("page"), 1), 1)}
    q = (request.args.get("q") or "").strip()[:200]
    if q:
        params["q"] = q
    provider_type = request.args.get("type")
    if provider_type in v.PROVIDER_TYPES:
        params["type"] = provider_type
    data = web().backend.search_providers(claims_for(current_account()), params)
    return render_template("admin/providers.html", page=data, q=q, provider_type=provider_type,
                           msg=request.args.get("msg"))


@bp.route("/admin/providers/new", methods=["GET", "POST"])
@requires("admin")
def admin_provider_new():
    if request.method == "GET":
        return render_template("admin/provider_form.html", values=provider_form_values({}), errors={}, provider=None)
    parsed = provider_record(request.form, g.locale)
    parsed.body["service_capacity"] = provider_pools(request.form, parsed.body["services"], {}, g.locale,
                                                     parsed.errors)
    if parsed.ok:
        try:
            created = web().backend.create_provider(claims_for(current_account()), parsed.body)
            return redirect(url_for("web.admin_providers", msg="created", q=created["name"]))
        except BackendError as err:
            parsed.errors.update(api_field_errors(err.fields, g.locale) or {"form": err.message})
    return render_template("admin/provider_form.html", values=_echo(request.form), errors=parsed.errors,
                           provider=None), 400


@bp.route("/admin/providers/<uuid:provider_id>/edit", methods=["GET", "POST"])
@requires("admin")
def admin_provider_edit(provider_id):
    claims = claims_for(current_account())
    provider, version = web().backend.get_provider_version(claims, str(provider_id))
    if request.method == "GET":
        return render_template("admin/provider_form.html", values=provider_form_values(provider), errors={},
                               provider=provider, version=version)
    # The version the form was rendered with: a save over someone else's later change is refused, not lost.
    rendered_version = request.form.get("version") or None
    parsed = provider_record(request.form, g.locale)
    # The directory keeps every pool's live count (available, updated) whatever the form sends.
    parsed.body["service_capacity"] = provider_pools(request.form, parsed.body["services"],
                                                     provider.get("service_capacity") or {}, g.locale, parsed.errors)
    status = 400
    if parsed.ok:
        try:
            web().backend.replace_provider(claims, str(provider_id), parsed.body, if_match=rendered_version)
            return redirect(url_for("web.admin_providers", msg="saved", q=parsed.body["name"]))
        except BackendError as err:
            if err.status == 412:
                status = 409
                parsed.errors["form"] = gettext(
                    g.locale, "Someone else changed this provider after you opened it, so your changes were not "
                              "saved. Open the provider again to see the current version and make your changes there.")
            else:
                parsed.errors.update(api_field_errors(err.fields, g.locale) or {"form": err.message})
    return render_template("admin/provider_form.html", values=_echo(request.form), errors=parsed.errors,
                           provider=provider, version=rendered_version), status


def _echo(form) -> dict:
    """Posted values back into the form, lists kept as lists."""
    values = {key: form.get(key) for key in form}
    for key in ("services", "genders", "exploitation_types", "residence_statuses"):
        values[key] = form.getlist(key)
    for key in ("confidential", "accepts_children", "wheelchair_accessible"):
        values[key] = bool(form.get(key))
    values.setdefault("new_pool_unit", "appointment")
    return values


@bp.post("/admin/providers/<uuid:provider_id>/status")
@requires("admin")
def admin_provider_status(provider_id):
    status = request.form.get("status")
    if status not in v.PROVIDER_STATUSES:
        return render_template("error.html", title=gettext(g.locale, "Provider"),
                               message=gettext(g.locale, "Choose one of the options")), 400
    web().backend.patch_provider(claims_for(current_account()), str(provider_id), {"status": status})
    return redirect(url_for("web.admin_providers", msg="saved", q=request.form.get("q") or None))


@bp.post("/admin/providers/<uuid:provider_id>/confidential")
@requires("admin")
def admin_provider_confidential(provider_id):
    confidential = request.form.get("confidential") == "1"
    web().backend.patch_provider(claims_for(current_account()), str(provider_id),
                                 {"location": {"confidential": confidential}})
    return redirect(url_for("web.admin_providers", msg="saved", q=request.form.get("q") or None))


# -- accounts --------------------------------------------------------------------------------

@bp.get("/admin/accounts")
@requires("admin")
def admin_accounts():
    return _accounts_page()


def _accounts_page(*, form=None, errors=None, created=None, password=None, status=200):
    ctx = web()
    return render_template("admin/accounts.html", accounts=ctx.accounts.list_accounts(), now=ctx.now(),
                           form=form or MultiDict(), errors=errors or {}, created=created, password=password,
                           msg=request.args.get("msg")), status


@bp.post("/admin/accounts")
@requires("admin")
def admin_account_create():
    ctx = web()
    form = request.form
    provider_ids = tuple(p for p in (form.get("provider_ids") or "").replace(",", " ").split() if p)
    try:
        account, password = accounts.create_account(
            store=ctx.accounts, passwords=ctx.passwords, policy=ctx.settings.policy, email=form.get("email") or "",
            role=form.get("role") or "", provider_ids=provider_ids, password=form.get("password") or None,
            locale=form.get("locale") if form.get("locale") in ("nl", "en") else "nl", now=ctx.now())
    except AccountError as err:
        return _accounts_page(form=form, errors={err.field: err.message}, status=400)
    try:
        _record("account.create", account.subject, f"role={account.role}")
    except (BackendError, ServiceUnavailable):
        # An account nobody can trace back is not left usable.
        accounts.disable_account(store=ctx.accounts, account_id=account.id)
        return _accounts_page(form=form, errors={"form": gettext(
            g.locale, "The audit log did not answer, so the new account was disabled. Try again.")}, status=503)
    return _accounts_page(created=account, password=None if form.get("password") else password)


@bp.post("/admin/accounts/<uuid:account_id>/<any(disable, enable, 'reset-password'):verb>")
@requires("admin")
def admin_account_change(account_id, verb):
    ctx = web()
    account_id = str(account_id)
    if verb == "disable" and account_id == current_account().id:
        return _accounts_page(errors={"form": gettext(g.locale, "You cannot disable your own account.")},
                              status=400)
    try:
        if verb == "disable":
            account = accounts.disable_account(store=ctx.accounts, account_id=account_id)
        elif verb == "enable":
            account = accounts.enable_account(store=ctx.accounts, account_id=account_id)
        else:
            account, password = accounts.reset_password(store=ctx.accounts, passwords=ctx.passwords,
                                                        policy=ctx.settings.policy, account_id=account_id)
    except AccountError as err:
        return _accounts_page(errors={"form": err.message}, status=404)
    _record(f"account.{verb.replace('-', '_')}", account.subject)
    if verb == "reset-password":
        return _accounts_page(created=account, password=password)
    return redirect(url_for("web.admin_accounts", msg=verb))


# -- API tokens ------------------------------------------------------------------------------

@bp.get("/admin/tokens")
@requires("admin")
def admin_tokens():
    return _tokens_page()


def _tokens_page(*, form=None, errors=None, issued=None, status=200):
    ctx = gateway()
    return render_template("admin/tokens.html", tokens=ctx.auth_store.list(), now=ctx.clock(),
                           form=form or MultiDict(), errors=errors or {}, issued=issued,
                           msg=request.args.get("msg")), status


@bp.post("/admin/tokens")
@requires("admin")
def admin_token_issue():
    ctx = gateway()
    form = request.form
    role = form.get("role") or ""
    provider_ids = tuple(p for p in (form.get("provider_ids") or "").replace(",", " ").split() if p)
    try:
        token_id, plaintext = issue_token(ctx.auth_store, role=role, provider_ids=provider_ids,
                                          name=(form.get("name") or "").strip()[:100], now=ctx.clock(),
                                          audit=_record)
    except ValueError as err:
        return _tokens_page(form=form, errors={"form": str(err)}, status=400)
    return _tokens_page(issued={"id": token_id, "token": plaintext})


@bp.post("/admin/tokens/<uuid:token_id>/revoke")
@requires("admin")
def admin_token_revoke(token_id):
    ctx = gateway()
    revoke_token(ctx.auth_store, token_id=str(token_id), now=ctx.clock(), audit=_record)
    return redirect(url_for("web.admin_tokens", msg="revoked"))


# -- audit log -------------------------------------------------------------------------------

AUDIT_FILTERS = ("actor", "action", "target")
# Every action the log holds, shown in words on the page ("audit:<action>" in the catalogues).
AUDIT_ACTIONS = ("account.create", "account.disable", "account.enable", "account.locked", "account.reset_password", "account.sign_in", "account.sign_in_failed", "account.second_factor_enrolled", "account.second_factor_failed", "account.recovery_code_used", "account.reset_second_factor", "address.reveal", "admin.request", "capacity.update", "provider.create", "provider.delete", "provider.update", "referral.accept", "referral.cancel", "referral.create", "referral.decline", "referral.expire", "token.issue", "token.revoke", "stats.read")


@bp.get("/admin/audit")
@requires("admin")
def admin_audit():
    params: dict = {"size": 50, "page": max(_int(request.args.get("page"), 1), 1)}
    errors: dict[str, str] = {}
    for name in AUDIT_FILTERS:
        value = (request.args.get(name) or "").strip()[:200]
        if value:
            params[name] = value
    if "@" in params.get("actor", ""):
        # Admins know people by email; the log knows them as user:<id>.
        found = web().accounts.find_by_email(params["actor"].lower())
        params["actor"] = found.subject if found else params["actor"]
    for name, days_after in (("since", 0), ("until", 1)):
        value = (request.args.get(name) or "").strip()
        if value:
            try:
                day = datetime.strptime(value, "%Y-%m-%d").date()
            except ValueError:
                errors[name] = gettext(g.locale, "Use the form YYYY-MM-DD")
                continue
            # "until" a day includes that whole day: the directory filters at < until.
            params[name] = datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=timezone.utc).isoformat()
    data = None
    if not errors:
        try:
            data = web().backend.audit_log(claims_for(current_account()), params)
        except BackendError as err:
            errors = api_field_errors(err.fields, g.locale) or {"form": err.message}
    emails = {account.subject: account.email for account in web().accounts.list_accounts()}
    return render_template("admin/audit.html", page=data, errors=errors, args=request.args, emails=emails,
                           names=_provider_names(data), actions=AUDIT_ACTIONS)


def _provider_names(page: dict | None) -> dict[str, str]:
    """Names of the providers this page of the log is about, so an admin reads names instead of ids."""
    targets = {entry["target"] for entry in (page or {}).get("contents", []) if entry.get("target")}
    if not targets:
        return {}
    listing = web().backend.search_providers(claims_for(current_account()), {"include_inactive": "true", "size": 100})
    return {p["id"]: p["name"] for p in listing["contents"] if p["id"] in targets}


# -- figures ---------------------------------------------------------------------------------

RECENT_WEEKS = 4  # weeks of capacity history drawn; the table below the charts has them all

def _figures() -> dict:
    claims = claims_for(current_account())
    backend = web().backend

    def fetch(path: str, params: dict) -> dict:
        reads = {"/referrals": backend.list_referrals, "/providers": backend.search_providers,
                 "/figures": lambda claims, _: backend.recorded_figures(claims)}
        return reads[path](claims, params)

    return gather(fetch, web().now())


@bp.get("/admin/figures")
@requires("admin")
def admin_figures():
    """Aggregate figures with bar charts drawn on the server; small counts suppressed."""
    figures = _figures()

    def bars(rows, key, value):
        return bar_chart([(term(g.locale, "need", row[key]) if key == "need" else row[key], row[value])
                          for row in rows])

    recent = sorted({row["week"] for row in figures["capacity_by_week"]})[-RECENT_WEEKS:]
    by_week = [row for row in sorted(figures["capacity_by_week"], key=lambda r: (r["region"], r["week"]))
               if row["week"] in recent]

    def weekly(value):
        return bar_chart([(f"{row['region']} · {row['week']}", row[value]) for row in by_week], label_width=210)

    unmet, groups = figures["unmet_needs"], figures["group_placements"]
    return render_template(
        "admin/figures.html", figures=figures, recent_weeks=recent,
        unmet_by_need=bars(unmet["by_need"], "need", "unmet"),
        unmet_share_by_week=bars(unmet["by_week"], "week", "unmet_percent"),
        unmet_by_region=bars(unmet["by_region"], "region", "unmet"),
        unplaced_by_week=bars(groups["by_week"], "week", "unplaced"),
        occupancy_by_week=weekly("occupancy_percent"),
        stale_by_week=weekly("stale_percent"),
        placements_by_week=bars(figures["by_week"], "week", "placements"),
        placements_by_region=bars(figures["by_region"], "region", "placements"),
        declines_by_region=bars(figures["by_region"], "region", "declines"),
        decision_by_week=bars(figures["time_to_decision_hours"]["by_week"], "week", "median"),
        occupancy_by_region=bars(figures["capacity_by_region"], "region", "occupancy_percent"),
        stale_by_region=bars(figures["capacity_by_region"], "region", "stale_providers"))


@bp.get("/admin/figures.csv")
@requires("admin")
def admin_figures_csv():
    """The same figures as CSV, suppressed the same way."""
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(_figures()))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=haven-figures.csv"})
