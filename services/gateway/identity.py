"""Who is calling (bearer tokens) and whether they may: the gateway's first check of every operation."""
from __future__ import annotations

import logging
from functools import wraps

from flask import Flask, g, request

from ..shared.errors import ApiError, forbidden
from ..shared.http import ServiceUnavailable
from .access import OPERATIONS
from .auth import AuthStoreUnavailable, InvalidToken, authenticate
from .context import gateway
from .forwarding import call

log = logging.getLogger(__name__)
ADMIN_REQUEST = "admin.request"


def init_identity(app: Flask) -> None:
    """Resolve a bearer token to g.principal before rate limits and views run; refusing is the view's job."""

    @app.before_request
    def _identify():
        header = request.headers.get("Authorization")
        if not header or g.get("principal") is not None:
            return None
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            g.auth_failure = "malformed"
            return None
        ctx = gateway()
        try:
            g.principal = authenticate(ctx.auth_store, presented.strip(), ctx.clock())
        except InvalidToken as err:
            g.auth_failure = str(err)
        except AuthStoreUnavailable:
            log.error("auth store unavailable")
            raise ApiError(503, "auth_unavailable", "signing in is unavailable; try again shortly",
                           headers={"Retry-After": "5"}) from None
        return None


def unauthenticated() -> ApiError:
    # One answer for unknown, revoked and expired tokens: the caller learns nothing about which tokens exist.
    failure = g.get("auth_failure")
    challenge = 'Bearer realm="haven"' + (', error="invalid_token"' if failure else "")
    message = "the token is not valid (unknown, revoked or expired)" if failure else "a bearer token is required"
    return ApiError(401, "unauthenticated", message, headers={"WWW-Authenticate": challenge})


def authorise(operation: str):
    """Let the view run only for a caller whose role may perform `operation`.

    Every use of an admin token is recorded first, refused attempts included.
    """
    access = OPERATIONS[operation]

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = g.get("principal")
            if principal is None:
                if g.get("auth_failure"):
                    log.info("refused token", extra={"reason": g.auth_failure})
                raise unauthenticated()
            params = {**request.args.to_dict(flat=False),
                      **{name: [str(value)] for name, value in (request.view_args or {}).items()}}
            allowed = access.permits(principal, params)
            if principal.is_admin:
                record_admin_request(refused=not allowed)
            if not allowed:
                raise forbidden(_refusal(operation, principal.role))
            return view(*args, **kwargs)

        guarded.operation = operation  # type: ignore[attr-defined]
        return guarded

    return decorate


def _refusal(operation: str, role: str) -> str:
    if role == "provider" and role in OPERATIONS[operation].roles:
        return "a provider token may act only for its own providers"
    return f"not allowed for the {role} role"


def record_admin_request(*, refused: bool = False) -> None:
    """Append admin.request to the audit log before anything is done: the route template, never a body."""
    route = request.url_rule.rule if request.url_rule else request.path
    directory = gateway().directory
    detail = f"{request.method} refused" if refused else request.method
    answer = call(directory, "POST", "/audit", body={"action": ADMIN_REQUEST, "target": route[:200], "detail": detail})
    if answer.status_code != 204:
        log.error("audit log refused an admin request record", extra={"status": answer.status_code})
        raise ServiceUnavailable(directory.service)
