"""HTTP endpoints of the figures: the matcher counts a match's outcome, the gateway reads the figures (admins)."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ...shared import vocabulary as v
from ...shared.jsonbody import Blueprint
from ...shared.places import PROVINCES
from ...shared.schemas import StrictSchema
from ...shared.strict_fields import StrictInteger
from ..api.answers import answers
from . import service

figures = Blueprint("figures", __name__, url_prefix="/figures",
                    description="Counts of match outcomes and a daily capacity history, nothing about a person")
REGIONS = (*PROVINCES, service.NO_REGION)


def _at_most(limit: int):
    return StrictInteger(load_default=0, validate=validate.Range(min=0, max=limit))


class NeedCountInSchema(StrictSchema):
    need = fields.String(required=True, validate=validate.OneOf(v.NEEDS))
    region = fields.String(required=True, validate=validate.OneOf(REGIONS),
                           metadata={"description": "the province of the match's location, or \"—\" outside them"})
    matches = _at_most(1)
    unmet = _at_most(1)
    groups = _at_most(1)
    group_people = _at_most(v.MAX_GROUP_SIZE)
    group_unplaced = _at_most(v.MAX_GROUP_SIZE)


class MatchCountsInSchema(StrictSchema):
    counts = fields.List(fields.Nested(NeedCountInSchema), required=True,
                         validate=validate.Length(min=1, max=v.MAX_FIGURE_ROWS),
                         metadata={"description": "one row per need of each match counted; the matcher sends "
                                                  "the rows of up to a second of matches together"})


class CountedSchema(Schema):
    rows = fields.Integer()


class NeedCountSchema(Schema):
    week = fields.String()
    need = fields.String()
    region = fields.String()
    matches = fields.Integer()
    unmet = fields.Integer()
    groups = fields.Integer()
    group_people = fields.Integer()
    group_unplaced = fields.Integer()


class CapacityDaySchema(Schema):
    day = fields.String()
    region = fields.String()
    providers = fields.Integer()
    units = fields.Integer()
    in_use = fields.Integer()
    stale = fields.Integer()


class FiguresSchema(Schema):
    need_counts = fields.List(fields.Nested(NeedCountSchema))
    capacity_days = fields.List(fields.Nested(CapacityDaySchema))
    capacity_now = fields.List(fields.Nested(CapacityDaySchema))


def _context():
    context = current_app.extensions["haven"]
    return context, context.figures


@figures.route("")
class Figures(MethodView):
    @answers(figures, FiguresSchema)
    def get(self):
        """Every counter and day of capacity as stored, and capacity now (admins; not yet suppressed)"""
        context, store = _context()
        return service.read_figures(figures=store, store=context.store, viewer=g.claims.caller, now=context.clock())


@figures.route("/matches")
class MatchCounts(MethodView):
    @answers(figures, CountedSchema)
    @figures.arguments(MatchCountsInSchema)
    def post(self, data):
        """Count the outcome of one match: need, region, asked and unmet (nothing about the person)"""
        context, store = _context()
        return {"rows": service.count_matches(figures=store, viewer=g.claims.caller, counts=data["counts"],
                                              now=context.clock())}
