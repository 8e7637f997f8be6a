"""Small JSON endpoints for the page script: language and place suggestions, referral status.

Suggestions are POSTed: what is typed describes a person, and rule 2 keeps that out of URLs.
"""
from __future__ import annotations

from flask import g, jsonify, request, url_for

from ....shared.jsonbody import load_body
from ....shared.languages import suggest_languages
from ....shared.places import shares_name, suggest_places
from ..blueprint import bp, requires
from ..context import claims_for, current_account, web
from ..formatting import local_time, time_left
from ..i18n import term

MAX_STATUS_IDS = 100


def _query() -> str:
    body = load_body() or {}
    query = body.get("q") if isinstance(body, dict) else None
    return query.strip()[:60] if isinstance(query, str) else ""


@bp.post("/ui/languages")
@requires("caseworker", "admin", "provider")
def ui_languages():
    return jsonify({"suggestions": [{"code": code, "name": name, "label": f"{name} ({code})"}
                                    for code, name in suggest_languages(_query(), g.locale, limit=8)]})


@bp.post("/ui/places")
@requires("caseworker", "admin")
def ui_places():
    # A name places in several municipalities share is offered with its municipality, so it resolves.
    return jsonify({"suggestions": [{"name": place.name, "province": place.province,
                                     "municipality": place.municipality,
                                     "label": place.label if shares_name(place) else place.name}
                                    for place in suggest_places(_query(), limit=8)]})


@bp.get("/ui/referrals/status")
@requires("caseworker", "provider", "admin")
def ui_referral_status():
    """The live status of referrals shown on a page, and how many wait for this provider's answer."""
    account = current_account()
    claims = claims_for(account)
    ids = set(request.args.getlist("id")[:MAX_STATUS_IDS])
    backend = web().backend
    found = {}
    # From the list, never one by one: reading an accepted referral reveals (and audits) an address.
    listing = backend.list_referrals(claims, {"size": MAX_STATUS_IDS}) if ids else {"contents": []}
    for referral in listing["contents"]:
        if referral["id"] not in ids:
            continue
        pending = referral["status"] == "pending"
        found[referral["id"]] = {"status": referral["status"],
                                 "status_text": term(g.locale, "status", referral["status"]),
                                 "left": time_left(referral["expires_at"], g.web_now, g.locale) if pending else "",
                                 "expires_at": local_time(referral["expires_at"], g.locale),
                                 "url": url_for("web.referral_detail", referral_id=referral["id"])}
    answer = {"referrals": found}
    if account.role == "provider":
        answer["pending"] = backend.list_referrals(claims, {"status": "pending", "size": 1})["total_items"]
    return jsonify(answer)
