"""The directory as Open Referral HSDS 3.1 services, confidential locations redacted."""
from __future__ import annotations

from flask import g, jsonify, url_for
from marshmallow import RAISE
from flask_smorest import Blueprint

from ...shared.signing import Claims
from .. import hsds
from ..context import gateway
from ..forwarding import call, claims_of, passthrough
from ..identity import authorise
from . import examples as ex
from .docs import PREFIX, READ_ERRORS, operation
from .schemas import HsdsAboutSchema, HsdsQueryArgsSchema, HsdsServicePageSchema, HsdsServiceSchema

blp = Blueprint("HSDS", __name__, url_prefix=f"{PREFIX}/hsds",
                description="Open Referral HSDS 3.1 (any token): for case-management tools and 211-style directories")


def _reading_claims() -> Claims:
    # HSDS is open to any token (DESIGN.md), providers included, while the directory lets providers read only
    # their own records. Providers therefore read it with the caseworker view, which never carries an exact
    # confidential location; the subject stays the token, so the directory still knows who asked.
    claims = claims_of(g.principal)
    if claims.role == "provider":
        return Claims(role="caseworker", subject=claims.subject, request_id=claims.request_id)
    return claims


@blp.route("/", methods=["GET"])
@operation(blp, "getHsdsMetaInformation", answer=HsdsAboutSchema, answer_example=ex.HSDS_ABOUT)
@authorise("hsds_about")
def hsds_about():
    """The HSDS version and profile this API follows, and where its OpenAPI document is"""
    return jsonify(hsds.about(url_for("api-docs.openapi_json")))


@blp.route("/services", methods=["GET"])
@authorise("hsds_services")
@blp.arguments(HsdsQueryArgsSchema, location="query", as_kwargs=True, error_status_code=400, unknown=RAISE)
@operation(blp, "listHsdsServices", answer=HsdsServicePageSchema, answer_example=ex.page(ex.hsds_service()), errors=(400, *READ_ERRORS))
def hsds_services(page, per_page, search=None):
    """Services, a page at a time (HSDS page envelope)

    Filters HSDS defines but Haven does not support (taxonomy, organization, modified_after) are refused
    with 400 rather than silently ignored.
    """
    directory = gateway().directory
    answer = call(directory, "GET", "/providers", params={"q": search, "page": page, "size": per_page},
                  claims=_reading_claims())
    if answer.status_code != 200:
        return passthrough(answer, directory.service)
    return jsonify(hsds.service_page(answer.json()))


@blp.route("/services/<uuid:service_id>", methods=["GET"])
@operation(blp, "getHsdsService", answer=HsdsServiceSchema, answer_example=ex.hsds_service(), errors=(404, *READ_ERRORS))
@authorise("hsds_service")
def hsds_service(service_id):
    """One service"""
    directory = gateway().directory
    answer = call(directory, "GET", f"/providers/{service_id}", claims=_reading_claims())
    if answer.status_code != 200:
        return passthrough(answer, directory.service)
    return jsonify(hsds.service_of(answer.json()))
