"""HTTP endpoints of the waiting list (caseworkers, own entries only)."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from marshmallow import fields, validate

from ...shared import vocabulary as v
from ...shared.jsonbody import Blueprint
from ...shared.schemas import StrictSchema, _not_personal_data
from ...shared.strict_fields import StrictInteger, Text
from ...shared.waitlist_schemas import WaitlistEntrySchema, WaitlistListSchema
from ..api.answers import answers
from ..api.args import CandidateQuerySchema
from . import service
from .models import MAX_WAIT_HOURS
from .store import waitlist_store_for

waitlist = Blueprint("waitlist", __name__, url_prefix="/waitlist", description="Wait for a need when nothing is free")


class WaitlistInSchema(StrictSchema):
    query = fields.Nested(CandidateQuerySchema, required=True)
    case_reference = Text(required=True, validate=[validate.Length(min=1, max=v.MAX_CASE_REFERENCE), _not_personal_data])
    hours = StrictInteger(load_default=MAX_WAIT_HOURS, validate=validate.Range(min=1, max=MAX_WAIT_HOURS))


def _context():
    context = current_app.extensions["haven"]
    return context, waitlist_store_for(context.store)


@waitlist.route("")
class Waitlist(MethodView):
    @answers(waitlist, WaitlistListSchema)
    def get(self):
        """Your waiting-list entries, longest waiting first"""
        context, store = _context()
        return {"contents": service.list_entries(waitlist=store, viewer=g.claims.caller, now=context.clock())}

    @answers(waitlist, WaitlistEntrySchema, 201)
    @waitlist.arguments(WaitlistInSchema)
    def post(self, data):
        """Wait for a need: the first unit that fits is held for you"""
        context, store = _context()
        return service.wait(waitlist=store, store=context.store, viewer=g.claims.caller, data=data,
                            now=context.clock(), request_id=g.get("request_id")), 201


@waitlist.route("/<uuid:entry_id>")
class Entry(MethodView):
    def delete(self, entry_id):
        """Stop waiting"""
        _, store = _context()
        service.withdraw(waitlist=store, viewer=g.claims.caller, entry_id=str(entry_id))
        return "", 204
