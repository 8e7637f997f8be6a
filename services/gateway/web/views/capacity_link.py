"""The page a capacity reminder links to: confirm or update the count without signing in, once."""
from __future__ import annotations

from flask import g, render_template, request

from ....shared.signing import Claims
from ..backend import BackendError
from ..blueprint import bp
from ..context import web
from ..i18n import gettext

# The link is the credential: the directory checks its signature, its provider and that it is unused.
LINK_SUBJECT = "capacity-link"


def _provider_of(token: str) -> str | None:
    import base64
    import json

    try:
        body = token.split(".", 1)[0]
        return str(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["p"])
    except (ValueError, KeyError, TypeError):
        return None


@bp.route("/capacity/confirm/<string:token>", methods=["GET", "POST"])
def capacity_link(token: str):
    provider_id = _provider_of(token)
    if provider_id is None:
        return render_template("capacity_link.html", token=token, error=gettext(g.locale, "This link is not valid."),
                               done=False), 400
    if request.method == "GET":
        return render_template("capacity_link.html", token=token, error=None, done=False)
    raw = (request.form.get("available") or "").strip()
    body = {}
    if raw:
        if not raw.isdigit() or len(raw) > 6:
            return render_template("capacity_link.html", token=token, done=False,
                                   error=gettext(g.locale, "Enter a whole number of free places.")), 400
        body["available"] = int(raw)
    claims = Claims(role="provider", subject=LINK_SUBJECT, provider_ids=(provider_id,), request_id=g.get("request_id"))
    try:
        web().backend.confirm_capacity_link(claims, token, body)
    except BackendError as err:
        message = (gettext(g.locale, "This link was used already or the count has changed since. Nothing was saved.")
                   if err.status == 409 else gettext(g.locale, "This link is not valid."))
        return render_template("capacity_link.html", token=token, error=message, done=False), err.status
    return render_template("capacity_link.html", token=token, error=None, done=True)
