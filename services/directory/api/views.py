"""HTTP endpoints of the directory: thin, a schema in, one service call, a schema out."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from marshmallow import RAISE, ValidationError

from ...shared.errors import bad_field, validation_error
from ...shared.jsonbody import Blueprint, load_body
from ...shared.paging import envelope
from ...shared.query_args import (AuditQueryArgsSchema, ProviderQueryArgsSchema, ReferralQueryArgsSchema,
                                  StaleQueryArgsSchema)
from ...shared.schemas import (AuditPageSchema, CandidateBatchAnswerSchema, CandidateListSchema, CapacityUpdateSchema,
                               ProviderInSchema, ProviderOutSchema, ProviderPageSchema, ProviderPatchSchema,
                               ReferralCancelSchema, ReferralDeclineSchema, ReferralInSchema, ReferralPageSchema,
                               ReferralSchema, StaleListSchema)
from .. import service
from ..domain.queries import AuditFilter, CandidateQuery, ReferralFilter, SearchQuery
from ...shared.identity import Caller
from ..domain.rules import iso
from ..domain.versions import Precondition, parse_if_match
from .answers import answers
from .args import AuditEventSchema, CandidateBatchSchema, CandidateQuerySchema, ChangePageSchema, ChangesQueryArgsSchema

providers = Blueprint("providers", __name__, url_prefix="/providers", description="Providers and capacity")
referrals = Blueprint("referrals", __name__, url_prefix="/referrals", description="Referrals that hold capacity")
internal = Blueprint("internal", __name__, description="For the matcher and the gateway")


def _ctx():
    return current_app.extensions["haven"]


def _viewer() -> Caller:
    return g.claims.caller


def _common():
    ctx = _ctx()
    return {"store": ctx.store, "viewer": _viewer(), "now": ctx.clock()}


def _with_request_id():
    return dict(_common(), request_id=g.get("request_id"))


def _if_match() -> Precondition | None:
    try:
        return parse_if_match(request.headers.get("If-Match"))
    except ValueError as err:
        raise bad_field("If-Match", str(err)) from None


@providers.route("")
class Providers(MethodView):
    # unknown=RAISE everywhere: webargs drops unknown query parameters by default, and a misspelt
    # filter must be a 400, not a search that silently ignores it.
    @answers(providers, ProviderPageSchema)
    @providers.arguments(ProviderQueryArgsSchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, page, size, available, include_inactive, **filters):
        """Search providers"""
        query = SearchQuery(text=filters.get("q"), types=tuple(filters.get("type") or ()), need=filters.get("need"),
                            language=filters.get("language"), gender=filters.get("gender"), age=filters.get("age"),
                            near=filters.get("near"), radius_km=filters.get("radius_km"), available_only=available,
                            include_inactive=include_inactive, page=page, size=size)
        result = service.search_providers(query=query, **_common())
        return envelope(result.items, result.total, page, size)

    @answers(providers, ProviderOutSchema, 201)
    @providers.arguments(ProviderInSchema)
    def post(self, data):
        """Create a provider"""
        view, etag, _ = service.save_provider(data=data, **_with_request_id())
        return view, 201, {"ETag": etag}


@providers.route("/<uuid:provider_id>")
class Provider(MethodView):
    @answers(providers, ProviderOutSchema)
    def get(self, provider_id):
        """One provider"""
        view, etag = service.get_provider(provider_id=str(provider_id), **_common())
        return view, 200, {"ETag": etag}

    @answers(providers, ProviderOutSchema)
    @providers.arguments(ProviderInSchema)
    def put(self, data, provider_id):
        """Replace a provider"""
        view, etag, created = service.save_provider(data=data, provider_id=str(provider_id), expected=_if_match(),
                                                    **_with_request_id())
        return view, 201 if created else 200, {"ETag": etag}

    @answers(providers, ProviderOutSchema)
    @providers.arguments(ProviderPatchSchema(partial=True))
    def patch(self, changes, provider_id):
        """Change some fields of a provider"""
        # Validated as a partial above; merged from the raw body so defaults never overwrite stored values.
        view, etag = service.patch_provider(provider_id=str(provider_id), changes=request.get_json(),
                                            schema=ProviderInSchema(), expected=_if_match(), **_with_request_id())
        return view, 200, {"ETag": etag}

    def delete(self, provider_id):
        """Delete a provider"""
        service.delete_provider(provider_id=str(provider_id), **_with_request_id())
        return "", 204


@providers.route("/<uuid:provider_id>/capacity")
class Capacity(MethodView):
    @answers(providers, ProviderOutSchema)
    @providers.arguments(CapacityUpdateSchema)
    def put(self, data, provider_id):
        """Report free capacity of one pool: a need's own (`need`), or the main one"""
        view, etag = service.set_capacity(provider_id=str(provider_id), available=data["available"],
                                          maximum=data.get("maximum"), need=data.get("need"), **_with_request_id())
        return view, 200, {"ETag": etag}


@internal.route("/candidates", methods=["POST"])
@answers(internal, CandidateListSchema)
@internal.arguments(CandidateQuerySchema)
def candidates(data):
    """Providers passing every hard filter for one need, nearest first"""
    return {"candidates": service.find_candidates(query=CandidateQuery.from_wire(data), **_common())}


@internal.route("/candidates/batch", methods=["POST"])
@answers(internal, CandidateBatchAnswerSchema)
@internal.arguments(CandidateBatchSchema)
def candidate_batch(data):
    """Candidates for several needs at once: one list per query, in the order asked"""
    found = service.find_candidates_many(queries=[CandidateQuery.from_wire(query) for query in data["queries"]], **_common())
    return {"results": [{"candidates": candidates} for candidates in found]}


@internal.route("/changes", methods=["GET"])
@answers(internal, ChangePageSchema)
@internal.arguments(ChangesQueryArgsSchema, location="query", as_kwargs=True, unknown=RAISE)
def changes(since, limit):
    """Providers changed after change number `since`, as a caseworker sees them, for the matcher's read model"""
    return service.list_changes(since=since, limit=limit, **_common())


@referrals.route("")
class Referrals(MethodView):
    @answers(referrals, ReferralPageSchema)
    @referrals.arguments(ReferralQueryArgsSchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, page, size, **filters):
        """List referrals you may see"""
        query = ReferralFilter(provider_id=str(filters["provider_id"]) if filters.get("provider_id") else None,
                               status=filters.get("status"), case_reference=filters.get("case_reference"),
                               page=page, size=size)
        result = service.list_referrals(query=query, **_common())
        return envelope(ReferralSchema(many=True).dump(result.items), result.total, page, size)

    @answers(referrals, ReferralSchema, 201)
    @referrals.arguments(ReferralInSchema)
    def post(self, data):
        """Refer, holding one unit of capacity"""
        return service.create_referral(data=data, max_pending=_ctx().settings.max_pending_per_case,
                                       **_with_request_id()), 201


@referrals.route("/<uuid:referral_id>")
@answers(referrals, ReferralSchema)
def get_referral(referral_id):
    """One referral"""
    return service.get_referral(referral_id=str(referral_id), **_with_request_id())


REASON_SCHEMAS = {"declined": ReferralDeclineSchema, "cancelled": ReferralCancelSchema}


def _reason(to_status: str) -> dict:
    """The reason and note of a decline or cancel; without a body (or with `{}`) the reason is `other`."""
    schema = REASON_SCHEMAS.get(to_status)
    if schema is None:
        return {}
    body = load_body()
    if body is None or body == {}:
        return {"reason": "other"}
    try:
        return schema().load(body)
    except ValidationError as err:
        raise validation_error(err.messages) from None


def _transition(to_status: str):
    def view(referral_id):
        return service.change_referral(referral_id=str(referral_id), to_status=to_status, **_reason(to_status),
                                       **_with_request_id())

    view.__name__ = f"referral_{to_status}"
    view.__doc__ = f"Make a pending referral {to_status}"
    return view


for _verb, _status in (("accept", "accepted"), ("decline", "declined"), ("cancel", "cancelled")):
    referrals.route(f"/<uuid:referral_id>/{_verb}", methods=["POST"])(
        answers(referrals, ReferralSchema)(_transition(_status)))


@internal.route("/audit", methods=["GET"])
@answers(internal, AuditPageSchema)
@internal.arguments(AuditQueryArgsSchema, location="query", as_kwargs=True, unknown=RAISE)
def audit_log(page, size, **filters):
    """The audit log, newest first"""
    query = AuditFilter(actor=filters.get("actor"), action=filters.get("action"), target=filters.get("target"),
                        since=iso(filters["since"]) if filters.get("since") else None,
                        until=iso(filters["until"]) if filters.get("until") else None, page=page, size=size)
    result = service.list_audit(query=query, store=_ctx().store, viewer=_viewer())
    return envelope([entry.__dict__ for entry in result.items], result.total, page, size)


@internal.route("/audit", methods=["POST"])
@internal.arguments(AuditEventSchema)
def audit_event(data):
    """Append an event the gateway saw"""
    service.record_event(action=data["action"], target=data["target"], detail=data["detail"], **_with_request_id())
    return "", 204


@internal.route("/stale", methods=["GET"])
@answers(internal, StaleListSchema)
@internal.arguments(StaleQueryArgsSchema, location="query", as_kwargs=True)
def stale(hours):
    """Providers whose capacity count is older than `hours`, oldest first, with their contact"""
    found = service.list_stale(older_than_hours=hours, **_common())
    return {"total_items": len(found), "contents": found}
