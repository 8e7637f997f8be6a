"""The OpenAPI document: the gateway's Api, the shared error answers, and a decorator per operation."""
from __future__ import annotations


from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask_smorest import Api, Blueprint

from ...shared.schemas import ErrorSchema
from .examples import error as error_example

PREFIX = "/api/v1"
BEARER = "bearerAuth"

_RATE_HEADERS = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
ERROR_RESPONSES: dict[int, tuple[str, str, dict]] = {
    400: ("BadRequest", "Bad input; `error.fields` names each field and what is wrong with it. A place name "
                        "places in several municipalities share gets code `ambiguous_place` with `error.field` and "
                        "`error.choices` (name, municipality, province, value): send a choice's value", {}),
    401: ("Unauthenticated", "No token, or one that is unknown, revoked or expired",
          {"WWW-Authenticate": {"schema": {"type": "string"}}}),
    403: ("Forbidden", "The token's role may not do this, or not for this provider", {}),
    404: ("NotFound", "No such resource (or one this token may not see)", {}),
    405: ("MethodNotAllowed", "The path exists but not with this method", {"Allow": {"schema": {"type": "string"}}}),
    409: ("Conflict", "The state does not allow it: no free capacity, or the referral is no longer pending", {}),
    412: ("PreconditionFailed", "`If-Match` names a version the provider is no longer at (or there is no such "
                                "provider): nothing was written; read it again and make the change on that", {}),
    413: ("BodyTooLarge", "The body is larger than 1 MiB", {}),
    429: ("RateLimited", "Too many requests for this token or address", _RATE_HEADERS),
    502: ("BadGateway", "An internal service gave an answer the gateway could not pass on", {}),
    503: ("ServiceUnavailable", "An internal service (named in the message) is down; try again shortly",
          _RATE_HEADERS),
}
# Refused by the web server (gunicorn) before Haven reads the request, so not in Haven's error shape.
REQUEST_LINE_TOO_LONG = ("RequestLineTooLong", {
    "description": "The path and query together are longer than 8,190 bytes (only values past their documented "
                   "limits get there); the web server refuses the request before Haven reads it, with a short HTML "
                   "page",
    "content": {"text/html": {"schema": {"type": "string"}}}})
READ_ERRORS = (401, 403, 429, 503)
ETAG_HEADER = {"ETag": {"description": "the version of the provider in this answer: send it as `If-Match` to change "
                                       "exactly this version", "schema": {"type": "string"}}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
            "description": "the `ETag` of the version you read (or several, comma-separated; `*` for any): the write "
                           "is refused with 412 when the provider changed since. Without it the write goes ahead; "
                           "capacity counts are never written by an edit either way"}
WRITE_ERRORS = (400, 401, 403, 413, 429, 503)
ACCEPT_LANGUAGE = {"in": "header", "name": "Accept-Language", "required": False, "schema": {"type": "string"},
                   "example": "nl", "description": "the language of every reason's `text`: `nl` (Dutch) or `en` "
                                                   "(English, also when missing or naming neither); the answer says "
                                                   "which in `Content-Language`"}
CONTENT_LANGUAGE = {"Content-Language": {"description": "the language of the reasons' texts: `en` or `nl`",
                                         "schema": {"type": "string", "enum": ["en", "nl"]}}}


def schema_name(schema) -> str:
    """Component names; the matcher's are prefixed so they never collide with the directory's."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema") or cls.__name__
    if cls.__module__.startswith("services.matcher") and not name.startswith("Match"):
        name = f"Match{name}"
    if getattr(schema, "partial", False):
        name = f"Partial{name}"
    return name


class GatewayApi(Api):
    ERROR_SCHEMA = ErrorSchema
    # Every operation lists its own error answers instead of one generic default.
    DEFAULT_ERROR_RESPONSE_NAME = None


def create_api(app) -> GatewayApi:
    app.config.update(API_TITLE="Haven API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
                      OPENAPI_URL_PREFIX=PREFIX, OPENAPI_JSON_PATH="openapi.json",
                      API_SPEC_OPTIONS={
                          "info": {"description": (
                              "Find shelter, care, legal help, interpreters and return support for people "
                              "freed from human trafficking. Send `Authorization: Bearer <token>`; tokens "
                              "are issued with `haven tokens issue`. Every answer carries `X-Request-ID`; "
                              "errors share one shape: `{\"error\": {status, code, message, fields?, "
                              "request_id}}`.")},
                      })
    api = GatewayApi(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)})
    api.spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer",
                                                 "description": "an API token: hvn_..."})
    for status, (name, description, headers) in ERROR_RESPONSES.items():
        answer = {"description": description, "content": {"application/json": {
            "schema": ErrorSchema, "example": error_example(status, name, description)}}}
        if headers:
            answer["headers"] = headers
        api.spec.components.response(name, answer)
    api.spec.components.response(*REQUEST_LINE_TOO_LONG)
    return api


def operation(blp: Blueprint, operation_id: str, *, answer=None, status: int = 200, description: str | None = None,
              body=None, query=None, errors=READ_ERRORS, public: bool = False, versioned: bool = False,
              conditional: bool = False, body_example=None, answer_example=None, worded: bool = False):
    """Document one operation: its id, query, body, answer, examples and error answers (docs only; nothing is
    re-serialised). The id is camelCase and never changes: clients generated from the document use it.

    `versioned`: the answer carries the provider's ETag; `conditional`: the request may carry If-Match (412);
    `worded`: the answer's reasons are written out in the language Accept-Language asks for.
    """

    def decorate(view):
        doc: dict = {"operationId": operation_id, "security": [] if public else [{BEARER: []}]}
        parameters = ([IF_MATCH] if conditional else []) + ([ACCEPT_LANGUAGE] if worded else [])
        if query is not None:
            parameters.append({"in": "query", "schema": query})
            # Values past their documented limits can make the request line longer than the server accepts.
            doc["responses"] = {"414": {"$ref": f"#/components/responses/{REQUEST_LINE_TOO_LONG[0]}"}}
        if parameters:
            doc["parameters"] = parameters
        if body is not None:
            content = {"schema": body}
            if body_example is not None:
                content["example"] = body_example
            doc["requestBody"] = {"required": True, "content": {"application/json": content}}
        documented = blp.doc(**doc)(view)
        documented = blp.alt_response(status, schema=answer, description=description, example=answer_example,
                                      success=True, headers=_headers(versioned, worded))(documented)
        for code in sorted((*errors, 412) if conditional else errors, reverse=True):
            documented = blp.alt_response(code, response=ERROR_RESPONSES[code][0])(documented)
        return documented

    return decorate


def _headers(versioned: bool, worded: bool) -> dict | None:
    headers = {**(ETAG_HEADER if versioned else {}), **(CONTENT_LANGUAGE if worded else {})}
    return headers or None
