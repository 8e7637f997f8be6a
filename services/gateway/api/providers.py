"""Providers: search, read, manage, and report capacity (forwarded to the directory)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ...shared.query_args import ProviderQueryArgsSchema
from ...shared.schemas import (CapacityUpdateSchema, ProviderInSchema, ProviderOutSchema, ProviderPageSchema,
                               ProviderPatchSchema)
from ..forwarding import forwarded_headers, json_body, query_params, to_directory
from ..identity import authorise
from . import examples as ex
from .docs import ETAG_HEADER, PREFIX, READ_ERRORS, WRITE_ERRORS, operation

blp = Blueprint("Providers", __name__, url_prefix=f"{PREFIX}/providers",
                description="Search providers, manage them (admins) and report capacity (providers)")


@blp.route("")
class Providers(MethodView):
    @operation(blp, "searchProviders", query=ProviderQueryArgsSchema, answer=ProviderPageSchema,
               answer_example=ex.page(ex.PROVIDER_OUT), errors=(400, *READ_ERRORS))
    @authorise("search_providers")
    def get(self):
        """Search providers

        HSDS page envelope. With `near`, each item carries `distance_km`. Confidential locations are
        shown as their municipality with coordinates rounded to about 5 km, for everyone but admins.
        """
        return to_directory("GET", "/providers", params=query_params())

    @operation(blp, "createProvider", body=ProviderInSchema, answer=ProviderOutSchema, status=201,
               body_example=ex.PROVIDER_IN, answer_example=ex.PROVIDER_OUT, errors=(409, *WRITE_ERRORS),
               versioned=True)
    @authorise("create_provider")
    def post(self):
        """Create a provider (admin)"""
        return to_directory("POST", "/providers", body=json_body())


@blp.route("/<uuid:provider_id>")
class Provider(MethodView):
    @operation(blp, "getProvider", answer=ProviderOutSchema, answer_example=ex.PROVIDER_OUT,
               errors=(404, *READ_ERRORS), versioned=True)
    @authorise("get_provider")
    def get(self, provider_id):
        """One provider (caseworkers, admins, the provider itself)"""
        return to_directory("GET", f"/providers/{provider_id}")

    @operation(blp, "replaceProvider", body=ProviderInSchema, answer=ProviderOutSchema, body_example=ex.PROVIDER_IN,
               answer_example=ex.PROVIDER_OUT, errors=(404, *WRITE_ERRORS), versioned=True, conditional=True)
    @blp.alt_response(201, schema=ProviderOutSchema, description="Created: no provider had this id",
                      example=ex.PROVIDER_OUT, success=True, headers=ETAG_HEADER)
    @authorise("replace_provider")
    def put(self, provider_id):
        """Replace a provider, or create it with this id (admin)

        A replacement keeps the provider's live `capacity.available` and `capacity.updated` (they change
        only through capacity reports and accepted referrals); it may change `capacity.maximum` (not below
        the units available now) and `capacity.unit`. A new provider starts with the capacity given.
        """
        return to_directory("PUT", f"/providers/{provider_id}", body=json_body(), headers=forwarded_headers())

    @operation(blp, "updateProvider", body=ProviderPatchSchema(partial=True), answer=ProviderOutSchema,
               body_example=ex.PROVIDER_PATCH, answer_example=ex.PROVIDER_OUT, errors=(404, *WRITE_ERRORS),
               versioned=True, conditional=True)
    @authorise("patch_provider")
    def patch(self, provider_id):
        """Change some fields of a provider (admin)

        Merged into the provider as stored at that moment, in one step. `capacity.available` and
        `capacity.updated` cannot be patched (400): report capacity instead.
        """
        return to_directory("PATCH", f"/providers/{provider_id}", body=json_body(), headers=forwarded_headers())

    @operation(blp, "deleteProvider", status=204, description="Deleted", errors=(404, *READ_ERRORS))
    @authorise("delete_provider")
    def delete(self, provider_id):
        """Delete a provider (admin)"""
        return to_directory("DELETE", f"/providers/{provider_id}")


@blp.route("/<uuid:provider_id>/capacity")
class Capacity(MethodView):
    @operation(blp, "reportCapacity", body=CapacityUpdateSchema, answer=ProviderOutSchema,
               body_example=ex.CAPACITY_UPDATE, answer_example=ex.PROVIDER_OUT, errors=(404, *WRITE_ERRORS),
               versioned=True)
    @authorise("set_capacity")
    def put(self, provider_id):
        """Report free capacity (the provider itself, or an admin); sets `capacity.updated`"""
        return to_directory("PUT", f"/providers/{provider_id}/capacity", body=json_body())
