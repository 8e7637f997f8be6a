"""Forwarding a public request to an internal service as the signed caller, and its answer back."""
from __future__ import annotations

import logging

import requests
from flask import Response, g, request

from ..shared.errors import ApiError
from ..shared.http import ServiceClient, ServiceUnavailable
from ..shared.jsonbody import load_body
from ..shared.signing import Claims
from ..shared.identity import Caller
from .context import gateway

log = logging.getLogger(__name__)
# Headers of an internal answer passed on; the rest (server, date, request id, any internal URL) are not.
PASSED_HEADERS = ("Retry-After", "ETag")
# Headers of a public request passed on to the internal service: preconditions the service decides.
FORWARDED_HEADERS = ("If-Match",)


def claims_of(principal: Caller) -> Claims:
    return Claims(role=principal.role, subject=principal.subject, provider_ids=principal.provider_ids,
                  request_id=g.get("request_id"))


def json_body():
    """The request's JSON body, unchanged, or None when there is none; 400 when it is not JSON, too deep or
    repeats a key."""
    return load_body()


def query_params() -> dict[str, list[str]]:
    """The query string as given, repeated keys kept (type=shelter&type=medical)."""
    return request.args.to_dict(flat=False)


def forwarded_headers() -> dict[str, str]:
    """The request's preconditions (If-Match), as given, for the internal service to decide."""
    return {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}


def call(client: ServiceClient, method: str, path: str, *, params: dict | None = None, body=None,
         claims: Claims | None = None, headers: dict | None = None) -> requests.Response:
    """One signed call as the current caller; a refused signature is the gateway's fault, never the caller's."""
    answer = client.request(method, path, claims or claims_of(g.principal), params=params, json_body=body,
                            headers=headers)
    if answer.status_code == 401:
        log.error("internal service refused the gateway's signature",
                  extra={"target_service": client.service})
        raise ServiceUnavailable(client.service)
    return answer


def passthrough(answer: requests.Response, service: str) -> Response:
    """The internal service's status and JSON body, as they are."""
    if answer.status_code == 204:
        return Response(status=204)
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        log.error("internal service answered without JSON",
                  extra={"target_service": service, "status": answer.status_code})
        raise ApiError(502, "bad_gateway", f"the {service} service gave an unexpected answer")
    response = Response(answer.content, status=answer.status_code, content_type="application/json")
    for name in PASSED_HEADERS:
        if name in answer.headers:
            response.headers[name] = answer.headers[name]
    return response


def to_directory(method: str, path: str, *, params: dict | None = None, body=None,
                 headers: dict | None = None) -> Response:
    client = gateway().directory
    return passthrough(call(client, method, path, params=params, body=body, headers=headers), client.service)


def to_matcher(method: str, path: str, *, body=None) -> Response:
    client = gateway().matcher
    return passthrough(call(client, method, path, body=body), client.service)
