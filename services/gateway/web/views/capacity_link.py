"""The page a capacity reminder links to: confirm or update the counts it asks about without signing in, once."""
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


def field_name(need: str | None) -> str:
    """The form field of a pool's new count: `available` for the main pool, `counts-<need>` for a need's own."""
    return "available" if need is None else f"counts-{need}"


def _api_field(name: str) -> str:
    """The form field of the directory's field name (`available`, `counts.<need>`)."""
    return name.replace("counts.", "counts-", 1)


def _page(token: str, pools: list[dict] | None, *, errors: dict | None = None, error: str | None = None,
          done: bool = False, status: int = 200):
    return render_template("capacity_link.html", token=token, pools=pools or [], errors=errors or {}, error=error,
                           done=done, form=request.form, field_name=field_name), status


def _refused(token: str, err: BackendError):
    message = (gettext(g.locale, "This link was used already or the count has changed since. Nothing was saved.")
               if err.status == 409 else gettext(g.locale, "This link is not valid."))
    return _page(token, None, error=message, status=err.status)


@bp.route("/capacity/confirm/<string:token>", methods=["GET", "POST"])
def capacity_link(token: str):
    provider_id = _provider_of(token)
    if provider_id is None:
        return _page(token, None, error=gettext(g.locale, "This link is not valid."), status=400)
    claims = Claims(role="provider", subject=LINK_SUBJECT, provider_ids=(provider_id,), request_id=g.get("request_id"))
    backend = web().backend
    try:
        pools = backend.capacity_link_pools(claims, token)["pools"]
    except BackendError as err:
        return _refused(token, err)
    if request.method == "GET":
        return _page(token, pools)
    body: dict = {"counts": {}}
    errors = {}
    for pool in pools:
        name = field_name(pool["need"])
        raw = (request.form.get(name) or "").strip()
        if not raw:
            continue  # confirmed as it is
        if not raw.isdigit() or len(raw) > 6:
            errors[name] = gettext(g.locale, "Enter a whole number of free places.")
        elif pool["need"] is None:
            body["available"] = int(raw)
        else:
            body["counts"][pool["need"]] = int(raw)
    if errors:
        return _page(token, pools, errors=errors, status=400,
                     error=gettext(g.locale, "Nothing was saved. Correct the marked fields."))
    try:
        backend.confirm_capacity_link(claims, token, body)
    except BackendError as err:
        if err.status == 400 and err.fields:
            errors = {_api_field(name): "; ".join(messages) if isinstance(messages, list) else str(messages)
                      for name, messages in err.fields.items()}
            return _page(token, pools, errors=errors,
                         error=gettext(g.locale, "Nothing was saved. Correct the marked fields."), status=400)
        return _refused(token, err)
    return _page(token, pools, done=True)
