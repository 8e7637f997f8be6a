"""Caseworker pages: search providers, match one person or a group, refer, follow referrals."""
from __future__ import annotations

import secrets

from flask import g, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ....shared import vocabulary as v
from ....shared.case_reference import personal_data_in
from ....shared.text import unsafe_character
from ..backend import BackendError
from ..blueprint import NOT_REPLAYED, bp, requires
from ..context import claims_for, current_account, web
from ..forms import (api_field_errors, group_body, group_rows, language_display, match_body, parse_languages,
                     parse_point, point_error, resolve_point)
from ..formatting import local_time, time_left
from ..errors import backend_text
from ..i18n import gettext, term
from ..mapview import build_map

SEARCH_PAGE_SIZE = 20


def new_case_reference() -> str:
    """A suggestion the caseworker may keep or replace: random, so it says nothing about the person."""
    return "C-" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


# -- search ----------------------------------------------------------------------------------

@bp.route("/providers", methods=["GET", "POST"])
@requires("caseworker", "admin")
def providers():
    """Search with the API's filters. Posted, so a place typed here never lands in a URL or a history."""
    form = request.form if request.method == "POST" else MultiDict()
    errors: dict[str, str] = {}
    page_data = None
    if request.method == "POST":
        params, errors = _search_params(form)
        if not errors:
            try:
                page_data = web().backend.search_providers(claims_for(current_account()), params)
            except BackendError as err:
                errors = api_field_errors(err.fields, g.locale) or {"form": err.message}
    return render_template("caseworker/search.html", form=form, errors=errors, page=page_data)


def _search_params(form) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    params: dict = {"size": SEARCH_PAGE_SIZE, "page": _int(form.get("page"), 1)}
    if (form.get("q") or "").strip():
        params["q"] = form["q"].strip()[:200]
    types = [t for t in form.getlist("type") if t in v.PROVIDER_TYPES]
    if types:
        params["type"] = types
    if form.get("need") in v.NEEDS:
        params["need"] = form["need"]
    if (form.get("language") or "").strip():
        codes, problem = parse_languages(form["language"], g.locale)
        if problem or len(codes) != 1:
            errors["language"] = problem or gettext(g.locale, "Give one language")
        else:
            params["language"] = codes[0]
    if form.get("gender") in v.GENDERS:
        params["gender"] = form["gender"]
    if (form.get("age") or "").strip():
        age = _int(form["age"], None)
        if age is None or not 0 <= age <= 120:
            errors["age"] = gettext(g.locale, "Enter a number from {low} to {high}", low="0", high="120")
        else:
            params["age"] = age
    point = parse_point(form.get("near") or "")
    if point is not None:
        problem = point_error(point, g.locale)
        if problem:
            errors["near"] = problem
        else:
            params["near"] = point["place"] if "place" in point else f"{point['lat']},{point['lon']}"
            radius = (form.get("radius_km") or "").strip()
            if radius:
                try:
                    params["radius_km"] = float(radius.replace(",", "."))
                except ValueError:
                    errors["radius_km"] = gettext(g.locale, "Enter a number")
    elif (form.get("radius_km") or "").strip():
        errors["near"] = gettext(g.locale, "A radius needs a place")
    if form.get("available"):
        params["available"] = "true"
    return params, errors


def _int(text, default):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return default


@bp.get("/providers/<uuid:provider_id>")
@requires("caseworker", "admin", "provider")
def provider_detail(provider_id):
    account = current_account()
    if account.role == "provider" and str(provider_id) not in account.provider_ids:
        return render_template("error.html", title=gettext(g.locale, "Not allowed"),
                               message=gettext(g.locale, "You can see only your own providers.")), 403
    try:
        provider = web().backend.get_provider(claims_for(account), str(provider_id))
    except BackendError as err:
        return render_template("error.html", title=gettext(g.locale, "Provider"),
                               message=backend_text(err, g.locale, "provider")), err.status
    return render_template("caseworker/provider.html", provider=provider)


# -- matching one person -----------------------------------------------------------------------

@bp.route("/match", methods=["GET", "POST"])
@requires("caseworker")
def match():
    """The match form; posted, it shows ranked results. Nothing of the person is stored."""
    if request.method == "GET":
        return render_template("caseworker/match.html", form=MultiDict(), errors={}, avoid_rows=2)
    form = request.form
    avoid_rows = max(2, len(form.getlist("avoid_place")))
    if form.get("action") == "edit":
        # Back from the results to the form, filled in from the results page itself: nothing was kept.
        return render_template("caseworker/match.html", form=form, errors={}, avoid_rows=avoid_rows)
    parsed = match_body(form, g.locale)
    if not parsed.ok:
        return render_template("caseworker/match.html", form=form, errors=parsed.errors, avoid_rows=avoid_rows), 400
    try:
        answer = web().backend.match(claims_for(current_account()), parsed.body)
    except BackendError as err:
        errors = api_field_errors(err.fields, g.locale) or {"form": err.message}
        errors.setdefault("form", err.message)
        return render_template("caseworker/match.html", form=form, errors=errors,
                               avoid_rows=avoid_rows), 400 if err.status < 500 else err.status
    asked = [(name, value) for name, value in form.items(multi=True) if name not in ("csrf_token", "action", *NOT_REPLAYED)]
    return render_template("caseworker/results.html", answer=answer, body=parsed.body, asked=asked,
                           languages_text=language_display(parsed.body["languages"], g.locale),
                           numbers=_map_numbers(answer), svg=_results_map(parsed.body, answer),
                           case_reference=new_case_reference())


def _map_numbers(answer: dict) -> dict[str, int]:
    """One number per provider, in the order the results show them, shared by the list and the map."""
    numbers: dict[str, int] = {}
    for result in answer.get("results", []):
        for candidate in result.get("candidates", []):
            numbers.setdefault(candidate["provider"]["id"], len(numbers) + 1)
    return numbers


def _results_map(body: dict, answer: dict):
    locale = g.locale
    person = resolve_point(body.get("location"))
    avoid = []
    for area in body.get("avoid", []):
        point = resolve_point(area)
        if point:
            avoid.append((point[0], point[1], area["radius_km"],
                          gettext(locale, "Area to avoid: {km} km", km=f"{area['radius_km']:g}")))
    numbers = _map_numbers(answer)
    anchor = (answer.get("care_plan") or {}).get("anchor_provider_id")
    seen, candidates = set(), []
    for result in answer.get("results", []):
        for candidate in result.get("candidates", []):
            provider = candidate["provider"]
            if provider["id"] in seen:
                continue
            seen.add(provider["id"])
            location = provider.get("location") or {}
            approximate = location.get("precision_km", 0) > 0
            title = f"{numbers[provider['id']]}. {provider['name']} ({term(locale, 'need', result['need'])})"
            if approximate:
                title += " — " + gettext(locale, "approximate location")
            candidates.append({"lat": location.get("lat"), "lon": location.get("lon"),
                               "label": str(numbers[provider["id"]]), "title": title, "need": result["need"],
                               "kind": "anchor" if provider["id"] == anchor else "candidate"})
    candidates = [c for c in candidates if c["lat"] is not None and c["lon"] is not None]
    return build_map(person=person, person_title=gettext(locale, "Where the person is now"), avoid=avoid,
                     candidates=candidates)


# -- referrals -------------------------------------------------------------------------------

@bp.post("/referrals")
@requires("caseworker")
def refer():
    """Refer with one click from the results: holds one unit; JSON for the page script, else a redirect."""
    choice = request.form.get("choice") or ""
    provider_id, _, need = choice.partition("|")
    body = {"provider_id": provider_id or request.form.get("provider_id", ""),
            "need": need or request.form.get("need", ""),
            "case_reference": (request.form.get("case_reference") or "").strip()}
    hold = (request.form.get("hold_minutes") or "").strip()
    if hold:
        body["hold_minutes"] = _int(hold, 0)
    wants_json = request.accept_mimetypes.best == "application/json"
    problem = None
    if not body["case_reference"]:
        problem = gettext(g.locale, "Give a case reference first")
    elif unsafe_character(body["case_reference"]) or personal_data_in(body["case_reference"]):
        problem = gettext(g.locale, "This looks like personal data (a BSN, a date, an e-mail address or a phone "
                                    "number) or has characters a case reference cannot have. Use a reference from "
                                    "your case system: letters, digits, spaces and - _ . / : #")
    if problem:
        message = problem
        if wants_json:
            return jsonify({"error": {"status": 400, "code": "validation_error", "message": message,
                                      "fields": {"case_reference": [message]}}}), 400
        return render_template("error.html", title=gettext(g.locale, "Not referred"), message=message), 400
    try:
        referral = web().backend.create_referral(claims_for(current_account()), body)
    except BackendError as err:
        message = backend_text(err, g.locale, "provider")
        if wants_json:
            return jsonify({"error": {"status": err.status, "code": err.code, "message": message}}), err.status
        return render_template("error.html", title=gettext(g.locale, "Not referred"), message=message), err.status
    if wants_json:
        return jsonify({"referral": referral, "url": url_for("web.referral_detail", referral_id=referral["id"]),
                        "message": gettext(g.locale, "Referred: one place held until {time} ({left}).",
                                           time=local_time(referral["expires_at"], g.locale, with_date=False),
                                           left=time_left(referral["expires_at"], g.web_now, g.locale))}), 201
    return redirect(url_for("web.referral_detail", referral_id=referral["id"], msg="created"))


@bp.get("/referrals")
@requires("caseworker", "admin")
def referrals():
    status = request.args.get("status")
    params = {"page": max(_int(request.args.get("page"), 1), 1), "size": 25}
    if status in v.REFERRAL_STATUSES:
        params["status"] = status
    data = web().backend.list_referrals(claims_for(current_account()), params)
    return render_template("caseworker/referrals.html", page=data, status=status,
                           poll_seconds=web().settings.poll_seconds)


@bp.get("/referrals/<uuid:referral_id>")
@requires("caseworker", "provider", "admin")
def referral_detail(referral_id):
    try:
        referral = web().backend.get_referral(claims_for(current_account()), str(referral_id))
    except BackendError as err:
        return render_template("error.html", title=gettext(g.locale, "Referral"),
                               message=backend_text(err, g.locale, "referral")), err.status
    return render_template("caseworker/referral.html", referral=referral, msg=request.args.get("msg"),
                           poll_seconds=web().settings.poll_seconds)


@bp.post("/referrals/<uuid:referral_id>/cancel")
@requires("caseworker")
def referral_cancel(referral_id):
    try:
        web().backend.change_referral(claims_for(current_account()), str(referral_id), "cancel")
    except BackendError as err:
        return render_template("error.html", title=gettext(g.locale, "Referral"),
                               message=backend_text(err, g.locale, "referral")), err.status
    return redirect(url_for("web.referral_detail", referral_id=referral_id, msg="cancelled"))


# -- group placement -------------------------------------------------------------------------

@bp.route("/group", methods=["GET", "POST"])
@requires("caseworker")
def group():
    """Several people freed together: places assigned for the best total match under capacity."""
    if request.method == "GET":
        return render_template("caseworker/group.html", form=MultiDict(), errors={}, rows=3, answer=None,
                               avoid_rows=2)
    form = request.form
    rows = group_rows(form)
    avoid_rows = max(2, len(form.getlist("avoid_place")))
    if form.get("action") == "add_person":
        return render_template("caseworker/group.html", form=form, errors={}, rows=rows, answer=None,
                               avoid_rows=avoid_rows)
    parsed, used_rows = group_body(form, g.locale)
    if not parsed.ok:
        return render_template("caseworker/group.html", form=form, errors=parsed.errors, rows=rows, answer=None,
                               avoid_rows=avoid_rows), 400
    try:
        answer = web().backend.match_group(claims_for(current_account()), parsed.body)
    except BackendError as err:
        errors = _group_errors(err, used_rows)
        return render_template("caseworker/group.html", form=form, errors=errors, rows=rows, answer=None,
                               avoid_rows=avoid_rows), 400 if err.status < 500 else err.status
    # The matcher numbers people by their place in the request; the page by their form row.
    for item in answer.get("assignments", []) + answer.get("unassigned", []):
        item["row"] = used_rows[item["person"]] + 1
    return render_template("caseworker/group.html", form=form, errors={}, rows=rows, answer=answer,
                           need=parsed.body["need"], avoid_rows=avoid_rows, case_reference=new_case_reference())


def _group_errors(err: BackendError, used_rows: list[int]) -> dict[str, str]:
    fields = {}
    for name, messages in (err.fields or {}).items():
        parts = name.split(".")
        if parts[0] == "people" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(used_rows):
            parts[1] = str(used_rows[int(parts[1])])
        fields[".".join(parts)] = messages
    errors = api_field_errors(fields, g.locale)
    errors.setdefault("form", err.message)
    return errors
